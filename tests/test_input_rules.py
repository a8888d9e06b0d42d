"""One set of input rules on every way a person's identity or a date comes in.

Each bad identity is sent through every input path (the API's applications, register, intelligence PUT
and batch and ad-hoc screening; the officer forms; the CSV import and the CSV screening), a decision
dated before 1900 through each way a decision is recorded, and a year-1 date through the other dated
inputs (a grant, a DBS consent, a suspension's decision, a concern report): every path must refuse it
and store nothing.
"""

import csv
import io
from datetime import date, datetime, time

import pytest
from sqlalchemy import func, select

from licensing.actors import cli_actor
from licensing.imports.pipeline import REGISTER_COLUMNS, import_register
from licensing.persistence.models import (
    Application,
    Authority,
    ConcernReport,
    Intelligence,
    Licence,
    RegisterEntry,
    Screening,
)
from licensing.screening.bulk import BulkReport, read_people
from tests.conftest import importing
from tests.factories import (
    identity,
    make_api_client,
    make_authority,
    make_licence,
    make_police_force,
    make_screened_application,
    make_user,
)
from tests.officer.conftest import csrf_token, date_fields, sign_in

COUNCIL = ["council:read", "council:write", "council:decide"]
BAD_IDENTITIES = {
    "DOB 9999-12-31": {"date_of_birth": date(9999, 12, 31)},
    "DOB 0001-01-01": {"date_of_birth": date(1, 1, 1)},
    "control character in a name": {"given_names": "Imr\x07an"},
    "NUL in a name": {"given_names": "Imr\x00an"},
    "escape sequence in a name": {"family_name": "\x1b[31mHussain"},
    "bidi override in a name": {"family_name": "Huss\u202enia"},
    "bidi isolate in a name": {"given_names": "\u2067Imran"},
    "only combining marks": {"family_name": "\u0301\u0308"},
    "whitespace-only family name": {"family_name": "   "},
    "no-break spaces only": {"family_name": "\u00a0\u2003"},
    "control character in a previous name": {"previous_names": "Imran\x07Khan"},
}
BAD_DECISIONS = {
    "decided in year 1": {"decided_on": date(1, 1, 1), "effective_on": date(1, 1, 2)},
    "decided in 1899": {"decided_on": date(1899, 12, 31), "effective_on": date(1900, 1, 2)},
}


def bearer(key: str) -> dict:
    """Return the headers presenting `key`."""
    return {"Authorization": f"Bearer {key}"}


def as_json(values: dict) -> dict:
    """Return identity values as a JSON body writes them (dates in ISO, previous names a list)."""
    body = {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}
    if isinstance(body.get("previous_names"), str):
        body["previous_names"] = [body["previous_names"]]
    return body


def person(bad: dict) -> dict:
    """Return the default synthetic identity with `bad` over it."""
    return identity() | bad


def count(session, model) -> int:
    """Count the rows of `model`, reading afresh."""
    session.rollback()
    return session.scalar(select(func.count()).select_from(model))


def api_application(client, session, bad: dict) -> tuple[bool, type]:
    """POST an application; return (refused, the model it would have stored)."""
    key = make_api_client(session, scopes=COUNCIL)[1]
    body = as_json(person(bad)) | {"ref": "APP-1", "kind": "new", "licence_type": "phv"}
    body |= {"received_on": "2026-11-20"}
    response = client.post("/api/v1/applications", json=body, headers=bearer(key))
    return response.status_code == 422, Application


def api_register(client, session, bad: dict) -> tuple[bool, type]:
    """POST a register entry."""
    key = make_api_client(session, scopes=COUNCIL)[1]
    body = {"ref": "RE-1", "decision": "revocation", "category": "violence"}
    body |= {"decided_on": "2026-11-02", "effective_on": "2026-11-09"}
    response = client.post("/api/v1/register-entries", json=body | as_json(person(bad)), headers=bearer(key))
    return response.status_code == 422, RegisterEntry


def intelligence_body(bad: dict) -> dict:
    """Return an intelligence item's body."""
    return as_json(person(bad)) | {"category": "arrest", "occurred_on": "2026-11-20"}


