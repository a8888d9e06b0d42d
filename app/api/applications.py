"""Driver applications of the caller's authority: receive (and screen), list, withdraw, refuse, gate."""

from datetime import timedelta

from flask import current_app, g, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, pre_dump, validate

from app import db
from app.api.conventions import page_body, page_of, page_query, versioned
from app.api.fields import IdentityFieldsSchema, IdentityInSchema, UkDate, UtcDateTime, identity_warnings
from app.api.licences import RegisterChoiceSchema
from app.auth import require_scope
from licensing.clock import utcnow
from licensing.identity.fields import previous_names_of
from licensing.licences import adverse_decisions, applications, gate
from licensing.matching import BANDS
from licensing.persistence.db import MAX_ID
from licensing.persistence.models.decisions import ADVERSE_KINDS, INFORMATION_STATES
from licensing.persistence.models.records import (
    APPLICATION_KINDS,
    APPLICATION_STATUSES,
    LICENCE_TYPES,
)

blp = Blueprint("applications", __name__, url_prefix="/api/v1", description="Driver applications")


class ApplicationInSchema(IdentityInSchema):
    """A new or renewal application as received by the council."""

    ref = fields.String(
        required=True,
        validate=validate.Length(min=1, max=64),
        metadata={"description": "The council's own reference, unique within the council"},
    )
    kind = fields.String(required=True, validate=validate.OneOf(APPLICATION_KINDS))
    licence_type = fields.String(required=True, validate=validate.OneOf(LICENCE_TYPES))
    received_on = UkDate(required=True)


class ScreeningSummarySchema(Schema):
    """The latest screening of an application: how many candidates in each band."""

    id = fields.Integer()
    purpose = fields.String()
    created_at = UtcDateTime()
    candidates = fields.Integer()
    bands = fields.Dict(keys=fields.String(validate=validate.OneOf(BANDS)), values=fields.Integer())


class ApplicationSchema(IdentityFieldsSchema):
    """An application of the caller's own authority, in full."""

    id = fields.Integer()
    ref = fields.String()
    kind = fields.String(metadata={"enum": list(APPLICATION_KINDS)})
    licence_type = fields.String(metadata={"enum": list(LICENCE_TYPES)})
    status = fields.String(metadata={"enum": list(APPLICATION_STATUSES)})
    received_on = fields.Date()
    decided_on = fields.Date(allow_none=True)
    created_at = UtcDateTime()
    updated_at = UtcDateTime()
    screening = fields.Nested(ScreeningSummarySchema, allow_none=True)
    warnings = identity_warnings()

    @pre_dump
    def flatten(self, view, **kwargs):
        """Lay the application's columns (its identity warnings among them) beside its screening summary."""
        application = view.application
        values = {name: getattr(application, name) for name in type(application).model_fields}
        values["previous_names"] = previous_names_of(application.previous_names)
        return values | {"screening": view.screening}


class RefuseSchema(RegisterChoiceSchema):
    """A refusal, and its s.2 register entry recorded in the same change (or why it is not recorded)."""

    decided_on = UkDate(load_default=None, allow_none=True, metadata={"description": "Default: today"})
    effective_on = UkDate(
        load_default=None, allow_none=True, metadata={"description": "For the register; default: decided_on"}
    )


class RecordCouncilSchema(Schema):
    """The council (or police force) that holds a record."""

    code = fields.String()
    name = fields.String()


class AdverseDecisionSchema(Schema):
    """A manager's decision that an adverse record does not stop the grant on this application."""

    id = fields.Integer()
    application_id = fields.Integer()
    candidate_id = fields.Integer(attribute="screening_candidate_id")
    record_kind = fields.String(metadata={"enum": list(ADVERSE_KINDS)})
    record_id = fields.Integer()
    reason = fields.String()
    information = fields.String(
        metadata={
            "enum": list(INFORMATION_STATES),
            "description": "Whether a s.3 request was made and answered (`not_applicable`: this council's "
            "own entry, or police intelligence)",
        }
    )
    information_request_id = fields.Integer(allow_none=True, metadata={"description": "The s.3 request"})
    decided_by = fields.String()
    decided_at = UtcDateTime()


