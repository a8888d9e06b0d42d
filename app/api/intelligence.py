"""Police intelligence: forces push and withdraw their own items; councils read what was routed to them.

A batch takes at most 1,000 items. A longer one is refused whole with 422 (a validation error on `items`,
like any other out-of-range field) rather than 413, which the app keeps for bodies over its byte limit.
Each item of a batch is stored whole or not at all and reported on its own: created, updated, unchanged
or error with `errors`.
"""

from types import SimpleNamespace

from flask import g, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, pre_dump, validate
from werkzeug.routing import BaseConverter

from app import db, errors
from app.api.conventions import page_body, page_of, page_query, versioned
from app.api.fields import IdentityInSchema, IdentityOutSchema, UkDate, UtcDateTime
from app.auth import require_scope
from licensing.clock import utcnow
from licensing.intelligence import council_views, routing
from licensing.persistence import pages
from licensing.persistence.models.intelligence import CATEGORIES, STATUSES

blp = Blueprint(
    "intelligence", __name__, url_prefix="/api/v1", description="Police safeguarding intelligence"
)
RESULTS = ("created", "updated", "unchanged", "error")
BATCH = "batch"  # /intelligence/batch is the batch endpoint, so no single item can be addressed by it
NOT_BATCH = validate.NoneOf([BATCH], error="'batch' names the batch endpoint; use another.")
REFERENCE = validate.Length(min=1, max=64)


class ForceReference(BaseConverter):
    """A force's reference as a path segment of at most 64 characters: anything but `batch`.

    Without the exception, a GET or OPTIONS of /intelligence/batch (which only takes POST) would fall
    through to the item route, as if `batch` were a reference.
    """

    regex = rf"(?!{BATCH}$)[^/]{{1,64}}"  # longer than the column: no such item, before any If-Match


def force_reference_parameter(converter: ForceReference) -> dict:
    """Document the path parameter as the converter reads it."""
    return {"type": "string", "minLength": 1, "maxLength": 64, "not": {"enum": [BATCH]}}


class IntelligenceInSchema(IdentityInSchema):
    """One item of intelligence about a subject, as the force holds it."""

    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES))
    occurred_on = UkDate(required=True)
    summary = fields.String(
        load_default="",
        validate=validate.Length(max=4000),
        metadata={"description": "Restricted: never shown to any council"},
    )
    shareable_summary = fields.String(
        load_default="",
        validate=validate.Length(max=2000),
        metadata={"description": "What the councils it is routed to may read"},
    )


class BatchItemSchema(IntelligenceInSchema):
    """One item of a batch: the force's reference and the item."""

    force_reference = fields.String(
        required=True,
        validate=[REFERENCE, NOT_BATCH],
    )


class BatchInSchema(Schema):
    """Up to 1,000 items, each checked and stored on its own."""

    items = fields.List(
        # Any value: each is read as a BatchItem, and one that is not an object is that item's error.
        fields.Raw(allow_none=True),
        required=True,
        validate=validate.Length(
            min=1, max=routing.MAX_BATCH, error="A batch holds between 1 and 1,000 items; split it."
        ),
        metadata={"description": "Items shaped as BatchItem; a bad item is reported, never half stored"},
    )


class WithdrawSchema(Schema):
    """Why the force withdraws an item (for example: no further action)."""

    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class RoutedToSchema(Schema):
    """A council the item was routed to."""

    code = fields.String()
    name = fields.String()
    routed_at = UtcDateTime()


class ForceIntelligenceSchema(IdentityOutSchema):
    """The force's own item in full, and the councils (by name) it was routed to."""

    force_reference = fields.String()
    category = fields.String(metadata={"enum": list(CATEGORIES)})
    occurred_on = fields.Date()
    summary = fields.String()
    shareable_summary = fields.String()
    status = fields.String(metadata={"enum": list(STATUSES)})
    withdrawn_reason = fields.String(allow_none=True)
    created_at = UtcDateTime()
    updated_at = UtcDateTime()
    routed_to = fields.List(fields.Nested(RoutedToSchema))

    @pre_dump
    def flatten(self, view, **kwargs):
        """Dump the item's own fields beside its routes."""
        item = view.intelligence
        values = {name: getattr(item, name) for name in type(item).model_fields}
        return SimpleNamespace(**values, routed_to=view.routed_to)


class PushSchema(ForceIntelligenceSchema):
    """The item after a push, with what the push did."""

    result = fields.String(metadata={"enum": ["created", "updated", "unchanged"]})
    changed = fields.List(fields.String(), metadata={"description": "Names of the fields an update changed"})

    @pre_dump
    def flatten(self, pushed, **kwargs):
        """Dump the item, its routes and the outcome."""
        flat = super().flatten(pushed)
        flat.result, flat.changed = pushed.status, pushed.changed
        return flat


