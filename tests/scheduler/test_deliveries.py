"""The delivery engine's bookkeeping on the real database: claims, leases, retry schedule, dead letter."""

from datetime import timedelta
from itertools import pairwise

import pytest

from licensing.alerts.deliveries import (
    MAX_ATTEMPTS,
    RETRY_SCHEDULE,
    claim_due,
    next_wait,
    record_delivered,
    record_failure,
)
from licensing.persistence import unit_of_work
from tests.scheduler.helpers import deliveries, make_webhook_endpoint, raise_alerts
from tests.units import in_unit

LEASE = timedelta(seconds=60)


@pytest.fixture
def writer(engine):
    """Return the session of a writing unit of work, as the scheduler writes (BEGIN IMMEDIATE on SQLite)."""
    with unit_of_work.writing(engine) as session:
        yield session


def claim(engine, now, limit=10):
    """Claim due deliveries in a writing unit of work of its own, as one scheduler would."""
    with unit_of_work.writing(engine) as session:
        return claim_due(session, now=now, limit=limit, lease=LEASE)


def test_schedule_is_the_standard_webhooks_example_about_three_days():
    assert MAX_ATTEMPTS == 10
    assert sum(RETRY_SCHEDULE, timedelta()) == timedelta(hours=75, minutes=35, seconds=5)


@pytest.mark.parametrize(
    ("attempts", "retry_after", "wait"),
    [
        (1, None, timedelta(seconds=5)),
        (2, None, timedelta(minutes=5)),
        (9, None, timedelta(hours=24)),
        (10, None, None),
        (1, 120.0, timedelta(seconds=120)),  # Retry-After longer than the schedule wins
        (4, 60.0, timedelta(hours=2)),  # a shorter one never brings an attempt forward
        (1, 10**9, timedelta(hours=24)),  # a huge one is capped
        (1, 0.0, timedelta(seconds=5)),
        (10, 60.0, None),  # the last attempt is the last, whatever the receiver asks
    ],
)
def test_next_wait_follows_the_schedule_and_honours_retry_after(attempts, retry_after, wait):
    assert next_wait(attempts, retry_after) == wait


def test_claim_leases_due_deliveries_once(writer, engine, now):
    endpoint = make_webhook_endpoint(writer, "http://127.0.0.1:9/hook", now)
    raise_alerts(writer, endpoint.authority_id, now, count=3)

    first = claim(engine, now, limit=2)
    second = claim(engine, now, limit=10)
    third = claim(engine, now, limit=10)

    assert [c.attempt for c in first + second] == [1, 1, 1]
    assert len({c.id for c in first + second}) == 3 and third == []
    assert all(c.lease_expires_at == now + LEASE for c in first)
    assert first[0].payload["type"] == "register_entry.recorded" and first[0].message_id.startswith("msg_")
    assert {(d.status, d.attempts) for d in deliveries(engine)} == {("delivering", 0)}


def test_delivery_not_yet_due_is_not_claimed(writer, engine, now):
    endpoint = make_webhook_endpoint(writer, "http://127.0.0.1:9/hook", now)
    raise_alerts(writer, endpoint.authority_id, now + timedelta(seconds=30))

    assert claim(engine, now) == []
    assert len(claim(engine, now + timedelta(seconds=30))) == 1


def test_expired_lease_counts_as_an_attempt_waits_its_turn_and_the_late_outcome_is_dropped(
    writer, engine, now
):
    endpoint = make_webhook_endpoint(writer, "http://127.0.0.1:9/hook", now)
    raise_alerts(writer, endpoint.authority_id, now)
    [lost] = claim(engine, now)  # its process dies mid-send

    assert claim(engine, now + LEASE - timedelta(seconds=1)) == []
    # The lease expires: the attempt may have gone out, so it counts, and the retry schedule applies.
    assert claim(engine, now + LEASE) == []
    [row] = deliveries(engine)
    assert (row.status, row.attempts, row.next_attempt_at) == ("pending", 1, now + LEASE + RETRY_SCHEDULE[1])
    assert "lease expired" in row.last_error
    later = now + LEASE + RETRY_SCHEDULE[1]
    [again] = claim(engine, later)
    late = in_unit(engine, record_delivered, lost, now=later)
    current = in_unit(engine, record_delivered, again, now=later)

    assert (again.id, again.message_id, again.attempt) == (lost.id, lost.message_id, 2)
    assert (late, current) == (False, True)
    [row] = deliveries(engine)
    assert (row.status, row.attempts, row.delivered_at, row.lease_expires_at) == ("delivered", 2, later, None)


