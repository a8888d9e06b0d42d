"""The export's views of records, screenings and audit events, with councils and forces by name."""

from sqlmodel import Session

from licensing.identity.fields import identity_of
from licensing.intelligence import queries as intelligence_queries
from licensing.persistence.models import AuditEvent, Authority, PoliceForce, Screening, ScreeningCandidate
from licensing.register import queries as register_queries
from licensing.subject_access import queries
from licensing.subject_access.finding import Found

_RECORD_COLUMNS = {
    "application": ("ref", "application_kind", "licence_type", "status", "received_on", "decided_on"),
    "licence": ("ref", "badge_number", "licence_type", "status", "granted_on", "expires_on", "display_name"),
    "register_entry": ("ref", "decision", "category", "decided_on", "effective_on", "status"),
    "intelligence": ("force_reference", "category", "occurred_on", "status"),
}


_COLUMN = {"application_kind": "kind"}


class Names:
    """The code and name of authorities and police forces by id, each loaded once."""

    def __init__(self, session: Session):
        self.session, self.cache = session, {}

    def of(self, model, organisation_id: int | None) -> dict | None:
        """Return {"code", "name"} of one organisation, or None."""
        if organisation_id is None:
            return None
        if (model, organisation_id) not in self.cache:
            row = self.session.get(model, organisation_id)
            self.cache[model, organisation_id] = {"code": row.code, "name": row.name} if row else None
        return self.cache[model, organisation_id]


def record_view(session: Session, names: Names, found: Found) -> dict:
    """Return one record with its identity, facts, history and the band it was found by."""
    row, kind = found.row, found.kind
    view = {"kind": kind, "id": row.id, "band": found.band, "score": found.score, "evidence": found.evidence}
    view |= identity_of(row)
    # An application's own `kind` (new or renewal) is renamed apart from the record kind.
    view |= {name: getattr(row, _COLUMN.get(name, name)) for name in _RECORD_COLUMNS[kind]}
    if kind == "intelligence":
        view["police_force"] = names.of(PoliceForce, row.police_force_id)
        view["routed_to"] = _routed_to(session, names, row.id)
    else:
        view["authority"] = names.of(Authority, row.authority_id)
    # When it was first recorded here; who recorded it and every change since are in `history` and the trail.
    view["recorded_at"] = row.first_recorded_at if kind == "register_entry" else row.created_at
    view["history"] = _history(session, kind, row.id)
    return view


def _routed_to(session: Session, names: Names, intelligence_id: int) -> list[dict]:
    """Return the councils an intelligence item was routed to."""
    return [
        names.of(Authority, r.authority_id) for r in intelligence_queries.routes_of(session, intelligence_id)
    ]


def _history(session: Session, kind: str, record_id: int) -> list[dict]:
    """Return a licence's status history or a register entry's change history, oldest first."""
    if kind == "licence":
        rows = queries.licence_status_changes(session, record_id)
        return [
            {
                "change": r.status,
                "on": r.effective_on,
                "at": r.changed_at,
                "by": r.actor_label,
                "changed_fields": {},
            }
            for r in rows
        ]
    if kind == "register_entry":
        rows = register_queries.entry_changes(session, record_id)
        return [
            {
                "change": r.change,
                "on": r.changed_on,
                "at": r.changed_at,
                "by": r.actor_label,
                "changed_fields": r.fields,
            }
            for r in rows
        ]
    return []


def screening_view(names: Names, screening: Screening, candidates: list[ScreeningCandidate]) -> dict:
    """Return who screened, for which council, why and when, and the subject's records it found."""
    columns = (
        "id",
        "purpose",
        "reason",
        "actor_kind",
        "actor_label",
        "created_at",
        "application_id",
        "licence_id",
    )
    view = {name: getattr(screening, name) for name in columns}
    view["authority"] = names.of(Authority, screening.authority_id)
    view["candidates"] = [
        {
            "kind": c.candidate_kind,
            "record_id": c.candidate_id,
            "band": c.band,
            "score": c.score,
            "resolution": c.resolution,
            "resolved_by": c.resolved_by,
            "resolved_at": c.resolved_at,
        }
        for c in candidates
    ]
    return view


def event_view(names: Names, event: AuditEvent) -> dict:
    """Return who did what to which of the subject's records, and when."""
    columns = (
        "id",
        "occurred_at",
        "actor_kind",
        "actor_label",
        "action",
        "record_kind",
        "record_id",
        "reason",
    )
    return {name: getattr(event, name) for name in columns} | {
        "authority": names.of(Authority, event.authority_id)
    }
