"""The s.2 register: a council records, amends and reads its own entries (never any reasons)."""

from types import SimpleNamespace

from flask import g, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, pre_dump, validate

from app import db
from app.api.conventions import page_body, page_of, page_query, versioned
from app.api.fields import IdentityInSchema, IdentityOutSchema, UkDate, UtcDateTime
from app.auth import require_scope
from licensing.clock import utcnow
from licensing.persistence import pages
from licensing.persistence.models.records import (
    DECISION_CATEGORIES,
    DECISIONS,
    ENTRY_CHANGES,
    ENTRY_STATUSES,
    STORED_CATEGORIES,
)
from licensing.register import entries as register

blp = Blueprint("register", __name__, url_prefix="/api/v1", description="The s.2 register of decisions")


class EntryInSchema(IdentityInSchema):
    """A refusal, suspension or revocation to record. There is no field for reasons, by law."""

    ref = fields.String(
        required=True,
        validate=validate.Length(min=1, max=64),
        metadata={"description": "The council's own reference, unique within the council"},
    )
    decision = fields.String(required=True, validate=validate.OneOf(DECISIONS))
    category = fields.String(
        required=True,
        validate=validate.OneOf(DECISION_CATEGORIES),
        metadata={"description": "For statistics only"},
    )
    decided_on = UkDate(required=True)
    effective_on = UkDate(required=True)


class AmendSchema(Schema):
    """A later change to an entry: an appeal's outcome, a correction or removal."""

    change = fields.String(required=True, validate=validate.OneOf(register.AMENDMENTS))
    changed_on = UkDate(metadata={"description": "When the change took effect; today if left out"})
    reason = fields.String(
        validate=validate.OneOf(register.CHANGE_REASONS),
        metadata={"description": "appeal for overturned/reinstated and correction for amended, if left out"},
    )
    decided_on = UkDate(metadata={"description": "Only with change 'amended'"})
    effective_on = UkDate(metadata={"description": "Only with change 'amended'"})
    category = fields.String(
        validate=validate.OneOf(DECISION_CATEGORIES), metadata={"description": "Only with change 'amended'"}
    )


class EntryQuerySchema(page_query("register_entries")):
    """Filters and a cursor for the list of entries."""

    status = fields.String(validate=validate.OneOf(ENTRY_STATUSES))


class ChangeSchema(Schema):
    """One step in an entry's history (s.2(4): the date of any later change)."""

    change = fields.String(metadata={"enum": list(ENTRY_CHANGES)})
    changed_on = fields.Date()
    changed_at = UtcDateTime()
    actor_label = fields.String()
    facts = fields.Dict(
        data_key="fields",
        attribute="fields",
        metadata={"description": "The reason, and each corrected field as [before, after]"},
    )


class EntrySchema(IdentityOutSchema):
    """A register entry of the caller's own authority."""

    id = fields.Integer()
    ref = fields.String()
    decision = fields.String(metadata={"enum": list(DECISIONS)})
    category = fields.String(allow_none=True, metadata={"enum": list(STORED_CATEGORIES)})
    nr3s_ref = fields.String(
        allow_none=True, metadata={"description": "The entry's NR3S reference, if it came from NR3S"}
    )
    decided_on = fields.Date()
    effective_on = fields.Date()
    status = fields.String(metadata={"enum": list(ENTRY_STATUSES)})
    first_recorded_at = UtcDateTime()
    updated_at = UtcDateTime()


class EntryDetailSchema(EntrySchema):
    """A register entry with its change history, oldest first."""

    history = fields.List(fields.Nested(ChangeSchema))

    @pre_dump
    def unpack(self, detail, **kwargs):
        """Lay the entry's own fields beside its history."""
        return SimpleNamespace(**detail.entry.model_dump(), history=detail.history)


@blp.route("/register-entries")
class Entries(MethodView):
    """The caller's authority's register entries."""

    @require_scope("council:read")
    @blp.arguments(EntryQuerySchema, location="query")
    @blp.response(200, page_of(EntrySchema))
    def get(self, args):
        """List entries in id order, a page at a time."""
        after, limit = (args.pop("after") or (0,))[0], args.pop("limit")
        rows = register.list_entries(db.session(), g.actor, **args, after=after, limit=limit + 1)
        return page_body("register_entries", pages.take(rows, limit, lambda entry: (entry.id,)))

    @require_scope("council:write")
    @blp.arguments(EntryInSchema)
    @blp.response(201, EntrySchema)
    def post(self, data):
        """Record a refusal, suspension or revocation; 409 when the ref is taken."""
        entry = register.record_entry(db.session(), g.actor, data, utcnow())
        return entry, 201, {"Location": url_for("register.Entry", entry_id=entry.id)}


@blp.route("/register-entries/<int:entry_id>")
class Entry(MethodView):
    """One register entry of the caller's authority; other councils see entries only in screenings."""

    @require_scope("council:read")
    @versioned(register.own_entry, "entry_id")
    @blp.response(200, EntryDetailSchema)
    def get(self, entry_id):
        """Show an entry with its change history."""
        return register.entry_detail(db.session(), g.actor, entry_id)


@blp.route("/register-entries/<int:entry_id>/amend")
class Amendment(MethodView):
    """A later change to an entry; every council that asked about it (s.3) is notified."""

    @require_scope("council:decide")  # a manager's decision, as on the officer pages
    @blp.arguments(AmendSchema)
    @versioned(register.own_entry, "entry_id")
    @blp.response(200, EntrySchema)
    def post(self, data, entry_id):
        """Overturn, reinstate, correct or remove an entry; 409 when its status does not allow it."""
        change = data.pop("change")
        return register.amend_entry(db.session(), g.actor, entry_id, change, data, utcnow())
