"""The one layout: service name, beta banner, skip link, footer, the officer's authority and sign-out."""

import re

from tests.app.test_officer_login import sign_in
from tests.factories import OFFICER_PASSWORD, make_authority, make_user


def test_every_page_has_the_service_name_banner_skip_link_and_local_assets(client):
    for path in ("/", "/sign-in", "/check", "/no-such-page"):
        text = client.get(path).get_data(as_text=True)
        assert re.search(r'class="[^"]*app-service-bar__name">Crosscheck</a>', text), path
        assert re.search(r'govuk-phase-banner__content__tag">\s*Beta\s*</strong>', text), path
        assert '<a href="#main-content" class="govuk-skip-link"' in text and 'id="main-content"' in text
        assert 'class="govuk-footer' in text
        assert '<link rel="stylesheet" href="/static/govuk/govuk-frontend.min.css">' in text
        assert not re.search(r'(src|href)="(https?:)?//[^"]+\.(css|js)"', text), "assets come from our host"


def test_signed_in_officer_sees_their_authority_and_a_sign_out_form_with_csrf(client, session):
    authority = make_authority(session, name="Testshire District Council")
    user = make_user(session, name="Alex Example", authority_id=authority.id)
    sign_in(client, user.email, OFFICER_PASSWORD)
    text = client.get("/check").get_data(as_text=True)
    header = text[text.index("<header") : text.index("</header>")]
    assert "Alex Example, Testshire District Council" in header
    form = re.search(r'<form method="post" action="/sign-out".*?</form>', header, re.S).group(0)
    assert re.search(r'name="csrf_token" value="[^"]+"', form) and ">Sign out</button>" in form


def test_signed_out_visitor_sees_no_officer_header(client):
    header = client.get("/check").get_data(as_text=True).split("</header>")[0]
    assert "Sign out" not in header and "/sign-out" not in header


def test_sign_out_without_the_csrf_token_is_refused_in_the_layout(client, session):
    user = make_user(session)
    sign_in(client, user.email, OFFICER_PASSWORD)
    refused = client.post("/sign-out")
    assert refused.status_code == 400 and refused.mimetype == "text/html"
    assert 'class="govuk-template"' in refused.get_data(as_text=True)
    assert user.name in client.get("/", follow_redirects=True).get_data(as_text=True)


def test_stylesheet_and_fonts_are_served_from_our_own_static_folder(client):
    css = client.get("/static/govuk/govuk-frontend.min.css")
    assert css.status_code == 200 and "url(/assets/" not in css.get_data(as_text=True)
    font = re.search(r"url\((assets/fonts/[^)]+\.woff2)\)", css.get_data(as_text=True)).group(1)
    assert client.get(f"/static/govuk/{font}").status_code == 200
