"""The database as the web app sees it: one engine per app, and one unit of work per request.

A request works in one unit (licensing/persistence/unit_of_work.py), opened by its first call to
`session()`: a writing unit for POST, PUT, PATCH and DELETE and for the views marked `@writes_on_get`
(pages that audit what they show), a reading unit otherwise. The unit commits once the response is
ready and before it is sent; app/errors.py rolls it back before answering with an error, so a failed
request keeps nothing. CLI commands open their own units with `reading()` and `writing()`.
"""

from contextlib import suppress

from flask import Flask, Response, current_app, g, has_request_context, request
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from licensing.persistence import unit_of_work
from licensing.persistence.db import make_engine
from licensing.persistence.unit_of_work import UnitOfWork

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_UNIT = "db_unit"
_WRITES = "writes_on_get"  # set on a view function by @writes_on_get


def init_app(app: Flask) -> None:
    """Create the app's engine; end each request's unit once its response is ready."""
    app.extensions["crosscheck.engine"] = make_engine(app.config["DATABASE_URL"])
    # After-request hooks run last-registered first: this one, registered early, ends the unit after
    # the blueprints' hooks (an Idempotency-Key's kept response) have done their work in it.
    app.after_request(_end_unit)
    app.teardown_request(_drop_unit)


def engine() -> Engine:
    """Return the current app's engine."""
    return current_app.extensions["crosscheck.engine"]


def session() -> Session:
    """Return the session of this request's unit of work, opening the unit on first use."""
    unit = g.get(_UNIT)
    if unit is None:
        if not has_request_context():
            raise RuntimeError("No request: open a unit of work with db.reading() or db.writing().")
        unit = UnitOfWork(engine(), unit_of_work.WRITING if writes() else unit_of_work.READING)
        setattr(g, _UNIT, unit)
    return unit.session


def writes() -> bool:
    """Tell whether this request's unit writes: a method that changes things, or a @writes_on_get view."""
    if request.method not in READ_ONLY_METHODS:
        return True
    view = current_app.view_functions.get(request.endpoint)
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        view = getattr(view_class, request.method.lower(), None) or getattr(view_class, "get", None)
    return getattr(view, _WRITES, False)


def writes_on_get(view):
    """Mark a view that writes although it answers GET (it audits what it shows): its unit writes."""
    setattr(view, _WRITES, True)
    return view


def reading() -> UnitOfWork:
    """Open a reading unit of work of its own on the app's database (a CLI command's)."""
    return unit_of_work.reading(engine())


def writing() -> UnitOfWork:
    """Open a writing unit of work of its own on the app's database (a CLI command's, or a side write's)."""
    return unit_of_work.writing(engine())


def undo() -> None:
    """Roll back what this request's unit did: the request failed. Anything after goes in afresh."""
    unit = g.get(_UNIT)
    if unit is None:
        return
    try:
        unit.undo()
    except SQLAlchemyError:  # the connection itself failed: drop the unit, a later session() opens another
        g.pop(_UNIT, None)
        with suppress(SQLAlchemyError):
            unit.session.close()


def end_unit() -> None:
    """Commit this request's unit now; the request's next use of `session()` opens another."""
    unit = g.pop(_UNIT, None)
    if unit is not None:
        unit.end(succeeded=True)


def _end_unit(response: Response) -> Response:
    """Commit the request's unit before its response goes out (a failed commit answers 500)."""
    end_unit()
    return response


def _drop_unit(_error: BaseException | None) -> None:
    """Roll back a unit the request left open (it ended in an error no handler answered)."""
    unit = g.pop(_UNIT, None)
    if unit is not None:
        unit.end(succeeded=False)
