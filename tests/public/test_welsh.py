"""The public check in Welsh: a switch keeping the query, a remembered choice, Welsh words and dates."""

import re
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from app.public.language import COOKIE
from tests.factories import make_licence

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "app/translations/cy/LC_MESSAGES"


def page(response) -> str:
    """Return the text of a response."""
    return response.get_data(as_text=True)


def switch_link(response) -> str:
    """Return the address the language switch offers (the other language)."""
    return (
        re.search(r'<a class="govuk-link" href="([^"]+)" hreflang=', page(response))
        .group(1)
        .replace("&amp;", "&")
    )


def test_english_by_default_with_a_switch_to_welsh_keeping_the_query(client, wolverhampton):
    response = client.get("/check?authority=E08000031&badge=PH12345")
    assert '<html lang="en"' in page(response)
    assert switch_link(response) == "/check?authority=E08000031&badge=PH12345&lang=cy"
    assert '<span class="govuk-visually-hidden">Newid yr iaith i’r Gymraeg</span>' in page(response)
    assert '<span aria-current="true">English</span>' in page(response)


def test_the_result_in_welsh_with_a_welsh_date(client, wolverhampton):
    response = client.get("/check?authority=E08000031&badge=PH12345&lang=cy")
    text = page(response)
    assert response.status_code == 200
    assert '<html lang="cy"' in text
    assert (
        "<title>Canlyniad – Gwirio trwydded gyrrwr tacsi neu gerbyd hurio preifat – Crosscheck</title>"
        in text
    )
    assert "Mae’r drwydded hon yn gyfredol. Mae’n dod i ben ar 3 Mawrth 2027." in text
    assert "Gyrrwr cerbyd hacni (tacsi) a cherbyd hurio preifat" in text
    assert "Rhoi gwybod i City of Wolverhampton Council am bryder am y gyrrwr hwn" in text
    assert switch_link(response) == "/check?authority=E08000031&badge=PH12345&lang=en"
    assert "This licence" not in text and "Skip to main content" not in text


@pytest.mark.parametrize(
    ("expires_on", "words"),
    [
        (date(2026, 12, 6), "6 Rhagfyr 2026"),
        (date(2027, 6, 1), "1 Mehefin 2027"),
        (date(2027, 2, 1), "1 Chwefror 2027"),
    ],
)
def test_welsh_month_names(client, session, wolverhampton, expires_on, words):
    make_licence(session, authority_id=wolverhampton.id, badge_number="W1", expires_on=expires_on)
    assert words in page(client.get("/check?authority=E08000031&badge=W1&lang=cy"))


def test_the_choice_is_remembered_in_a_cookie(client, wolverhampton):
    chosen = client.get("/check?lang=cy")
    cookie = chosen.headers["Set-Cookie"]
    assert cookie.startswith(f"{COOKIE}=cy;") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Path=/check" in cookie
    later = client.get("/check?authority=E08000031&badge=PH12345")
    assert '<html lang="cy"' in page(later) and "Mae’r drwydded hon yn gyfredol" in page(later)
    assert "Set-Cookie" not in later.headers
    back = client.get("/check?lang=en")
    assert back.headers["Set-Cookie"].startswith(f"{COOKIE}=en;")
    assert '<html lang="en"' in page(client.get("/check"))


def test_a_welsh_browser_gets_welsh_until_it_chooses(client, wolverhampton):
    headers = {"Accept-Language": "cy-GB,cy;q=0.9,en;q=0.5"}
    assert '<html lang="cy"' in page(client.get("/check", headers=headers))
    assert '<html lang="en"' in page(client.get("/check?lang=en", headers=headers))


def test_errors_and_the_miss_in_welsh(client, wolverhampton):
    errors = page(client.get("/check?authority=&badge=&lang=cy"))
    assert "<title>Gwall: Gwirio trwydded" in errors
    assert "Mae problem wedi codi" in errors
    assert "Dewiswch y cyngor a roddodd y drwydded" in errors and "Rhowch rif y bathodyn" in errors
    too_long = page(client.get("/check?authority=E08000031&badge=" + "9" * 33 + "&lang=cy"))
    assert "Rhaid i rif y bathodyn fod yn 32 nod neu lai" in too_long
    miss = client.get("/check?authority=E08000031&badge=NOSUCH&lang=cy")
    assert miss.status_code == 404
    assert "Does dim trwydded yn cyfateb i’r manylion hynny." in page(miss)


def test_the_qr_landing_page_opens_in_the_residents_language(client, wolverhampton):
    """A QR code holds no language: the page opens in the one the phone's browser asks for."""
    landing = client.get("/check?authority=E08000031&badge=PH12345", headers={"Accept-Language": "cy"})
    assert "Mae’r drwydded hon yn gyfredol" in page(landing)


def test_officer_pages_stay_in_english_whatever_was_chosen(client):
    client.get("/check?lang=cy")
    assert '<html lang="en"' in page(client.get("/sign-in", headers={"Accept-Language": "cy"}))


def extracted_messages() -> set[str]:
    """Return every message id the public pages use, extracted as babel.cfg says."""
    method_map = [
        ("app/public/**.py", "python"),
        ("app/templates/public/**.html", "jinja2"),
        ("app/templates/layout.html", "jinja2"),
    ]
    keywords = {"_": None, "gettext": None, "_l": None}
    found = extract_from_dir(str(ROOT), method_map, keywords=keywords)
    return {message for _, _, message, _, _ in found}


def test_babel_cfg_extracts_what_this_test_extracts():
    sections = re.findall(r"^\[(\w+): (.+)\]$", (ROOT / "babel.cfg").read_text(), re.M)
    assert [(path, method) for method, path in sections] == [
        ("app/public/**.py", "python"),
        ("app/templates/public/**.html", "jinja2"),
        ("app/templates/layout.html", "jinja2"),
    ]


def test_every_public_message_has_a_welsh_translation():
    catalogue = read_po((CATALOGUE / "messages.po").open("rb"))
    messages = extracted_messages()
    assert len(messages) > 40
    untranslated = sorted(m for m in messages if not (catalogue.get(m) and catalogue.get(m).string))
    assert untranslated == []


def test_the_compiled_catalogue_is_the_po_file_compiled():
    """The .mo file is committed so a fresh clone runs; `make translations` rebuilds it after an edit."""
    po = read_po((CATALOGUE / "messages.po").open("rb"))
    compiled = BytesIO()
    write_mo(compiled, po)
    compiled.seek(0)
    expected = {m.id: m.string for m in read_mo(compiled) if m.id}
    committed = {m.id: m.string for m in read_mo((CATALOGUE / "messages.mo").open("rb")) if m.id}
    assert committed == expected


def test_switching_language_on_the_blank_form_is_not_a_check(client, wolverhampton):
    response = client.get("/check?lang=cy")
    assert response.status_code == 200
    assert "Mae problem wedi codi" not in page(response) and "Gwall:" not in page(response)
