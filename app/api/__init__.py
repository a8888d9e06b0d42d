"""JSON API v1 for councils and police, documented by OpenAPI generated from its schemas."""

from flask import Flask
from flask_smorest import Api

from app import auth, errors
from app.api import meta

BLUEPRINTS = (meta.blp,)


class ProblemApi(Api):
    """flask-smorest's Api with every HTTP error rendered by app.errors (RFC 9457 under /api)."""

    def handle_http_exception(self, error):
        """Render `error` through the app's single error mapping."""
        return errors.handle_http_exception(error)


def init_app(app: Flask) -> None:
    """Register every API blueprint, with API-key authentication attached to each."""
    api = ProblemApi(app)
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
        app.before_request_funcs.setdefault(blueprint.name, []).append(auth.authenticate_api_client)
    app.extensions["crosscheck.api"] = api
