"""Finding any of the council's own records: its applications, licences and s.2 register entries.

An officer searches by name, date of birth, badge, NI number or driving licence number, any together.
Names are compared by the matching engine's rules (licensing/matching/names.py), so a spelling the
engine calls one name (Mohamed Ali, Muhammad Aly) finds the record. The engine's match keys find the
records first wherever they can: an NI number or a driver number is one key, and a name with a date of
birth is the keys a screening stores ("nd", "sd", "sgd"). A date of birth alone is read from the
records, and a name alone is compared with the names of the council's own records, a few thousand.

Every record found is then checked against every detail given, so adding a detail only narrows the
list. Only the council's own records are searched (`own_authorities`); records of other councils are
reached through a screening, which audits what it shows.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from licensing.actors import Actor
from licensing.errors import ValidationFailed
from licensing.identity.validation import valid_form
from licensing.licences import queries
from licensing.matching import Person, match_keys
from licensing.matching.names import INITIAL, PHONETIC, relate
from licensing.matching.normalise import name_tokens
from licensing.persistence import pages
from licensing.persistence.models import Application, Licence
from licensing.register import queries as register_queries
from licensing.screening.candidates import probe
from licensing.screening.key_index import key_hash

# The kinds found, in the order they are listed.
KINDS = ("licence", "application", "register_entry")
KIND_RANK = {kind: rank for rank, kind in enumerate(KINDS)}
KEY_TYPES = (int, int)  # a page's key: (kind rank, id)
NAME_BATCH = 5000  # names read at a time when a name is searched without a date of birth
BADGE_WIDTH = 32
NAME_WIDTH = 200


@dataclass(frozen=True)
class Query:
    """What an officer searches by; empty values are left out."""

    name: str = ""
    date_of_birth: date | None = None
    badge_number: str = ""
    ni_number: str = ""
    driving_licence_number: str = ""


@dataclass(frozen=True)
class Found:
    """One record found: what the list shows of it."""

    kind: str
    id: int
    ref: str
    name: str
    date_of_birth: date
    status: str
    badge_number: str | None = None

    @property
    def key(self) -> tuple[int, int]:
        """Return the record's place in the list."""
        return KIND_RANK[self.kind], self.id


def own_authorities(session: Session, actor: Actor) -> tuple[int, ...]:
    """Return the authorities whose records the actor's council searches as its own: its own, and after a
    reorganisation those of its predecessors (the actor's answered authorities, from the resolver).

    The one place that says so: every query of this module filters by what it returns.
    """
    actor.require_authority()
    return actor.authority_ids


def search(
    session: Session,
    actor: Actor,
    query: Query,
    *,
    after: tuple | None = None,
    limit: int = pages.DEFAULT_LIMIT,
) -> pages.Page:
    """Return a page of the council's own records matching every detail of `query`, after key `after`."""
    wanted = _cleaned(query)
    authorities = own_authorities(session, actor)
    agreeing = (
        _found(kind, r) for kind, r in _candidates(session, authorities, wanted) if _agrees(r, wanted)
    )
    found = sorted({f.key: f for f in agreeing}.values(), key=lambda f: f.key)
    if after is not None:
        found = [f for f in found if f.key > tuple(after)]
    limit = max(1, min(limit, pages.MAX_LIMIT))
    return pages.take(found, limit, lambda f: f.key)


@dataclass(frozen=True)
class _Wanted:
    """A query in the forms records are compared in."""

    tokens: tuple[str, ...]
    date_of_birth: date | None
    badges: frozenset[str]
    ni_number: str | None
    driving_licence_number: str | None


def _cleaned(query: Query) -> _Wanted:
    """Return the query's details as compared; refuse an empty query or an identifier that cannot be one."""
    errors = []
    ni = dl = None
    if (query.ni_number or "").strip():
        ni = valid_form("ni_number", query.ni_number)
        if ni is None:
            errors.append(_error("ni_number", "Enter an NI number in the right format, like QQ123456C."))
    if (query.driving_licence_number or "").strip():
        dl = valid_form("driving_licence_number", query.driving_licence_number)
        if dl is None:
            message = (
                "Enter a full driving licence number: 16 characters (GB) or 8 digits (Northern Ireland)."
            )
            errors.append(_error("driving_licence_number", message))
    name = (query.name or "").strip()
    if len(name) > NAME_WIDTH:
        errors.append(_error("name", f"A name has at most {NAME_WIDTH} characters."))
    badge = (query.badge_number or "").strip()
    if len(badge) > BADGE_WIDTH:
        errors.append(_error("badge_number", f"A badge number has at most {BADGE_WIDTH} characters."))
    tokens = tuple(name_tokens(name, family=True)) if name else ()
    if name and not tokens and not errors:
        errors.append(_error("name", "Enter a name with at least one letter."))
    if errors:
        raise ValidationFailed("Check the details to search by.", errors)
    wanted = _Wanted(tokens, query.date_of_birth, frozenset({badge, badge.upper()} - {""}), ni, dl)
    if not (wanted.tokens or wanted.date_of_birth or wanted.badges or ni or dl):
        message = "Enter a name, date of birth, badge number, NI number or driving licence number."
        raise ValidationFailed(message, [_error("name", message)])
    return wanted


