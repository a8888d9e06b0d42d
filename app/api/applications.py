"""Driver applications of the caller's authority: receive (and screen), list, withdraw, refuse, gate."""

from datetime import timedelta

from flask import current_app, g, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, pre_dump, validate

from app import db
from app.api.conventions import page_body, page_of, page_query, versioned
from app.api.fields import UtcDateTime
from app.api.licences import RegisterChoiceSchema
from app.auth import require_scope
from licensing import applications, gate
from licensing.clock import utcnow
from licensing.matching import BANDS
from licensing.models.records import APPLICATION_KINDS, APPLICATION_STATUSES, LICENCE_TYPES

blp = Blueprint("applications", __name__, url_prefix="/api/v1", description="Driver applications")
NO_SEMICOLON = validate.Regexp(r"^[^;]*$", error="A name cannot contain ';'.")


class IdentitySchema(Schema):
    """The applicant's identity; invalid optional identifiers are left out with a warning."""

    given_names = fields.String(required=True, validate=validate.Length(min=1, max=200))
    family_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    previous_names = fields.List(
        fields.String(validate=[validate.Length(min=1, max=200), NO_SEMICOLON]),
        load_default=list,
        validate=validate.Length(max=10),
    )
    date_of_birth = fields.Date(load_default=None, allow_none=True)
    sex = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(["F", "M", "X"]))
    address = fields.String(load_default="", validate=validate.Length(max=500))
    postcode = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=20))
    ni_number = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=20))
    driving_licence_number = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=40)
    )


class ApplicationInSchema(IdentitySchema):
    """A new or renewal application as received by the council."""

    ref = fields.String(
        required=True,
        validate=validate.Length(min=1, max=64),
        metadata={"description": "The council's own reference, unique within the council"},
    )
    kind = fields.String(required=True, validate=validate.OneOf(APPLICATION_KINDS))
    licence_type = fields.String(required=True, validate=validate.OneOf(LICENCE_TYPES))
    received_on = fields.Date(required=True)


class ScreeningSummarySchema(Schema):
    """The latest screening of an application: how many candidates in each band."""

    id = fields.Integer()
    purpose = fields.String()
    created_at = UtcDateTime()
    candidates = fields.Integer()
    bands = fields.Dict(keys=fields.String(validate=validate.OneOf(BANDS)), values=fields.Integer())


class ApplicationSchema(Schema):
    """An application of the caller's own authority, in full."""

    id = fields.Integer()
    ref = fields.String()
    kind = fields.String(metadata={"enum": list(APPLICATION_KINDS)})
    licence_type = fields.String(metadata={"enum": list(LICENCE_TYPES)})
    status = fields.String(metadata={"enum": list(APPLICATION_STATUSES)})
    received_on = fields.Date()
    decided_on = fields.Date(allow_none=True)
    given_names = fields.String()
    family_name = fields.String()
    previous_names = fields.List(fields.String())
    date_of_birth = fields.Date(allow_none=True)
    sex = fields.String(allow_none=True)
    address = fields.String()
    postcode = fields.String(allow_none=True)
    ni_number = fields.String(allow_none=True)
    driving_licence_number = fields.String(allow_none=True)
    created_at = UtcDateTime()
    updated_at = UtcDateTime()
    screening = fields.Nested(ScreeningSummarySchema, allow_none=True)
    warnings = fields.List(fields.String(), metadata={"description": "Identifiers left out, and why"})

    @pre_dump
    def flatten(self, view, **kwargs):
        """Lay the application's columns, its screening summary and warnings side by side."""
        application = view.application
        values = {name: getattr(application, name) for name in type(application).model_fields}
        values["previous_names"] = [n for n in application.previous_names.split(";") if n]
        return values | {"screening": view.screening, "warnings": view.warnings}


class RefuseSchema(RegisterChoiceSchema):
    """A refusal, and its s.2 register entry recorded in the same change (or why it is not recorded)."""

    decided_on = fields.Date(load_default=None, allow_none=True, metadata={"description": "Default: today"})
    effective_on = fields.Date(
        load_default=None, allow_none=True, metadata={"description": "For the register; default: decided_on"}
    )


class GateSchema(Schema):
    """Whether a licence may be granted on the application now, and if not, why not."""

    allowed = fields.Boolean()
    reasons = fields.List(fields.String())
    screening_id = fields.Integer(allow_none=True)
    screened_at = UtcDateTime(allow_none=True)
    fresh_until = UtcDateTime(allow_none=True)
    unresolved = fields.List(fields.Integer(), metadata={"description": "Candidate ids still to resolve"})


def max_screening_age() -> timedelta:
    """Return how recent the screening behind a grant must be."""
    return timedelta(days=current_app.config["SCREENING_MAX_AGE_DAYS"])


@blp.route("/applications")
class Applications(MethodView):
    """The caller's authority's applications."""

    @require_scope("council:read")
    @blp.arguments(page_query("applications"), location="query")
    @blp.response(200, page_of(ApplicationSchema))
    def get(self, args):
        """List applications newest first, a page at a time."""
        return page_body("applications", applications.list_applications(db.session(), g.actor, **args))

    @require_scope("council:write")
    @blp.arguments(ApplicationInSchema)
    @blp.response(201, ApplicationSchema)
    def post(self, data):
        """Receive an application and screen the applicant against every other council's records."""
        view = applications.create_application(db.session(), g.actor, data, utcnow())
        location = url_for("applications.Application", application_id=view.application.id)
        return view, 201, {"Location": location}


@blp.route("/applications/<int:application_id>")
class Application(MethodView):
    """One application of the caller's authority."""

    @require_scope("council:read")
    @versioned(applications.own_application, "application_id")
    @blp.response(200, ApplicationSchema)
    def get(self, application_id):
        """Show an application with its latest screening."""
        return applications.get_application(db.session(), g.actor, application_id)


@blp.route("/applications/<int:application_id>/withdraw")
class Withdrawal(MethodView):
    """Withdrawing an application."""

    @require_scope("council:write")
    @versioned(applications.own_application, "application_id")
    @blp.response(200, ApplicationSchema)
    def post(self, application_id):
        """Mark a pending application withdrawn."""
        return applications.withdraw(db.session(), g.actor, application_id, utcnow())


@blp.route("/applications/<int:application_id>/refuse")
class Refusal(MethodView):
    """Refusing an application."""

    @require_scope("council:decide")
    @versioned(applications.own_application, "application_id")
    @blp.arguments(RefuseSchema)
    @blp.response(200, ApplicationSchema)
    def post(self, data, application_id):
        """Refuse a pending application (a manager's decision) and record its s.2 register entry in the
        same change, unless record_register_entry is false with not_recorded_reason."""
        dates = {name: data.pop(name) for name in ("decided_on", "effective_on")}
        return applications.refuse(db.session(), g.actor, application_id, utcnow(), **dates, register=data)


@blp.route("/applications/<int:application_id>/gate")
class Gate(MethodView):
    """The grant gate of an application."""

    @require_scope("council:read")
    @blp.response(200, GateSchema)
    def get(self, application_id):
        """Say whether a licence may be granted now, and what is missing if not."""
        return gate.application_gate(db.session(), g.actor, application_id, utcnow(), max_screening_age())
