"""The council administrator's page for the council's report a concern page; other roles are refused."""

import pytest
from sqlmodel import select

from licensing.persistence.models import AuditEvent, Authority
from tests.factories import make_authority, make_user
from tests.officer.conftest import csrf_token, sign_in

PAGE = "https://www.testshire.example/taxi-licensing/report-a-concern"
PATH = "/council/concern-page"


@pytest.fixture
def admin_client(client, session, authority):
    """Return a client signed in as the council's administrator."""
    sign_in(client, make_user(session, authority_id=authority.id, name="Ada Admin", role="admin"))
    return client


def stored_url(session, authority) -> str | None:
    """Return the council's stored concern page, as committed."""
    session.rollback()
    return session.exec(select(Authority.concern_url).where(Authority.id == authority.id)).one()


def test_the_administrator_sets_the_page_and_it_is_audited(admin_client, session, authority):
    page = admin_client.get(PATH)
    assert page.status_code == 200
    assert "Residents are sent to GOV.UK’s “Find your local council” page." in page.get_data(as_text=True)
    assert 'href="/council/concern-page"' in page.get_data(as_text=True)  # in the administrator's menu
    saved = admin_client.post(PATH, data={"url": PAGE, "csrf_token": csrf_token(admin_client, PATH)})
    assert saved.status_code == 302 and saved.headers["Location"].endswith(f"{PATH}?saved=1")
    assert stored_url(session, authority) == PAGE
    shown = admin_client.get(f"{PATH}?saved=1").get_data(as_text=True)
    assert "has been saved" in shown and f'href="{PAGE}"' in shown
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "authority.concern_url_set")).one()
    assert event.record_id == authority.id and event.detail["to"] == PAGE


def test_an_empty_address_goes_back_to_gov_uk(admin_client, session, authority):
    authority.concern_url = PAGE
    session.add(authority)
    session.commit()
    admin_client.post(PATH, data={"url": "", "csrf_token": csrf_token(admin_client, PATH)})
    assert stored_url(session, authority) is None


@pytest.mark.parametrize(
    "url", ["http://www.testshire.example/taxis", "javascript:alert(1)", "www.testshire.example"]
)
def test_an_address_that_is_not_https_is_refused_with_a_gov_uk_error(admin_client, session, authority, url):
    refused = admin_client.post(PATH, data={"url": url, "csrf_token": csrf_token(admin_client, PATH)})
    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    assert "There is a problem" in text and "Enter a web address that starts with https://" in text
    assert stored_url(session, authority) is None


def test_a_post_without_the_csrf_token_is_refused(admin_client, session, authority):
    assert admin_client.post(PATH, data={"url": PAGE}).status_code == 400
    assert stored_url(session, authority) is None


@pytest.mark.parametrize("who", ["officer_client", "manager_client"])
def test_officers_and_managers_cannot_see_or_change_it(request, session, authority, who):
    client = request.getfixturevalue(who)
    assert client.get(PATH).status_code == 403
    assert 'href="/council/concern-page"' not in client.get("/").get_data(as_text=True)
    token = csrf_token(client, "/quick-check")
    assert client.post(PATH, data={"url": PAGE, "csrf_token": token}).status_code == 403
    assert stored_url(session, authority) is None


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(PATH)
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_the_administrator_changes_only_their_own_council(admin_client, session, authority):
    other = make_authority(session)
    admin_client.post(PATH, data={"url": PAGE, "csrf_token": csrf_token(admin_client, PATH)})
    assert stored_url(session, other) is None
