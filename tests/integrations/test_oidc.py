"""OpenID Connect against a loopback identity provider: the flow works, and every forgery is refused."""

import re
import time
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from integrations.oidc import OidcClient, OidcError
from tests.integrations.fake_idp import FakeIdentityProvider, new_key, unsigned_token
from tests.integrations.servers import LoopbackServer

REDIRECT_URI = "http://127.0.0.1:5000/sign-in/council/callback"
CLIENT_ID, CLIENT_SECRET = "crosscheck-testshire", "client-secret-0123456789abcdefghijklmn"


@pytest.fixture
def idp():
    """Run a fake identity provider on loopback."""
    provider = FakeIdentityProvider(CLIENT_ID, CLIENT_SECRET, REDIRECT_URI)
    with LoopbackServer(provider) as server:
        provider.issuer = server.url
        yield provider


@pytest.fixture
def relying_party(idp):
    """Return our client of the fake provider."""
    with httpx.Client(timeout=5) as http:
        yield OidcClient(http, idp.issuer, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI)


def sign_in_at_provider(relying_party) -> tuple[dict, dict]:
    """Start a sign-in, follow it to the provider, and return what we kept and the callback's query."""
    address, pending = relying_party.start()
    answer = httpx.get(address)
    assert answer.status_code == 302, answer.text
    return pending, dict(parse_qsl(urlsplit(answer.headers["location"]).query))


def test_code_flow_returns_the_checked_claims(relying_party, idp):
    claims = relying_party.finish(*sign_in_at_provider(relying_party))
    assert claims["email"] == "olive.officer@testshire.gov.uk" and claims["sub"] == "a1b2c3-subject"
    assert claims["iss"] == idp.issuer and claims["aud"] == CLIENT_ID
    assert idp.refusals == []


def test_authorize_request_carries_state_nonce_and_a_pkce_challenge(relying_party):
    address, pending = relying_party.start()
    query = dict(parse_qsl(urlsplit(address).query))
    assert query["state"] == pending["state"] and query["nonce"] == pending["nonce"]
    assert query["code_challenge_method"] == "S256" and pending["verifier"] not in address
    assert query["scope"].split()[0] == "openid"


def test_callback_with_another_state_is_refused(relying_party, idp):
    pending, callback = sign_in_at_provider(relying_party)
    with pytest.raises(OidcError, match="state"):
        relying_party.finish(pending, callback | {"state": "attacker-chosen-state"})
    assert idp.codes  # the code was never redeemed


def test_callback_reporting_an_error_is_refused(relying_party):
    pending, _ = sign_in_at_provider(relying_party)
    with pytest.raises(OidcError, match="access_denied"):
        relying_party.finish(pending, {"error": "access_denied", "state": pending["state"]})


def test_code_redeemed_twice_is_refused(relying_party, idp):
    pending, callback = sign_in_at_provider(relying_party)
    relying_party.finish(pending, callback)
    with pytest.raises(OidcError, match="400"):
        relying_party.finish(pending, callback)


def test_token_signed_with_a_forgers_key_is_refused(relying_party, idp):
    idp.signing_key = new_key()
    with pytest.raises(OidcError, match="bad_signature"):
        relying_party.finish(*sign_in_at_provider(relying_party))


def test_unsigned_token_is_refused(relying_party, idp):
    now = int(time.time())
    claims = {"iss": idp.issuer, "aud": CLIENT_ID, "sub": "x", "iat": now, "exp": now + 300, "nonce": "n"}
    with pytest.raises(OidcError, match="'none' is not allowed"):
        relying_party.check_id_token(unsigned_token(claims), "n")


def test_token_signed_with_the_client_secret_is_refused(relying_party, idp):
    idp.algorithm = "HS256"  # a key-confusion forgery: anyone holding the secret could mint one
    with pytest.raises(OidcError, match="'HS256' is not allowed"):
        relying_party.finish(*sign_in_at_provider(relying_party))


NOW = int(time.time())


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"exp": NOW - 3600, "iat": NOW - 7200}, "expired"),
        ({"aud": "another-councils-client"}, "'aud'"),
        ({"aud": ["another-councils-client", "someone-else"]}, "'aud'"),
        ({"iss": "https://evil.example"}, "'iss'"),
        ({"nonce": "a-nonce-from-another-sign-in"}, "'nonce'"),
        ({"nonce": None}, "Missing claim: 'nonce'"),
        ({"at_hash": "AAAAAAAAAAAAAAAAAAAAAA"}, "'at_hash'"),
        ({"sub": None}, "Missing claim: 'sub'"),
    ],
    ids=["expired", "wrong-audience", "wrong-audience-list", "wrong-issuer", "wrong-nonce", "no-nonce",
         "wrong-at-hash", "no-subject"],
)  # fmt: skip
def test_token_with_a_wrong_claim_is_refused(relying_party, idp, claims, reason):
    idp.claims = claims
    with pytest.raises(OidcError, match=f"not valid: .*{re.escape(reason)}"):
        relying_party.finish(*sign_in_at_provider(relying_party))


def test_audience_list_holding_our_client_is_accepted(relying_party, idp):
    idp.claims = {"aud": [CLIENT_ID, "another-api"], "azp": CLIENT_ID}
    assert relying_party.finish(*sign_in_at_provider(relying_party))["azp"] == CLIENT_ID


def test_wrong_client_secret_is_refused_at_the_token_endpoint(idp):
    with httpx.Client(timeout=5) as http:
        relying_party = OidcClient(http, idp.issuer, CLIENT_ID, "not-the-secret", REDIRECT_URI)
        with pytest.raises(OidcError, match="400"):
            relying_party.finish(*sign_in_at_provider(relying_party))
    assert idp.refusals == ["client authentication failed"]


def test_issuer_with_a_trailing_slash_is_matched_exactly(idp):
    idp.issuer += "/"  # as some providers publish it: the ID token's iss keeps the slash
    with httpx.Client(timeout=5) as http:
        relying_party = OidcClient(http, idp.issuer, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI)
        assert relying_party.finish(*sign_in_at_provider(relying_party))["iss"] == idp.issuer


def test_discovery_naming_another_issuer_is_refused(idp):
    with httpx.Client(timeout=5) as http:
        relying_party = OidcClient(
            http, idp.issuer.replace("127.0.0.1", "localhost"), CLIENT_ID, CLIENT_SECRET, REDIRECT_URI
        )
        with pytest.raises(OidcError, match="another issuer"):
            relying_party.start()


def test_unreachable_provider_is_an_oidc_error():
    with LoopbackServer() as server:
        issuer = server.url
    with httpx.Client(timeout=1) as http, pytest.raises(OidcError, match="could not be reached"):
        OidcClient(http, issuer, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI).start()
