"""The one place that maps errors to HTTP: problem+json under /api, HTML pages elsewhere.

Each handler first rolls back the request's unit of work (app/db.py): a request that failed keeps nothing.
"""

import logging
import time

from flask import Flask, Response, current_app, jsonify, render_template, render_template_string, request
from marshmallow import Schema
from marshmallow import fields as schema_fields
from werkzeug.exceptions import HTTPException

from app import db
from licensing import errors as domain

log = logging.getLogger(__name__)

STATUS_OF = {
    domain.Unauthenticated: 401,
    domain.Forbidden: 403,
    domain.NotFound: 404,
    domain.InvalidTransition: 409,
    domain.DuplicateReference: 409,
    domain.ValidationFailed: 422,
}

PROBLEM_MEDIA_TYPE = "application/problem+json"


class FieldErrorSchema(Schema):
    """One invalid field and what is wrong with it."""

    field = schema_fields.String()
    message = schema_fields.String()


class ProblemSchema(Schema):
    """An RFC 9457 problem document, as every /api error is sent (documented in OpenAPI)."""

    type = schema_fields.String()
    title = schema_fields.String()
    status = schema_fields.Integer()
    detail = schema_fields.String()
    errors = schema_fields.List(
        schema_fields.Nested(FieldErrorSchema), metadata={"description": "Each invalid field"}
    )


# The last resort when the page layout itself cannot be rendered (e.g. the database is down and the
# header cannot load the signed-in officer): plain, but still a page, never a stack trace.
HTML_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{{ title }} – Crosscheck</title></head>
<body><main><h1>{{ title }}</h1><p>{{ detail }}</p></main></body></html>"""


def init_app(app: Flask) -> None:
    """Register the handlers for domain errors and unexpected exceptions."""
    app.register_error_handler(domain.DomainError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)


def wants_problem_json() -> bool:
    """Tell whether this request is an API call that gets RFC 9457 errors."""
    return request.path == "/api" or request.path.startswith("/api/")


def error_response(
    status: int, title: str, detail: str, errors: list[dict] | None = None, headers=None
) -> Response:
    """Build the error response for this request: problem+json for the API, else an HTML page."""
    if not wants_problem_json():
        return Response(
            html_page(status, title, detail), status=status, headers=headers, mimetype="text/html"
        )
    problem = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if errors:
        problem["errors"] = errors
    response = jsonify(problem)
    response.status_code = status
    response.mimetype = PROBLEM_MEDIA_TYPE
    response.headers.extend(headers or {})
    return response


def html_page(status: int, title: str, detail: str) -> str:
    """Render the error page of `status` in the layout, or the plain page if the layout fails."""
    context = {"title": title, "detail": detail, "retry_after_words": _retry_after_words()}
    try:
        return render_template([f"errors/{status}.html", "errors/error.html"], **context)
    except Exception:  # the error page must not fail in turn
        log.exception("error page could not be rendered", extra={"status": status})
        return render_template_string(HTML_PAGE, title=title, detail=detail)


def _retry_after_words() -> str:
    """Say how long until the rate limit that refused this request lets the client in again."""
    limiter = current_app.extensions.get("crosscheck.limiter")
    current = limiter.current_limit if limiter is not None else None
    seconds = current.reset_at - time.time() if current is not None else 60
    # reset_at is a whole second, so a one-minute window can report up to 61 s: round, do not round up.
    minutes = max(1, round(seconds / 60))
    return "a minute" if minutes == 1 else f"{minutes} minutes"


def handle_domain_error(error: domain.DomainError) -> Response:
    """Map a named domain error to its status."""
    db.undo()
    status = next(s for cls, s in STATUS_OF.items() if isinstance(error, cls))
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return error_response(status, error.title, error.detail, error.errors, headers)


def handle_http_exception(error: HTTPException) -> Response:
    """Map Werkzeug's and webargs' HTTP errors, flattening validation messages into `errors`."""
    db.undo()
    if error.code is None:
        return error
    data = getattr(error, "data", None) or {}
    errors = validation_errors(data.get("messages", {}))
    detail = "The request did not pass validation." if errors else error.description
    headers = [h for h in (error.get_headers() or []) if h[0].lower() != "content-type"]
    return error_response(error.code, error.name, detail, errors, headers)


def handle_unexpected(error: Exception) -> Response:
    """Log the exception and answer 500 without any internals."""
    db.undo()
    if isinstance(error, HTTPException):
        return handle_http_exception(error)
    log.exception("unhandled error", extra={"error_type": type(error).__name__})
    return error_response(500, "Internal Server Error", "Something went wrong on our side.")


def validation_errors(messages: dict) -> list[dict]:
    """Flatten webargs' {location: {field: [messages]}} into [{field, message}]."""
    flat = []
    for location, fields in messages.items():
        if isinstance(fields, dict):
            flat.extend(_flatten(fields))
        else:
            flat.extend({"field": str(location), "message": m} for m in fields)
    return flat


def _flatten(fields: dict, prefix: str = "") -> list[dict]:
    flat = []
    for key, value in fields.items():
        # marshmallow files an error about the whole object under "_schema": name the object itself
        name = prefix if key == "_schema" else f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict):
            flat.extend(_flatten(value, name))
        else:
            flat.extend({"field": name, "message": str(m)} for m in value)
    return flat
