"""The unit of work: commit on success, roll back on error, and how each database orders the units."""

import threading
import time

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from licensing.persistence import unit_of_work
from licensing.persistence.db import make_engine
from licensing.persistence.models import Authority
from tests.conftest import POSTGRES_URL
from tests.factories import make_authority

sqlite_only = pytest.mark.skipif(bool(POSTGRES_URL), reason="SQLite's single-writer policy")


def _authority(code: str) -> Authority:
    """Return a new (unsaved) authority with this code."""
    return Authority(code=code, name=f"Council {code}", nation="england")


def _codes(engine) -> set[str]:
    """Return the codes of every authority, read in a reading unit of its own."""
    with unit_of_work.reading(engine) as session:
        return set(session.scalars(select(Authority.code)))


def test_a_writing_unit_commits_what_it_did_when_it_succeeds(engine):
    with unit_of_work.writing(engine) as session:
        session.add(_authority("E06000901"))

    assert _codes(engine) == {"E06000901"}


def test_a_writing_unit_keeps_nothing_when_it_raises(engine):
    with pytest.raises(ValueError, match="refused"), unit_of_work.writing(engine) as session:
        session.add(_authority("E06000902"))
        session.flush()
        raise ValueError("refused after writing")

    assert _codes(engine) == set()


def test_a_reading_unit_is_refused_any_write_by_the_database(engine):
    with pytest.raises(DBAPIError, match=r"read-only|readonly"), unit_of_work.reading(engine) as session:
        session.add(_authority("E06000903"))
        session.flush()

    assert _codes(engine) == set()


def test_a_connection_a_reading_unit_used_writes_again_in_the_next_writing_unit(database_url):
    one_connection = make_engine(database_url, pool_size=1, max_overflow=0)
    try:
        _codes(one_connection)
        with unit_of_work.writing(one_connection) as session:
            session.add(_authority("E06000904"))
        assert _codes(one_connection) == {"E06000904"}
    finally:
        one_connection.dispose()


def test_a_failed_attempt_is_undone_alone_and_the_unit_goes_on(engine):
    with unit_of_work.writing(engine) as session:
        session.add(_authority("E06000905"))
        with pytest.raises(ValueError, match="refused"), unit_of_work.attempt(session):
            session.add(_authority("E06000906"))
            session.flush()
            raise ValueError("refused")
        session.add(_authority("E06000907"))

    assert _codes(engine) == {"E06000905", "E06000907"}


def test_undo_rolls_back_what_the_unit_did_and_it_goes_on_in_a_fresh_transaction(engine):
    unit = unit_of_work.writing(engine)
    unit.session.add(_authority("E06000908"))
    unit.session.flush()
    unit.undo()
    unit.session.add(_authority("E06000909"))
    unit.end(succeeded=True)

    assert _codes(engine) == {"E06000909"}


def test_a_reading_unit_answers_while_a_writing_unit_holds_the_database(engine):
    with unit_of_work.writing(engine) as setup:
        make_authority(setup, code="E06000910")
    writer = unit_of_work.writing(engine)
    writer.session.add(_authority("E06000911"))
    writer.session.flush()  # on SQLite this unit now holds the one write lock until it ends
    read = []
    reader = threading.Thread(target=lambda: read.append(_codes(engine)))
    reader.start()
    reader.join(timeout=10)
    finished = not reader.is_alive()
    writer.end(succeeded=True)
    reader.join()

    assert finished
    assert read == [{"E06000910"}]  # what was committed when it read, not the writer's unfinished work


@sqlite_only
def test_on_sqlite_a_writing_unit_waits_for_the_writer_before_it_from_its_first_statement(engine):
    first = unit_of_work.writing(engine)
    first.session.add(_authority("E06000912"))
    first.session.flush()
    began = []

    def second_writer() -> None:
        with unit_of_work.writing(engine) as session:
            session.scalar(select(func.count()).select_from(Authority))  # a read takes the lock all the same
            began.append(time.monotonic())

    second = threading.Thread(target=second_writer)
    second.start()
    time.sleep(0.5)
    ended = time.monotonic()
    first.end(succeeded=True)
    second.join(timeout=10)

    assert began and began[0] >= ended


@sqlite_only
def test_on_sqlite_a_reading_unit_reads_one_snapshot_to_its_end(engine):
    reader = unit_of_work.reading(engine)
    assert set(reader.session.scalars(select(Authority.code))) == set()  # the snapshot begins here
    with unit_of_work.writing(engine) as session:
        session.add(_authority("E06000913"))
    still = set(reader.session.scalars(select(Authority.code)))
    reader.end(succeeded=True)

    assert still == set()
    assert _codes(engine) == {"E06000913"}


def test_a_unit_is_for_reading_or_writing_only(engine):
    with pytest.raises(ValueError, match="reading or writing"):
        unit_of_work.UnitOfWork(engine, "observing")
