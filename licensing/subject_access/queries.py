"""The statements a subject access export runs: records and screenings by id or by an exact identifier,
the candidates, "not the same person" rulings, s.3 requests, s.5 reports, alerts and audit events naming
the subject's records, and a licence's status history.

An intelligence item's routes, what a council was shown of it, and a register entry's changes are read by
the intelligence and register areas' own queries. Each function takes the session and the values it
filters by and returns rows, never a statement; none begins, commits or rolls back (the unit of work does).
"""

from collections.abc import Sequence

from sqlalchemy import or_, select, tuple_
from sqlmodel import Session

from licensing.matching import Person
from licensing.persistence.models import (
    Alert,
    AuditEvent,
    ConcernReport,
    InformationRequest,
    Intelligence,
    LicenceStatusChange,
    PairDecision,
    Screening,
    ScreeningCandidate,
)


def rows_in(session: Session, model, column, values: Sequence) -> list:
    """Return the rows of `model` whose `column` is among `values` (the caller keeps the list short)."""
    return list(session.scalars(select(model).where(column.in_(values))))


def withdrawn_intelligence_sharing(session: Session, person: Person) -> list[Intelligence]:
    """Return withdrawn intelligence sharing the subject's NI number, licence number or date of birth."""
    condition = _shares_identity(Intelligence, person)
    if condition is None:
        return []
    return list(session.scalars(select(Intelligence).where(Intelligence.status == "withdrawn", condition)))


def screenings_sharing(session: Session, person: Person) -> list[Screening]:
    """Return the screenings of anyone sharing the subject's NI number, licence number or date of birth."""
    condition = _shares_identity(Screening, person)
    if condition is None:
        return []
    return list(session.scalars(select(Screening).where(condition)))


def _shares_identity(model, person: Person):
    """Return a condition on `model` sharing the subject's NI number, licence number or date of birth."""
    terms = [
        model.ni_number == person.ni_number if person.ni_number else None,
        model.driving_licence_number == person.driving_licence_number
        if person.driving_licence_number
        else None,
        model.date_of_birth == person.date_of_birth if person.date_of_birth else None,
    ]
    terms = [t for t in terms if t is not None]
    return or_(*terms) if terms else None


def candidates_naming(session: Session, records: Sequence[tuple[str, int]]) -> list[ScreeningCandidate]:
    """Return the screening candidates that name one of `records` (kind, id), in id order."""
    table = ScreeningCandidate
    pairs = tuple_(table.candidate_kind, table.candidate_id).in_(records)
    return list(session.scalars(select(table).where(pairs).order_by(table.id)))


def events_about(session: Session, records: Sequence[tuple[str, int]]) -> list[AuditEvent]:
    """Return the audit events about one of `records` (kind, id)."""
    pairs = tuple_(AuditEvent.record_kind, AuditEvent.record_id).in_(records)
    return list(session.scalars(select(AuditEvent).where(pairs)))


def licence_status_changes(session: Session, licence_id: int) -> list[LicenceStatusChange]:
    """Return a licence's status history, oldest first."""
    query = select(LicenceStatusChange).where(LicenceStatusChange.licence_id == licence_id)
    return list(session.scalars(query.order_by(LicenceStatusChange.id)))


def rulings_on(session: Session, records: Sequence[tuple[str, int]]) -> list[PairDecision]:
    """Return the "not the same person" rulings whose candidate is one of `records` (kind, id), by id."""
    pairs = tuple_(PairDecision.candidate_kind, PairDecision.candidate_id).in_(records)
    return list(session.scalars(select(PairDecision).where(pairs).order_by(PairDecision.id)))


def information_requests_about(session: Session, entry_ids: Sequence[int]) -> list[InformationRequest]:
    """Return the s.3 requests about one of the register entries `entry_ids`, in id order."""
    query = select(InformationRequest).where(InformationRequest.register_entry_id.in_(entry_ids))
    return list(session.scalars(query.order_by(InformationRequest.id)))


def concern_reports_about(session: Session, licence_ids: Sequence[int]) -> list[ConcernReport]:
    """Return the s.5 reports about one of the licences `licence_ids`, in id order."""
    query = select(ConcernReport).where(ConcernReport.licence_id.in_(licence_ids))
    return list(session.scalars(query.order_by(ConcernReport.id)))


def alerts_about(session: Session, subjects: Sequence[tuple[str, int]]) -> list[Alert]:
    """Return the alerts whose subject is one of `subjects` (kind, id)."""
    pairs = tuple_(Alert.subject_kind, Alert.subject_id).in_(subjects)
    return list(session.scalars(select(Alert).where(pairs)))
