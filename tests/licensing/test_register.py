"""The s.2 register: recording and amending a council's own entries, their history and s.3(4) notices."""

from datetime import date, timedelta

import pytest
from sqlmodel import select

from licensing.actors import Actor
from licensing.errors import DuplicateReference, InvalidTransition, NotFound, ValidationFailed
from licensing.matching import person_from
from licensing.persistence.models import Alert, AuditEvent, MatchKey, RegisterEntryChange
from licensing.register.entries import amend_entry, history_of, list_entries, own_entry, record_entry
from licensing.screening.key_index import keys_of
from licensing.workflows.information_requests import request_information
from tests.factories import (
    NOW,
    identity,
    make_authority,
    make_register_entry,
    make_screening,
)


def officer(authority_id: int) -> Actor:
    """Return an officer of the authority."""
    return Actor(kind="user", id=None, label="Officer Test", authority_id=authority_id)


def entry_fields(**overrides) -> dict:
    """Return valid fields for a new entry."""
    fields = identity() | {"ref": "RE-1", "decision": "refusal_of_grant", "category": "violence"}
    return fields | {"decided_on": date(2026, 11, 2), "effective_on": date(2026, 11, 2)} | overrides


def test_recording_an_entry_indexes_it_and_writes_history_and_audit(session):
    authority = make_authority(session)
    entry = record_entry(session, officer(authority.id), entry_fields(ni_number="ab 12 34 56 c"), NOW)
    assert (entry.status, entry.authority_id, entry.ni_number) == ("current", authority.id, "AB123456C")
    stored = set(session.scalars(select(MatchKey.key_hash).where(MatchKey.record_id == entry.id)))
    assert stored == keys_of(person_from(entry)).keys
    assert [c.change for c in history_of(session, entry)] == ["recorded"]
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "register_entry.recorded")).one()
    assert event.detail == {"decision": "refusal_of_grant", "category": "violence", "alerted_authorities": 0}


def test_a_ref_is_unique_within_the_authority_only(session):
    here, there = make_authority(session), make_authority(session)
    record_entry(session, officer(here.id), entry_fields(), NOW)
    record_entry(session, officer(there.id), entry_fields(), NOW)
    with pytest.raises(DuplicateReference):
        record_entry(session, officer(here.id), entry_fields(), NOW)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"decision": "caution"}, "decision"),
        ({"category": "parking"}, "category"),
        ({"decided_on": NOW.date() + timedelta(days=1)}, "decided_on"),
        ({"effective_on": date(2026, 11, 1)}, "effective_on"),
        ({"ni_number": "X" * 21}, "ni_number"),
        ({"date_of_birth": "31/02/1980"}, "date_of_birth"),
        ({"family_name": "  "}, "family_name"),
        ({"ref": ""}, "ref"),
    ],
)
def test_invalid_entries_are_refused_naming_the_field(session, overrides, field):
    authority = make_authority(session)
    with pytest.raises(ValidationFailed) as refused:
        record_entry(session, officer(authority.id), entry_fields(**overrides), NOW)
    assert field in {e["field"] for e in refused.value.errors}


def test_an_invalid_identifier_is_kept_and_flagged_and_a_correction_clears_the_flag(session):
    entry = record_entry(session, officer(make_authority(session).id), entry_fields(ni_number="12345"), NOW)
    assert (entry.ni_number, entry.identity_warnings) == (
        "12345",
        [{"field": "ni_number", "warning": "not valid"}],
    )
    entry.ni_number = "AB123456C"
    session.commit()
    assert entry.identity_warnings == []


def test_a_police_actor_cannot_record_an_entry(session):
    force_actor = Actor(kind="api_client", id=1, label="police", police_force_id=1)
    with pytest.raises(Exception, match="Only a licensing authority"):
        record_entry(session, force_actor, entry_fields(), NOW)


def test_another_councils_entry_is_not_found(session):
    entry = make_register_entry(session)
    with pytest.raises(NotFound):
        own_entry(session, officer(make_authority(session).id), entry.id)
    with pytest.raises(NotFound):
        amend_entry(session, officer(make_authority(session).id), entry.id, "overturned", {}, NOW)


def test_a_council_lists_only_its_own_entries(session):
    authority = make_authority(session)
    mine = [make_register_entry(session, authority_id=authority.id) for _ in range(3)]
    make_register_entry(session)
    listed = list_entries(session, officer(authority.id))
    assert [e.id for e in listed] == [e.id for e in mine]
    assert [e.id for e in list_entries(session, officer(authority.id), after=mine[0].id, limit=1)] == [
        mine[1].id
    ]


