"""The reorganisation resolver and the service that records merges, splits and recodes."""

from datetime import date, datetime

import pytest
from sqlmodel import select

from licensing.actors import SYSTEM, Actor
from licensing.errors import NotFound, ValidationFailed
from licensing.licences import attention, lifecycle
from licensing.persistence.models import AuditEvent, Authority, AuthorityChange, ConcernReport
from licensing.reference import changes, reorganisation, reorganisations
from licensing.workflows import concern_reports
from tests.factories import make_authority, make_licence

NOW = datetime(2026, 11, 23, 10, 0)
APRIL = date(2026, 4, 1)


def officer_of(authority_id: int) -> Actor:
    return Actor(kind="user", id=None, label="test officer", authority_id=authority_id, role="manager")


def merge(session, predecessors, successor, on=APRIL, **options):
    plan = changes.plan_merge(
        session, [p.code for p in predecessors], successor.code, on, changes.Options(**options)
    )
    rows = changes.apply(session, plan, NOW)
    session.commit()
    return rows


def test_a_merge_then_a_recode_resolve_to_the_end_of_the_chain(session):
    old, merged, recoded = make_authority(session), make_authority(session), make_authority(session)
    merge(session, [old], merged)
    changes.apply(session, changes.plan_recode(session, merged.code, recoded.code, date(2027, 4, 1)), NOW)

    assert reorganisation.successor_id(session, old.id, date(2026, 3, 31)) == old.id
    assert reorganisation.successor_id(session, old.id, APRIL) == merged.id
    assert reorganisation.successor_id(session, old.id, date(2027, 4, 1)) == recoded.id
    assert reorganisation.answered_by(session, recoded.id, date(2027, 4, 1)) == {
        old.id,
        merged.id,
        recoded.id,
    }
    mapping = reorganisation.successor_map(session, date(2027, 4, 1))
    assert mapping == {old.code: recoded.code, merged.code: recoded.code}


def test_officers_move_and_keys_are_disabled_as_the_change_says(session):
    old, new = make_authority(session), make_authority(session)
    merge(session, [old], new, officers="move", api_keys="disable")
    officer = officer_of(old.id)
    key = Actor(kind="api_client", id=1, label="key", authority_id=old.id)

    before = reorganisation.acting_as(session, officer, date(2026, 3, 31))
    assert before.authority_id == old.id and not before.answers_for
    after = reorganisation.acting_as(session, officer, APRIL)
    assert after.authority_id == new.id and after.answers(old.id)
    assert reorganisation.acting_as(session, key, APRIL) is None
    assert reorganisation.acting_as(session, key, date(2026, 3, 31)) == key


def test_the_successor_acts_on_a_predecessors_licence_and_open_s5_report(session):
    old, new, reporter = make_authority(session), make_authority(session), make_authority(session)
    licence = make_licence(session, authority_id=old.id)
    report = ConcernReport(
        reporting_authority_id=reporter.id, issuing_authority_id=old.id, licence_id=licence.id,
        summary="Seen plying for hire out of area.", status="open", concern_on=date(2026, 11, 16),
        due_on=date(2026, 12, 1), reported_at=NOW,
    )  # fmt: skip
    session.add(report)
    session.commit()
    merge(session, [old], new)
    successor = reorganisation.acting_as(session, officer_of(new.id), NOW.date())

    assert lifecycle.own_licence(session, successor, licence.id).id == licence.id
    assert concern_reports.visible_report(session, successor, report.id).due_on == date(2026, 12, 1)
    page = concern_reports.list_reports(session, successor, direction="incoming")
    assert [r.id for r in page.items] == [report.id]
    with pytest.raises(NotFound):  # the reporting council still cannot reach the licence
        lifecycle.own_licence(session, officer_of(reporter.id), licence.id)
    to_answer = attention.dashboard(session, successor, NOW.date()).to_answer
    assert [(item.kind, item.subject_id) for item in to_answer] == [("concern_report", report.id)]


