"""Fields and schemas shared by every API module."""

from datetime import UTC

from marshmallow import Schema, ValidationError, fields, validate

from licensing.dates import FORMS, UnreadableDate, read_date, sentence
from licensing.identity.fields import previous_names_of
from licensing.identity.validation import WIDTHS

NO_SEMICOLON = validate.Regexp(r"^[^;]*$", error="A name cannot contain ';'.")


class UtcDateTime(fields.DateTime):
    """A stored naive-UTC timestamp, written as ISO 8601 with its +00:00 offset."""

    def _serialize(self, value, attr, obj, **kwargs):
        """Mark the naive value as UTC before formatting it."""
        return super()._serialize(value and value.replace(tzinfo=UTC), attr, obj, **kwargs)


class UkDate(fields.Date):
    """A date sent as ISO or day first as the UK writes it (licensing/dates.py); always answered in ISO."""

    def __init__(self, **kwargs):
        """Make the field, saying in the API document which forms it reads."""
        metadata = {"description": f"{FORMS} (day first, never month first; the year in full)"}
        super().__init__(metadata=metadata | kwargs.pop("metadata", {}), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        """Read the date, or fail with the reader's reason."""
        if not isinstance(value, str):
            raise self.make_error("invalid")
        try:
            return read_date(value)
        except UnreadableDate as unreadable:
            raise ValidationError(sentence(str(unreadable))) from None


def _identifier(name: str) -> fields.String:
    """Return an optional identifier field: kept as given and flagged when not valid, at most its column."""
    return fields.String(load_default=None, allow_none=True, validate=validate.Length(max=WIDTHS[name]))


class IdentityInSchema(Schema):
    """A person's identity as sent; an identifier that is not valid is kept and flagged, never matched on."""

    given_names = fields.String(required=True, validate=validate.Length(min=1, max=WIDTHS["given_names"]))
    family_name = fields.String(required=True, validate=validate.Length(min=1, max=WIDTHS["family_name"]))
    previous_names = fields.List(
        fields.String(validate=[validate.Length(min=1, max=200), NO_SEMICOLON]),
        load_default=list,
        validate=validate.Length(max=10),
    )
    date_of_birth = UkDate(load_default=None, allow_none=True)
    sex = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(["F", "M", "X"]))
    address = fields.String(load_default="", validate=validate.Length(max=WIDTHS["address"]))
    postcode = _identifier("postcode")
    ni_number = _identifier("ni_number")
    driving_licence_number = _identifier("driving_licence_number")


class IdentityWarningSchema(Schema):
    """What is wrong with one identity field, e.g. {"field": "ni_number", "warning": "not valid"}."""

    field = fields.String()
    warning = fields.String()


def identity_warnings() -> fields.List:
    """Return the field listing a record's identity warnings."""
    description = (
        "Identity values kept but flagged: a value that is not valid is never used as an exact match"
    )
    return fields.List(
        fields.Nested(IdentityWarningSchema),
        attribute="identity_warnings",
        metadata={"description": description},
    )


class IdentityFieldsSchema(Schema):
    """The identity fields of a record as stored, previous names as a list."""

    given_names = fields.String()
    family_name = fields.String()
    previous_names = fields.List(fields.String())
    date_of_birth = fields.Date(allow_none=True)
    sex = fields.String(allow_none=True)
    address = fields.String()
    postcode = fields.String(allow_none=True)
    ni_number = fields.String(allow_none=True)
    driving_licence_number = fields.String(allow_none=True)


class IdentityOutSchema(IdentityFieldsSchema):
    """The identifying details of a person, as a stored record holds them, with their warnings."""

    previous_names = fields.Function(lambda record: previous_names_of(record.previous_names))
    warnings = identity_warnings()
