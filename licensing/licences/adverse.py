"""Adverse records found for an applicant: which candidates hold a grant, and what clears each one.

README, "Grant gate and monitoring policy". A register entry (a refusal, suspension or revocation
recorded by any council, this one included) or police intelligence is an adverse record. An entry is
never an automatic refusal (statutory guidance under the 2022 Act s.7), but it must be weighed: found
at `possible` or better, it holds a grant until an officer rules it is not the same person or, when it
is, until a manager records a decision on it for this application (licensing/licences/adverse_decisions.py).
Missing a revoked driver costs far more than an officer's look at a look-alike. Other candidates
(licences and applications elsewhere) hold a grant at `match` or `probable` until resolved either way.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from licensing.licences import queries
from licensing.persistence.models import InformationRequest, ScreeningCandidate
from licensing.persistence.models.decisions import ADVERSE_KINDS, AdverseDecision
from licensing.screening.candidates import ELIGIBLE
from licensing.screening.record_views import load_views

HOLDING_BANDS = {True: ("match", "probable", "possible"), False: ("match", "probable")}
DECISION_NAMES = {
    "refusal_of_grant": "refusal of grant",
    "refusal_of_renewal": "refusal of renewal",
    "suspension": "suspension",
    "revocation": "revocation",
}
CATEGORY_NAMES = {"clpd": "Common Law Police Disclosure"}
MATCH_WORDS = {"match": "match", "probable": "probable match", "possible": "possible match"}


@dataclass
class Finding:
    """A candidate of the latest screening that holds the grant until it is cleared."""

    candidate: (
        ScreeningCandidate  # or the row as licensing.screening.service wrote it, with the same attributes
    )
    adverse: bool
    own: bool  # a register entry the applicant's own council recorded
    description: str  # "Council B's revocation decided on 10 January 2025"
    recorded_by: dict | None  # the recording council or police force: {code, name}
    updated_at: datetime | None = None  # when the record last changed: a decision stands until it does
    decision: AdverseDecision | None = None  # the manager's decision that still stands, if any
    request: InformationRequest | None = None  # the council's s.3 request about the entry, if any

    @property
    def needs(self) -> str | None:
        """Return what still clears the candidate: "resolution", "decision", or None (cleared)."""
        resolution = self.candidate.resolution
        if resolution == "not_same_person" or (self.adverse and self.decision is not None):
            return None
        if not self.adverse:
            return None if resolution else "resolution"
        return "decision" if resolution == "same_person" else "resolution"


def holds_grant(adverse: bool, band: str) -> bool:
    """Tell whether a candidate in `band` holds a grant until cleared (adverse records from `possible`)."""
    return band in HOLDING_BANDS[adverse]


def findings(session: Session, application_id: int, authority_id: int, screening_id: int) -> list[Finding]:
    """Return the candidates of the screening that hold the application's grant, best first."""
    rows = queries.screening_candidates(session, screening_id)
    records, names = load_views(session, [(c.candidate_kind, c.candidate_id) for c in rows])
    found = []
    for candidate in rows:
        record = records.get((candidate.candidate_kind, candidate.candidate_id))
        adverse = _still_adverse(candidate.candidate_kind, record)
        if holds_grant(adverse, candidate.band):
            found.append(_finding(candidate, adverse, record, names, authority_id))
    _attach_decisions(session, application_id, found)
    _attach_requests(session, application_id, authority_id, found)
    return found


def _still_adverse(kind: str, record) -> bool:
    """Tell whether a found record is adverse and still in force (not overturned, not withdrawn)."""
    return kind in ADVERSE_KINDS and record is not None and record.status in ELIGIBLE[kind]


def _finding(candidate, adverse: bool, record, names: dict, authority_id: int) -> Finding:
    """Describe one holding candidate: whose record it is, and what it records."""
    kind = candidate.candidate_kind
    if record is None:
        return Finding(candidate, adverse, False, f"a {kind.replace('_', ' ')} no longer held", None)
    if kind == "intelligence":
        force = names[("police_force", record.police_force_id)]
        category = CATEGORY_NAMES.get(record.category, record.category)
        text = f"{force['name']}'s intelligence ({category}, {long_date(record.occurred_on)})"
        return Finding(candidate, adverse, False, text, force, record.updated_at)
    council = names[("authority", record.authority_id)]
    own = kind == "register_entry" and record.authority_id == authority_id
    owner = "this council's own" if own else f"{council['name']}'s"
    if kind == "register_entry":
        what = f"{DECISION_NAMES[record.decision]} decided on {long_date(record.decided_on)}"
    else:
        what = kind.replace("_", " ")
    return Finding(candidate, adverse, own, f"{owner} {what}", council, record.updated_at)


