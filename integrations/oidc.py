"""OpenID Connect sign-in against a council's identity provider: the authorization code flow with PKCE.

`start()` returns the provider's authorize address and what the callback must find again (state, nonce,
PKCE verifier); `finish()` checks the callback's state, exchanges the code at the token endpoint and
returns the ID token's claims once Authlib (with joserfc) has checked them: the signature against the
provider's published keys, the issuer, the audience (our client id), the expiry, the nonce and at_hash.
Only asymmetric signatures are accepted, never "none" and never an HMAC keyed with the client secret.
"""

import hmac
import time
from urllib.parse import quote, urlencode

import httpx
from authlib.common.security import generate_token
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

ALGORITHMS = ("RS256", "PS256", "ES256")
LEEWAY_SECONDS = 60  # clock skew allowed between the provider and us on exp and iat
SCOPE = "openid email profile"


class OidcError(Exception):
    """The provider could not be used, or its answer cannot be trusted; the message holds no secret."""


class OidcClient:
    """One relying party of one provider; the httpx client's timeout and transport are the caller's."""

    def __init__(
        self, client: httpx.Client, issuer: str, client_id: str, client_secret: str, redirect_uri: str
    ):
        """Keep the provider's settings; nothing is fetched until needed."""
        self.client = client
        self.issuer = issuer
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uri = redirect_uri
        self._metadata: dict | None = None

    def metadata(self) -> dict:
        """Return the provider's discovery document, which must name this issuer exactly."""
        if self._metadata is None:
            # OpenID Connect Discovery 1.0 s.4: the issuer without a trailing slash, then the well-known path.
            document = self._get_json(f"{self.issuer.rstrip('/')}/.well-known/openid-configuration")
            if document.get("issuer") != self.issuer:
                raise OidcError("the discovery document names another issuer")
            self._metadata = document
        return self._metadata

    def start(self) -> tuple[str, dict]:
        """Return the authorize address to send the officer to, and what the callback must be given back."""
        pending = {"state": generate_token(32), "nonce": generate_token(32), "verifier": generate_token(64)}
        params = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": SCOPE,
            "state": pending["state"],
            "nonce": pending["nonce"],
            "code_challenge": create_s256_code_challenge(pending["verifier"]),
            "code_challenge_method": "S256",
        }
        endpoint = self.metadata()["authorization_endpoint"]
        separator = "&" if "?" in endpoint else "?"
        return f"{endpoint}{separator}{urlencode(params)}", pending

    def finish(self, pending: dict, callback: dict) -> dict:
        """Check the callback against `pending`, redeem its code and return the ID token's checked claims."""
        if callback.get("error"):
            raise OidcError(f"the provider refused the sign-in: {callback['error']}")
        if not hmac.compare_digest(str(callback.get("state", "")), pending["state"]):
            raise OidcError("the callback's state is not the one this sign-in sent")
        if not callback.get("code"):
            raise OidcError("the callback carries no code")
        tokens = self._redeem(callback["code"], pending["verifier"])
        return self.check_id_token(tokens.get("id_token"), pending["nonce"], tokens.get("access_token"))

    def check_id_token(
        self, id_token, nonce: str, access_token: str | None = None, now: int | None = None
    ) -> dict:
        """Return the ID token's claims if its signature, issuer, audience, times and nonce all hold."""
        if not isinstance(id_token, str):
            raise OidcError("the token endpoint returned no ID token")
        try:
            token = jwt.decode(id_token, self._keys(), algorithms=self._algorithms())
            options = {
                "iss": {"essential": True, "value": self.issuer},
                "aud": {"essential": True, "value": self.client_id},
            }
            params = {"nonce": nonce, "client_id": self.client_id, "access_token": access_token}
            claims = CodeIDToken(token.claims, token.header, options, params)
            claims.validate(now=int(time.time()) if now is None else now, leeway=LEEWAY_SECONDS)
        except (JoseError, ValueError) as error:
            raise OidcError(f"the ID token is not valid: {error}") from None
        return dict(claims)

    def _redeem(self, code: str, verifier: str) -> dict:
        """Exchange the authorization code at the token endpoint (client_secret_basic)."""
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self.redirect_uri,
            "code_verifier": verifier,
        }
        endpoint = self.metadata()["token_endpoint"]
        try:
            response = self.client.post(endpoint, data=form, auth=self._basic_auth())
        except httpx.HTTPError as error:
            raise OidcError(f"the token endpoint could not be reached: {type(error).__name__}") from None
        if response.status_code != 200:
            raise OidcError(f"the token endpoint answered {response.status_code}")
        return _json_object(response)

    def _basic_auth(self) -> tuple[str, str]:
        """Return the client id and secret form-encoded, as client_secret_basic needs (RFC 6749 s.2.3.1)."""
        return quote(self.client_id, safe=""), quote(self.client_secret, safe="")

    def _keys(self) -> KeySet:
        """Return the provider's published signing keys."""
        return KeySet.import_key_set(self._get_json(self.metadata()["jwks_uri"]))

    def _algorithms(self) -> list[str]:
        """Return the asymmetric algorithms both we and the provider accept."""
        offered = self.metadata().get("id_token_signing_alg_values_supported") or ["RS256"]
        return [alg for alg in ALGORITHMS if alg in offered]

    def _get_json(self, url: str) -> dict:
        """GET a JSON object from the provider."""
        try:
            response = self.client.get(url)
        except httpx.HTTPError as error:
            raise OidcError(f"{url} could not be reached: {type(error).__name__}") from None
        if response.status_code != 200:
            raise OidcError(f"{url} answered {response.status_code}")
        return _json_object(response)


def _json_object(response: httpx.Response) -> dict:
    """Return the response's JSON object, or raise OidcError."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise OidcError(f"{response.request.url} did not answer with a JSON object")
    return body
