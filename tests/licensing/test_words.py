"""One vocabulary: every code a field may hold has a plain name, and audit events read as words."""

import pytest

from licensing import words
from licensing.persistence.models.intelligence import CATEGORIES
from licensing.persistence.models.records import (
    APPLICATION_KINDS,
    DECISIONS,
    LICENCE_STATUSES,
    LICENCE_TYPES,
    STORED_CATEGORIES,
)
from licensing.persistence.models.screening import BANDS


@pytest.mark.parametrize(
    ("vocabulary", "codes"),
    [
        ("licence_type", LICENCE_TYPES),
        ("licence_status", LICENCE_STATUSES),
        ("application_kind", APPLICATION_KINDS),
        ("decision", DECISIONS),
        ("category", STORED_CATEGORIES),
        ("intelligence_category", CATEGORIES),
        ("band", BANDS),
    ],
)
def test_every_code_has_a_plain_name_and_no_other(vocabulary, codes):
    assert set(words.VOCABULARIES[vocabulary]) == set(codes)
    assert all(name and "_" not in name for name in words.VOCABULARIES[vocabulary].values())


def test_codes_are_named_and_an_unknown_one_is_shown_in_words():
    assert words.named("phv", "licence_type") == "Private hire"
    assert words.named("clpd", "intelligence_category") == "Common law police disclosure"
    assert words.named("new_kind_of_thing", "licence_type") == "New kind of thing"
    assert words.named(None, "decision") == ""


@pytest.mark.parametrize(
    ("action", "said"),
    [
        ("application.created", "Application created"),
        ("licence.suspended", "Licence suspended"),
        ("register_entry.amended", "Register entry amended"),
        ("licence.enforcement_checked", "Checked in an enforcement quick check"),
        ("candidate.ruled_out", "Ruled out: not the same person"),
    ],
)
def test_audit_actions_read_as_words(action, said):
    assert words.action_words(action) == said


def test_actors_read_as_who_they_are():
    assert words.actor_words("user:olive@council.example") == "olive@council.example"
    assert words.actor_words("api_client:Council system") == "Council system (API key)"
    assert words.actor_words("cli:demo seed") == "Command line (demo seed)"
    assert words.actor_words("system") == "Crosscheck"
