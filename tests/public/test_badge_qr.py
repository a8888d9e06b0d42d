"""Badge QR codes: an SVG that encodes the check page's address for that badge, and nothing else."""

import pytest

from app.public import badge_check_url, qr_svg


def test_qr_code_is_an_svg_of_the_badges_check_address(app, client, wolverhampton):
    response = client.get("/check/qr/E08000031/PH12345.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    with app.test_request_context():
        url = badge_check_url("E08000031", "PH12345")
    assert url == "http://localhost/check?authority=E08000031&badge=PH12345"
    assert response.get_data(as_text=True) == qr_svg(url)
    assert response.get_data(as_text=True).startswith("<?xml") and "<svg" in response.get_data(as_text=True)


def test_different_badges_get_different_codes(client, wolverhampton):
    first = client.get("/check/qr/E08000031/PH12345.svg").data
    assert first != client.get("/check/qr/E08000031/PH12346.svg").data


def test_the_address_in_the_code_opens_the_answer(app, client, wolverhampton):
    with app.test_request_context():
        url = badge_check_url("e08000031", "PH12345")
    response = client.get(url.removeprefix("http://localhost"))
    assert response.status_code == 200
    assert "This licence is current. It expires on 3 March 2027." in response.get_data(as_text=True)


def test_a_code_says_nothing_about_whether_the_badge_exists(client, wolverhampton):
    """Drawing needs no look-up, so the code cannot be used to find out which badges are real."""
    assert client.get("/check/qr/E08000031/NOSUCH.svg").status_code == 200


@pytest.mark.parametrize("path", ["/check/qr/E08000031/" + "9" * 33 + ".svg", "/check/qr/E08-000031/PH1.svg"])
def test_implausible_badges_get_no_code(client, path):
    assert client.get(path).status_code == 404
