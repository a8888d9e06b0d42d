"""Who may touch what, generated from the URL map so that a new /api/v1 route cannot go untested.

Every route with an object in its path needs an entry in ACCESS saying how to make such an object owned
by council A (or force A). For each one: another council's key gets 404 (a problem, never the object's
data), a police key gets 403 on council routes, a council key 403 on police routes, another force 404,
and the owner is not refused (so the route and the object were right). Routes without an object id:
a key of the wrong kind of organisation gets 403, according to each method's declared scope.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from flask import url_for

from app import create_app
from app.api.licences import DECISION_ACTIONS
from tests.api.test_auth import bearer
from tests.conftest import TEST_SECRET
from tests.factories import (
    identity,
    make_api_client,
    make_authority,
    make_licence,
    make_police_force,
    make_register_entry,
    make_screening,
)

API = "/api/v1/"
COUNCIL_SCOPES = ["council:read", "council:write", "council:decide"]
PROBLEM_KEYS = {"type", "title", "status", "detail", "errors"}
# Routes open without a scope: the caller's own description, the public check, the OpenAPI document and
# the docs page with its scripts. They hold no organisation's objects.
OPEN = {
    "/api/v1/me",
    "/api/v1/public/licence-check",
    "/api/v1/openapi.json",
    "/api/v1/docs",
    "/api/v1/docs/assets/<path:filename>",
}
KEY_SCOPES = {"a": set(COUNCIL_SCOPES), "force_a": {"police:intelligence"}}
PERSON = identity() | {"date_of_birth": "1985-03-14"}
TODAY = "2026-11-23"


def _routes() -> list[tuple[str, str, str | None]]:
    """Return (rule, method, required scope) for every /api/v1 route of the app."""
    app = create_app({"ENV_NAME": "testing", "DATABASE_URL": "sqlite://", "SECRET_KEY": TEST_SECRET})
    app.extensions["crosscheck.engine"].dispose()
    routes = []
    for rule in app.url_map.iter_rules():
        view_class = getattr(app.view_functions[rule.endpoint], "view_class", None)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            view = getattr(view_class, method.lower(), None)
            if rule.rule.startswith(API):
                routes.append((rule.rule, method, getattr(view, "required_scope", None)))
    return sorted(routes)


ROUTES = _routes()
WITH_ID = [r for r in ROUTES if "<" in r[0]]
WITHOUT_ID = [r for r in ROUTES if "<" not in r[0]]


def _ids(routes) -> list[str]:
    """Name each parametrised test after its method and rule."""
    return [f"{method} {rule}" for rule, method, _ in routes]


@pytest.fixture
def world(client, session):
    """Councils A, B and C, forces A and B, each with a key; no transaction left open for the app."""
    a, b, c = make_authority(session), make_authority(session), make_authority(session)
    force_a, force_b = make_police_force(session), make_police_force(session)
    keys = {
        name: make_api_client(session, authority_id=org.id, scopes=COUNCIL_SCOPES)[1]
        for name, org in (("a", a), ("b", b), ("c", c))
    }
    for name, force in (("force_a", force_a), ("force_b", force_b)):
        keys[name] = make_api_client(session, police_force_id=force.id, scopes=["police:intelligence"])[1]
    ids = {"a_id": a.id, "c_id": c.id, "a_code": a.code}
    session.rollback()  # the app takes SQLite's write lock on each request: hold no transaction here
    return SimpleNamespace(client=client, session=session, **ids, **{k: bearer(v) for k, v in keys.items()})


def _created(response) -> dict:
    """Return the body of a 201, failing with the problem otherwise."""
    assert response.status_code == 201, response.get_json()
    return response.json


def application(w, kind: str = "new") -> dict:
    """Receive an application at council A."""
    body = PERSON | {"ref": f"APP-{kind}", "kind": kind, "licence_type": "phv", "received_on": TODAY}
    return {"application_id": _created(w.client.post(f"{API}applications", json=body, headers=w.a))["id"]}


def adverse_candidate(w) -> dict:
    """Receive at council A an application whose screening finds council C's revocation of the person."""
    make_register_entry(w.session, authority_id=w.c_id)
    w.session.rollback()
    built = application(w)
    found = w.client.get(f"{API}applications/{built['application_id']}", headers=w.a).json
    screening = w.client.get(f"{API}screenings/{found['screening']['id']}", headers=w.a).json
    return built | {"candidate_id": screening["candidates"][0]["id"]}


