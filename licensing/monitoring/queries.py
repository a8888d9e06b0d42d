"""Every statement the monitoring jobs run: the licences, records and alerts each job goes through,
and the deletions of retention."""

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.engine import Row
from sqlmodel import Session

from licensing.persistence.models import (
    Alert,
    Authority,
    InformationRequest,
    Licence,
    RegisterEntry,
    RegisterEntryChange,
)


def licences_due_dbs_check(session: Session, statuses: Iterable[str], due_before: date) -> list[Licence]:
    """Return the licences of `statuses` last DBS-checked (or granted) on or before `due_before`, by id."""
    query = select(Licence).where(
        Licence.status.in_(statuses),
        # Never checked here: the check made for the grant counts from the grant date.
        or_(
            and_(Licence.dbs_last_checked_on.is_(None), Licence.granted_on <= due_before),
            Licence.dbs_last_checked_on <= due_before,
        ),
    )
    return session.scalars(query.order_by(Licence.id)).all()


def authority_nations(session: Session) -> dict[int, str]:
    """Return every authority's nation by its id."""
    return dict(session.execute(select(Authority.id, Authority.nation)).all())


def open_due_by(session: Session, model, latest: date) -> list:
    """Return the open records of `model` (requests, reports) due on or before `latest`, by id."""
    query = select(model).where(model.status == "open", model.due_on <= latest).order_by(model.id)
    return session.scalars(query).all()


def licences_expiring_between(
    session: Session, statuses: Iterable[str], first: date, last: date
) -> list[Licence]:
    """Return the licences of `statuses` expiring from `first` to `last` (both included), by id."""
    query = select(Licence).where(
        Licence.status.in_(statuses),
        Licence.expires_on >= first,
        Licence.expires_on <= last,
    )
    return session.scalars(query.order_by(Licence.id)).all()


def expired_licences_locked(
    session: Session, statuses: Iterable[str], before: date, limit: int
) -> list[Licence]:
    """Return up to `limit` licences of `statuses` expiring before `before`, by id, locked FOR UPDATE."""
    query = select(Licence).where(Licence.status.in_(statuses), Licence.expires_on < before)
    return session.scalars(query.order_by(Licence.id).limit(limit).with_for_update()).all()


def licences_with_ids(session: Session, ids: list[int]) -> list[Licence]:
    """Return the licences with these ids."""
    return list(session.scalars(select(Licence).where(Licence.id.in_(ids))))


def licences_after(session: Session, statuses: Iterable[str], last_id: int, limit: int) -> list[Licence]:
    """Return up to `limit` licences of `statuses` with ids above `last_id`, by id."""
    query = select(Licence).where(Licence.status.in_(statuses)).order_by(Licence.id).limit(limit)
    return session.scalars(query.where(Licence.id > last_id)).all()


def changed_since(session: Session, model, status: str, since: datetime) -> list:
    """Return the records of `model` (entries, intelligence) in `status` updated at or after `since`."""
    query = select(model).where(model.updated_at >= since, model.status == status)
    return list(session.scalars(query))


def alert_keys_naming(
    session: Session, authority_id: int, kind: str, record_id: int, alert_types: Iterable[str], limit: int
) -> list[str | None]:
    """Return the dedupe keys of up to `limit` of the council's alerts about the record, or naming it.

    About the record: its subject is the record. Naming it: an alert of `alert_types` whose dedupe key
    ends with ":kind:id".
    """
    about_record = and_(Alert.subject_kind == kind, Alert.subject_id == record_id)
    named = and_(
        Alert.alert_type.in_(alert_types),
        Alert.dedupe_key.endswith(f":{kind}:{record_id}", autoescape=True),
    )
    query = select(Alert.dedupe_key).where(Alert.authority_id == authority_id, or_(about_record, named))
    return list(session.scalars(query.limit(limit)))


def authority_ids_with_codes(session: Session, codes: Iterable[str]) -> set[int]:
    """Return the ids of the authorities with these codes."""
    return set(session.scalars(select(Authority.id).where(Authority.code.in_(set(codes)))))


def entries_recorded_before(
    session: Session,
    before: datetime,
    limit: int,
    *,
    authority_ids: set[int] | None = None,
    other_than: set[int] | None = None,
) -> list[RegisterEntry]:
    """Return up to `limit` register entries first recorded before `before`, by id.

    Only those of `authority_ids` when given; else none of `other_than`'s when that is not empty.
    """
    query = select(RegisterEntry).where(RegisterEntry.first_recorded_at < before)
    if authority_ids is not None:
        query = query.where(RegisterEntry.authority_id.in_(authority_ids))
    elif other_than:
        query = query.where(RegisterEntry.authority_id.not_in(other_than))
    return session.scalars(query.order_by(RegisterEntry.id).limit(limit)).all()


def information_requests_of(session: Session, entry_ids: list[int]) -> list[Row]:
    """Return (register_entry_id, id) of every information request about these register entries."""
    return session.execute(
        select(InformationRequest.register_entry_id, InformationRequest.id).where(
            InformationRequest.register_entry_id.in_(entry_ids)
        )
    ).all()


def delete_entries(session: Session, entry_ids: list[int]) -> None:
    """Delete register entries with their information requests and change history."""
    session.execute(delete(InformationRequest).where(InformationRequest.register_entry_id.in_(entry_ids)))
    session.execute(delete(RegisterEntryChange).where(RegisterEntryChange.entry_id.in_(entry_ids)))
    session.execute(delete(RegisterEntry).where(RegisterEntry.id.in_(entry_ids)))
