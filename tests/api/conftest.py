"""Fixtures of the API tests: a council's records and the keys that reach them."""

import pytest
from sqlalchemy import select

from licensing.persistence.models import Screening
from tests.api.test_auth import bearer
from tests.factories import (
    make_api_client,
    make_authority,
    make_licence,
    make_police_force,
    make_register_entry,
    make_screened_application,
)


@pytest.fixture
def seeded(session) -> dict:
    """Seed a council's records; return the headers of its key and of a police key, and the records' ids."""
    authority = make_authority(session)
    application = make_screened_application(session, authority_id=authority.id)
    screening_id = session.scalar(select(Screening.id).where(Screening.application_id == application.id))
    ids = {
        "licence_id": make_licence(session, authority_id=authority.id).id,
        "entry_id": make_register_entry(session, authority_id=authority.id).id,
        "application_id": application.id,
        "screening_id": screening_id,
    }
    council = make_api_client(
        session,
        authority_id=authority.id,
        scopes=["council:read", "council:write", "council:decide", "admin"],
    )
    police = make_api_client(
        session, police_force_id=make_police_force(session).id, scopes=["police:intelligence"]
    )
    session.rollback()  # the app takes SQLite's write lock on each request: hold no transaction here
    return {"council": bearer(council[1]), "police": bearer(police[1]), "ids": ids}
