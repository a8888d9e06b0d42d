"""The public check page: the public fields in plain words, one answer for every miss, GOV.UK errors."""

import re
from datetime import date

import pytest

from tests.factories import identity, make_licence
from tests.public.conftest import DLN

# What the factories give a licence holder that a resident must never see (docs/reference.md, the
# public check); the given name is left out because the display name the council chose ("Imran H.")
# may show it.
HIDDEN = ("sex", "date_of_birth", "given_names")
PERSONAL = [v for k, v in identity().items() if k not in HIDDEN] + ["14 March 1985", "1985"]


def page(response) -> str:
    """Return the text of a response."""
    return response.get_data(as_text=True)


def main(response) -> str:
    """Return the page's main content, where the answer is."""
    text = page(response)
    return text[text.index("<main") : text.index("</main>")]


def test_blank_page_offers_both_ways_to_check_without_javascript(client, wolverhampton, dudley):
    response = client.get("/check")
    assert response.status_code == 200
    text = page(response)
    assert "<title>Check a taxi or private hire driver’s licence – Crosscheck</title>" in text
    assert text.count('<form method="get" action="/check" novalidate>') == 2
    assert 'id="authority" name="authority"' in text and 'id="badge" name="badge"' in text
    assert 'id="licence_number" name="licence_number"' in text
    assert re.findall(r'<option value="(E\d+)"', text) == ["E08000031", "E08000027"]  # by name


def test_current_licence_is_shown_in_plain_words_with_only_the_public_fields(client, wolverhampton):
    response = client.get("/check?authority=E08000031&badge=PH12345")
    assert response.status_code == 200
    shown = main(response)
    assert "This licence is current. It expires on 3 March 2027." in shown
    rows = dict(
        re.findall(r'__key">\s*(.*?)\s*</dt>\s*<dd class="govuk-summary-list__value">\s*(.*?)\s*</dd>', shown)
    )
    assert rows == {
        "Driver’s name": "Imran H.",
        "Badge number": "PH12345",
        "Licence type": "Hackney carriage (taxi) and private hire driver",
        "Issued by": "City of Wolverhampton Council",
        "Expiry date": "3 March 2027",
    }
    for personal in PERSONAL:
        assert personal not in page(response)


def test_badge_in_lower_case_and_council_code_in_lower_case_still_match(client, wolverhampton):
    response = client.get("/check?authority=e08000031&badge=ph12345")
    assert response.status_code == 200
    assert "This licence is current." in main(response)


@pytest.mark.parametrize(
    ("status", "expires_on", "sentence"),
    [
        ("suspended", date(2027, 3, 3), "This licence is suspended. The driver must not carry passengers"),
        ("revoked", date(2027, 3, 3), "This licence has been revoked. It is no longer valid."),
        (
            "surrendered",
            date(2027, 3, 3),
            "This licence has been given up by the driver. It is no longer valid.",
        ),
        ("expired", date(2025, 3, 3), "This licence expired on 3 March 2025. It is no longer valid."),
        ("active", date(2025, 3, 3), "This licence expired on 3 March 2025. It is no longer valid."),
    ],
)
def test_each_status_is_said_in_plain_words(client, session, wolverhampton, status, expires_on, sentence):
    make_licence(
        session, authority_id=wolverhampton.id, badge_number="X1", status=status, expires_on=expires_on
    )
    response = client.get("/check?authority=E08000031&badge=X1")
    assert response.status_code == 200
    assert sentence in main(response)
    assert "This licence is current" not in main(response)


def test_page_and_api_give_the_same_status(client, session, wolverhampton):
    make_licence(session, authority_id=wolverhampton.id, badge_number="S1", status="suspended")
    api = client.get("/api/v1/public/licence-check?authority=E08000031&badge=S1").json
    assert api["licences"][0]["status"] == "suspended"
    assert '<strong class="govuk-tag govuk-tag--orange">\n  Suspended' in page(
        client.get("/check?authority=E08000031&badge=S1")
    )


def concern_link(response) -> tuple[str, str]:
    """Return the address and words of the result's "report a concern" link."""
    link = re.search(r'<a class="govuk-link" href="([^"]+)" data-concern-link>([^<]+)</a>', page(response))
    return link.group(1), link.group(2)


def test_report_a_concern_goes_to_the_issuing_councils_own_page(client, session, wolverhampton):
    wolverhampton.concern_url = "https://www.wolverhampton.example/taxi-licensing/report-a-concern"
    session.add(wolverhampton)
    session.commit()
    assert concern_link(client.get("/check?authority=E08000031&badge=PH12345")) == (
        "https://www.wolverhampton.example/taxi-licensing/report-a-concern",
        "Report a concern about this driver to City of Wolverhampton Council",
    )


def test_report_a_concern_falls_back_to_the_councils_address_then_gov_uk(
    client, session, wolverhampton, dudley
):
    href, _ = concern_link(client.get("/check?authority=E08000031&badge=PH12345"))
    assert (
        href
        == "mailto:taxis@council.example?subject=Concern%20about%20a%20licensed%20driver%2C%20badge%20PH12345"
    )
    make_licence(session, authority_id=dudley.id, badge_number="D1")
    assert concern_link(client.get("/check?authority=E08000027&badge=D1")) == (
        "https://www.gov.uk/find-local-council",
        "Report a concern about this driver to Dudley Metropolitan Borough Council",
    )


