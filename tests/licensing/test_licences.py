"""The licence lifecycle: grant from an application, the status table, renewal, history and audit."""

from datetime import date, timedelta

import pytest
from sqlmodel import select

from licensing import dates
from licensing.actors import Actor
from licensing.errors import DuplicateReference, Forbidden, InvalidTransition, NotFound, ValidationFailed
from licensing.licences import gate
from licensing.licences import lifecycle as licences
from licensing.persistence.models import (
    Application,
    AuditEvent,
    Licence,
    LicenceStatusChange,
    MatchKey,
    Screening,
    ScreeningCandidate,
)
from licensing.persistence.models.records import LICENCE_STATUSES
from licensing.screening.key_index import KIND_CODES
from tests.factories import (
    identity,
    make_authority,
    make_licence,
    make_police_force,
    make_screened_application,
)

MAX_AGE = timedelta(days=90)
EFFECTIVE = date(2026, 11, 23)


def council(authority_id: int) -> Actor:
    """Return an officer of `authority_id`."""
    return Actor(kind="user", id=7, label="Officer Seven", authority_id=authority_id)


def grant(session, actor, application, now, **overrides):
    """Grant a licence on `application` with sensible defaults."""
    fields = {
        "badge_number": "PH10001",
        "granted_on": date(2026, 11, 23),
        "expires_on": date(2029, 11, 22),
        "display_name": None,
    }
    return licences.grant(
        session, actor, application.id, **(fields | overrides), now=now, max_screening_age=MAX_AGE
    )


def resolve_as_same_person(session, application, now) -> int:
    """Resolve every candidate of the application's screening as the same person; return how many."""
    screening = session.exec(select(Screening).where(Screening.application_id == application.id)).one()
    candidates = session.exec(
        select(ScreeningCandidate).where(ScreeningCandidate.screening_id == screening.id)
    )
    actor = council(application.authority_id)
    ids = [candidate.id for candidate in candidates]
    for candidate_id in ids:
        gate.resolve_candidate(session, actor, screening.id, candidate_id, "same_person", "Known driver", now)
    return len(ids)


def events(session, action: str) -> list[AuditEvent]:
    """Return the audit events of one action."""
    return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)))


def history_of(session, licence_id: int) -> list[tuple[str, date]]:
    """Return (status, effective_on) of every history row of a licence, oldest first."""
    query = select(LicenceStatusChange).where(LicenceStatusChange.licence_id == licence_id)
    return [(row.status, row.effective_on) for row in session.exec(query.order_by(LicenceStatusChange.id))]


EXPECTED = {
    ("active", "suspend"): "suspended",
    ("active", "revoke"): "revoked",
    ("active", "surrender"): "surrendered",
    ("active", "expire"): "expired",
    ("suspended", "reinstate"): "active",
    ("suspended", "revoke"): "revoked",
    ("suspended", "surrender"): "surrendered",
    ("suspended", "expire"): "expired",
}
ALL_PAIRS = [(status, action) for status in LICENCE_STATUSES for action in licences.TRANSITIONS]
ON_REGISTER = {"category": "driving"}


def change(session, actor, licence_id, action, effective_on=EFFECTIVE, now=None):
    """Change a licence's status, recording a suspension's or revocation's register entry."""
    register = ON_REGISTER if action in licences.REGISTERED else None
    return licences.change_status(
        session, actor, licence_id, action, effective_on=effective_on, now=now, register=register
    )


@pytest.mark.parametrize(("status", "action"), ALL_PAIRS)
def test_status_change_follows_the_state_table(session, now, status, action):
    licence = make_licence(session, status=status)
    actor = council(licence.authority_id)
    if (status, action) in EXPECTED:
        changed = change(session, actor, licence.id, action, now=now)
        assert changed.status == EXPECTED[(status, action)]
        assert history_of(session, licence.id) == [(EXPECTED[(status, action)], EFFECTIVE)]
    else:
        with pytest.raises(InvalidTransition):
            change(session, actor, licence.id, action, now=now)
        session.rollback()
        assert session.get(Licence, licence.id).status == status
        assert history_of(session, licence.id) == []


def test_suspension_writes_history_and_an_audit_event_without_personal_data(session, now):
    licence = make_licence(session)
    actor = council(licence.authority_id)
    change(session, actor, licence.id, "suspend", now=now)
    change(session, actor, licence.id, "reinstate", effective_on=date(2026, 12, 1), now=now)
    assert history_of(session, licence.id) == [("suspended", EFFECTIVE), ("active", date(2026, 12, 1))]
    row = session.exec(select(LicenceStatusChange)).first()
    assert row.actor_label == "Officer Seven" and row.changed_at == now
    (suspended,) = events(session, "licence.suspended")
    assert (suspended.record_kind, suspended.record_id) == ("licence", licence.id)
    entry_id = session.exec(select(LicenceStatusChange)).first().register_entry_id
    assert entry_id is not None
    assert suspended.detail == {
        "from": "active",
        "to": "suspended",
        "effective_on": "2026-11-23",
        "register_entry_id": entry_id,
    }
    assert suspended.authority_id == licence.authority_id
    assert len(events(session, "licence.reinstated")) == 1


