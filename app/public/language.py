"""English and Welsh on the resident's pages: which one a page is in, the switch between them, dates.

Welsh councils work under the Welsh Language Standards, so the public check is offered in both. The
language is chosen, in order, by `?lang=cy|en` (the switch's links, which also remember the choice in a
cookie), by that cookie, by the browser's Accept-Language, else English. Officer pages stay in English.
The words are in app/translations (README there).
"""

from datetime import date

from flask import Flask, current_app, request, url_for
from flask_babel import Babel, format_date, get_locale

LANGUAGES = ("en", "cy")
DEFAULT = "en"
COOKIE = "crosscheck_lang"
COOKIE_DAYS = 365
# Each language's switch link: its own name, and what it does said in that language for a screen reader.
SWITCH = {
    "en": ("English", "Change the language to English"),
    "cy": ("Cymraeg", "Newid yr iaith i’r Gymraeg"),
}


def init_app(app: Flask) -> None:
    """Translate the resident's pages (Flask-Babel, app/translations); the switch's helpers for templates."""
    Babel(app, locale_selector=choose_language, default_domain="messages")
    app.jinja_env.globals["language_switch"] = language_switch
    app.jinja_env.globals["page_language"] = page_language


def choose_language() -> str:
    """Return the language of this request: the resident's pages as chosen, every other page English."""
    if request.blueprint != "residents":
        return DEFAULT
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        return asked
    remembered = request.cookies.get(COOKIE)
    if remembered in LANGUAGES:
        return remembered
    return request.accept_languages.best_match(LANGUAGES, default=DEFAULT)


def page_language() -> str:
    """Return the language code of this page, for <html lang> (en or cy)."""
    return str(get_locale() or DEFAULT)


def remember_language(response):
    """Keep a language chosen with ?lang= in a cookie, so the next page is in it too (after each request)."""
    asked = request.args.get("lang")
    if asked in LANGUAGES and request.cookies.get(COOKIE) != asked:
        response.set_cookie(
            COOKIE,
            asked,
            max_age=COOKIE_DAYS * 24 * 3600,
            path=url_for("residents.check"),
            secure=current_app.config["SESSION_COOKIE_SECURE"],
            httponly=True,
            samesite="Lax",
        )
    return response


def language_switch() -> list[dict]:
    """Return the switch's items: the current language as text, the other as a link keeping the query."""
    current = page_language()
    items = []
    for code in LANGUAGES:
        name, action = SWITCH[code]
        query = request.args.to_dict() | {"lang": code}
        href = None if code == current else url_for(request.endpoint, **(request.view_args or {}), **query)
        items.append({"code": code, "name": name, "action": action, "href": href})
    return items


def long_date(day: date) -> str:
    """Write a date the GOV.UK way in the page's language: 3 March 2027, 3 Mawrth 2027."""
    return format_date(day, "d MMMM y")
