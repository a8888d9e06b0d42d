"""Register statistics: decisions per authority, decision, category and year, with no personal data."""

from dataclasses import asdict
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from licensing.actors import Actor
from licensing.errors import Forbidden, ValidationFailed
from licensing.reference import changes
from licensing.register.entries import amend_entry
from licensing.register.statistics import (
    DIMENSION_VALUES,
    DIMENSIONS,
    decision_counts,
    publish,
    suppress,
    tabulate,
)
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


# --- Statistics fit to publish: small cells suppressed, overturned decisions, DfT categories -------------

ADMIN = Actor(kind="api_client", id=3, label="Admin", authority_id=None, scopes=frozenset({"admin"}))


def grid(table) -> dict:
    """Return a table's cells and totals by (row, column), 'total' naming the totals; None where hidden."""
    cells = {}
    for line in (*table.lines, table.totals):
        for column, cell in zip(table.columns, line.cells, strict=True):
            cells[(line.key, column)] = cell.count
        cells[(line.key, "total")] = line.total.count
    return cells


def sums(cells: dict) -> list[tuple]:
    """Return the published sums of a table as lines of keys: each row, each column, and the totals'."""
    rows = {row for row, _ in cells} - {"total"}
    columns = {column for _, column in cells} - {"total"}
    lines = [(*((r, c) for c in columns), (r, "total")) for r in rows]
    lines += [(*((r, c) for r in rows), ("total", c)) for c in columns]
    lines += [(*((r, "total") for r in rows), ("total", "total"))]
    lines += [(*(("total", c) for c in columns), ("total", "total"))]
    return lines


def assert_fit_to_publish(cells: dict, threshold: int = 5) -> None:
    """Check that no count under the threshold is shown, none hidden is the only unknown of a sum, and
    what the hidden cells of a shown total add up to is not a small count either."""
    shown = [count for count in cells.values() if count is not None]
    assert all(count == 0 or count >= threshold for count in shown)
    for line in sums(cells):
        assert sum(cells[key] is None for key in line) != 1, line
        if cells[line[-1]] is not None:
            residual = cells[line[-1]] - sum(cells[key] for key in line[:-1] if cells[key] is not None)
            assert residual == 0 or residual >= threshold, line


def assert_protected(cells: dict, truth: dict, key: tuple, threshold: int = 5) -> None:
    """Check that `key` is hidden and that each published sum around it leaves room of `threshold` or more."""
    assert cells[key] is None
    for line in sums(cells):
        if key not in line or cells[line[-1]] is None:
            continue
        known = sum(cells[k] for k in line[:-1] if cells[k] is not None)
        residual = cells[line[-1]] - known  # what the hidden cells of the line add up to
        assert residual - truth[key] >= threshold, line


def test_suppress_hides_small_counts_and_one_more_in_each_line_with_one_hidden():
    values = {"a": 1, "b": 7, "c": 6, "t": 14}
    assert suppress(values, [("a", "b", "c", "t")], 5) == {"a", "c"}


def test_suppress_leaves_zeros_and_counts_at_the_threshold():
    values = {"a": 0, "b": 5, "c": 9, "t": 14}
    assert suppress(values, [("a", "b", "c", "t")], 5) == set()


def test_suppress_takes_a_zero_before_a_total_and_a_total_last():
    assert suppress({"a": 6, "b": 0, "t": 6}, [("a", "b", "t")], 5, hidden={"a"}, totals={"t"}) == {"a", "b"}
    assert suppress({"a": 6, "t": 6}, [("a", "t")], 5, hidden={"a"}, totals={"t"}) == {"a", "t"}


def test_suppress_hides_more_where_the_hidden_cells_of_a_shown_total_add_up_to_a_small_count():
    values = {"a": 1, "b": 1, "c": 6, "d": 8, "t": 16}
    assert suppress(values, [("a", "b", "c", "d", "t")], 5) == {"a", "b", "c"}


