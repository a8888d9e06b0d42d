"""Retention: register entries go 11 years (or the hold's 25) after first entry, each deletion audited."""

from datetime import datetime

from sqlalchemy import select

from licensing.audit.log import verify
from licensing.monitoring.retention import purge_register
from licensing.persistence.models import (
    AuditEvent,
    Authority,
    InformationRequest,
    MatchKey,
    RegisterEntry,
    RegisterEntryChange,
)
from licensing.screening.key_index import KIND_CODES
from tests.factories import make_authority, make_register_entry
from tests.units import count_of, stored

NOW = datetime(2037, 11, 24, 2, 0)  # 11 years and a day after the factories' NOW (2026-11-23)
ENTRY = KIND_CODES["register_entry"]


def count(session, model, *where) -> int:
    """Count the committed rows of `model` matching `where`."""
    return count_of(session.get_bind(), model, *where)


def test_purges_entries_past_eleven_years_with_keys_history_and_requests(session, engine):
    old = make_register_entry(session)
    young = make_register_entry(session, family_name="Younger")
    young.first_recorded_at = datetime(2026, 11, 25)
    session.add(young)
    session.add(
        InformationRequest(
            register_entry_id=old.id,
            requesting_authority_id=make_authority(session).id,
            recording_authority_id=old.authority_id,
            due_on=datetime(2026, 12, 21).date(),
            requested_at=datetime(2026, 11, 23),
        )
    )
    session.commit()
    assert count(session, MatchKey, MatchKey.record_kind == ENTRY, MatchKey.record_id == old.id) > 0
    assert purge_register(engine, NOW) == {"register_entry": 1}
    assert purge_register(engine, NOW) == {}
    assert count(session, RegisterEntry) == 1 and stored(engine, RegisterEntry, young.id) is not None
    assert count(session, MatchKey, MatchKey.record_kind == ENTRY, MatchKey.record_id == old.id) == 0
    assert count(session, RegisterEntryChange, RegisterEntryChange.entry_id == old.id) == 0
    assert count(session, InformationRequest) == 0
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "register_entry.purged")).one()
    assert (event.record_kind, event.record_id, event.authority_id) == (
        "register_entry",
        old.id,
        old.authority_id,
    )
    assert set(event.detail) == {"retention_years", "information_request_ids"}
    assert "Hussain" not in str(event.detail) and verify(session).ok


def test_councils_under_the_hold_keep_entries_for_its_length(session, engine):
    held = make_register_entry(session)
    other = make_register_entry(session)
    hold_code = session.get(Authority, held.authority_id).code
    assert purge_register(engine, NOW, years=11, hold_years=25, hold_codes={hold_code}) == {
        "register_entry": 1
    }
    assert stored(engine, RegisterEntry, held.id) is not None
    assert stored(engine, RegisterEntry, other.id) is None
    later = datetime(2051, 11, 24)
    assert purge_register(engine, later, years=11, hold_years=25, hold_codes={hold_code}) == {
        "register_entry": 1
    }
