"""Gunicorn settings for `make serve`: `gunicorn --config gunicorn.conf.py wsgi:app`."""

import multiprocessing
import os

# A platform that sets $PORT routes to the container from outside, so listen on every interface
# there; otherwise stay on loopback behind a reverse proxy. HOST overrides either.
_port = os.environ.get("PORT")
bind = [f"{os.environ.get('HOST', '0.0.0.0' if _port else '127.0.0.1')}:{_port or 8000}"]
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