def police_key(session) -> str:
    """Return a police force's key."""
    force = make_police_force(session)
    return make_api_client(session, police_force_id=force.id, scopes=["police:intelligence"])[1]


def api_intelligence_put(client, session, bad: dict) -> tuple[bool, type]:
    """PUT an item of intelligence."""
    body = intelligence_body(bad)
    response = client.put("/api/v1/intelligence/R-1", json=body, headers=bearer(police_key(session)))
    return response.status_code == 422, Intelligence


def api_intelligence_batch(client, session, bad: dict) -> tuple[bool, type]:
    """POST a batch of one item of intelligence."""
    items = [intelligence_body(bad) | {"force_reference": "R-1"}]
    response = client.post(
        "/api/v1/intelligence/batch", json={"items": items}, headers=bearer(police_key(session))
    )
    # A NUL anywhere refuses the whole request; any other bad value, the item.
    refused = response.status_code == 422 or response.json["results"][0]["status"] == "error"
    return refused, Intelligence


def api_screening(client, session, bad: dict) -> tuple[bool, type]:
    """POST an ad-hoc screening."""
    key = make_api_client(session, scopes=COUNCIL)[1]
    body = as_json(person(bad)) | {"purpose": "Enforcement stop, ref ENF-1"}
    response = client.post("/api/v1/screenings", json=body, headers=bearer(key))
    return response.status_code == 422, Screening


def form_identity(values: dict) -> dict:
    """Return identity values as the officer forms' fields (three date boxes, previous names by line)."""
    fields = {k: v for k, v in values.items() if k not in ("date_of_birth", "sex")}
    for name in ("date_of_birth", "decided_on", "effective_on"):
        if isinstance(fields.get(name) or values.get(name), date):
            day = values[name]
            fields.pop(name, None)
            fields |= {f"{name}-day": str(day.day), f"{name}-month": str(day.month)}
            fields |= {f"{name}-year": f"{day.year:04d}"}
    return fields


def signed_in(client, session, role="officer"):
    """Sign an officer of a new council in."""
    sign_in(client, make_user(session, authority_id=make_authority(session).id, role=role))


def officer_application(client, session, bad: dict) -> tuple[bool, type]:
    """Post the new application form."""
    signed_in(client, session)
    data = {"ref": "APP-1", "kind": "new", "licence_type": "phv"} | date_fields(
        "received_on", date(2026, 11, 20)
    )
    data |= form_identity(person(bad))
    data["csrf_token"] = csrf_token(client, "/applications/new")
    return client.post("/applications/new", data=data).status_code == 400, Application


def officer_register(client, session, bad: dict) -> tuple[bool, type]:
    """Post the new register entry form."""
    signed_in(client, session)
    data = {"ref": "RE-1", "decision": "revocation", "category": "violence"}
    data |= date_fields("decided_on", date(2026, 11, 2)) | date_fields("effective_on", date(2026, 11, 9))
    data |= form_identity(person(bad))
    data["csrf_token"] = csrf_token(client, "/register/new")
    return client.post("/register/new", data=data).status_code == 400, RegisterEntry


