"""The rules an officer's password must meet: length over composition, and nothing easily guessed.

The NCSC's password guidance asks for length rather than composition rules (no "one capital, one
digit"), and for a deny-list of the passwords attackers try first. The deny-list is
common_passwords.txt beside this module: the 20,000 most common passwords of breach corpora compiled
by Royce Williams, lowercased and deduplicated as Django ships it for its CommonPasswordValidator
(django/contrib/auth/common-passwords.txt.gz, Django 5.2, BSD licence), one a line. It is checked
whatever the case, and with the digits, symbols and spaces an attacker's rules add at either end
taken off ("Password2026!" is "password").
"""

from collections import Counter
from functools import cache
from pathlib import Path

MIN_LENGTH = 12
MAX_LENGTH = 256  # long enough for any passphrase; argon2 is not asked to hash megabytes
MIN_DISTINCT_CHARACTERS = 5
DENY_LIST_PATH = Path(__file__).with_name("common_passwords.txt")
_EDGES = "0123456789 \t!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~£"


def password_problem(password: str, email: str) -> str | None:
    """Return why `password` may not be the password of the officer with `email`, or None if it may."""
    password = password or ""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    if _is_a_pattern(password):
        return "Use more than a few different characters: a passphrase of several words works well."
    if _is_common(password):
        return "This password is on a list of common passwords attackers try first. Choose another."
    if _holds_email(password, email):
        return "Do not use your e-mail address, or a part of it, in your password."
    return None


def deny_list() -> frozenset[str]:
    """Return the common passwords that are refused, lowercased."""
    return _load_deny_list()


@cache
def _load_deny_list() -> frozenset[str]:
    """Read the deny-list once per process."""
    return frozenset(DENY_LIST_PATH.read_text(encoding="utf-8").splitlines())


def _is_a_pattern(password: str) -> bool:
    """Tell whether the password is whitespace, mostly one character, or a few characters repeated."""
    counts = Counter(password)
    return (
        not password.strip()
        or counts.most_common(1)[0][1] * 2 > len(password)
        or len(counts) < MIN_DISTINCT_CHARACTERS
    )


def _is_common(password: str) -> bool:
    """Tell whether the password, or its core without added digits and symbols, is on the deny-list."""
    lowered = password.lower()
    return lowered in deny_list() or lowered.strip(_EDGES) in deny_list()


def _holds_email(password: str, email: str) -> bool:
    """Tell whether the password contains the e-mail's local part or a piece of it, of 4+ characters.

    Shorter ones ("new@…", "jo@…") are common words and syllables that say nothing of the officer."""
    local = (email or "").partition("@")[0].lower()
    pieces = {local} | {piece for piece in _split(local) if len(piece) >= 4}
    lowered = password.lower()
    return any(len(piece) >= 4 and piece in lowered for piece in pieces)


def _split(local: str) -> list[str]:
    """Return the words of an e-mail local part such as "olive.example-2" or "o_example+crosscheck"."""
    for separator in "._-+":
        local = local.replace(separator, " ")
    return local.split()