def test_suppress_goes_on_until_no_line_has_a_single_hidden_cell():
    # Hiding b for a's row leaves b alone in its column: d is hidden for it, then d's row needs e.
    values = {"a": 1, "b": 5, "c": 0, "d": 6, "e": 7}
    lines = [("a", "b", "r1"), ("b", "d", "k2"), ("d", "e", "r2"), ("a", "c", "k1"), ("c", "e", "k3")]
    values |= {"r1": 6, "k2": 11, "r2": 13, "k1": 1, "k3": 7}
    hidden = suppress(values, lines, 5)
    assert all(sum(key in hidden for key in line) != 1 for line in lines)
    assert {"a", "b", "k1"} <= hidden


@pytest.fixture
def councils(session):
    """Three councils of many decisions in 2025, and a small one with a single revocation."""
    big = [make_authority(session, code=f"E0700000{n}", name=f"Council {n}") for n in (1, 2, 3)]
    small = make_authority(session, code="E07000009", name="Small Council")
    day = on(date(2025, 5, 5))
    plan = {big[0].code: (6, 5, 7), big[1].code: (8, 0, 5), big[2].code: (5, 6, 9)}
    ids = {council.code: council.id for council in big}
    for code, (refusals, suspensions, revocations) in plan.items():
        for decision, times in (
            ("refusal_of_grant", refusals),
            ("suspension", suspensions),
            ("revocation", revocations),
        ):
            for _ in range(times):
                make_register_entry(session, authority_id=ids[code], decision=decision, **day)
    make_register_entry(session, authority_id=small.id, decision="revocation", **day)
    truth = {(c, d): n for c, counts in plan.items() for d, n in zip(DECISIONS, counts, strict=True)}
    truth |= {("E07000009", d): 0 for d in DECISIONS} | {("E07000009", "revocation"): 1}
    return truth


DECISIONS = ("refusal", "suspension", "revocation")


def test_a_single_revocation_cannot_be_seen_or_worked_out_from_the_totals(session, councils):
    (table,) = publish(session, READER).tables
    cells = grid(table)
    assert table.columns == DECISIONS
    assert [line.key for line in table.lines] == ["E07000001", "E07000002", "E07000003", "E07000009"]
    assert_fit_to_publish(cells)
    assert_protected(cells, councils, ("E07000009", "revocation"))
    assert cells[("E07000009", "total")] is None


def test_published_cells_keep_their_exact_counts(session, councils):
    cells = grid(publish(session, READER).tables[0])
    shown = {key: count for key, count in cells.items() if count is not None and key in councils}
    assert shown and all(councils[key] == count for key, count in shown.items())


def test_every_layout_is_fit_to_publish_and_shares_its_hidden_totals(session, councils):
    hidden_totals = {}
    for rows in DIMENSIONS:
        for columns in DIMENSIONS:
            if rows == columns:
                continue
            (table,) = publish(session, ADMIN, rows=rows, columns=columns).tables
            cells = grid(table)
            assert_fit_to_publish(cells)
            for key, count in cells.items():
                total = (key[0] if key[1] == "total" else key[1]) if "total" in key else None
                if total is not None:
                    dimension = rows if key[1] == "total" else columns
                    hidden_totals.setdefault((dimension, total), set()).add(count is None)
    assert all(len(seen) == 1 for seen in hidden_totals.values()), hidden_totals


def test_the_threshold_can_be_set(session, councils):
    cells = grid(publish(session, READER, threshold=7).tables[0])
    assert_fit_to_publish(cells, threshold=7)
    assert cells[("E07000001", "refusal")] is None  # 6 is under 7


def test_an_overturned_decision_is_left_out_unless_asked_for(session):
    council = make_authority(session)
    entries = [
        make_register_entry(session, authority_id=council.id, **on(date(2025, 4, 4))) for _ in range(6)
    ]
    officer = Actor(kind="user", id=None, label="Officer", authority_id=council.id)
    amend_entry(session, officer, entries[0].id, "overturned", {"reason": "appeal"}, NOW)
    session.commit()
    excluded, included = publish(session, READER), publish(session, ADMIN, include_overturned=True)
    assert (excluded.overturned, included.overturned) == ("excluded", "included")
    assert excluded.tables[0].totals.total.count == 5 and included.tables[0].totals.total.count == 6


