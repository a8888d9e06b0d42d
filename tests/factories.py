"""make_* factories: build valid records with defaults, overriding only what a test cares about.

Each commits what it made, so that the app and every unit of work see it.
"""

from datetime import date, datetime
from itertools import count

from sqlmodel import Session

from licensing.persistence.models import Authority, PoliceForce

_seq = count(1)
NOW = datetime(2026, 11, 23, 10, 0, 0)


def make_authority(session: Session, **overrides) -> Authority:
    """Create and return an authority."""
    n = next(_seq)
    fields = {"code": f"E0{n:07d}", "name": f"Test Council {n}", "nation": "england"}
    authority = Authority(**(fields | overrides))
    session.add(authority)
    session.commit()
    return authority


def make_police_force(session: Session, **overrides) -> PoliceForce:
    """Create and return a police force."""
    n = next(_seq)
    fields = {"code": f"E2{n:07d}", "name": f"Test Police {n}", "nation": "england"}
    force = PoliceForce(**(fields | overrides))
    session.add(force)
    session.commit()
    return force


def identity(**overrides) -> dict:
    """Return a synthetic identity's fields."""
    fields = {
        "given_names": "Imran",
        "family_name": "Hussain",
        "date_of_birth": date(1985, 3, 14),
        "sex": "M",
        "address": "12 Example Street, Testtown",
        "postcode": "WV1 1AA",
        "ni_number": "AB123456C",
        "driving_licence_number": "HUSSA803145I99AB",
    }
    return fields | overrides


OFFICER_PASSWORD = "correct horse battery staple"


def make_api_client(session: Session, *, scopes=("council:read",), **overrides):
    """Create an API client (for a new authority unless an organisation is given); return it and its key."""
    from licensing.access.clients import create_client

    if "authority_id" not in overrides and "police_force_id" not in overrides:
        overrides["authority_id"] = make_authority(session).id
    fields = {"name": f"Test client {next(_seq)}", "scopes": scopes, "now": NOW}
    made = create_client(session, **(fields | overrides))
    session.commit()
    return made


def make_user(session: Session, **overrides):
    """Create an officer (of a new authority unless one is given) whose password is OFFICER_PASSWORD."""
    from licensing.access.users import create_user

    if "authority_id" not in overrides:
        overrides["authority_id"] = make_authority(session).id
    n = next(_seq)
    fields = {
        "email": f"officer{n}@council.example",
        "name": f"Test Officer {n}",
        "password": OFFICER_PASSWORD,
        "role": "officer",
        "now": NOW,
    }
    user = create_user(session, **(fields | overrides))
    session.commit()
    return user


def make_screened_application(
    session: Session, *, authority_id: int | None = None, screened_at=NOW, **overrides
):
    """Create a pending application and screen it at `screened_at` (no screening when it is None)."""
    from licensing.actors import Actor
    from licensing.matching import person_from
    from licensing.persistence.models import Application
    from licensing.screening.service import screen

    authority_id = authority_id or make_authority(session).id
    n = next(_seq)
    fields = identity() | {"ref": f"APP-{n}", "kind": "new", "licence_type": "phv", "received_on": NOW.date()}
    application = Application(
        authority_id=authority_id, created_at=NOW, updated_at=NOW, **(fields | overrides)
    )
    session.add(application)
    session.commit()
    if screened_at is not None:
        officer = Actor(kind="user", id=None, label="Test officer", authority_id=authority_id)
        person = person_from(application)
        screen(
            session, officer, person, purpose="application", now=screened_at, application_id=application.id
        )
        session.commit()
    return application


def make_licence(session: Session, *, authority_id: int | None = None, **overrides):
    """Create an active licence (of a new authority unless one is given), indexed for screening."""
    from licensing.persistence.models import Licence
    from licensing.screening.key_index import index_record

    authority_id = authority_id or make_authority(session).id
    n = next(_seq)
    fields = identity() | {
        "ref": f"LIC-{n}",
        "badge_number": f"PH{n:05d}",
        "licence_type": "phv",
        "status": "active",
        "granted_on": date(2025, 1, 1),
        "expires_on": date(2027, 12, 31),
    }
    licence = Licence(authority_id=authority_id, created_at=NOW, updated_at=NOW, **(fields | overrides))
    session.add(licence)
    session.flush()
    index_record(session, "licence", licence)
    session.commit()
    return licence


def make_register_entry(session: Session, *, authority_id: int | None = None, **overrides):
    """Record a current register entry (of a new authority unless one is given), indexed for screening."""
    from licensing.actors import Actor
    from licensing.register.entries import record_entry

    authority_id = authority_id or make_authority(session).id
    n = next(_seq)
    fields = identity() | {
        "ref": f"RE-{n}",
        "decision": "revocation",
        "category": "sexual_offences",
        "decided_on": date(2025, 1, 10),
        "effective_on": date(2025, 1, 31),
    }
    officer = Actor(kind="user", id=None, label="Test officer", authority_id=authority_id)
    entry = record_entry(session, officer, fields | overrides, NOW)
    session.commit()
    return entry


def make_screening(session: Session, *, authority_id: int, now=NOW, **identity_overrides):
    """Screen the default identity (with overrides) ad hoc for an authority; return the result."""
    from licensing.actors import Actor
    from licensing.matching import person_of
    from licensing.screening.service import screen

    officer = Actor(kind="user", id=None, label="Test officer", authority_id=authority_id)
    person = person_of(identity() | {"previous_names": ""} | identity_overrides)
    result = screen(session, officer, person, purpose="ad_hoc", now=now, own_authority_id=authority_id)
    session.commit()
    return result
