"""Recording a reorganisation of licensing authorities: a merge, a split or a recode, each from a date.

Each command is worked out first as a `Plan` (what would be recorded and what it moves), which a dry run
prints and a real run applies as it is, so the two cannot differ. Applying records the change rows (and
a split's licence placements) and audits every step; it rewrites no record. From the effective date the
resolver (`licensing.reference.reorganisation`) hands the predecessors' records, open s.3 requests and
s.5 reports, officers, API keys and subscriptions to the successor.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session

from licensing.actors import SYSTEM, Actor
from licensing.audit import log as audit
from licensing.errors import ValidationFailed
from licensing.persistence.models import EmailRecipient, WebhookEndpoint
from licensing.persistence.models.organisations import Authority
from licensing.persistence.models.reorganisation import STAFF_OPTIONS, AuthorityChange, LicenceAssignment
from licensing.reference import authority_by_code, check_authority, queries
from licensing.reference.reorganisation import in_force


@dataclass(frozen=True)
class Options:
    """What happens to the predecessors' officers, API keys and subscriptions: "move" or "disable"."""

    officers: str = "move"
    api_keys: str = "move"
    subscriptions: str = "move"

    def check(self) -> None:
        """Raise ValidationFailed for an option that is neither "move" nor "disable"."""
        errors = [
            {"field": name, "message": f"Must be one of {', '.join(STAFF_OPTIONS)}."}
            for name, value in vars(self).items()
            if value not in STAFF_OPTIONS
        ]
        if errors:
            raise ValidationFailed("The reorganisation's options are not valid.", errors)


@dataclass
class Plan:
    """One reorganisation worked out: what would be recorded, and what it hands to the successors."""

    kind: str
    effective_on: date
    predecessors: list[tuple[str, str]]  # (code, name)
    successors: list[tuple[str, str]]
    lead: str
    options: Options
    source: str = ""
    new_authority: tuple[str, str, str] | None = None  # a recode's new code, name and nation, if not held
    moves: list[str] = field(default_factory=list)  # one line per predecessor: what it hands on
    placements: list[tuple[int, str, str, str]] = field(default_factory=list)  # licence id, badge, code, how
    rejects: list[dict] = field(default_factory=list)

    def lines(self) -> list[str]:
        """Describe the plan, one line each, as both the dry run and the real run print it."""
        names = ", ".join(f"{c} {n}" for c, n in self.predecessors)
        into = ", ".join(f"{c} {n}" for c, n in self.successors)
        out = [f"{self.kind} from {self.effective_on.isoformat()}: {names} -> {into}"]
        if self.kind == "split":
            out.append(f"  lead successor (answers for what is not placed): {self.lead}")
        if self.new_authority:
            out.append(
                f"  adds authority {self.new_authority[0]} {self.new_authority[1]} ({self.new_authority[2]})"
            )
        opts = self.options
        out.append(
            f"  officers: {opts.officers}; API keys: {opts.api_keys}; subscriptions: {opts.subscriptions}"
        )
        out += [f"  {line}" for line in self.moves]
        if self.kind == "split":
            by_successor: dict[str, int] = {}
            for _, _, code, _ in self.placements:
                by_successor[code] = by_successor.get(code, 0) + 1
            for code in sorted(by_successor):
                out.append(f"  licences placed with {code}: {by_successor[code]}")
            out.append(f"  licences not placed (rejects, answered by {self.lead}): {len(self.rejects)}")
        if self.source:
            out.append(f"  source: {self.source}")
        return out


def plan_merge(
    session: Session,
    predecessor_codes: list[str],
    successor_code: str,
    effective_on: date,
    options: Options = Options(),
    source: str = "",
) -> Plan:
    """Work out a merge of the predecessors into the successor from `effective_on`."""
    options.check()
    successor = _existing(session, successor_code, "successor")
    predecessors = [_existing(session, code, "predecessor") for code in _distinct(predecessor_codes)]
    if not predecessors:
        raise ValidationFailed("Name at least one predecessor.", [_field("predecessor", "Required.")])
    for predecessor in predecessors:
        _check_pair(session, predecessor, successor, effective_on)
    plan = Plan(
        "merge", effective_on, _pairs(predecessors), _pairs([successor]), successor.code, options, source
    )
    plan.moves = [_moves(session, p, successor.code, options) for p in predecessors]
    return plan


def plan_recode(
    session: Session,
    old_code: str,
    new_code: str,
    effective_on: date,
    options: Options = Options(),
    source: str = "",
) -> Plan:
    """Work out a recode: the same council under a new GSS code from `effective_on` (added if not held)."""
    options.check()
    old = _existing(session, old_code, "predecessor")
    new = authority_by_code(session, new_code)
    new_authority = None
    if new is None:
        new_authority = check_authority(new_code, old.name, old.nation)
        new_pair = (new_authority[0], new_authority[1])
    else:
        _check_pair(session, old, new, effective_on)
        new_pair = (new.code, new.name)
    if new_pair[0] == old.code:
        raise ValidationFailed("A recode needs a new code.", [_field("successor", "Same as the old code.")])
    _check_unchanged(session, old)
    plan = Plan(
        "recode", effective_on, _pairs([old]), [new_pair], new_pair[0], options, source, new_authority
    )
    plan.moves = [_moves(session, old, new_pair[0], options)]
    return plan