class AdverseDecisionInSchema(Schema):
    """A manager's decision on an adverse candidate of the application's latest screening."""

    candidate_id = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_ID))
    reason = fields.String(
        required=True,
        validate=validate.Length(min=1, max=2000),
        metadata={"description": "Why the council may still grant, having weighed the record"},
    )


class AdverseRecordSchema(Schema):
    """An adverse record the latest screening found at `possible` or better, and what it still needs."""

    candidate_id = fields.Integer(attribute="candidate.id")
    record_kind = fields.String(attribute="candidate.candidate_kind", metadata={"enum": list(ADVERSE_KINDS)})
    record_id = fields.Integer(attribute="candidate.candidate_id")
    band = fields.String(attribute="candidate.band", metadata={"enum": list(BANDS)})
    description = fields.String(metadata={"description": "Who recorded what, and when"})
    recorded_by = fields.Nested(
        RecordCouncilSchema,
        allow_none=True,
        metadata={"description": "The recording council or police force"},
    )
    recorded_by_this_council = fields.Boolean(attribute="own")
    resolution = fields.String(attribute="candidate.resolution", allow_none=True)
    resolution_reason = fields.String(attribute="candidate.resolution_reason", allow_none=True)
    resolved_by = fields.String(attribute="candidate.resolved_by", allow_none=True)
    resolved_at = UtcDateTime(attribute="candidate.resolved_at", allow_none=True)
    decision = fields.Nested(AdverseDecisionSchema, allow_none=True)
    needs = fields.String(
        allow_none=True,
        metadata={
            "enum": ["resolution", "decision"],
            "description": "What still clears it (an officer's resolution or a manager's decision); "
            "null when cleared",
        },
    )


class GateSchema(Schema):
    """Whether a licence may be granted on the application now, and if not, why not."""

    allowed = fields.Boolean()
    reasons = fields.List(fields.String())
    screening_id = fields.Integer(allow_none=True)
    screened_at = UtcDateTime(allow_none=True)
    fresh_until = UtcDateTime(allow_none=True)
    unresolved = fields.List(fields.Integer(), metadata={"description": "Candidate ids still to resolve"})
    undecided = fields.List(
        fields.Integer(), metadata={"description": "Adverse candidate ids a manager must still decide on"}
    )
    adverse_records = fields.List(fields.Nested(AdverseRecordSchema))
    cleared_by = fields.List(
        fields.String(),
        metadata={"description": "The rulings and decisions that cleared the adverse records"},
    )


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
    @blp.arguments(RefuseSchema)
    @versioned(applications.own_application, "application_id")
    @blp.response(200, ApplicationSchema)
    def post(self, data, application_id):
        """Refuse a pending application (a manager's decision) and record its s.2 register entry in the
        same change, unless record_register_entry is false with not_recorded_reason."""
        dates = {name: data.pop(name) for name in ("decided_on", "effective_on")}
        return applications.refuse(db.session(), g.actor, application_id, utcnow(), **dates, register=data)


@blp.route("/applications/<int:application_id>/gate")
class Gate(MethodView):
    """The grant gate of an application."""

    @db.writes_on_get
    @require_scope("council:read")
    @blp.response(200, GateSchema)
    def get(self, application_id):
        """Say whether a licence may be granted now, and what is missing if not."""
        return gate.application_gate(db.session(), g.actor, application_id, utcnow(), max_screening_age())


@blp.route("/applications/<int:application_id>/adverse-decisions")
class AdverseDecisions(MethodView):
    """A manager's decisions on the adverse records found for an application."""

    @require_scope("council:decide")
    @blp.arguments(AdverseDecisionInSchema)
    @blp.response(201, AdverseDecisionSchema)
    def post(self, data, application_id):
        """Record that an adverse record, found to be the same person, does not stop the grant, and why."""
        decision = adverse_decisions.record_decision(
            db.session(), g.actor, application_id, data["candidate_id"], data["reason"], utcnow()
        )
        return decision, 201, {"Location": url_for("applications.Gate", application_id=application_id)}
