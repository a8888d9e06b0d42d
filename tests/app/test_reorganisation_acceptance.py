"""Authority reorganisation end to end, through the commands and the API a council and a resident use.

Two councils with live licences, an open s.3 request, a webhook subscription and an officer each merge
into a successor from a date already past: the successor's key sees and acts on their records, the old
badge's public check names both councils, a revocation elsewhere alerts the successor, and the audit
chain still verifies. A split by postcode district with a mapping file and its rejects, and a recode, too.
"""

from datetime import date, datetime

from sqlmodel import select

from licensing.access.users import actor_for
from licensing.actors import Actor
from licensing.alerts.outbox import ALERT_TYPES
from licensing.alerts.subscriptions import add_email, add_webhook
from licensing.clock import utcnow
from licensing.csvfiles import read_back
from licensing.persistence.models import (
    Alert,
    AuditEvent,
    AuthorityChange,
    Delivery,
    LicenceAssignment,
    User,
)
from licensing.reference import changes, reorganisation
from tests.factories import (
    OFFICER_PASSWORD,
    identity,
    make_api_client,
    make_authority,
    make_licence,
    make_register_entry,
    make_screening,
    make_user,
)
from tests.officer.conftest import csrf_token, sign_in

DECIDE = ["council:read", "council:write", "council:decide"]
PAST = "2026-04-01"  # before the app's clock: the change is in force
DECISION = {"effective_on": utcnow().date().isoformat(), "category": "sexual_offences"}
OTHER_PERSON = identity(
    given_names="Brenda", family_name="Okafor", date_of_birth=date(1979, 6, 2), sex="F",
    ni_number="CE654321A", driving_licence_number="OKAFO706029B99CD", postcode="CA1 2AB",
)  # fmt: skip


def bearer(key: str) -> dict:
    """Return the headers presenting `key`."""
    return {"Authorization": f"Bearer {key}"}


def key_of(session, authority_id: int, scopes=DECIDE) -> str:
    """Return a new API key of the council."""
    return make_api_client(session, authority_id=authority_id, scopes=scopes)[1]


def cli(app, *args):
    """Run a flask command; return its result, failing the test on a non-zero exit."""
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result


def audit_count(session) -> int:
    session.rollback()
    return len(session.exec(select(AuditEvent.id)).all())