def _attach_decisions(session: Session, application_id: int, found: list[Finding]) -> None:
    """Give each adverse finding the manager's latest decision on its record, if the record is unchanged."""
    wanted = {(f.candidate.candidate_kind, f.candidate.candidate_id): f for f in found if f.adverse}
    if not wanted:
        return
    for decision in queries.adverse_decisions_on(session, application_id):
        finding = wanted.get((decision.record_kind, decision.record_id))
        if finding is not None:  # later decisions replace earlier ones
            finding.decision = decision if decision.record_updated_at == finding.updated_at else None


def _attach_requests(session: Session, application_id: int, authority_id: int, found: list[Finding]) -> None:
    """Give each other council's adverse entry the s.3 request this council made about it, if any.

    A request made for this application counts first; one made without naming an application counts
    too (the information was still asked for about this person). Withdrawn requests do not count.
    """
    entries = {f.candidate.candidate_id: f for f in found if _asks_s3(f)}
    if not entries:
        return
    for request in queries.requests_about_entries(session, authority_id, application_id, entries):
        finding = entries[request.register_entry_id]
        if finding.request is None or request.application_id is not None:
            finding.request = request


def _asks_s3(finding: Finding) -> bool:
    """Tell whether s.3 applies to a finding: another council's register entry."""
    return finding.adverse and not finding.own and finding.candidate.candidate_kind == "register_entry"


def outstanding(found: list[Finding], screening_id: int) -> list[str]:
    """Say, one sentence each, what must still happen before a grant."""
    reasons = []
    for finding in found:
        candidate = finding.candidate
        if finding.adverse and finding.needs == "resolution":
            reasons.append(
                f"Resolve the {MATCH_WORDS[candidate.band]} with {finding.description}: an officer must "
                "say whether it is the same person."
            )
        elif finding.needs == "decision":
            reasons.append(
                f"A manager must record a decision on {finding.description}, which {candidate.resolved_by} "
                f"found to be the same person on {long_date(candidate.resolved_at)}."
            )
    others = [f for f in found if not f.adverse and f.needs == "resolution"]
    if others:
        reasons.append(
            f"{len(others)} candidate(s) in the match or probable band of screening {screening_id} "
            "must be resolved by an officer first."
        )
    return reasons


def cleared(found: list[Finding]) -> list[str]:
    """Say, one sentence each, which ruling or decision cleared each adverse record."""
    lines = []
    for finding in found:
        if not finding.adverse or finding.needs is not None:
            continue
        decision, candidate = finding.decision, finding.candidate
        if decision is not None:
            lines.append(
                f"{_capital(finding.description)}: weighed by {decision.decided_by} on "
                f"{long_date(decision.decided_at)}. {information_text(decision, finding.request)} "
                f"Reason: {decision.reason}"
            )
        else:
            lines.append(
                f"{_capital(finding.description)}: not the same person, ruled by {candidate.resolved_by} "
                f"on {long_date(candidate.resolved_at)}. Reason: {candidate.resolution_reason}"
            )
    return lines


def information_text(decision: AdverseDecision, request: InformationRequest | None) -> str:
    """Say whether the s.3 information was asked for and answered when the manager decided.

    `request` is the council's s.3 request about the entry, if any; its dates are given when it is the
    one the decision rests on.
    """
    if decision.information == "not_applicable" and decision.record_kind == "intelligence":
        return "A s.3 request does not apply to police intelligence."
    if decision.information == "not_applicable":
        return "A s.3 request does not apply: this is the council's own entry."
    if decision.information == "not_requested":
        return "No s.3 request was made."
    if request is None or request.id != decision.information_request_id:
        request = None
    if decision.information == "answered":
        when = f" on {long_date(request.requested_at)}" if request else ""
        answered = f" on {long_date(request.responded_at)}" if request else ""
        return f"The s.3 information was asked for{when} and answered{answered}."
    due = f", {long_date(request.due_on)}" if request else ""
    return f"The s.3 request had not been answered by its due date{due}."


def long_date(value) -> str:
    """Return a date as people write it: 3 March 2027."""
    day = value.date() if hasattr(value, "date") else value
    return f"{day.day} {day:%B %Y}" if isinstance(day, date) else ""


def _capital(text: str) -> str:
    """Return `text` with its first letter capitalised, the rest untouched."""
    return text[:1].upper() + text[1:]
