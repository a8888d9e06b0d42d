"""Driver licences of the caller's authority: grant, status changes, renewal, DBS details, listing, history.

Suspending, revoking and reinstating are a manager's decisions: they need the `council:decide` scope.
Suspending and revoking record the s.2 register entry in the same change (licensing/register/recording.py).
"""

from datetime import timedelta

from flask import current_app, g, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from app import db
from app.api.conventions import StrictBoolean, page_body, page_of, page_query, versioned
from app.api.fields import IdentityOutSchema, UkDate, UtcDateTime
from app.auth import require_scope
from licensing.clock import utcnow
from licensing.licences import applications, lifecycle
from licensing.licences.dbs import DBS_FIELDS
from licensing.persistence.db import MAX_ID
from licensing.persistence.models.records import DECISION_CATEGORIES, LICENCE_STATUSES, LICENCE_TYPES

blp = Blueprint("licences", __name__, url_prefix="/api/v1", description="Driver licences")
DECISION_ACTIONS = ("suspend", "revoke")  # s.2 decisions: each records its register entry
STATUS_ACTIONS = (*DECISION_ACTIONS, "reinstate", "surrender")
BADGE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9/\-]{0,31}$"
DECIDE_SCOPE = "council:decide"


class DbsSchema(Schema):
    """A licence's DBS details: a subscription to the Update Service needs the number and the consent."""

    dbs_certificate_number = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=20),
        metadata={"description": "The enhanced DBS certificate's 12-digit number"},
    )  # fmt: skip
    dbs_update_service = StrictBoolean(
        load_default=False,
        metadata={"description": "Subscribed to the DBS Update Service (checked by Crosscheck)"},
    )
    dbs_consent_on = UkDate(
        load_default=None, allow_none=True,
        metadata={"description": "When the driver consented to Update Service status checks"},
    )  # fmt: skip


class DbsInSchema(DbsSchema):
    """The DBS details to hold from now on (all three: what is left out is cleared)."""

    dbs_update_service = StrictBoolean(required=True)


class RegisterChoiceSchema(Schema):
    """Whether a refusal, suspension or revocation goes on the s.2 register, and with what."""

    record_register_entry = StrictBoolean(
        load_default=True,
        metadata={"description": "Record the s.2 register entry (default). False only for a decision that "
                  "does not rest on relevant information (2022 Act s.2(1)), with not_recorded_reason"},
    )  # fmt: skip
    category = fields.String(
        load_default=None, allow_none=True, validate=validate.OneOf(DECISION_CATEGORIES),
        metadata={"description": "The kind of relevant information; required when recording"},
    )  # fmt: skip
    register_ref = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(min=1, max=64),
        metadata={"description": "The entry's reference (default: from the licence or application)"},
    )  # fmt: skip
    not_recorded_reason = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(min=1, max=500),
        metadata={"description": "Why it is not recorded; required with record_register_entry false"},
    )  # fmt: skip


class GrantSchema(DbsSchema):
    """The licence to grant from a pending application."""

    badge_number = fields.String(required=True, validate=validate.Regexp(BADGE_PATTERN))
    granted_on = UkDate(required=True)
    expires_on = UkDate(required=True, metadata={"description": "At most 3 years after granted_on"})
    display_name = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=100),
        metadata={"description": "The name the public check may show, if the council chooses one"},
    )  # fmt: skip


class StatusChangeSchema(Schema):
    """When a status change takes effect."""

    effective_on = UkDate(required=True)


class DecisionSchema(StatusChangeSchema, RegisterChoiceSchema):
    """A suspension or revocation: when it takes effect, when it was decided, and its register entry."""

    decided_on = UkDate(
        load_default=None, allow_none=True,
        metadata={"description": "Default: effective_on, or today if effective_on is later"},
    )  # fmt: skip


class RenewSchema(Schema):
    """A renewal, decided on a pending renewal application that passed the grant gate."""

    application_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_ID))
    effective_on = UkDate(required=True)
    expires_on = UkDate(required=True, metadata={"description": "At most 3 years after the renewal"})


class LicenceQuerySchema(page_query("licences")):
    """Filters and a cursor for the list of licences."""

    status = fields.String(validate=validate.OneOf(LICENCE_STATUSES))
    badge_number = fields.String(validate=validate.Length(max=32))


class StatusChangeOutSchema(Schema):
    """One step in the licence's status history."""

    status = fields.String()
    effective_on = fields.Date()
    changed_at = UtcDateTime()
    actor_label = fields.String()
    register_entry_id = fields.Integer(
        allow_none=True, metadata={"description": "The s.2 register entry this change recorded"}
    )


class LicenceSchema(IdentityOutSchema):
    """A licence of the caller's own authority, in full."""

    id = fields.Integer()
    ref = fields.String()
    badge_number = fields.String()
    licence_type = fields.String(metadata={"enum": list(LICENCE_TYPES)})
    status = fields.String(metadata={"enum": list(LICENCE_STATUSES)})
    granted_on = fields.Date()
    expires_on = fields.Date()
    display_name = fields.String(allow_none=True)
    application_id = fields.Integer(allow_none=True)
    dbs_certificate_number = fields.String(allow_none=True)
    dbs_update_service = fields.Boolean()
    dbs_consent_on = fields.Date(allow_none=True)
    dbs_last_checked_on = fields.Date(allow_none=True)
    dbs_last_status = fields.String(allow_none=True)
    created_at = UtcDateTime()
    updated_at = UtcDateTime()


