"""The statements the licences area runs: applications, their screenings and candidates, licences, the
adverse decisions and s.3 requests the gate weighs, the checks by badge or driver number, a record's trail,
the officers' search of the council's own records, and what the dashboard and a licence's page put first
(alerts, intelligence routed to the council, requests and reports to answer).

Each function takes the session and the values it filters by and returns rows, never a statement; none
begins, commits or rolls back (the unit of work does), and none checks access or writes an audit event.
"""

from collections.abc import Collection, Iterable
from datetime import date

from sqlalchemy import Row, and_, func, or_, select
from sqlmodel import Session

from licensing.persistence import pages
from licensing.persistence.models import (
    AdverseDecision,
    Alert,
    Application,
    AuditEvent,
    Authority,
    ConcernReport,
    InformationRequest,
    IntelligenceRoute,
    Licence,
    LicenceAssignment,
    Screening,
    ScreeningCandidate,
)


def application_by_ref(session: Session, authority_id: int, ref: str) -> Application | None:
    """Return the authority's application with `ref`, if any."""
    query = select(Application).where(Application.authority_id == authority_id, Application.ref == ref)
    return session.scalars(query).first()


def applications_page(
    session: Session, authority_ids: Iterable[int], after: tuple | None, limit: int
) -> pages.Page:
    """Return a page of the authorities' applications, newest first, after the key `after`."""
    query = select(Application).where(Application.authority_id.in_(set(authority_ids)))
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
    authority_ids: Iterable[int],
    *,
    reorganised: bool = False,
    status: str | None,
    badge_number: str | None,
    after: tuple | None,
    limit: int,
    **filters,
) -> pages.Page:
    """Return a page of the authorities' licences in id order after the key `after`, by status and badge,
    and by the other `filters` of `_licences` (statuses, expiring by a date, DBS check due).

    `reorganised`: the first authority answers for the others after a reorganisation, so a split's
    placements count: licences placed with one of them are in, those placed elsewhere out.
    """
    query = _licences(authority_ids, reorganised, status=status, badge_number=badge_number, **filters)
    return pages.fetch_page(session, query, (Licence.id,), after, limit)


def count_licences(
    session: Session,
    authority_ids: Iterable[int],
    *,
    reorganised: bool = False,
    status: str | None,
    **filters,
) -> int:
    """Return how many of the authorities' licences `licences_page` would list with these filters."""
    query = _licences(authority_ids, reorganised, status=status, **filters)
    return session.scalar(select(func.count()).select_from(query.subquery()))


def _licences(
    authority_ids: Iterable[int],
    reorganised: bool,
    *,
    status: str | None,
    badge_number: str | None = None,
    statuses: tuple[str, ...] | None = None,
    expiring_by: date | None = None,
    dbs_checked_before: date | None = None,
):
    """Select the authorities' licences by status (one, or any of `statuses`), badge, expiry by a date, or
    DBS check on or before a date (a licence never DBS-checked counts as checked before any date)."""
    query = select(Licence).where(answered_licences(authority_ids, reorganised))
    if status:
        query = query.where(Licence.status == status)
    if statuses is not None:
        query = query.where(Licence.status.in_(statuses))
    if badge_number is not None:
        query = query.where(Licence.badge_number == badge_number)
    if expiring_by is not None:
        query = query.where(Licence.expires_on <= expiring_by)
    if dbs_checked_before is not None:
        never = Licence.dbs_last_checked_on.is_(None)
        query = query.where(or_(never, Licence.dbs_last_checked_on <= dbs_checked_before))
    return query


def answered_licences(authority_ids: Iterable[int], reorganised: bool):
    """Return the condition: a licence of these authorities, or placed with one of them by a split.

    A placement counts only once its split is in force, which a recorded placement always is for an
    actor whose answered authorities include the split predecessor or whose own authority it names.
    """
    ids = list(authority_ids)
    mine = Licence.authority_id.in_(ids)
    if not reorganised:
        return mine
    placed = select(LicenceAssignment.licence_id)
    placed_here = placed.where(LicenceAssignment.successor_id.in_(ids))
    placed_elsewhere = placed.where(LicenceAssignment.successor_id.not_in(ids))
    return or_(and_(mine, Licence.id.not_in(placed_elsewhere)), Licence.id.in_(placed_here))


def licence_using(session: Session, authority_id: int, badge_number: str, ref: str) -> Row | None:
    """Return (badge_number, ref) of an authority's licence with this badge number or reference, if any."""
    query = select(Licence.badge_number, Licence.ref).where(
        Licence.authority_id == authority_id, (Licence.badge_number == badge_number) | (Licence.ref == ref)
    )
    return session.execute(query).first()


