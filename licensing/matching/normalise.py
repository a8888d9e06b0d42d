"""Fold names to comparable tokens: accents, case, punctuation, titles, suffixes and name particles."""

import re
from functools import lru_cache

from anyascii import anyascii


def _words(text: str) -> frozenset[str]:
    """Return the set of space-separated words in `text` (keeps the long word lists readable)."""
    return frozenset(text.split())


# Honorifics and religious titles that forms put in the name fields; they say nothing about identity.
TITLES = _words(
    "mr mrs ms miss mx master dr doctor prof professor sir dame lord lady rev revd reverend fr father "
    "haji hajji haaji hajjah hajja alhaj alhaji alhajj hafiz maulana moulana mufti imam capt captain "
    "cllr councillor hon rt"
)
# Generational and honours suffixes: "Jr" separates father and son on paper, but forms drop it.
SUFFIXES = _words("jr jnr junior snr senior sr ii iii iv esq obe mbe cbe phd msc bsc ba ma")
# Connecting particles ("al-Hassan", "bin Salem", "van der Berg"): dropped so spacing variants agree.
PARTICLES = _words(
    "al el ul ud ur us ud bin bint binti ibn bte van von der den de da di du la le del della dos das "
    "ter ten ap"
)
# Surname prefixes that forms write joined or apart ("Mac Donald", "O Neill"); joined to the next token.
JOINING_PREFIXES = {"mac": "mc", "mc": "mc", "o": "o", "st": "saint", "fitz": "fitz"}
# "Abdulrahman", "Abdur Rahman", "Abd al-Rahman": one name, written joined or apart. Longest first;
# a remainder starting with "l" is Abdullah/Abdullahi, which is one name, not "Abdul Lah".
ABD_PREFIXES = ("abdool", "abdoul", "abdul", "abdal", "abdel", "abdur", "abdus", "abdun", "abdar", "abd")

_NON_LETTERS = re.compile(r"[^a-z]+")
_APOSTROPHES = re.compile(r"['`\u2019\u2018\u02bc]")


def fold(text: str | None) -> str:
    """Return `text` in lower-case ASCII (Łukasz -> lukasz, Józef -> jozef)."""
    return anyascii(text or "").lower()


def normal_token(word: str) -> str:
    """Return one word as a bare comparable token ("O'Neill" -> "oneill", "MacLeod" -> "mcleod")."""
    token = _NON_LETTERS.sub("", fold(word))
    if token.startswith("mac") and len(token) >= 6:
        return "mc" + token[3:]
    return token


def raw_tokens(text: str | None) -> list[str]:
    """Split a name into folded words, dropping apostrophes and splitting on any other punctuation."""
    return [t for t in _NON_LETTERS.sub(" ", _APOSTROPHES.sub("", fold(text))).split() if t]


def _join_prefixes(words: list[str], family: bool) -> list[str]:
    """Join "mac donald" -> "mcdonald" and "o neill" -> "oneill" in surnames so spacing does not matter."""
    out: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        if family and word in JOINING_PREFIXES and index + 1 < len(words) and len(words[index + 1]) > 2:
            out.append(normal_token(JOINING_PREFIXES[word] + words[index + 1]))
            index += 2
            continue
        out.append(normal_token(word))
        index += 1
    return out


def _split_abd(words: list[str]) -> list[str]:
    """Split "abdulrahman" into "abdul rahman" so it meets "Abdur Rahman" and "Abd al-Rahman"."""
    out = []
    for word in words:
        prefix = next((p for p in ABD_PREFIXES if word.startswith(p)), None)
        rest = word[len(prefix) :] if prefix else ""
        out.extend([prefix, rest] if len(rest) >= 4 and not rest.startswith("l") else [word])
    return out


def name_tokens(text: str | None, family: bool = False) -> list[str]:
    """Return the significant tokens of a name: no titles, suffixes or particles, prefixes joined."""
    return list(_name_tokens(text, family))


# A register repeats its names endlessly (Khan, Mohammed), so an import or a bulk screening folds each
# spelling once; the cache is bounded, as any of them is.
@lru_cache(maxsize=200_000)
def _name_tokens(text: str | None, family: bool) -> tuple[str, ...]:
    """Return `name_tokens(text, family)` as a tuple, computed once per distinct spelling."""
    words = _split_abd(_join_prefixes(raw_tokens(text), family))
    while words and words[0] in TITLES and len(words) > 1:
        words = words[1:]
    while words and words[-1] in SUFFIXES and len(words) > 1:
        words = words[:-1]
    significant = [w for w in words if w not in PARTICLES and w not in TITLES]
    return tuple(significant or words)


@lru_cache(maxsize=200_000)
def joined(text: str | None) -> str:
    """Return every letter of a name run together ("Van Dyke" and "Vandyke" -> "vandyke")."""
    return normal_token("".join(w for w in raw_tokens(text) if w not in TITLES and w not in SUFFIXES))


def full_name_tokens(given: str | None, family: str | None) -> list[str]:
    """Return the tokens of a whole name, given names first."""
    return name_tokens(given) + name_tokens(family, family=True)
