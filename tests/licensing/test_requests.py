"""s.3 information requests: only about entries the asker's screenings found; 20 working days to answer."""

from datetime import date, datetime

import pytest
from sqlmodel import select

from licensing.actors import Actor
from licensing.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed
from licensing.licences import applications
from licensing.persistence.models import Alert, AuditEvent
from licensing.workflows.information_requests import (
    answered_in_time,
    describe,
    is_overdue,
    list_requests,
    request_information,
    respond,
)
from licensing.workflows.workdays import calendar_for
from tests.factories import (
    NOW,
    make_authority,
    make_register_entry,
    make_screened_application,
    make_screening,
)

ATTACHMENT = {
    "filename": "panel-minutes.pdf",
    "media_type": "application/pdf",
    "size": 1024,
    "sha256": "a" * 64,
}


def officer(authority_id: int) -> Actor:
    """Return an officer of the authority."""
    return Actor(kind="user", id=None, label="Officer Test", authority_id=authority_id)


def screened_entry(session, *, nation="england"):
    """Return (entry, asking authority) where the asker's screening found the entry."""
    recorder = make_authority(session, nation=nation)
    entry = make_register_entry(session, authority_id=recorder.id)
    asker = make_authority(session)
    make_screening(session, authority_id=asker.id)
    return entry, asker


def ask(session, entry, asker, now=NOW, **fields):
    """Make a request about `entry` as `asker` (committed, as the request that made it would be)."""
    body = {"register_entry_id": entry.id, "request_text": "Please send what you relied on."} | fields
    request = request_information(session, officer(asker.id), body, now)
    session.commit()
    return request


def test_request_is_due_in_20_working_days_of_the_recording_council(session):
    entry, asker = screened_entry(session)
    request = ask(session, entry, asker)
    assert (request.recording_authority_id, request.requesting_authority_id) == (entry.authority_id, asker.id)
    assert request.due_on == date(2026, 12, 21)  # Mon 23 Nov 2026 + 20 working days
    assert request.screening_candidate_id is not None


def test_a_scottish_recorder_counts_its_own_holidays(session):
    entry, asker = screened_entry(session, nation="scotland")
    assert ask(session, entry, asker).due_on == date(2026, 12, 22)  # St Andrew's Day, Mon 30 Nov


def test_a_scottish_recorder_on_englands_calendar_works_st_andrews_day(session):
    entry, asker = screened_entry(session, nation="scotland")
    body = {"register_entry_id": entry.id, "request_text": "Please send what you relied on."}
    request = request_information(session, officer(asker.id), body, NOW, calendar_for("ENG"))
    assert request.due_on == date(2026, 12, 21)


def test_a_request_across_christmas_is_due_after_the_holidays(session):
    entry, asker = screened_entry(session)
    assert ask(session, entry, asker, now=datetime(2026, 12, 14, 9)).due_on == date(2027, 1, 14)


def test_an_entry_the_asker_never_screened_is_not_found(session):
    entry = make_register_entry(session)
    stranger = make_authority(session)
    with pytest.raises(NotFound):
        ask(session, entry, stranger)
    other = make_authority(session)
    make_screening(session, authority_id=other.id)  # another council's screening gives no right to ask
    with pytest.raises(NotFound):
        ask(session, entry, stranger)


def test_an_application_of_another_council_is_not_found(session):
    entry, asker = screened_entry(session)
    elsewhere = make_screened_application(session, screened_at=None)
    with pytest.raises(NotFound):
        ask(session, entry, asker, application_id=elsewhere.id)
    own = make_screened_application(session, authority_id=asker.id, screened_at=None)
    assert ask(session, entry, asker, application_id=own.id).application_id == own.id


def test_an_empty_request_is_refused(session):
    entry, asker = screened_entry(session)
    with pytest.raises(ValidationFailed):
        ask(session, entry, asker, request_text="  ")


def test_creating_a_request_alerts_the_recorder_and_is_audited(session):
    entry, asker = screened_entry(session)
    request = ask(session, entry, asker)
    alert = session.scalars(select(Alert)).one()
    assert (alert.authority_id, alert.alert_type, alert.subject_id) == (
        entry.authority_id,
        "information_request.received",
        request.id,
    )
    assert session.scalars(
        select(AuditEvent.action).where(AuditEvent.record_kind == "information_request")
    ).all() == ["information_request.created"]


