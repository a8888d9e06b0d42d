"""Rate limits (Flask-Limiter) for the endpoints anyone may call without a key.

Counters live in RATELIMIT_STORAGE_URI: memory:// for one process, Redis in production so that every
web process and host counts together (ProductionConfig leaves it empty and REDIS_URL is used). If Redis
cannot be reached the limiter falls back to per-process memory rather than failing the request.

Clients are told apart by request.remote_addr: behind reverse proxies, set TRUSTED_PROXIES to how many
there are, so that create_app wraps the app in werkzeug's ProxyFix and this is the resident's address
(the last one those proxies appended to X-Forwarded-For) and not the proxy's, nor one the client forged.
"""

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_smorest import Blueprint


def init_app(app: Flask, blueprints: tuple[Blueprint, ...]) -> Limiter:
    """Limit every request to `blueprints` to PUBLIC_CHECK_RATE_LIMIT per client address."""
    storage = app.config.get("RATELIMIT_STORAGE_URI") or app.config["REDIS_URL"]
    limiter = Limiter(
        key_func=get_remote_address,
        storage_uri=storage,
        headers_enabled=True,  # Retry-After on the 429, and X-RateLimit-* on every limited answer
        in_memory_fallback_enabled=not storage.startswith("memory://"),
        key_prefix="crosscheck",
    )
    limiter.init_app(app)
    app.extensions["crosscheck.limiter"] = limiter
    for blueprint in blueprints:
        limit_public(app, blueprint)
    return limiter


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
