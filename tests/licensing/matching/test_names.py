"""Name knowledge: the data files stay consistent, and tokens relate as an officer would expect."""

import pytest

from licensing.matching.names import (
    DIFFERENT,
    EXACT,
    GROUP_FILES,
    INITIAL,
    NICKNAME,
    PHONETIC,
    ROMANISED,
    TYPO,
    VARIANT,
    _rows,
    canonical,
    relate,
    sound,
)


def test_no_spelling_sits_in_two_groups():
    seen: dict[str, str] = {}
    clashes = []
    for name in GROUP_FILES:
        for row in _rows(name):
            for token in row:
                if token in seen and seen[token] != row[0]:
                    clashes.append((token, seen[token], row[0]))
                seen.setdefault(token, row[0])
    assert clashes == []


def test_data_files_hold_several_dozen_groups_each():
    assert all(len(_rows(name)) >= 40 for name in [*GROUP_FILES, "nicknames.csv"])


@pytest.mark.parametrize(
    ("a", "b", "level"),
    [
        ("mohammed", "muhammad", VARIANT),
        ("mohamed", "mohd", VARIANT),
        ("maxamed", "mohammad", VARIANT),
        ("mehmet", "muhammed", VARIANT),
        ("hussain", "hossain", VARIANT),
        ("choudhury", "chaudhry", VARIANT),
        ("yusuf", "yousaf", VARIANT),
        ("ahmed", "ahmet", VARIANT),
        ("rahman", "rehman", VARIANT),
        ("iqbal", "ikbal", VARIANT),
        ("siddiqui", "siddiqi", VARIANT),
        ("qureshi", "kureshi", VARIANT),
        ("mahmood", "mehmood", VARIANT),
        ("abdullah", "abdallah", VARIANT),
        ("ibrahim", "ebrahim", VARIANT),
        ("osman", "usman", VARIANT),
        ("farooq", "farouk", VARIANT),
        ("tariq", "tarik", VARIANT),
        ("aleksander", "alexander", VARIANT),
        ("oleksandr", "alexander", VARIANT),
        ("jozef", "joseph", VARIANT),
        ("krzysztof", "christopher", VARIANT),
        ("smith", "smyth", VARIANT),
        ("adil", "adeel", ROMANISED),
        ("aamir", "amir", ROMANISED),
        ("saqib", "sakib", ROMANISED),
        ("shakeel", "shakil", ROMANISED),
        ("rafiq", "rafeek", ROMANISED),
        ("fatimah", "fatima", ROMANISED),
        ("zahid", "saeed", PHONETIC),  # brothers' names are not one romanised name
        ("sajid", "saeed", DIFFERENT),
        ("william", "bill", NICKNAME),
        ("william", "liam", NICKNAME),
        ("bill", "will", NICKNAME),
        ("robert", "bob", NICKNAME),
        ("richard", "dick", NICKNAME),
        ("margaret", "peggy", NICKNAME),
        ("elizabeth", "beth", NICKNAME),
        ("mohammed", "mo", NICKNAME),
        ("muhammad", "mo", NICKNAME),
        ("krzysztof", "chris", NICKNAME),
        ("wojciech", "wojtek", NICKNAME),
        ("hussain", "hussian", TYPO),
        ("imran", "imrna", TYPO),
        ("wojciechowski", "wojciechowsky", TYPO),
        ("khan", "kahn", TYPO),
        ("philpott", "filpot", ROMANISED),
        ("rhodes", "roads", PHONETIC),
        ("hassan", "husain", DIFFERENT),
        ("j", "john", INITIAL),
        ("imran", "tariq", DIFFERENT),
        ("hassan", "hussain", DIFFERENT),
        ("james", "jacob", DIFFERENT),
        ("john", "sean", DIFFERENT),
        ("ali", "ali", EXACT),
    ],
)
def test_token_relations(a, b, level):
    assert relate(a, b).level == level
    assert relate(b, a).level == level


@pytest.mark.parametrize(
    ("a", "b"), [("khan", "kahn"), ("hussain", "hussian"), ("choudhury", "choudhri"), ("smith", "smyth")]
)
def test_misspellings_share_a_sound(a, b):
    assert sound(a) == sound(b)


def test_nickname_with_one_formal_name_is_indexed_under_it():
    assert canonical("bill") == "william"
    assert canonical("mo") == canonical("muhammad") == "mohammed"
    assert canonical("al") == "al"  # Alan, Albert or Alexander: no single formal name