def test_driving_licence_number_shows_the_standing_licence_and_nobody_elses(client, session, wolverhampton):
    make_licence(
        session,
        authority_id=wolverhampton.id,
        badge_number="OTHER1",
        driving_licence_number="MORGA657054SM9IJ",
    )
    response = client.get(f"/check?licence_number={DLN.lower()}")
    assert response.status_code == 200
    assert re.findall(r'<h2 class="govuk-heading-m">Badge (\w+)', main(response)) == ["PH12345"]
    assert DLN not in page(response).replace(f'value="{DLN.lower()}"', "")


def normalised_miss(response, *typed: str) -> str:
    """Return the page of a miss with what the resident typed taken out (it is echoed in the form).

    The script nonce is taken out too: it is random in every answer, hit or miss (app.headers); and what
    was typed is echoed in the language switch's link (the same page in the other language), taken out.
    """
    text = re.sub(r'nonce="[^"]+"', 'nonce="…"', page(response))
    text = re.sub(r"<nav class=\"app-language-switch.*?</nav>", "", text, flags=re.S)
    for value in typed:
        text = text.replace(f'value="{value}"', 'value="…"').replace(f'value="{value}" selected', 'value="…"')
    return re.sub(r" selected(?=>)", "", text)


def test_every_miss_gets_the_same_page(client, session, wolverhampton, dudley):
    make_licence(session, authority_id=dudley.id, badge_number="DY777")
    unknown = client.get("/check?authority=E08000031&badge=NOSUCH1")
    other_council = client.get("/check?authority=E08000031&badge=DY777")
    unknown_council = client.get("/check?authority=E09999999&badge=PH12345")
    assert {unknown.status_code, other_council.status_code, unknown_council.status_code} == {404}
    assert "No licence matches those details." in main(unknown)
    expected = normalised_miss(unknown, "NOSUCH1")
    assert normalised_miss(other_council, "DY777") == expected
    assert normalised_miss(unknown_council, "PH12345") == expected


def test_revoked_licence_by_driver_number_is_the_same_miss_as_an_unknown_number(
    client, session, wolverhampton
):
    make_licence(
        session, authority_id=wolverhampton.id, status="revoked", driving_licence_number="MORGA657054SM9IJ"
    )
    revoked = client.get("/check?licence_number=MORGA657054SM9IJ")
    unknown = client.get("/check?licence_number=JONES801015AB9CD")
    assert revoked.status_code == unknown.status_code == 404
    assert normalised_miss(revoked, "MORGA657054SM9IJ") == normalised_miss(unknown, "JONES801015AB9CD")


@pytest.mark.parametrize(
    ("query", "messages"),
    [
        (
            "authority=&badge=",
            {"authority": "Select the council that issued the licence", "badge": "Enter the badge number"},
        ),
        ("authority=E08000031&badge=", {"badge": "Enter the badge number"}),
        ("authority=E08000031&badge=" + "9" * 33, {"badge": "Badge number must be 32 characters or fewer"}),
        ("authority=E08000031&badge=PH%0012345", {"badge": "Enter the number as it is printed on the badge"}),
        ("licence_number=", {"licence_number": "Enter the driving licence number"}),
        ("licence_number=AB%00CD", {"licence_number": "Enter the number as it is printed on the badge"}),
    ],
)
def test_bad_input_gets_the_error_summary_and_inline_messages(client, wolverhampton, query, messages):
    response = client.get(f"/check?{query}")
    assert response.status_code == 400
    text = page(response)
    assert text.count("<title>Error: Check a taxi") == 1
    start = text.index('class="govuk-error-summary"')
    summary = text[start : text.index("</ul>", start)]
    assert re.findall(r'<a href="#(\w+)">\s*(.*?)\s*</a>', summary) == list(messages.items())
    for field, message in messages.items():
        inline = re.search(rf'<p id="{field}-error" class="govuk-error-message">\s*(.*?)</p>', text, re.S)
        assert inline.group(1).strip() == f'<span class="govuk-visually-hidden">Error:</span> {message}'
    assert "Licence check result" not in text and "No licence matches" not in text


def test_the_form_cannot_be_posted(client, wolverhampton):
    assert client.post("/check", data={"authority": "E08000031", "badge": "PH12345"}).status_code in (
        400,
        405,
    )


def test_checks_beyond_the_limit_get_a_friendly_page_with_retry_after(limited_client, wolverhampton):
    for _ in range(2):
        assert limited_client.get("/check?authority=E08000031&badge=PH12345").status_code == 200
    refused = limited_client.get("/check?authority=E08000031&badge=PH12345")
    assert refused.status_code == 429
    assert refused.mimetype == "text/html"
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    text = page(refused)
    assert '<h1 class="govuk-heading-l">You have made too many checks</h1>' in text
    assert "Wait a minute and then" in text and "PH12345" not in main(refused)


def test_the_page_and_the_public_api_share_one_budget(limited_client, wolverhampton):
    assert limited_client.get("/check?authority=E08000031&badge=PH12345").status_code == 200
    api = "/api/v1/public/licence-check?authority=E08000031&badge=PH12345"
    assert limited_client.get(api).status_code == 200
    assert limited_client.get(api).status_code == 429
    assert limited_client.get("/check?authority=E08000031&badge=PH12345").status_code == 429
