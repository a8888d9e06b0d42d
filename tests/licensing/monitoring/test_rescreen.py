"""Re-screening licences: a driver revoked elsewhere since his licence was screened alerts it once."""

from datetime import date, timedelta

from licensing.actors import SYSTEM
from licensing.monitoring.rescreen import rescreen_all, rescreen_new
from licensing.screening.rulings import rule_out
from tests.factories import NOW, make_authority, make_licence, make_register_entry
from tests.licensing.monitoring.helpers import alerts
from tests.units import in_unit

TOMORROW = NOW + timedelta(days=1)
SINCE = TOMORROW - timedelta(hours=48)


def licensed_then_revoked_elsewhere(session, **entry_overrides):
    """Return a licence and a register entry of the same person recorded by another council before it."""
    entry = make_register_entry(session, **entry_overrides)  # before the licence: no request-path alert
    licence = make_licence(session)
    return licence, entry


def test_nightly_alerts_the_licensing_council_once_about_a_new_entry(session, engine):
    licence, entry = licensed_then_revoked_elsewhere(session)
    done = rescreen_new(engine, SINCE, TOMORROW)
    assert done["alerted"] == 1 and done["new_records"] == 1 and done["licences"] == 1
    assert rescreen_new(engine, SINCE, TOMORROW)["already_alerted"] == 1
    [alert] = alerts(session, "screening.new_match")
    assert (alert.authority_id, alert.subject_kind, alert.subject_id) == (
        licence.authority_id,
        "licence",
        licence.id,
    )
    assert alert.payload["detail"]["candidate"] == {"kind": "register_entry", "id": entry.id}
    assert alert.payload["detail"]["band"] in ("match", "probable")
    assert "Hussain" not in str(alert.payload)


def test_nightly_ignores_records_older_than_its_window_but_weekly_finds_them(session, engine):
    licensed_then_revoked_elsewhere(session)
    assert rescreen_new(engine, TOMORROW, TOMORROW)["new_records"] == 0
    assert alerts(session) == []
    done = rescreen_all(engine, TOMORROW)
    assert done["licences"] == 1 and done["alerted"] == 1
    assert rescreen_all(engine, TOMORROW)["already_alerted"] == 1
    assert len(alerts(session, "screening.new_match")) == 1


def test_no_alert_for_another_person_or_the_councils_own_entry(session, engine):
    authority = make_authority(session)
    make_register_entry(
        session,
        given_names="Alice",
        family_name="Smith",
        date_of_birth=date(1970, 1, 1),
        ni_number=None,
        driving_licence_number=None,
    )
    make_register_entry(session, authority_id=authority.id)
    make_licence(session, authority_id=authority.id)
    assert rescreen_new(engine, SINCE, TOMORROW)["alerted"] == 0
    assert rescreen_all(engine, TOMORROW)["alerted"] == 0
    assert alerts(session) == []


def test_a_council_already_told_about_the_entry_is_not_told_again(session, engine):
    licence = make_licence(session)
    make_register_entry(session)  # after the licence: the request path alerts the licensing council
    assert [a.alert_type for a in alerts(session)] == ["register_entry.recorded"]
    assert rescreen_new(engine, SINCE, TOMORROW)["already_told"] == 1
    assert [a.authority_id for a in alerts(session)] == [licence.authority_id]


def test_dead_licences_are_not_rescreened(session, engine):
    make_register_entry(session)
    make_licence(session, status="revoked")
    assert rescreen_new(engine, SINCE, TOMORROW)["licences"] == 0
    assert rescreen_all(engine, TOMORROW)["licences"] == 0
    assert alerts(session) == []


def test_a_pair_ruled_not_the_same_person_is_not_alerted(session, engine):
    licence, entry = licensed_then_revoked_elsewhere(session)
    in_unit(
        engine, rule_out, SYSTEM, "licence", licence.id, "register_entry", entry.id, "Different person", NOW
    )
    assert rescreen_new(engine, SINCE, TOMORROW)["alerted"] == 0
    assert rescreen_all(engine, TOMORROW)["alerted"] == 0
    assert alerts(session) == []


# Issue 18: a possible match of a new adverse record with a licensee is raised for review, once.

CHAUDHRY = {"date_of_birth": date(1988, 6, 2), "postcode": "BD1 1AA", "ni_number": None}
# Licensed with the day and month of his birth swapped and no address on file: only a possible match.
ADEEL = CHAUDHRY | {"given_names": "Adeel", "family_name": "Chaudhry", "date_of_birth": date(1988, 2, 6),
                    "postcode": None, "address": ""}  # fmt: skip
ADIL = CHAUDHRY | {"given_names": "Adil", "family_name": "Chaudhary", "address": "9 High Street, Bradford"}


def adeel_licensed_then_adil_revoked(session):
    """Return council A's licence of Adeel Chaudhry and council B's later revocation of Adil Chaudhary."""
    licence = make_licence(session, driving_licence_number=None, **ADEEL)
    entry = make_register_entry(session, driving_licence_number=None, category="sexual_offences", **ADIL)
    return licence, entry


def test_nightly_raises_a_possible_match_of_a_new_revocation_for_review_once(session, engine):
    licence, entry = adeel_licensed_then_adil_revoked(session)
    assert alerts(session) == []  # the request path tells holders of match/probable only
    assert rescreen_new(engine, SINCE, TOMORROW)["alerted"] == 1
    assert rescreen_new(engine, SINCE, TOMORROW)["alerted"] == 0
    assert rescreen_all(engine, TOMORROW)["alerted"] == 0
    [alert] = alerts(session)
    assert (alert.alert_type, alert.authority_id, alert.subject_id) == (
        "screening.possible_match",
        licence.authority_id,
        licence.id,
    )
    candidate = {"kind": "register_entry", "id": entry.id}
    assert alert.payload["detail"] == {"candidate": candidate, "band": "possible"}


def test_a_possible_match_ruled_not_the_same_person_is_not_raised(session, engine):
    licence, entry = adeel_licensed_then_adil_revoked(session)
    in_unit(
        engine, rule_out, SYSTEM, "licence", licence.id, "register_entry", entry.id, "Different person", NOW
    )
    assert rescreen_new(engine, SINCE, TOMORROW)["alerted"] == 0
    assert rescreen_all(engine, TOMORROW)["alerted"] == 0
    assert alerts(session) == []


def test_one_record_is_raised_once_to_a_council_whichever_licences_it_may_be(session, engine):
    council = make_authority(session)
    make_licence(session, authority_id=council.id, driving_licence_number=None, **ADEEL)
    neighbour = ADEEL | {"address": "16 High Street, Bradford"}  # another licence, the same possible match
    make_licence(session, authority_id=council.id, driving_licence_number=None, **neighbour)
    make_register_entry(session, driving_licence_number=None, **ADIL)
    assert rescreen_new(engine, SINCE, TOMORROW)["licences"] == 2
    rescreen_all(engine, TOMORROW)
    assert [(a.alert_type, a.authority_id) for a in alerts(session)] == [
        ("screening.possible_match", council.id)
    ]
