"""Units of work in tests: run a service as its callers do, and read what the database now holds."""

from sqlalchemy import func, select

from licensing.persistence import unit_of_work


def in_unit(engine, service, *args, **kwargs):
    """Run `service(session, *args, **kwargs)` in a writing unit of work of its own; return its result."""
    with unit_of_work.writing(engine) as session:
        return service(session, *args, **kwargs)


def stored(engine, model, record_id: int):
    """Return a record as the database now holds it, read in a unit of work of its own (None if none)."""
    with unit_of_work.reading(engine) as session:
        return session.get(model, record_id)


def count_of(engine, model, *where) -> int:
    """Return how many rows of `model` (matching `where`) the database now holds, read in a unit apart."""
    with unit_of_work.reading(engine) as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))
