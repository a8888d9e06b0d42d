"""What a council may see of a record a screening found, and loading what those views need.

Another council's records are shown only minimally (s.2(4): identity, decision, dates, recording
council); reasons travel only through a s.3 request. Intelligence shows its category, date, force,
reference and the summary the force marked shareable, never the restricted summary.
"""

from collections import defaultdict

from sqlalchemy import select
from sqlmodel import Session

from licensing.actors import Actor
from licensing.keys import KIND_MODELS
from licensing.models import IDENTITY_FIELDS, Authority, PoliceForce


def load_views(session: Session, found: list[tuple[str, int]]) -> tuple[dict, dict]:
    """Load what the minimal views of `found` (kind, id) records need: the records and their organisations."""
    records = _load_records(session, found)
    return records, _organisations(session, records.values())


def minimal_view(kind: str, record, names: dict) -> dict | None:
    """Return what another council may see of a record found by a screening (None: nothing)."""
    if kind == "intelligence":
        if record.status != "active":
            return None  # withdrawn (e.g. no further action): no longer shared
        return {
            "kind": kind,
            "force_name": names[("police_force", record.police_force_id)]["name"],
            "category": record.category,
            "occurred_on": record.occurred_on,
            "force_reference": record.force_reference,
            "shareable_summary": record.shareable_summary,
        }
    view = {"kind": kind, **_identity(record), "authority": names[("authority", record.authority_id)]}
    if kind == "register_entry":
        view |= {
            "decision": record.decision,
            "decided_on": record.decided_on,
            "effective_on": record.effective_on,
        }
    elif kind == "licence":
        view |= {"licence_status": record.status, "expires_on": record.expires_on}
    elif kind == "application":
        view |= {"received_on": record.received_on}
    return view


def _identity(record) -> dict:
    """Return a record's identity fields, previous names as a list."""
    values = {name: getattr(record, name) for name in IDENTITY_FIELDS}
    values["previous_names"] = [n for n in (values["previous_names"] or "").split(";") if n]
    return values


def is_elsewhere(record, actor: Actor) -> bool:
    """Tell whether a record belongs to someone other than the actor's authority."""
    return getattr(record, "authority_id", None) != actor.authority_id


def _load_records(session: Session, found: list[tuple[str, int]]) -> dict:
    """Load every found (kind, id) record as a row of its table's columns, one query per kind.

    The views only read them: rows cost a fraction of loading model objects into the session.
    """
    ids = defaultdict(list)
    for kind, record_id in found:
        ids[kind].append(record_id)
    records = {}
    for kind, wanted in ids.items():
        table = KIND_MODELS[kind].__table__
        records |= {(kind, r.id): r for r in session.execute(select(table).where(table.c.id.in_(wanted)))}
    return records


def _organisations(session: Session, records) -> dict:
    """Return {("authority"|"police_force", id): {code, name}} for the records' organisations."""
    authority_ids = {r.authority_id for r in records if hasattr(r, "authority_id")}
    force_ids = {r.police_force_id for r in records if hasattr(r, "police_force_id")}
    names = {}
    for kind, model, wanted in (
        ("authority", Authority, authority_ids),
        ("police_force", PoliceForce, force_ids),
    ):
        if wanted:
            for org in session.execute(select(model.id, model.code, model.name).where(model.id.in_(wanted))):
                names[(kind, org.id)] = {"code": org.code, "name": org.name}
    return names
