"""Aggregate statistics of the s.2 register, fit to publish: decisions counted per authority, decision,
licence type, category and year, with small counts suppressed (docs/statistics.md).

Counts only, grouped in SQL: no identity, no record id and no reference ever leaves this module. A count
of one or two in a small council can still point at a person, so `publish` never shows a count under the
threshold (5 unless configured), and hides further cells ("secondary suppression") so that no hidden
count can be worked out from the totals published beside it. Every entry counts under the calendar year
of its decision. Removed entries are never counted (they should never have been made); entries
overturned (on appeal, or by the council) are left out, since the decision no longer stands, unless an
administrator asks for them (the difference between the two would show how many were overturned).
`decision_counts` gives the exact, unsuppressed counts for the service's own use: never publish them.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from licensing import words
from licensing.actors import Actor
from licensing.errors import Forbidden, ValidationFailed
from licensing.persistence.models.records import LICENCE_TYPES
from licensing.reference import authority_by_code, reorganisation
from licensing.register import queries

READERS = ("council:read", "admin")
FIRST_YEAR, LAST_YEAR = 2000, 2100
DEFAULT_THRESHOLD = 5
SUPPRESSED = "[c]"  # the mark of a confidential cell in a CSV, as ONS and DfT tables show it

# The DfT's decisions (refused, suspended, revoked): both kinds of refusal are a refusal.
DECISION_GROUPS = {
    "refusal_of_grant": "refusal",
    "refusal_of_renewal": "refusal",
    "suspension": "suspension",
    "revocation": "revocation",
}
NOT_KNOWN, NOT_GIVEN = "not_known", "not_given"
# The values of each dimension a table may be laid out by, in the order they are shown, with their names.
# An authority's values are the councils that made decisions that year.
DIMENSION_VALUES = {
    "decision": {"refusal": "Refusal", "suspension": "Suspension", "revocation": "Revocation"},
    "licence_type": {
        **dict(zip(LICENCE_TYPES, ("Hackney carriage", "Private hire", "Dual (combined)"), strict=True)),
        NOT_KNOWN: "Not known",
    },
    "category": {**words.DECISION_CATEGORIES, NOT_GIVEN: "Not given"},
}
DIMENSIONS = ("authority", *DIMENSION_VALUES)
GROUPINGS = ("as_recorded", "successor")
TOTAL = "total"


@dataclass(frozen=True)
class DecisionCount:
    """How many decisions of one kind and category one authority made in one year (exact: not published)."""

    authority_code: str
    authority_name: str
    decision: str
    category: str | None
    year: int
    count: int


@dataclass(frozen=True)
class Cell:
    """A published count, or None where it is suppressed."""

    count: int | None

    @property
    def suppressed(self) -> bool:
        """Tell whether the count is withheld."""
        return self.count is None


@dataclass(frozen=True)
class Line:
    """One row of a table: its key and name, a cell for each column, and the row's total."""

    key: str
    label: str
    cells: tuple[Cell, ...]
    total: Cell


@dataclass(frozen=True)
class Table:
    """One year's counts: a row for each value of the row dimension, and the totals of each column."""

    year: int
    columns: tuple[str, ...]
    column_labels: tuple[str, ...]
    lines: tuple[Line, ...]
    totals: Line


@dataclass(frozen=True)
class Publication:
    """The tables asked for, with what they count and the threshold they were suppressed at."""

    rows: str
    columns: str
    authority: str
    overturned: str
    threshold: int
    tables: tuple[Table, ...]


def decision_counts(session: Session, actor: Actor, year: int | None = None) -> list[DecisionCount]:
    """Count register decisions per authority, decision, category and year, exactly (never published).

    Overturned entries count here: the decision was made.
    """
    _check_reader(actor)
    _check_year(year)
    return [
        DecisionCount(code, name, decision, category, int(row_year), count)
        for code, name, decision, category, row_year, count in queries.decision_totals(session, year)
    ]


