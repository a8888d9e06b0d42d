"""Alerts of the caller's council: unread first, a page at a time; one alert; mark it read."""

import base64
import binascii
import json

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, post_dump, post_load, validate

from app import db, links
from app.api.fields import UtcDateTime
from app.auth import require_scope
from licensing.alerts import inbox, outbox
from licensing.clock import utcnow
from licensing.persistence.db import MAX_ID

blp = Blueprint("alerts", __name__, url_prefix=links.API_PREFIX, description="Alerts raised for the council")
LIST_LIMIT = 200


class AlertQuerySchema(Schema):
    """A page of alerts: the cursor of the previous page's `next_cursor`, if any."""

    cursor = fields.String(load_default=None, metadata={"description": "Opaque; from next_cursor"})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=LIST_LIMIT))

    @post_load
    def decode(self, data, **kwargs):
        """Turn the cursor into the key of the last alert seen."""
        cursor = data.pop("cursor", None)
        data["after"] = _decode(cursor) if cursor else None
        return data


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


class AlertPageSchema(Schema):
    """A page of alerts and the cursor of the next page (null on the last)."""

    items = fields.List(fields.Nested(AlertSchema))
    next_cursor = fields.String(allow_none=True)


@blp.route("/alerts")
class Alerts(MethodView):
    """The caller's council's alerts."""

    @require_scope("council:read")
    @blp.arguments(AlertQuerySchema, location="query")
    @blp.response(200, AlertPageSchema)
    def get(self, args):
        """List alerts, unread first then newest first; pass `next_cursor` as `cursor` for the next page."""
        items, key = outbox.list_alerts(db.session(), g.actor, **args)
        return {"items": items, "next_cursor": _encode(key)}


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


def _encode(key: tuple[int, int] | None) -> str | None:
    """Return the opaque cursor of a page key."""
    if key is None:
        return None
    return base64.urlsafe_b64encode(json.dumps(["alerts", *key]).encode()).decode().rstrip("=")


def _decode(cursor: str) -> tuple[int, int]:
    """Return the page key a cursor holds, or refuse it with 422."""
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raw = None
    valid = isinstance(raw, list) and len(raw) == 3 and raw[0] == "alerts"
    if not valid or raw[1] not in (0, 1) or type(raw[2]) is not int or not 0 < raw[2] <= MAX_ID:
        raise ValidationError("Not a cursor this list gave out.", "cursor")
    return raw[1], raw[2]
