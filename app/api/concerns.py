"""s.5/s.6 concern reports: to the council that licenses a driver, and its decision back."""

from flask import current_app, g, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app import db
from app.api.conventions import page_body, page_of, page_query, versioned
from app.api.fields import UkDate, UtcDateTime
from app.api.requests import ID_RANGE, ExchangeCouncilSchema
from app.auth import require_scope
from app.config import working_calendar
from licensing.clock import utcnow
from licensing.persistence.models.workflows import REPORT_DECISIONS, REPORT_STATUSES
from licensing.workflows import concern_reports as concerns

blp = Blueprint("concern_reports", __name__, url_prefix="/api/v1", description="s.5/s.6 concern reports")


class ReportInSchema(Schema):
    """A concern about a driver another council licenses: name the licence by id, or by badge."""

    licence_id = fields.Integer(
        load_default=None,
        allow_none=True,
        strict=True,
        validate=ID_RANGE,
        metadata={"description": "A licence your screening found"},
    )
    authority_code = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(min=1, max=9),
        metadata={"description": "The issuing council's GSS code, with badge_number"},
    )  # fmt: skip
    badge_number = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=32))
    concern_on = UkDate(
        required=True,
        metadata={"description": "When your council learned of it; the 10 working days run from it"},
    )
    summary = fields.String(required=True, validate=validate.Length(min=1, max=4000))

    @validates_schema
    def names_one_licence(self, data, **kwargs):
        """Require either licence_id or both authority_code and badge_number."""
        by_badge = data.get("authority_code") and data.get("badge_number")
        if (data.get("licence_id") is None) == (not by_badge):
            raise ValidationError("Give licence_id, or authority_code and badge_number.", "licence_id")


class DecisionInSchema(Schema):
    """The issuing council's s.6 decision."""

    decision = fields.String(required=True, validate=validate.OneOf(REPORT_DECISIONS))
    notes = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=4000))


class ReportQuerySchema(page_query("concern_reports")):
    """Which reports to list."""

    direction = fields.String(
        load_default="incoming",
        validate=validate.OneOf(concerns.DIRECTIONS),
        metadata={"description": "incoming: about your drivers; outgoing: sent by you"},
    )
    status = fields.String(validate=validate.OneOf(REPORT_STATUSES))


class ReportSchema(Schema):
    """A concern report and, once made, the decision; only the two councils concerned see it."""

    id = fields.Integer()
    licence_id = fields.Integer()
    badge_number = fields.String()
    reporting_authority = fields.Nested(ExchangeCouncilSchema)
    issuing_authority = fields.Nested(ExchangeCouncilSchema)
    concern_on = fields.Date()
    due_on = fields.Date(metadata={"description": "10 working days after concern_on (s.5)"})
    reported_at = UtcDateTime()
    sent_in_time = fields.Boolean()
    summary = fields.String()
    status = fields.String(metadata={"enum": list(REPORT_STATUSES)})
    decision = fields.String(allow_none=True, metadata={"enum": list(REPORT_DECISIONS)})
    decision_notes = fields.String(allow_none=True)
    decided_at = UtcDateTime(allow_none=True)


@blp.route("/concern-reports")
class Reports(MethodView):
    """Reports the caller's authority sent or received."""

    @require_scope("council:read")
    @blp.arguments(ReportQuerySchema, location="query")
    @blp.response(200, page_of(ReportSchema))
    def get(self, args):
        """List incoming or outgoing reports oldest first, a page at a time."""
        page = concerns.list_reports(db.session(), g.actor, **args)
        return page_body("concern_reports", page, [concerns.describe(db.session(), r) for r in page.items])

    @require_scope("council:write")
    @blp.arguments(ReportInSchema)
    @blp.response(201, ReportSchema)
    def post(self, data):
        """Report a driver another council licenses; 409 for your own licence or one no longer current."""
        calendar = working_calendar(current_app.config)
        report = concerns.report_concern(db.session(), g.actor, data, utcnow(), calendar)
        location = url_for("concern_reports.Report", report_id=report.id)
        return concerns.describe(db.session(), report), 201, {"Location": location}


@blp.route("/concern-reports/<int:report_id>")
class Report(MethodView):
    """One report, seen by the council that sent it or the one that licenses the driver."""

    @require_scope("council:read")
    @versioned(concerns.visible_report, "report_id")
    @blp.response(200, ReportSchema)
    def get(self, report_id):
        """Show a report and its decision."""
        return concerns.describe(db.session(), concerns.visible_report(db.session(), g.actor, report_id))


@blp.route("/concern-reports/<int:report_id>/decide")
class Decision(MethodView):
    """The issuing council's decision, sent back to the reporter (s.6)."""

    @require_scope("council:write")
    @blp.arguments(DecisionInSchema)
    @versioned(concerns.visible_report, "report_id")
    @blp.response(200, ReportSchema)
    def post(self, data, report_id):
        """Record the decision once; 409 when already decided."""
        report = concerns.decide(db.session(), g.actor, report_id, data["decision"], data["notes"], utcnow())
        return concerns.describe(db.session(), report)