def licence(w) -> dict:
    """Issue a licence at council A."""
    licence_id = make_licence(w.session, authority_id=w.a_id).id
    w.session.rollback()
    return {"licence_id": licence_id}


def renewal(w) -> dict:
    """Issue a licence at council A and receive the application to renew it."""
    return licence(w) | application(w, "renewal")


def register_entry(w) -> dict:
    """Record a register entry at council A."""
    entry_id = make_register_entry(w.session, authority_id=w.a_id).id
    w.session.rollback()
    return {"entry_id": entry_id}


def screening(w) -> dict:
    """Screen, as council A, a person council C recorded: the screening and its candidate."""
    make_register_entry(w.session, authority_id=w.c_id)
    w.session.rollback()
    body = PERSON | {"purpose": "Checking a driver stopped in the district"}
    found = _created(w.client.post(f"{API}screenings", json=body, headers=w.a))
    return {"screening_id": found["id"], "candidate_id": found["candidates"][0]["id"]}


def information_request(w) -> dict:
    """Have council C, whose screening found council A's entry, ask A for the reasons."""
    entry_id = make_register_entry(w.session, authority_id=w.a_id).id
    make_screening(w.session, authority_id=w.c_id)
    w.session.rollback()
    body = {"register_entry_id": entry_id, "request_text": "Please send what the decision relied on."}
    return {"request_id": _created(w.client.post(f"{API}information-requests", json=body, headers=w.c))["id"]}


def concern_report(w) -> dict:
    """Have council C report a concern about a driver council A licenses."""
    badge = make_licence(w.session, authority_id=w.a_id).badge_number
    w.session.rollback()
    body = {
        "authority_code": w.a_code,
        "badge_number": badge,
        "concern_on": TODAY,
        "summary": "Seen touting.",
    }
    return {"report_id": _created(w.client.post(f"{API}concern-reports", json=body, headers=w.c))["id"]}


INTELLIGENCE = PERSON | {"category": "arrest", "occurred_on": "2026-11-20", "shareable_summary": "On bail."}


def force_intelligence(w) -> dict:
    """Push an item of force A's."""
    response = w.client.put(f"{API}intelligence/R-ACCESS", json=INTELLIGENCE, headers=w.force_a)
    assert response.status_code == 201, response.get_json()
    return {"force_reference": "R-ACCESS"}


def routed_intelligence(w) -> dict:
    """Route an item of force A's to council A, which licenses its subject."""
    licence(w)
    force_intelligence(w)
    items = w.client.get(f"{API}intelligence", headers=w.a).json["items"]
    return {"intelligence_id": items[0]["id"]}


def alert(w) -> dict:
    """Raise an alert for council A."""
    from licensing.alerts.outbox import raise_alert
    from tests.factories import NOW

    raised = raise_alert(
        w.session, authority_id=w.a_id, alert_type="dbs.lapsed", subject_kind="licence", subject_id=1, now=NOW
    )
    w.session.commit()
    return {"alert_id": raised.id}


def webhook_endpoint(w) -> dict:
    """Register a webhook endpoint of council A."""
    body = {"url": "https://93.184.215.14/hook", "alert_types": ["dbs.lapsed"]}
    return {"endpoint_id": _created(w.client.post(f"{API}webhook-endpoints", json=body, headers=w.a))["id"]}


def email_recipient(w) -> dict:
    """Register an e-mail recipient of council A."""
    body = {"email_address": "alerts@council.example", "alert_types": ["dbs.lapsed"]}
    return {"recipient_id": _created(w.client.post(f"{API}email-recipients", json=body, headers=w.a))["id"]}