def plan_split(
    session: Session,
    predecessor_code: str,
    successor_codes: list[str],
    lead_code: str,
    effective_on: date,
    *,
    districts: dict[str, str] | None = None,
    licences: dict[str, str] | None = None,
    options: Options = Options(),
    source: str = "",
) -> Plan:
    """Work out a split: each licence placed by its badge (`licences`) or its postcode district (`districts`).

    `districts` maps a postcode district (the outward code, "CA1") to a successor code, `licences` a badge
    number to one; a badge's own line wins. A licence neither places is a reject: the lead successor, which
    also takes the officers, keys and subscriptions as the options say, answers for it and for the
    predecessor's other records.
    """
    options.check()
    predecessor = _existing(session, predecessor_code, "predecessor")
    successors = [_existing(session, code, "successor") for code in _distinct(successor_codes)]
    if len(successors) < 2:
        raise ValidationFailed(
            "A split needs two successors or more.", [_field("successor", "Name two or more.")]
        )
    codes = {s.code for s in successors}
    lead = (lead_code or "").strip().upper()
    if lead not in codes:
        raise ValidationFailed("The lead successor must be one of the successors.", [_field("lead", lead)])
    for successor in successors:
        _check_pair(session, predecessor, successor, effective_on)
    districts = {_district(k): v.strip().upper() for k, v in (districts or {}).items()}
    licences = {k.strip(): v.strip().upper() for k, v in (licences or {}).items()}
    unknown = sorted((set(districts.values()) | set(licences.values())) - codes)
    if unknown:
        message = f"Not one of the successors: {', '.join(unknown)}."
        raise ValidationFailed("The placements name other authorities.", [_field("successor", message)])
    plan = Plan("split", effective_on, _pairs([predecessor]), _pairs(successors), lead, options, source)
    plan.moves = [_moves(session, predecessor, lead, options)]
    for licence in queries.licences_of(session, predecessor.id):
        district = _district(licence.postcode or "")
        if licence.badge_number in licences:
            plan.placements.append(
                (licence.id, licence.badge_number, licences[licence.badge_number], "mapping")
            )
        elif district and district in districts:
            plan.placements.append((licence.id, licence.badge_number, districts[district], "postcode"))
        else:
            reason = "no postcode" if not district else f"postcode district {district} not in the mapping"
            plan.rejects.append({"badge_number": licence.badge_number, "ref": licence.ref, "reason": reason})
    return plan


def apply(session: Session, plan: Plan, now: datetime, actor: Actor = SYSTEM) -> list[AuthorityChange]:
    """Record the plan: the new authority of a recode, one change row per pair, a split's placements."""
    if plan.new_authority:
        code, name, nation = plan.new_authority
        authority = Authority(code=code, name=name, nation=nation)
        session.add(authority)
        session.flush()
        audit.record(
            session, actor, "authority.added", "authority", authority.id, now=now, detail={"code": code}
        )
    ids = {code: authority_by_code(session, code).id for code, _ in plan.predecessors + plan.successors}
    rows = []
    for predecessor, _ in plan.predecessors:
        for successor, _ in plan.successors:
            lead = successor == plan.lead
            options = plan.options if lead else Options("disable", "disable", "disable")
            row = AuthorityChange(
                kind=plan.kind,
                effective_on=plan.effective_on,
                predecessor_id=ids[predecessor],
                successor_id=ids[successor],
                lead=lead,
                officers=options.officers,
                api_keys=options.api_keys,
                subscriptions=options.subscriptions,
                source=plan.source,
                recorded_at=now,
            )
            session.add(row)
            session.flush()
            rows.append(row)
            detail = {
                "kind": plan.kind,
                "effective_on": plan.effective_on.isoformat(),
                "predecessor": predecessor,
                "successor": successor,
                "lead": lead,
                **vars(options),
            }
            audit.record(
                session,
                actor,
                "authority.change_recorded",
                "authority_change",
                row.id,
                now=now,
                detail=detail,
            )
    by_code = {session.get(Authority, row.successor_id).code: row for row in rows}
    placed: dict[str, list[int]] = {}
    for licence_id, _, code, how in plan.placements:
        row = by_code[code]
        session.add(
            LicenceAssignment(
                change_id=row.id, licence_id=licence_id, successor_id=row.successor_id, placed_by=how
            )
        )
        placed.setdefault(code, []).append(licence_id)
    for code, licence_ids in sorted(placed.items()):
        row = by_code[code]
        detail = {"successor": code, "licence_ids": licence_ids}
        audit.record(session, actor, "licence.placed", "authority_change", row.id, now=now, detail=detail)
    if plan.kind == "split":
        detail = {"lead": plan.lead, "not_placed": [r["ref"] for r in plan.rejects]}
        audit.record(
            session, actor, "licence.not_placed", "authority_change", rows[0].id, now=now, detail=detail
        )
    session.flush()
    return rows


