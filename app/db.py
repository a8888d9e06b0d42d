"""The database as the web app sees it: one engine per app, one session per request."""

from flask import Flask, current_app, g
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from licensing.persistence.db import make_engine, new_session


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


def one_transaction() -> tuple[Session, Connection]:
    """Make this request's session work inside one transaction that only the caller commits.

    The services' own commits become savepoints, so the request's work can be committed together with
    what the caller adds at the end (an Idempotency-Key's kept response), or not at all. The caller
    commits the returned connection's transaction; teardown rolls back whatever it did not commit.
    """
    previous = g.pop("db_session", None)
    if previous is not None:
        previous.close()
    connection = engine().connect()
    connection.begin()
    g.db_connection = connection
    g.db_session = Session(connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    return g.db_session, connection


def _close_session(_exc: BaseException | None) -> None:
    db_session = g.pop("db_session", None)
    if db_session is not None:
        db_session.close()
    connection = g.pop("db_connection", None)
    if connection is not None:
        connection.close()  # rolls back a transaction left open
