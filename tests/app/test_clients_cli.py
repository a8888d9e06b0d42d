"""`flask clients create --scopes`: council:decide is a council key's manager role."""

from licensing.access.clients import authenticate
from tests.factories import NOW, make_authority, make_licence, make_police_force


def create(app, code: str, scopes: str):
    """Run `flask clients create` for the organisation `code`; return the result."""
    args = ["clients", "create", "--org", code, "--scopes", scopes, "--name", "Back office"]
    return app.test_cli_runner().invoke(args=args)


def test_a_council_key_with_council_decide_may_revoke(app, client, session):
    authority = make_authority(session)
    licence = make_licence(session, authority_id=authority.id)
    result = create(app, authority.code, "council:read council:write council:decide")
    assert result.exit_code == 0, result.output
    key = result.stdout.strip().splitlines()[0]
    assert authenticate(session, key, NOW).scopes == {"council:read", "council:write", "council:decide"}
    session.rollback()
    body = {"effective_on": "2026-11-23", "category": "violence"}
    response = client.post(
        f"/api/v1/licences/{licence.id}/revoke", json=body, headers={"Authorization": f"Bearer {key}"}
    )
    assert response.status_code == 200, response.json


def test_a_police_key_cannot_hold_council_decide(app, session):
    force = make_police_force(session)
    result = create(app, force.code, "police:intelligence council:decide")
    assert result.exit_code != 0
    assert "Scope 'council:decide' is not allowed" in result.output
