"""The bundled reorganisations (reorganisations.csv): the 2023 unitary councils, with their sources.

Each row is one predecessor council answered for by a successor from a date. The predecessors no
longer exist and are not in authorities.csv, so loading adds any not held (so that records made under
their codes can be kept and found), then records each change as `flask authorities merge` would. Loading
again records nothing new.
"""

import csv
from datetime import date, datetime
from itertools import groupby

from sqlmodel import Session

from licensing.actors import SYSTEM, Actor
from licensing.reference import DATA_DIR, add_authority, authority_by_code, changes, queries

REORGANISATIONS_CSV = DATA_DIR / "reorganisations.csv"


def read_changes() -> list[dict]:
    """Return the bundled rows: effective_on, kind, predecessor code and name, successor code, source."""
    with REORGANISATIONS_CSV.open(newline="", encoding="utf-8") as handle:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]


def load_bundled(session: Session, now: datetime, actor: Actor = SYSTEM) -> list[changes.Plan]:
    """Record each bundled change not yet recorded (adding old councils not held); return the plans."""
    rows = read_changes()
    applied = []
    key = lambda row: (row["effective_on"], row["kind"], row["successor_code"], row["source"])  # noqa: E731
    for (effective_on, kind, successor, source), group in groupby(sorted(rows, key=key), key=key):
        predecessors = []
        for row in group:
            authority = authority_by_code(session, row["predecessor_code"])
            if authority is None:
                authority = add_authority(
                    session, row["predecessor_code"], row["predecessor_name"], "england", now=now, actor=actor
                )
            if not queries.changes_of(session, authority.id):
                predecessors.append(authority.code)
        if not predecessors:
            continue
        on = date.fromisoformat(effective_on)
        if kind == "recode":
            plan = changes.plan_recode(session, predecessors[0], successor, on, source=source)
        else:
            plan = changes.plan_merge(session, predecessors, successor, on, source=source)
        changes.apply(session, plan, now, actor)
        applied.append(plan)
    return applied