@pytest.mark.parametrize("action", ["suspend", "revoke", "surrender"])
def test_council_cannot_change_another_councils_licence(session, now, action):
    licence = make_licence(session)
    other = council(make_authority(session).id)
    with pytest.raises(NotFound):
        change(session, other, licence.id, action, now=now)
    session.rollback()
    assert session.get(Licence, licence.id).status == "active"


def test_police_cannot_change_a_licence(session, now):
    licence = make_licence(session)
    police = Actor(kind="api_client", id=1, label="Police", police_force_id=make_police_force(session).id)
    with pytest.raises(Forbidden):
        change(session, police, licence.id, "revoke", now=now)


def test_change_cannot_take_effect_before_the_grant(session, now):
    licence = make_licence(session, granted_on=date(2025, 1, 1))
    with pytest.raises(ValidationFailed):
        licences.change_status(
            session,
            council(licence.authority_id),
            licence.id,
            "suspend",
            effective_on=date(2024, 12, 31),
            now=now,
        )


def test_grant_creates_an_indexed_licence_and_decides_the_application(session, now):
    application = make_screened_application(session, licence_type="dual")
    licence = grant(session, council(application.authority_id), application, now, display_name="I. Hussain")
    assert (licence.status, licence.licence_type, licence.badge_number) == ("active", "dual", "PH10001")
    assert (licence.family_name, licence.ni_number) == ("Hussain", "AB123456C")
    assert (licence.application_id, licence.ref, licence.display_name) == (
        application.id,
        application.ref,
        "I. Hussain",
    )
    decided = session.get(Application, application.id)
    assert (decided.status, decided.decided_on) == ("granted", date(2026, 11, 23))
    assert history_of(session, licence.id) == [("active", date(2026, 11, 23))]
    keys = session.exec(
        select(MatchKey).where(
            MatchKey.record_kind == KIND_CODES["licence"], MatchKey.record_id == licence.id
        )
    )
    assert len(keys.all()) > 0
    (event,) = events(session, "licence.granted")
    assert event.detail == {"application_id": application.id, "dbs_update_service": False}


def test_badge_number_is_unique_within_an_authority(session, now):
    authority = make_authority(session)
    make_licence(session, authority_id=authority.id, badge_number="PH10001")
    application = make_screened_application(session, authority_id=authority.id)
    resolve_as_same_person(session, application, now)
    with pytest.raises(DuplicateReference):
        grant(session, council(authority.id), application, now)
    session.rollback()
    assert session.get(Application, application.id).status == "pending"


def test_another_authority_may_use_the_same_badge_number(session, now):
    make_licence(session, badge_number="PH10001")
    application = make_screened_application(session)
    resolve_as_same_person(session, application, now)
    assert grant(session, council(application.authority_id), application, now).badge_number == "PH10001"


@pytest.mark.parametrize(
    ("expires_on", "allowed"),
    [
        (date(2029, 11, 23), True),  # exactly three years
        (date(2029, 11, 24), False),  # a day beyond the statutory term
        (date(2026, 11, 23), False),  # expires the day it is granted
        (date(2026, 11, 1), False),
    ],
)
def test_grant_term_is_after_the_grant_and_at_most_three_years(session, now, expires_on, allowed):
    application = make_screened_application(session)
    actor = council(application.authority_id)
    if allowed:
        assert grant(session, actor, application, now, expires_on=expires_on).expires_on == expires_on
    else:
        with pytest.raises(ValidationFailed) as refused:
            grant(session, actor, application, now, expires_on=expires_on)
        assert refused.value.errors[0]["field"] == "expires_on"


@pytest.mark.parametrize("display_name", ["\u202enuf-semaJ", "J\x07ames", "..."])
def test_grant_refuses_a_display_name_no_name_holds(session, now, display_name):
    # The public check shows the display name: a bidi override would reorder what residents read.
    application = make_screened_application(session)
    with pytest.raises(ValidationFailed) as refused:
        grant(session, council(application.authority_id), application, now, display_name=display_name)
    assert refused.value.errors[0]["field"] == "display_name"


def test_three_years_from_29_february_ends_on_28_february():
    assert dates.add_years(date(2028, 2, 29), 3) == date(2031, 2, 28)


