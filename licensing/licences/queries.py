"""The statements the licences area runs: applications, their screenings and candidates, licences, the
adverse decisions and s.3 requests the gate weighs, the checks by badge or driver number, a record's trail.

Each function takes the session and the values it filters by and returns rows, never a statement; none
begins, commits or rolls back (the unit of work does), and none checks access or writes an audit event.
"""

from collections.abc import Collection, Iterable
from datetime import date

from sqlalchemy import Row, func, or_, select
from sqlmodel import Session

from licensing.persistence import pages
from licensing.persistence.models import (
    AdverseDecision,
    Application,
    AuditEvent,
    Authority,
    InformationRequest,
    Licence,
    Screening,
    ScreeningCandidate,
)


def application_by_ref(session: Session, authority_id: int, ref: str) -> Application | None:
    """Return the authority's application with `ref`, if any."""
    query = select(Application).where(Application.authority_id == authority_id, Application.ref == ref)
    return session.scalars(query).first()


def applications_page(session: Session, authority_id: int, after: tuple | None, limit: int) -> pages.Page:
    """Return a page of the authority's applications, newest first, after the key `after`."""
    query = select(Application).where(Application.authority_id == authority_id)
    return pages.fetch_page(session, query, (Application.id,), after, limit, descending=True)


def latest_screening_of(session: Session, application_id: int) -> Screening | None:
    """Return the application's most recent screening, or None."""
    query = select(Screening).where(Screening.application_id == application_id)
    return session.scalars(query.order_by(Screening.created_at.desc(), Screening.id.desc())).first()


def candidate_bands(session: Session, screening_id: int) -> list[str]:
    """Return the band of each candidate of a screening."""
    query = select(ScreeningCandidate.band).where(ScreeningCandidate.screening_id == screening_id)
    return list(session.scalars(query))


def screening_candidates(session: Session, screening_id: int) -> list[ScreeningCandidate]:
    """Return the candidates of a screening, best score first."""
    query = select(ScreeningCandidate).where(ScreeningCandidate.screening_id == screening_id)
    return list(session.scalars(query.order_by(ScreeningCandidate.score.desc(), ScreeningCandidate.id)))


def adverse_decisions_on(session: Session, application_id: int) -> list[AdverseDecision]:
    """Return the managers' decisions on an application's adverse records, oldest first."""
    query = select(AdverseDecision).where(AdverseDecision.application_id == application_id)
    return list(session.scalars(query.order_by(AdverseDecision.id)))


def requests_about_entries(
    session: Session, authority_id: int, application_id: int, entry_ids: Iterable[int]
) -> list[InformationRequest]:
    """Return the authority's s.3 requests on `entry_ids`, not withdrawn, for this application or none."""
    query = select(InformationRequest).where(
        InformationRequest.requesting_authority_id == authority_id,
        InformationRequest.register_entry_id.in_(entry_ids),
        InformationRequest.status != "withdrawn",
        or_(InformationRequest.application_id == application_id, InformationRequest.application_id.is_(None)),
    )
    return list(session.scalars(query.order_by(InformationRequest.id)))


def licences_page(
    session: Session,
    authority_id: int,
    *,
    status: str | None,
    badge_number: str | None,
    after: tuple | None,
    limit: int,
    **due,
) -> pages.Page:
    """Return a page of the authority's licences in id order after the key `after`, by status and badge,
    and by the `due` filters of `_licences` (expiring by a date, DBS check due)."""
    query = _licences(authority_id, status=status, badge_number=badge_number, **due)
    return pages.fetch_page(session, query, (Licence.id,), after, limit)


def count_licences(session: Session, authority_id: int, *, statuses: tuple[str, ...], **due) -> int:
    """Return how many of the authority's licences in `statuses` fall under the `due` filters."""
    query = _licences(authority_id, status=None, badge_number=None, **due).where(Licence.status.in_(statuses))
    return session.scalar(select(func.count()).select_from(query.subquery()))


def _licences(
    authority_id: int,
    *,
    status: str | None,
    badge_number: str | None,
    expiring_by: date | None = None,
    dbs_checked_before: date | None = None,
):
    """Select the authority's licences by status, badge, expiry by a date, or DBS check before a date.

    A licence never DBS-checked counts as checked before any date.
    """
    query = select(Licence).where(Licence.authority_id == authority_id)
    if status:
        query = query.where(Licence.status == status)
    if badge_number is not None:
        query = query.where(Licence.badge_number == badge_number)
    if expiring_by is not None:
        query = query.where(Licence.expires_on <= expiring_by)
    if dbs_checked_before is not None:
        never = Licence.dbs_last_checked_on.is_(None)
        query = query.where(or_(never, Licence.dbs_last_checked_on <= dbs_checked_before))
    return query


