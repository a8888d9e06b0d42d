"""Authentication of API clients (bearer keys) and officers (session cookies), and CSRF for forms.

API clients: `authenticate_api_client` runs before every request to an API blueprint (app.api attaches
it) and puts the client's Actor in `g.actor`, or refuses with 401. The OpenAPI document is served by
flask-smorest's own blueprint, so it stays public.

Scopes: coarse permissions of API keys are checked at the API boundary, and only there, with the
`@require_scope("council:read")` decorator on each view method; a missing scope is a 403. Officers have
roles, not scopes. Business permissions ("a council reads only its own applications") are checked by the
licensing services against the actor, whoever it is.

Officers: `sign_in_officer` starts a fresh session holding the officer's id, their session version and
when it started; `current_officer` loads the officer for this request, or None when signed out, disabled,
removed, idle for OFFICER_SESSION_IDLE_MINUTES, signed in for over OFFICER_SESSION_MAX_HOURS, or when
the officer's session version has moved on: sign-out, a password change and disabling raise it, so a
copy of the cookie stops working on the server's word, not the browser's.

CSRF: every state-changing request outside /api needs a Flask-WTF token. /api is exempt as a whole:
it authenticates with bearer keys, never cookies, so a forged cross-site request carries no credentials.
"""

import time
from functools import wraps

from flask import Flask, current_app, g, request, session
from flask_smorest import Blueprint
from flask_wtf.csrf import CSRFProtect

from app import db, errors
from app.config import ConfigError
from licensing.access import clients
from licensing.access.users import actor_for, end_sessions
from licensing.actors import Actor
from licensing.clock import utcnow
from licensing.errors import Unauthenticated
from licensing.persistence.models import User
from licensing.reference import reorganisation

csrf = CSRFProtect()
SESSION_USER_KEY = "officer_id"
OFFICER_KEYS = (SESSION_USER_KEY, "version", "signed_in_at", "seen_at")
SEEN_AT_GRANULARITY = 60  # seconds: how stale "seen_at" may be before the cookie is rewritten


def init_app(app: Flask) -> None:
    """Protect every form outside /api against cross-site request forgery; check the session settings."""
    # The check runs in our own hook so that /api is exempt by path, including its 404s and 405s.
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    csrf.init_app(app)
    app.before_request(_protect_forms)
    for setting in ("OFFICER_SESSION_IDLE_MINUTES", "OFFICER_SESSION_MAX_HOURS"):
        if not str(app.config[setting]).isdigit() or int(app.config[setting]) < 1:
            raise ConfigError(f"{setting} must be a whole number, 1 or more.")


def authenticate_api_client() -> None:
    """Resolve the bearer key of this request to an Actor in `g.actor`, or refuse with 401."""
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    presented = key.strip() if scheme.lower() == "bearer" else None
    now = utcnow()
    client = clients.client_for_key(db.session(), presented)
    # After a reorganisation a predecessor's key acts for the successor, or is refused if the change
    # disabled it (licensing.reference.reorganisation).
    actor = reorganisation.acting_as(db.session(), clients.actor_for(client), now.date())
    if actor is None:
        raise Unauthenticated(clients.REFUSAL)
    g.actor = actor
    if clients.use_to_note(client, now):
        _note_use(client.id, now)


def _note_use(client_id: int, now) -> None:
    """Stamp the key's last use in the request's unit when it writes, else in a writing unit of its own.

    Reading requests (most of them) stay in a reading unit: the stamp, once a minute, does not make them
    wait for writers.
    """
    if db.writes():
        clients.note_use(db.session(), client_id, now)
        return
    with db.writing() as session:
        clients.note_use(session, client_id, now)


def require_scope(scope: str):
    """Decorate a view method so that only API clients holding `scope` may call it (403 otherwise)."""

    def decorator(view):
        @wraps(view)
        def checked(*args, **kwargs):
            actor = g.get("actor")
            if actor is None:  # a view on a blueprint that app.api did not guard fails closed
                raise Unauthenticated(clients.REFUSAL)
            actor.require_scope(scope)
            return view(*args, **kwargs)

        checked.required_scope = scope
        return Blueprint.doc(security=[{"bearer": []}], **{"x-required-scope": scope})(checked)

    return decorator


def sign_in_officer(user: User) -> None:
    """Start a new session for `user`, dropping anything the old one held."""
    now = _epoch()
    session.clear()
    session.update(
        {SESSION_USER_KEY: user.id, "version": user.session_version, "signed_in_at": now, "seen_at": now}
    )
    g.pop("officer", None)


def sign_out_officer() -> None:
    """End the officer's sessions on the server, so a copy of this cookie is signed out too."""
    officer = current_officer()  # a cookie whose session has already ended cannot end the current ones
    session.clear()
    g.pop("officer", None)
    if officer is not None:
        end_sessions(db.session(), officer.id)


def current_officer() -> User | None:
    """Return the signed-in officer, or None (and forget the session) when it has ended."""
    if "officer" not in g:
        user_id = session.get(SESSION_USER_KEY)
        user = db.session().get(User, user_id) if user_id is not None else None
        g.officer = user if user is not None and _session_is_current(user, _epoch()) else None
        if g.officer is not None:
            # A reorganisation may move the officer to the successor council, or end their access.
            g.officer_actor = reorganisation.acting_as(db.session(), actor_for(g.officer), utcnow().date())
            if g.officer_actor is None:
                g.officer = None
        if user_id is not None and g.officer is None:
            for key in OFFICER_KEYS:  # not clear(): this request's CSRF token may already be in it
                session.pop(key, None)
    return g.officer


def _session_is_current(user: User, now: int) -> bool:
    """Tell whether this request's session of `user` is still theirs, and note that it was used now."""
    config = current_app.config
    idle = int(config["OFFICER_SESSION_IDLE_MINUTES"]) * 60
    lifetime = int(config["OFFICER_SESSION_MAX_HOURS"]) * 3600
    current = (
        user.active
        and session.get("version") == user.session_version
        and now - session.get("seen_at", 0) < idle
        and now - session.get("signed_in_at", 0) < lifetime
    )
    if current and now - session["seen_at"] >= SEEN_AT_GRANULARITY:
        session["seen_at"] = now  # rewrites the cookie at most once a minute, not on every request
    return current


def _epoch() -> int:
    """Return the current time in whole seconds, the form the session cookie keeps."""
    return int(time.time())


def officer_actor() -> Actor | None:
    """Return the signed-in officer as an Actor, or None."""
    user = current_officer()
    return g.officer_actor if user is not None else None


def _protect_forms() -> None:
    """Check the CSRF token of a state-changing request outside /api."""
    if not errors.wants_problem_json():
        csrf.protect()
