"""The statements the workflows run: s.3 information requests and s.5/s.6 concern reports, the licences,
entries and screening candidates they are made about, and the councils they name.

Each function takes the session and the values it filters by and returns rows, never a statement; none
begins, commits or rolls back (the unit of work does), and none checks access or writes an audit event.
"""

from collections.abc import Iterable
from datetime import date

from sqlalchemy import select
from sqlmodel import Session

from licensing.persistence import pages
from licensing.persistence.models import (
    Authority,
    ConcernReport,
    InformationRequest,
    Licence,
    Screening,
    ScreeningCandidate,
)

# The order of a list of information requests: by due date, then id.
REQUEST_PAGE_KEY = (InformationRequest.due_on, InformationRequest.id)


def councils_by_id(session: Session, authority_ids: Iterable[int]) -> dict[int, dict]:
    """Return {id: {code, name}} of the given authorities."""
    query = select(Authority.id, Authority.code, Authority.name).where(Authority.id.in_(authority_ids))
    return {row.id: {"code": row.code, "name": row.name} for row in session.execute(query)}


def requests_page(
    session: Session,
    authority_ids: Iterable[int],
    *,
    direction: str,
    status: str | None,
    today: date,
    after: tuple | None,
    limit: int,
) -> pages.Page:
    """Return a page of the requests the authorities must answer (incoming) or made, by due date.

    `status` "overdue" means open and past its due date on `today`; any other status is matched as it is.
    """
    mine = (
        InformationRequest.recording_authority_id
        if direction == "incoming"
        else InformationRequest.requesting_authority_id
    )
    query = select(InformationRequest).where(mine.in_(set(authority_ids)))
    if status == "overdue":
        query = query.where(InformationRequest.status == "open", InformationRequest.due_on < today)
    elif status is not None:
        query = query.where(InformationRequest.status == status)
    return pages.fetch_page(session, query, REQUEST_PAGE_KEY, after, limit)


def answers_kept_for(session: Session, application_id: int) -> list[InformationRequest]:
    """Return the answered requests made for an application whose answer is still held."""
    query = select(InformationRequest).where(
        InformationRequest.application_id == application_id,
        InformationRequest.status == "answered",
        InformationRequest.response_text.is_not(None),
    )
    return list(session.scalars(query))


def latest_candidate_id(session: Session, authority_id: int, kind: str, record_id: int) -> int | None:
    """Return the id of the latest candidate of the authority's screenings that found the record, if any."""
    query = (
        select(ScreeningCandidate.id)
        .join(Screening, Screening.id == ScreeningCandidate.screening_id)
        .where(
            Screening.authority_id == authority_id,
            ScreeningCandidate.candidate_kind == kind,
            ScreeningCandidate.candidate_id == record_id,
        )
        .order_by(ScreeningCandidate.id.desc())
        .limit(1)
    )
    return session.scalars(query).first()


def licence_by_badge(session: Session, authority_code: str, badge_number: str) -> Licence | None:
    """Return the licence with `badge_number` at the authority with `authority_code`, if any."""
    query = (
        select(Licence)
        .join(Authority, Authority.id == Licence.authority_id)
        .where(Authority.code == authority_code, Licence.badge_number == badge_number)
    )
    return session.scalars(query).first()


def reports_page(
    session: Session,
    authority_ids: Iterable[int],
    *,
    direction: str,
    status: str | None,
    after: tuple | None,
    limit: int,
) -> pages.Page:
    """Return a page of the reports the authorities received (incoming) or sent, of `status`, oldest first."""
    mine = (
        ConcernReport.issuing_authority_id
        if direction == "incoming"
        else ConcernReport.reporting_authority_id
    )
    query = select(ConcernReport).where(mine.in_(set(authority_ids)))
    if status is not None:
        query = query.where(ConcernReport.status == status)
    return pages.fetch_page(session, query, (ConcernReport.id,), after, limit)
