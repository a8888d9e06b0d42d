"""The match-key index: hashed keys per record, each record's own list, and the register's name counts."""

import random
from datetime import date

from sqlalchemy import select

from licensing.matching import Person, person_from, person_of, probe_keys
from licensing.persistence.models import MatchKey, NameCount
from licensing.screening.key_index import (
    KIND_CODES,
    TOTAL_KEY,
    drop_record,
    index_record,
    key_hash,
    keys_of,
    pack,
    probe_keys_of,
    stored_keys,
    unpack,
)
from licensing.screening.name_counts import TTL_SECONDS, KeyFrequencies, forget_totals
from licensing.synthetic.people import make_person
from tests.factories import make_authority, make_licence


def name_counts(session) -> dict[int, int]:
    """Return every name count that is not zero."""
    return {h: n for h, n in session.execute(select(NameCount.key_hash, NameCount.count)) if n}


def stored_rows(session, record_id: int) -> set[int]:
    """Return the key hashes match_key holds for licence `record_id`."""
    query = select(MatchKey.key_hash).where(
        MatchKey.record_kind == KIND_CODES["licence"], MatchKey.record_id == record_id
    )
    return set(session.scalars(query))


def test_keys_are_stored_as_hashes_with_the_records_own_list(session):
    licence = make_licence(session)
    indexed = keys_of(person_from(licence))
    assert stored_rows(session, licence.id) == indexed.keys
    assert key_hash("nd:hussain:1985-03-14") in indexed.keys
    assert stored_keys(session, "licence", [licence.id]) == {licence.id: indexed}


def test_names_are_counted_once_per_record_and_never_probed(session):
    authority = make_authority(session)
    make_licence(session, authority_id=authority.id)
    make_licence(session, authority_id=authority.id, given_names="Tariq")
    counts = name_counts(session)
    assert counts[key_hash("sn:hussain")] == 2
    assert counts[key_hash("gn:imran")] == counts[key_hash("gn:tariq")] == 1
    assert not set(counts) & set(session.scalars(select(MatchKey.key_hash)))


def test_changed_identity_moves_its_keys_and_its_name_counts(session):
    licence = make_licence(session)
    before = keys_of(person_from(licence))
    licence.family_name, licence.date_of_birth = "Morgan", date(1964, 7, 5)
    index_record(session, "licence", licence)
    session.commit()
    after = keys_of(person_from(licence))
    assert stored_rows(session, licence.id) == after.keys and not (before.keys - after.keys) & after.keys
    counts = name_counts(session)
    assert key_hash("sn:hussain") not in counts and counts[key_hash("sn:morgan")] == 1


def test_dropping_a_record_removes_its_keys_and_uncounts_its_names(session):
    authority = make_authority(session)
    kept = make_licence(session, authority_id=authority.id)
    dropped = make_licence(session, authority_id=authority.id)
    drop_record(session, "licence", dropped.id)
    session.commit()
    assert stored_rows(session, dropped.id) == set() and stored_keys(session, "licence", [dropped.id]) == {}
    assert stored_rows(session, kept.id) == keys_of(person_from(kept)).keys
    assert name_counts(session)[key_hash("sn:hussain")] == 1


def test_frequencies_read_the_register_counts(session):
    authority = make_authority(session)
    for given in ("Imran", "Imran", "Tariq", "Bilal"):
        make_licence(session, authority_id=authority.id, given_names=given)
    forget_totals()
    frequencies = KeyFrequencies(session)
    assert frequencies.total == 4
    assert (frequencies.count("gn:imran"), frequencies.count("gn:tariq")) == (2, 1)
    assert (frequencies.count("sn:hussain"), frequencies.count("sn:nobody")) == (4, 0)


