"""Subject access is complete: one record of each kind about the person shows in its own section, with
who and when; a section with nothing in it says so; the force's restricted content never appears."""

from dataclasses import asdict, dataclass
from datetime import date

import pytest
from sqlmodel import select

from licensing.actors import Actor
from licensing.intelligence.council_views import routed_item
from licensing.intelligence.routing import push_intelligence
from licensing.licences.applications import create_application
from licensing.licences.gate import resolve_candidate, view_screening
from licensing.persistence.models import AuditEvent, Authority, Screening, ScreeningCandidate
from licensing.subject_access import SECTIONS, export_subject
from licensing.workflows.concern_reports import decide, report_concern
from licensing.workflows.information_requests import request_information, respond
from tests.factories import (
    NOW,
    identity,
    make_authority,
    make_licence,
    make_police_force,
    make_register_entry,
)

ADMIN = Actor(kind="api_client", id=99, label="Admin client", scopes=frozenset({"admin"}))
# Another man of the same name and date of birth: his application's screening finds the subject's
# records as possible candidates only, and he is not the subject.
NAMESAKE = {
    "ni_number": "CE111111A",
    "driving_licence_number": "",
    "address": "1 Far Road, Faraway",
    "postcode": "M1 1AA",
}
ATTACHMENT = {
    "filename": "panel-minutes.pdf",
    "media_type": "application/pdf",
    "size": 1024,
    "sha256": "a" * 64,
}


def officer(authority_id: int, label: str = "Officer Test") -> Actor:
    """Return an officer of one authority."""
    return Actor(kind="user", id=None, label=label, authority_id=authority_id)


def applied(session, authority: Authority, person: dict):
    """Receive an application for `person` at `authority` through the service (indexed and screened)."""
    fields = person | {
        "ref": f"APP-{authority.id}",
        "kind": "new",
        "licence_type": "phv",
        "received_on": NOW.date(),
    }
    made = create_application(session, officer(authority.id, "Test officer"), fields, NOW)
    session.commit()
    return made.application


@dataclass
class Held:
    """One record of each kind about the subject, and the councils and force involved."""

    recorder: Authority
    issuer: Authority
    applying: Authority
    neighbour: Authority
    entry: object
    licence: object
    application: object
    namesake_screening: Screening
    candidate: ScreeningCandidate
    request: object
    report: object
    intelligence: object


@pytest.fixture
def held(session) -> Held:
    """Record, screen, ask about, report, route, alert about and view the subject once each."""
    recorder, issuer, applying, neighbour = (make_authority(session) for _ in range(4))
    entry = make_register_entry(session, authority_id=recorder.id)
    licence = make_licence(session, authority_id=issuer.id)
    application = applied(session, applying, identity())
    namesake = applied(session, neighbour, identity(**NAMESAKE))
    namesake_screening = session.exec(select(Screening).where(Screening.application_id == namesake.id)).one()
    candidate = session.exec(
        select(ScreeningCandidate).where(
            ScreeningCandidate.screening_id == namesake_screening.id,
            ScreeningCandidate.candidate_kind == "licence",
            ScreeningCandidate.candidate_id == licence.id,
        )
    ).one()
    resolve_candidate(
        session, officer(neighbour.id, "Neighbour officer"), namesake_screening.id, candidate.id,
        "not_same_person", "Different NI number and address.", NOW,
    )  # fmt: skip
    request = request_information(
        session,
        officer(applying.id, "Applying officer"),
        {"register_entry_id": entry.id, "request_text": "Please send what you relied on.",
         "application_id": application.id},
        NOW,
    )  # fmt: skip
    respond(
        session, officer(recorder.id, "Recording officer"), request.id, "Panel minutes", [ATTACHMENT], NOW
    )
    fields = {"authority_code": issuer.code, "badge_number": licence.badge_number}
    report = report_concern(
        session, officer(neighbour.id, "Reporting officer"),
        fields | {"concern_on": date(2026, 11, 20), "summary": "Seen plying for hire."}, NOW,
    )  # fmt: skip
    decide(session, officer(issuer.id, "Deciding officer"), report.id, "warning", "Warned in writing.", NOW)
    force = make_police_force(session)
    police = Actor(kind="api_client", id=7, label="Force client", police_force_id=force.id)
    body = identity() | {"category": "arrest", "occurred_on": date(2026, 10, 1)}
    body |= {"summary": "Restricted police detail", "shareable_summary": "Arrested on suspicion"}
    item = push_intelligence(session, police, "REF-1", body, NOW).intelligence
    routed_item(session, officer(issuer.id, "Viewing officer"), item.id, NOW)
    screening_of_him = session.exec(select(Screening).where(Screening.application_id == application.id)).one()
    view_screening(session, officer(applying.id, "Applying officer"), screening_of_him.id, NOW)
    session.commit()
    return Held(
        recorder, issuer, applying, neighbour, entry, licence, application, namesake_screening, candidate,
        request, report, item,
    )  # fmt: skip


