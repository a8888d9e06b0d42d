"""A person's identity as it comes in: one rule for the API, the officer forms, the CSV imports, bulk
screening, ad hoc screening and police intelligence, and (lenient about the names) subject access.

Names are required, and each name (previous names too) must be written in letters: it may not hold a
control character, a text-direction control such as U+202E (it makes a name display in another order than
it is stored, so two records that look alike are not) or another invisible formatting character, and it
must hold at least one letter, so whitespace, punctuation or combining marks alone are no name. The other
identity fields may not hold control or formatting characters either (an address keeps its line breaks).
A date of birth that cannot be read, or is not plausible, refuses the identity: it is never silently
absent. An identifier (postcode, NI number, driving licence number) that the matching
engine's validators accept is stored in its standard form; one they refuse is kept as given and
flagged "not valid". The engine derives match keys only from values its validators accept, so a kept
value never becomes an exact key, and nothing a council typed is lost. The flags, with what a valid
licence number says about its holder, are the record's `identity_warnings`: a function of the stored
identity, so they are written again whenever it changes (README: "Dates and identifiers on the way in").
"""

import re
import unicodedata
from datetime import date

from licensing.dates import UnreadableDate, birth_problem, read_date, sentence
from licensing.errors import ValidationFailed
from licensing.identity.fields import IDENTITY_FIELDS, NAMES
from licensing.matching import remarks_on_licence
from licensing.matching.identifiers import (
    IN_TEXT,
    NI_NUMBER,
    NORTHERN_IRELAND_LICENCE,
    SEPARATORS,
    normalise_licence,
    normalise_postcode,
)
from licensing.persistence.models import Identity

SEX_WORDS = {"f": "F", "female": "F", "m": "M", "male": "M", "x": "X"}
# What forms and exports write when the sex was not recorded: the same as an empty value.
UNKNOWN_SEX = ("u", "unknown", "not known", "n/k", "nk", "not stated", "prefer not to say")
# The engine's remarks on a valid licence number read "licence number encodes another DOB (...)".
_REMARK = "licence number "
# Unicode categories of characters no identity field holds: controls, invisible formatting (the
# text-direction overrides and isolates among them), surrogates, private use, and line or paragraph
# separators other than the line breaks an address keeps.
UNWRITTEN = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp"})
# The zero-width joiner and non-joiner are formatting characters that Persian and Indic names need.
JOINERS = frozenset("\u200c\u200d")
ADDRESS_BREAKS = frozenset("\n\r\t")
# The same rule for ASCII text, by breaks kept: its only such characters are its controls.
_ASCII_CONTROLS = {
    False: re.compile(r"[\x00-\x1f\x7f]"),
    True: re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"),
}
_ASCII_LETTER = re.compile(r"[A-Za-z]")
_TEXTS = (*NAMES, "address")  # kept as given, but for the white space around them


def _ni_number(text: str) -> str | None:
    """Return a valid NI number without spaces (its suffix letter kept when given), or None."""
    compact = SEPARATORS.sub("", text.upper())
    return compact if NI_NUMBER.match(compact) else None


def _licence_number(text: str) -> str | None:
    """Return a valid GB driver number, or a Northern Ireland one (eight digits), or None."""
    compact = SEPARATORS.sub("", text.upper())
    return normalise_licence(text) or (compact if NORTHERN_IRELAND_LICENCE.match(compact) else None)


STANDARD = {
    "postcode": normalise_postcode,
    "ni_number": _ni_number,
    "driving_licence_number": _licence_number,
}
WIDTHS = {
    name: field.metadata[0].max_length
    for name, field in Identity.model_fields.items()
    if field.metadata and hasattr(field.metadata[0], "max_length")
}


def clean_identity(fields: dict, today: date, *, lenient: bool = False) -> tuple[dict, list[dict]]:
    """Return the identity in stored form and its warnings; raise ValidationFailed naming each bad field.

    Strict, as every record is stored: the names are required. `lenient` lets them be left out, for
    a search by identifier alone; every other rule holds.
    """
    values = {name: (fields.get(name) or "").strip() for name in _TEXTS}
    values["previous_names"] = _previous_names(fields.get("previous_names"))
    errors = _text_errors(values, fields)
    values["sex"] = _sex(fields.get("sex"), errors)
    values["date_of_birth"] = _date_of_birth(fields.get("date_of_birth"), today, errors)
    given = {name: (fields.get(name) or "").strip() for name in STANDARD}
    valid = {name: STANDARD[name](text) if text else None for name, text in given.items()}
    values |= {name: valid[name] or given[name] or None for name in STANDARD}
    required = () if lenient else NAMES
    errors += [_error(name, "Required.") for name in required if not values[name]]
    errors += [
        _error(name, f"At most {width} characters.")
        for name, width in WIDTHS.items()
        if len(values.get(name) or "") > width
    ]
    if errors:
        raise ValidationFailed("The identity is not valid.", sorted(errors, key=_field_order))
    return values, _warnings(values, valid)


def name_problem(name: str) -> str | None:
    """Say what is wrong with one name: a character no name holds, or no letter at all."""
    if problem := text_problem(name):
        return problem
    if not (_ASCII_LETTER.search(name) if name.isascii() else _has_letter(name)):
        return "must hold at least one letter"
    return None


