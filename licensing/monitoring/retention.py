"""Retention: register entries are deleted once their retention period from first entry has passed.

The 2022 Act s.2 keeps entries (and what they rest on) for 11 years; some councils keep them 25 under
NAFN's policy (docs/reference.md, retention), so the period is a setting and councils under the
hold keep theirs for the hold's length. Each deletion takes the entry's match keys, change history and
s.3 information requests with it and writes one audit event naming only kinds and ids, never the data.
"""

from collections import Counter
from datetime import datetime

from sqlalchemy import delete, select
from sqlmodel import Session

from licensing.audit import log as audit
from licensing.monitoring.common import job_actor
from licensing.persistence.models import Authority, InformationRequest, RegisterEntry, RegisterEntryChange
from licensing.screening.key_index import drop_records

BATCH = 500


def years_before(moment: datetime, years: int) -> datetime:
    """Return the same moment `years` earlier (29 February becomes 28 February)."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


def purge_register(
    session: Session, now: datetime, *, years: int = 11, hold_years: int = 25, hold_codes=frozenset()
) -> Counter:
    """Delete every register entry first recorded more than its council's retention period ago."""
    done = Counter()
    held = set(session.scalars(select(Authority.id).where(Authority.code.in_(set(hold_codes)))))
    for authority_ids, period in ((held, hold_years), (None, years)):
        query = select(RegisterEntry).where(RegisterEntry.first_recorded_at < years_before(now, period))
        if authority_ids is not None:
            query = query.where(RegisterEntry.authority_id.in_(authority_ids))
        elif held:
            query = query.where(RegisterEntry.authority_id.not_in(held))
        while batch := session.scalars(query.order_by(RegisterEntry.id).limit(BATCH)).all():
            done["register_entry"] += _purge(session, batch, period, now)
            session.commit()
    return done


def _purge(session: Session, entries: list[RegisterEntry], period: int, now: datetime) -> int:
    """Delete `entries` with their keys, history and information requests; audit each; return how many."""
    ids = [entry.id for entry in entries]
    requests = session.execute(
        select(InformationRequest.register_entry_id, InformationRequest.id).where(
            InformationRequest.register_entry_id.in_(ids)
        )
    ).all()
    for entry in entries:
        request_ids = sorted(r.id for r in requests if r.register_entry_id == entry.id)
        detail = {"retention_years": period, "information_request_ids": request_ids}
        actor = job_actor("retention", entry.authority_id)
        audit.record(
            session, actor, "register_entry.purged", "register_entry", entry.id, now=now, detail=detail
        )
    drop_records(session, "register_entry", ids)
    session.execute(delete(InformationRequest).where(InformationRequest.register_entry_id.in_(ids)))
    session.execute(delete(RegisterEntryChange).where(RegisterEntryChange.entry_id.in_(ids)))
    session.execute(delete(RegisterEntry).where(RegisterEntry.id.in_(ids)))
    return len(ids)