def exported(session, **subject):
    """Export the subject as an administrator."""
    return export_subject(session, ADMIN, subject or identity(), NOW)


def test_every_kind_of_record_is_in_its_section(session, held):
    export = exported(session)
    held_records = {(r["kind"], r["id"]) for r in export.records}
    assert {
        ("application", held.application.id),
        ("licence", held.licence.id),
        ("register_entry", held.entry.id),
        ("intelligence", held.intelligence.id),
    } <= held_records
    assert all(r["recorded_at"] == NOW for r in export.records)
    assert held.application.id in {s["application_id"] for s in export.screenings}
    assert export.empty_sections == {}
    assert set(SECTIONS) == {
        "records", "screenings", "candidate_appearances", "information_requests", "concern_reports",
        "routed_intelligence", "alerts", "audit_trail",
    }  # fmt: skip


def test_a_screening_of_another_application_that_found_him_is_a_candidate_appearance(session, held):
    export = exported(session)
    assert ("application", held.namesake_screening.application_id) not in {
        (r["kind"], r["id"]) for r in export.records
    }
    appearance = next(a for a in export.candidate_appearances if a["candidate_id"] == held.candidate.id)
    assert appearance["screening_id"] == held.namesake_screening.id
    assert appearance["purpose"] == "application"
    assert (appearance["record_kind"], appearance["record_id"]) == ("licence", held.licence.id)
    assert appearance["band"] == "possible"
    assert appearance["authority"]["code"] == held.neighbour.code
    assert (appearance["screened_by"], appearance["screened_at"]) == ("Test officer", NOW)
    assert appearance["resolution"] == "not_same_person"
    assert appearance["resolution_reason"] == "Different NI number and address."
    assert (appearance["resolved_by"], appearance["resolved_at"]) == ("Neighbour officer", NOW)
    assert [(r["reason"], r["decided_by"], r["decided_at"]) for r in appearance["rulings"]] == [
        ("Different NI number and address.", "Neighbour officer", NOW)
    ]
    # The other applicant is a third party: nothing of his identity is disclosed.
    assert "Far Road" not in str(export.candidate_appearances)
    assert "CE111111A" not in str(export.candidate_appearances)


def test_the_s3_request_and_its_response_are_exported_with_who_and_when(session, held):
    (request,) = exported(session).information_requests
    assert request["id"] == held.request.id
    assert request["register_entry_id"] == held.entry.id
    assert request["requesting_authority"]["code"] == held.applying.code
    assert request["recording_authority"]["code"] == held.recorder.code
    assert (request["request_text"], request["requested_by"], request["requested_at"]) == (
        "Please send what you relied on.", "Applying officer", NOW,
    )  # fmt: skip
    assert (request["response_text"], request["answered_by"], request["responded_at"]) == (
        "Panel minutes", "Recording officer", NOW,
    )  # fmt: skip
    assert request["attachments"][0]["filename"] == "panel-minutes.pdf"
    assert request["status"] == "answered"


