"""The audit log: record() chains events in the caller's transaction; verify() catches tampering."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from licensing.actors import Actor
from licensing.audit.log import GENESIS, VerifyResult, chain_hash, record, verify
from licensing.persistence import unit_of_work
from licensing.persistence.db import is_sqlite
from licensing.persistence.models import AuditEvent, AuditHead, Authority

OFFICER = Actor(kind="user", id=7, label="Officer Seven", authority_id=3, role="officer")


def make_chain(session, now, n=10, actor=OFFICER) -> list[AuditEvent]:
    """Record and commit `n` events, one a minute, and return them."""
    events = [
        record(session, actor, "licence.view", "licence", i, now=now + timedelta(minutes=i), detail={"n": i})
        for i in range(1, n + 1)
    ]
    session.commit()
    return events


def count_events(session) -> int:
    """Count the rows of audit_event."""
    return session.scalar(select(func.count()).select_from(AuditEvent))


def test_first_event_follows_genesis_and_the_next_follows_it(session, now):
    first = record(session, OFFICER, "licence.view", "licence", 1, now=now, reason="renewal check")
    second = record(session, OFFICER, "licence.view", "licence", 2, now=now)
    session.commit()

    assert first.prev_hash == GENESIS
    assert first.hash == chain_hash(GENESIS, first)
    assert second.prev_hash == first.hash
    assert second.id > first.id
    head = session.get(AuditHead, 1)
    assert (head.last_event_id, head.last_hash) == (second.id, second.hash)


def test_the_database_moves_the_head_to_the_last_of_events_inserted_in_one_statement(session, now):
    make_chain(session, now, n=2)
    # Events written by a plain multi-row statement, as a restore or another client might: the
    # trigger on audit_event moves the head, to the highest id whatever order the rows fire in.
    rows = [
        {
            "occurred_at": datetime(2026, 12, 3, 9, 0),
            "actor_kind": "system",
            "actor_label": "restore",
            "action": "test.run",
            "record_kind": "test",
            "reason": "",
            "detail": {},
            "prev_hash": f"{n}" * 64,
            "hash": f"{n + 5}" * 64,
        }
        for n in (1, 2)
    ]
    table = AuditEvent.__table__
    ids = (
        session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows)
        .scalars()
        .all()
    )
    session.commit()

    head = session.execute(select(AuditHead.last_event_id, AuditHead.last_hash)).one()
    assert tuple(head) == (max(ids), "7" * 64)


def test_event_records_the_actor_and_defaults_the_authority_to_the_actors(session, now):
    event = record(session, OFFICER, "screening.run", "screening", 42, now=now, reason="new applicant")

    assert (event.actor_kind, event.actor_id, event.actor_label) == ("user", 7, "Officer Seven")
    assert (event.authority_id, event.action, event.record_kind, event.record_id) == (
        3,
        "screening.run",
        "screening",
        42,
    )
    assert event.reason == "new applicant"


def test_explicit_authority_overrides_the_actors(session, now):
    police = Actor(kind="api_client", id=2, label="Test Police client", police_force_id=5)

    event = record(session, police, "intelligence.route", "intelligence", 9, now=now, authority_id=11)

    assert event.authority_id == 11


def test_record_does_not_commit_so_it_rolls_back_with_the_callers_change(session, engine, now):
    session.add(Authority(code="E09000001", name="Test Council Rollback", nation="england"))
    record(session, OFFICER, "authority.add", "authority", None, now=now)
    session.rollback()

    with unit_of_work.reading(engine) as other:
        assert other.scalar(select(func.count()).select_from(Authority)) == 0
        assert count_events(other) == 0
        assert other.get(AuditHead, 1) is None


def test_chain_survives_a_rolled_back_event(session, now):
    make_chain(session, now, n=3)
    record(session, OFFICER, "licence.view", "licence", 99, now=now)
    session.rollback()
    make_chain(session, now, n=2)

    assert verify(session).ok
    assert verify(session).checked == 5


def test_detail_is_stored_as_it_reads_back_so_the_hash_still_verifies(session, engine, now):
    record(session, OFFICER, "licence.view", "licence", 1, now=now, detail={"b": (1, 2), "a": {"z": 1.5}})
    session.commit()

    with unit_of_work.reading(engine) as other:
        stored = other.scalars(select(AuditEvent)).one()
        assert stored.detail == {"a": {"z": 1.5}, "b": [1, 2]}
        assert verify(other).ok


def test_detail_that_is_not_json_is_refused(session, now):
    with pytest.raises(TypeError):
        record(session, OFFICER, "licence.view", "licence", 1, now=now, detail={"when": now})


def test_aware_time_is_stored_as_naive_utc(session, engine, now):
    aware = datetime(2026, 6, 1, 12, 30, 15, 123456, tzinfo=UTC).astimezone()
    record(session, OFFICER, "licence.view", "licence", 1, now=aware)
    session.commit()

    with unit_of_work.reading(engine) as other:
        assert other.scalars(select(AuditEvent)).one().occurred_at == datetime(2026, 6, 1, 12, 30, 15, 123456)
        assert verify(other).ok


def test_empty_log_verifies(session):
    assert verify(session) == VerifyResult(ok=True, checked=0)


def test_intact_chain_verifies(session, now):
    make_chain(session, now, n=25)

    result = verify(session, batch=7)

    assert (result.ok, result.checked, result.first_broken_id) == (True, 25, None)


def test_verify_reports_progress_after_each_batch(session, now):
    make_chain(session, now, n=10)
    calls = []

    verify(session, progress=lambda checked, total: calls.append((checked, total)), batch=4)

    assert calls == [(4, 10), (8, 10), (10, 10)]


def test_edited_middle_row_is_caught_at_that_row(session, now):
    events = make_chain(session, now)
    victim = events[4].id
    session.execute(text("UPDATE audit_event SET reason = 'nothing to see' WHERE id = :id"), {"id": victim})
    session.commit()

    result = verify(session)

    assert not result.ok
    assert result.first_broken_id == victim
    assert result.checked == 4
    assert "changed" in result.explanation


def test_edited_detail_is_caught_at_that_row(session, now):
    events = make_chain(session, now)
    victim = events[2].id
    session.execute(text("""UPDATE audit_event SET detail = '{"n": 0}' WHERE id = :id"""), {"id": victim})
    session.commit()

    assert verify(session).first_broken_id == victim


def test_deleted_middle_row_is_caught_at_the_following_row(session, now):
    events = make_chain(session, now)
    session.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": events[5].id})
    session.commit()

    result = verify(session)

    assert not result.ok
    assert result.first_broken_id == events[6].id
    assert "removed" in result.explanation


def test_deleted_first_row_is_caught_at_the_second(session, now):
    events = make_chain(session, now)
    session.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": events[0].id})
    session.commit()

    assert verify(session).first_broken_id == events[1].id


def test_deleted_last_row_is_caught_by_the_head(session, now):
    events = make_chain(session, now)
    session.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": events[-1].id})
    session.commit()

    result = verify(session)

    assert not result.ok
    assert result.first_broken_id == events[-1].id
    assert result.checked == len(events) - 1
    assert "head" in result.explanation


def test_head_moved_back_is_caught(session, now):
    events = make_chain(session, now)
    session.execute(
        text("UPDATE audit_head SET last_event_id = :id, last_hash = :hash"),
        {"id": events[6].id, "hash": events[6].hash},
    )
    session.commit()

    result = verify(session)

    assert not result.ok
    assert "head" in result.explanation


def test_deleted_head_is_caught(session, now):
    make_chain(session, now, n=3)
    session.execute(text("DELETE FROM audit_head"))
    session.commit()

    result = verify(session)

    assert not result.ok
    assert "head" in result.explanation


def test_second_head_row_is_refused(session, now):
    make_chain(session, now, n=1)

    with pytest.raises(IntegrityError):
        session.execute(text(f"INSERT INTO audit_head (id, last_hash) VALUES (2, '{GENESIS}')"))
        session.commit()


def test_concurrent_writers_build_one_unforked_chain(engine, now):
    threads, per_thread = 8, 25
    barrier = threading.Barrier(threads)

    def write(worker: int) -> None:
        actor = Actor(kind="user", id=worker, label=f"Officer {worker}", authority_id=1)
        barrier.wait(timeout=30)
        for i in range(per_thread):
            with unit_of_work.writing(engine) as session:
                record(session, actor, "licence.view", "licence", i, now=now, detail={"i": i})

    with ThreadPoolExecutor(max_workers=threads) as pool:
        for future in [pool.submit(write, w) for w in range(threads)]:
            future.result()

    with unit_of_work.reading(engine) as session:
        result = verify(session)
        assert (result.ok, result.checked) == (True, threads * per_thread)
        assert count_events(session) == threads * per_thread
        prev_hashes = session.scalars(select(AuditEvent.prev_hash)).all()
        assert len(set(prev_hashes)) == len(prev_hashes)
        by_actor = session.execute(select(AuditEvent.actor_id, func.count()).group_by(AuditEvent.actor_id))
        assert dict(by_actor.all()) == dict.fromkeys(range(threads), per_thread)


def test_recording_takes_no_lock_so_a_later_writer_commits_first(engine, now):
    slow = unit_of_work.writing(engine)
    waiting = record(slow.session, OFFICER, "licence.view", "licence", 1, now=now)

    def quick() -> None:
        with unit_of_work.writing(engine) as session:
            make_chain(session, now, n=1)

    # Before the head was locked at flush time, the quick writer waited here until the slow one committed.
    writer = threading.Thread(target=quick)
    writer.start()
    writer.join(timeout=10)
    finished = not writer.is_alive()
    slow.end(succeeded=True)
    writer.join()

    assert finished
    with unit_of_work.reading(engine) as session:
        first = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).first()
        assert waiting.prev_hash == first.hash and waiting.id > first.id
        assert verify(session).ok


def test_events_of_one_transaction_are_chained_in_the_order_recorded(session, now):
    events = [record(session, OFFICER, "licence.view", "licence", i, now=now) for i in range(5)]
    session.add(Authority(code="E09000002", name="Test Council Order", nation="england"))
    session.commit()

    assert [e.record_id for e in sorted(events, key=lambda e: e.id)] == list(range(5))
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    assert session.get(AuditHead, 1).last_event_id == events[-1].id
    assert verify(session).ok


def test_a_flush_before_commit_chains_what_was_recorded_so_far(session, now):
    first = record(session, OFFICER, "licence.view", "licence", 1, now=now)
    session.flush()
    second = record(session, OFFICER, "licence.view", "licence", 2, now=now)
    session.commit()

    assert second.prev_hash == first.hash
    assert verify(session).checked == 2


def test_a_writing_unit_that_began_after_others_committed_chains_after_their_events(engine, now):
    with unit_of_work.writing(engine) as first:
        committed = make_chain(first, now, n=2)
    with unit_of_work.writing(engine) as second:
        event = record(second, OFFICER, "screening.run", "screening", 1, now=now)

    assert event.prev_hash == committed[-1].hash
    with unit_of_work.reading(engine) as session:
        assert (verify(session).ok, verify(session).checked) == (True, 3)


def test_a_reading_unit_cannot_record_an_event_and_the_chain_stays_whole(engine, now):
    with unit_of_work.writing(engine) as session:
        make_chain(session, now, n=2)
    refused = (DBAPIError, engine.dialect.loaded_dbapi.Error)  # the chain's insert goes through the driver
    with pytest.raises(refused, match=r"read-only|readonly"), unit_of_work.reading(engine) as reader:
        record(reader, OFFICER, "licence.view", "licence", 3, now=now)
        reader.flush()

    with unit_of_work.reading(engine) as session:
        assert (verify(session).ok, verify(session).checked) == (True, 2)


def test_events_committed_while_verifying_are_walked_too(engine, session, now):
    if is_sqlite(engine):
        pytest.skip("on SQLite a reading unit reads a snapshot: what commits during the walk is not in it")
    make_chain(session, now, n=6)

    def write_during_walk(checked: int, _total: int) -> None:
        if checked == 3:
            with unit_of_work.writing(engine) as writer:
                make_chain(writer, now, n=4)

    with unit_of_work.reading(engine) as verifier:
        result = verify(verifier, progress=write_during_walk, batch=3)

    assert (result.ok, result.checked) == (True, 10)


def test_the_database_hashes_an_event_as_chain_hash_does_whatever_its_content(session, now):
    officer = Actor(kind="user", id=8, label="Łukasz Nowak-Ó'Brien", authority_id=3, role="officer")
    first = record(session, officer, "licence.view", "licence", 1, now=now, reason="review — “urgent”")
    session.commit()
    second = record(session, officer, "licence.view", "licence", 2, now=now, detail={"note": "café", "n": 2})
    session.commit()

    assert first.prev_hash == GENESIS and second.prev_hash == first.hash
    assert [first.hash, second.hash] == [chain_hash(GENESIS, first), chain_hash(first.hash, second)]
    stored = session.execute(select(AuditEvent.hash).order_by(AuditEvent.id)).scalars().all()
    assert stored == [first.hash, second.hash]
    assert verify(session).ok
