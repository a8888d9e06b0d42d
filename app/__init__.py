"""Crosscheck's web application factory.

The factory imports the web app's parts when it runs, so that importing `app.config`, `app.logs`,
`app.links`, `app.migrate` or `app.periodic_jobs` (as the scheduler, gunicorn's configuration and the
migrations do) loads neither the views nor the API.
"""

import logging

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from app.config import INSTANCE_DIR, development_warnings, load_config

log = logging.getLogger(__name__)


def create_app(test_config: dict | None = None) -> Flask:
    """Create and configure a Crosscheck app; `test_config` overrides the environment."""
    from app import api, auth, cli, db, errors, frontend, headers, logs, metrics, officer, ops, public

    app = Flask(__name__, instance_path=str(INSTANCE_DIR))
    app.config.from_mapping(load_config(test_config))
    proxies = app.config["TRUSTED_PROXIES"]
    if proxies:  # believe X-Forwarded-* only from that many proxies, so the rate limit sees the client
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    INSTANCE_DIR.mkdir(exist_ok=True)
    logs.init_app(app)
    headers.init_app(app)
    for warning in development_warnings(app.config):
        log.warning(warning)
    db.init_app(app)
    errors.init_app(app)
    api.init_app(app)
    ops.init_app(app)
    cli.init_app(app)
    auth.init_app(app)
    officer.init_app(app)
    frontend.init_app(app)
    public.init_app(app)
    metrics.init_app(app)  # last: its middleware times the whole request, ProxyFix included
    return app
