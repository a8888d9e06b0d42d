"""Registers the officer's feature pages, their menu and the filters their templates share."""

from datetime import date, datetime

from flask import Flask, request, url_for

from app import auth
from app.officer import (
    applications,
    bulk,
    council,
    dashboard,
    enforcement,
    intelligence,
    licences,
    register,
    search,
    trail,
    workflows,
)
from licensing import words

FEATURES = (
    dashboard,
    search,
    applications,
    licences,
    register,
    workflows,
    intelligence,
    bulk,
    trail,
    enforcement,
    council,
)
MENU = (
    ("Dashboard", "officer_dashboard.index"),
    ("Search", "officer_search.index"),
    ("Applications", "officer_applications.index"),
    ("Licences", "officer_licences.index"),
    ("Register", "officer_register.index"),
    ("Requests and reports", "officer_workflows.index"),
    ("Intelligence", "officer_intelligence.index"),
    ("Bulk screening", "officer_bulk.index"),
    ("Quick check", "officer_enforcement.index"),
)
# Shown only to the roles that may use them.
ROLE_MENU = ((("admin",), "Council settings", "officer_council.concern_page"),)


def init_app(app: Flask) -> None:
    """Register every feature's blueprint, the menu and the shared template filters."""
    for feature in FEATURES:
        app.register_blueprint(feature.bp)
    app.add_template_filter(long_date)
    app.add_template_filter(show_value)
    app.add_template_filter(words.named)
    app.add_template_filter(words.action_words)
    app.add_template_filter(words.actor_words)
    app.add_template_filter(words.counted)
    app.context_processor(menu)


def menu() -> dict:
    """Return the signed-in officer's menu, the current page marked active."""
    if auth.current_officer() is None:
        return {}
    here = request.blueprint
    items = [
        {"text": text, "href": url_for(endpoint), "active": here == endpoint.split(".")[0]}
        for text, endpoint in MENU
    ]
    officer_role = auth.current_officer().role
    items += [
        {"text": text, "href": url_for(endpoint), "active": here == endpoint.split(".")[0]}
        for roles, text, endpoint in ROLE_MENU
        if officer_role in roles
    ]
    return {"navigation": items}


def long_date(value) -> str:
    """Return a date the GOV.UK way: 3 March 2027."""
    if value is None:
        return ""
    day = value.date() if isinstance(value, datetime) else value
    return f"{day.day} {day:%B %Y}" if isinstance(day, date) else str(value)


def show_value(value) -> str:
    """Return a record's value for a person to read; an empty value says so."""
    if value is None or value == "":
        return "Not given"
    return long_date(value) if isinstance(value, date) else str(value)
