"""The one resolver of authority reorganisations: who answers, on a given day, for an authority's records.

A change (merge, split or recode, `AuthorityChange`) takes effect on its date. Before it nothing moves;
from it, every record keeps the authority that made it and is answered for by the successor: access,
routing, alerts and workflows all ask this module rather than compare authority ids themselves.

- `successor_id` / `successor_of`: the authority that now answers for records of authority X on a day
  (through a chain of changes, a merge then a recode, to the end), and for a split predecessor's licence
  the successor it was placed with.
- `answered_by`: its inverse, the authorities whose records S answers for as its own (S included).
- `acting_as`: the actor an officer or API key of a reorganised authority now acts as, or None when the
  change disabled them.
- `successor_map`: code to answering code, for statistics that group by either.
"""

from dataclasses import dataclass, replace
from datetime import date

from sqlmodel import Session

from licensing.actors import Actor
from licensing.persistence.models.reorganisation import AuthorityChange
from licensing.reference import queries


@dataclass(frozen=True)
class InForce:
    """The changes in force on one day, by predecessor."""

    on: date
    by_predecessor: dict[int, list[AuthorityChange]]

    def next_hop(self, authority_id: int, assignment=None) -> AuthorityChange | None:
        """Return the change that hands `authority_id`'s records on (a split's lead unless `assignment`)."""
        rows = self.by_predecessor.get(authority_id)
        if not rows:
            return None
        if assignment is not None:
            for row in rows:
                if row.id == assignment.change_id:
                    return row
        return next((row for row in rows if row.lead), rows[0])

    def answering(self, authority_id: int, assignment=None) -> int:
        """Return the authority answering for `authority_id`'s records (a placed licence: its successor)."""
        current, seen = authority_id, set()
        while current not in seen and (hop := self.next_hop(current, assignment)) is not None:
            seen.add(current)
            if assignment is not None and hop.id == assignment.change_id:
                current = assignment.successor_id
            else:
                current = hop.successor_id
        return current

    def answered_by(self, authority_id: int) -> frozenset[int]:
        """Return every authority whose unplaced records `authority_id` answers for, itself included."""
        return frozenset(
            {authority_id} | {p for p in self.by_predecessor if self.answering(p) == authority_id}
        )

    def assigned_to(self, authority_id: int) -> frozenset[int]:
        """Return the split predecessors that placed licences with a successor `authority_id` answers for."""
        found = set()
        for predecessor, rows in self.by_predecessor.items():
            if any(not row.lead and self.answering(row.successor_id) == authority_id for row in rows):
                found.add(predecessor)
        return frozenset(found)

    def staff_target(self, authority_id: int, what: str) -> int | None:
        """Return the authority that `what` (officers, api_keys, subscriptions) of `authority_id` now serve.

        None when a change on the way disabled them.
        """
        current, seen = authority_id, set()
        while current not in seen and (hop := self.next_hop(current)) is not None:
            seen.add(current)
            if getattr(hop, what) == "disable":
                return None
            current = hop.successor_id
        return current


def in_force(session: Session, on: date) -> InForce:
    """Return the changes in force on `on`."""
    by_predecessor: dict[int, list[AuthorityChange]] = {}
    for change in queries.changes_in_force(session, on):
        by_predecessor.setdefault(change.predecessor_id, []).append(change)
    return InForce(on=on, by_predecessor=by_predecessor)


def successor_id(session: Session, authority_id: int, on: date, licence_id: int | None = None) -> int:
    """Return the id of the authority answering on `on` for records of `authority_id` (or for one licence)."""
    changes = in_force(session, on)
    if not changes.by_predecessor:
        return authority_id
    assignment = queries.assignment_of(session, licence_id) if licence_id is not None else None
    return changes.answering(authority_id, assignment)


def successor_of(session: Session, code: str, on: date) -> str:
    """Return the GSS code of the authority answering on `on` for records of the authority `code`."""
    codes = queries.codes_by_id(session)
    ids = {c: i for i, c in codes.items()}
    if code not in ids:
        return code
    return codes[successor_id(session, ids[code], on)]


def successor_map(session: Session, on: date) -> dict[str, str]:
    """Return {code: answering code} for every authority reorganised by `on` (a split: its lead successor).

    Authorities not reorganised are left out: group by `mapping.get(code, code)`.
    """
    changes, codes = in_force(session, on), queries.codes_by_id(session)
    return {codes[p]: codes[changes.answering(p)] for p in changes.by_predecessor}


def answered_by(session: Session, authority_id: int, on: date) -> frozenset[int]:
    """Return the ids of the authorities whose records `authority_id` answers for on `on`, itself included."""
    return in_force(session, on).answered_by(authority_id)


def acting_as(session: Session, actor: Actor, on: date) -> Actor | None:
    """Return the actor a council's officer or key acts as on `on`; None if a change disabled them.

    Not reorganised: the actor as it is, with the predecessors it answers for. An officer or key of a
    predecessor whose change moved them: the successor's actor. Police and system actors are unchanged.
    """
    if actor.authority_id is None:
        return actor
    changes = in_force(session, on)
    if not changes.by_predecessor:
        return actor
    what = "officers" if actor.kind == "user" else "api_keys"
    target = changes.staff_target(actor.authority_id, what)
    if target is None:
        return None
    return replace(
        actor,
        authority_id=target,
        answers_for=changes.answered_by(target) - {target},
        assigned_from=changes.assigned_to(target),
    )


def answers(session: Session, actor: Actor, authority_id: int, licence_id: int | None = None) -> bool:
    """Tell whether the actor's council answers for a record of `authority_id` (a licence: by its id).

    A licence of a split predecessor goes where the split placed it; anything else of the predecessor, and
    a licence not placed, to the lead successor.
    """
    if licence_id is not None and (actor.assigned_from or authority_id in actor.answers_for):
        assignment = queries.assignment_of(session, licence_id)
        if assignment is not None and authority_id in (actor.assigned_from | actor.answers_for):
            return actor.answers(assignment.successor_id)
    return actor.answers(authority_id)


def subscriber_authorities(session: Session, authority_id: int, on: date) -> tuple[int, ...]:
    """Return the authorities whose subscriptions receive `authority_id`'s alerts on `on` (itself first)."""
    changes = in_force(session, on)
    if not changes.by_predecessor:
        return (authority_id,)
    moved = [p for p in changes.by_predecessor if changes.staff_target(p, "subscriptions") == authority_id]
    return (authority_id, *sorted(set(moved) - {authority_id}))
