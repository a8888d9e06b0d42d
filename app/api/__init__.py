"""JSON API v1 for councils and police, documented by OpenAPI generated from its schemas."""

import http

from flask import Flask, request
from flask_smorest import Api
from werkzeug.exceptions import UnsupportedMediaType

from app import auth, errors, limits
from app.api import (
    admin,
    alerts,
    applications,
    concerns,
    conventions,
    enforcement,
    intelligence,
    licences,
    meta,
    public,
    register,
    requests,
    screenings,
    subscriptions,
)
from licensing.errors import ValidationFailed

BLUEPRINTS = (
    meta.blp,
    licences.blp,
    enforcement.blp,
    register.blp,
    requests.blp,
    concerns.blp,
    intelligence.blp,
    applications.blp,
    screenings.blp,
    admin.blp,
    alerts.blp,
    subscriptions.blp,
)
SCOPES = (
    "An API key from `flask clients create`. Each operation names the scope it needs (x-required-scope): "
    "council:read (read the council's own records), council:write (record and change them), "
    "council:decide (a licensing manager's decisions: refuse, suspend, reinstate, revoke; a refusal, "
    "suspension or revocation records its s.2 register entry in the same change), police:intelligence "
    "(a force's intelligence), admin."
)
# Open to anyone without a key: documented in OpenAPI, rate limited by app.limits, never authenticated.
PUBLIC_BLUEPRINTS = (public.blp,)


class ProblemApi(Api):
    """flask-smorest's Api with every HTTP error rendered by app.errors (RFC 9457 under /api)."""

    ERROR_SCHEMA = errors.ProblemSchema

    def handle_http_exception(self, error):
        """Render `error` through the app's single error mapping."""
        return errors.handle_http_exception(error)

    def _register_responses(self):
        """Document the error responses as app.errors sends them: problems, as application/problem+json."""
        for status in http.HTTPStatus:
            self._register_response(status.name, status.phrase, problem=status >= 400)
        self._register_response("DEFAULT_ERROR", "Default error response", problem=True)

    def _register_response(self, name: str, description: str, *, problem: bool) -> None:
        """Register the lazily referenced response `name`, a problem document when it is an error."""
        response = {"description": description}
        if problem:
            response["content"] = {errors.PROBLEM_MEDIA_TYPE: {"schema": self.ERROR_SCHEMA}}
        self.spec.components.response(name, response, lazy=True)


def init_app(app: Flask) -> None:
    """Register every API blueprint, with API-key authentication attached to each."""
    conventions.init_docs(app)
    api = ProblemApi(app)
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer", "description": SCOPES})
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
        app.before_request_funcs.setdefault(blueprint.name, []).append(auth.authenticate_api_client)
        app.before_request_funcs[blueprint.name].append(require_json_body)
        app.before_request_funcs[blueprint.name].append(refuse_nul_characters)
        app.before_request_funcs[blueprint.name].append(conventions.replay_idempotent)
        app.after_request_funcs.setdefault(blueprint.name, []).append(conventions.keep_idempotent)
    for blueprint in PUBLIC_BLUEPRINTS:
        api.register_blueprint(blueprint)
        app.before_request_funcs.setdefault(blueprint.name, []).append(refuse_nul_characters)
    limits.init_app(app, PUBLIC_BLUEPRINTS)
    app.extensions["crosscheck.api"] = api


def require_json_body() -> None:
    """Refuse a request body that is not JSON with 415, rather than reading it as missing fields."""
    if (request.content_length or request.headers.get("Transfer-Encoding")) and not request.is_json:
        raise UnsupportedMediaType("Send the request body as JSON, with Content-Type: application/json.")


def refuse_nul_characters() -> None:
    """Refuse text holding a NUL character with 422: PostgreSQL can neither store nor compare it."""
    sent = {
        "path": request.view_args or {},
        "query": request.args.to_dict(flat=False),
        "json": request.get_json(silent=True) if request.is_json else None,
    }
    found = _nul_fields(sent, "")
    if found:
        problems = [{"field": name, "message": "Must not contain a NUL character."} for name in found]
        raise ValidationFailed("Text cannot contain NUL characters.", problems)


def _nul_fields(value, name: str) -> list[str]:
    """Name every string inside `value` that holds a NUL character."""
    if isinstance(value, str):
        return [name] if "\x00" in value else []
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    return [found for key, item in items for found in _nul_fields(item, f"{name}.{key}".lstrip("."))]