def test_merge_end_to_end(app, client, session):
    first = make_authority(session, name="Allerdale Test")
    second = make_authority(session, name="Copeland Test")
    successor = make_authority(session, name="Cumberland Test")
    other = make_authority(session, name="Elsewhere Council")
    first_licence = make_licence(session, authority_id=first.id, **OTHER_PERSON)
    second_licence = make_licence(session, authority_id=second.id)  # the same person as `elsewhere`
    elsewhere = make_licence(session, authority_id=other.id)
    # An open s.3 request to the first council, made by another after screening its entry.
    entry = make_register_entry(session, authority_id=first.id)
    make_screening(session, authority_id=other.id)
    other_key, successor_key, first_key = (key_of(session, a.id) for a in (other, successor, first))
    officer = make_user(session, authority_id=first.id)
    officer_id = officer.id
    endpoint, _ = add_webhook(
        session,
        Actor(kind="user", id=officer.id, label="test", authority_id=first.id),
        "https://hooks.first.example/crosscheck",
        list(ALERT_TYPES),
        utcnow(),
        allow_http=False,
        allow_private=True,
    )
    first_officer = Actor(kind="user", id=officer.id, label="test", authority_id=first.id)
    recipient_id = add_email(
        session, first_officer, "licensing@first.example", list(ALERT_TYPES), utcnow()
    ).id
    session.commit()
    endpoint_id = endpoint.id
    make_user(session, authority_id=second.id)
    body = {"register_entry_id": entry.id, "request_text": "Please send what the decision relied on."}
    session.rollback()
    asked = client.post("/api/v1/information-requests", json=body, headers=bearer(other_key))
    assert asked.status_code == 201, asked.json
    request_id, due_on = asked.json["id"], asked.json["due_on"]

    # Before the change, the successor sees none of it.
    listed = client.get("/api/v1/licences", headers=bearer(successor_key)).json
    assert [item["id"] for item in listed["items"]] == []

    merge = ["authorities", "merge", first.code, second.code, "--into", successor.code, "--effective", PAST,
             "--api-keys", "disable", "--source", "Test Order 2026"]  # fmt: skip
    before = audit_count(session)
    dry = cli(app, *merge, "--dry-run").output.splitlines()
    assert audit_count(session) == before
    assert session.exec(select(AuthorityChange)).all() == []
    real = cli(app, *merge).output.splitlines()
    assert dry[:-1] == real[:-1]  # the same lines; only "Dry run: nothing was recorded." / "Recorded." differ
    assert f"open s.3 requests [{request_id}]" in "\n".join(real)
    assert audit_count(session) == before + 2

    # The successor's key sees and acts on the predecessors' licences and the open request.
    listed = client.get("/api/v1/licences", headers=bearer(successor_key)).json
    assert {item["id"] for item in listed["items"]} == {first_licence.id, second_licence.id}
    incoming = client.get(
        "/api/v1/information-requests?direction=incoming", headers=bearer(successor_key)
    ).json
    assert [(r["id"], r["due_on"]) for r in incoming["items"]] == [(request_id, due_on)]
    answer = {"response_text": "The panel minutes are attached.", "attachments": []}
    responded = client.post(
        f"/api/v1/information-requests/{request_id}/respond", json=answer, headers=bearer(successor_key)
    )
    assert responded.status_code == 200, responded.json
    assert responded.json["recording_authority"]["code"] == first.code  # the record keeps its author
    revoked = client.post(
        f"/api/v1/licences/{first_licence.id}/revoke", json=DECISION, headers=bearer(successor_key)
    )
    assert revoked.status_code == 200, revoked.json

    # The first council's key was disabled by the change; its officer moved to the successor.
    assert client.get("/api/v1/licences", headers=bearer(first_key)).status_code == 401
    moved = reorganisation.acting_as(session, actor_for(session.get(User, officer_id)), utcnow().date())
    assert moved.authority_id == successor.id and moved.answers(first.id) and moved.answers(second.id)

    # The old badge's public check names both councils, by the old code (printed QR codes) or the new.
    for code in (second.code, successor.code):
        url = f"/api/v1/public/licence-check?authority={code}&badge={second_licence.badge_number}"
        found = client.get(url).json["licences"][0]
        assert found["issuing_council"]["code"] == second.code
        assert found["now_licensed_by"] == {"code": successor.code, "name": successor.name}

    # A revocation elsewhere alerts the successor, through the moved webhook subscription too.
    session.rollback()
    alerts_before = {a.id for a in session.exec(select(Alert)).all()}
    response = client.post(
        f"/api/v1/licences/{elsewhere.id}/revoke", json=DECISION, headers=bearer(other_key)
    )
    assert response.status_code == 200, response.json
    session.rollback()
    new = [a for a in session.exec(select(Alert)).all() if a.id not in alerts_before]
    assert new and {a.authority_id for a in new} == {successor.id}
    sent = [
        (d.channel, d.target)
        for a in new
        for d in session.exec(select(Delivery).where(Delivery.alert_id == a.id))
    ]
    targets = set(sent)
    assert len(sent) == len(targets)  # each subscription once
    assert {("webhook", str(endpoint_id)), ("email", str(recipient_id))} <= targets
    seen = client.get("/api/v1/alerts", headers=bearer(successor_key)).json
    assert {a.id for a in new} <= {a["id"] for a in seen["items"]}

    verified = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert verified.exit_code == 0, verified.output


