"""JSON API v1 for councils and police, documented by OpenAPI generated from its schemas."""

import http

from flask import Flask
from flask_smorest import Api

from app import auth, errors, limits
from app.api import (
    admin,
    alerts,
    applications,
    concerns,
    conventions,
    enforcement,
    inputs,
    intelligence,
    licences,
    meta,
    openapi,
    public,
    register,
    requests,
    screenings,
    subscriptions,
)

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
# In this order: a body that is not JSON, too deep or not UTF-8 is refused before anything parses it.
INPUT_CHECKS = (inputs.require_json_body, inputs.refuse_deep_json, inputs.refuse_unstorable_text)
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
    app.url_map.converters["force_reference"] = intelligence.ForceReference
    api = ProblemApi(app, spec_kwargs={"extra_plugins": [openapi.DocumentedRules()]})
    api.register_converter(intelligence.ForceReference, intelligence.force_reference_parameter)
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer", "description": SCOPES})
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
        app.before_request_funcs.setdefault(blueprint.name, []).append(auth.authenticate_api_client)
        app.before_request_funcs[blueprint.name].extend(INPUT_CHECKS)
        app.before_request_funcs[blueprint.name].append(conventions.replay_idempotent)
        app.after_request_funcs.setdefault(blueprint.name, []).append(conventions.keep_idempotent)
    for blueprint in PUBLIC_BLUEPRINTS:
        api.register_blueprint(blueprint)
        app.before_request_funcs.setdefault(blueprint.name, []).extend(INPUT_CHECKS[1:])
    limits.init_app(app, PUBLIC_BLUEPRINTS)
    app.extensions["crosscheck.api"] = api