def test_the_s5_report_and_s6_decision_are_exported_with_who_and_when(session, held):
    (report,) = exported(session).concern_reports
    assert (report["id"], report["licence_id"]) == (held.report.id, held.licence.id)
    assert report["reporting_authority"]["code"] == held.neighbour.code
    assert report["issuing_authority"]["code"] == held.issuer.code
    assert (report["summary"], report["reported_by"], report["reported_at"]) == (
        "Seen plying for hire.", "Reporting officer", NOW,
    )  # fmt: skip
    assert (report["decision"], report["decision_notes"]) == ("warning", "Warned in writing.")
    assert (report["decided_by"], report["decided_at"]) == ("Deciding officer", NOW)


def test_routed_intelligence_is_what_each_council_was_shown_never_the_restricted_content(session, held):
    export = exported(session)
    routes = export.routed_intelligence
    # Routed to the councils licensing him or processing his application.
    assert {r["authority"]["code"] for r in routes} == {held.issuer.code, held.applying.code}
    for route in routes:
        assert route["intelligence_id"] == held.intelligence.id
        assert route["shareable_summary"] == "Arrested on suspicion"
        assert (route["force_reference"], route["category"], route["routed_at"]) == ("REF-1", "arrest", NOW)
        assert route["force_name"]
    assert "Restricted police detail" not in str(asdict(export))


def test_alerts_about_his_records_say_which_council_and_when(session, held):
    alerts = exported(session).alerts
    kinds = {(a["alert_type"], a["subject_kind"], a["subject_id"]) for a in alerts}
    assert ("intelligence.routed", "intelligence", held.intelligence.id) in kinds
    assert ("information_request.received", "information_request", held.request.id) in kinds
    assert ("concern_report.received", "concern_report", held.report.id) in kinds
    assert all(a["authority"]["code"] and a["created_at"] == NOW for a in alerts)


def test_every_view_of_his_records_is_in_the_audit_trail_with_who_and_when(session, held):
    trail = exported(session).audit_trail
    seen = {
        (e["action"], e["record_kind"], e["record_id"], e["actor_label"], e["occurred_at"]) for e in trail
    }
    assert ("intelligence.viewed", "intelligence", held.intelligence.id, "Viewing officer", NOW) in seen
    assert ("register_entry.viewed", "register_entry", held.entry.id, "Applying officer", NOW) in seen
    assert (
        "information_request.answered",
        "information_request",
        held.request.id,
        "Recording officer",
        NOW,
    ) in seen
    assert ("concern_report.sent", "concern_report", held.report.id, "Reporting officer", NOW) in seen


def test_sections_with_nothing_in_them_say_so(session):
    make_licence(session)
    export = exported(session)
    assert export.records and not export.information_requests
    assert set(export.empty_sections) == {
        "screenings", "candidate_appearances", "information_requests", "concern_reports",
        "routed_intelligence", "alerts", "audit_trail",
    }  # fmt: skip
    assert all(message.startswith("None") for message in export.empty_sections.values())


def test_the_export_audit_event_counts_each_section(session, held):
    export = exported(session)
    event = session.get(AuditEvent, export.audit_event_id)
    assert event.detail["information_requests"] == 1 and event.detail["concern_reports"] == 1
    assert event.detail["candidate_appearances"] == len(export.candidate_appearances)
    assert event.detail["audit_events"] == len(export.audit_trail)
    assert event.detail["records"]["application"] == 1
    assert "Hussain" not in str(event.detail)


def test_exchanges_alerts_and_routes_about_someone_else_are_not_exported(session, held):
    other = {"given_names": "Gareth", "family_name": "Llewellyn", "date_of_birth": date(1970, 1, 1)}
    other |= {"ni_number": "CE654321A", "driving_licence_number": "LLEWE701010G99CD"}
    licence = make_licence(session, authority_id=held.issuer.id, **other)
    fields = {"authority_code": held.issuer.code, "badge_number": licence.badge_number}
    fields |= {"concern_on": date(2026, 11, 20), "summary": "Someone else entirely."}
    report = report_concern(session, officer(held.recorder.id), fields, NOW)
    session.commit()
    export = exported(session)
    assert report.id not in {r["id"] for r in export.concern_reports}
    assert ("concern_report", report.id) not in {(a["subject_kind"], a["subject_id"]) for a in export.alerts}
    assert "Someone else entirely." not in str(asdict(export))
