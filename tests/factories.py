"""make_* factories: build valid records with defaults, overriding only what a test cares about."""

from datetime import date, datetime
from itertools import count

from sqlmodel import Session

from licensing.models import Authority, PoliceForce

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