def text_problem(text: str, breaks: bool = False) -> str | None:
    """Name the first control or invisible formatting character in `text` (line breaks kept if `breaks`)."""
    # Most names and addresses are ASCII, whose only such characters are its controls: one regex search
    # instead of a lookup per character keeps an import of a million rows as quick as it was.
    if text.isascii():
        found = _ASCII_CONTROLS[breaks].search(text)
        char = found[0] if found else None
    else:
        keep = JOINERS | ADDRESS_BREAKS if breaks else JOINERS
        char = next((c for c in text if unicodedata.category(c) in UNWRITTEN and c not in keep), None)
    return f"must not hold the control or formatting character U+{ord(char):04X}" if char else None


def _has_letter(text: str) -> bool:
    """Tell whether `text` holds a letter of any script."""
    return any(unicodedata.category(char).startswith("L") for char in text)


def _text_errors(values: dict, fields: dict) -> list[dict]:
    """Return an error for each identity field holding what it may not, names by the name rule."""
    names = [values[name] for name in NAMES if values[name]]
    names += values["previous_names"].split(";") if values["previous_names"] else []
    identifiers = [fields[name] for name in STANDARD if isinstance(fields.get(name), str)]
    # Most identities are ASCII with no control character and a letter in each name: said in a few
    # searches, and only an identity that is not is looked at field by field.
    plain = _plain_ascii("".join(names + identifiers), values["address"])
    if plain and all(map(_ASCII_LETTER.search, names)):
        return []
    problems = {name: name_problem(values[name]) for name in NAMES if values[name]}
    for previous in values["previous_names"].split(";") if values["previous_names"] else ():
        problems["previous_names"] = problems.get("previous_names") or name_problem(previous)
    problems["address"] = text_problem(values["address"], breaks=True)
    for name in STANDARD:
        problems[name] = text_problem(fields.get(name) or "") if isinstance(fields.get(name), str) else None
    return [_error(name, sentence(problem)) for name, problem in problems.items() if problem]


def _plain_ascii(text: str, address: str) -> bool:
    """Tell whether `text` and `address` are ASCII with no control character (the address's breaks aside)."""
    return (
        text.isascii()
        and address.isascii()
        and not _ASCII_CONTROLS[False].search(text)
        and not _ASCII_CONTROLS[True].search(address)
    )


def valid_form(name: str, text: str | None) -> str | None:
    """Return an identifier in its standard form if its validator accepts it, else None."""
    return STANDARD[name](text) if (text or "").strip() else None


def is_valid(name: str, value: str | None) -> bool:
    """Tell whether an identifier's validator accepts `value`."""
    return valid_form(name, value) is not None


def hide_identifiers(text: str, mask: str) -> str:
    """Return `text` with each identifier written in it, valid or not, replaced by `mask`."""
    return IN_TEXT.sub(mask, text)


def identity_warnings(values: dict) -> list[dict]:
    """Return what is wrong with an identity's identifiers, as [{"field", "warning"}], in field order."""
    return _warnings(values, {name: valid_form(name, values.get(name)) for name in STANDARD})


def _warnings(values: dict, valid: dict) -> list[dict]:
    """Return the warnings of an identity whose identifiers' standard forms (None: not valid) are known."""
    found = [{"field": name, "warning": "not valid"} for name in STANDARD if values[name] and not valid[name]]
    licence = valid["driving_licence_number"]
    # A GB number says who holds it; a Northern Ireland one does not.
    if licence and not NORTHERN_IRELAND_LICENCE.match(licence):
        names = (values["family_name"], *filter(None, (values["previous_names"] or "").split(";")))
        remarks = remarks_on_licence(licence, names, values["date_of_birth"], values["sex"])
        found += [{"field": "driving_licence_number", "warning": r.removeprefix(_REMARK)} for r in remarks]
    return found


def warning_kind(warning: dict) -> str:
    """Return the kind of a warning, for counting ("ni_number not valid", "... encodes another DOB")."""
    return f"{warning['field']} {warning['warning'].split(' (')[0]}"


def _previous_names(given) -> str:
    """Return previous names (a list, or ';'-separated text) as the register stores them."""
    names = given.split(";") if isinstance(given, str) else (given or [])
    return ";".join(name.strip() for name in names if name and name.strip())


def _sex(given, errors: list[dict]) -> str | None:
    """Return F, M or X from the words forms use, None when not recorded; note an unreadable value."""
    word = (given or "").strip().lower()
    if not word or word in UNKNOWN_SEX:
        return None
    if word not in SEX_WORDS:
        errors.append(_error("sex", f"Must be F, M or X (female, male), not {given.strip()!r}."))
    return SEX_WORDS.get(word)


def _date_of_birth(given, today: date, errors: list[dict]) -> date | None:
    """Return the date of birth (read if it is text), or None if not given; note why it is refused."""
    if given is None or (isinstance(given, str) and not given.strip()):
        return None
    try:
        born = given if isinstance(given, date) else read_date(given)
    except UnreadableDate as unreadable:
        errors.append(_error("date_of_birth", sentence(str(unreadable))))
        return None
    if problem := birth_problem(born, today):
        errors.append(_error("date_of_birth", sentence(problem)))
    return born


def _field_order(error: dict) -> int:
    """Return where an error's field comes in the identity."""
    return (
        IDENTITY_FIELDS.index(error["field"]) if error["field"] in IDENTITY_FIELDS else len(IDENTITY_FIELDS)
    )


def _error(name: str, message: str) -> dict:
    """Return one {field, message} validation error."""
    return {"field": name, "message": message}