def test_a_change_dated_later_changes_nothing_yet(app, client, session):
    old, new = make_authority(session), make_authority(session)
    licence = make_licence(session, authority_id=old.id)
    old_key, new_key = key_of(session, old.id), key_of(session, new.id)
    session.rollback()
    cli(app, "authorities", "merge", old.code, "--into", new.code, "--effective", "2099-04-01")

    assert [i["id"] for i in client.get("/api/v1/licences", headers=bearer(old_key)).json["items"]] == [
        licence.id
    ]
    assert client.get("/api/v1/licences", headers=bearer(new_key)).json["items"] == []
    url = f"/api/v1/public/licence-check?authority={old.code}&badge={licence.badge_number}"
    assert client.get(url).json["licences"][0]["now_licensed_by"] is None
    assert reorganisation.successor_id(session, old.id, date(2099, 3, 31)) == old.id
    assert reorganisation.successor_id(session, old.id, date(2099, 4, 1)) == new.id


def test_split_by_postcode_district_with_a_mapping_file_and_rejects(app, client, session, tmp_path):
    county = make_authority(session, name="Testshire County")
    north, south = (
        make_authority(session, name="North Testshire"),
        make_authority(session, name="South Testshire"),
    )
    in_north = make_licence(session, authority_id=county.id, postcode="CA1 2AB")
    in_south = make_licence(session, authority_id=county.id, postcode="LA9 4DL")
    by_badge = make_licence(session, authority_id=county.id, postcode="CA2 1XX")  # the badge line wins
    unplaced = make_licence(session, authority_id=county.id, postcode="ZZ9 9ZZ")
    north_key, south_key = key_of(session, north.id), key_of(session, south.id)
    session.rollback()
    districts = tmp_path / "districts.csv"
    districts.write_text(
        f"postcode_district,successor\nCA1,{north.code}\nCA2,{north.code}\nLA9,{south.code}\n"
    )
    badges = tmp_path / "badges.csv"
    badges.write_text(f"badge_number,successor\n{by_badge.badge_number},{south.code}\n")
    rejects = tmp_path / "rejects.csv"
    split = ["authorities", "split", county.code, "--into", north.code, "--into", south.code,
             "--lead", north.code, "--districts", str(districts), "--licences", str(badges),
             "--effective", PAST, "--rejects", str(rejects)]  # fmt: skip

    dry = cli(app, *split, "--dry-run").output.splitlines()
    assert session.exec(select(LicenceAssignment)).all() == []
    real = cli(app, *split).output.splitlines()
    assert dry[:-2] == real[:-2] and dry[-1] == real[-1]  # the rejects line closes both
    assert (
        f"  licences placed with {north.code}: 1" in real
        and f"  licences placed with {south.code}: 2" in real
    )
    assert read_back(rejects.read_text()) == [
        {
            "badge_number": unplaced.badge_number,
            "ref": unplaced.ref,
            "reason": "postcode district ZZ9 not in the mapping",
        }
    ]

    north_sees = {i["id"] for i in client.get("/api/v1/licences", headers=bearer(north_key)).json["items"]}
    south_sees = {i["id"] for i in client.get("/api/v1/licences", headers=bearer(south_key)).json["items"]}
    assert north_sees == {in_north.id, unplaced.id}  # the lead answers for what was not placed
    assert south_sees == {in_south.id, by_badge.id}
    assert client.get(f"/api/v1/licences/{by_badge.id}", headers=bearer(north_key)).status_code == 404
    assert client.get(f"/api/v1/licences/{by_badge.id}", headers=bearer(south_key)).status_code == 200
    url = f"/api/v1/public/licence-check?authority={county.code}&badge={in_south.badge_number}"
    assert client.get(url).json["licences"][0]["now_licensed_by"]["code"] == south.code
    assert app.test_cli_runner().invoke(args=["audit", "verify"]).exit_code == 0


