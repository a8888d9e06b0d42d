"""Gunicorn settings for `make serve`: `gunicorn --config gunicorn.conf.py wsgi:app`."""

import multiprocessing
import os
import tempfile
from pathlib import Path

# A platform that sets $PORT routes to the container from outside, so listen on every interface
# there; otherwise stay on loopback behind a reverse proxy. HOST overrides either.
_port = os.environ.get("PORT")
bind = [f"{os.environ.get('HOST', '0.0.0.0' if _port else '127.0.0.1')}:{_port or 8000}"]
# Prometheus metrics (docs/operations.md, Metrics): METRICS_PORT opens a second listener, the only one on
# which the app answers /metrics. Each worker counts in files under PROMETHEUS_MULTIPROC_DIR (a fresh
# temporary folder unless set), which /metrics adds up across workers; the variable must be set before a
# worker imports prometheus_client, so it is set here, in the master, before any worker is forked.
_metrics_port = int(os.environ.get("METRICS_PORT") or 0)
if _metrics_port:
    _metrics_host = os.environ.get("METRICS_HOST") or ("0.0.0.0" if _port else "127.0.0.1")
    bind.append(f"{_metrics_host}:{_metrics_port}")
    os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="crosscheck-metrics-"))
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)

# Bulk CSV screening is the slowest request; anything longer than this is stuck. The app reads the same
# setting: an Idempotency-Key claimed by a request older than this is taken over by a retry.
timeout = int(os.environ.get("REQUEST_TIMEOUT_SECONDS") or 60)
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so that a slow leak cannot grow without bound.
max_requests = 2000
max_requests_jitter = 200
# Only trust X-Forwarded-* from a proxy on the same host.
forwarded_allow_ips = "127.0.0.1"
# Nothing here drives gunicorn through its control socket, and one fixed path under $HOME would
# clash between two servers on the same host.
control_socket_disable = True

# The app writes one access line per request (without the query string, which can hold personal
# data), so gunicorn's own access log stays off; its error log has the app's format (LOG_FORMAT: JSON
# unless set, or unless CROSSCHECK_ENV=development, which means text).
accesslog = None
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    # The app installs its handler on the root logger when each worker creates it.
    "root": {"level": "INFO", "handlers": []},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["console"], "propagate": False},
        "gunicorn.access": {"level": "CRITICAL", "handlers": [], "propagate": False},
    },
    "handlers": {"console": {"()": "app.logs.StderrHandler", "formatter": "console"}},
    "formatters": {"console": {"()": "app.logs.environment_formatter"}},
}


def on_starting(server):
    """Empty the metrics folder: counts left by an earlier run of the server would be added up again."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        for stale in Path(folder).glob("*.db"):
            stale.unlink()


def child_exit(server, worker):
    """Drop a dead worker's live gauges from the metrics (its counters stay in the sums, as they should)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
