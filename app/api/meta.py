"""Who am I, and the reference lists every client may read."""

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from app import db
from app.auth import require_scope
from licensing import reference
from licensing.access.clients import organisation_of

blp = Blueprint("meta", __name__, url_prefix="/api/v1", description="The caller and reference data")


class OrganisationSchema(Schema):
    """The organisation a client acts for."""

    kind = fields.String(metadata={"enum": ["authority", "police_force"]})
    code = fields.String()
    name = fields.String()


class MeSchema(Schema):
    """The calling client."""

    organisation = fields.Nested(OrganisationSchema)
    scopes = fields.List(fields.String())


class AuthoritySchema(Schema):
    """A licensing authority, identified by its ONS GSS code."""

    code = fields.String()
    name = fields.String()
    nation = fields.String()


@blp.route("/me")
class Me(MethodView):
    """The organisation and scopes of the calling key."""

    @blp.doc(security=[{"bearer": []}])
    @blp.response(200, MeSchema)
    def get(self):
        """Describe the calling client (the cheapest authenticated call: bench/api_throughput's baseline)."""
        organisation = organisation_of(db.session(), g.actor)
        kind = "authority" if g.actor.authority_id is not None else "police_force"
        return {
            "organisation": {"kind": kind, "code": organisation.code, "name": organisation.name},
            "scopes": sorted(g.actor.scopes),
        }


@blp.route("/authorities")
class Authorities(MethodView):
    """Every licensing authority in the register."""

    @require_scope("council:read")
    @blp.response(200, AuthoritySchema(many=True))
    def get(self):
        """List the licensing authorities."""
        return reference.list_authorities(db.session())
