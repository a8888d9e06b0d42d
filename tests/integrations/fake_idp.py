"""A council's OpenID Connect identity provider for LoopbackServer, speaking the protocol as written.

It serves discovery (/.well-known/openid-configuration), its keys (/jwks), the authorize endpoint (which
signs in `person` at once and redirects back with a code and the state) and the token endpoint (client
secret, redirect URI and PKCE verifier checked; an RS256 ID token signed with PyJWT). Tests change what it
issues through `claims` (merged into the ID token), `signing_key` (a forger's key) or `algorithm`.
"""

import base64
import hashlib
import json
import secrets
import threading
import time
from urllib.parse import parse_qs, urlencode

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.integrations.servers import Recorded, Reply

KEY_ID = "council-key-1"


def new_key() -> rsa.RSAPrivateKey:
    """Return a fresh 2048-bit RSA key."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class FakeIdentityProvider:
    """One provider with one registered client (Crosscheck) and one person signed in at it."""

    def __init__(self, client_id: str, client_secret: str, redirect_uri: str):
        """Register the client; `issuer` is set once the server has its address."""
        self.client_id, self.client_secret, self.redirect_uri = client_id, client_secret, redirect_uri
        self.issuer = ""
        self.key = new_key()
        self.signing_key = self.key  # swap for another key to forge a token
        self.algorithm = "RS256"
        self.person = {
            "sub": "a1b2c3-subject",
            "email": "olive.officer@testshire.gov.uk",
            "email_verified": True,
        }
        self.claims: dict = {}  # merged into the next ID tokens: a wrong aud, an old exp...
        self.codes: dict[str, dict] = {}
        self.refusals: list[str] = []  # why the token endpoint refused a request
        self._lock = threading.Lock()

    def __call__(self, request: Recorded) -> Reply:
        """Answer a request to any of the provider's endpoints."""
        routes = {
            "/.well-known/openid-configuration": self.discovery,
            "/jwks": self.jwks,
            "/authorize": self.authorize,
            "/token": self.token,
        }
        handler = routes.get(request.path)
        return handler(request) if handler else Reply(404, {"error": "not_found"})

    def discovery(self, request: Recorded) -> Reply:
        """Serve the discovery document."""
        base = self.issuer.rstrip("/")
        return Reply(
            200,
            {
                "issuer": self.issuer,
                "authorization_endpoint": f"{base}/authorize",
                "token_endpoint": f"{base}/token",
                "jwks_uri": f"{base}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic"],
            },
        )

    def jwks(self, request: Recorded) -> Reply:
        """Serve the provider's public signing key."""
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return Reply(200, {"keys": [jwk | {"kid": KEY_ID, "use": "sig", "alg": "RS256"}]})

    def authorize(self, request: Recorded) -> Reply:
        """Sign `person` in and send them back to the client with a code and the client's state."""
        q = request.query
        if q.get("client_id") != self.client_id or q.get("redirect_uri") != self.redirect_uri:
            return Reply(400, "unknown client or redirect URI")
        if q.get("response_type") != "code" or q.get("code_challenge_method") != "S256":
            return Reply(400, "unsupported request")
        code = secrets.token_urlsafe(24)
        with self._lock:
            self.codes[code] = {
                "nonce": q.get("nonce"),
                "challenge": q["code_challenge"],
                "person": dict(self.person),
            }
        target = f"{self.redirect_uri}?{urlencode({'code': code, 'state': q.get('state', '')})}"
        return Reply(302, headers={"location": target})

    def token(self, request: Recorded) -> Reply:
        """Redeem a code once for an access token and a signed ID token."""
        form = {k: v[0] for k, v in parse_qs(request.body.decode()).items()}
        with self._lock:
            grant = self.codes.pop(form.get("code", ""), None)
        problem = self._token_problem(request, form, grant)
        if problem:
            self.refusals.append(problem)
            return Reply(400, {"error": "invalid_grant", "error_description": problem})
        access_token = secrets.token_urlsafe(32)
        id_token = self.id_token(grant["person"], grant["nonce"], access_token)
        return Reply(
            200,
            {"access_token": access_token, "token_type": "Bearer", "expires_in": 3600, "id_token": id_token},
        )

    def id_token(self, person: dict, nonce: str | None, access_token: str) -> str:
        """Sign an ID token for `person`, with `claims` applied on top."""
        now = int(time.time())
        digest = hashlib.sha256(access_token.encode()).digest()[:16]
        claims = person | {
            "iss": self.issuer,
            "aud": self.client_id,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "at_hash": base64.urlsafe_b64encode(digest).rstrip(b"=").decode(),
        }
        claims = {k: v for k, v in (claims | self.claims).items() if v is not None}
        key = self.signing_key if self.algorithm.startswith("RS") else self.client_secret
        return jwt.encode(claims, key, algorithm=self.algorithm, headers={"kid": KEY_ID})

    def _token_problem(self, request: Recorded, form: dict, grant: dict | None) -> str:
        """Return why a token request must be refused, or ""."""
        expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        if request.headers.get("authorization") != f"Basic {expected}":
            return "client authentication failed"
        if form.get("grant_type") != "authorization_code" or grant is None:
            return "unknown or used code"
        if form.get("redirect_uri") != self.redirect_uri:
            return "redirect URI differs"
        verifier = form.get("code_verifier", "").encode()
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=").decode()
        return "" if challenge == grant["challenge"] else "PKCE verifier does not match"


def unsigned_token(claims: dict) -> str:
    """Return a token with alg "none" and no signature, as a forger would try."""
    part = lambda data: base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()  # noqa: E731
    return f"{part({'alg': 'none', 'kid': KEY_ID})}.{part(claims)}."