def test_the_record_total_follows_records_indexed_changed_and_dropped(session):
    authority = make_authority(session)
    first, second = (
        make_licence(session, authority_id=authority.id),
        make_licence(session, authority_id=authority.id),
    )
    assert name_counts(session)[TOTAL_KEY] == 2
    first.given_names = "Tariq"
    index_record(session, "licence", first)  # its keys change: still one record
    drop_record(session, "licence", second.id)
    session.commit()
    forget_totals()
    assert KeyFrequencies(session).total == 1


def test_packed_hashes_read_back_exactly():
    hashes = {0, 1, 2**62, 2**63 - 1, 12345678901234567}
    assert unpack(pack(hashes)) == hashes and len(pack(hashes)) == 8 * len(hashes)


def test_name_counts_are_read_again_once_the_ttl_has_passed(session):
    authority = make_authority(session)
    make_licence(session, authority_id=authority.id)
    forget_totals()
    assert KeyFrequencies(session, now=0.0).total == 1
    make_licence(session, authority_id=authority.id, given_names="Tariq")
    assert KeyFrequencies(session, now=TTL_SECONDS - 1).count("gn:tariq") == 0  # still the cached counts
    later = KeyFrequencies(session, now=TTL_SECONDS)
    assert (later.count("gn:tariq"), later.total) == (1, 2)


def test_frequencies_over_the_same_counts_are_equal_until_the_counts_are_read_again(session):
    make_licence(session, authority_id=make_authority(session).id)
    forget_totals()
    first, second = KeyFrequencies(session, now=0.0), KeyFrequencies(session, now=1.0)
    assert first == second and hash(first) == hash(second)  # the engine's per-person caches are shared
    later = KeyFrequencies(session, now=TTL_SECONDS)
    assert later != first


def test_dated_keys_of_one_stem_lie_together_in_date_order():
    # A screening probes a stem under thirty-odd near dates: they must land on neighbouring index entries.
    first = key_hash("nnd:hussain:imran:1985-03-14")
    assert key_hash("nnd:hussain:imran:1985-03-15") == first + 1
    assert key_hash("nnd:hussain:imran:1986-03-14") == first + 365
    assert key_hash("nnd:hussain:imran:1984-03-14") == first - 365
    other = key_hash("nnd:hussain:tariq:1985-03-14")
    assert abs(other - first) >= 1 << 17  # another stem lies elsewhere, whatever its date


def test_every_key_hash_fits_a_signed_bigint_and_undated_keys_hash_their_whole_text():
    keys = [
        "ni:AB123456C",
        "sn:khan",
        "nd:khan:1900-01-01",
        "nd:khan:2258-11-11",  # the last day the 17 date bits hold
        "nd:khan:2258-11-12",
        "nd:khan:1899-12-31",
        "ps:wv11aa:ksn",
        "x:1985-13-02",
    ]
    hashes = [key_hash(k) for k in keys]
    assert all(0 <= h < 2**63 for h in hashes) and len(set(hashes)) == len(keys)
    assert key_hash("nd:khan:1900-01-01") % 2**17 == 0
    assert key_hash("nd:khan:2258-11-11") % 2**17 == 2**17 - 1
    assert key_hash("nd:khan:2258-11-12") != key_hash("nd:khan:2258-11-11") + 1  # out of range: whole text
    assert key_hash("nd:khan:1899-12-31") != key_hash("nd:khan:1900-01-01") - 1


def test_probe_hashes_are_the_hashes_of_the_probe_keys():
    # probe_keys_of hashes each near-date stem once; it must probe exactly the keys probe_keys names.
    rng = random.Random(11)
    people = [person_of(make_person(rng)) for _ in range(300)]
    people += [Person("Imran", "Hussain"), Person("", "", date_of_birth=date(1985, 3, 14))]
    people += [Person("Imran", "Hussain", date_of_birth=date(2000, 2, 29), postcode="BD8 8AX")]
    for person in people:
        assert probe_keys_of(person) == {key_hash(k) for k in probe_keys(person)}, person
    assert sum(len(probe_keys(p)) for p in people) > 100 * len(people)  # near dates were probed
