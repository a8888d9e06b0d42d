"""A record's trail for its own council: who has viewed it, screened it, or found it in a screening.

Every screening, every view of another council's entry and every intelligence view is audited
(docs/reference.md, access rules), so a council can answer "who looked at this driver?" (and a driver
can ask, UK GDPR art. 15).
"""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from licensing.actors import Actor
from licensing.licences import queries
from licensing.licences.applications import own_application
from licensing.licences.lifecycle import own_licence
from licensing.persistence.models import Screening
from licensing.register.entries import own_entry
from licensing.words import action_words, actor_words

OWNERS = {"application": own_application, "licence": own_licence, "register_entry": own_entry}
LIMIT = 200


@dataclass(frozen=True)
class TrailLine:
    """One thing that happened to the record: when, who, for which council, what."""

    at: datetime
    who: str
    council: str | None
    what: str


def record_trail(session: Session, actor: Actor, kind: str, record_id: int) -> list[TrailLine]:
    """Return the trail of one of the actor's authority's records, newest first (NotFound otherwise)."""
    OWNERS[kind](session, actor, record_id)
    councils = queries.authority_names(session)
    events = queries.events_about(session, kind, record_id, LIMIT)
    lines = [
        TrailLine(
            e.occurred_at, actor_words(e.actor_label), councils.get(e.authority_id), action_words(e.action)
        )
        for e in events
    ]
    return sorted(lines + _screenings(session, kind, record_id, councils), key=lambda t: t.at, reverse=True)


def _screenings(session: Session, kind: str, record_id: int, councils: dict) -> list[TrailLine]:
    """Return the screenings that found the record, and those run for it."""
    rows = queries.screenings_of_record(session, kind, record_id, LIMIT)
    return [
        TrailLine(
            s.created_at, actor_words(s.actor_label), councils.get(s.authority_id), _words(s, kind, record_id)
        )
        for s in rows
    ]


def _words(screening: Screening, kind: str, record_id: int) -> str:
    """Say what a screening did with the record."""
    if {"application": screening.application_id, "licence": screening.licence_id}.get(kind) == record_id:
        return f"screened this record ({screening.purpose.replace('_', ' ')})"
    return f"found this record in a screening ({screening.purpose.replace('_', ' ')})"
