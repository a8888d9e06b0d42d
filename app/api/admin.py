"""Administration: subject access exports (UK GDPR art. 15) and aggregate register statistics."""

import io

from flask import Response, current_app, g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from app import db
from app.api.fields import IdentityFieldsSchema, IdentityInSchema, UtcDateTime
from app.auth import require_scope
from licensing import subject_access
from licensing.clock import utcnow
from licensing.csvfiles import csv_writer
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
    recorded_at = UtcDateTime(metadata={"description": "when the record was first made here"})
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


class RulingSchema(Schema):
    """An officer's ruling that another person and the subject's record are not the same person."""

    ruling = fields.String()
    reason = fields.String()
    decided_by = fields.String()
    decided_at = UtcDateTime()
    authority = fields.Nested(HolderSchema, allow_none=True)


class CandidateAppearanceSchema(Schema):
    """One of the subject's records among another person's screening's candidates; never that person."""

    screening_id = fields.Integer()
    candidate_id = fields.Integer()
    authority = fields.Nested(HolderSchema, allow_none=True)
    purpose = fields.String(metadata={"enum": list(PURPOSES)})
    reason = fields.String()
    application_id = fields.Integer(allow_none=True)
    licence_id = fields.Integer(allow_none=True)
    screened_by = fields.String()
    screened_at = UtcDateTime()
    record_kind = fields.String(metadata={"enum": list(RECORD_KINDS)})
    record_id = fields.Integer()
    band = fields.String(metadata={"enum": list(BANDS)})
    score = fields.Float()
    resolution = fields.String(allow_none=True)
    resolution_reason = fields.String(allow_none=True)
    resolved_by = fields.String(allow_none=True)
    resolved_at = UtcDateTime(allow_none=True)
    rulings = fields.List(fields.Nested(RulingSchema))


class HeldAttachmentSchema(Schema):
    """An attachment's metadata, as the responding council described it."""

    filename = fields.String()
    media_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()


class HeldRequestSchema(Schema):
    """A s.3 request about one of the subject's register entries, and its response."""

    id = fields.Integer()
    register_entry_id = fields.Integer()
    requesting_authority = fields.Nested(HolderSchema, allow_none=True)
    recording_authority = fields.Nested(HolderSchema, allow_none=True)
    application_id = fields.Integer(allow_none=True)
    status = fields.String()
    request_text = fields.String()
    requested_by = fields.String(allow_none=True)
    requested_at = UtcDateTime()
    due_on = fields.Date()
    response_text = fields.String(allow_none=True)
    attachments = fields.List(fields.Nested(HeldAttachmentSchema))
    answered_by = fields.String(allow_none=True)
    responded_at = UtcDateTime(allow_none=True)


class HeldReportSchema(Schema):
    """A s.5 report about one of the subject's licences, and the s.6 decision on it."""

    id = fields.Integer()
    licence_id = fields.Integer()
    reporting_authority = fields.Nested(HolderSchema, allow_none=True)
    issuing_authority = fields.Nested(HolderSchema, allow_none=True)
    status = fields.String()
    concern_on = fields.Date()
    summary = fields.String()
    reported_by = fields.String(allow_none=True)
    reported_at = UtcDateTime()
    due_on = fields.Date()
    decision = fields.String(allow_none=True)
    decision_notes = fields.String(allow_none=True)
    decided_by = fields.String(allow_none=True)
    decided_at = UtcDateTime(allow_none=True)


class MatchedRecordSchema(Schema):
    """One of the council's own records that an intelligence item matched."""

    kind = fields.String(metadata={"enum": list(RECORD_KINDS)})
    id = fields.Integer()


class RoutedIntelligenceSchema(Schema):
    """What one council was shown of an intelligence item about the subject; never the restricted content."""

    intelligence_id = fields.Integer()
    authority = fields.Nested(HolderSchema, allow_none=True)
    category = fields.String()
    occurred_on = fields.Date()
    force_name = fields.String()
    force_reference = fields.String()
    shareable_summary = fields.String()
    status = fields.String()
    routed_at = UtcDateTime()
    matches = fields.List(fields.Nested(MatchedRecordSchema))


