"""The statements the register area runs: entries and their change history, the councils that asked about
an entry, the entries a licence's decisions recorded, the council's own entries as its officers' search
finds them, and the counts of the published statistics.

Each function takes the session and the values it filters by and returns rows, never a statement; none
begins, commits or rolls back (the unit of work does), and none checks access or writes an audit event.
"""

from collections.abc import Collection, Iterable
from datetime import date

from sqlalchemy import Row, and_, distinct, extract, func, select
from sqlmodel import Session

from licensing.persistence.models import (
    Application,
    Authority,
    InformationRequest,
    Licence,
    LicenceStatusChange,
    RegisterEntry,
    RegisterEntryChange,
)

REFUSALS = ("refusal_of_grant", "refusal_of_renewal")


def entry_by_ref(session: Session, authority_id: int, ref: str) -> RegisterEntry | None:
    """Return the authority's entry with `ref`, if any."""
    query = select(RegisterEntry).where(RegisterEntry.authority_id == authority_id, RegisterEntry.ref == ref)
    return session.scalars(query).first()


def entries_after(
    session: Session, authority_ids: Iterable[int], *, status: str | None, after: int, limit: int
) -> list[RegisterEntry]:
    """Return the authorities' entries (of `status`, when given) in id order, `limit` after id `after`."""
    query = select(RegisterEntry).where(
        RegisterEntry.authority_id.in_(set(authority_ids)), RegisterEntry.id > after
    )
    if status is not None:
        query = query.where(RegisterEntry.status == status)
    return list(session.scalars(query.order_by(RegisterEntry.id).limit(limit)))


def own_entries_with_ids(
    session: Session, authority_ids: Collection[int], ids: Collection[int]
) -> list[RegisterEntry]:
    """Return the entries with `ids` recorded by `authority_ids`."""
    if not ids:
        return []
    query = select(RegisterEntry).where(
        RegisterEntry.authority_id.in_(authority_ids), RegisterEntry.id.in_(ids)
    )
    return list(session.scalars(query.order_by(RegisterEntry.id)))


def own_entries_born_on(session: Session, authority_ids: Collection[int], born: date) -> list[RegisterEntry]:
    """Return the entries recorded by `authority_ids` about a person born on `born`."""
    query = select(RegisterEntry).where(
        RegisterEntry.authority_id.in_(authority_ids), RegisterEntry.date_of_birth == born
    )
    return list(session.scalars(query.order_by(RegisterEntry.id)))


def own_entry_names_after(
    session: Session, authority_ids: Collection[int], after: int, limit: int
) -> list[Row]:
    """Return (id, given_names, family_name, previous_names) of `limit` of their entries after id `after`."""
    columns = (
        RegisterEntry.id,
        RegisterEntry.given_names,
        RegisterEntry.family_name,
        RegisterEntry.previous_names,
    )
    query = select(*columns).where(RegisterEntry.authority_id.in_(authority_ids), RegisterEntry.id > after)
    return list(session.execute(query.order_by(RegisterEntry.id).limit(limit)))


def entries_by_ids(session: Session, entry_ids: Iterable[int]) -> list[RegisterEntry]:
    """Return the entries with `entry_ids`."""
    return list(session.scalars(select(RegisterEntry).where(RegisterEntry.id.in_(entry_ids))))


def entry_changes(session: Session, entry_id: int) -> list[RegisterEntryChange]:
    """Return the change history of an entry, oldest first."""
    query = select(RegisterEntryChange).where(RegisterEntryChange.entry_id == entry_id)
    return list(session.scalars(query.order_by(RegisterEntryChange.id)))


def requesters_of(session: Session, entry_id: int) -> set[int]:
    """Return the ids of the authorities that made a s.3 request about an entry."""
    query = select(InformationRequest.requesting_authority_id).where(
        InformationRequest.register_entry_id == entry_id
    )
    return set(session.scalars(query))


def latest_suspension_entry_id(session: Session, licence_id: int) -> int | None:
    """Return the register entry id the licence's latest suspension recorded (None if it recorded none)."""
    query = select(LicenceStatusChange.register_entry_id).where(
        LicenceStatusChange.licence_id == licence_id, LicenceStatusChange.status == "suspended"
    )
    return session.scalars(query.order_by(LicenceStatusChange.id.desc()).limit(1)).first()


def decision_totals(session: Session, year: int | None) -> list[tuple]:
    """Return (code, name, decision, category, year, count) of entries not removed, by year of decision.

    One year's when `year` is given, every year's otherwise; ordered by year, authority, decision, category.
    """
    entry_year = extract("year", RegisterEntry.decided_on)
    columns = (Authority.code, Authority.name, RegisterEntry.decision, RegisterEntry.category, entry_year)
    query = (
        select(*columns, func.count())
        .join(Authority, Authority.id == RegisterEntry.authority_id)
        .where(RegisterEntry.status != "removed")
        .group_by(*columns)
        .order_by(entry_year, Authority.code, RegisterEntry.decision, RegisterEntry.category)
    )
    if year is not None:
        # A range on the column, not on its extracted year, so an index on decided_on can serve it.
        query = query.where(
            RegisterEntry.decided_on >= date(year, 1, 1), RegisterEntry.decided_on < date(year + 1, 1, 1)
        )
    return [tuple(row) for row in session.execute(query)]


def decision_groups(session: Session, year: int | None, statuses: tuple[str, ...]) -> list[tuple]:
    """Return (code, name, decision, category, licence_type, year, count) of the entries in `statuses`.

    The licence type is the licence's whose suspension or revocation recorded the entry, or, for a
    refusal, the refused application's that the entry was recorded for (same council and reference); None
    when neither is held (an imported entry, or a refusal recorded under another reference). One year's
    entries by year of decision when `year` is given, every year's otherwise.
    """
    entry_year = extract("year", RegisterEntry.decided_on)
    licence_type = func.coalesce(Licence.licence_type, Application.licence_type)
    columns = (
        Authority.code,
        Authority.name,
        RegisterEntry.decision,
        RegisterEntry.category,
        licence_type,
        entry_year,
    )
    refused_application = and_(
        Application.authority_id == RegisterEntry.authority_id,
        Application.ref == RegisterEntry.ref,
        Application.status == "refused",
        RegisterEntry.decision.in_(REFUSALS),
    )
    query = (
        select(*columns, func.count(distinct(RegisterEntry.id)))
        .join(Authority, Authority.id == RegisterEntry.authority_id)
        .outerjoin(LicenceStatusChange, LicenceStatusChange.register_entry_id == RegisterEntry.id)
        .outerjoin(Licence, Licence.id == LicenceStatusChange.licence_id)
        .outerjoin(Application, refused_application)
        .where(RegisterEntry.status.in_(statuses))
        .group_by(*columns)
    )
    if year is not None:
        query = query.where(
            RegisterEntry.decided_on >= date(year, 1, 1), RegisterEntry.decided_on < date(year + 1, 1, 1)
        )
    return [tuple(row) for row in session.execute(query)]