def licence_using(session: Session, authority_id: int, badge_number: str, ref: str) -> Row | None:
    """Return (badge_number, ref) of an authority's licence with this badge number or reference, if any."""
    query = select(Licence.badge_number, Licence.ref).where(
        Licence.authority_id == authority_id, (Licence.badge_number == badge_number) | (Licence.ref == ref)
    )
    return session.execute(query).first()


def licences_by_badge(
    session: Session, authority_code: str, badges: set[str]
) -> list[tuple[Licence, Authority]]:
    """Return the licences at the authority with `authority_code` holding one of `badges`, with it."""
    query = _with_authority().where(Authority.code == authority_code, Licence.badge_number.in_(badges))
    return [tuple(row) for row in session.execute(query)]


def licences_by_driver_number(
    session: Session, number: str, statuses: tuple[str, ...]
) -> list[tuple[Licence, Authority]]:
    """Return the licences in `statuses` under a driver number, with their authority, newest expiry first."""
    query = _with_authority().where(Licence.driving_licence_number == number, Licence.status.in_(statuses))
    return [tuple(row) for row in session.execute(query.order_by(Licence.expires_on.desc(), Licence.id))]


def _with_authority():
    """Select licences with their issuing authority (a part of the statements above)."""
    return select(Licence, Authority).join(Authority, Authority.id == Licence.authority_id)


def authority_names(session: Session) -> dict[int, str]:
    """Return the name of every authority, by id."""
    return dict(session.execute(select(Authority.id, Authority.name)).all())


def events_about(session: Session, kind: str, record_id: int, limit: int) -> list[AuditEvent]:
    """Return the latest `limit` audit events about one record, newest first."""
    query = (
        select(AuditEvent)
        .where(AuditEvent.record_kind == kind, AuditEvent.record_id == record_id)
        .order_by(AuditEvent.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def screenings_of_record(session: Session, kind: str, record_id: int, limit: int) -> list[Screening]:
    """Return the latest `limit` screenings that found the record or were run for it, newest first."""
    found = ScreeningCandidate.candidate_kind == kind, ScreeningCandidate.candidate_id == record_id
    found_in = select(ScreeningCandidate.screening_id).where(*found)
    subject = {"application": Screening.application_id, "licence": Screening.licence_id}.get(kind)
    condition = (
        Screening.id.in_(found_in)
        if subject is None
        else or_(Screening.id.in_(found_in), subject == record_id)
    )
    query = select(Screening).where(condition).order_by(Screening.id.desc()).limit(limit)
    return list(session.scalars(query))


# The council's own records, as the officers' search finds them. Each takes the authorities whose records
# count as the council's own (licensing/licences/finding.py decides which).


def own_records_with_ids(
    session: Session, model: type[Licence | Application], authority_ids: Collection[int], ids: Collection[int]
) -> list:
    """Return the licences or applications with `ids` held by `authority_ids`."""
    if not ids:
        return []
    query = select(model).where(model.authority_id.in_(authority_ids), model.id.in_(ids))
    return list(session.scalars(query.order_by(model.id)))


def own_records_born_on(
    session: Session, model: type[Licence | Application], authority_ids: Collection[int], born: date
) -> list:
    """Return the licences or applications of `authority_ids` whose holder was born on `born`."""
    query = select(model).where(model.authority_id.in_(authority_ids), model.date_of_birth == born)
    return list(session.scalars(query.order_by(model.id)))


def own_names_after(
    session: Session,
    model: type[Licence | Application],
    authority_ids: Collection[int],
    after: int,
    limit: int,
) -> list[Row]:
    """Return (id, given_names, family_name, previous_names) of `limit` records after id `after`."""
    columns = (model.id, model.given_names, model.family_name, model.previous_names)
    query = select(*columns).where(model.authority_id.in_(authority_ids), model.id > after)
    return list(session.execute(query.order_by(model.id).limit(limit)))


def own_licences_with_badges(
    session: Session, authority_ids: Collection[int], badges: set[str]
) -> list[Licence]:
    """Return the licences of `authority_ids` holding one of `badges`."""
    query = select(Licence).where(Licence.authority_id.in_(authority_ids), Licence.badge_number.in_(badges))
    return list(session.scalars(query.order_by(Licence.id)))
