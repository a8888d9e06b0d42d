"""Administration: subject access exports (UK GDPR art. 15) and aggregate register statistics."""

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from app import db
from app.api.fields import IdentityFieldsSchema, IdentityInSchema, UtcDateTime
from app.auth import require_scope
from licensing import subject_access
from licensing.clock import utcnow
from licensing.persistence.models.screening import BANDS, PURPOSES, RECORD_KINDS
from licensing.reference import changes
from licensing.register import statistics

blp = Blueprint("admin", __name__, url_prefix="/api/v1", description="Subject access and statistics")


class SubjectSchema(IdentityInSchema):
    """The person asking: names and date of birth, an NI number or a driving licence number at least."""

    given_names = fields.String(load_default="", validate=validate.Length(max=200))
    family_name = fields.String(load_default="", validate=validate.Length(max=200))


class HolderSchema(Schema):
    """A council or police force."""

    code = fields.String()
    name = fields.String()


class HistorySchema(Schema):
    """One step in a licence's status history or a register entry's change history."""

    change = fields.String()
    on = fields.Date()
    at = UtcDateTime()
    by = fields.String()
    changed_fields = fields.Dict(metadata={"description": "register entries: the corrected fields"})


class HeldRecordSchema(IdentityFieldsSchema):
    """A record held about the subject, with the band it was found by; fields depend on `kind`."""

    kind = fields.String(metadata={"enum": list(RECORD_KINDS)})
    id = fields.Integer()
    band = fields.String(metadata={"enum": list(subject_access.FOUND_BANDS)})
    score = fields.Float()
    evidence = fields.List(fields.String())
    authority = fields.Nested(HolderSchema, allow_none=True, metadata={"description": "not intelligence"})
    police_force = fields.Nested(HolderSchema, allow_none=True, metadata={"description": "intelligence"})
    routed_to = fields.List(fields.Nested(HolderSchema), metadata={"description": "intelligence"})
    ref = fields.String()
    force_reference = fields.String()
    status = fields.String()
    application_kind = fields.String(metadata={"description": "application: new or renewal"})
    licence_type = fields.String()
    badge_number = fields.String()
    display_name = fields.String(allow_none=True)
    decision = fields.String()
    category = fields.String(allow_none=True)
    received_on = fields.Date()
    granted_on = fields.Date()
    expires_on = fields.Date()
    decided_on = fields.Date(allow_none=True)
    effective_on = fields.Date()
    occurred_on = fields.Date()
    history = fields.List(fields.Nested(HistorySchema))


class FoundCandidateSchema(Schema):
    """One of the subject's records as a screening found it."""

    kind = fields.String(metadata={"enum": list(RECORD_KINDS)})
    record_id = fields.Integer()
    band = fields.String(metadata={"enum": list(BANDS)})
    score = fields.Float()
    resolution = fields.String(allow_none=True)
    resolved_by = fields.String(allow_none=True)
    resolved_at = UtcDateTime(allow_none=True)


class HeldScreeningSchema(Schema):
    """A screening of the subject, or one that found their records: who, for which council, why, when."""

    id = fields.Integer()
    authority = fields.Nested(HolderSchema, allow_none=True)
    actor_kind = fields.String()
    actor_label = fields.String()
    purpose = fields.String(metadata={"enum": list(PURPOSES)})
    reason = fields.String()
    created_at = UtcDateTime()
    application_id = fields.Integer(allow_none=True)
    licence_id = fields.Integer(allow_none=True)
    candidates = fields.List(fields.Nested(FoundCandidateSchema))


class TrailEventSchema(Schema):
    """An audit event about one of the subject's records or screenings."""

    id = fields.Integer()
    occurred_at = UtcDateTime()
    actor_kind = fields.String()
    actor_label = fields.String()
    authority = fields.Nested(HolderSchema, allow_none=True)
    action = fields.String()
    record_kind = fields.String()
    record_id = fields.Integer(allow_none=True)
    reason = fields.String()


class SubjectAccessSchema(Schema):
    """Everything held about the subject."""

    exported_at = UtcDateTime()
    audit_event_id = fields.Integer()
    records = fields.List(fields.Nested(HeldRecordSchema))
    screenings = fields.List(fields.Nested(HeldScreeningSchema))
    audit_trail = fields.List(fields.Nested(TrailEventSchema))
    intelligence_note = fields.String()


