"""Who may use the officer pages: signed-in officers only, some actions only for some roles.

Roles are the officer's coarse permissions, as scopes are an API key's: they are checked here, at the
boundary, and only here. Business permissions (a council sees and changes only its own records) stay in
the licensing services, which refuse another council's record as NotFound whoever asks.
"""

from functools import wraps

from flask import redirect, request, url_for

from app import auth
from licensing.actors import Actor
from licensing.errors import Forbidden

# Refusing, suspending, revoking and reinstating decide a driver's livelihood and go on the s.2 register:
# a manager decides them (the council's scheme of delegation), as an API key needs `council:decide`.
MANAGERS = ("manager", "admin")


def require_officer():
    """Send a signed-out visitor to the sign-in page (a before_request hook of every officer page)."""
    if auth.current_officer() is None:
        return redirect(url_for("officer.sign_in_page", next=request.path))
    return None


def actor() -> Actor:
    """Return the signed-in officer as the actor of a service call."""
    return auth.officer_actor()


def require_role(*roles: str):
    """Decorate a view so that only officers holding one of `roles` may use it (403 otherwise)."""

    def decorator(view):
        @wraps(view)
        def checked(*args, **kwargs):
            check_role(*roles)
            return view(*args, **kwargs)

        return checked

    return decorator


def has_role(*roles: str) -> bool:
    """Tell whether the signed-in officer holds one of `roles`."""
    officer = auth.current_officer()
    return officer is not None and officer.role in roles


def check_role(*roles: str) -> None:
    """Raise Forbidden unless the signed-in officer holds one of `roles`."""
    if not has_role(*roles):
        raise Forbidden("Your role does not allow this. Ask a licensing manager.")
