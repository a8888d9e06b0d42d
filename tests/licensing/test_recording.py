"""Decisions recorded on the s.2 register where they are made: the choice, the entry in the decision's own
transaction, the lifting of a suspension, and what retention leaves of the link."""

from datetime import date, datetime

import pytest
from sqlmodel import select

from licensing.errors import DuplicateReference, InvalidTransition, ValidationFailed
from licensing.licences import lifecycle
from licensing.monitoring.retention import purge_register
from licensing.persistence.models import (
    AuditEvent,
    Licence,
    LicenceStatusChange,
    RegisterEntry,
    RegisterEntryChange,
)
from licensing.register import entries, recording
from tests.factories import make_licence, make_register_entry
from tests.licensing.test_licences import council

NOW = datetime(2026, 11, 23, 10, 0)
EFFECTIVE = date(2026, 11, 23)


def suspend(session, licence, **register):
    """Suspend `licence` as an officer of its council, with the register choice given."""
    return lifecycle.change_status(
        session, council(licence.authority_id), licence.id, "suspend", effective_on=EFFECTIVE, now=NOW,
        register=register,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({}, ["category"]),
        ({"category": "nuisance"}, ["category"]),
        ({"record_register_entry": False}, ["not_recorded_reason"]),
        ({"record_register_entry": False, "category": "driving", "not_recorded_reason": "x"}, ["category"]),
        ({"category": "driving", "register_ref": "R" * 65}, ["register_ref"]),
        ({"record_register_entry": False, "not_recorded_reason": "x" * 501}, ["not_recorded_reason"]),
        ({"category": "driving", "not_recorded_reason": "Not relevant."}, ["not_recorded_reason"]),
    ],
)
def test_a_register_choice_names_each_problem(fields, errors):
    with pytest.raises(ValidationFailed) as refused:
        recording.choice_from(fields)
    assert [e["field"] for e in refused.value.errors] == errors


def test_recording_is_the_default_and_declining_keeps_only_the_reason():
    assert recording.choice_from({"category": "violence"}) == recording.RegisterChoice(True, "violence")
    declined = recording.choice_from({"record_register_entry": False, "not_recorded_reason": " Not s.2(1) "})
    assert declined == recording.RegisterChoice(False, None, None, "Not s.2(1)")


def test_a_suspension_and_its_entry_commit_together(session):
    licence = make_licence(session, ref="LIC-1")
    suspend(session, licence, category="violence")
    entry = session.exec(select(RegisterEntry)).one()
    change = session.exec(select(LicenceStatusChange)).one()
    assert (change.status, change.register_entry_id) == ("suspended", entry.id)
    assert (entry.ref, entry.decision, entry.decided_on) == (
        "LIC-1/suspension/2026-11-23",
        "suspension",
        EFFECTIVE,
    )


def test_when_the_entry_is_refused_the_suspension_is_not_made(session):
    licence = make_licence(session)
    make_register_entry(session, authority_id=licence.authority_id, ref="TAKEN")
    with pytest.raises(DuplicateReference) as refused:
        suspend(session, licence, category="violence", register_ref="TAKEN")
    assert refused.value.errors[0]["field"] == "register_ref"
    session.rollback()
    assert session.get(Licence, licence.id).status == "active"
    assert session.exec(select(LicenceStatusChange)).all() == []
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "licence.suspended")).all() == []


def test_a_decision_dated_after_it_takes_effect_is_refused_by_the_register(session):
    licence = make_licence(session)
    with pytest.raises(ValidationFailed) as refused:
        lifecycle.change_status(
            session, council(licence.authority_id), licence.id, "revoke", effective_on=date(2026, 11, 1),
            decided_on=date(2026, 11, 20), now=NOW, register={"category": "driving"},
        )  # fmt: skip
    assert refused.value.errors[0]["field"] == "effective_on"
    session.rollback()
    assert session.get(Licence, licence.id).status == "active"


def test_reinstating_after_the_entry_was_overturned_leaves_the_entry_alone(session):
    licence = make_licence(session)
    suspend(session, licence, category="violence")
    entry = session.exec(select(RegisterEntry)).one()
    actor = council(licence.authority_id)
    entries.amend_entry(session, actor, entry.id, "overturned", {}, NOW)
    lifecycle.change_status(session, actor, licence.id, "reinstate", effective_on=EFFECTIVE, now=NOW)
    changes = session.exec(select(RegisterEntryChange.change).where(RegisterEntryChange.entry_id == entry.id))
    assert list(changes) == ["recorded", "overturned"]


def test_reinstating_a_suspension_kept_off_the_register_records_nothing(session):
    licence = make_licence(session)
    suspend(session, licence, record_register_entry=False, not_recorded_reason="Medical lapse.")
    lifecycle.change_status(
        session, council(licence.authority_id), licence.id, "reinstate", effective_on=EFFECTIVE, now=NOW
    )
    assert session.exec(select(RegisterEntry)).all() == []


def test_only_a_suspension_is_lifted(session):
    entry = make_register_entry(session, decision="revocation")
    with pytest.raises(InvalidTransition):
        entries.amend_entry(session, council(entry.authority_id), entry.id, "lifted", {}, NOW)


def test_retention_purges_an_entry_a_status_change_recorded_and_keeps_the_change(session, engine):
    licence = make_licence(session)
    suspend(session, licence, category="violence")
    session.commit()  # the suspension's unit ends before the retention job runs
    assert purge_register(engine, datetime(2040, 1, 1), years=11) == {"register_entry": 1}
    session.expire_all()
    change = session.exec(select(LicenceStatusChange)).one()
    assert (change.status, change.register_entry_id) == ("suspended", None)
