"""Every statement the reference data runs: the licensing authorities and police forces, by code.

Each function takes the session and the values it filters by, and returns what it found. None commits:
the unit of work does.
"""

from datetime import date

from sqlmodel import Session, func, select

from licensing.persistence.models import ConcernReport, InformationRequest, Licence
from licensing.persistence.models.organisations import ApiClient, Authority, PoliceForce, User
from licensing.persistence.models.reorganisation import AuthorityChange, LicenceAssignment

STANDING = ("active", "suspended")

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


def changes_in_force(session: Session, on: date) -> list[AuthorityChange]:
    """Return every authority change whose effective date is `on` or before, oldest first."""
    query = select(AuthorityChange).where(AuthorityChange.effective_on <= on)
    return list(session.exec(query.order_by(AuthorityChange.effective_on, AuthorityChange.id)))


def all_changes(session: Session) -> list[AuthorityChange]:
    """Return every authority change recorded, by effective date."""
    return list(
        session.exec(select(AuthorityChange).order_by(AuthorityChange.effective_on, AuthorityChange.id))
    )


def changes_of(session: Session, predecessor_id: int) -> list[AuthorityChange]:
    """Return the changes recorded for one predecessor authority."""
    return list(session.exec(select(AuthorityChange).where(AuthorityChange.predecessor_id == predecessor_id)))


def assignment_of(session: Session, licence_id: int) -> LicenceAssignment | None:
    """Return where a split placed this licence, if it placed it."""
    return session.exec(select(LicenceAssignment).where(LicenceAssignment.licence_id == licence_id)).first()


def codes_by_id(session: Session) -> dict[int, str]:
    """Return every authority's code, by id."""
    return dict(session.execute(select(Authority.id, Authority.code)).all())


def licences_of(session: Session, authority_id: int) -> list[Licence]:
    """Return every licence the authority granted, in id order."""
    return list(
        session.exec(select(Licence).where(Licence.authority_id == authority_id).order_by(Licence.id))
    )


def live_licence_count(session: Session, authority_id: int) -> int:
    """Count the authority's licences that still stand (active or suspended)."""
    query = select(func.count()).where(Licence.authority_id == authority_id, Licence.status.in_(STANDING))
    return session.exec(query).one()


def open_requests(session: Session, authority_id: int) -> list[InformationRequest]:
    """Return the open s.3 requests the authority must answer (about an entry it recorded)."""
    query = select(InformationRequest).where(
        InformationRequest.recording_authority_id == authority_id, InformationRequest.status == "open"
    )
    return list(session.exec(query.order_by(InformationRequest.id)))


def open_reports(session: Session, authority_id: int) -> list[ConcernReport]:
    """Return the open s.5 reports the authority must decide (about a licence it issued)."""
    query = select(ConcernReport).where(
        ConcernReport.issuing_authority_id == authority_id, ConcernReport.status == "open"
    )
    return list(session.exec(query.order_by(ConcernReport.id)))


def officers_of(session: Session, authority_id: int) -> list[User]:
    """Return the active officers of the authority."""
    query = select(User).where(User.authority_id == authority_id, User.active.is_(True)).order_by(User.id)
    return list(session.exec(query))


def live_keys_of(session: Session, authority_id: int) -> list[ApiClient]:
    """Return the authority's API keys not revoked."""
    query = select(ApiClient).where(ApiClient.authority_id == authority_id, ApiClient.revoked_at.is_(None))
    return list(session.exec(query.order_by(ApiClient.id)))


def live_subscriptions_of(session: Session, model, authority_id: int) -> list:
    """Return the authority's active, undeleted webhook endpoints or e-mail recipients."""
    query = select(model).where(
        model.authority_id == authority_id, model.active.is_(True), model.deleted_at.is_(None)
    )
    return list(session.exec(query.order_by(model.id)))
