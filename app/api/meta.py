"""Who am I, and the reference lists every client may read."""

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

blp = Blueprint("meta", __name__, url_prefix="/api/v1", description="The caller and reference data")


@blp.route("/me")
class Me(MethodView):
    """The organisation and scopes of the calling key."""

    def get(self):
        """Describe the calling client."""
        actor = g.actor
        return {"label": actor.label, "scopes": sorted(actor.scopes)}
