"""Compare surnames and given names: group variants, nicknames, typos, reordering, former names, swaps."""

from dataclasses import replace
from functools import lru_cache
from math import prod

from licensing.matching.frequencies import FLOOR, share
from licensing.matching.names import (
    DIFFERENT,
    EXACT,
    GIVEN,
    INITIAL,
    NICKNAME,
    PHONETIC,
    ROMANISED,
    SURNAME,
    TYPO,
    VARIANT,
    relate,
)
from licensing.matching.names import group_key as gk
from licensing.matching.outcome import CLOSE, MISSING, SAME, SOUNDS_ALIKE, Outcome, missing, weight
from licensing.matching.outcome import DIFFERENT as DIFFERS
from licensing.matching.prepared import Prepared

# log2 penalties against exact agreement, per relation: m falls faster than u as spelling drifts.
PENALTY = {EXACT: 0.0, VARIANT: 0.5, ROMANISED: 1.0, NICKNAME: 1.0, TYPO: 2.5, PHONETIC: 5.0}
MAX_NAME_WEIGHT = 13.0
SURNAME_DIFFERS = weight(0.05, 0.99)  # m: marriage or deed poll nobody recorded
GIVEN_DIFFERS = weight(0.03, 0.99)
# One given name shared, another contradicting it (Mohammed Imran / Mohammed Tariq).
GIVEN_CONFLICTS = weight(0.06, 0.9)
SWAP_PENALTY = 1.0


def _title(tokens) -> str:
    """Return tokens as a display name."""
    return " ".join(t.title() for t in tokens)


def _base(fq, kind: str, tokens) -> float:
    """Return the exact-agreement weight of these tokens, from how common their groups are."""
    shares = prod(share(fq, kind, gk(t)) for t in tokens)
    return min(weight(0.9, max(shares, FLOOR[kind] / 10)), MAX_NAME_WEIGHT)


def _best_pair(xs, ys) -> tuple[int, str, str]:
    """Return the strongest relation between any token of xs and any of ys, with the two tokens."""
    best = (DIFFERENT, xs[0], ys[0])
    for x in xs:
        for y in ys:
            level = relate(x, y).level
            if level < best[0]:
                best = (level, x, y)
    return best


def _surname_outcome(fq, level: int, x: str, y: str, partial: bool) -> Outcome:
    """Weigh and word one surname relation."""
    base = _base(fq, SURNAME, [x])
    if level == EXACT and not partial:
        return Outcome(base, f"surname: same ({x.title()})", SAME)
    if level in PENALTY:
        w = base - PENALTY[level] if level < PHONETIC else min(max(base - PENALTY[level], 0.5), 3.0)
        w = max(w, 2.0) if level == TYPO else w
        what = "shares" if partial and level == EXACT else relate(x, y).wording
        line = f"surname: {what} {x.title()} ~ {y.title()}"
        return Outcome(w - (2.0 if partial else 0.0), line, CLOSE)
    return Outcome(SURNAME_DIFFERS, f"surname: different ({x.title()} vs {y.title()})", DIFFERS)


def compare_surnames(a: Prepared, b: Prepared, fq) -> Outcome:
    """Compare surnames, also against each side's previous names (marriage, deed poll)."""
    if not a.family or not b.family:
        return missing("surname")
    if a.family == b.family or (a.family_joined == b.family_joined and a.family_joined):
        return Outcome(_base(fq, SURNAME, a.family), f"surname: same ({_title(a.family)})", SAME)
    level, x, y = _best_pair(a.family, b.family)
    current = _surname_outcome(fq, level, x, y, partial=len(a.family) + len(b.family) > 2)
    former = _previous_outcome(a, b, fq)
    return former if former and former.weight > current.weight else current


def _previous_outcome(a: Prepared, b: Prepared, fq) -> Outcome | None:
    """Return the outcome of one side's surname agreeing with a previous name of the other."""
    best = None
    for now, before in ((a.family, b.previous), (b.family, a.previous)):
        for name in before:
            level, x, y = _best_pair(now, name)
            if level <= TYPO and (best is None or level < best[0]):
                best = (level, x, y)
    if best is None:
        return None
    w = _base(fq, SURNAME, [best[1]]) - PENALTY[best[0]] - 0.5
    line = f"surname: one is a previous name of the other ({best[1].title()} ~ {best[2].title()})"
    return Outcome(w, line, CLOSE)


def _align(short, long) -> list[tuple[int, int, int]]:
    """Pair each token of `short` with its best unused token of `long`: (i, j, level)."""
    used: set[int] = set()
    pairs = []
    for i, x in enumerate(short):
        options = [(relate(x, y).level, j) for j, y in enumerate(long) if j not in used]
        level, j = min(options, default=(DIFFERENT, -1))
        if level < DIFFERENT:
            used.add(j)
            pairs.append((i, j, level))
    return pairs


