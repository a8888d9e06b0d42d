"""The public licence check: no key, only the safe fields, one answer for every miss, rate limited."""

import json
from datetime import date

import pytest

from app import create_app
from tests.conftest import TEST_SECRET
from tests.factories import make_api_client, make_authority, make_licence

URL = "/api/v1/public/licence-check"
DLN = "HUSSA803145I99AB"
LICENCE_KEYS = {
    "badge_number", "licence_type", "issuing_council", "now_licensed_by", "status", "expires_on",
    "display_name",
}  # fmt: skip


@pytest.fixture
def wolverhampton(session):
    """Return a council with one current licence, PH12345, that chose a display name."""
    authority = make_authority(session, code="E08000031", name="City of Wolverhampton Council")
    make_licence(
        session,
        authority_id=authority.id,
        badge_number="PH12345",
        licence_type="dual",
        expires_on=date(2099, 3, 31),
        display_name="Imran H.",
        driving_licence_number=DLN,
    )
    return authority


def limited_app(database_url, **settings):
    """Return an app that allows two public checks a minute per address, with `settings`."""
    config = {"ENV_NAME": "testing", "DATABASE_URL": database_url, "SECRET_KEY": TEST_SECRET}
    return create_app(config | {"PUBLIC_CHECK_RATE_LIMIT": "2/minute"} | settings)


@pytest.fixture
def limited_client(database_url):
    """Return a client of an app that allows two public checks a minute per address."""
    app = limited_app(database_url)
    yield app.test_client()
    app.extensions["crosscheck.engine"].dispose()


@pytest.fixture
def proxied_client(database_url):
    """Return a client of a limited app behind one trusted reverse proxy at 10.0.0.1."""
    app = limited_app(database_url, TRUSTED_PROXIES=1)
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "10.0.0.1"
    yield client
    app.extensions["crosscheck.engine"].dispose()


def via_proxy(client, forwarded_for: str):
    """Check a badge through the proxy, which appended the client's address to X-Forwarded-For."""
    headers = {"X-Forwarded-For": forwarded_for}
    return client.get(f"{URL}?authority=E08000031&badge=PH12345", headers=headers)


def test_public_check_shows_exactly_the_allowed_fields(client, wolverhampton):
    response = client.get(f"{URL}?authority=E08000031&badge=PH12345")
    assert response.status_code == 200
    assert set(response.json) == {"licences"}
    (licence,) = response.json["licences"]
    assert set(licence) == LICENCE_KEYS
    assert licence == {
        "badge_number": "PH12345",
        "licence_type": "dual",
        "issuing_council": {"code": "E08000031", "name": "City of Wolverhampton Council"},
        "now_licensed_by": None,
        "status": "current",
        "expires_on": "2099-03-31",
        "display_name": "Imran H.",
    }


def test_public_check_by_driver_number_never_shows_personal_data(client, wolverhampton):
    response = client.get(f"{URL}?licence_number={DLN.lower()}")
    assert response.status_code == 200
    (licence,) = response.json["licences"]
    assert set(licence) == LICENCE_KEYS
    body = response.get_data(as_text=True)
    for personal in (DLN, "1985-03-14", "AB123456C", "Example Street", "WV1 1AA", "Hussain"):
        assert personal not in body


def test_public_check_shows_a_suspended_licence_as_suspended(client, session, wolverhampton):
    make_licence(session, authority_id=wolverhampton.id, badge_number="PH2", status="suspended")
    response = client.get(f"{URL}?authority=E08000031&badge=PH2")
    assert response.json["licences"][0]["status"] == "suspended"


def test_every_miss_gets_the_same_404_body_byte_for_byte(client, session, wolverhampton):
    other = make_authority(session, code="E08000032")
    make_licence(session, authority_id=other.id, badge_number="PH55555")
    misses = [
        "?authority=E08000031&badge=PH99999",  # unknown badge
        "?authority=E08000031&badge=PH55555",  # another council's badge
        "?authority=E08000031&badge=%3Cscript%3E",  # malformed
        "?authority=E08000031&badge=PH1234",  # partial
        f"?licence_number={DLN[:13]}",  # a partial driver number
        "?licence_number=not-a-number",
        "",
    ]
    responses = [client.get(URL + query) for query in misses]
    assert {r.status_code for r in responses} == {404}
    assert {r.mimetype for r in responses} == {"application/problem+json"}
    assert len({r.get_data() for r in responses}) == 1
    assert json.loads(responses[0].get_data())["detail"] == "No licence matches those details."


def test_public_check_needs_no_key_and_ignores_one(client, wolverhampton):
    response = client.get(
        f"{URL}?authority=E08000031&badge=PH12345", headers={"Authorization": "Bearer junk"}
    )
    assert response.status_code == 200


def test_public_check_is_in_the_openapi_document_without_security(client):
    operation = client.get("/api/v1/openapi.json").json["paths"][URL]["get"]
    assert "security" not in operation


def test_too_many_checks_get_429_problem_with_retry_after(limited_client, session, wolverhampton):
    assert limited_client.get(f"{URL}?authority=E08000031&badge=PH12345").status_code == 200
    assert limited_client.get(f"{URL}?authority=E08000031&badge=PH0").status_code == 404  # misses count too
    response = limited_client.get(f"{URL}?authority=E08000031&badge=PH12345")
    assert response.status_code == 429
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == 429
    assert 0 < int(response.headers["Retry-After"]) <= 60


def test_rate_limit_is_counted_per_client_address(limited_client, wolverhampton):
    for _ in range(3):
        limited_client.get(f"{URL}?authority=E08000031&badge=PH12345")
    other_address = {"REMOTE_ADDR": "192.0.2.7"}
    response = limited_client.get(f"{URL}?authority=E08000031&badge=PH12345", environ_base=other_address)
    assert response.status_code == 200


def test_rate_limit_applies_only_to_the_public_check(limited_client, session, wolverhampton):
    _, key = make_api_client(session, scopes=["council:read"])
    for _ in range(3):
        limited_client.get(f"{URL}?authority=E08000031&badge=PH12345")
    for _ in range(3):
        response = limited_client.get("/api/v1/authorities", headers={"Authorization": f"Bearer {key}"})
        assert response.status_code == 200


def test_behind_a_trusted_proxy_each_resident_is_counted_by_their_own_address(proxied_client, wolverhampton):
    for _ in range(2):
        assert via_proxy(proxied_client, "198.51.100.1").status_code == 200
    assert via_proxy(proxied_client, "198.51.100.1").status_code == 429
    assert via_proxy(proxied_client, "198.51.100.2").status_code == 200  # same proxy, another resident


def test_behind_a_trusted_proxy_a_forged_forwarded_address_does_not_escape_the_limit(
    proxied_client, wolverhampton
):
    # The proxy appends the real address; anything the client put before it is not believed.
    for n in range(2):
        assert via_proxy(proxied_client, f"203.0.113.{n}, 198.51.100.1").status_code == 200
    assert via_proxy(proxied_client, "203.0.113.9, 198.51.100.1").status_code == 429


def test_without_trusted_proxies_forwarded_addresses_are_ignored(limited_client, wolverhampton):
    for n in range(2):
        assert via_proxy(limited_client, f"198.51.100.{n}").status_code == 200
    assert via_proxy(limited_client, "198.51.100.9").status_code == 429
