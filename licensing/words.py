"""The register's codes in plain English: one vocabulary for every page, file and message people read.

The register stores short codes ("phv", "refusal_of_grant", "clpd"); people read these names. Each table
names every code its field may hold (tests/licensing/test_words.py checks them against the models). An
audit event's action ("licence.suspended") and actor ("user:olive@council.example") are said in words by
`action_words` and `actor_words`.
"""

LICENCE_TYPES = {
    "hackney": "Hackney carriage",
    "phv": "Private hire",
    "dual": "Hackney carriage and private hire",
}
LICENCE_STATUSES = {
    "active": "Active",
    "suspended": "Suspended",
    "revoked": "Revoked",
    "expired": "Expired",
    "surrendered": "Surrendered",
}
APPLICATION_KINDS = {"new": "New", "renewal": "Renewal"}
DECISIONS = {
    "refusal_of_grant": "Refusal to grant",
    "refusal_of_renewal": "Refusal to renew",
    "suspension": "Suspension",
    "revocation": "Revocation",
}
DECISION_CATEGORIES = {
    "sexual_offences": "Sexual offences",
    "violence": "Violence",
    "dishonesty": "Dishonesty",
    "driving": "Driving",
    "other": "Other",
    "not_recorded": "Not recorded (brought in from NR3S)",
}
INTELLIGENCE_CATEGORIES = {
    "arrest": "Arrest",
    "charge": "Charge",
    "conviction": "Conviction",
    "caution": "Caution",
    "clpd": "Common law police disclosure",
    "other": "Other",
}
BANDS = {"match": "Match", "probable": "Probable match", "possible": "Possible match", "weak": "Weak match"}
VOCABULARIES = {
    "licence_type": LICENCE_TYPES,
    "licence_status": LICENCE_STATUSES,
    "application_kind": APPLICATION_KINDS,
    "decision": DECISIONS,
    "category": DECISION_CATEGORIES,
    "intelligence_category": INTELLIGENCE_CATEGORIES,
    "band": BANDS,
}
RECORD_KINDS = {
    "application": "Application",
    "licence": "Licence",
    "register_entry": "Register entry",
    "intelligence": "Intelligence",
    "information_request": "Information request (s.3)",
    "concern_report": "Concern report (s.5)",
    "candidate": "Screening candidate",
    "screening": "Screening",
}
# Actions whose words are not "<record> <verb>" with the underscores as spaces.
ACTIONS = {
    "licence.enforcement_checked": "Checked in an enforcement quick check",
    "licence.dbs_changed": "DBS details changed",
    "licence.placed": "Placed with a successor council",
    "licence.not_placed": "Not placed with a successor council",
    "register_entry.viewed": "Viewed by another council",
    "register_entry.export": "Exported in NR3S form",
    "intelligence.viewed": "Intelligence viewed",
    "candidate.ruled_out": "Ruled out: not the same person",
    "candidate.resolved": "Screening candidate reviewed",
    "screening.run": "Screened",
    "screening.bulk": "Bulk screening run",
    "subject_access.exported": "Subject access export",
    "information_request.received_deleted": "Information request answered: nothing held any more",
}
ACTORS = {"user": "{}", "api_client": "{} (API key)", "cli": "Command line ({})", "system": "Crosscheck"}


def counted(number: int, noun: str, plural: str | None = None) -> str:
    """Return a count with its noun: "1 record", "3 records", "1,204 people", "2 licences expire"."""
    return f"{number:,} {noun if number == 1 else plural or noun + 's'}"


def named(code: str | None, vocabulary: str) -> str:
    """Return the plain name of `code` in one of VOCABULARIES ("phv", "licence_type": "Private hire").

    A code with no name is shown as it is, its underscores as spaces, rather than hidden.
    """
    if code is None:
        return ""
    return VOCABULARIES[vocabulary].get(code) or code.replace("_", " ").capitalize()


def action_words(action: str) -> str:
    """Return an audit event's action in words: "licence.suspended" is "Licence suspended"."""
    if action in ACTIONS:
        return ACTIONS[action]
    kind, _, verb = action.partition(".")
    record = RECORD_KINDS.get(kind) or kind.replace("_", " ").capitalize()
    return f"{record} {verb.replace('_', ' ')}".strip()


def actor_words(label: str) -> str:
    """Return who acted, from an audit event's actor label ("user:olive@council.example", "system")."""
    kind, _, name = label.partition(":")
    pattern = ACTORS.get(kind)
    return pattern.format(name) if pattern is not None else label
