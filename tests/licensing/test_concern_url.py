"""A council's page for reporting a concern about a driver: https only, its own council's, audited."""

import pytest
from sqlmodel import select

import licensing.reference as reference
from licensing.actors import Actor, cli_actor
from licensing.audit import log as audit
from licensing.errors import Forbidden, NotFound, ValidationFailed
from licensing.persistence.models import AuditEvent
from licensing.reference import AUTHORITIES_CSV, authority_by_code, load_reference, read_rows, set_concern_url
from tests.factories import make_authority

PAGE = "https://www.council.example/taxi-licensing/report-a-concern"


def officer_of(authority, role="admin") -> Actor:
    """Return an officer of `authority` as an actor."""
    return Actor(kind="user", id=7, label="user:a@council.example", authority_id=authority.id, role=role)


def test_the_councils_administrator_sets_its_page_and_it_is_audited(session, now):
    council = make_authority(session, code="W06000015", name="Cardiff", nation="wales")
    set_concern_url(session, "w06000015", f"  {PAGE} ", now=now, actor=officer_of(council))
    assert authority_by_code(session, "W06000015").concern_url == PAGE
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "authority.concern_url_set")).one()
    assert (event.record_id, event.actor_label) == (council.id, "user:a@council.example")
    assert event.detail == {"code": "W06000015", "from": None, "to": PAGE}
    assert audit.verify(session).ok


def test_an_empty_address_clears_the_page(session, now):
    council = make_authority(session, concern_url=PAGE)
    set_concern_url(session, council.code, "", now=now, actor=cli_actor("authorities set-concern-url"))
    assert authority_by_code(session, council.code).concern_url is None


def test_an_officer_cannot_set_another_councils_page(session, now):
    own, other = make_authority(session), make_authority(session)
    with pytest.raises(NotFound):
        set_concern_url(session, other.code, PAGE, now=now, actor=officer_of(own))
    assert authority_by_code(session, other.code).concern_url is None


def test_a_councils_key_cannot_set_another_councils_page_and_a_police_key_none(session, now):
    own, other = make_authority(session), make_authority(session)
    key = Actor(kind="api_client", id=1, label="k", authority_id=own.id, scopes=frozenset({"admin"}))
    with pytest.raises(NotFound):
        set_concern_url(session, other.code, PAGE, now=now, actor=key)
    police = Actor(
        kind="api_client", id=2, label="p", police_force_id=1, scopes=frozenset({"police:intelligence"})
    )
    with pytest.raises(Forbidden):
        set_concern_url(session, other.code, PAGE, now=now, actor=police)
    assert authority_by_code(session, other.code).concern_url is None


def test_an_unknown_council_is_not_found(session, now):
    with pytest.raises(NotFound):
        set_concern_url(session, "E06999999", PAGE, now=now, actor=cli_actor("x"))


@pytest.mark.parametrize(
    "url",
    [
        "http://www.council.example/taxis",
        "javascript:alert(1)",
        "mailto:taxis@council.example",
        "www.council.example/taxis",
        "https://",
        "https://user:secret@www.council.example/taxis",
        "https://www.council.example/a b",
        "https://www.council.example/\x00",
        "https://www.council.example/" + "a" * 480,
        "https://[::1/taxis",
    ],
)
def test_only_a_plain_https_address_is_taken(session, now, url):
    council = make_authority(session)
    with pytest.raises(ValidationFailed) as refused:
        set_concern_url(session, council.code, url, now=now, actor=cli_actor("x"))
    assert refused.value.errors[0]["field"] == "url"
    assert authority_by_code(session, council.code).concern_url is None


def test_the_shipped_file_has_the_column_and_only_https_addresses():
    rows = read_rows(AUTHORITIES_CSV)
    assert all("concern_url" in row for row in rows)
    assert all(reference._safe_page(row["concern_url"]) for row in rows if row["concern_url"])


def shipped(tmp_path, monkeypatch, url: str) -> None:
    """Ship one authority, Cardiff, with `url` as its concern page."""
    path = tmp_path / "authorities.csv"
    path.write_text(f"code,name,nation,concern_url\nW06000015,Cardiff,wales,{url}\n", encoding="utf-8")
    monkeypatch.setattr(reference, "AUTHORITIES_CSV", path)


def test_loading_fills_a_shipped_page_but_never_overwrites_the_councils_own(
    session, now, tmp_path, monkeypatch
):
    shipped(tmp_path, monkeypatch, PAGE)
    assert load_reference(session, now).authorities.added == 1
    assert authority_by_code(session, "W06000015").concern_url == PAGE
    own = "https://www.cardiff.example/our-own-page"
    set_concern_url(session, "W06000015", own, now=now, actor=cli_actor("x"))
    again = load_reference(session, now)
    assert (again.authorities.updated, again.authorities.unchanged) == (0, 1)
    assert authority_by_code(session, "W06000015").concern_url == own


def test_loading_fills_an_existing_council_that_has_no_page(session, now, tmp_path, monkeypatch):
    make_authority(session, code="W06000015", name="Cardiff", nation="wales")
    shipped(tmp_path, monkeypatch, PAGE)
    assert load_reference(session, now).authorities.updated == 1
    assert authority_by_code(session, "W06000015").concern_url == PAGE
