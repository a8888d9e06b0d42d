"""The public licence check: anyone, without a key, confirms a badge is real and current.

Registered in app.api.PUBLIC_BLUEPRINTS: documented in the OpenAPI document like every endpoint, but
without API-key authentication, and rate limited per client address (app.limits).
"""

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from app import db
from licensing.clock import utcnow
from licensing.licences import lookup

blp = Blueprint(
    "public", __name__, url_prefix="/api/v1/public", description="The public licence check (no key needed)"
)
PUBLIC_STATUSES = ["current", "suspended", "revoked", "surrendered", "expired"]


class PublicCheckArgs(Schema):
    """Look up by authority and badge number, or by a full driving licence number."""

    authority = fields.String(metadata={"description": "The issuing council's ONS GSS code"})
    badge = fields.String(metadata={"description": "The badge (licence) number the council issued"})
    licence_number = fields.String(metadata={"description": "A full driving licence number"})


class IssuerSchema(Schema):
    """The council that issued the licence."""

    code = fields.String()
    name = fields.String()


class PublicLicenceSchema(Schema):
    """Everything a resident may see about a licence, and nothing more."""

    badge_number = fields.String()
    licence_type = fields.String(metadata={"enum": ["hackney", "phv", "dual"]})
    issuing_council = fields.Nested(IssuerSchema)
    now_licensed_by = fields.Nested(
        IssuerSchema,
        allow_none=True,
        metadata={
            "description": "The council that now licenses the driver, when a reorganisation changed it"
        },
    )
    status = fields.String(attribute="public_status", metadata={"enum": PUBLIC_STATUSES})
    expires_on = fields.Date()
    display_name = fields.String(allow_none=True)


class PublicCheckSchema(Schema):
    """The licences that answer a public check (one for a badge)."""

    licences = fields.List(fields.Nested(PublicLicenceSchema))


@blp.route("/licence-check")
class LicenceCheck(MethodView):
    """Whether a driver's licence is real and current."""

    @blp.arguments(PublicCheckArgs, location="query")
    @blp.response(200, PublicCheckSchema)
    @blp.alt_response(404, description="No licence matches (the same answer for every miss)")
    @blp.alt_response(429, description="Too many checks from this address; see Retry-After")
    def get(self, args):
        """Check a licence by authority and badge number, or by a full driving licence number."""
        found = lookup.public_check(
            db.session(),
            authority_code=args.get("authority"),
            badge_number=args.get("badge"),
            licence_number=args.get("licence_number"),
            today=utcnow().date(),
        )
        return {"licences": found}
