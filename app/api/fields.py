"""Fields and schemas shared by every API module."""

from datetime import UTC

from marshmallow import Schema, fields


class UtcDateTime(fields.DateTime):
    """A stored naive-UTC timestamp, written as ISO 8601 with its +00:00 offset."""

    def _serialize(self, value, attr, obj, **kwargs):
        """Mark the naive value as UTC before formatting it."""
        return super()._serialize(value and value.replace(tzinfo=UTC), attr, obj, **kwargs)


class IdentityOutSchema(Schema):
    """The identifying details of a person, as a stored record holds them."""

    given_names = fields.String()
    family_name = fields.String()
    previous_names = fields.Function(lambda record: [n for n in record.previous_names.split(";") if n])
    date_of_birth = fields.Date(allow_none=True)
    sex = fields.String(allow_none=True)
    address = fields.String()
    postcode = fields.String(allow_none=True)
    ni_number = fields.String(allow_none=True)
    driving_licence_number = fields.String(allow_none=True)