def publish(
    session: Session,
    actor: Actor,
    *,
    year: int | None = None,
    rows: str = "authority",
    columns: str = "decision",
    include_overturned: bool = False,
    authority: str = "as_recorded",
    threshold: int = DEFAULT_THRESHOLD,
    on: date | None = None,
) -> Publication:
    """Return the decisions of each year (or of `year`) as tables of `rows` by `columns`, fit to publish.

    Each table has a total for each row and each column and a grand total; no published cell, total or
    not, is under `threshold`, and no suppressed cell can be worked out from the published ones.
    `authority` "successor" counts each decision under the council that answers for its council on `on`
    (after a reorganisation), suppressed together with the table as recorded, so that the two set side
    by side give nothing away.
    """
    _check_reader(actor)
    if include_overturned and "admin" not in actor.scopes:
        # Set beside the published tables, a table with them would tell how many were overturned.
        raise Forbidden("Counting overturned decisions needs the 'admin' scope.")
    _check_year(year)
    _check_layout(rows, columns, authority, threshold)
    statuses = ("current", "overturned") if include_overturned else ("current",)
    groups = [_group(row) for row in queries.decision_groups(session, year, statuses)]
    years = sorted({group["year"] for group in groups})
    # Both groupings are suppressed together whenever a reorganisation is in force, whichever is asked
    # for: each table then hides what the other would give away.
    successors = _successors(session, on, groups)
    tables = tuple(
        tabulate(y, [g for g in groups if g["year"] == y], rows, columns, threshold, successors, authority)
        for y in years
    )
    overturned = "included" if include_overturned else "excluded"
    return Publication(rows, columns, authority, overturned, threshold, tables)


def suppress(
    values: dict, lines: Iterable[tuple], threshold: int, *, hidden: Iterable = (), totals: Iterable = ()
) -> set:
    """Return the keys of `values` to withhold so that none under `threshold` can be seen or worked out.

    `lines` are the sums published: each a tuple of keys whose first keys' counts add up to its last
    key's, the total. Primary suppression hides every count from 1 to threshold - 1 (a zero tells of no
    one), besides the keys already `hidden`. Secondary suppression then looks, until nothing changes, for
    a line with exactly one hidden key, whose count would be the total less the other cells (or their
    sum), and hides one more key of that line: the smallest count above zero, else a zero; keys in
    `totals` only when no other key of the line is left. A line whose total is shown and whose hidden
    cells add up to less than `threshold` (two hidden counts of 1, say) gets one more hidden cell above
    zero, so that what a reader can work out of the hidden cells is never a small count. Ties go to the
    first in the line.
    """
    totals = set(totals)
    lines = [tuple(line) for line in lines]
    hidden = set(hidden) | {key for key, count in values.items() if 0 < count < threshold}
    changed = True
    while changed:
        changed = False
        for line in lines:
            shown = [key for key in line if key not in hidden]
            if len(shown) == len(line) - 1:
                candidates = shown
            elif line[-1] in shown and 0 < sum(values[key] for key in line[:-1] if key in hidden) < threshold:
                candidates = [key for key in shown[:-1] if values[key] > 0]
            else:
                continue
            if candidates:
                order = {key: place for place, key in enumerate(line)}
                hidden.add(min(candidates, key=lambda k: (k in totals, values[k] == 0, values[k], order[k])))
                changed = True
    return hidden