def licences_by_badge(
    session: Session, authority_code: str | None, badges: set[str]
) -> list[tuple[Licence, Authority]]:
    """Return the licences holding one of `badges`, with their authority: at the authority with
    `authority_code`, or at any authority (by the authority's name) when it is None."""
    query = _with_authority().where(Licence.badge_number.in_(badges))
    if authority_code is not None:
        query = query.where(Authority.code == authority_code)
    query = query.order_by(Authority.name, Licence.expires_on.desc(), Licence.id)
    return [tuple(row) for row in session.execute(query)]


def licences_by_badge_at(
    session: Session, authority_id: int, badges: set[str]
) -> list[tuple[Licence, Authority]]:
    """Return the licences of the authority with id `authority_id` holding one of `badges`, with it."""
    query = _with_authority().where(Licence.authority_id == authority_id, Licence.badge_number.in_(badges))
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


# What needs an officer's attention first (licensing/licences/attention.py): alerts, intelligence routed to
# the council, requests and reports it must answer.


def unread_alerts_of_types(
    session: Session, authority_id: int, types: Collection[str], limit: int
) -> list[Alert]:
    """Return the authority's unread alerts of `types`, newest first."""
    query = select(Alert).where(
        Alert.authority_id == authority_id, Alert.read_at.is_(None), Alert.alert_type.in_(types)
    )
    return list(session.scalars(query.order_by(Alert.id.desc()).limit(limit)))


def unread_alert_counts(session: Session, authority_id: int, types: Collection[str] | None) -> dict[str, int]:
    """Return how many unread alerts of each type (of `types`, when given) the authority has."""
    query = select(Alert.alert_type, func.count()).where(
        Alert.authority_id == authority_id, Alert.read_at.is_(None)
    )
    if types is not None:
        query = query.where(Alert.alert_type.in_(types))
    return dict(session.execute(query.group_by(Alert.alert_type)).all())


def alerts_page_of_type(
    session: Session, authority_id: int, alert_type: str | None, after: tuple | None, limit: int
) -> pages.Page:
    """Return a page of the authority's alerts (of `alert_type`, when given), newest first."""
    query = select(Alert).where(Alert.authority_id == authority_id)
    if alert_type is not None:
        query = query.where(Alert.alert_type == alert_type)
    return pages.fetch_page(session, query, (Alert.id,), after, limit, descending=True)


def alerts_about(session: Session, authority_id: int, kind: str, record_id: int, limit: int) -> list[Alert]:
    """Return the authority's latest alerts whose subject is one record, newest first."""
    query = select(Alert).where(
        Alert.authority_id == authority_id, Alert.subject_kind == kind, Alert.subject_id == record_id
    )
    return list(session.scalars(query.order_by(Alert.id.desc()).limit(limit)))


def latest_alerts_of_types(
    session: Session, authority_id: int, types: Collection[str], limit: int
) -> list[Alert]:
    """Return the authority's latest alerts of `types`, read or not, newest first."""
    query = select(Alert).where(Alert.authority_id == authority_id, Alert.alert_type.in_(types))
    return list(session.scalars(query.order_by(Alert.id.desc()).limit(limit)))


def routes_to(
    session: Session, authority_id: int, intelligence_ids: Collection[int] | None, limit: int
) -> list[IntelligenceRoute]:
    """Return the intelligence routes to the authority (of `intelligence_ids`, when given), newest first."""
    query = select(IntelligenceRoute).where(IntelligenceRoute.authority_id == authority_id)
    if intelligence_ids is not None:
        query = query.where(IntelligenceRoute.intelligence_id.in_(intelligence_ids))
    return list(session.scalars(query.order_by(IntelligenceRoute.id.desc()).limit(limit)))


def open_requests_to_answer(
    session: Session, authority_ids: Collection[int], limit: int
) -> list[InformationRequest]:
    """Return the open s.3 requests made to the authorities about their entries, soonest due first."""
    query = select(InformationRequest).where(
        InformationRequest.recording_authority_id.in_(set(authority_ids)), InformationRequest.status == "open"
    )
    return list(
        session.scalars(query.order_by(InformationRequest.due_on, InformationRequest.id).limit(limit))
    )


def open_reports_to_decide(
    session: Session, authority_ids: Collection[int], limit: int
) -> list[ConcernReport]:
    """Return the open concern reports about the authorities' licences, soonest due first."""
    query = select(ConcernReport).where(
        ConcernReport.issuing_authority_id.in_(set(authority_ids)), ConcernReport.status == "open"
    )
    return list(session.scalars(query.order_by(ConcernReport.due_on, ConcernReport.id).limit(limit)))


def requests_by_ids(session: Session, ids: Collection[int]) -> list[InformationRequest]:
    """Return the s.3 requests with `ids`."""
    if not ids:
        return []
    return list(session.scalars(select(InformationRequest).where(InformationRequest.id.in_(ids))))


def reports_by_ids(session: Session, ids: Collection[int]) -> list[ConcernReport]:
    """Return the concern reports with `ids`."""
    if not ids:
        return []
    return list(session.scalars(select(ConcernReport).where(ConcernReport.id.in_(ids))))
