"""Register statistics: decisions per authority, decision, category and year, with no personal data."""

from dataclasses import asdict
from datetime import date

import pytest

from licensing.actors import Actor
from licensing.errors import Forbidden, ValidationFailed
from licensing.register.entries import amend_entry
from licensing.register.statistics import decision_counts
from tests.factories import NOW, make_authority, make_register_entry

READER = Actor(kind="api_client", id=1, label="Reader", authority_id=1, scopes=frozenset({"council:read"}))
KEYS = {"authority_code", "authority_name", "decision", "category", "year", "count"}


def on(day: date) -> dict:
    """Return the dates of a decision made and taking effect on `day`."""
    return {"decided_on": day, "effective_on": day}


@pytest.fixture
def seeded(session):
    """Record five decisions in two councils over two years, and one removed entry."""
    a = make_authority(session, code="E06000001", name="Alpha Council")
    b = make_authority(session, code="E06000002", name="Beta Council")
    make_register_entry(session, authority_id=a.id, **on(date(2025, 3, 1)))
    make_register_entry(session, authority_id=a.id, **on(date(2025, 6, 1)))
    make_register_entry(session, authority_id=a.id, category="driving", **on(date(2025, 7, 1)))
    make_register_entry(session, authority_id=b.id, decision="refusal_of_grant", **on(date(2026, 2, 2)))
    make_register_entry(session, authority_id=b.id, decision="suspension", category="violence")
    removed = make_register_entry(session, authority_id=b.id, **on(date(2026, 3, 3)))
    officer = Actor(kind="user", id=None, label="Officer", authority_id=b.id)
    amend_entry(session, officer, removed.id, "removed", {"reason": "correction"}, NOW)
    return a, b


def rows(counts) -> set[tuple]:
    """Return the counts as (code, decision, category, year, count) tuples."""
    return {(c.authority_code, c.decision, c.category, c.year, c.count) for c in counts}


def test_decisions_are_counted_per_authority_decision_category_and_year(session, seeded):
    counts = decision_counts(session, READER)
    assert rows(counts) == {
        ("E06000001", "revocation", "sexual_offences", 2025, 2),
        ("E06000001", "revocation", "driving", 2025, 1),
        ("E06000002", "refusal_of_grant", "sexual_offences", 2026, 1),
        ("E06000002", "suspension", "violence", 2025, 1),
    }


def test_one_year_can_be_asked_for(session, seeded):
    assert rows(decision_counts(session, READER, 2026)) == {
        ("E06000002", "refusal_of_grant", "sexual_offences", 2026, 1)
    }


def test_counts_hold_no_personal_data_or_record_ids(session, seeded):
    for count in decision_counts(session, READER):
        assert set(asdict(count)) == KEYS
        assert "Hussain" not in str(asdict(count))


def test_a_client_without_read_or_admin_scope_is_refused(session, seeded):
    writer = Actor(kind="api_client", id=2, label="W", authority_id=1, scopes=frozenset({"council:write"}))
    with pytest.raises(Forbidden):
        decision_counts(session, writer)


def test_a_year_out_of_range_is_refused(session):
    with pytest.raises(ValidationFailed):
        decision_counts(session, READER, 1900)