def test_only_the_recorder_answers_once_and_the_requester_is_told(session):
    entry, asker = screened_entry(session)
    request = ask(session, entry, asker)
    with pytest.raises(Forbidden):
        respond(session, officer(asker.id), request.id, "mine", [], NOW)
    with pytest.raises(NotFound):
        respond(session, officer(make_authority(session).id), request.id, "x", [], NOW)
    answered = respond(session, officer(entry.authority_id), request.id, "Panel minutes.", [ATTACHMENT], NOW)
    assert (answered.status, answered.attachments, answered_in_time(answered)) == (
        "answered",
        [ATTACHMENT],
        True,
    )
    with pytest.raises(InvalidTransition):
        respond(session, officer(entry.authority_id), request.id, "again", [], NOW)
    told = session.scalars(select(Alert).where(Alert.alert_type == "information_request.answered")).one()
    assert told.authority_id == asker.id
    assert told.payload["detail"] == {"information_request_id": request.id, "answered_in_time": True}


def test_a_blank_answer_is_refused_and_the_request_stays_open(session):
    entry, asker = screened_entry(session)
    request = ask(session, entry, asker)
    with pytest.raises(ValidationFailed):
        respond(session, officer(entry.authority_id), request.id, " \n\t ", [], NOW)
    session.rollback()
    assert (session.get(type(request), request.id).status, request.response_text) == ("open", None)


def test_a_late_answer_is_marked_late(session):
    entry, asker = screened_entry(session)
    request = ask(session, entry, asker)
    late = respond(session, officer(entry.authority_id), request.id, "Sorry.", [], datetime(2026, 12, 22, 9))
    assert answered_in_time(late) is False


def test_overdue_lists_open_requests_past_their_due_date(session):
    entry, asker = screened_entry(session)
    old = ask(session, entry, asker, now=datetime(2026, 10, 1, 9))  # due 29 Oct 2026
    answered = ask(session, entry, asker, now=datetime(2026, 10, 1, 9))
    respond(session, officer(entry.authority_id), answered.id, "Done.", [], NOW)
    recent = ask(session, entry, asker)
    recorder = officer(entry.authority_id)
    today = NOW.date()

    def listed(**kw):
        return [r.id for r in list_requests(session, recorder, today=today, **kw).items]

    assert listed(status="overdue") == [old.id]
    assert is_overdue(old, today) and not is_overdue(recent, today)
    assert listed(status="open") == [old.id, recent.id]
    assert listed(status="answered") == [answered.id]
    assert listed(direction="outgoing") == []
    outgoing = list_requests(session, officer(asker.id), direction="outgoing", today=today, limit=2)
    assert ([r.id for r in outgoing.items], outgoing.next_key) == (
        [old.id, answered.id],
        (old.due_on, answered.id),
    )
    rest = list_requests(
        session, officer(asker.id), direction="outgoing", today=today, after=outgoing.next_key
    )
    assert ([r.id for r in rest.items], rest.next_key) == ([recent.id], None)
    assert list_requests(session, officer(asker.id), direction="incoming", today=today).items == []


@pytest.mark.parametrize("decide", ["withdraw", "refuse"])
def test_answers_received_for_an_application_are_deleted_once_it_is_decided(session, decide):
    entry, asker = screened_entry(session)
    application = make_screened_application(session, authority_id=asker.id)
    other = make_screened_application(session, authority_id=asker.id)
    attachment = {"filename": "minutes.pdf", "media_type": "application/pdf", "size": 1, "sha256": "0" * 64}
    other_request = ask(session, entry, asker, application_id=other.id)
    kept = respond(
        session,
        officer(entry.authority_id),
        other_request.id,
        "Kept until the other is decided.",
        [attachment],
        NOW,
    )
    request = ask(session, entry, asker, application_id=application.id)
    respond(session, officer(entry.authority_id), request.id, "The panel's reasons.", [attachment], NOW)
    # A refusal says whether it goes on the register; this one does not rest on relevant information.
    off_register = {"record_register_entry": False, "not_recorded_reason": "No relevant information."}
    options = {"register": off_register} if decide == "refuse" else {}
    getattr(applications, decide)(session, officer(asker.id), application.id, NOW, **options)
    session.refresh(request)
    assert (request.status, request.response_text, request.attachments) == ("answered", None, [])
    seen = describe(session, request, NOW.date())
    assert (seen["received_deleted"], seen["answered_in_time"], seen["responded_at"]) == (True, True, NOW)
    session.refresh(kept)
    assert (kept.response_text, describe(session, kept, NOW.date())["received_deleted"]) == (
        "Kept until the other is decided.",
        False,
    )
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "information_request.received_deleted")
    ).all()
    assert [(e.record_id, e.detail["application_id"]) for e in events] == [(request.id, application.id)]


def test_an_answer_arriving_after_the_decision_is_not_kept(session):
    entry, asker = screened_entry(session)
    application = make_screened_application(session, authority_id=asker.id)
    request = ask(session, entry, asker, application_id=application.id)
    applications.withdraw(session, officer(asker.id), application.id, NOW)
    respond(session, officer(entry.authority_id), request.id, "Too late to use.", [], NOW)
    session.commit()
    session.refresh(request)
    assert (request.status, request.response_text, request.responded_at) == ("answered", None, NOW)
