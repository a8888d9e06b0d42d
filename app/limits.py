"""Rate limits (Flask-Limiter) for the endpoints anyone may call without a key.

Counters live in RATELIMIT_STORAGE_URI: memory:// for one process, Redis in production so that every
web process and host counts together (ProductionConfig leaves it empty and REDIS_URL is used).

If Redis cannot be reached the public check fails closed: it answers 503 with Retry-After until Redis
is back, and /readyz reports Redis as "degraded". Flask-Limiter's own fallback would count in each
process's memory instead, silently multiplying the budget by every worker on every host: 30 checks a
minute would become 30 x workers x hosts, enough to enumerate badge numbers. Residents can try again in
a minute; nothing else is limited, so officers and the API carry on.

Clients are told apart by request.remote_addr: behind reverse proxies, set TRUSTED_PROXIES to how many
there are, so that create_app wraps the app in werkzeug's ProxyFix and this is the resident's address
(the last one those proxies appended to X-Forwarded-For) and not the proxy's, nor one the client forged.
"""

import logging

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_smorest import Blueprint

from app.errors import error_response

RETRY_AFTER_SECONDS = 60  # how soon a refused resident may try again: about when a restarted Redis is up
log = logging.getLogger(__name__)


def init_app(app: Flask, blueprints: tuple[Blueprint, ...]) -> Limiter:
    """Limit every request to `blueprints` to PUBLIC_CHECK_RATE_LIMIT per client address."""
    storage = storage_uri(app.config)
    limiter = Limiter(
        key_func=get_remote_address,
        storage_uri=storage,
        storage_options=storage_options(app.config, storage),
        headers_enabled=True,  # Retry-After on the 429, and X-RateLimit-* on every limited answer
        in_memory_fallback_enabled=False,  # fail closed: see the module's docstring
        swallow_errors=False,
        key_prefix="crosscheck",
    )
    limiter.init_app(app)
    app.extensions["crosscheck.limiter"] = limiter
    app.register_error_handler(limiter.storage.base_exceptions, refuse_uncounted)
    for blueprint in blueprints:
        limit_public(app, blueprint)
    return limiter


def storage_uri(config) -> str:
    """Return where the counters live: RATELIMIT_STORAGE_URI, else REDIS_URL."""
    return config.get("RATELIMIT_STORAGE_URI") or config["REDIS_URL"]


def storage_options(config, storage: str) -> dict:
    """Return the Redis client's timeouts, so that a Redis that hangs fails a check in a second."""
    if not storage.startswith(("redis://", "rediss://", "redis+")):
        return {}
    seconds = float(config["RATE_LIMIT_REDIS_TIMEOUT_SECONDS"])
    return {"socket_connect_timeout": seconds, "socket_timeout": seconds}


def refuse_uncounted(error: Exception):
    """Answer 503 with Retry-After: a public check that cannot be counted is not answered."""
    log.warning(
        "rate limit storage unreachable: public check refused", extra={"error_type": type(error).__name__}
    )
    detail = "The licence check is unavailable for a moment. Try again in a minute."
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    return error_response(503, "Service Unavailable", detail, headers=headers)


def storage_state() -> str | None:
    """Return "ok" or "degraded" for a shared counter store, None for one process's memory."""
    limiter = current_app.extensions["crosscheck.limiter"]
    if storage_uri(current_app.config).startswith("memory://"):
        return None
    try:
        return "ok" if limiter.storage.check() else "degraded"
    except Exception:  # a storage that raises instead of answering False is just as unreachable
        return "degraded"


def limit_public(app: Flask, blueprint) -> None:
    """Count `blueprint`'s requests in the one per-address budget shared by every public check.

    The public page and the public API answer the same question, so one budget for both: separate
    budgets would double what a client may enumerate.
    """
    limiter = app.extensions["crosscheck.limiter"]
    limiter.shared_limit(public_rate_limit, scope="public-check")(blueprint)


def public_rate_limit() -> str:
    """Return the configured limit of the public endpoints, e.g. "30/minute"."""
    return current_app.config["PUBLIC_CHECK_RATE_LIMIT"]