def tabulate(
    year: int,
    groups: list[dict],
    rows: str,
    columns: str,
    threshold: int,
    successors: dict[str, tuple[str, str]] | None = None,
    authority: str = "as_recorded",
) -> Table:
    """Lay one year's groups out as a table of `rows` by `columns` and suppress it.

    Each group is a dict of one value of every dimension (and `authority_name`) with its `count`. With
    `successors` ({recorded code: (answering code, its name)}), the table is suppressed together with the
    table by successor, each successor's cell a published sum of its predecessors' cells, so that no
    recorded count can be worked out from the two; `authority` says which of the two is shown.
    """
    recorded = _layout(groups, rows, columns)
    values, lines, totals, margins = recorded.sums(threshold)
    shown = recorded
    if successors and "authority" in (rows, columns):
        by_successor = _layout([_moved(g, successors) for g in groups], rows, columns, tag="successor")
        more_values, more_lines, more_totals, more_margins = by_successor.sums(threshold)
        values, totals, margins = values | more_values, totals + more_totals, margins | more_margins
        lines += more_lines + recorded.linked_to(by_successor, rows == "authority", successors)
        if authority == "successor":
            shown = by_successor
    hidden = suppress(values, lines, threshold, hidden=margins, totals=totals)
    return shown.table(year, values, hidden)


@dataclass
class _Layout:
    """One table's keys and counts: cells by (row, column), with the row, column and grand totals.

    Keys carry the layout's `tag`, so the table as recorded and the table by successor can be suppressed
    together.
    """

    tag: str
    row_keys: list[str]
    row_labels: list[str]
    column_keys: list[str]
    column_labels: list[str]
    counts: Counter

    def key(self, row: str, column: str) -> tuple:
        """Return the key of one cell (TOTAL as row or column for a total)."""
        return (self.tag, row, column)

    def sums(self, threshold: int) -> tuple[dict, list, list, set]:
        """Return the layout's values, its published sums, its totals and its suppressed margins."""
        cells = {self.key(r, c): self.counts[(r, c)] for r in self.row_keys for c in self.column_keys}
        row_totals = {
            self.key(r, TOTAL): sum(self.counts[(r, c)] for c in self.column_keys) for r in self.row_keys
        }
        column_totals = {
            self.key(TOTAL, c): sum(self.counts[(r, c)] for r in self.row_keys) for c in self.column_keys
        }
        grand_key = self.key(TOTAL, TOTAL)
        grand = {grand_key: sum(row_totals.values())}
        # Each dimension's totals are suppressed on their own first, alike whatever the table's other
        # dimension is, so that two tables sharing those totals hide the same ones.
        margins = suppress(row_totals | grand, [(*row_totals, grand_key)], threshold)
        margins |= suppress(column_totals | grand, [(*column_totals, grand_key)], threshold)
        lines = [(*(self.key(r, c) for c in self.column_keys), self.key(r, TOTAL)) for r in self.row_keys]
        lines += [(*(self.key(r, c) for r in self.row_keys), self.key(TOTAL, c)) for c in self.column_keys]
        lines += [(*row_totals, grand_key), (*column_totals, grand_key)]
        values = cells | row_totals | column_totals | grand
        return values, lines, [*row_totals, *column_totals, *grand], margins

    def linked_to(self, other: "_Layout", by_rows: bool, successors: dict[str, tuple[str, str]]) -> list:
        """Return the sums that tie `other` (by successor) to this layout (as recorded): each successor's
        cell is the sum of its predecessors' cells, and the other dimension's totals are the same."""
        mine = self.row_keys if by_rows else self.column_keys
        others = (self.column_keys if by_rows else self.row_keys) + [TOTAL]
        answering = {code: successors.get(code, (code, ""))[0] for code in mine}
        lines = []
        for successor in other.row_keys if by_rows else other.column_keys:
            parts = [code for code in mine if answering[code] == successor]
            for value in others:
                parts_keys = [self.key(p, value) if by_rows else self.key(value, p) for p in parts]
                whole = other.key(successor, value) if by_rows else other.key(value, successor)
                lines.append((*parts_keys, whole))
        for value in others:  # the other dimension's totals, and the grand total, are the same number
            total = (TOTAL, value) if by_rows else (value, TOTAL)
            lines.append((self.key(*total), other.key(*total)))
        return lines

    def table(self, year: int, values: dict, hidden: set) -> Table:
        """Return the published table: each hidden key a suppressed cell."""

        def cell(row: str, column: str) -> Cell:
            key = self.key(row, column)
            return Cell(None if key in hidden else values[key])

        def line(row: str, label: str) -> Line:
            return Line(row, label, tuple(cell(row, c) for c in self.column_keys), cell(row, TOTAL))

        return Table(
            year,
            tuple(self.column_keys),
            tuple(self.column_labels),
            tuple(line(r, label) for r, label in zip(self.row_keys, self.row_labels, strict=True)),
            line(TOTAL, "Total"),
        )


