"""Officers sign in through their council's own identity provider, end to end against a loopback one."""

from urllib.parse import urlsplit

import httpx
import pytest
from sqlmodel import select

from licensing.access import oidc
from licensing.errors import ValidationFailed
from licensing.persistence.models import AuditEvent, IdentityLink
from tests.factories import NOW, make_authority, make_user
from tests.integrations.fake_idp import FakeIdentityProvider, new_key
from tests.integrations.servers import LoopbackServer
from tests.officer.conftest import csrf_token

CODE = "E07000999"
REDIRECT_URI = "http://127.0.0.1:5000/sign-in/council/callback"  # the testing PUBLIC_BASE_URL's
CLIENT_ID, SECRET_ENV = "crosscheck-testshire", "OIDC_SECRET_TESTSHIRE"
CLIENT_SECRET = "testshire-client-secret-0123456789abcdef"
EMAIL = "olive.officer@testshire.gov.uk"


@pytest.fixture
def idp(monkeypatch):
    """Run Testshire's identity provider on loopback, with the client secret in the environment."""
    monkeypatch.setenv(SECRET_ENV, CLIENT_SECRET)
    provider = FakeIdentityProvider(CLIENT_ID, CLIENT_SECRET, REDIRECT_URI)
    with LoopbackServer(provider) as server:
        provider.issuer = server.url
        yield provider


@pytest.fixture
def testshire(app, session, idp):
    """Return Testshire, set up with `flask authorities oidc set` to sign in through `idp`."""
    authority = make_authority(session, code=CODE, name="Testshire District Council")
    args = ["authorities", "oidc", "set", CODE, "--issuer", idp.issuer, "--client-id", CLIENT_ID]
    args += ["--client-secret-env", SECRET_ENV, "--domain", "testshire.gov.uk"]
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output
    assert f"Register this redirect URI at the provider: {REDIRECT_URI}" in result.output
    return authority


@pytest.fixture
def olive(session, testshire):
    """Return Testshire's officer whose address the provider vouches for."""
    return make_user(session, authority_id=testshire.id, email=EMAIL, name="Olive Officer")


def council_sign_in(client, code: str = CODE):
    """Start at the sign-in link, sign in at the provider, and return the callback's answer."""
    start = client.get(f"/sign-in/council/{code}")
    assert start.status_code == 302, start.get_data(as_text=True)
    at_provider = httpx.get(start.headers["Location"])
    assert at_provider.status_code == 302, at_provider.text
    back = urlsplit(at_provider.headers["location"])
    assert f"http://{back.netloc}{back.path}" == REDIRECT_URI
    return client.get(f"{back.path}?{back.query}")


def signed_in_as(client) -> bool:
    """Tell whether the client's session is signed in."""
    return "data-officer-authority" in client.get("/", follow_redirects=True).get_data(as_text=True)


def test_sign_in_page_offers_each_council_with_a_provider(client, testshire):
    page = client.get("/sign-in").get_data(as_text=True)
    assert f'href="/sign-in/council/{CODE}"' in page and "Testshire District Council" in page


def test_officer_signs_in_through_their_councils_provider(client, session, olive, idp):
    response = council_sign_in(client)
    assert response.status_code == 302 and response.headers["Location"] == "/dashboard"
    assert "</span>Olive Officer, Testshire District Council" in client.get(
        "/", follow_redirects=True
    ).get_data(as_text=True)
    assert session.get(IdentityLink, olive.id).subject == "a1b2c3-subject"
    assert idp.refusals == []


def test_provider_sign_in_needs_no_local_second_factor(app, client, olive):
    app.config["SECOND_FACTOR_REQUIRED"] = True  # the council's provider applies its own
    assert council_sign_in(client).headers["Location"] == "/dashboard"
    assert signed_in_as(client)


def test_provider_cannot_sign_in_another_councils_officer(client, session, testshire, idp):
    elsewhere = make_authority(session)
    make_user(session, authority_id=elsewhere.id, email=EMAIL)
    response = council_sign_in(client)
    assert response.status_code == 403 and "does not match a Crosscheck account" in response.get_data(
        as_text=True
    )
    assert not signed_in_as(client)


