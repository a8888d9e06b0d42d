"""Prometheus metrics: the web app's requests, the counts the domain reports, and GET /metrics.

Who may read them: nobody, unless METRICS_PORT is set; then only a client of that port. gunicorn.conf.py
opens it as a second listener, and /metrics answers a request that arrived on it and 404 on any other,
judged by the connection's own socket (or, under another server, the port it served before ProxyFix), so
no Host or X-Forwarded-* header can reach it through the public port. The metrics port is published
neither by the proxy nor by the Service and Ingress (deploy/), only to Prometheus inside the network.
/metrics is on no blueprint that the public check's rate limit covers, opens no database unit, and
holds no personal data: labels are an endpoint's name (never its path, which can hold a badge number), a
method, a status, a band, a purpose, a record kind and an outcome, each from a closed set.

gunicorn runs several workers: with PROMETHEUS_MULTIPROC_DIR set (gunicorn.conf.py sets it whenever
METRICS_PORT is), each process writes its counts to files there and /metrics adds up every process's.
Without it, /metrics shows this process's own, which is right for one process (`flask run`). What is
counted and what each metric means: docs/operations.md, Metrics.
"""

import os
import time

from flask import Blueprint, Flask, Response, abort, current_app, request, request_started
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

from licensing import counts
from licensing.matching import BANDS
from licensing.persistence.models.screening import PURPOSES

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
ENDPOINT_KEY = "crosscheck.metrics.endpoint"  # where a request's endpoint name waits for the count
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
IMPORT_KINDS = ("register_entry", "licence")
IMPORT_OUTCOMES = ("inserted", "updated", "unchanged", "rejected")
# Up to a minute, REQUEST_TIMEOUT_SECONDS: bulk screening is the slowest request.
REQUEST_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

REQUESTS = Counter(
    "crosscheck_http_requests",
    "HTTP requests answered, by endpoint (the view's name), method and status.",
    ["endpoint", "method", "status"],
)
REQUEST_SECONDS = Histogram(
    "crosscheck_http_request_duration_seconds",
    "Time from a request's arrival to the start of its answer, by endpoint and method.",
    ["endpoint", "method"],
    buckets=REQUEST_BUCKETS,
)
SCREENINGS = Counter(
    "crosscheck_screenings",
    "Screenings recorded, by the band of the best candidate found (none: no candidate) and purpose.",
    ["band", "purpose"],
)
IMPORT_ROWS = Counter(
    "crosscheck_import_rows",
    "Rows of register and licence imports, by kind and outcome (inserted, updated, unchanged, rejected).",
    ["kind", "outcome"],
)

bp = Blueprint("metrics", __name__)


def init_app(app: Flask) -> None:
    """Count requests and the domain's counts, and serve /metrics on METRICS_PORT; nothing if it is 0."""
    if not metrics_port(app.config):
        return
    count_domain()
    request_started.connect(_note_endpoint, app)
    app.wsgi_app = _Counted(app.wsgi_app)
    app.register_blueprint(bp)


def metrics_port(config) -> int:
    """Return the configured metrics port, 0 for none."""
    return int(config.get("METRICS_PORT") or 0)


def count_domain() -> None:
    """Count what licensing reports (screenings, import rows) in this process's metrics."""
    counts.listen(_on_count)


@bp.get("/metrics")
def metrics():
    """Answer the metrics in Prometheus' text format, to a client of the metrics port only."""
    if arrival_port(request.environ) != metrics_port(current_app.config):
        abort(404)
    return Response(exposition(), headers={"Content-Type": CONTENT_TYPE_LATEST})


def arrival_port(environ: dict) -> int | None:
    """Return the local port the request's connection arrived on, which no header can change."""
    sock = environ.get("gunicorn.socket")
    if sock is not None:
        try:
            local = sock.getsockname()
        except OSError:
            return None
        return local[1] if isinstance(local, tuple) else None  # a Unix socket has no port
    served = environ.get("werkzeug.proxy_fix.orig", environ)  # ProxyFix may have set it from a header
    try:
        return int(served.get("SERVER_PORT") or 0)
    except ValueError:
        return None


def exposition(*collectors) -> bytes:
    """Return the metrics of every process (multiprocess mode) or of this one, and `collectors`' own."""
    if os.environ.get(MULTIPROCESS_DIR):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return generate_latest(_Joined((registry, *collectors)))


class _Joined:
    """Collectors read as one registry, for generate_latest."""

    def __init__(self, collectors):
        """Join `collectors`, read in order."""
        self.collectors = collectors

    def collect(self):
        """Yield every metric family of every collector."""
        for collector in self.collectors:
            yield from collector.collect()


def _note_endpoint(_sender, **_extra) -> None:
    """Keep the request's endpoint name (never its path) for the count made when the answer starts."""
    request.environ[ENDPOINT_KEY] = request.endpoint or "unmatched"


class _Counted:
    """WSGI middleware: count each request and time it to the start of its answer."""

    def __init__(self, wsgi_app):
        """Wrap `wsgi_app`."""
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        """Serve the request, then count it by endpoint, method and status."""
        started = time.perf_counter()
        status = "500"  # an answer never started is a failure

        def start(line, headers, exc_info=None):
            nonlocal status
            status = line.split(" ", 1)[0]
            return start_response(line, headers, exc_info)

        try:
            return self.wsgi_app(environ, start)
        finally:
            endpoint = environ.get(ENDPOINT_KEY, "unmatched")
            method = environ.get("REQUEST_METHOD", "")
            method = method if method in METHODS else "other"
            REQUESTS.labels(endpoint, method, status).inc()
            REQUEST_SECONDS.labels(endpoint, method).observe(time.perf_counter() - started)


def _on_count(name: str, amount: int, labels: dict[str, str]) -> None:
    """Add a count that licensing reported to its metric; a label outside its closed set is "other"."""
    if name == counts.SCREENING:
        band = _one_of(labels.get("band"), (*BANDS, "none"))
        SCREENINGS.labels(band, _one_of(labels.get("purpose"), PURPOSES)).inc(amount)
    elif name == counts.IMPORT_ROWS:
        kind = _one_of(labels.get("kind"), IMPORT_KINDS)
        IMPORT_ROWS.labels(kind, _one_of(labels.get("outcome"), IMPORT_OUTCOMES)).inc(amount)


def _one_of(value: str | None, allowed: tuple[str, ...]) -> str:
    """Return `value` if it is one of `allowed`, else "other": no label ever carries free text."""
    return value if value in allowed else "other"
