"""Screenings of the caller's authority: ad-hoc checks with a recorded purpose, results, resolutions."""

from flask import g, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, pre_dump, validate

from app import db
from app.api.applications import RecordCouncilSchema
from app.api.fields import IdentityInSchema, UtcDateTime
from app.auth import require_scope
from licensing import gate
from licensing.clock import utcnow
from licensing.db import locked_reads, snapshot_reads
from licensing.models.screening import BANDS, PURPOSES, RECORD_KINDS, RESOLUTIONS

blp = Blueprint("screenings", __name__, url_prefix="/api/v1", description="Screenings against the register")


class AdHocScreeningSchema(IdentityInSchema):
    """An identity to screen, and why (recorded with the screening)."""

    purpose = fields.String(
        required=True,
        validate=validate.Length(min=1, max=500),
        metadata={"description": "Why this person is being checked; kept in the screening's record"},
    )


class CandidateRecordSchema(Schema):
    """The minimal view of a record found: which fields appear depends on `kind`."""

    kind = fields.String(metadata={"enum": list(RECORD_KINDS)})
    given_names = fields.String()
    family_name = fields.String()
    previous_names = fields.List(fields.String())
    date_of_birth = fields.Date(allow_none=True)
    sex = fields.String(allow_none=True)
    address = fields.String()
    postcode = fields.String(allow_none=True)
    ni_number = fields.String(allow_none=True)
    driving_licence_number = fields.String(allow_none=True)
    authority = fields.Nested(
        RecordCouncilSchema, metadata={"description": "The recording or issuing council"}
    )
    decision = fields.String(metadata={"description": "register_entry only"})
    decided_on = fields.Date(metadata={"description": "register_entry only"})
    effective_on = fields.Date(metadata={"description": "register_entry only"})
    recorded_by_this_council = fields.Boolean(
        metadata={"description": "register_entry only: the entry is the screening council's own decision"}
    )
    licence_status = fields.String(metadata={"description": "licence only"})
    expires_on = fields.Date(metadata={"description": "licence only"})
    received_on = fields.Date(metadata={"description": "application only"})
    force_name = fields.String(metadata={"description": "intelligence only"})
    category = fields.String(metadata={"description": "intelligence only"})
    occurred_on = fields.Date(metadata={"description": "intelligence only"})
    force_reference = fields.String(metadata={"description": "intelligence only"})
    shareable_summary = fields.String(metadata={"description": "intelligence only"})


class CandidateSchema(Schema):
    """A record a screening found, with the officer's resolution."""

    id = fields.Integer()
    candidate_kind = fields.String(metadata={"enum": list(RECORD_KINDS)})
    score = fields.Float()
    band = fields.String(metadata={"enum": list(BANDS)})
    evidence = fields.List(fields.String())
    resolution = fields.String(allow_none=True, metadata={"enum": list(RESOLUTIONS)})
    resolution_reason = fields.String(allow_none=True)
    resolved_by = fields.String(allow_none=True)
    resolved_at = UtcDateTime(allow_none=True)


class ShownCandidateSchema(CandidateSchema):
    """A candidate with the minimal view of its record (null when it may no longer be shown)."""

    record = fields.Nested(CandidateRecordSchema, allow_none=True)

    @pre_dump
    def flatten(self, shown, **kwargs):
        """Lay the candidate's columns beside its record's view."""
        candidate = shown["candidate"]
        return {name: getattr(candidate, name) for name in CandidateSchema._declared_fields} | {
            "record": shown["record"]
        }


class ScreeningSchema(Schema):
    """A screening of the caller's authority with its candidates, best first."""

    id = fields.Integer()
    purpose = fields.String(metadata={"enum": list(PURPOSES)})
    reason = fields.String()
    actor_label = fields.String()
    application_id = fields.Integer(allow_none=True)
    created_at = UtcDateTime()
    candidates = fields.List(fields.Nested(ShownCandidateSchema))

    @pre_dump
    def flatten(self, detail, **kwargs):
        """Lay the screening's columns beside its candidates."""
        screening = detail.screening
        names = ("id", "purpose", "reason", "actor_label", "application_id", "created_at")
        return {name: getattr(screening, name) for name in names} | {"candidates": detail.candidates}


class ResolutionSchema(Schema):
    """An officer's ruling on a candidate, with the reason for it."""

    resolution = fields.String(required=True, validate=validate.OneOf(RESOLUTIONS))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


@blp.route("/screenings")
class Screenings(MethodView):
    """Ad-hoc screenings."""

    @require_scope("council:read")
    @blp.arguments(AdHocScreeningSchema)
    @blp.response(201, ScreeningSchema)
    def post(self, data):
        """Screen an identity against the register (own entries too) and others' licences and applications."""
        purpose = data.pop("purpose")
        session = db.session()
        # Scoring needs no lock: on SQLite it reads a snapshot and takes the write lock only to record.
        snapshot_reads(session)
        try:
            detail = gate.screen_identity(session, g.actor, data, purpose, utcnow())
        finally:
            locked_reads(session)
        return detail, 201, {"Location": url_for("screenings.Screening", screening_id=detail.screening.id)}


@blp.route("/screenings/<int:screening_id>")
class Screening(MethodView):
    """One screening of the caller's authority."""

    @require_scope("council:read")
    @blp.response(200, ScreeningSchema)
    def get(self, screening_id):
        """Show the screening's candidates with the minimal view of each record (each view is audited)."""
        return gate.view_screening(db.session(), g.actor, screening_id, utcnow())


@blp.route("/screenings/<int:screening_id>/candidates/<int:candidate_id>/resolve")
class Resolution(MethodView):
    """Resolving a candidate."""

    @require_scope("council:write")
    @blp.arguments(ResolutionSchema)
    @blp.response(200, CandidateSchema)
    def post(self, data, screening_id, candidate_id):
        """Rule whether the candidate is the same person; 'not the same' is remembered for the pair."""
        return gate.resolve_candidate(db.session(), g.actor, screening_id, candidate_id, **data, now=utcnow())


@blp.route("/applications/<int:application_id>/rescreen")
class Rescreen(MethodView):
    """Screening an application again."""

    @require_scope("council:write")
    @blp.response(201, ScreeningSchema)
    def post(self, application_id):
        """Run a fresh screening of a pending application (the gate needs a recent one)."""
        detail = gate.rescreen(db.session(), g.actor, application_id, utcnow())
        return detail, 201, {"Location": url_for("screenings.Screening", screening_id=detail.screening.id)}
