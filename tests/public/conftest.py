"""Fixtures of the public check page: a council with licences of every status."""

from datetime import date

import pytest

from app import create_app
from tests.conftest import TEST_SECRET
from tests.factories import make_authority, make_licence

DLN = "HUSSA803145I99AB"


@pytest.fixture
def wolverhampton(session):
    """Return a council with a contact address and one current licence, PH12345, with a display name."""
    authority = make_authority(
        session, code="E08000031", name="City of Wolverhampton Council", contact_email="taxis@council.example"
    )
    make_licence(
        session,
        authority_id=authority.id,
        badge_number="PH12345",
        licence_type="dual",
        expires_on=date(2027, 3, 3),
        display_name="Imran H.",
        driving_licence_number=DLN,
    )
    return authority


@pytest.fixture
def dudley(session):
    """Return a second council, with no contact address, that licenses nobody."""
    return make_authority(session, code="E08000027", name="Dudley Metropolitan Borough Council")


@pytest.fixture
def limited_client(database_url):
    """Return a client of an app that allows two public checks a minute per address."""
    config = {"ENV_NAME": "testing", "DATABASE_URL": database_url, "SECRET_KEY": TEST_SECRET}
    app = create_app(config | {"PUBLIC_CHECK_RATE_LIMIT": "2/minute"})
    yield app.test_client()
    app.extensions["crosscheck.engine"].dispose()
