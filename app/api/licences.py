"""Driver licences of the caller's authority: grant, status changes, renewal, listing and history."""

from datetime import timedelta

from flask import current_app, g, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from app import db
from app.api.conventions import page_body, page_of, page_query, versioned
from app.api.fields import IdentityOutSchema, UkDate, UtcDateTime
from app.auth import require_scope
from licensing import applications, licences
from licensing.clock import utcnow
from licensing.models.records import LICENCE_STATUSES, LICENCE_TYPES
from licensing.register import MAX_ID

blp = Blueprint("licences", __name__, url_prefix="/api/v1", description="Driver licences")
STATUS_ACTIONS = ("suspend", "reinstate", "revoke", "surrender")
BADGE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9/\-]{0,31}$"


class GrantSchema(Schema):
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
    @versioned(applications.own_application, "application_id")
    @blp.arguments(GrantSchema)
    @blp.response(201, LicenceSchema)
    def post(self, data, application_id):
        """Grant a licence on a pending application that passed the grant gate."""
        licence = licences.grant(
            db.session(), g.actor, application_id, **data, now=utcnow(), max_screening_age=max_screening_age()
        )
        return licence, 201, {"Location": url_for("licences.Licence", licence_id=licence.id)}


@blp.route("/licences")
class Licences(MethodView):
    """The caller's authority's licences."""

    @require_scope("council:read")
    @blp.arguments(LicenceQuerySchema, location="query")
    @blp.response(200, page_of(LicenceSchema))
    def get(self, args):
        """List licences in id order, a page at a time."""
        return page_body("licences", licences.list_licences(db.session(), g.actor, **args))


@blp.route("/licences/<int:licence_id>")
class Licence(MethodView):
    """One licence of the caller's authority."""

    @require_scope("council:read")
    @versioned(licences.own_licence, "licence_id")
    @blp.response(200, LicenceDetailSchema)
    def get(self, licence_id):
        """Show a licence with its status history."""
        return licences.own_licence(db.session(), g.actor, licence_id)


@blp.route(f"/licences/<int:licence_id>/<any({', '.join(STATUS_ACTIONS)}):action>")
class LicenceStatus(MethodView):
    """Suspending, reinstating, revoking or surrendering a licence."""

    @require_scope("council:write")
    @versioned(licences.own_licence, "licence_id")
    @blp.arguments(StatusChangeSchema)
    @blp.response(200, LicenceSchema)
    def post(self, data, licence_id, action):
        """Change the licence's status; 409 when its current status does not allow it."""
        return licences.change_status(db.session(), g.actor, licence_id, action, **data, now=utcnow())


@blp.route("/licences/<int:licence_id>/renew")
class Renewal(MethodView):
    """Renewing a licence."""

    @require_scope("council:write")
    @versioned(licences.own_licence, "licence_id")
    @blp.arguments(RenewSchema)
    @blp.response(200, LicenceSchema)
    def post(self, data, licence_id):
        """Renew the licence to a new expiry on a renewal application that passed the grant gate."""
        return licences.renew(
            db.session(), g.actor, licence_id, **data, now=utcnow(), max_screening_age=max_screening_age()
        )