def csv_text(row: dict, columns) -> str:
    """Return a CSV file of one row."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerow({k: v.isoformat() if isinstance(v, date) else v for k, v in row.items()})
    return out.getvalue()


def csv_import(client, session, bad: dict) -> tuple[bool, type]:
    """Import a register CSV of one row."""
    row = {"ref": "R1", "authority_code": make_authority(session).code, "decision": "revocation"}
    row |= {"decided_on": "2025-01-10", "effective_on": "2025-01-31"} | person(bad)
    text, now = io.StringIO(csv_text(row, REGISTER_COLUMNS)), datetime.combine(date.today(), time(12))
    report = import_register(
        importing(session), cli_actor("register import"), text, io.StringIO(), now=now, source="t.csv"
    )
    return report.rejected == 1, RegisterEntry


def csv_screening(client, session, bad: dict) -> tuple[bool, type]:
    """Read a people CSV of one row for a bulk screening."""
    row = {"ref": "P1"} | person(bad)
    columns = ("ref", *identity().keys(), "previous_names")
    report = BulkReport()
    text = io.StringIO(csv_text(row, columns))
    read = list(read_people(text, io.StringIO(), io.StringIO(), report, date.today()))
    return report.rejected == 1 and not read, Screening


IDENTITY_PATHS = [
    api_application,
    api_register,
    api_intelligence_put,
    api_intelligence_batch,
    api_screening,
    officer_application,
    officer_register,
    csv_import,
    csv_screening,
]


@pytest.mark.parametrize("path", IDENTITY_PATHS, ids=lambda p: p.__name__)
@pytest.mark.parametrize("bad", BAD_IDENTITIES.values(), ids=BAD_IDENTITIES.keys())
def test_every_input_path_refuses_a_bad_identity_and_stores_nothing(client, session, path, bad):
    refused, model = path(client, session, bad)
    assert refused
    assert count(session, model) == 0


DECISION_PATHS = [api_register, officer_register, csv_import]


@pytest.mark.parametrize("path", DECISION_PATHS, ids=lambda p: p.__name__)
@pytest.mark.parametrize("bad", BAD_DECISIONS.values(), ids=BAD_DECISIONS.keys())
def test_every_input_path_refuses_a_decision_dated_before_1900(client, session, path, bad):
    refused, model = path(client, session, bad)
    assert refused
    assert count(session, model) == 0


YEAR_ONE = "0001-01-01"


def api_grant(client, session) -> tuple[int, type, object]:
    """Grant a licence dated in year 1; return the answer's status, the model and a filter."""
    application = make_screened_application(session)
    key = make_api_client(session, authority_id=application.authority_id, scopes=COUNCIL)[1]
    body = {"badge_number": "PH10001", "granted_on": YEAR_ONE, "expires_on": "0002-01-01"}
    response = client.post(f"/api/v1/applications/{application.id}/grant", json=body, headers=bearer(key))
    return response.status_code, Licence, None


def api_dbs_consent(client, session) -> tuple[int, type, object]:
    """Set a licence's DBS consent to year 1."""
    licence = make_licence(session)
    key = make_api_client(session, authority_id=licence.authority_id, scopes=COUNCIL)[1]
    body = {"dbs_certificate_number": "001234567890", "dbs_update_service": True}
    body["dbs_consent_on"] = YEAR_ONE
    response = client.put(f"/api/v1/licences/{licence.id}/dbs", json=body, headers=bearer(key))
    return response.status_code, Licence, Licence.dbs_consent_on.is_not(None)


def api_suspension_decided(client, session) -> tuple[int, type, object]:
    """Suspend a licence with the decision dated in year 1."""
    licence = make_licence(session)
    key = make_api_client(session, authority_id=licence.authority_id, scopes=COUNCIL)[1]
    body = {"effective_on": date.today().isoformat(), "decided_on": YEAR_ONE, "category": "violence"}
    response = client.post(f"/api/v1/licences/{licence.id}/suspend", json=body, headers=bearer(key))
    return response.status_code, RegisterEntry, None


def api_concern(client, session) -> tuple[int, type, object]:
    """Report a concern learned of in year 1."""
    licence = make_licence(session)
    code = session.get(Authority, licence.authority_id).code
    key = make_api_client(session, scopes=COUNCIL)[1]
    body = {"authority_code": code, "badge_number": licence.badge_number, "summary": "Seen touting."}
    response = client.post(
        "/api/v1/concern-reports", json=body | {"concern_on": YEAR_ONE}, headers=bearer(key)
    )
    return response.status_code, ConcernReport, None


@pytest.mark.parametrize(
    "path", [api_grant, api_dbs_consent, api_suspension_decided, api_concern], ids=lambda p: p.__name__
)
def test_every_dated_input_refuses_a_date_before_1900(client, session, path):
    status, model, where = path(client, session)
    assert status == 422
    session.rollback()
    query = select(func.count()).select_from(model)
    assert session.scalar(query if where is None else query.where(where)) == 0


@pytest.mark.parametrize("path", [officer_application, officer_register], ids=lambda p: p.__name__)
@pytest.mark.parametrize("field", ["ref", "address", "postcode"])
def test_the_officer_forms_refuse_a_nul_in_any_field(client, session, path, field):
    refused, model = path(client, session, {field: "R\x00"})
    assert refused
    assert count(session, model) == 0
