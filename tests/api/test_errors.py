"""The /api error contract: every error is RFC 9457 problem+json, and none leaks internals."""

import pytest
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from app import auth
from app.api import INPUT_CHECKS
from licensing.access.clients import revoke_client
from tests.factories import make_api_client, make_police_force

PROBLEM_KEYS = {"type", "title", "status", "detail"}
LEAK = "SELECT password_hash FROM users WHERE secret = 'hunter2'"


class DriverSchema(Schema):
    """A body with a required string and a bounded integer."""

    name = fields.String(required=True)
    age = fields.Integer(required=True, validate=validate.Range(min=18, max=120))


def probe_blueprint() -> Blueprint:
    """Return a test-only blueprint: one route with a JSON body, one that fails unexpectedly."""
    blp = Blueprint("probe", __name__, url_prefix="/api/probe")

    @blp.route("/drivers")
    class Drivers(MethodView):
        @blp.arguments(DriverSchema)
        @blp.response(201, DriverSchema)
        def post(self, driver):
            return driver

    @blp.route("/boom")
    class Boom(MethodView):
        def get(self):
            raise RuntimeError(LEAK)

    return blp


@pytest.fixture
def app(app):
    """Return the app with the probe blueprint registered and guarded like the product's API."""
    blp = probe_blueprint()
    app.extensions["crosscheck.api"].register_blueprint(blp)
    app.before_request_funcs.setdefault(blp.name, []).extend([auth.authenticate_api_client, *INPUT_CHECKS])
    app.config["MAX_CONTENT_LENGTH"] = 4096
    return app


@pytest.fixture
def key(session):
    """Return a valid council key with read scope."""
    return make_api_client(session, scopes=["council:read"])[1]


def bearer(key: str) -> dict:
    """Return the headers presenting `key`."""
    return {"Authorization": f"Bearer {key}"}


def assert_problem(response, status: int) -> dict:
    """Check that `response` is a problem document with `status`, and return it."""
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    problem = response.get_json(force=True)
    assert set(problem) >= PROBLEM_KEYS
    assert problem["status"] == status
    assert problem["title"] and problem["detail"]
    return problem


def test_missing_key_is_401_with_a_challenge(client):
    response = client.get("/api/v1/me")
    problem = assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert problem["detail"] == "A valid API key is required."


def test_bad_key_is_401_with_the_same_detail(client, key):
    response = client.get("/api/v1/me", headers=bearer(key[:-2] + "xx"))
    assert assert_problem(response, 401)["detail"] == "A valid API key is required."
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_revoked_key_is_401(client, session, now):
    api_client, key = make_api_client(session)
    revoke_client(session, api_client.id, now)
    session.commit()
    response = client.get("/api/v1/me", headers=bearer(key))
    assert assert_problem(response, 401)["detail"] == "A valid API key is required."
    assert "WWW-Authenticate" in response.headers


def test_key_without_the_scope_is_403(client, session):
    force = make_police_force(session)
    _, key = make_api_client(session, police_force_id=force.id, scopes=["police:intelligence"])
    problem = assert_problem(client.get("/api/v1/authorities", headers=bearer(key)), 403)
    assert "council:read" in problem["detail"]


def test_unknown_api_route_is_404(client, key):
    assert_problem(client.get("/api/v1/no-such-thing", headers=bearer(key)), 404)


def test_unknown_api_route_is_404_even_when_posted_without_csrf_token(client):
    assert_problem(client.post("/api/v1/no-such-thing", json={}), 404)


def test_wrong_method_is_405_with_allow(client, key):
    response = client.delete("/api/v1/me", headers=bearer(key))
    assert_problem(response, 405)
    assert "GET" in response.headers["Allow"]


def test_malformed_json_is_400(client, key):
    response = client.post(
        "/api/probe/drivers", data='{"name": "Imran",', content_type="application/json", headers=bearer(key)
    )
    assert assert_problem(response, 400)["errors"] == [{"field": "json", "message": "Invalid JSON body."}]


def test_body_over_the_limit_is_413(client, key):
    body = '{"name": "' + "x" * 5000 + '", "age": 30}'
    response = client.post(
        "/api/probe/drivers", data=body, content_type="application/json", headers=bearer(key)
    )
    assert_problem(response, 413)


def test_body_that_is_not_json_is_415(client, key):
    response = client.post(
        "/api/probe/drivers", data="name=Imran&age=30", content_type="text/plain", headers=bearer(key)
    )
    assert "application/json" in assert_problem(response, 415)["detail"]


def test_form_body_is_415(client, key):
    response = client.post("/api/probe/drivers", data={"name": "Imran", "age": "30"}, headers=bearer(key))
    assert_problem(response, 415)


def test_unauthenticated_wrong_content_type_is_401_first(client):
    assert_problem(client.post("/api/probe/drivers", data="x", content_type="text/plain"), 401)


def test_schema_validation_failure_is_422_listing_each_field(client, key):
    response = client.post("/api/probe/drivers", json={"name": 7, "age": 12}, headers=bearer(key))
    problem = assert_problem(response, 422)
    assert sorted(problem["errors"], key=lambda e: e["field"]) == [
        {"field": "age", "message": "Must be greater than or equal to 18 and less than or equal to 120."},
        {"field": "name", "message": "Not a valid string."},
    ]


def test_valid_body_passes_the_contract(client, key):
    response = client.post("/api/probe/drivers", json={"name": "Imran", "age": 40}, headers=bearer(key))
    assert response.status_code == 201
    assert response.json == {"name": "Imran", "age": 40}


def test_unexpected_exception_is_500_without_internals(client, key, caplog):
    response = client.get("/api/probe/boom", headers=bearer(key))
    assert_problem(response, 500)
    body = response.get_data(as_text=True)
    for internal in ("SELECT", "hunter2", "RuntimeError", "Traceback", "test_errors.py"):
        assert internal not in body
    assert any(record.exc_info for record in caplog.records), "the exception should still be logged"


def test_html_routes_get_html_error_pages(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert '<h1 class="govuk-heading-l">Page not found</h1>' in response.get_data(as_text=True)
