"""API keys at the HTTP boundary: who may call what, and the `flask clients` commands that issue keys."""

import threading

import pytest
from sqlmodel import select

from app.api import BLUEPRINTS
from licensing.persistence import unit_of_work
from licensing.persistence.models import ApiClient, Authority
from tests.factories import make_api_client, make_authority, make_police_force


def bearer(key: str) -> dict:
    """Return the headers presenting `key`."""
    return {"Authorization": f"Bearer {key}"}


def test_council_key_lists_the_authorities(client, session):
    make_authority(session, code="E08000031", name="City of Wolverhampton Council")
    make_authority(session, code="W06000015", name="Cardiff Council", nation="wales")
    _, key = make_api_client(session, scopes=["council:read"])
    response = client.get("/api/v1/authorities", headers=bearer(key))
    assert response.status_code == 200
    listed = {a["code"]: a for a in response.json}
    assert listed["W06000015"] == {"code": "W06000015", "name": "Cardiff Council", "nation": "wales"}
    assert "E08000031" in listed


def test_police_key_cannot_list_the_authorities(client, session):
    force = make_police_force(session)
    _, key = make_api_client(session, police_force_id=force.id, scopes=["police:intelligence"])
    response = client.get("/api/v1/authorities", headers=bearer(key))
    assert response.status_code == 403
    assert response.json["detail"] == "This action needs the 'council:read' scope."


def test_council_key_without_read_scope_cannot_list_the_authorities(client, session):
    _, key = make_api_client(session, scopes=["council:write"])
    assert client.get("/api/v1/authorities", headers=bearer(key)).status_code == 403


def test_me_describes_a_council_client(client, session):
    authority = make_authority(session, code="E06000001", name="Hartlepool Borough Council")
    _, key = make_api_client(session, authority_id=authority.id, scopes=["council:write", "council:read"])
    response = client.get("/api/v1/me", headers=bearer(key))
    assert response.status_code == 200
    assert response.json == {
        "organisation": {"kind": "authority", "code": "E06000001", "name": "Hartlepool Borough Council"},
        "scopes": ["council:read", "council:write"],
    }


def test_me_answers_while_another_connection_holds_the_write_lock(client, session, engine):
    authority = make_authority(session)
    _, key = make_api_client(session, authority_id=authority.id, scopes=["council:read"])
    assert client.get("/api/v1/me", headers=bearer(key)).status_code == 200  # stamps last_used_at
    blocker = unit_of_work.writing(engine)
    blocker.session.add(Authority(code="E09000003", name="Test Council Blocker", nation="england"))
    blocker.session.flush()  # on SQLite this unit now holds the one write lock until it ends
    answers = []
    caller = threading.Thread(target=lambda: answers.append(client.get("/api/v1/me", headers=bearer(key))))
    caller.start()
    caller.join(timeout=10)
    finished = not caller.is_alive()
    blocker.end(succeeded=False)
    caller.join()

    assert finished
    assert answers[0].status_code == 200


def test_me_describes_a_police_client(client, session):
    force = make_police_force(session, code="E23000007", name="West Midlands Police")
    _, key = make_api_client(session, police_force_id=force.id, scopes=["police:intelligence"])
    response = client.get("/api/v1/me", headers=bearer(key))
    assert response.json["organisation"] == {
        "kind": "police_force",
        "code": "E23000007",
        "name": "West Midlands Police",
    }


def test_revoked_key_is_refused(client, session, app):
    api_client, key = make_api_client(session)
    assert client.get("/api/v1/me", headers=bearer(key)).status_code == 200
    result = app.test_cli_runner().invoke(args=["clients", "revoke", str(api_client.id)])
    assert result.exit_code == 0, result.output
    response = client.get("/api/v1/me", headers=bearer(key))
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("scheme", ["Basic", "Token", ""])
def test_key_must_be_presented_as_a_bearer_token(client, session, scheme):
    _, key = make_api_client(session)
    response = client.get("/api/v1/me", headers={"Authorization": f"{scheme} {key}".strip()})
    assert response.status_code == 401


def test_openapi_document_is_public(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json["paths"]["/api/v1/authorities"]["get"]["x-required-scope"] == "council:read"


def test_every_api_operation_declares_its_scope(app):
    """Every operation but /me must name the scope it needs, so none is open to every key by accident."""
    open_to_any_key = {("meta.Me", "get")}
    api_blueprints = {blueprint.name for blueprint in BLUEPRINTS}
    unscoped = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] not in api_blueprints:
            continue
        view_class = app.view_functions[rule.endpoint].view_class
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            view = getattr(view_class, method.lower())
            if (
                not getattr(view, "required_scope", None)
                and (rule.endpoint, method.lower()) not in open_to_any_key
            ):
                unscoped.append(f"{method} {rule.rule}")
    assert unscoped == []


def test_cli_issues_a_key_that_authenticates(app, client, session):
    make_authority(session, code="E08000031", name="City of Wolverhampton Council")
    result = app.test_cli_runner().invoke(
        args=[
            "clients",
            "create",
            "--org",
            "e08000031",
            "--scopes",
            "council:read council:write",
            "--name",
            "CRM",
        ]
    )
    assert result.exit_code == 0, result.output
    key = result.stdout.strip()
    assert "will not be shown again" in result.stderr
    response = client.get("/api/v1/me", headers=bearer(key))
    assert response.json["organisation"]["code"] == "E08000031"
    assert response.json["scopes"] == ["council:read", "council:write"]


def test_cli_list_never_shows_keys_or_hashes(app, session):
    _, key = make_api_client(session, name="Back office")
    stored = session.exec(select(ApiClient)).one()
    session.rollback()
    result = app.test_cli_runner().invoke(args=["clients", "list"])
    assert result.exit_code == 0
    assert "Back office" in result.output and "1 API clients." in result.output
    assert key not in result.output and stored.key_hash not in result.output
    assert key.split("_", 2)[2] not in result.output


@pytest.mark.parametrize(
    ("org", "scopes", "message"),
    [
        ("E99999999", "council:read", "No authority or police force"),
        ("POLICE", "council:read", "not allowed"),
        ("COUNCIL", "police:intelligence", "not allowed"),
        ("COUNCIL", "council:everything", "Unknown scope"),
    ],
)
def test_cli_refuses_bad_clients_and_exits_non_zero(app, session, org, scopes, message):
    codes = {"COUNCIL": make_authority(session).code, "POLICE": make_police_force(session).code}
    result = app.test_cli_runner().invoke(
        args=["clients", "create", "--org", codes.get(org, org), "--scopes", scopes, "--name", "CRM"]
    )
    assert result.exit_code != 0
    assert message in result.output
    assert session.exec(select(ApiClient)).all() == []


def test_cli_refuses_to_revoke_an_unknown_client(app):
    result = app.test_cli_runner().invoke(args=["clients", "revoke", "404"])
    assert result.exit_code != 0
    assert "no API client 404" in result.output