class HeldAlertSchema(Schema):
    """An alert raised to a council about one of the subject's records or the exchanges about them."""

    id = fields.Integer()
    authority = fields.Nested(HolderSchema, allow_none=True)
    alert_type = fields.String()
    subject_kind = fields.String()
    subject_id = fields.Integer()
    created_at = UtcDateTime()
    read_at = UtcDateTime(allow_none=True)


class SubjectAccessSchema(Schema):
    """Everything held about the subject, section by section (docs/subject-access.md)."""

    exported_at = UtcDateTime()
    audit_event_id = fields.Integer()
    records = fields.List(fields.Nested(HeldRecordSchema))
    screenings = fields.List(fields.Nested(HeldScreeningSchema))
    candidate_appearances = fields.List(fields.Nested(CandidateAppearanceSchema))
    information_requests = fields.List(fields.Nested(HeldRequestSchema))
    concern_reports = fields.List(fields.Nested(HeldReportSchema))
    routed_intelligence = fields.List(fields.Nested(RoutedIntelligenceSchema))
    alerts = fields.List(fields.Nested(HeldAlertSchema))
    audit_trail = fields.List(fields.Nested(TrailEventSchema))
    intelligence_note = fields.String()
    empty_sections = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        metadata={"description": "each section with nothing in it, and what it says"},
    )


class StatisticsQuerySchema(Schema):
    """What to count and how to lay the tables out (docs/statistics.md)."""

    year = fields.Integer(
        load_default=None,
        validate=validate.Range(statistics.FIRST_YEAR, statistics.LAST_YEAR),
        metadata={
            "description": "The calendar year of decision to count (every year, a table each, when absent)"
        },
    )
    rows = fields.String(load_default="authority", validate=validate.OneOf(statistics.DIMENSIONS))
    columns = fields.String(load_default="decision", validate=validate.OneOf(statistics.DIMENSIONS))
    include_overturned = fields.Boolean(
        load_default=False,
        metadata={"description": "Count entries overturned since (left out by default; admin scope only)"},
    )
    authority = fields.String(
        load_default="as_recorded",
        validate=validate.OneOf(statistics.GROUPINGS),
        metadata={"description": "as_recorded: the council that made the decision; successor: reserved"},
    )


class CellSchema(Schema):
    """One count; null and suppressed where it is withheld."""

    column = fields.String(metadata={"description": "the column's key, or 'total'"})
    count = fields.Integer(allow_none=True)
    suppressed = fields.Boolean()


class LineSchema(Schema):
    """One row of a table with its total."""

    key = fields.String()
    label = fields.String()
    cells = fields.List(fields.Nested(CellSchema))
    total = fields.Nested(CellSchema)


class ColumnSchema(Schema):
    """A column of a table."""

    key = fields.String()
    label = fields.String()


class TableSchema(Schema):
    """One year's counts, with the totals of each row and column."""

    year = fields.Integer()
    columns = fields.List(fields.Nested(ColumnSchema))
    rows = fields.List(fields.Nested(LineSchema))
    totals = fields.Nested(LineSchema, metadata={"description": "the column totals and the grand total"})


class PublicationSchema(Schema):
    """Register decisions counted, no count under the threshold shown; no personal data."""

    rows = fields.String(metadata={"enum": list(statistics.DIMENSIONS)})
    columns = fields.String(metadata={"enum": list(statistics.DIMENSIONS)})
    authority = fields.String(metadata={"enum": list(statistics.GROUPINGS)})
    overturned = fields.String(metadata={"enum": ["excluded", "included"]})
    threshold = fields.Integer(metadata={"description": "no count from 1 to threshold - 1 is shown"})
    tables = fields.List(fields.Nested(TableSchema))