class YearSchema(Schema):
    """The year of decision to count (every year when absent)."""

    year = fields.Integer(load_default=None, validate=validate.Range(2000, 2100))


class DecisionCountSchema(Schema):
    """How many decisions of one kind and category an authority made in a year; no personal data."""

    authority_code = fields.String()
    authority_name = fields.String()
    decision = fields.String()
    category = fields.String(allow_none=True)
    year = fields.Integer()
    count = fields.Integer()


@blp.route("/admin/subject-access")
class SubjectAccess(MethodView):
    """Subject access exports."""

    @require_scope("admin")
    @blp.arguments(SubjectSchema)
    @blp.response(200, SubjectAccessSchema)
    def post(self, data):
        """Export every record, screening and audit event held about one person (the export is audited)."""
        return subject_access.export_subject(db.session(), g.actor, data, utcnow())


@blp.route("/admin/statistics")
class AdminStatistics(MethodView):
    """Register statistics for administrators."""

    @require_scope("admin")
    @blp.arguments(YearSchema, location="query")
    @blp.response(200, DecisionCountSchema(many=True))
    def get(self, query):
        """Count register decisions per authority, decision, category and year of decision."""
        return statistics.decision_counts(db.session(), g.actor, query["year"])


@blp.route("/statistics")
class Statistics(MethodView):
    """Register statistics for councils."""

    @require_scope("council:read")
    @blp.arguments(YearSchema, location="query")
    @blp.response(200, DecisionCountSchema(many=True))
    def get(self, query):
        """Count register decisions per authority, decision, category and year of decision."""
        return statistics.decision_counts(db.session(), g.actor, query["year"])


class AuthorityChangeInSchema(Schema):
    """A reorganisation of licensing authorities to record (or, with dry_run, only to describe)."""

    kind = fields.String(required=True, validate=validate.OneOf(("merge", "split", "recode")))
    predecessors = fields.List(fields.String(), required=True, metadata={"description": "GSS codes"})
    successors = fields.List(fields.String(), required=True, metadata={"description": "GSS codes"})
    lead = fields.String(metadata={"description": "A split's lead successor: answers for what is not placed"})
    effective_on = fields.Date(required=True)
    officers = fields.String(validate=validate.OneOf(("move", "disable")))
    api_keys = fields.String(validate=validate.OneOf(("move", "disable")))
    subscriptions = fields.String(validate=validate.OneOf(("move", "disable")))
    source = fields.String(validate=validate.Length(max=300))
    districts = fields.Dict(
        keys=fields.String(), values=fields.String(), metadata={"description": "district: code"}
    )
    licences = fields.Dict(
        keys=fields.String(), values=fields.String(), metadata={"description": "badge: code"}
    )
    dry_run = fields.Boolean(load_default=False)


class AuthorityChangeSchema(Schema):
    """One recorded change: a predecessor answered for by a successor from a date."""

    id = fields.Integer()
    kind = fields.String()
    effective_on = fields.Date()
    predecessor = fields.String()
    successor = fields.String()
    lead = fields.Boolean()
    officers = fields.String()
    api_keys = fields.String()
    subscriptions = fields.String()
    source = fields.String()


class ReorganisationSchema(Schema):
    """What a reorganisation does (the same lines for a dry run and a real run), and its rejects."""

    dry_run = fields.Boolean()
    lines = fields.List(fields.String())
    rejects = fields.List(fields.Dict())
    recorded = fields.List(fields.Integer(), metadata={"description": "The ids of the change rows recorded"})


@blp.route("/admin/authority-changes")
class AuthorityChanges(MethodView):
    """Reorganisations of licensing authorities (merges, splits and recodes), each from a date."""

    @require_scope("admin")
    @blp.response(200, AuthorityChangeSchema(many=True))
    def get(self):
        """List every recorded change of a licensing authority, by effective date."""
        return changes.list_changes(db.session())

    @require_scope("admin")
    @blp.arguments(AuthorityChangeInSchema)
    @blp.response(200, ReorganisationSchema)
    def post(self, data):
        """Record a merge, split or recode from its effective date (audited), or describe it with dry_run."""
        dry_run = data.pop("dry_run", False)
        plan, rows = changes.reorganise(db.session(), g.actor, data, utcnow(), dry_run=dry_run)
        return {
            "dry_run": dry_run,
            "lines": plan.lines(),
            "rejects": plan.rejects,
            "recorded": [r.id for r in rows],
        }
