"""Sign-in throttling: failed sign-ins slow further guesses without letting anyone lock an officer out.

Only failures count, in three budgets (settings in app.config, limits' syntax):

- SIGN_IN_ACCOUNT_LIMIT per e-mail address, for browsers that have not signed in to that account before.
  Unknown addresses are counted the same way, so being slowed down tells nobody that an account exists.
- SIGN_IN_ADDRESS_LIMIT per client address across all e-mail addresses, so one password cannot be
  sprayed across every account from one place.
- SIGN_IN_DEVICE_LIMIT per browser that has signed in to the account before: a signed "device cookie"
  set at each successful sign-in (the OWASP device-cookie scheme). That browser is counted on its own
  budget only, so an attacker elsewhere who exhausts the account's budget cannot keep its officer out.

The counters live in the app's limiter storage (Redis in production, shared by every web process). If it
cannot be reached, each process counts in its own memory: slower attackers are still slowed, and
officers are not all locked out by a storage fault.
"""

import hashlib
import hmac
import logging
import secrets
import time
from dataclasses import dataclass

from flask import Flask, Response, current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from limits import parse_many
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter, RateLimiter

from app.config import ConfigError
from licensing.access.users import normalise_email

log = logging.getLogger(__name__)
DEVICE_COOKIE = "crosscheck_device"
DEVICE_DAYS = 180
DEVICE_ACCOUNTS = 5  # accounts one browser is trusted for: a shared office computer has a few officers
_NAMESPACE = "sign-in"
SETTINGS = ("SIGN_IN_ACCOUNT_LIMIT", "SIGN_IN_ADDRESS_LIMIT", "SIGN_IN_DEVICE_LIMIT")


def check_settings(app: Flask) -> None:
    """Refuse to start with a sign-in limit that limits' syntax cannot read, rather than fail at sign-in."""
    for setting in SETTINGS:
        try:
            parse_many(app.config[setting])
        except ValueError:
            raise ConfigError(f"{setting} must read like '10 per 15 minutes;50 per day'.") from None


@dataclass(frozen=True)
class Budget:
    """One counter an attempt is charged to: the setting naming its limit and the counter's key."""

    setting: str
    key: str


def budgets_for(email: str) -> tuple[Budget, ...]:
    """Return the budgets a sign-in attempt for `email` from this request is counted in."""
    account = account_key(email)
    device = _trusted_device(account)
    if device:
        return (Budget("SIGN_IN_DEVICE_LIMIT", f"device/{device}"),)
    return (
        Budget("SIGN_IN_ACCOUNT_LIMIT", f"account/{account}"),
        Budget("SIGN_IN_ADDRESS_LIMIT", f"address/{request.remote_addr}"),
    )


def seconds_to_wait(budgets: tuple[Budget, ...]) -> int:
    """Return how long until every budget allows another attempt, 0 if they all do now."""
    waits = [0]
    for budget, item in _items(budgets):
        if not _call("test", item, _NAMESPACE, budget.key):
            reset_at = _call("get_window_stats", item, _NAMESPACE, budget.key).reset_time
            waits.append(max(1, int(reset_at - time.time()) + 1))
    return max(waits)


def count_failure(budgets: tuple[Budget, ...]) -> None:
    """Charge one failed sign-in to each budget."""
    for budget, item in _items(budgets):
        _call("hit", item, _NAMESPACE, budget.key)


def remember_device(response: Response, email: str) -> None:
    """Set the device cookie that lets this browser sign in to `email`'s account on its own budget."""
    held = _device_cookie() or {"device": secrets.token_urlsafe(16), "accounts": []}
    account = account_key(email)
    others = [a for a in held["accounts"] if a != account][-(DEVICE_ACCOUNTS - 1) :]
    response.set_cookie(
        DEVICE_COOKIE,
        _serializer().dumps({"device": held["device"], "accounts": [*others, account]}),
        max_age=DEVICE_DAYS * 86400,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )


def account_key(email: str) -> str:
    """Return the counter key of an e-mail address: keyed with the secret, so storage holds no addresses."""
    secret = current_app.secret_key.encode()
    return hmac.new(secret, normalise_email(email).encode(), hashlib.sha256).hexdigest()[:32]


def _trusted_device(account: str) -> str | None:
    """Return this browser's device id if it has signed in to `account` before, else None."""
    held = _device_cookie()
    return held["device"] if held and account in held["accounts"] else None


def _device_cookie() -> dict | None:
    """Return the contents of a valid, unexpired device cookie, or None."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return None
    try:
        held = _serializer().loads(raw, max_age=DEVICE_DAYS * 86400)
    except BadSignature:
        return None
    return held if isinstance(held, dict) and {"device", "accounts"} <= held.keys() else None


def _serializer() -> URLSafeTimedSerializer:
    """Return the signer of device cookies."""
    return URLSafeTimedSerializer(current_app.secret_key, salt="crosscheck.sign-in-device")


def _items(budgets: tuple[Budget, ...]):
    """Yield each budget with each window of its limit."""
    for budget in budgets:
        for item in parse_many(current_app.config[budget.setting]):
            yield budget, item


def _call(method: str, *args):
    """Call `method` of the shared limiter, or of this process's own memory when its storage is down."""
    try:
        return getattr(_shared(current_app), method)(*args)
    except Exception:  # any storage fault: Redis down, timed out, refusing
        log.warning("sign-in throttle storage unreachable: counting in this process's memory")
        return getattr(_fallback(current_app), method)(*args)


def _shared(app: Flask) -> RateLimiter:
    """Return the limiting strategy over the app's shared limiter storage."""
    return app.extensions["crosscheck.limiter"].limiter


def _fallback(app: Flask) -> RateLimiter:
    """Return this process's own in-memory limiter, made on first need."""
    return app.extensions.setdefault("crosscheck.sign_in_fallback", FixedWindowRateLimiter(MemoryStorage()))
