"""Screenings of the caller's authority: ad-hoc checks with a recorded purpose, results, resolutions."""

from flask import g, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, pre_dump, validate

from app import db
from app.api.applications import RecordCouncilSchema
from app.api.fields import IdentityInSchema, UtcDateTime
from app.auth import require_scope
from licensing.clock import utcnow
from licensing.licences import gate
from licensing.persistence.models.screening import BANDS, PURPOSES, RECORD_KINDS, RESOLUTIONS

blp = Blueprint("screenings", __name__, url_prefix="/api/v1", description="Screenings against the register")


class AdHocScreeningSchema(IdentityInSchema):
    """An identity to screen, and why (recorded with the screening)."""

    purpose = fields.String(
        required=True,
        validate=validate.Length(min=1, max=500),
        metadata={"description": "Why this person is being checked; kept in the screening's record"},
    )


class AgreementSchema(Schema):
    """How each identifying detail of another council's record agrees with the identity screened."""

    sex = fields.String(metadata={"description": "same, different, or not given on both records"})
    address = fields.String(
        metadata={"description": "e.g. same, different, different house in the same postcode"}
    )
    postcode = fields.String(
        metadata={"description": "same, same district, different, or not given on both records"}
    )
    ni_number = fields.String(metadata={"description": "e.g. same, differs in one character, different"})
    driving_licence_number = fields.String(
        metadata={"description": "e.g. same, same first 13 characters, different"}
    )


OWN_ONLY = "the council's own register entry only (view: full)"


class CandidateRecordSchema(Schema):
    """The view of a record found: which fields appear depends on `kind` and on whose record it is.

    A council's own register entry is shown in full (view `full`). Another council's record (view
    `minimal`) shows the names, date of birth, the council and the decision or licence with its dates;
    the address, postcode and identifiers only as `agreement` with the identity screened, the NI and
    driving licence numbers masked to their last three characters. The full record and the reasons come
    from the recording council through a s.3 request: POST /api/v1/information-requests with the
    entry's `register_entry_id`.
    """

    kind = fields.String(metadata={"enum": list(RECORD_KINDS)})
    view = fields.String(
        metadata={
            "enum": ["full", "minimal"],
            "description": "full: the council's own record; minimal: another's",
        }
    )
    given_names = fields.String()
    family_name = fields.String()
    previous_names = fields.List(fields.String())
    date_of_birth = fields.Date(allow_none=True)
    sex = fields.String(allow_none=True, metadata={"description": OWN_ONLY})
    address = fields.String(metadata={"description": OWN_ONLY})
    postcode = fields.String(allow_none=True, metadata={"description": OWN_ONLY})
    ni_number = fields.String(allow_none=True, metadata={"description": OWN_ONLY})
    driving_licence_number = fields.String(allow_none=True, metadata={"description": OWN_ONLY})
    agreement = fields.Nested(AgreementSchema, metadata={"description": "another council's record only"})
    ni_number_masked = fields.String(
        allow_none=True, metadata={"description": "another council's record only: the last three characters"}
    )
    driving_licence_number_masked = fields.String(
        allow_none=True, metadata={"description": "another council's record only: the last three characters"}
    )
    authority = fields.Nested(
        RecordCouncilSchema, metadata={"description": "The recording or issuing council"}
    )
    register_entry_id = fields.Integer(
        metadata={"description": "register_entry only: the entry to name in a s.3 information request"}
    )
    decision = fields.String(metadata={"description": "register_entry only"})
    decided_on = fields.Date(metadata={"description": "register_entry only"})
    effective_on = fields.Date(metadata={"description": "register_entry only"})
    recorded_by_this_council = fields.Boolean(
        metadata={"description": "register_entry only: the entry is the screening council's own decision"}
    )
    full_record = fields.String(
        metadata={
            "enum": ["information_request"],
            "description": "another council's register entry only: the full record and the reasons come "
            "through a s.3 information request",
        }
    )
    licence_status = fields.String(metadata={"description": "licence only"})
    expires_on = fields.Date(metadata={"description": "licence only"})
    received_on = fields.Date(metadata={"description": "application only"})
    force_name = fields.String(metadata={"description": "intelligence only"})
    category = fields.String(
        allow_none=True, metadata={"description": "intelligence, and register_entry where recorded"}
    )
    occurred_on = fields.Date(metadata={"description": "intelligence only"})
    force_reference = fields.String(metadata={"description": "intelligence only"})
    shareable_summary = fields.String(metadata={"description": "intelligence only"})


class CandidateSchema(Schema):
    """A record a screening found, with the officer's resolution.

    The evidence is what the screening council may see: of another council's record it says how the
    address, postcode and identifiers agree, never their values.
    """

    id = fields.Integer()
    candidate_kind = fields.String(metadata={"enum": list(RECORD_KINDS)})
    score = fields.Float()
    band = fields.String(metadata={"enum": list(BANDS)})
    evidence = fields.List(fields.String())
    resolution = fields.String(allow_none=True, metadata={"enum": list(RESOLUTIONS)})
    resolution_reason = fields.String(allow_none=True)
    resolved_by = fields.String(allow_none=True)
    resolved_at = UtcDateTime(allow_none=True)

    @pre_dump
    def flatten(self, shown, **kwargs):
        """Lay the candidate's columns beside the evidence its council may see."""
        candidate = shown["candidate"]
        names = (name for name in CandidateSchema._declared_fields if name != "evidence")
        return {name: getattr(candidate, name) for name in names} | {"evidence": shown["evidence"]}


class ShownCandidateSchema(CandidateSchema):
    """A candidate with the view of its record (null when it may no longer be shown)."""

    record = fields.Nested(CandidateRecordSchema, allow_none=True)

    @pre_dump
    def flatten(self, shown, **kwargs):
        """Lay the candidate's columns beside its evidence and its record's view."""
        return super().flatten(shown, **kwargs) | {"record": shown["record"]}


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
        detail = gate.screen_identity(db.session(), g.actor, data, purpose, utcnow())
        return detail, 201, {"Location": url_for("screenings.Screening", screening_id=detail.screening.id)}


@blp.route("/screenings/<int:screening_id>")
class Screening(MethodView):
    """One screening of the caller's authority."""

    @db.writes_on_get
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
        return gate.resolve_and_show(db.session(), g.actor, screening_id, candidate_id, **data, now=utcnow())


@blp.route("/applications/<int:application_id>/rescreen")
class Rescreen(MethodView):
    """Screening an application again."""

    @require_scope("council:write")
    @blp.response(201, ScreeningSchema)
    def post(self, application_id):
        """Run a fresh screening of a pending application (the gate needs a recent one)."""
        detail = gate.rescreen(db.session(), g.actor, application_id, utcnow())
        return detail, 201, {"Location": url_for("screenings.Screening", screening_id=detail.screening.id)}
