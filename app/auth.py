"""Authentication of API clients (bearer keys) and officers (session cookies)."""

from flask import g

from licensing.errors import Unauthenticated


def authenticate_api_client() -> None:
    """Resolve the bearer key of this request to an Actor in `g.actor`, or refuse with 401."""
    g.actor = None
    raise Unauthenticated("A valid API key is required.")