def _candidates(session: Session, authorities, wanted: _Wanted) -> Iterable[tuple[str, object]]:
    """Yield (kind, record) of the records worth checking, found the cheapest way the query allows."""
    if wanted.badges:  # a badge belongs to a licence, and is unique in its council
        licences = queries.own_licences_with_badges(session, authorities, set(wanted.badges))
        yield from (("licence", licence) for licence in licences)
    elif wanted.ni_number:
        yield from _by_keys(session, authorities, match_keys(Person("", "", ni_number=wanted.ni_number)))
    elif wanted.driving_licence_number:
        number = wanted.driving_licence_number
        yield from _by_keys(session, authorities, match_keys(Person("", "", driving_licence_number=number)))
    elif wanted.tokens and wanted.date_of_birth:
        person = Person(" ".join(wanted.tokens[:-1]), wanted.tokens[-1], date_of_birth=wanted.date_of_birth)
        # Every token as a surname too: an officer may type the names in any order.
        swapped = Person(" ".join(wanted.tokens[1:]), wanted.tokens[0], date_of_birth=wanted.date_of_birth)
        yield from _by_keys(session, authorities, match_keys(person) | match_keys(swapped))
    elif wanted.date_of_birth:
        born = wanted.date_of_birth
        yield from (("licence", r) for r in queries.own_records_born_on(session, Licence, authorities, born))
        yield from (
            ("application", r) for r in queries.own_records_born_on(session, Application, authorities, born)
        )
        yield from (
            ("register_entry", r) for r in register_queries.own_entries_born_on(session, authorities, born)
        )
    else:
        yield from _by_names(session, authorities, wanted.tokens)


def _by_keys(session: Session, authorities, keys: set[str]) -> Iterable[tuple[str, object]]:
    """Yield the council's own records the match-key index holds under any of `keys`."""
    hits = probe(session, {"query": {key_hash(key) for key in keys}})["query"]
    ids = {kind: {record_id for hit_kind, record_id in hits if hit_kind == kind} for kind in KINDS}
    yield from _own(session, authorities, ids)


def _by_names(session: Session, authorities, tokens: tuple[str, ...]) -> Iterable[tuple[str, object]]:
    """Yield the council's own records whose names agree with `tokens`, read a batch at a time."""
    readers: dict[str, Callable] = {
        "licence": lambda after: queries.own_names_after(session, Licence, authorities, after, NAME_BATCH),
        "application": lambda after: queries.own_names_after(
            session, Application, authorities, after, NAME_BATCH
        ),
        "register_entry": lambda after: register_queries.own_entry_names_after(
            session, authorities, after, NAME_BATCH
        ),
    }
    ids: dict[str, set[int]] = {}
    for kind, read in readers.items():
        ids[kind], after = set(), 0
        while rows := read(after):
            ids[kind].update(row.id for row in rows if names_agree(tokens, _tokens_of(row)))
            after = rows[-1].id
    yield from _own(session, authorities, ids)


def _own(session: Session, authorities, ids: dict[str, set[int]]) -> Iterable[tuple[str, object]]:
    """Yield the records of these ids that the council holds, by kind."""
    for licence in queries.own_records_with_ids(session, Licence, authorities, ids.get("licence", ())):
        yield "licence", licence
    for application in queries.own_records_with_ids(
        session, Application, authorities, ids.get("application", ())
    ):
        yield "application", application
    for entry in register_queries.own_entries_with_ids(session, authorities, ids.get("register_entry", ())):
        yield "register_entry", entry


def _tokens_of(record) -> tuple[str, ...]:
    """Return every name token of a record: given names, surname and former names."""
    previous = [p for p in (record.previous_names or "").split(";") if p.strip()]
    tokens = [*name_tokens(record.given_names), *name_tokens(record.family_name, family=True)]
    for name in previous:
        tokens += name_tokens(name, family=True)
    return tuple(tokens)


def names_agree(wanted: tuple[str, ...], held: tuple[str, ...]) -> bool:
    """Tell whether every name token searched for is one of the record's, by the engine's name rules.

    A token agrees with a variant, nickname, romanisation, slight misspelling or one that sounds the
    same (licensing/matching/names.py, `relate`); an initial agrees with a name it begins.
    """
    if not held:
        return False
    for token in wanted:
        best = min(relate(token, other).level for other in held)
        if best > (INITIAL if len(token) == 1 else PHONETIC):
            return False
    return True


def _found(kind: str, record) -> Found:
    """Describe one record as the list shows it."""
    return Found(
        kind=kind,
        id=record.id,
        ref=record.ref,
        name=f"{record.given_names} {record.family_name}".strip(),
        date_of_birth=record.date_of_birth,
        status=record.status,
        badge_number=getattr(record, "badge_number", None),
    )


def _agrees(record, wanted: _Wanted) -> bool:
    """Tell whether a record agrees with every detail searched for."""
    if wanted.tokens and not names_agree(wanted.tokens, _tokens_of(record)):
        return False
    if wanted.date_of_birth and record.date_of_birth != wanted.date_of_birth:
        return False
    if wanted.badges and getattr(record, "badge_number", None) not in wanted.badges:
        return False
    if wanted.ni_number and valid_form("ni_number", record.ni_number) != wanted.ni_number:
        return False
    held = valid_form("driving_licence_number", record.driving_licence_number)
    return not wanted.driving_licence_number or held == wanted.driving_licence_number


def _error(field: str, message: str) -> dict:
    """Return one field's error as ValidationFailed carries it."""
    return {"field": field, "message": message}
