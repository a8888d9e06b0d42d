"""Engines and the driver-level helpers: idle pings on PostgreSQL, inserts on both databases."""

from datetime import datetime

import pytest
from sqlalchemy import exc, func, select, text

from licensing.actors import Actor
from licensing.matching import person_of
from licensing.persistence import unit_of_work
from licensing.persistence.db import insert_rows, insert_with_children, make_engine
from licensing.persistence.models import AuditEvent, Screening, ScreeningCandidate
from licensing.screening.service import screen
from tests.conftest import POSTGRES_URL
from tests.factories import NOW, identity, make_authority, make_screening

postgres_only = pytest.mark.skipif(
    not POSTGRES_URL, reason="PostgreSQL only: SQLite has no connection to lose"
)


def _candidate(screening_id: int, i: int) -> dict:
    return {
        "screening_id": screening_id,
        "candidate_kind": ("licence", "register_entry", "intelligence")[i % 3],
        "candidate_id": 100 + i,
        "score": 0.25 * i,
        "band": ("weak", "possible", "probable", "match")[i % 4],
        "evidence": [f"surname: same (Khan {i})", "DOB: day and month swapped (1990-03-04 vs 1990-04-03)"],
        "resolution": "not_same_person" if i == 2 else None,
        "resolution_reason": "ruled out before" if i == 2 else None,
        "resolved_by": "Officer Test" if i == 2 else None,
        "resolved_at": datetime(2026, 11, 23, 9, 30, 15, 123456) if i == 2 else None,
    }


def test_inserted_rows_get_their_ids_in_order_and_read_back_as_written(session):
    screening_id = make_screening(session, authority_id=make_authority(session).id).screening_id
    rows = [_candidate(screening_id, i) for i in range(5)]

    ids = insert_rows(session, ScreeningCandidate.__table__, rows)
    session.commit()

    assert len(set(ids)) == 5
    for row_id, row in zip(ids, rows, strict=True):
        stored = session.get(ScreeningCandidate, row_id)
        assert {k: getattr(stored, k) for k in row} == row
    # Stored as SQLAlchemy stores them: its own queries compare equal (dates are text on SQLite).
    resolved_at = ScreeningCandidate.resolved_at
    assert session.scalar(select(func.count()).where(resolved_at == rows[2]["resolved_at"])) == 1


def test_more_rows_than_one_statement_may_bind_are_inserted_in_order(session):
    screening_id = make_screening(session, authority_id=make_authority(session).id).screening_id
    # 70,000 values: PostgreSQL binds at most 65,535 in one statement, SQLite 32,766 or more as built.
    rows = [_candidate(screening_id, i) for i in range(7_000)]

    ids = insert_rows(session, ScreeningCandidate.__table__, rows)
    session.commit()

    assert len(set(ids)) == 7_000 and ids == sorted(ids)
    stored = dict(session.execute(select(ScreeningCandidate.id, ScreeningCandidate.candidate_id)).all())
    assert [stored[i] for i in ids] == [row["candidate_id"] for row in rows]


@pytest.mark.parametrize("children", [0, 1, 5])
def test_a_row_and_its_children_are_inserted_together_and_read_back_as_written(session, children):
    authority_id = make_authority(session).id
    written = make_screening(session, authority_id=authority_id).screening  # a screening's columns, to copy
    values = {c.key: getattr(written, c.key) for c in Screening.__table__.columns if c.key != "id"}
    rows = [{k: v for k, v in _candidate(0, i).items() if k != "screening_id"} for i in range(children)]

    screening_id, ids = insert_with_children(
        session, Screening.__table__, values, ScreeningCandidate.__table__, "screening_id", rows
    )
    session.commit()

    assert session.get(Screening, screening_id).reason == values["reason"]
    assert len(set(ids)) == children and ids == sorted(ids)
    for row_id, row in zip(ids, rows, strict=True):
        stored = session.get(ScreeningCandidate, row_id)
        assert stored.screening_id == screening_id
        assert {k: getattr(stored, k) for k in row} == row


def test_a_screening_and_its_audit_event_are_undone_together_when_the_unit_fails(engine):
    with unit_of_work.writing(engine) as setup:
        authority_id = make_authority(setup).id
    actor = Actor(kind="user", id=7, label="Officer Test", authority_id=authority_id)
    person = person_of(identity() | {"previous_names": ""})
    with pytest.raises(RuntimeError, match="after the screening"), unit_of_work.writing(engine) as session:
        screen(session, actor, person, purpose="application", now=NOW)
        session.flush()  # the screening and its chained audit event are written, not yet committed
        raise RuntimeError("a failure after the screening")
    with unit_of_work.reading(engine) as check:
        assert check.scalar(select(func.count()).select_from(Screening)) == 0
        assert check.scalar(select(func.count()).select_from(AuditEvent)) == 0


def _backend_pid(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(text("SELECT pg_backend_pid()")).scalar_one()


def _terminate(engine, pid: int) -> None:
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})


def _dropped_by_the_server(database_url, admin, ping_after_idle: float):
    """Return an engine whose one pooled connection `admin` has just cut off, and that connection's pid."""
    engine = make_engine(database_url, ping_after_idle=ping_after_idle, pool_size=1)
    dropped = _backend_pid(engine)
    _terminate(admin, dropped)
    return engine, dropped


@postgres_only
def test_an_idle_connection_the_server_dropped_is_replaced_before_use(database_url, engine):
    tested, dropped = _dropped_by_the_server(database_url, engine, ping_after_idle=0)

    assert _backend_pid(tested) != dropped  # no error: the checkout found it dead and reconnected
    tested.dispose()


@postgres_only
def test_a_connection_used_moments_ago_is_not_tested_and_one_transaction_fails(database_url, engine):
    untested, dropped = _dropped_by_the_server(database_url, engine, ping_after_idle=3600)

    with pytest.raises(exc.OperationalError):
        _backend_pid(untested)
    assert _backend_pid(untested) != dropped  # the pool was discarded: the next one reconnects
    untested.dispose()
