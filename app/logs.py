"""Logs on stderr, a request id on every line, personal data masked.

Two formats, one setting (LOG_FORMAT, app/config.py): JSON, one object a line for a log collector
(production's default), or text, one readable line for a person at a console (development's). Both are
built from the same masked fields, so what one hides the other hides too.
"""

import json
import logging
import os
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, Response, g, has_request_context, request

from app.config import environment_log_format
from licensing.identity.fields import IDENTITY_FIELDS
from licensing.identity.validation import hide_identifiers

REQUEST_ID_HEADER = "X-Request-ID"
SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
REDACTED = "[redacted]"
# Terminal colour codes, which the development server puts in its banner and its own request lines.
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")

# Attributes every LogRecord has; anything else on a record came from `extra`.
RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
    "request_id",
    "taskName",
}

access_log = logging.getLogger("crosscheck.access")


# A safety net, not the policy: code must not log identity at all. Any identity field passed as `extra`
# is dropped whatever its value, and anything in a text written like an identifier is masked.
def mask(text: str) -> str:
    """Mask anything in `text` that looks like a licence number, NI number or postcode."""
    return hide_identifiers(text, REDACTED)


def scrub(key: str, value):
    """Return `value` with identity fields redacted and personal-looking strings masked, recursively."""
    if key in IDENTITY_FIELDS and value is not None:
        return REDACTED
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, dict):
        return {k: scrub(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [scrub("", v) for v in value]
    return value


def masked_fields(formatter: logging.Formatter, record: logging.LogRecord) -> dict:
    """Return what a log line shows of `record`, personal data masked: the fields both formats write."""
    entry = {
        "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
        "level": record.levelname,
        "logger": record.name,
        "message": mask(ANSI_ESCAPE.sub("", record.getMessage())),
        "request_id": getattr(record, "request_id", None) or current_request_id(),
    }
    for key, value in vars(record).items():
        if key not in RECORD_ATTRIBUTES and key not in entry:
            entry[key] = scrub(key, value)
    if record.exc_info:
        entry["exception"] = mask(formatter.formatException(record.exc_info))
    if record.stack_info:
        entry["stack"] = mask(formatter.formatStack(record.stack_info))
    return entry


class JsonFormatter(logging.Formatter):
    """Format each record as one JSON object on one line."""

    def format(self, record: logging.LogRecord) -> str:
        """Render `record` as JSON, masking personal data."""
        return json.dumps(masked_fields(self, record), default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """Format each record as a line for people: time, level, logger, message, fields, request id."""

    def format(self, record: logging.LogRecord) -> str:
        """Render `record` as '2026-01-31 09:15:02.120Z INFO crosscheck.access: request k=v [request id]'."""
        entry = masked_fields(self, record)
        when = entry.pop("timestamp").replace("T", " ").replace("+00:00", "Z")
        head = f"{when} {entry.pop('level'):<7} {entry.pop('logger')}: {entry.pop('message')}"
        request_id = entry.pop("request_id")
        trailer = [entry.pop(key) for key in ("exception", "stack") if key in entry]
        fields = " ".join(f"{key}={_text_value(value)}" for key, value in entry.items())
        tag = f"[request {request_id}]" if request_id else ""
        line = " ".join(part for part in (head, fields, tag) if part)
        return "\n".join([line, *trailer])


def _text_value(value) -> str:
    """Write a field's value as itself when it is one plain word, else as JSON (quoted, escaped)."""
    if isinstance(value, str) and value and re.fullmatch(r"[\w./:@+-]+", value):
        return value
    if isinstance(value, bool | int | float) or value is None:
        return json.dumps(value)
    return json.dumps(value, default=str, ensure_ascii=False)


FORMATTERS = {"json": JsonFormatter, "text": TextFormatter}


def formatter_for(log_format: str) -> logging.Formatter:
    """Return a new formatter of `log_format` ("json" or "text")."""
    return FORMATTERS[log_format]()


def environment_formatter() -> logging.Formatter:
    """Return the formatter the environment asks for (gunicorn's own log, configured before any app)."""
    return formatter_for(environment_log_format(os.environ))


class RequestIdFilter(logging.Filter):
    """Stamp each record with the id of the request it was logged in, if any."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Add `request_id` to `record`; never drop it."""
        if getattr(record, "request_id", None) is None:
            record.request_id = current_request_id()
        return True


class DevServerAccessFilter(logging.Filter):
    """Drop the development server's access lines: they carry the query string, and ours replace them."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep everything but werkzeug's per-request INFO line ('addr - - [date] "GET ..." 200 -')."""
        return not (record.levelno == logging.INFO and " - - [" in str(record.msg))


class StderrHandler(logging.StreamHandler):
    """Write to whatever sys.stderr is at emit time, so redirection (and test capture) is honoured."""

    @property
    def stream(self):
        """Return the current standard error."""
        return sys.stderr

    @stream.setter
    def stream(self, _value):
        pass


def current_request_id() -> str | None:
    """Return this request's id, or None outside a request."""
    return g.get("request_id") if has_request_context() else None


def init_app(app: Flask) -> None:
    """Log to stderr from the root logger, and give every request an id and an access line."""
    configure_root(app.config.get("LOG_LEVEL", "INFO"), app.config.get("LOG_FORMAT", "json"))
    app.before_request(_start_request)
    app.after_request(_finish_request)


def configure_root(level: str, log_format: str = "json") -> None:
    """Install the stderr handler on the root logger once per process; the latest app sets its format."""
    root = logging.getLogger()
    handler = next((h for h in root.handlers if isinstance(h, StderrHandler)), None)
    if handler is None:
        handler = StderrHandler()
        handler.addFilter(RequestIdFilter())
        root.addHandler(handler)
    handler.setFormatter(formatter_for(log_format))
    root.setLevel(level)
    # httpx logs every outbound URL at INFO, query string included (DBS status checks put the
    # surname and date of birth there); integrations log their own calls without it.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    werkzeug_log = logging.getLogger("werkzeug")
    if not any(isinstance(f, DevServerAccessFilter) for f in werkzeug_log.filters):
        werkzeug_log.addFilter(DevServerAccessFilter())


def _start_request() -> None:
    """Take a sane incoming request id or make one, and start the clock."""
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = incoming if SANE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _finish_request(response: Response) -> Response:
    """Return the request id in the response and write the access line."""
    # Error responses pass through here too, so every response carries its id and gets its line.
    if "request_id" not in g:
        g.request_id = uuid.uuid4().hex
    response.headers[REQUEST_ID_HEADER] = g.request_id
    started = g.get("request_started", time.perf_counter())
    access_log.info(
        "request",
        extra={
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        },
    )
    return response