def test_recode_keeps_old_badges_and_adds_the_new_code(app, client, session):
    old = make_authority(session, code="E08000016", name="Barnsley")
    licence = make_licence(session, authority_id=old.id)
    old_key = key_of(session, old.id)
    session.rollback()
    cli(app, "authorities", "recode", "E08000016", "E08000038", "--effective", PAST)

    for code in ("E08000016", "E08000038"):
        found = client.get(f"/api/v1/public/licence-check?authority={code}&badge={licence.badge_number}").json
        assert found["licences"][0]["now_licensed_by"] == {"code": "E08000038", "name": "Barnsley"}
    assert [i["id"] for i in client.get("/api/v1/licences", headers=bearer(old_key)).json["items"]] == [
        licence.id
    ]
    assert reorganisation.successor_of(session, "E08000016", date(2026, 4, 1)) == "E08000038"
    assert reorganisation.successor_of(session, "E08000016", date(2026, 3, 31)) == "E08000016"


def test_a_moved_officer_works_for_the_successor_and_a_disabled_one_is_signed_out(app, client, session):
    first, second, successor = make_authority(session), make_authority(session), make_authority(session)
    theirs = make_licence(session, authority_id=second.id)
    moved = make_user(session, authority_id=first.id)
    disabled = make_user(session, authority_id=second.id)
    session.rollback()
    cli(app, "authorities", "merge", first.code, "--into", successor.code, "--effective", PAST)
    cli(app, "authorities", "merge", second.code, "--into", successor.code, "--effective", PAST,
        "--officers", "disable")  # fmt: skip

    sign_in(client, moved)
    assert client.get(f"/licences/{theirs.id}").status_code == 200  # the successor's now, so theirs too
    other = app.test_client()
    other.post("/sign-in", data={})  # a fresh cookie jar

    token = csrf_token(other, "/sign-in")
    other.post("/sign-in", data={"email": disabled.email, "password": OFFICER_PASSWORD, "csrf_token": token})
    refused = other.get(f"/licences/{theirs.id}")
    assert refused.status_code == 302 and "/sign-in" in refused.headers["Location"]


def test_the_admin_api_describes_then_records_a_change(client, session):
    old, new = make_authority(session), make_authority(session)
    admin = key_of(session, new.id, scopes=["admin"])
    council = key_of(session, new.id)
    session.rollback()
    body = {"kind": "merge", "predecessors": [old.code], "successors": [new.code], "effective_on": PAST}

    assert (
        client.post("/api/v1/admin/authority-changes", json=body, headers=bearer(council)).status_code == 403
    )
    dry = client.post("/api/v1/admin/authority-changes", json=body | {"dry_run": True}, headers=bearer(admin))
    assert dry.status_code == 200, dry.json
    assert client.get("/api/v1/admin/authority-changes", headers=bearer(admin)).json == []
    real = client.post("/api/v1/admin/authority-changes", json=body, headers=bearer(admin))
    assert real.status_code == 200, real.json
    assert real.json["lines"] == dry.json["lines"] and len(real.json["recorded"]) == 1
    listed = client.get("/api/v1/admin/authority-changes", headers=bearer(admin)).json
    assert [(c["predecessor"], c["successor"], c["effective_on"]) for c in listed] == [
        (old.code, new.code, PAST)
    ]
    again = client.post("/api/v1/admin/authority-changes", json=body, headers=bearer(admin))
    assert again.status_code == 422 and "already has a reorganisation" in again.json["detail"]


def test_the_officers_quick_check_names_the_council_that_now_licenses_a_predecessors_badge(
    app, session, client
):
    old = make_authority(session, code="E07000163", name="Craven District Council")
    new = make_authority(session, code="E06000065", name="North Yorkshire Council")
    checker = make_authority(session, name="Checking Council")
    make_licence(session, authority_id=old.id, badge_number="CR123")
    officer = make_user(session, authority_id=checker.id)
    plan = changes.plan_merge(session, [old.code], new.code, date(2023, 4, 1), changes.Options())
    changes.apply(session, plan, datetime(2026, 11, 23, 10, 0))
    session.commit()
    sign_in(client, officer)

    page = client.get("/quick-check?badge=CR123").get_data(as_text=True)
    assert "Craven District Council" in page and "now licensed by North Yorkshire Council" in page
    assert "to North Yorkshire Council</span> (s.5)" in page