def _layout(groups: list[dict], rows: str, columns: str, tag: str = "as_recorded") -> _Layout:
    """Return the layout of `groups` as a table of `rows` by `columns`."""
    row_keys, row_labels = _values(groups, rows)
    column_keys, column_labels = _values(groups, columns)
    counts = Counter()
    for group in groups:
        counts[(group[rows], group[columns])] += group["count"]
    return _Layout(tag, row_keys, row_labels, column_keys, column_labels, counts)


def _moved(group: dict, successors: dict[str, tuple[str, str]]) -> dict:
    """Return the group counted under the council that answers for its council (itself if none does)."""
    code, name = successors.get(group["authority"], (group["authority"], group["authority_name"]))
    return group | {"authority": code, "authority_name": name}


def _successors(session: Session, on: date | None, groups: list[dict]) -> dict[str, tuple[str, str]]:
    """Return {recorded code: (code, name) of the council answering for it on `on`} for reorganised ones."""
    mapping = reorganisation.successor_map(session, on or date.today())
    recorded = {group["authority"] for group in groups}
    names = {}
    for code in {mapping[c] for c in recorded if c in mapping}:
        found = authority_by_code(session, code)
        names[code] = found.name if found is not None else code
    return {code: (mapping[code], names[mapping[code]]) for code in recorded if code in mapping}


def _group(row: tuple) -> dict:
    """Return one counted group with each dimension's value."""
    code, name, decision, category, licence_type, year, count = row
    return {
        "authority": code,
        "authority_name": name,
        "decision": DECISION_GROUPS[decision],
        "licence_type": licence_type or NOT_KNOWN,
        "category": category or NOT_GIVEN,
        "year": int(year),
        "count": count,
    }


def _values(groups: list[dict], dimension: str) -> tuple[list[str], list[str]]:
    """Return the keys and names a dimension takes in a table: all its values, or the councils counted."""
    if dimension != "authority":
        named = DIMENSION_VALUES[dimension]
        return list(named), list(named.values())
    councils = dict(sorted({(g["authority"], g["authority_name"]) for g in groups}))
    return list(councils), list(councils.values())


def _check_reader(actor: Actor) -> None:
    """Refuse an actor who may not read statistics."""
    if not any(scope in actor.scopes for scope in READERS):
        raise Forbidden("Statistics need the 'council:read' or 'admin' scope.")


def _check_year(year: int | None) -> None:
    """Refuse a year out of range."""
    if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
        message = f"year must be between {FIRST_YEAR} and {LAST_YEAR}."
        raise ValidationFailed(message, [{"field": "year", "message": message}])


def _check_layout(rows: str, columns: str, authority: str, threshold: int) -> None:
    """Refuse a table laid out by an unknown or repeated dimension, an unknown grouping, a bad threshold."""
    errors = [
        {"field": field, "message": f"{field} must be one of {', '.join(DIMENSIONS)}."}
        for field, value in (("rows", rows), ("columns", columns))
        if value not in DIMENSIONS
    ]
    if not errors and rows == columns:
        errors.append({"field": "columns", "message": "columns must differ from rows."})
    if authority not in GROUPINGS:
        errors.append({"field": "authority", "message": f"authority must be one of {', '.join(GROUPINGS)}."})
    if threshold < 1:
        errors.append({"field": "threshold", "message": "The threshold must be 1 or more."})
    if errors:
        raise ValidationFailed("These statistics cannot be laid out so.", errors)