class BatchResultSchema(Schema):
    """The outcome of one batch item."""

    force_reference = fields.String(allow_none=True)
    status = fields.String(metadata={"enum": list(RESULTS)})
    errors = fields.List(fields.Dict())


class BatchOutSchema(Schema):
    """One result per item, in the order sent."""

    results = fields.List(fields.Nested(BatchResultSchema))


class MatchSchema(Schema):
    """One of the council's own records the subject matched."""

    kind = fields.String(metadata={"enum": list(routing.ROUTED_KINDS)})
    id = fields.Integer()


class CouncilIntelligenceSchema(Schema):
    """What a council may read of an item routed to it; never the restricted summary."""

    id = fields.Integer()
    category = fields.String(metadata={"enum": list(CATEGORIES)})
    occurred_on = fields.Date()
    force_name = fields.String()
    force_reference = fields.String()
    shareable_summary = fields.String()
    status = fields.String(metadata={"enum": list(STATUSES)})
    routed_at = UtcDateTime()
    matches = fields.List(fields.Nested(MatchSchema))


def own_item(session, actor, force_reference: str):
    """Return the calling force's own item; any other reference is NotFound."""
    return routing.force_view(session, actor, force_reference).intelligence


@blp.route("/intelligence/<force_reference:force_reference>")
class ForceItem(MethodView):
    """One item of the calling force, by the force's own reference."""

    @require_scope("police:intelligence")
    @blp.arguments(IntelligenceInSchema)
    @versioned(own_item, "force_reference", creates=True)
    @blp.response(200, PushSchema)
    @blp.alt_response(201, schema=PushSchema, description="Created")
    def put(self, data, force_reference):
        """Create or update the item; the same body again changes nothing (200, result unchanged)."""
        pushed = routing.push_intelligence(db.session(), g.actor, force_reference, data, utcnow())
        if pushed.status != "created":
            return pushed
        location = url_for("intelligence.ForceItem", force_reference=force_reference)
        return pushed, 201, {"Location": location}

    @require_scope("police:intelligence")
    @versioned(own_item, "force_reference")
    @blp.response(200, ForceIntelligenceSchema)
    def get(self, force_reference):
        """Show the item and the councils it was routed to."""
        return routing.force_view(db.session(), g.actor, force_reference)


@blp.route("/intelligence/<force_reference:force_reference>/withdraw")
class Withdraw(MethodView):
    """Withdrawing an item."""

    @require_scope("police:intelligence")
    @blp.arguments(WithdrawSchema)
    @versioned(own_item, "force_reference")
    @blp.response(200, ForceIntelligenceSchema)
    def post(self, data, force_reference):
        """Withdraw the item and tell the councils it was routed to; repeating it changes nothing."""
        return routing.withdraw_intelligence(db.session(), g.actor, force_reference, data["reason"], utcnow())


@blp.route("/intelligence/batch")
class Batch(MethodView):
    """Many items at once."""

    @require_scope("police:intelligence")
    @blp.arguments(BatchInSchema)
    @blp.response(200, BatchOutSchema)
    def post(self, data):
        """Push up to 1,000 items, each processed like a PUT and reported on its own; more is a 422."""
        items = [_batch_item(raw) for raw in data["items"]]
        return {"results": routing.push_batch(db.session(), g.actor, items, utcnow())}


@blp.route("/intelligence")
class Routed(MethodView):
    """Intelligence routed to the caller's authority."""

    @db.writes_on_get
    @require_scope("council:read")
    @blp.arguments(page_query("routed_intelligence"), location="query")
    @blp.response(200, page_of(CouncilIntelligenceSchema))
    def get(self, args):
        """List intelligence routed to the caller's authority newest first; each view is audited."""
        before = args["after"] and args["after"][0]
        items, cursor = council_views.routed_to_council(
            db.session(), g.actor, utcnow(), before=before, limit=args["limit"]
        )
        return page_body("routed_intelligence", pages.Page(items, cursor and (cursor,)))


@blp.route("/routed-intelligence/<int:intelligence_id>")
class RoutedItem(MethodView):
    """One item routed to the caller's authority."""

    @db.writes_on_get
    @require_scope("council:read")
    @blp.response(200, CouncilIntelligenceSchema)
    def get(self, intelligence_id):
        """Show one item routed to the caller's authority; the view is audited."""
        return council_views.routed_item(db.session(), g.actor, intelligence_id, utcnow())


def _batch_item(raw: dict) -> routing.BatchItem:
    """Load one raw batch item, keeping its validation errors instead of failing the batch."""
    if not isinstance(raw, dict):
        return routing.BatchItem(None, errors=[{"field": "", "message": "Each item must be an object."}])
    reference = raw.get("force_reference")
    reference = reference if isinstance(reference, str) else None
    try:
        data = BatchItemSchema().load(raw)
    except ValidationError as error:
        return routing.BatchItem(reference, errors=errors.validation_errors({"json": error.messages}))
    return routing.BatchItem(data.pop("force_reference"), data)
