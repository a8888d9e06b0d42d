"""Structured JSON logs: one object per line, a request id on every line, personal data masked."""

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, Response, g, has_request_context, request

from licensing.identity.fields import IDENTITY_FIELDS
from licensing.identity.validation import hide_identifiers

REQUEST_ID_HEADER = "X-Request-ID"
SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
REDACTED = "[redacted]"

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


class JsonFormatter(logging.Formatter):
    """Format each record as one JSON object on one line."""

    def format(self, record: logging.LogRecord) -> str:
        """Render `record` as JSON, masking personal data."""
        entry = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": mask(record.getMessage()),
            "request_id": getattr(record, "request_id", None) or current_request_id(),
        }
        for key, value in vars(record).items():
            if key not in RECORD_ATTRIBUTES and key not in entry:
                entry[key] = scrub(key, value)
        if record.exc_info:
            entry["exception"] = mask(self.formatException(record.exc_info))
        if record.stack_info:
            entry["stack"] = mask(self.formatStack(record.stack_info))
        return json.dumps(entry, default=str, ensure_ascii=False)


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
    """Log JSON to stderr from the root logger, and give every request an id and an access line."""
    configure_root(app.config.get("LOG_LEVEL", "INFO"))
    app.before_request(_start_request)
    app.after_request(_finish_request)


def configure_root(level: str) -> None:
    """Install the JSON handler on the root logger once per process, however many apps are created."""
    root = logging.getLogger()
    if not any(isinstance(h, StderrHandler) for h in root.handlers):
        handler = StderrHandler()
        handler.setFormatter(JsonFormatter())
        handler.addFilter(RequestIdFilter())
        root.addHandler(handler)
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
