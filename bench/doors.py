"""Screen applicants through the web app as councils do: the API's ad-hoc screening and the officer pages.

Used by bench.stability to check that a pair scores the same whichever way in it is screened. The app
runs in this process (its WSGI test client), a different process from the CLI's; a council that
holds none of the records is created for the purpose, with an API key and a signed-in officer.
"""

import re
from datetime import datetime

from sqlalchemy import select

from app import create_app
from licensing.access.clients import create_client
from licensing.access.users import create_user
from licensing.identity.fields import IDENTITY_FIELDS
from licensing.persistence import unit_of_work
from licensing.persistence.db import make_engine
from licensing.persistence.models import Authority, RegisterEntry, ScreeningCandidate
from licensing.screening.name_counts import forget_totals

PASSWORD = "stability benchmark password 0123456789"
_TOKEN = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')
_CANDIDATE = re.compile(r'id="candidate-(\d+)".*?score (\d\.\d\d)', re.S)
NOW = datetime(2026, 12, 6, 12)


def screen_through_the_web(url: str, pairs) -> tuple[dict, dict]:
    """Return {(applicant ref, entry ref): score} through the API and through the officer pages."""
    key, email = _council(url)
    config = {"ENV_NAME": "testing", "DATABASE_URL": url, "SECRET_KEY": PASSWORD * 2, "LOG_LEVEL": "WARNING"}
    app = create_app(config)
    refs = _entry_refs(url)
    forget_totals()
    api = _by_entry_ref(url, _through_the_api(app.test_client(), key, pairs), refs)
    page = _by_entry_ref(url, _through_the_pages(app.test_client(), email, pairs), refs)
    app.extensions["crosscheck.engine"].dispose()
    return api, page


def _council(url: str) -> tuple[str, str]:
    """Create a council holding no record, its API key and an officer; return (key, e-mail)."""
    engine = make_engine(url)
    with unit_of_work.writing(engine) as session:
        council = Authority(code="E09999999", name="Benchmark Council", nation="england")
        session.add(council)
        session.flush()
        _, key = create_client(session, name="bench", scopes=["council:read", "council:write"],
                               authority_id=council.id, now=NOW)  # fmt: skip
        email = "officer@bench.example"
        create_user(session, email=email, name="Bench Officer", password=PASSWORD, role="manager",
                    authority_id=council.id, now=NOW)  # fmt: skip
    engine.dispose()
    return key, email


def _entry_refs(url: str) -> dict[int, str]:
    """Return every register entry's ref by id."""
    engine = make_engine(url)
    with unit_of_work.reading(engine) as session:
        refs = dict(session.execute(select(RegisterEntry.id, RegisterEntry.ref)).all())
    engine.dispose()
    return refs


def _identity(applicant: dict) -> dict:
    """Return a people row as the API's identity fields."""
    single = [name for name in IDENTITY_FIELDS if name != "previous_names"]
    values = {n: _text(applicant.get(n)) for n in single if _text(applicant.get(n))}
    previous = [p for p in _text(applicant.get("previous_names")).split(";") if p]
    return values | ({"previous_names": previous} if previous else {})


def _text(value) -> str:
    """Return a value as text (ISO dates)."""
    if value is None:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _through_the_api(client, key: str, pairs) -> dict:
    """POST each applicant to /api/v1/screenings; return {(applicant ref, candidate id): score}."""
    scores = {}
    headers = {"Authorization": f"Bearer {key}"}
    for pair in pairs:
        body = _identity(pair.applicant) | {"purpose": "stability benchmark"}
        response = client.post("/api/v1/screenings", json=body, headers=headers)
        if response.status_code != 201:
            raise RuntimeError(
                f"API screening of {pair.ref}: {response.status_code} {response.get_data(True)}"
            )
        for c in response.get_json()["candidates"]:
            scores[(pair.ref, c["id"])] = c["score"]
    return scores


def _through_the_pages(client, email: str, pairs) -> dict:
    """Sign in, receive each applicant as a new application; return the scores its page shows."""
    token = _TOKEN.search(client.get("/sign-in").get_data(as_text=True)).group(1)
    client.post("/sign-in", data={"email": email, "password": PASSWORD, "csrf_token": token})
    shown = {}
    for pair in pairs:
        response = client.post("/applications/new", data=_form(client, pair))
        if response.status_code != 302:
            raise RuntimeError(f"officer page for {pair.ref}: {response.status_code}")
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        for candidate_id, score in _CANDIDATE.findall(page):
            shown[(pair.ref, int(candidate_id))] = float(score)
    return shown


def _form(client, pair) -> dict:
    """Return the new-application form's fields for a pair's applicant."""
    token = _TOKEN.search(client.get("/applications/new").get_data(as_text=True)).group(1)
    fields = _identity(pair.applicant)
    born = pair.applicant.get("date_of_birth")
    data = {k: v for k, v in fields.items() if k not in ("date_of_birth", "previous_names")}
    data |= {"previous_names": "\n".join(fields.get("previous_names", [])), "csrf_token": token}
    data |= {"ref": pair.ref, "kind": "new", "licence_type": "phv"}
    data |= {"received_on-day": "1", "received_on-month": "12", "received_on-year": "2026"}
    if born:
        data |= {
            "date_of_birth-day": born.day,
            "date_of_birth-month": born.month,
            "date_of_birth-year": born.year,
        }
    return data


def _by_entry_ref(url: str, shown: dict, refs: dict) -> dict:
    """Turn {(applicant ref, screening candidate id): score} into {(applicant ref, entry ref): score}."""
    engine = make_engine(url)
    with unit_of_work.reading(engine) as session:
        query = select(ScreeningCandidate.id, ScreeningCandidate.candidate_id).where(
            ScreeningCandidate.candidate_kind == "register_entry"
        )
        record_of = dict(session.execute(query).all())
    engine.dispose()
    return {(ref, refs[record_of[cid]]): score for (ref, cid), score in shown.items() if cid in record_of}
