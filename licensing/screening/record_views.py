"""What a council may see of a record a screening found, and loading what those views need.

One rule for every way out (the API, the officer pages, the bulk screening CSV): a council sees its own
records in full. Of anyone else's (another council's licence, application or register entry) it sees
only what identifies the person: the names, date of birth, the council, the decision or licence and
its dates. The rest of the identity is said as whether it agrees with the person screened ("postcode:
different"), the NI and driving licence numbers with their last three characters; the address,
postcode and the numbers themselves stay with the recording council, and the reasons too: both come
only through a s.3 request (2022 Act s.2(4), s.3). The evidence lines obey the same rule. Intelligence
shows its category, date, force, reference and the summary the force marked shareable, never the
restricted summary nor the identity the force gave.
"""

import re
from collections import defaultdict
from collections.abc import Iterable

from sqlmodel import Session

from licensing.actors import Actor
from licensing.identity.fields import identity_of
from licensing.matching import Person, compare_fields, person_from
from licensing.matching.prepared import normal_sex
from licensing.screening import queries
from licensing.screening.key_index import KIND_MODELS

# What another council's record shows of the person as it is, and what it says only as agreement.
SHOWN_TO_OTHERS = ("given_names", "family_name", "previous_names", "date_of_birth")
AGREED = ("sex", "address", "postcode", "ni_number", "driving_licence_number")
MASKED = ("ni_number", "driving_licence_number")
KEPT_CHARACTERS = 3  # of a masked identifier: enough to tell two numbers apart, too few to use one
# The engine's outcome for each agreed field (sex is compared here: the engine does not weigh it).
_OUTCOMES = {
    "address": "address",
    "postcode": "postcode",
    "ni_number": "ni",
    "driving_licence_number": "licence",
}
# Evidence about these fields may quote values ("postcode: different (WV1 1AA vs B69 4RJ)"): a value
# always holds a digit, the engine's own words in brackets ("(possible twin)") never do.
_QUOTING = ("postcode", "address", "NI number", "licence number")
_QUOTED = re.compile(r"\s*\([^()]*\d[^()]*\)")
_LABEL = re.compile(r"^(?:postcode|address|NI number|licence number):?\s*")
_NOT_ALNUM = re.compile(r"[^0-9A-Z]+")


def load_views(session: Session, found: list[tuple[str, int]]) -> tuple[dict, dict]:
    """Load what the views of `found` (kind, id) records need: the records and their organisations.

    One statement per kind loads the records with their council's or force's code and name, and none
    flushes the session: the audit events the caller has added are written once, when it commits.
    """
    ids = defaultdict(list)
    for kind, record_id in found:
        ids[kind].append(record_id)
    records, names = {}, {}
    for kind, wanted in ids.items():
        for row in queries.records_with_organisation(session, KIND_MODELS[kind], wanted):
            records[(kind, row.id)] = row
            if row.organisation_id is not None:
                names[(row.organisation_kind, row.organisation_id)] = {
                    "code": row.organisation_code,
                    "name": row.organisation_name,
                }
    return records, names


def record_view(actor: Actor, kind: str, record, names: dict, subject: Person) -> dict | None:
    """Return what the actor's council may see of a record a screening of `subject` found (None: nothing)."""
    if kind == "intelligence":
        return _intelligence(record, names)
    view = {"kind": kind, "authority": names[("authority", record.authority_id)], **_facts(kind, record)}
    if kind == "register_entry":
        view["recorded_by_this_council"] = not is_elsewhere(record, actor)
    if is_elsewhere(record, actor):
        # The full record and the reasons are the recording council's to give, on a s.3 request.
        route = {"full_record": "information_request"} if kind == "register_entry" else {}
        return view | route | minimal_identity(record, subject)
    return view | {"view": "full"} | identity_of(record)


def minimal_identity(record, subject: Person) -> dict:
    """Return what anyone but the holding council may see of a record's identity, said against `subject`."""
    values = {name: value for name, value in identity_of(record).items() if name in SHOWN_TO_OTHERS}
    values["agreement"] = agreement(subject, person_from(record))
    values |= {f"{name}_masked": masked(getattr(record, name)) for name in MASKED}
    return {"view": "minimal"} | values


