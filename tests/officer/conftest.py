"""Officer page fixtures: a signed-in client for an officer of a given role, and CSRF tokens."""

import re

import pytest

from tests.factories import OFFICER_PASSWORD, make_authority, make_user
from tests.units import count_of, stored  # noqa: F401 (re-exported: the officer tests read through them)

TOKEN = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')


def csrf_token(client, path: str) -> str:
    """Return the first CSRF token on the page at `path`."""
    return TOKEN.search(client.get(path).get_data(as_text=True)).group(1)


def sign_in(client, user) -> None:
    """Sign `user` in through the sign-in form."""
    token = csrf_token(client, "/sign-in")
    data = {"email": user.email, "password": OFFICER_PASSWORD, "csrf_token": token}
    response = client.post("/sign-in", data=data)
    assert response.status_code == 302


def date_fields(name: str, day) -> dict:
    """Return the three boxes of a GOV.UK date input holding `day`."""
    return {f"{name}-day": str(day.day), f"{name}-month": str(day.month), f"{name}-year": str(day.year)}


@pytest.fixture
def authority(session):
    """Return the signed-in officers' authority."""
    return make_authority(session, name="Testshire District Council")


@pytest.fixture
def officer(session, authority):
    """Return an officer (role officer) of `authority`."""
    return make_user(session, authority_id=authority.id, name="Olive Officer", role="officer")


@pytest.fixture
def manager(session, authority):
    """Return a licensing manager of `authority`."""
    return make_user(session, authority_id=authority.id, name="Mina Manager", role="manager")


@pytest.fixture
def officer_client(client, officer):
    """Return a client signed in as `officer`."""
    sign_in(client, officer)
    return client


@pytest.fixture
def manager_client(client, manager):
    """Return a client signed in as `manager`."""
    sign_in(client, manager)
    return client


def other_actor(authority):
    """Return an officer of `authority` as the actor of a service call made outside the pages."""
    from licensing.actors import Actor

    return Actor(kind="user", id=None, label="Other officer", authority_id=authority.id)


def shows_error(page: str, field: str, message: str) -> bool:
    """Tell whether a page has the GOV.UK error summary linking to `field` and the inline `message`."""
    return "There is a problem" in page and f'href="#{field}"' in page and page.count(message) >= 2
