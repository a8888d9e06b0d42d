"""The enforcement quick check: which council licenses the driver in front of an officer."""

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from app import db
from app.api.public import IssuerSchema
from app.auth import require_scope
from licensing.clock import utcnow
from licensing.licences import lookup

blp = Blueprint(
    "enforcement",
    __name__,
    url_prefix="/api/v1/enforcement",
    description="Checks for officers stopping drivers licensed elsewhere",
)


class EnforcementCheckArgs(Schema):
    """Look up by badge number (with its issuing council if known), or by driving licence number."""

    authority = fields.String(
        metadata={"description": "The issuing council's ONS GSS code; without it, every council's badge"}
    )
    badge = fields.String(metadata={"description": "The badge number shown by the driver"})
    driving_licence_number = fields.String(metadata={"description": "The DVLA driver number"})


class CheckedLicenceSchema(Schema):
    """One licence as the enforcement check shows it: never the other council's full record."""

    badge_number = fields.String()
    licence_type = fields.String()
    status = fields.String(metadata={"enum": ["active", "suspended", "revoked", "expired", "surrendered"]})
    valid_now = fields.Boolean(metadata={"description": "Active and not past its expiry date"})
    expires_on = fields.Date()
    issuing_council = fields.Nested(IssuerSchema)
    now_licensed_by = fields.Nested(
        IssuerSchema,
        allow_none=True,
        metadata={
            "description": "The council that now licenses the driver, when a reorganisation changed it"
        },
    )


class EnforcementCheckSchema(Schema):
    """Every licence found (a driver number may be licensed by several councils)."""

    licences = fields.List(fields.Nested(CheckedLicenceSchema))


@blp.route("/check")
class EnforcementCheck(MethodView):
    """Which council licenses this driver, and is the licence valid now."""

    @db.writes_on_get
    @require_scope("council:read")
    @blp.arguments(EnforcementCheckArgs, location="query")
    @blp.response(200, EnforcementCheckSchema)
    def get(self, args):
        """Check a driver by badge (at one council, or at every council that issued it) or by driving
        licence number (audited as a search)."""
        found = lookup.enforcement_check(
            db.session(),
            g.actor,
            authority_code=args.get("authority"),
            badge_number=args.get("badge"),
            driving_licence_number=args.get("driving_licence_number"),
            now=utcnow(),
        )
        return {"licences": found}
