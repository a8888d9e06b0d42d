"""Security headers on every answer: a CSP without inline code, no framing, no caching of personal data."""

import re

import pytest

from app import create_app
from tests.app.test_officer_login import sign_in
from tests.factories import OFFICER_PASSWORD, make_api_client, make_authority, make_licence, make_user

STRONG_SECRET = "Kq7-vX2pLm9sRt4wYz8bNc3dFg6hJk1eUo5iAa0"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)([^>]*)>", re.IGNORECASE)
PAGES = ["/sign-in", "/check", "/api/v1/docs", "/no-such-page", "/api/v1/no-such-thing", "/healthz"]


def csp(response) -> dict[str, str]:
    """Return the Content-Security-Policy's directives by name."""
    directives = [d.strip().split(" ", 1) for d in response.headers["Content-Security-Policy"].split(";")]
    return dict(directives)


@pytest.mark.parametrize("path", PAGES)
def test_every_answer_forbids_framing_sniffing_and_inline_code(client, path):
    response = client.get(path)
    policy = csp(response)
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert "unsafe-eval" not in response.headers["Content-Security-Policy"]
    assert policy["default-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("path", ["/sign-in", "/check", "/api/v1/docs", "/no-such-page"])
def test_every_inline_script_carries_the_nonce_of_its_own_response(client, path):
    page = client.get(path)
    nonce = re.search(r"'nonce-([^']+)'", csp(page)["script-src"]).group(1)
    scripts = INLINE_SCRIPT.findall(page.get_data(as_text=True))
    assert scripts, "GOV.UK's js-enabled script (or Swagger UI's start-up) is inline"
    assert all(f'nonce="{nonce}"' in attributes for attributes in scripts)
    assert " style=" not in page.get_data(as_text=True)  # style-src 'self' refuses style attributes
    again = re.search(r"'nonce-([^']+)'", csp(client.get(path))["script-src"]).group(1)
    assert again != nonce and len(nonce) >= 22  # 16 random bytes, new for every answer


def test_officer_pages_are_never_stored(client, session):
    user = make_user(session)
    assert client.get("/sign-in").headers["Cache-Control"] == "no-store"
    assert sign_in(client, user.email, OFFICER_PASSWORD).headers["Cache-Control"] == "no-store"
    page = client.get("/dashboard")
    assert "data-officer-authority" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"


def test_api_answers_with_personal_data_are_never_stored(client, session):
    client_record, key = make_api_client(session, scopes=("council:read",))
    licence = make_licence(session, authority_id=client_record.authority_id)
    response = client.get(f"/api/v1/licences/{licence.id}", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200 and response.json["date_of_birth"]
    assert response.headers["Cache-Control"] == "no-store"
    refused = client.get(f"/api/v1/licences/{licence.id}")
    assert refused.status_code == 401 and refused.headers["Cache-Control"] == "no-store"


def test_assets_and_badge_codes_keep_their_own_caching(client, session):
    council = make_authority(session, code="E08000031")
    make_licence(session, authority_id=council.id, badge_number="PH12345")  # a code is drawn only for a badge
    assert client.get("/static/init.js").headers["Cache-Control"] == "no-cache"  # revalidated, not no-store
    assert client.get("/check/qr/E08000031/PH12345.svg").headers["Cache-Control"] == "public, max-age=86400"


def test_hsts_only_in_production(client):
    assert "Strict-Transport-Security" not in client.get("/healthz").headers
    app = create_app(
        {
            "ENV_NAME": "production",
            "SECRET_KEY": STRONG_SECRET,
            "DATABASE_URL": "postgresql+psycopg://db/unused",
        }
    )
    response = app.test_client().get("/healthz", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    app.extensions["crosscheck.engine"].dispose()