@dataclass(frozen=True)
class Access:
    """How to make an object the route acts on, owned by council A or force A, and a valid body."""

    build: Callable[[SimpleNamespace], dict]  # returns the path values and any ids a body needs
    bodies: dict[str, dict | Callable[[dict], dict]] = field(default_factory=dict)
    variants: dict[str, tuple[str, ...]] = field(default_factory=dict)  # path values besides the object's


DECIDE, AMEND = {"decision": "warning"}, {"change": "overturned"}
GRANT = {"badge_number": "AC0001", "granted_on": TODAY, "expires_on": "2027-11-22"}


def renew(built: dict) -> dict:
    """Renew on the renewal application built with the licence."""
    return {"application_id": built["application_id"], "effective_on": TODAY, "expires_on": "2029-11-22"}


ACCESS = {
    "/api/v1/alerts/<int:alert_id>": Access(alert),
    "/api/v1/alerts/<int:alert_id>/read": Access(alert),
    "/api/v1/webhook-endpoints/<int:endpoint_id>": Access(webhook_endpoint, {"PATCH": {"active": False}}),
    "/api/v1/webhook-endpoints/<int:endpoint_id>/rotate-secret": Access(webhook_endpoint),
    "/api/v1/email-recipients/<int:recipient_id>": Access(email_recipient, {"PATCH": {"active": False}}),
    "/api/v1/applications/<int:application_id>": Access(application),
    "/api/v1/applications/<int:application_id>/gate": Access(application),
    "/api/v1/applications/<int:application_id>/adverse-decisions": Access(
        adverse_candidate,
        {"POST": lambda built: {"candidate_id": built["candidate_id"], "reason": "Weighed."}},
    ),
    "/api/v1/applications/<int:application_id>/grant": Access(application, {"POST": GRANT}),
    "/api/v1/applications/<int:application_id>/refuse": Access(
        application, {"POST": {"category": "driving"}}
    ),
    "/api/v1/applications/<int:application_id>/rescreen": Access(application),
    "/api/v1/applications/<int:application_id>/withdraw": Access(application),
    "/api/v1/concern-reports/<int:report_id>": Access(concern_report),
    "/api/v1/concern-reports/<int:report_id>/decide": Access(
        concern_report, {"POST": {"decision": "warning"}}
    ),
    "/api/v1/information-requests/<int:request_id>": Access(information_request),
    "/api/v1/information-requests/<int:request_id>/respond": Access(
        information_request, {"POST": {"response_text": "The panel relied on two complaints."}}
    ),
    "/api/v1/intelligence/<force_reference:force_reference>": Access(
        force_intelligence, {"PUT": INTELLIGENCE}
    ),
    "/api/v1/intelligence/<force_reference:force_reference>/withdraw": Access(
        force_intelligence, {"POST": {"reason": "No further action"}}
    ),
    "/api/v1/licences/<int:licence_id>": Access(licence),
    "/api/v1/licences/<int:licence_id>/<any(suspend, revoke):action>": Access(
        licence, {"POST": {"effective_on": TODAY, "category": "violence"}}, {"action": DECISION_ACTIONS}
    ),
    "/api/v1/licences/<int:licence_id>/reinstate": Access(licence, {"POST": {"effective_on": TODAY}}),
    "/api/v1/licences/<int:licence_id>/surrender": Access(licence, {"POST": {"effective_on": TODAY}}),
    "/api/v1/licences/<int:licence_id>/dbs": Access(licence, {"PUT": {"dbs_update_service": False}}),
    "/api/v1/licences/<int:licence_id>/renew": Access(renewal, {"POST": renew}),
    "/api/v1/register-entries/<int:entry_id>": Access(register_entry),
    "/api/v1/register-entries/<int:entry_id>/amend": Access(
        register_entry, {"POST": {"change": "overturned"}}
    ),
    "/api/v1/routed-intelligence/<int:intelligence_id>": Access(routed_intelligence),
    "/api/v1/screenings/<int:screening_id>": Access(screening),
    "/api/v1/screenings/<int:screening_id>/candidates/<int:candidate_id>/resolve": Access(
        screening, {"POST": {"resolution": "not_same_person", "reason": "Different middle name."}}
    ),
}