@pytest.mark.parametrize(
    ("predecessors", "successor", "message"),
    [
        (["A"], "A", "An authority cannot succeed itself."),
        (["A"], "X", "No authority has the code E06999999."),
        (["DONE"], "B", "already has a reorganisation recorded"),
        (["B"], "DONE", "has itself been reorganised"),
    ],
)
def test_a_merge_is_refused_when_it_cannot_hold(session, predecessors, successor, message):
    codes = {name: make_authority(session) for name in ("A", "B", "DONE", "AFTER")}
    merge(session, [codes["DONE"]], codes["AFTER"], on=date(2020, 1, 1))
    code = {name: a.code for name, a in codes.items()} | {"X": "E06999999"}
    with pytest.raises(ValidationFailed) as refused:
        changes.plan_merge(session, [code[p] for p in predecessors], code[successor], APRIL)
    assert message in refused.value.detail


def test_a_split_refuses_placements_naming_another_council(session):
    county, north, south, other = (make_authority(session) for _ in range(4))
    with pytest.raises(ValidationFailed):
        changes.plan_split(
            session, county.code, [north.code, south.code], north.code, APRIL, districts={"CA1": other.code}
        )


def test_the_reorganise_service_needs_the_admin_scope_and_a_dry_run_writes_nothing(session):
    old, new = make_authority(session), make_authority(session)
    fields = {"kind": "merge", "predecessors": [old.code], "successors": [new.code], "effective_on": APRIL}
    with pytest.raises(Exception, match="admin"):
        changes.reorganise(session, officer_of(new.id), fields, NOW)

    plan, rows = changes.reorganise(session, SYSTEM, fields, NOW, dry_run=True)
    assert rows == [] and session.exec(select(AuthorityChange)).all() == []
    assert session.exec(select(AuditEvent)).all() == []
    again, rows = changes.reorganise(session, SYSTEM, fields, NOW)
    assert again.lines() == plan.lines() and len(rows) == 1


def test_the_bundled_2023_changes_load_once_with_their_sources(session):
    from licensing.reference import load_reference

    load_reference(session, NOW)
    plans = reorganisations.load_bundled(session, NOW)
    session.commit()

    assert [p.successors[0][0] for p in plans] == ["E06000063", "E06000064", "E06000065", "E06000066"]
    assert sum(len(p.predecessors) for p in plans) == 17
    assert "The Cumbria (Structural Changes) Order 2022" in plans[0].source
    on = date(2023, 4, 1)
    assert reorganisation.successor_of(session, "E07000028", on) == "E06000063"  # Carlisle: Cumberland
    assert (
        reorganisation.successor_of(session, "E07000030", on) == "E06000064"
    )  # Eden: Westmorland and Furness
    assert reorganisation.successor_of(session, "E07000165", on) == "E06000065"  # Harrogate: North Yorkshire
    assert reorganisation.successor_of(session, "E07000246", on) == "E06000066"  # Somerset West and Taunton
    assert reorganisation.successor_of(session, "E07000028", date(2023, 3, 31)) == "E07000028"
    added = session.exec(select(Authority).where(Authority.code == "E07000031")).one()
    assert added.name == "South Lakeland"
    assert reorganisations.load_bundled(session, NOW) == []  # again: nothing new


def test_the_successor_amends_a_predecessors_register_entries_and_sees_its_alerts(session):
    from licensing.alerts import inbox
    from licensing.alerts.outbox import raise_alert
    from licensing.register import entries
    from tests.factories import make_register_entry

    old, new = make_authority(session), make_authority(session)
    entry = make_register_entry(session, authority_id=old.id)
    merge(session, [old], new)
    successor = reorganisation.acting_as(session, officer_of(new.id), NOW.date())
    alert = raise_alert(
        session, authority_id=old.id, alert_type="screening.new_match", subject_kind="register_entry",
        subject_id=entry.id, now=NOW,
    )  # fmt: skip

    assert entries.own_entry(session, successor, entry.id).authority_id == old.id
    assert [e.id for e in entries.list_entries(session, successor)] == [entry.id]
    assert alert.authority_id == new.id  # raised for the predecessor, addressed to the successor
    assert [a.id for a in inbox.alerts_inbox(session, successor)] == [alert.id]


def test_a_predecessors_record_found_in_a_screening_is_the_successors_own(session):
    from licensing.screening.record_views import is_elsewhere

    old, new, other = make_authority(session), make_authority(session), make_authority(session)
    licence = make_licence(session, authority_id=old.id)
    assert is_elsewhere(licence, officer_of(new.id))
    merge(session, [old], new)

    assert not is_elsewhere(licence, reorganisation.acting_as(session, officer_of(new.id), NOW.date()))
    assert is_elsewhere(licence, reorganisation.acting_as(session, officer_of(other.id), NOW.date()))