def compare_given(a: Prepared, b: Prepared, fq) -> Outcome:
    """Compare given names: exact, variant, nickname, initial, reordered, middle name dropped or different."""
    if not a.given or not b.given:
        return missing("given name")
    if a.given == b.given:
        return Outcome(_given_base(fq, a.given), f"given name: same ({_title(a.given)})", SAME)
    short, long = (a.given, b.given) if len(a.given) <= len(b.given) else (b.given, a.given)
    pairs = _align(short, long)
    shown = f"{_title(a.given)} vs {_title(b.given)}"
    if not pairs:
        return Outcome(GIVEN_DIFFERS, f"given name: different person ({shown})", DIFFERS)
    if len(pairs) < len(short):
        return Outcome(GIVEN_CONFLICTS, f"given name: different person ({shown})", DIFFERS)
    return _given_agreement(fq, short, long, pairs)


def _given_base(fq, tokens) -> float:
    """Return the agreement weight of these given-name tokens (initials count for little)."""
    full = [t for t in tokens if len(t) > 1]
    return _base(fq, GIVEN, full) - 0.2 if full else 1.0


def _given_agreement(fq, short, long, pairs) -> Outcome:
    """Weigh and word given names that agree, allowing for variants, order and a dropped name."""
    full = [(i, j, level) for i, j, level in pairs if level != INITIAL]
    if not full:
        return Outcome(1.0, f"given name: initials agree ({_title(short)} ~ {_title(long)})", CLOSE)
    worst = max(level for _, _, level in full)
    w = _given_base(fq, [long[j] for _, j, _ in full]) - PENALTY[worst]
    order = [j for _, j, _ in pairs]
    notes = [relate(short[i], long[j]).wording for i, j, level in full if level == worst != EXACT][:1]
    if order != sorted(order):
        notes.append("names in another order")
        w -= 1.0
    if len(long) > len(short):
        notes.append("known by a middle name" if 0 not in order else "middle name left out")
        w -= 0.5
    tag = SOUNDS_ALIKE if worst == PHONETIC else CLOSE
    return Outcome(w, f"given name: {', '.join(notes) or 'same'} ({_title(short)} ~ {_title(long)})", tag)


def _previous_given(a: Prepared, b: Prepared, fq) -> Outcome | None:
    """Return the outcome of one side's given name appearing in a full previous name of the other."""
    for now, before in ((a.given, b.previous), (b.given, a.previous)):
        for name in before:
            level, x, _ = _best_pair(now, name) if now else (DIFFERENT, "", "")
            if level <= TYPO and len(x) > 1:
                w = _given_base(fq, [x]) - PENALTY[level] - 0.5
                return Outcome(w, f"given name: {x.title()} appears in a previous name", CLOSE)
    return None


def compare_names(a: Prepared, b: Prepared, fq) -> tuple[Outcome, Outcome]:
    """Compare surname and given names, trying given and family names the other way round too."""
    surname, given = compare_surnames(a, b, fq), compare_given(a, b, fq)
    if given.tag == DIFFERS and (a.previous or b.previous):
        given = _previous_given(a, b, fq) or given
    if surname.tag != DIFFERS or MISSING in (given.tag,):
        return surname, given
    crossed = replace(b, given=b.family, family=b.given, family_joined="".join(b.given), previous=())
    s2, g2 = compare_surnames(a, crossed, fq), compare_given(a, crossed, fq)
    if s2.weight + g2.weight - SWAP_PENALTY > surname.weight + given.weight:
        note = "given and family names swapped"
        return Outcome(s2.weight - SWAP_PENALTY, s2.line, s2.tag).with_note(note), g2.with_note(note)
    return surname, given


def names_ceiling(a: Prepared, b: Prepared, fq) -> float:
    """Return a weight the names of `a` and `b` can never exceed in `compare_names`, from shares alone.

    Every positive name weight above is a `_base` of some of the two people's tokens less penalties,
    or a small constant (a surname typo 2.0, a sound-alike surname at most 3.0, initials 1.0). A
    surname is weighed on a token of either surname or, with names swapped, of `b`'s given names;
    given names on the tokens of either side's given names or, swapped, `b`'s surname. Fewer tokens
    weigh less than all of a side's tokens (each share is at most CEILING < 1). Each side's most is
    worked out once per person: a screening bounds one applicant against many records, and a bulk
    run meets the same record again.
    """
    a_surname, a_given = _most_as_subject(a, fq)
    b_surname, b_given = _most_as_candidate(b, fq)
    return max(3.0, a_surname, b_surname) + max(1.0, a_given, b_given)


# Keyed by person and frequencies; a KeyFrequencies equals another over the same counts snapshot, so
# a web worker's entries serve every screening until the counts are read again
# (licensing.screening.name_counts).
@lru_cache(maxsize=50_000)
def _most_as_subject(p: Prepared, fq) -> tuple[float, float]:
    """Return the most the subject's surname (a token, or all of it) and given names can weigh."""
    surname = max((_base(fq, SURNAME, [t]) for t in p.family), default=0.0)
    if p.family:
        surname = max(surname, _base(fq, SURNAME, p.family))
    return surname, _given_base(fq, p.given) if p.given else 0.0


@lru_cache(maxsize=50_000)
def _most_as_candidate(p: Prepared, fq) -> tuple[float, float]:
    """Return the most a candidate's tokens can weigh as a surname and as given names, either way round."""
    surname = max((_base(fq, SURNAME, [t]) for t in (*p.family, *p.given)), default=0.0)
    given = max((_given_base(fq, tokens) for tokens in (p.given, p.family) if tokens), default=0.0)
    return surname, given
