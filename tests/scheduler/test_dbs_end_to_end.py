"""DBS details entered through the API and the licence CSV are checked by the nightly job against a fake
of the Update Service on loopback (the Multiple Status Check format), each status with its documented
effect: NEW_INFO and NO_MATCH_FOUND alert the council, a clear status is recorded, and a licence without a
subscription is the council's to check."""

import csv
import io
from datetime import date, timedelta

from sqlalchemy import select

from app import periodic_jobs
from licensing.actors import cli_actor
from licensing.clock import utcnow
from licensing.imports.pipeline import import_licences
from licensing.monitoring.dbs import months_before
from licensing.persistence.models import Alert, Licence
from tests.app.test_periodic_jobs import context_for
from tests.conftest import importing
from tests.factories import identity, make_api_client, make_authority
from tests.integrations.fakes import FakeDbs
from tests.integrations.servers import LoopbackServer

TODAY = utcnow().date()
GRANTED = months_before(TODAY, 6) - timedelta(days=5)  # due for its six-monthly check, not yet overdue
CONSENT = (GRANTED - timedelta(days=10)).isoformat()
PRINTED = date(2025, 3, 1)
STATUSES = {
    "000000000001": ("NEW_INFO", PRINTED),
    "000000000002": ("NO_MATCH_FOUND", None),
    "000000000003": ("BLANK_NO_NEW_INFO", PRINTED),
    "000000000004": ("NON_BLANK_NO_NEW_INFO", PRINTED),
}
CHECKER = {
    "DBS_ORGANISATION_NAME": "Test Council",
    "DBS_EMPLOYEE_FORENAME": "Ann",
    "DBS_EMPLOYEE_SURNAME": "Lee",
}
HEADER = (
    "ref,given_names,family_name,previous_names,date_of_birth,sex,address,postcode,ni_number,"
    "driving_licence_number,authority_code,badge_number,licence_type,granted_on,expires_on,"
    "dbs_certificate_number,dbs_update_service,dbs_consent_on"
)


def granted_through_the_api(client, key: str, ref: str, **dbs) -> int:
    """Receive an application through the API and grant its licence (with any DBS details); return its id."""
    person = identity() | {"date_of_birth": "1985-03-14", "previous_names": []}
    body = person | {"ref": ref, "kind": "new", "licence_type": "phv", "received_on": GRANTED.isoformat()}
    application = client.post("/api/v1/applications", json=body, headers=key)
    assert application.status_code == 201, application.json
    grant = {"badge_number": f"B-{ref}", "granted_on": GRANTED.isoformat()}
    grant["expires_on"] = (GRANTED + timedelta(days=730)).isoformat()
    url = f"/api/v1/applications/{application.json['id']}/grant"
    response = client.post(url, json=grant | dbs, headers=key)
    assert response.status_code == 201, response.json
    return response.json["id"]


def imported_from_csv(session, code: str, now) -> None:
    """Import two subscribed licences and one without a subscription from a licence CSV."""
    rows = [
        f"CSV-{n},Imran,Hussain,,1985-03-14,M,12 Example Street,WV1 1AA,AB123456C,HUSSA803145I99AB,"
        f"{code},C-{n},phv,{GRANTED},{GRANTED + timedelta(days=730)},{dbs}"
        for n, dbs in ((3, f"000000000003,yes,{CONSENT}"), (4, f"000000000004,yes,{CONSENT}"), (5, ",no,"))
    ]
    rejects = io.StringIO()
    text = "\n".join([HEADER, *rows]) + "\n"
    report = import_licences(
        importing(session), cli_actor("licences import"), io.StringIO(text), rejects, now=now
    )
    assert (report.inserted, report.warnings) == (3, 0), list(csv.reader(io.StringIO(rejects.getvalue())))


def test_dbs_details_from_the_api_and_the_csv_are_checked_by_the_nightly_job(
    client, session, engine, database_url
):
    authority = make_authority(session)
    _, secret = make_api_client(session, authority_id=authority.id, scopes=["council:read", "council:write"])
    key = {"Authorization": f"Bearer {secret}"}
    session.rollback()
    subscribed = {"dbs_update_service": True, "dbs_consent_on": CONSENT}
    news = granted_through_the_api(client, key, "API-1", dbs_certificate_number="000000000001", **subscribed)
    gone = granted_through_the_api(client, key, "API-2")
    body = {"dbs_certificate_number": "000000000002"} | subscribed
    assert client.put(f"/api/v1/licences/{gone}/dbs", json=body, headers=key).status_code == 200
    imported_from_csv(session, authority.code, utcnow())

    with LoopbackServer(FakeDbs(STATUSES)) as server:
        context = context_for(engine, database_url, DBS_BASE_URL=server.url, **CHECKER)
        done = periodic_jobs.dbs_checks(context)
        asked = [
            (r.path.rsplit("/", 1)[1], r.query["surname"], r.query["dateOfBirth"]) for r in server.requests
        ]
    checked = {"new_info": 1, "no_match_found": 1, "blank_no_new_info": 1, "non_blank_no_new_info": 1}
    assert done == checked | {"check_due": 1}
    assert sorted(asked) == [(number, "Hussain", "14/03/1985") for number in sorted(STATUSES)]

    session.rollback()
    by_ref = {lic.ref: lic for lic in session.scalars(select(Licence))}
    assert {ref: (lic.dbs_last_status, lic.dbs_last_checked_on) for ref, lic in by_ref.items()} == {
        "API-1": ("NEW_INFO", TODAY),
        "API-2": ("NO_MATCH_FOUND", TODAY),
        "CSV-3": ("BLANK_NO_NEW_INFO", TODAY),
        "CSV-4": ("NON_BLANK_NO_NEW_INFO", TODAY),
        "CSV-5": (None, None),
    }
    alerts = session.scalars(select(Alert).order_by(Alert.id))
    assert sorted((a.alert_type, a.subject_id) for a in alerts) == sorted(
        [("dbs.new_info", news), ("dbs.lapsed", gone), ("dbs.check_due", by_ref["CSV-5"].id)]
    )
    shown = client.get(f"/api/v1/licences/{news}", headers=key).json
    assert (shown["dbs_last_status"], shown["dbs_last_checked_on"]) == ("NEW_INFO", TODAY.isoformat())