def _prepare(app, rule: str, method: str, access: Access, w) -> tuple[list[str], dict | None]:
    """Build the object for `rule`; return its URL once per variant of the other path values, and a body."""
    found = next(r for r in app.url_map.iter_rules() if r.rule == rule and method in r.methods)
    built = access.build(w)
    arguments = {name: value for name, value in built.items() if name in found.arguments}
    variants = [{}]
    for name, values in access.variants.items():
        variants = [v | {name: value} for v in variants for value in values]
    body = access.bodies.get(method)
    with app.test_request_context():
        urls = [url_for(found.endpoint, **arguments, **variant) for variant in variants]
    return urls, body(built) if callable(body) else body


def _call(w, method: str, url: str, body, headers):
    """Send `method` to `url` with a JSON body (when the method takes one)."""
    return w.client.open(url, method=method, json=body, headers=headers)


def _assert_refused(response, status: int, who: str, method: str, url: str) -> None:
    """Check a refusal is a bare problem with `status`, carrying none of the object's data."""
    where = f"{who}: {method} {url}"
    assert response.status_code == status, f"{where} gave {response.status_code}: {response.get_json()}"
    assert response.mimetype == "application/problem+json", where
    assert set(response.json) <= PROBLEM_KEYS, f"{where} returned {sorted(response.json)}"


def test_every_access_case_names_a_route_that_exists():
    assert sorted(set(ACCESS) - {rule for rule, _, _ in WITH_ID}) == []


def test_every_route_without_a_scope_is_meant_to_be_open():
    assert sorted({rule for rule, _, scope in ROUTES if scope is None} - OPEN) == []


@pytest.mark.parametrize(("rule", "method", "scope"), WITH_ID, ids=_ids(WITH_ID))
def test_objects_are_hidden_from_other_organisations(app, world, rule, method, scope):
    if rule in OPEN:
        pytest.skip("open to every caller (OPEN)")
    access = ACCESS.get(rule)
    if access is None:
        pytest.fail(f"add an access case for {rule} to ACCESS in {__name__}")
    urls, body = _prepare(app, rule, method, access, world)
    police = scope.startswith("police:")
    owner, stranger, other_kind = (
        (world.force_a, world.force_b, world.a) if police else (world.a, world.b, world.force_a)
    )
    for url in urls:
        _assert_refused(
            _call(world, method, url, body, other_kind), 403, "the other kind of key", method, url
        )
        if police and method == "PUT":
            _assert_put_by_another_force_is_its_own(world, url, body)
        else:
            response = _call(world, method, url, body, stranger)
            _assert_refused(response, 404, "another organisation", method, url)
    own = _call(world, method, urls[0], body, owner)
    assert own.status_code not in (403, 404) and own.status_code < 500, (own.status_code, own.get_json())


def _assert_put_by_another_force_is_its_own(w, url: str, body: dict) -> None:
    """A force's references are its own: force B's PUT makes B's item and leaves A's untouched."""
    before = w.client.get(url, headers=w.force_a).json
    response = _call(w, "PUT", url, body | {"shareable_summary": "Force B's own item"}, w.force_b)
    assert response.status_code == 201 and response.json["routed_to"] == []
    assert w.client.get(url, headers=w.force_a).json == before


@pytest.mark.parametrize(("rule", "method", "scope"), WITHOUT_ID, ids=_ids(WITHOUT_ID))
def test_keys_without_the_scope_are_refused(world, rule, method, scope):
    if rule in OPEN:
        pytest.skip("open to every caller (OPEN)")
    for name in _keys_without(scope):
        response = _call(world, method, rule, None, getattr(world, name))
        _assert_refused(response, 403, f"a key without {scope}", method, rule)


def _keys_without(scope: str) -> list[str]:
    """Name the world's keys (a council's, a force's) that lack `scope`; it must be some key's."""
    lacking = [name for name, scopes in KEY_SCOPES.items() if scope not in scopes]
    assert lacking, f"no key of the test world lacks {scope}"
    return lacking