def test_an_attempt_is_counted_when_its_outcome_is_recorded_not_when_claimed(writer, engine, now):
    endpoint = make_webhook_endpoint(writer, "http://127.0.0.1:9/hook", now)
    raise_alerts(writer, endpoint.authority_id, now)
    [first] = claim(engine, now)
    assert deliveries(engine)[0].attempts == 0
    in_unit(engine, record_failure, first, now=now, error="RetryableError: receiver answered 500")
    assert deliveries(engine)[0].attempts == 1


def test_an_endpoint_gets_at_most_its_share_and_every_endpoint_its_first_delivery_first(writer, engine, now):
    slow = make_webhook_endpoint(writer, "http://127.0.0.1:9/slow", now)
    fast = make_webhook_endpoint(writer, "http://127.0.0.1:9/fast", now)
    raise_alerts(writer, slow.authority_id, now, count=150)
    raise_alerts(writer, fast.authority_id, now + timedelta(seconds=1), count=10)
    later = now + timedelta(seconds=2)

    def claim_shared(limit):
        with unit_of_work.writing(engine) as session:
            return claim_due(session, now=later, limit=limit, lease=LEASE, per_endpoint=4)

    def targets(claims):
        return [c.target for c in claims]

    first = claim_shared(limit=3)  # the slow endpoint's oldest, then the fast one's, then round again
    assert targets(first) == [str(slow.id), str(fast.id), str(slow.id)]
    second = claim_shared(limit=16)  # the slow endpoint has 2 in flight: 2 more places; the fast one 3
    assert sorted(targets(second)) == sorted([str(slow.id)] * 2 + [str(fast.id)] * 3)
    assert claim_shared(limit=16) == []  # both endpoints are at their share while those are in flight
    for done in [c for c in first + second if c.target == str(fast.id)]:
        in_unit(engine, record_delivered, done, now=later)
    assert targets(claim_shared(limit=16)) == [str(fast.id)] * 4


def test_retries_follow_the_schedule_then_dead_letter(writer, engine, now):
    endpoint = make_webhook_endpoint(writer, "http://127.0.0.1:9/hook", now)
    raise_alerts(writer, endpoint.authority_id, now)
    clock, attempted_at = now, []
    for _ in range(MAX_ATTEMPTS):
        [current] = claim(engine, clock)
        attempted_at.append(clock)
        in_unit(engine, record_failure, current, now=clock, error="RetryableError: receiver answered 500")
        [row] = deliveries(engine)
        if row.status == "dead":
            break
        assert claim(engine, row.next_attempt_at - timedelta(seconds=1)) == []
        clock = row.next_attempt_at

    waits = [later - earlier for earlier, later in pairwise(attempted_at)]
    assert waits == list(RETRY_SCHEDULE[1:])
    assert (row.status, row.attempts, row.last_error) == ("dead", 10, "RetryableError: receiver answered 500")
    assert claim(engine, clock + timedelta(days=30)) == []


def test_retry_after_postpones_the_next_attempt(writer, engine, now):
    endpoint = make_webhook_endpoint(writer, "http://127.0.0.1:9/hook", now)
    raise_alerts(writer, endpoint.authority_id, now)
    [first] = claim(engine, now)

    in_unit(engine, record_failure, first, now=now, error="RetryableError: 503", retry_after=600)

    [row] = deliveries(engine)
    assert (row.status, row.next_attempt_at) == ("pending", now + timedelta(seconds=600))
    assert claim(engine, now + timedelta(seconds=599)) == []


def test_permanent_failure_is_dead_at_once(writer, engine, now):
    endpoint = make_webhook_endpoint(writer, "http://127.0.0.1:9/hook", now)
    raise_alerts(writer, endpoint.authority_id, now)
    [first] = claim(engine, now)

    in_unit(engine, record_failure, first, now=now, error="PermanentError: 400", permanent=True)

    [row] = deliveries(engine)
    assert (row.status, row.attempts, row.lease_expires_at) == ("dead", 1, None)
    assert claim(engine, now + timedelta(days=4)) == []
