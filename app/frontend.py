"""GOV.UK Frontend for the web pages: the Jinja macros and the locally served built assets.

The macros come from govuk-frontend-jinja (pinned to the release that ports govuk-frontend 6.3.0); the
stylesheet, script, fonts and images are copied from the npm package into app/static/govuk by
`make assets`, so a page never loads anything from another host.
"""

from flask import Flask, url_for
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader

SERVICE_NAME = "Crosscheck"


def init_app(app: Flask) -> None:
    """Let templates import the GOV.UK macros and find the GOV.UK assets under /static/govuk."""
    govuk = PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")})
    app.jinja_loader = ChoiceLoader([app.jinja_loader, govuk])
    app.context_processor(frontend_context)


def frontend_context() -> dict:
    """Return the names the GOV.UK page template reads."""
    return {
        "serviceName": SERVICE_NAME,
        "assetPath": url_for("static", filename="govuk/assets"),
        "govuk_static": url_for("static", filename="govuk"),
        "error_list": error_list,
        "error_message": error_message,
    }


def error_list(form, *extra: str) -> list[dict]:
    """Return the GOV.UK error summary's list: `extra` messages first, then each invalid field's first."""
    fields = [field for field in form if field.errors] if form is not None else []
    visible = [field for field in form or () if getattr(field.widget, "input_type", None) != "hidden"]
    first = f"#{(fields or visible)[0].id}" if fields or visible else None
    summary = [{"text": message, "href": first} for message in extra if message]
    return summary + [{"text": field.errors[0], "href": f"#{field.id}"} for field in fields]


def error_message(field) -> dict | None:
    """Return the GOV.UK inline error of a form field, or None when it is valid."""
    return {"text": field.errors[0]} if field.errors else None