@pytest.mark.parametrize(
    "person",
    [
        {"email": "olive.officer@elsewhere.gov.uk"},  # a domain Testshire did not list
        {"email": "olive.officer@testshire.gov.uk.evil.example"},
        {"email": EMAIL, "email_verified": False},
        {"email": None},
    ],
    ids=["other-domain", "lookalike-domain", "unverified", "no-email"],
)
def test_provider_cannot_vouch_outside_its_remit(client, session, olive, idp, person):
    make_user(session, authority_id=olive.authority_id, email="olive.officer@elsewhere.gov.uk")
    idp.person = idp.person | person
    assert council_sign_in(client).status_code == 403
    assert not signed_in_as(client)
    refused = session.exec(select(AuditEvent).where(AuditEvent.action == "user.sign_in.oidc_refused")).all()
    assert len(refused) == 1


def test_account_answers_only_to_the_subject_it_first_signed_in_as(app, client, olive, idp):
    council_sign_in(client)
    idp.person = idp.person | {"sub": "someone-given-olives-old-address"}
    other = app.test_client()
    assert council_sign_in(other).status_code == 403
    assert not signed_in_as(other)


def test_deactivated_officer_cannot_sign_in_through_the_provider(client, session, olive):
    olive.active = False
    session.add(olive)
    session.commit()
    assert council_sign_in(client).status_code == 403
    assert not signed_in_as(client)


def test_replayed_callback_is_refused(app, client, olive):
    start = client.get(f"/sign-in/council/{CODE}")
    callback = httpx.get(start.headers["Location"]).headers["location"]
    path = callback.removeprefix("http://127.0.0.1:5000")
    assert client.get(path).status_code == 302
    client.post("/sign-out", data={"csrf_token": _csrf(client)})
    assert client.get(path).status_code == 400
    assert not signed_in_as(client)


def test_callback_in_another_browser_is_refused(app, client, olive):
    # Login CSRF: an attacker starts a sign-in and plants its callback (their code) in a victim's browser.
    start = client.get(f"/sign-in/council/{CODE}")
    callback = httpx.get(start.headers["Location"]).headers["location"]
    victim = app.test_client()
    response = victim.get(callback.removeprefix("http://127.0.0.1:5000"))
    assert response.status_code == 400 and "not started here" in response.get_data(as_text=True)
    assert not signed_in_as(victim)


def test_forged_token_does_not_sign_in(client, olive, idp):
    idp.signing_key = new_key()
    response = council_sign_in(client)
    assert response.status_code == 400 and "could not be completed" in response.get_data(as_text=True)
    assert not signed_in_as(client)


def test_missing_client_secret_is_a_clear_error_page(client, olive, monkeypatch):
    monkeypatch.delenv(SECRET_ENV)
    response = client.get(f"/sign-in/council/{CODE}")
    assert response.status_code == 502 and "cannot be used at the moment" in response.get_data(as_text=True)


def test_council_without_a_provider_has_no_council_sign_in(client, session):
    authority = make_authority(session)
    assert client.get(f"/sign-in/council/{authority.code}").status_code == 404


def test_cli_shows_and_removes_a_provider(app, session, testshire, olive, client):
    council_sign_in(client)
    shown = app.test_cli_runner().invoke(args=["authorities", "oidc", "show"])
    assert f"{CODE} Testshire District Council" in shown.output and f"${SECRET_ENV}" in shown.output
    removed = app.test_cli_runner().invoke(args=["authorities", "oidc", "remove", CODE])
    assert removed.exit_code == 0, removed.output
    assert session.get(IdentityLink, olive.id) is None
    assert "Testshire District Council" not in app.test_client().get("/sign-in").get_data(as_text=True)


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["--issuer", "not a url"], "issuer"),
        (["--client-secret-env", "the secret itself!"], "client_secret_env"),
        (["--domain", "not a domain"], "domains"),
    ],
)
def test_cli_refuses_invalid_settings(app, session, args, problem):
    make_authority(session, code=CODE)
    base = {
        "--issuer": "https://login.testshire.gov.uk",
        "--client-id": "c",
        "--client-secret-env": "S",
        "--domain": "testshire.gov.uk",
    }
    base[args[0]] = args[1]
    options = [part for pair in base.items() for part in pair]
    result = app.test_cli_runner().invoke(args=["authorities", "oidc", "set", CODE, *options])
    assert result.exit_code != 0 and problem in result.output


def test_production_refuses_a_plain_http_issuer(session):
    authority = make_authority(session)
    with pytest.raises(ValidationFailed):
        oidc.configure(
            session,
            authority,
            issuer="http://login.testshire.gov.uk",
            client_id="c",
            client_secret_env="S",
            domains=["testshire.gov.uk"],
            email_claim="email",
            now=NOW,
            require_https=True,
        )


def _csrf(client) -> str:
    """Return the sign-out form's CSRF token from the home page."""
    return csrf_token(client, "/dashboard")