def test_removed_entries_are_never_counted(session, seeded):
    for publication in (publish(session, READER), publish(session, ADMIN, include_overturned=True)):
        assert sum(table.totals.total.count or 0 for table in publication.tables) == 0  # all small: hidden
        assert [table.year for table in publication.tables] == [2025, 2026]
    (table_2026,) = publish(session, READER, year=2026).tables
    assert [line.key for line in table_2026.lines] == ["E06000002"]


def test_licence_types_come_from_the_licence_or_the_application_decided(session):
    from licensing.licences.applications import refuse
    from licensing.licences.lifecycle import change_status
    from tests.factories import make_licence, make_screened_application

    council = make_authority(session)
    officer = Actor(kind="user", id=None, label="Officer", authority_id=council.id)
    register = {"category": "violence"}
    for n in range(5):
        licence = make_licence(session, authority_id=council.id, licence_type="hackney", ni_number=None,
                               driving_licence_number=None, given_names=f"Hack{'y' * n}")  # fmt: skip
        change_status(
            session, officer, licence.id, "revoke", effective_on=NOW.date(), now=NOW, register=register
        )
        application = make_screened_application(session, authority_id=council.id, licence_type="dual")
        refuse(session, officer, application.id, NOW, register=register)
        make_register_entry(session, authority_id=council.id, **on(NOW.date()))  # imported: type not known
    session.commit()
    (table,) = publish(session, READER, rows="licence_type", columns="decision").tables
    cells = grid(table)
    assert table.columns == DECISIONS
    assert [line.key for line in table.lines] == ["hackney", "phv", "dual", "not_known"]
    assert cells[("hackney", "revocation")] == 5 and cells[("dual", "refusal")] == 5
    assert cells[("not_known", "revocation")] == 5 and cells[("phv", "total")] == 0


def test_categories_are_offered_with_not_given(session, seeded):
    (table,) = publish(session, ADMIN, year=2025, rows="decision", columns="category").tables
    assert table.columns == (
        "sexual_offences", "violence", "dishonesty", "driving", "other", "not_recorded", "not_given",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("layout", "field"),
    [
        ({"rows": "person"}, "rows"),
        ({"rows": "decision", "columns": "decision"}, "columns"),
        ({"authority": "abolished"}, "authority"),
        ({"threshold": 0}, "threshold"),
    ],
)
def test_a_bad_layout_is_refused(session, layout, field):
    with pytest.raises(ValidationFailed) as refused:
        publish(session, READER, **layout)
    assert [error["field"] for error in refused.value.errors] == [field]


def test_publishing_needs_read_or_admin_scope(session):
    writer = Actor(kind="api_client", id=2, label="W", authority_id=1, scopes=frozenset({"council:write"}))
    with pytest.raises(Forbidden):
        publish(session, writer)


def test_only_an_administrator_may_count_overturned_decisions(session):
    # Councils' tables with and without them, side by side, would show how many were overturned.
    with pytest.raises(Forbidden):
        publish(session, READER, include_overturned=True)


GROUP = st.fixed_dictionaries(
    {
        "authority": st.sampled_from(["E07000001", "E07000002", "E07000003", "E07000004", "E07000005"]),
        "decision": st.sampled_from(list(DIMENSION_VALUES["decision"])),
        "licence_type": st.sampled_from(list(DIMENSION_VALUES["licence_type"])),
        "category": st.sampled_from(list(DIMENSION_VALUES["category"])),
        "count": st.integers(1, 12),
    }
)
LAYOUTS = [(rows, columns) for rows in DIMENSIONS for columns in DIMENSIONS if rows != columns]