class LicenceDetailSchema(LicenceSchema):
    """A licence with its status history, oldest first."""

    history = fields.List(fields.Nested(StatusChangeOutSchema))


def max_screening_age() -> timedelta:
    """Return how recent the screening behind a grant or renewal must be."""
    return timedelta(days=current_app.config["SCREENING_MAX_AGE_DAYS"])


@blp.route("/applications/<int:application_id>/grant")
class Grant(MethodView):
    """Granting a licence on an application."""

    @require_scope("council:write")
    @blp.arguments(GrantSchema)
    @versioned(applications.own_application, "application_id")
    @blp.response(201, LicenceSchema)
    def post(self, data, application_id):
        """Grant a licence on a pending application that passed the grant gate, with any DBS details."""
        details = {name: data.pop(name) for name in DBS_FIELDS}
        licence = lifecycle.grant(
            db.session(), g.actor, application_id, **data, dbs_details=details, now=utcnow(),
            max_screening_age=max_screening_age(),
        )  # fmt: skip
        return licence, 201, {"Location": url_for("licences.Licence", licence_id=licence.id)}


@blp.route("/licences")
class Licences(MethodView):
    """The caller's authority's licences."""

    @require_scope("council:read")
    @blp.arguments(LicenceQuerySchema, location="query")
    @blp.response(200, page_of(LicenceSchema))
    def get(self, args):
        """List licences in id order, a page at a time."""
        return page_body("licences", lifecycle.list_licences(db.session(), g.actor, **args))


@blp.route("/licences/<int:licence_id>")
class Licence(MethodView):
    """One licence of the caller's authority."""

    @require_scope("council:read")
    @versioned(lifecycle.own_licence, "licence_id")
    @blp.response(200, LicenceDetailSchema)
    def get(self, licence_id):
        """Show a licence with its status history."""
        return lifecycle.own_licence(db.session(), g.actor, licence_id)


@blp.route(f"/licences/<int:licence_id>/<any({', '.join(DECISION_ACTIONS)}):action>")
class LicenceDecision(MethodView):
    """Suspending or revoking a licence: a manager's decision, recorded on the s.2 register."""

    @require_scope(DECIDE_SCOPE)
    @blp.arguments(DecisionSchema)
    @versioned(lifecycle.own_licence, "licence_id")
    @blp.response(200, LicenceDetailSchema)
    def post(self, data, licence_id, action):
        """Suspend or revoke the licence and record its s.2 register entry in the same change (or say why
        not); 409 when its status does not allow it or the entry's reference is taken."""
        effective_on, decided_on = data.pop("effective_on"), data.pop("decided_on")
        return lifecycle.change_status(
            db.session(), g.actor, licence_id, action, effective_on=effective_on, decided_on=decided_on,
            register=data, now=utcnow(),
        )  # fmt: skip


@blp.route("/licences/<int:licence_id>/reinstate")
class Reinstatement(MethodView):
    """Reinstating a suspended licence: a manager's decision."""

    @require_scope(DECIDE_SCOPE)
    @blp.arguments(StatusChangeSchema)
    @versioned(lifecycle.own_licence, "licence_id")
    @blp.response(200, LicenceDetailSchema)
    def post(self, data, licence_id):
        """Reinstate a suspended licence; the suspension's register entry records that it was lifted."""
        return lifecycle.change_status(db.session(), g.actor, licence_id, "reinstate", **data, now=utcnow())


@blp.route("/licences/<int:licence_id>/surrender")
class Surrender(MethodView):
    """Recording that the driver surrendered the licence."""

    @require_scope("council:write")
    @blp.arguments(StatusChangeSchema)
    @versioned(lifecycle.own_licence, "licence_id")
    @blp.response(200, LicenceDetailSchema)
    def post(self, data, licence_id):
        """Record the surrender of an active or suspended licence."""
        return lifecycle.change_status(db.session(), g.actor, licence_id, "surrender", **data, now=utcnow())


@blp.route("/licences/<int:licence_id>/dbs")
class LicenceDbs(MethodView):
    """The DBS details of a licence."""

    @require_scope("council:write")
    @blp.arguments(DbsInSchema)
    @versioned(lifecycle.own_licence, "licence_id")
    @blp.response(200, LicenceSchema)
    def put(self, data, licence_id):
        """Replace the licence's DBS certificate number, Update Service subscription and consent date."""
        return lifecycle.change_dbs(db.session(), g.actor, licence_id, data, utcnow())


@blp.route("/licences/<int:licence_id>/renew")
class Renewal(MethodView):
    """Renewing a licence."""

    @require_scope("council:write")
    @blp.arguments(RenewSchema)
    @versioned(lifecycle.own_licence, "licence_id")
    @blp.response(200, LicenceSchema)
    def post(self, data, licence_id):
        """Renew the licence to a new expiry on a renewal application that passed the grant gate."""
        return lifecycle.renew(
            db.session(), g.actor, licence_id, **data, now=utcnow(), max_screening_age=max_screening_age()
        )
