"""The statements the demo's seeding runs before it adds synthetic records: what the register holds.

Each function takes the session and the values it filters by, and returns what it found. None commits:
the caller's unit of work does.
"""

from sqlmodel import Session, select

from licensing.persistence.models import Licence, RegisterEntry


def holds_a_licence(session: Session) -> bool:
    """Tell whether any licence is stored, of any authority."""
    return session.exec(select(Licence.id).limit(1)).first() is not None


def ref_taken(
    session: Session, model: type[Licence] | type[RegisterEntry], authority_id: int, ref: str
) -> bool:
    """Tell whether the authority already holds a licence (or register entry, by `model`) with this ref."""
    taken = select(model.id).where(model.authority_id == authority_id, model.ref == ref)
    return session.exec(taken).first() is not None
