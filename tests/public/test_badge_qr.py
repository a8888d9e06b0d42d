"""Badge QR codes: an SVG of the check page's address for a badge that exists, under PUBLIC_BASE_URL."""

import logging

import pytest

from app import create_app
from app.public import badge_check_url, qr_svg
from tests.conftest import TEST_SECRET

BASE = "https://check.crosscheck.example"


@pytest.fixture
def based_app(database_url):
    """Return an app whose public address is BASE."""
    config = {"ENV_NAME": "testing", "DATABASE_URL": database_url, "SECRET_KEY": TEST_SECRET}
    app = create_app(config | {"PUBLIC_BASE_URL": BASE + "/"})
    yield app
    app.extensions["crosscheck.engine"].dispose()


def test_qr_code_is_an_svg_of_the_badges_check_address(based_app, wolverhampton):
    response = based_app.test_client().get("/check/qr/E08000031/PH12345.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    with based_app.test_request_context():
        url = badge_check_url("E08000031", "PH12345")
    assert url == BASE + "/check?authority=E08000031&badge=PH12345"
    assert response.get_data(as_text=True) == qr_svg(url)
    assert response.get_data(as_text=True).startswith("<?xml") and "<svg" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "host", ["attacker.example", "localhost", "127.0.0.1:5000", "check.crosscheck.example"]
)
def test_the_code_encodes_the_public_base_url_whatever_the_host_header(based_app, wolverhampton, host):
    client = based_app.test_client()
    response = client.get("/check/qr/E08000031/PH12345.svg", headers={"Host": host})
    assert response.status_code == 200
    assert response.get_data(as_text=True) == qr_svg(BASE + "/check?authority=E08000031&badge=PH12345")


def test_different_badges_get_different_codes(client, session, wolverhampton):
    from tests.factories import make_licence

    make_licence(session, authority_id=wolverhampton.id, badge_number="PH12346")
    first = client.get("/check/qr/E08000031/PH12345.svg").data
    assert first != client.get("/check/qr/E08000031/PH12346.svg").data


def test_the_address_in_the_code_opens_the_answer(based_app, wolverhampton):
    with based_app.test_request_context():
        url = badge_check_url("e08000031", "PH12345")
    response = based_app.test_client().get(url.removeprefix(BASE))
    assert response.status_code == 200
    assert "This licence is current. It expires on 3 March 2027." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    ["/check/qr/E08000031/NOSUCH.svg", "/check/qr/E08000027/PH12345.svg", "/check/qr/W06000015/PH12345.svg"],
)
def test_no_code_is_drawn_for_a_badge_that_does_not_exist(client, wolverhampton, dudley, path):
    """A code printed for a badge nobody holds would send a resident to "no licence found"."""
    response = client.get(path)
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert not response.get_data(as_text=True).startswith("<?xml")


@pytest.mark.parametrize("path", ["/check/qr/E08000031/" + "9" * 33 + ".svg", "/check/qr/E08-000031/PH1.svg"])
def test_implausible_badges_get_no_code(client, path):
    assert client.get(path).status_code == 404


def production_app(database_url, **settings):
    """Return a production app (PostgreSQL URL, strong secret) with `settings`."""
    config = {"ENV_NAME": "production", "DATABASE_URL": database_url, "SECRET_KEY": TEST_SECRET * 2}
    return create_app(config | settings)


def test_production_without_an_https_public_address_draws_no_codes_and_says_so(caplog):
    with caplog.at_level(logging.WARNING, logger="app.public"):
        app = production_app("postgresql+psycopg://db/crosscheck")
    assert "PUBLIC_BASE_URL is not an https:// address" in caplog.text
    response = app.test_client().get("/check/qr/E08000031/PH12345.svg", base_url="https://localhost")
    assert response.status_code == 503
    assert "PUBLIC_BASE_URL" in response.get_data(as_text=True)


def test_production_with_an_https_public_address_starts_quietly(caplog):
    with caplog.at_level(logging.WARNING, logger="app.public"):
        production_app("postgresql+psycopg://db/crosscheck", PUBLIC_BASE_URL=BASE)
    assert "PUBLIC_BASE_URL" not in caplog.text
