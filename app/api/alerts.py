"""Alerts of the caller's council: unread first, a page at a time; one alert; mark it read."""

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, post_dump

from app import db, links
from app.api.conventions import page_body, page_of, page_query
from app.api.fields import UtcDateTime
from app.auth import require_scope
from licensing.alerts import inbox, outbox
from licensing.clock import utcnow
from licensing.persistence import pages

blp = Blueprint("alerts", __name__, url_prefix=links.API_PREFIX, description="Alerts raised for the council")
LIST = "alerts"  # unread first, then newest: a page key is (read 0 or 1, id)


class AlertSchema(Schema):
    """One alert: its type, the record it is about and its thin payload; never personal data."""

    id = fields.Integer()
    alert_type = fields.String(metadata={"enum": list(outbox.ALERT_TYPES)})
    subject_kind = fields.String()
    subject_id = fields.Integer()
    payload = fields.Dict(metadata={"description": "Type, ids, non-personal detail; links.self: this alert"})
    created_at = UtcDateTime()
    read_at = UtcDateTime(allow_none=True)

    @post_dump
    def link(self, data, **kwargs):
        """Show the payload with its link to the alert, as the scheduler sends it."""
        data["payload"] = links.linked_payload(data["payload"], data["id"])
        return data


@blp.route("/alerts")
class Alerts(MethodView):
    """The caller's council's alerts."""

    @require_scope("council:read")
    @blp.arguments(page_query(LIST, (int, int)), location="query")
    @blp.response(200, page_of(AlertSchema))
    def get(self, args):
        """List alerts, unread first then newest first; pass `next_cursor` as `cursor` for the next page."""
        items, key = outbox.list_alerts(db.session(), g.actor, **args)
        return page_body(LIST, pages.Page(items, key))


@blp.route(links.ALERT_ROUTE)
class Alert(MethodView):
    """One alert of the caller's council; another council's is not found."""

    @require_scope("council:read")
    @blp.response(200, AlertSchema)
    def get(self, alert_id):
        """Show one alert."""
        return outbox.own_alert(db.session(), g.actor, alert_id)


@blp.route(links.ALERT_ROUTE + "/read")
class AlertRead(MethodView):
    """Marking an alert read (a repeat keeps the first time)."""

    @require_scope("council:write")
    @blp.response(200, AlertSchema)
    def post(self, alert_id):
        """Mark the alert read."""
        outbox.own_alert(db.session(), g.actor, alert_id)
        return inbox.mark_read(db.session(), g.actor, alert_id, utcnow())
