"""Every statement the reference data runs: the licensing authorities and police forces, by code.

Each function takes the session and the values it filters by, and returns what it found. None commits:
the unit of work does.
"""

from sqlmodel import Session, select

from licensing.persistence.models.organisations import Authority, PoliceForce

Organisation = type[Authority] | type[PoliceForce]


def authorities(session: Session, nation: str | None = None) -> list[Authority]:
    """Return the authorities, of one nation if `nation` is given, in code order."""
    query = select(Authority).order_by(Authority.code)
    if nation:
        query = query.where(Authority.nation == nation)
    return list(session.exec(query))


def organisations(session: Session, model: Organisation) -> list[Authority] | list[PoliceForce]:
    """Return every authority, or every police force, in no particular order."""
    return list(session.exec(select(model)))


def organisation_by_code(session: Session, model: Organisation, code: str) -> Authority | PoliceForce | None:
    """Return the authority, or the police force, with exactly this GSS code, if any."""
    return session.exec(select(model).where(model.code == code)).first()