@settings(max_examples=150, deadline=None)
@given(groups=st.lists(GROUP, max_size=40), threshold=st.integers(2, 10))
def test_any_table_is_fit_to_publish_and_hides_the_same_totals_in_every_layout(groups, threshold):
    groups = [group | {"authority_name": group["authority"], "year": 2025} for group in groups]
    if not groups:
        return
    hidden_totals = {}
    for rows, columns in LAYOUTS:
        cells = grid(tabulate(2025, groups, rows, columns, threshold))
        assert_fit_to_publish(cells, threshold)
        for (row, column), count in cells.items():
            if column == "total" and row != "total":
                hidden_totals.setdefault((rows, row), set()).add(count is None)
            if row == "total" and column != "total":
                hidden_totals.setdefault((columns, column), set()).add(count is None)
    assert all(len(seen) == 1 for seen in hidden_totals.values()), hidden_totals


# --- By successor authority, after a reorganisation ------------------------------------------------------


def merged(session, predecessors: list[str], successor: str) -> None:
    """Merge the councils with `predecessors` codes into the one with the `successor` code from 2026."""
    plan = changes.plan_merge(session, predecessors, successor, date(2026, 4, 1), changes.Options())
    changes.apply(session, plan, NOW)
    session.commit()


def test_by_successor_counts_each_councils_decisions_under_the_council_that_answers_for_it(session, councils):
    make_authority(session, code="E06000099", name="Unitary Council")
    merged(session, ["E07000001", "E07000002"], "E06000099")

    (recorded,) = publish(session, READER).tables
    (table,) = publish(session, READER, authority="successor", on=date(2026, 12, 6)).tables
    cells = grid(table)

    assert [line.key for line in recorded.lines] == ["E07000001", "E07000002", "E07000003", "E07000009"]
    assert [line.key for line in table.lines] == ["E06000099", "E07000003", "E07000009"]
    assert table.lines[0].label == "Unitary Council"
    truth = {"refusal": 6 + 8, "suspension": 5 + 0, "revocation": 7 + 5}
    shown = {d: cells[("E06000099", d)] for d in DECISIONS if cells[("E06000099", d)] is not None}
    assert shown and all(count == truth[d] for d, count in shown.items())
    assert_fit_to_publish(cells)
    before = publish(session, READER, authority="successor", on=date(2026, 3, 31)).tables[0]
    assert [line.key for line in before.lines] == [line.key for line in recorded.lines]


def test_the_two_groupings_side_by_side_never_give_away_a_small_count(session):
    codes = ("E07000011", "E07000012", "E07000013", "E07000014", "E07000015")
    small, big, other, fourth, fifth = (make_authority(session, code=code, name=code) for code in codes)
    make_authority(session, code="E06000098", name="Successor")
    day = on(date(2025, 5, 5))
    # Each table on its own would show the big council's 7 (as recorded, the column hides 1, 4 and 3,
    # together 8) and the successor's 8 (by successor, it hides 4 and 3).
    for council, revocations in ((small, 1), (big, 7), (other, 9), (fourth, 4), (fifth, 3)):
        for _ in range(revocations):
            make_register_entry(session, authority_id=council.id, decision="revocation", **day)
    merged(session, ["E07000011", "E07000012"], "E06000098")

    recorded = grid(publish(session, READER).tables[0])
    successor = grid(publish(session, READER, authority="successor", on=date(2026, 12, 6)).tables[0])

    assert recorded[("E07000011", "revocation")] is None
    # The successor's 8 less the big council's 7 would be the small council's 1: both are never shown.
    assert recorded[("E07000012", "revocation")] is None or successor[("E06000098", "revocation")] is None
    assert_fit_to_publish(recorded)
    assert_fit_to_publish(successor)


def test_an_entry_brought_in_from_nr3s_counts_under_not_recorded(session):
    council = make_authority(session)
    for _ in range(5):  # as the NR3S import stores them: no council chooses "not recorded"
        entry = make_register_entry(session, authority_id=council.id, **on(date(2025, 1, 9)))
        entry.category = "not_recorded"
    session.commit()
    (table,) = publish(session, ADMIN, year=2025, rows="decision", columns="category").tables
    cells = grid(table)
    assert cells[("revocation", "not_recorded")] == 5 and cells[("total", "total")] == 5