@blp.route("/admin/subject-access")
class SubjectAccess(MethodView):
    """Subject access exports."""

    @require_scope("admin")
    @blp.arguments(SubjectSchema)
    @blp.response(200, SubjectAccessSchema)
    def post(self, data):
        """Export everything held about one person, section by section (the export is audited)."""
        return subject_access.export_subject(db.session(), g.actor, data, utcnow())


@blp.route("/admin/statistics")
class AdminStatistics(MethodView):
    """Register statistics for administrators."""

    @require_scope("admin")
    @blp.arguments(StatisticsQuerySchema, location="query")
    @blp.response(200, PublicationSchema)
    def get(self, query):
        """Count register decisions by year in tables fit to publish, small counts suppressed."""
        return _publication_json(_publish(query))


@blp.route("/admin/statistics.csv")
class AdminStatisticsCsv(MethodView):
    """Register statistics for administrators, as CSV."""

    @require_scope("admin")
    @blp.arguments(StatisticsQuerySchema, location="query")
    @blp.response(200, content_type="text/csv", description="The tables as CSV; [c] marks a suppressed count")
    def get(self, query):
        """Download the published register statistics as CSV."""
        return _publication_csv(_publish(query))


@blp.route("/statistics")
class Statistics(MethodView):
    """Register statistics for councils."""

    @require_scope("council:read")
    @blp.arguments(StatisticsQuerySchema, location="query")
    @blp.response(200, PublicationSchema)
    def get(self, query):
        """Count register decisions by year in tables fit to publish, small counts suppressed."""
        return _publication_json(_publish(query))


@blp.route("/statistics.csv")
class StatisticsCsv(MethodView):
    """Register statistics for councils, as CSV."""

    @require_scope("council:read")
    @blp.arguments(StatisticsQuerySchema, location="query")
    @blp.response(200, content_type="text/csv", description="The tables as CSV; [c] marks a suppressed count")
    def get(self, query):
        """Download the published register statistics as CSV."""
        return _publication_csv(_publish(query))


def _publish(query: dict) -> statistics.Publication:
    """Count the register's decisions as the query asks, at the configured threshold."""
    threshold = int(current_app.config["STATISTICS_MIN_COUNT"])
    return statistics.publish(db.session(), g.actor, **query, threshold=threshold, on=utcnow().date())


def _publication_json(publication: statistics.Publication) -> dict:
    """Return the publication as PublicationSchema lays it out."""

    def cell(column: str, value: statistics.Cell) -> dict:
        return {"column": column, "count": value.count, "suppressed": value.suppressed}

    def line(table: statistics.Table, row: statistics.Line) -> dict:
        cells = [cell(column, value) for column, value in zip(table.columns, row.cells, strict=True)]
        return {"key": row.key, "label": row.label, "cells": cells, "total": cell("total", row.total)}

    tables = [
        {
            "year": table.year,
            "columns": [
                {"key": k, "label": v} for k, v in zip(table.columns, table.column_labels, strict=True)
            ],
            "rows": [line(table, row) for row in table.lines],
            "totals": line(table, table.totals),
        }
        for table in publication.tables
    ]
    fields_ = ("rows", "columns", "authority", "overturned", "threshold")
    return {name: getattr(publication, name) for name in fields_} | {"tables": tables}


def _publication_csv(publication: statistics.Publication) -> Response:
    """Return the publication as CSV, a line per cell and total (year, row, column); [c] for one hidden."""
    stream = io.StringIO()
    writer = csv_writer(stream)
    writer.writerow(["year", publication.rows, f"{publication.rows}_name", publication.columns,
                     f"{publication.columns}_name", "count"])  # fmt: skip
    for table in publication.tables:
        columns = [*zip(table.columns, table.column_labels, strict=True), ("total", "Total")]
        for row in (*table.lines, table.totals):
            for (column, label), cell in zip(columns, (*row.cells, row.total), strict=True):
                count = statistics.SUPPRESSED if cell.suppressed else cell.count
                writer.writerow([table.year, row.key, row.label, column, label, count])
    headers = {"Content-Disposition": 'attachment; filename="register-statistics.csv"'}
    return Response(stream.getvalue(), mimetype="text/csv", headers=headers)


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