def test_grant_is_refused_on_a_decided_application(session, now):
    application = make_screened_application(session, status="refused")
    with pytest.raises(InvalidTransition):
        grant(session, council(application.authority_id), application, now)


def test_council_cannot_grant_on_another_councils_application(session, now):
    application = make_screened_application(session)
    with pytest.raises(NotFound):
        grant(session, council(make_authority(session).id), application, now)


def test_grant_waits_until_a_match_elsewhere_is_resolved(session, now):
    make_licence(session)  # the same driver, licensed by another council
    application = make_screened_application(session)
    actor = council(application.authority_id)
    with pytest.raises(InvalidTransition):
        grant(session, actor, application, now)
    session.rollback()
    assert resolve_as_same_person(session, application, now) == 1
    assert grant(session, actor, application, now).status == "active"


def test_grant_is_refused_on_a_stale_screening(session, now):
    application = make_screened_application(session, screened_at=now - MAX_AGE - timedelta(minutes=1))
    with pytest.raises(InvalidTransition):
        grant(session, council(application.authority_id), application, now)


def test_grant_is_refused_without_a_screening(session, now):
    application = make_screened_application(session, screened_at=None)
    with pytest.raises(InvalidTransition):
        grant(session, council(application.authority_id), application, now)
    session.rollback()
    assert session.exec(select(Licence)).all() == []


def test_renewal_takes_the_drivers_current_details_and_a_new_expiry(session, now):
    licence = make_licence(session, expires_on=date(2026, 12, 31))
    application = make_screened_application(
        session, authority_id=licence.authority_id, kind="renewal", **identity(family_name="Hussain-Khan")
    )
    resolve_as_same_person(session, application, now)
    renewed = licences.renew(
        session,
        council(licence.authority_id),
        licence.id,
        application_id=application.id,
        effective_on=EFFECTIVE,
        expires_on=date(2029, 12, 31),
        now=now,
        max_screening_age=MAX_AGE,
    )
    assert (renewed.status, renewed.expires_on, renewed.family_name) == (
        "active",
        date(2029, 12, 31),
        "Hussain-Khan",
    )
    assert session.get(Application, application.id).status == "granted"
    assert history_of(session, licence.id) == [("active", EFFECTIVE)]
    assert len(events(session, "licence.renewed")) == 1


def renew(session, licence, now, **overrides):
    """Renew `licence` on a new renewal application of its authority."""
    application = make_screened_application(
        session, authority_id=licence.authority_id, kind=overrides.pop("kind", "renewal")
    )
    resolve_as_same_person(session, application, now)
    fields = {"application_id": application.id, "effective_on": EFFECTIVE, "expires_on": date(2029, 11, 1)}
    return licences.renew(
        session,
        council(licence.authority_id),
        licence.id,
        **(fields | overrides),
        now=now,
        max_screening_age=MAX_AGE,
    )


@pytest.mark.parametrize(
    ("status", "allowed"),
    [("active", True), ("expired", True), ("suspended", False), ("revoked", False), ("surrendered", False)],
)
def test_renewal_follows_the_state_table(session, now, status, allowed):
    licence = make_licence(session, status=status, expires_on=date(2026, 11, 30))
    if allowed:
        assert renew(session, licence, now).status == "active"
    else:
        with pytest.raises(InvalidTransition):
            renew(session, licence, now)


def test_renewal_needs_a_renewal_application(session, now):
    licence = make_licence(session)
    with pytest.raises(ValidationFailed):
        renew(session, licence, now, kind="new")


def test_renewal_term_counts_from_the_old_expiry_of_a_live_licence(session, now):
    licence = make_licence(session, expires_on=date(2027, 1, 31))
    assert renew(session, licence, now, expires_on=date(2030, 1, 31)).expires_on == date(2030, 1, 31)
    other = make_licence(session, expires_on=date(2027, 1, 31))
    with pytest.raises(ValidationFailed):
        renew(session, other, now, expires_on=date(2030, 2, 1))


def test_list_shows_only_the_councils_own_licences_with_filters(session):
    authority = make_authority(session)
    mine = make_licence(session, authority_id=authority.id, badge_number="A1")
    suspended = make_licence(session, authority_id=authority.id, badge_number="A2", status="suspended")
    make_licence(session, badge_number="A1")
    actor = council(authority.id)

    def ids(**kw):
        return [lic.id for lic in licences.list_licences(session, actor, **kw).items]

    assert ids() == [mine.id, suspended.id]
    assert ids(status="suspended") == [suspended.id]
    assert ids(badge_number="A1") == [mine.id]
    assert ids(after=(mine.id,)) == [suspended.id]
