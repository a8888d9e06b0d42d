"""Sign-in through a council's own identity provider (OpenID Connect), set up with `flask authorities oidc`.

The officer picks their council on the sign-in page and is sent to its provider; the provider sends them
back to /sign-in/council/callback, which checks the answer (integrations/oidc.py) and signs in the
account of that council with the address the provider vouched for (licensing/access/oidc.py). The provider's
own sign-in stands in for our second factor: councils enforce theirs there.
"""

import logging
import os
from datetime import datetime, timedelta

import httpx
from flask import Blueprint, Flask, abort, current_app, redirect, render_template, request, session, url_for

from app import auth, db
from integrations.oidc import OidcClient, OidcError
from licensing.access import oidc
from licensing.clock import utcnow
from licensing.errors import Unauthenticated
from licensing.persistence.models import IdentityProvider
from licensing.reference import authority_by_code

bp = Blueprint("oidc", __name__)
log = logging.getLogger(__name__)
PENDING_KEY = "oidc_sign_in"
PENDING_LIFETIME = timedelta(minutes=10)
CALLBACK_PATH = "/sign-in/council/callback"
TIMEOUT_SECONDS = 10.0
UNAVAILABLE = (
    "Your council's sign-in service cannot be used at the moment. Try again later, or contact your IT team."
)
RESTART = "This sign-in was not started here or took too long. Start again from the sign-in page."
NOT_COMPLETED = (
    "Your council's sign-in could not be completed. Start again from the sign-in page; "
    "if it happens again, contact your IT team."
)


def init_app(app: Flask) -> None:
    """Register the council sign-in pages and let the sign-in page list the councils that have them."""
    app.register_blueprint(bp)
    app.add_template_global(council_sign_ins)


def council_sign_ins() -> list[tuple[str, str]]:
    """Return (GSS code, name) of every authority whose officers sign in through their own provider."""
    return [(authority.code, authority.name) for _, authority in oidc.providers(db.session())]


@bp.get(CALLBACK_PATH)
@db.writes_on_get
def callback():
    """Check the provider's answer and sign the officer in, or say why not."""
    pending = session.pop(PENDING_KEY, None)  # one answer per start: a replayed callback finds nothing
    provider = _pending_provider(pending)
    if provider is None:
        return _refusal(RESTART, 400)
    try:
        with _http() as http:
            claims = _client(provider, http).finish(pending, request.args.to_dict())
    except OidcError as error:
        log.warning("oidc sign-in refused for authority %s: %s", pending["authority"], error)
        return _refusal(NOT_COMPLETED, 400)
    try:
        user = oidc.officer_for_claims(db.session(), provider, claims, utcnow())
    except Unauthenticated as refusal:
        return _refusal(refusal.detail, 403)
    auth.sign_in_officer(user)
    return redirect(url_for("officer_dashboard.index"))


@bp.get("/sign-in/council/<code>")
def start(code: str):
    """Send the officer to their council's provider, remembering what its answer must match."""
    authority = authority_by_code(db.session(), code)
    provider = oidc.provider_of(db.session(), authority.id) if authority else None
    if provider is None:
        abort(404)
    try:
        with _http() as http:
            address, pending = _client(provider, http).start()
    except OidcError as error:
        log.warning("oidc provider of authority %s unusable: %s", authority.code, error)
        return _refusal(UNAVAILABLE, 502)
    session[PENDING_KEY] = pending | {"authority": authority.code, "at": utcnow().isoformat()}
    return redirect(address)


def _pending_provider(pending) -> IdentityProvider | None:
    """Return the provider a recent sign-in of this session was started with, if there is one."""
    if (
        not isinstance(pending, dict)
        or not {"state", "nonce", "verifier", "authority", "at"} <= pending.keys()
    ):
        return None
    try:
        started = datetime.fromisoformat(pending["at"])
    except (TypeError, ValueError):
        return None
    authority = authority_by_code(db.session(), pending["authority"])
    if authority is None or utcnow() - started > PENDING_LIFETIME:
        return None
    return oidc.provider_of(db.session(), authority.id)


def _http() -> httpx.Client:
    """Return the HTTP client of one exchange with a provider: short timeout, no redirects followed."""
    return httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False)


def _client(provider: IdentityProvider, http: httpx.Client) -> OidcClient:
    """Return a relying party of the provider, with the client secret from its environment variable."""
    secret = os.environ.get(provider.client_secret_env)
    if not secret:
        raise OidcError(f"the client secret variable {provider.client_secret_env} is not set")
    redirect_uri = current_app.config["PUBLIC_BASE_URL"].rstrip("/") + CALLBACK_PATH
    return OidcClient(http, provider.issuer, provider.client_id, secret, redirect_uri)


def _refusal(message: str, status: int):
    """Show why the council sign-in did not work."""
    return render_template("officer/oidc_refused.html", message=message), status