def list_changes(session: Session) -> list[dict]:
    """Return every recorded change with its codes, by effective date."""
    codes = queries.codes_by_id(session)
    return [
        {
            "id": row.id,
            "kind": row.kind,
            "effective_on": row.effective_on,
            "predecessor": codes[row.predecessor_id],
            "successor": codes[row.successor_id],
            "lead": row.lead,
            "officers": row.officers,
            "api_keys": row.api_keys,
            "subscriptions": row.subscriptions,
            "source": row.source,
        }
        for row in queries.all_changes(session)
    ]


def _moves(session: Session, predecessor: Authority, to: str, options: Options) -> str:
    """Describe what the predecessor hands on: live licences, open work, officers, keys, subscriptions."""
    pid = predecessor.id
    requests = [r.id for r in queries.open_requests(session, pid)]
    reports = [r.id for r in queries.open_reports(session, pid)]
    officers = len(queries.officers_of(session, pid))
    keys = len(queries.live_keys_of(session, pid))
    subscriptions = sum(
        len(queries.live_subscriptions_of(session, m, pid)) for m in (WebhookEndpoint, EmailRecipient)
    )
    return (
        f"{predecessor.code}: {queries.live_licence_count(session, pid)} live licences answered by {to}; "
        f"open s.3 requests {requests} and s.5 reports {reports} move to {to} with their deadlines; "
        f"{officers} officers {_verb(options.officers, to)}; {keys} API keys {_verb(options.api_keys, to)}; "
        f"{subscriptions} subscriptions {_verb(options.subscriptions, to)}"
    )


def _verb(option: str, to: str) -> str:
    return f"move to {to}" if option == "move" else "disabled"


def _existing(session: Session, code: str, role: str) -> Authority:
    authority = authority_by_code(session, code or "")
    if authority is None:
        raise ValidationFailed(f"No authority has the code {code}.", [_field(role, f"Unknown code {code}.")])
    return authority


def _check_pair(session: Session, predecessor: Authority, successor: Authority, effective_on: date) -> None:
    """Refuse a change of an authority already reorganised, into itself, or into one gone by the date."""
    if predecessor.id == successor.id:
        raise ValidationFailed("An authority cannot succeed itself.", [_field("successor", successor.code)])
    _check_unchanged(session, predecessor)
    if in_force(session, effective_on).answering(successor.id) != successor.id:
        message = f"{successor.code} has itself been reorganised by {effective_on.isoformat()}."
        raise ValidationFailed(message, [_field("successor", message)])


def _check_unchanged(session: Session, predecessor: Authority) -> None:
    if queries.changes_of(session, predecessor.id):
        message = f"{predecessor.code} already has a reorganisation recorded."
        raise ValidationFailed(message, [_field("predecessor", message)])


def _district(postcode: str) -> str:
    """Return the postcode district (outward code) of a full postcode, or of a district given alone."""
    compact = "".join(postcode.split()).upper()
    return compact[:-3] if len(compact) >= 5 else compact


def _distinct(codes: list[str]) -> list[str]:
    seen: list[str] = []
    for code in codes:
        code = (code or "").strip().upper()
        if code and code not in seen:
            seen.append(code)
    return seen


def _pairs(authorities: list[Authority]) -> list[tuple[str, str]]:
    return [(a.code, a.name) for a in authorities]


def _field(name: str, message: str) -> dict:
    return {"field": name, "message": message}


def reorganise(
    session: Session, actor: Actor, fields: dict, now: datetime, *, dry_run: bool = False
) -> tuple[Plan, list[AuthorityChange]]:
    """Work out the reorganisation `fields` describe and, unless `dry_run`, record it; return both.

    `fields`: kind ("merge", "split" or "recode"), predecessors and successors (codes), effective_on,
    and optionally lead, officers, api_keys, subscriptions, source, districts and licences (a split's
    placements). A dry run writes nothing and audits nothing.
    """
    actor.require_scope("admin")
    kind = fields.get("kind")
    options = Options(
        fields.get("officers") or "move",
        fields.get("api_keys") or "move",
        fields.get("subscriptions") or "move",
    )
    common = {"options": options, "source": fields.get("source") or ""}
    predecessors, successors = list(fields.get("predecessors") or []), list(fields.get("successors") or [])
    effective_on = fields["effective_on"]
    if kind == "merge":
        plan = plan_merge(session, predecessors, (successors or [""])[0], effective_on, **common)
    elif kind == "recode":
        plan = plan_recode(
            session, (predecessors or [""])[0], (successors or [""])[0], effective_on, **common
        )
    elif kind == "split":
        plan = plan_split(
            session,
            (predecessors or [""])[0],
            successors,
            fields.get("lead") or "",
            effective_on,
            districts=fields.get("districts"),
            licences=fields.get("licences"),
            **common,
        )
    else:
        raise ValidationFailed("Unknown kind of change.", [_field("kind", "Must be merge, split or recode.")])
    return plan, ([] if dry_run else apply(session, plan, now, actor))