def test_appeal_overturns_then_reinstates_with_history(session):
    entry = make_register_entry(session)
    actor = officer(entry.authority_id)
    amend_entry(session, actor, entry.id, "overturned", {"changed_on": date(2026, 11, 20)}, NOW)
    assert entry.status == "overturned"
    amend_entry(session, actor, entry.id, "reinstated", {}, NOW)
    history = history_of(session, entry)
    assert [(c.change, c.changed_on) for c in history] == [
        ("recorded", NOW.date()),
        ("overturned", date(2026, 11, 20)),
        ("reinstated", NOW.date()),
    ]
    assert history[1].fields == {"reason": "appeal"}
    assert entry.status == "current"


def test_correcting_dates_keeps_before_and_after(session):
    entry = make_register_entry(session)
    fields = {"effective_on": date(2025, 2, 7), "category": "driving"}
    amend_entry(session, officer(entry.authority_id), entry.id, "amended", fields, NOW)
    change = history_of(session, entry)[-1]
    assert change.fields == {
        "reason": "correction",
        "effective_on": ["2025-01-31", "2025-02-07"],
        "category": ["sexual_offences", "driving"],
    }
    assert (entry.effective_on, entry.category, entry.status) == (date(2025, 2, 7), "driving", "current")


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ("amended", {}),  # nothing corrected
        ("amended", {"effective_on": date(2025, 1, 1)}),  # before decided_on
        ("overturned", {"effective_on": date(2025, 2, 1)}),  # only 'amended' corrects
        ("overturned", {"changed_on": NOW.date() + timedelta(days=1)}),
        ("overturned", {"reason": "whim"}),
        ("deleted", {}),
    ],
)
def test_invalid_amendments_are_refused_and_change_nothing(session, change, fields):
    entry = make_register_entry(session)
    with pytest.raises(ValidationFailed):
        amend_entry(session, officer(entry.authority_id), entry.id, change, fields, NOW)
    session.rollback()
    assert (entry.status, entry.effective_on) == ("current", date(2025, 1, 31))
    assert len(history_of(session, entry)) == 1


@pytest.mark.parametrize(
    ("first", "then"), [("overturned", "overturned"), ("removed", "amended"), (None, "reinstated")]
)
def test_changes_the_status_does_not_allow_are_conflicts(session, first, then):
    entry = make_register_entry(session)
    actor = officer(entry.authority_id)
    if first:
        amend_entry(session, actor, entry.id, first, {}, NOW)
    with pytest.raises(InvalidTransition):
        amend_entry(session, actor, entry.id, then, {"category": "other"} if then == "amended" else {}, NOW)


def test_amendment_notifies_each_council_that_asked_about_the_entry_once(session):
    entry = make_register_entry(session)
    asking = [make_authority(session) for _ in range(2)]
    for authority in asking:
        make_screening(session, authority_id=authority.id)
        request_information(
            session, officer(authority.id), {"register_entry_id": entry.id, "request_text": "?"}, NOW
        )
    request_information(
        session, officer(asking[0].id), {"register_entry_id": entry.id, "request_text": "+"}, NOW
    )
    make_screening(session, authority_id=make_authority(session).id)  # screened, never asked
    amend_entry(session, officer(entry.authority_id), entry.id, "overturned", {}, NOW)
    alerts = session.scalars(select(Alert).where(Alert.alert_type == "register_entry.overturned")).all()
    assert sorted(a.authority_id for a in alerts) == sorted(a.id for a in asking)
    assert {(a.subject_kind, a.subject_id) for a in alerts} == {("register_entry", entry.id)}
    assert alerts[0].payload["detail"] == {
        "register_entry_id": entry.id,
        "change": "overturned",
        "changed_on": NOW.date().isoformat(),
        "reason": "appeal",
        "status": "overturned",
    }


def test_amending_an_entry_nobody_asked_about_notifies_nobody(session):
    entry = make_register_entry(session)
    amend_entry(session, officer(entry.authority_id), entry.id, "removed", {}, NOW)
    assert session.scalars(select(Alert)).all() == []
    assert session.scalars(select(RegisterEntryChange.change).order_by(RegisterEntryChange.id)).all() == [
        "recorded",
        "removed",
    ]
