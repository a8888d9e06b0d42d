"""The password rules: length over composition, a deny-list of common passwords, nothing guessable."""

import pytest

from licensing.access.passwords import password_problem
from tests.factories import OFFICER_PASSWORD


@pytest.mark.parametrize(
    "password",
    [
        "aaaaaaaaaaaa",  # one character repeated
        "aaaaaaaaaaaaaaaaaaaab",  # mostly one character
        " " * 12,  # whitespace only
        "\t \t \t \t \t \t ",
        "password1234",  # on the deny-list as it stands
        "PASSWORD1234",  # and whatever its case
        "qwertyuiop123",
        "Password2026!",  # a listed password with digits and symbols added at its ends
        "!!monkey123456",
        "abababababab",  # too few different characters to be anything but a pattern
        "olive.example-2026",  # the officer's e-mail address before the @
        "my name is example!",  # a part of it
    ],
)
def test_guessable_passwords_are_refused(password):
    assert password_problem(password, email="Olive.Example@council.example") is not None


@pytest.mark.parametrize(
    "password",
    [
        OFFICER_PASSWORD,
        "Tr0ub4dor&3 horse",
        "plough-meadow-43-river",
        "zq8#Lm2!xR7p",
        "a very long passphrase " * 10,
        "ünïcödé päßwörd wörks",
    ],
)
def test_long_unpredictable_passwords_are_accepted_without_composition_rules(password):
    assert password_problem(password, email="olive.example@council.example") is None


def test_short_passwords_are_refused_whatever_they_contain():
    assert "12 characters" in password_problem("Zq8#Lm2!xR7", email="o@council.example")


def test_a_short_local_part_is_a_word_not_the_officers_name():
    assert password_problem("a new password of my own", email="new@council.example") is None
    assert "e-mail" in password_problem("a password of my own, olive", email="olive@council.example")


def test_very_long_passwords_are_refused_before_hashing():
    assert password_problem("x1y2z3" * 100, email="o@council.example") is not None


def test_the_deny_list_is_shipped_as_data_and_lowercased():
    from licensing.access.passwords import DENY_LIST_PATH, deny_list

    assert DENY_LIST_PATH.suffix == ".txt" and DENY_LIST_PATH.parent.name == "access"
    assert len(deny_list()) > 10_000
    assert all(entry == entry.lower() for entry in deny_list())
