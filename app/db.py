"""The database as the web app sees it: one engine per app, one session per request."""

from flask import Flask, current_app, g
from sqlalchemy.engine import Engine
from sqlmodel import Session

from licensing.db import make_engine, new_session


def init_app(app: Flask) -> None:
    """Create the app's engine and close each request's session at teardown."""
    app.extensions["crosscheck.engine"] = make_engine(app.config["DATABASE_URL"])
    app.teardown_appcontext(_close_session)


def engine() -> Engine:
    """Return the current app's engine."""
    return current_app.extensions["crosscheck.engine"]


def session() -> Session:
    """Return this request's session, opening it on first use."""
    if "db_session" not in g:
        g.db_session = new_session(engine())
    return g.db_session


def _close_session(_exc: BaseException | None) -> None:
    db_session = g.pop("db_session", None)
    if db_session is not None:
        db_session.close()
