"""Fellegi-Sunter scoring of a pair: summed field weights, a prior, look-alike rules and bands."""

from dataclasses import dataclass
from math import exp2, log2

from licensing.matching.fields import (
    compare_address,
    compare_dob,
    compare_licence,
    compare_ni,
    compare_postcode,
    years_apart,
)
from licensing.matching.model import BANDS, Match
from licensing.matching.namefields import MAX_NAME_WEIGHT, compare_names, names_ceiling
from licensing.matching.outcome import DIFFERENT, MISSING, SAME, SOUNDS_ALIKE, Outcome
from licensing.matching.prepared import Prepared, prepare, prepare_fields

# Two records drawn at random from a register of about a million people are the same person about
# once in a million pairs; the field weights' u-probabilities are measured against that same draw.
PRIOR = log2(1 / 1_000_000)
# Surname and given names together never weigh more than this, however they agree (see namefields).
NAMES_MOST = 2 * MAX_NAME_WEIGHT


@dataclass(frozen=True)
class Thresholds:
    """The lowest score of each band, best band first."""

    match: float = 0.9
    probable: float = 0.7
    possible: float = 0.4
    weak: float = 0.1

    @property
    def look_alike_cap(self) -> float:
        """Return the highest score a look-alike may get: the middle of the `possible` band."""
        return (self.possible + self.probable) / 2


DEFAULT_THRESHOLDS = Thresholds()


def band(score: float, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> str | None:
    """Return the band `score` falls in, or None below `weak`."""
    return next((name for name in BANDS if score >= getattr(thresholds, name)), None)


def probability(total: float) -> float:
    """Turn summed log2 odds into a probability."""
    if total < -60:
        return 0.0
    return 1.0 / (1.0 + exp2(-total))


def _field_outcomes(a: Prepared, b: Prepared) -> dict[str, Outcome]:
    """Compare every field but the names (the cheap part of a comparison)."""
    postcode = compare_postcode(a, b)
    return {
        "dob": compare_dob(a, b),
        "postcode": postcode,
        "address": compare_address(a, b, postcode),
        "ni": compare_ni(a, b),
        "licence": compare_licence(a, b),
    }


@dataclass(frozen=True, slots=True)
class Fields:
    """A pair compared on everything but the names, and the most its names could add."""

    outcomes: dict[str, Outcome]
    weight: float  # the summed weight of `outcomes`
    ceiling: float


def compare_fields(a, b) -> Fields:
    """Compare all but the names of `a` and `b`; `ceiling` is a score `compare` can never exceed.

    The names are the dear part of a comparison; a pair whose identifiers, DOB and address already
    rule it out below a cut can be dropped without comparing them, and a pair that is kept need not
    compare those fields again (pass the result to `compare`).
    """
    outcomes = _field_outcomes(prepare_fields(a), prepare_fields(b))
    total = sum(o.weight for o in outcomes.values())
    return Fields(outcomes, total, round(probability(PRIOR + NAMES_MOST + total), 4))


def _household(out: dict[str, Outcome]) -> str:
    """Return " and address" when the two records share an address."""
    return " and address" if SAME in (out["postcode"].tag, out["address"].tag) else ""


def _look_alike(out: dict[str, Outcome], a: Prepared, b: Prepared) -> dict[str, Outcome] | None:
    """Return the outcomes with a note saying which look-alike this pair may be, or None if it is none.

    Given names alike only in sound count as different here: brothers are Zahid and Saeed.
    """
    other_given = out["given"].tag in (DIFFERENT, SOUNDS_ALIKE)
    names_agree = out["surname"].tag not in (DIFFERENT, MISSING) and not other_given
    if other_given and out["surname"].tag not in (DIFFERENT, MISSING):
        return {**out, "given": out["given"].with_note(_relative(out, a, b))}
    if out["dob"].tag == DIFFERENT and names_agree:
        return {**out, "dob": out["dob"].with_note(_same_name(out, a, b))}
    if DIFFERENT in (out["ni"].tag, out["licence"].tag):
        return out
    if out["given"].tag == DIFFERENT and _household(out):
        return {**out, "postcode": out["postcode"].with_note("only the address agrees: possible housemate")}
    return None


def _relative(out: dict[str, Outcome], a: Prepared, b: Prepared) -> str:
    """Word the look-alike for a shared surname with another given name."""
    home = _household(out)
    if out["dob"].tag == SAME:
        return f"same surname, DOB{home}: possible twin"
    if a.dob and b.dob and abs(a.dob.year - b.dob.year) <= 15:
        return f"same surname{home}, DOB {years_apart(a.dob, b.dob)} apart: possible sibling"
    return f"same surname{home}: possible relative or namesake"


def _same_name(out: dict[str, Outcome], a: Prepared, b: Prepared) -> str:
    """Word the look-alike for the same name with another DOB."""
    apart = abs(a.dob.year - b.dob.year)
    if 15 <= apart <= 50 and _household(out):
        return f"same name{_household(out)}: possible father and son, or parent and child"
    return f"same name, another DOB{_household(out)}: possible namesake or relative"


def compare(
    a, b, frequencies=None, thresholds: Thresholds = DEFAULT_THRESHOLDS, fields: Fields | None = None
) -> Match:
    """Score how likely `a` and `b` are one person, with a band and one evidence line per field."""
    pa, pb = prepare(a), prepare(b)
    surname, given = compare_names(pa, pb, frequencies)
    out = {"surname": surname, "given": given, **(fields or compare_fields(a, b)).outcomes}
    score = probability(PRIOR + sum(o.weight for o in out.values()))
    strong = SAME in (out["ni"].tag, out["licence"].tag)
    flagged = None if strong else _look_alike(out, pa, pb)
    if flagged is not None:
        out, score = flagged, min(score, thresholds.look_alike_cap)
    evidence = [o.line for o in out.values() if o.tag != MISSING]
    score = round(score, 4)
    return Match(score, band(score, thresholds), evidence)


def ceiling(a, b, frequencies=None, fields: Fields | None = None) -> float:
    """Return a score `compare(a, b, frequencies)` can never exceed, at a fraction of its cost.

    The other fields count exactly; the names count at the most their tokens' shares allow (see
    `names_ceiling`): a common name agreeing cannot lift a pair whose identifiers disagree. Pass the
    pair's `compare_fields` as `fields` if it was already compared.
    """
    fields = fields or compare_fields(a, b)
    names = min(names_ceiling(prepare(a), prepare(b), frequencies), NAMES_MOST)
    return round(probability(PRIOR + names + fields.weight), 4)