def agreement(subject: Person, other: Person) -> dict[str, str]:
    """Say field by field whether `other` agrees with `subject`, in the engine's words, without values."""
    outcomes = compare_fields(subject, other).outcomes
    words = {field: _LABEL.sub("", _unquoted(outcomes[key].line)) for field, key in _OUTCOMES.items()}
    return {"sex": _sex_agreement(subject.sex, other.sex)} | words


def masked(identifier: str | None) -> str | None:
    """Return an identifier with all but its last three letters and digits starred (None if none)."""
    compact = _NOT_ALNUM.sub("", (identifier or "").upper())
    if not compact:
        return None
    kept = compact[-KEPT_CHARACTERS:] if len(compact) > 2 * KEPT_CHARACTERS else ""
    return "*" * (len(compact) - len(kept)) + kept


def evidence_view(actor: Actor, record, lines: Iterable[str]) -> list[str]:
    """Return a candidate's evidence lines as the actor's council may read them (see minimal_evidence)."""
    if record is not None and not is_elsewhere(record, actor):
        return list(lines)
    return minimal_evidence(lines, person_from(record) if record is not None else None)


def minimal_evidence(lines: Iterable[str], person: Person | None = None) -> list[str]:
    """Return evidence lines without the values they quote of the address, postcode or identifiers.

    With the record's `person`, a line that still holds one of its values (a line the engine may word
    one day) says only that the field was compared.
    """
    shown = [_unquoted(line) for line in lines]
    values = _values_of(person) if person is not None else ()
    # All the lines are searched at once: a bulk run writes tens of thousands, and almost none hold one.
    if not values or not _holds_any(" ".join(shown), values):
        return shown
    return [line.split(":")[0] + ": compared" if _holds_any(line, values) else line for line in shown]


def is_elsewhere(record, actor: Actor) -> bool:
    """Tell whether a record belongs to someone other than the actor's authority (police: always).

    After a reorganisation a predecessor's records are the successor's own (`Actor.answers_for`).
    """
    record_authority_id = getattr(record, "authority_id", None)
    if actor.answers_for and actor.answers(record_authority_id):
        return False
    return holds_elsewhere(record_authority_id, actor.authority_id)


def holds_elsewhere(record_authority_id: int | None, viewer_authority_id: int | None) -> bool:
    """Tell whether a record held by `record_authority_id` is someone else's to a viewer of that council.

    A viewer of no council (an operator at the command line) and a police force's record are always
    someone else's.
    """
    return viewer_authority_id is None or record_authority_id != viewer_authority_id


def _intelligence(record, names: dict) -> dict | None:
    """Return what a council may see of an item of intelligence, or None once it is withdrawn."""
    if record.status != "active":
        return None  # withdrawn (e.g. no further action): no longer shared
    return {
        "kind": "intelligence",
        "force_name": names[("police_force", record.police_force_id)]["name"],
        "category": record.category,
        "occurred_on": record.occurred_on,
        "force_reference": record.force_reference,
        "shareable_summary": record.shareable_summary,
    }


def _facts(kind: str, record) -> dict:
    """Return what a record says of its decision or licence, which every council may see."""
    if kind == "register_entry":
        return {
            "register_entry_id": record.id,
            "decision": record.decision,
            "decided_on": record.decided_on,
            "effective_on": record.effective_on,
            "category": record.category,
        }
    if kind == "licence":
        return {"licence_status": record.status, "expires_on": record.expires_on}
    return {"received_on": record.received_on}


def _unquoted(line: str) -> str:
    """Return an evidence line without the values it quotes of the address, postcode or identifiers."""
    return _QUOTED.sub("", line) if "(" in line and line.startswith(_QUOTING) else line


def _sex_agreement(a: str | None, b: str | None) -> str:
    """Say whether two recorded sexes agree, in the engine's words for a missing field."""
    a, b = normal_sex(a), normal_sex(b)
    if not a or not b:
        return "not given on both records"
    return "same" if a == b else "different"


def _holds_any(text: str, values: tuple[str, ...]) -> bool:
    """Tell whether `text`, in capitals without spaces or punctuation, holds any of `values`."""
    compact = _NOT_ALNUM.sub("", text.upper())
    return any(value in compact for value in values)


def _values_of(person: Person) -> tuple[str, ...]:
    """Return a record's address, postcode and identifiers in capitals without spaces, for searching."""
    values = (person.address, person.postcode, person.ni_number, person.driving_licence_number)
    compact = (_NOT_ALNUM.sub("", (value or "").upper()) for value in values)
    return tuple(value for value in compact if len(value) >= 5)
