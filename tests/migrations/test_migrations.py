"""The migrations build exactly the schema the models describe, and take it all away again."""

from datetime import date

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import CheckConstraint, inspect, text
from sqlmodel import SQLModel
from xxhash import xxh3_64_intdigest

import licensing.persistence.models  # noqa: F401  (registers every table)
from app.migrate import current_revision, downgrade, head_revision, is_at_head, upgrade
from licensing.matching import Person
from licensing.screening.key_index import TOTAL_KEY, key_hash, keys_of, pack, unpack


def schema_diff(engine) -> list:
    """Return what autogenerate would still change to make the database match the models."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, SQLModel.metadata)


def migrated_check_constraints(engine) -> set[tuple[str, str]]:
    """Return (table, name) of every CHECK constraint in the database."""
    inspector = inspect(engine)
    return {
        (table, check["name"])
        for table in inspector.get_table_names()
        for check in inspector.get_check_constraints(table)
    }


def model_check_constraints() -> set[tuple[str, str]]:
    """Return (table, name) of every CHECK constraint the models declare."""
    return {
        (table.name, constraint.name)
        for table in SQLModel.metadata.sorted_tables
        for constraint in table.constraints
        if isinstance(constraint, CheckConstraint)
    }


def test_upgrade_head_builds_exactly_the_models_schema(empty_database_url, empty_engine):
    upgrade(empty_database_url)

    assert schema_diff(empty_engine) == []


def test_upgrade_head_creates_exactly_the_models_check_constraints(empty_database_url, empty_engine):
    # Autogenerate compares no CHECK constraints, so a rule added to a model after the revision was
    # written would otherwise go unnoticed.
    upgrade(empty_database_url)

    assert migrated_check_constraints(empty_engine) == model_check_constraints()


def test_upgrade_creates_every_model_table(empty_database_url, empty_engine):
    upgrade(empty_database_url)

    tables = set(inspect(empty_engine).get_table_names())
    assert tables == set(SQLModel.metadata.tables) | {"alembic_version"}


def test_downgrade_base_leaves_only_alembic_version(empty_database_url, empty_engine):
    upgrade(empty_database_url)

    downgrade(empty_database_url, "base")

    assert inspect(empty_engine).get_table_names() == ["alembic_version"]
    assert current_revision(empty_engine) is None


def test_upgrade_after_downgrade_base_rebuilds_the_schema(empty_database_url, empty_engine):
    upgrade(empty_database_url)
    downgrade(empty_database_url, "base")

    upgrade(empty_database_url)

    assert schema_diff(empty_engine) == []
    assert is_at_head(empty_engine)


def test_empty_database_is_not_at_head(empty_engine):
    assert current_revision(empty_engine) is None
    assert not is_at_head(empty_engine)


def test_upgraded_database_is_at_head(empty_database_url, empty_engine):
    upgrade(empty_database_url)

    assert current_revision(empty_engine) == head_revision()
    assert is_at_head(empty_engine)


def test_downgraded_database_is_no_longer_at_head(empty_database_url, empty_engine):
    upgrade(empty_database_url)

    downgrade(empty_database_url, "-1")

    assert not is_at_head(empty_engine)


def test_migration_history_has_a_single_head():
    # Two engineers adding revisions from the same parent leave two heads; `upgrade head` then refuses.
    assert head_revision() is not None
    assert "," not in head_revision()


def test_hashed_keys_upgrade_rebuilds_the_keys_of_existing_records(empty_database_url, empty_engine):
    # A register left without keys would find no candidates: the upgrade must derive them itself.
    upgrade(empty_database_url, "a010363d7dac")
    with empty_engine.begin() as connection:
        insert_register_entry(connection)

    upgrade(empty_database_url)

    stored = assert_keys_are_current(empty_engine)
    assert key_hash("nd:hussain:1985-03-14") in stored


def test_dated_keys_upgrade_replaces_the_numbers_stored_before(empty_database_url, empty_engine):
    # Keys ending in a date were stored as plain hashes of their text: left so, no probe would meet them.
    upgrade(empty_database_url, "5b1e0c7d9a42")
    before = [xxh3_64_intdigest(k.encode()) >> 1 for k in ("nd:hussain:1985-03-14", "sn:hussain")]
    with empty_engine.begin() as connection:
        insert_register_entry(connection)
        connection.execute(text("INSERT INTO match_key VALUES (:h, 1, 1)"), {"h": before[0]})
        lists = {"k": pack([before[0]]), "n": pack([before[1]])}
        connection.execute(text("INSERT INTO record_keys VALUES (1, 1, :k, :n)"), lists)
        connection.execute(text("INSERT INTO name_count VALUES (:h, 1)"), {"h": before[1]})

    upgrade(empty_database_url)

    stored = assert_keys_are_current(empty_engine)
    assert before[0] not in stored and key_hash("nd:hussain:1985-03-14") in stored


def test_record_total_upgrade_counts_the_records_with_keys_and_downgrade_removes_it(
    empty_database_url, empty_engine
):
    # Before it, the engine counted records with count(*); after it, it reads the total beside the names.
    upgrade(empty_database_url, "3d8f0a6c1e27")
    with empty_engine.begin() as connection:
        insert_register_entry(connection)
        keys = keys_of(Person("Imran", "Hussain", (), date(1985, 3, 14)))
        lists = {"k": pack(keys.keys), "n": pack(keys.names)}
        connection.execute(text("INSERT INTO record_keys VALUES (1, 1, :k, :n)"), lists)
    total = text("SELECT count FROM name_count WHERE key_hash = :h").bindparams(h=TOTAL_KEY)

    upgrade(empty_database_url, "34bcbefacec5")
    with empty_engine.connect() as connection:
        assert connection.execute(total).scalar() == 1

    downgrade(empty_database_url, "3d8f0a6c1e27")
    with empty_engine.connect() as connection:
        assert connection.execute(total).scalar() is None


def test_an_upgrade_that_rebuilds_the_keys_leaves_them_vacuumed_on_postgresql(
    empty_database_url, empty_engine
):
    if empty_engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: SQLite's match_key is its own index and needs no VACUUM")
    upgrade(empty_database_url, "a010363d7dac")
    with empty_engine.begin() as connection:
        insert_register_entry(connection)

    upgrade(empty_database_url)

    # Rewritten inside the migration's transaction, the keys are vacuumed after it: probes read the
    # index alone at once instead of a table page per hit until autovacuum comes.
    with empty_engine.connect() as connection:
        visible = connection.execute(
            text("SELECT relallvisible FROM pg_class WHERE relname = 'match_key'")
        ).scalar_one()
    assert visible > 0


def test_audit_head_trigger_upgrade_moves_the_head_on_insert_and_downgrade_removes_it(
    empty_database_url, empty_engine
):
    # Writers no longer move the head themselves: without the trigger the chain would look cut short.
    upgrade(empty_database_url, "7c3e91d2b5a8")
    with empty_engine.begin() as connection:
        connection.execute(text("INSERT INTO audit_head (id, last_hash) VALUES (1, :h)"), {"h": "0" * 64})

    upgrade(empty_database_url)
    first = insert_audit_event(empty_engine, "a")
    downgrade(empty_database_url, "7c3e91d2b5a8")
    insert_audit_event(empty_engine, "b")

    with empty_engine.connect() as connection:
        head = connection.execute(text("SELECT last_event_id, last_hash FROM audit_head")).one()
    assert tuple(head) == (first, "a" * 64)


def test_identifiers_upgrade_keeps_rows_and_starts_their_warnings_empty_and_downgrade_fits_them(
    empty_database_url, empty_engine
):
    upgrade(empty_database_url, "3d8f0a6c1e27")
    with empty_engine.begin() as connection:
        insert_register_entry(connection)

    upgrade(empty_database_url)
    with empty_engine.begin() as connection:
        assert connection.execute(text("SELECT identity_warnings FROM register_entry")).scalar_one() in (
            "[]",
            [],
        )
        connection.execute(text("UPDATE register_entry SET ni_number = 'NOT A NI NUMBER 12'"))
    downgrade(empty_database_url, "3d8f0a6c1e27")

    with empty_engine.connect() as connection:
        assert connection.execute(text("SELECT ni_number, family_name FROM register_entry")).one() == (
            None,
            "Hussain",
        )


def insert_audit_event(engine, fill: str) -> int:
    """Insert one audit event by plain SQL, its hash `fill` * 64; return its id."""
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO audit_event (occurred_at, actor_kind, actor_label, action, record_kind, reason, "
                "detail, prev_hash, hash) VALUES ('2026-12-03 09:00:00', 'system', 'test', 'test.run', "
                "'test', '', '{}', :prev, :hash)"
            ),
            {"prev": fill.upper() * 64, "hash": fill * 64},
        )
        return connection.execute(text("SELECT max(id) FROM audit_event")).scalar_one()


def insert_register_entry(connection) -> None:
    """Insert one authority and one register entry (Imran Hussain, born 14 March 1985) by plain SQL."""
    connection.execute(
        text("INSERT INTO authority (code, name, nation) VALUES ('E08000031', 'Wolverhampton', 'england')")
    )
    connection.execute(
        text(
            "INSERT INTO register_entry (authority_id, ref, given_names, family_name, previous_names, "
            "date_of_birth, address, postcode, decision, decided_on, effective_on, status, "
            "first_recorded_at, updated_at) VALUES (1, 'R1', 'Imran', 'Hussain', '', '1985-03-14', "
            "'12 Example Street', 'WV1 1AA', 'revocation', '2025-01-10', '2025-01-31', 'current', "
            "'2026-11-23 10:00:00', '2026-11-23 10:00:00')"
        )
    )


def assert_keys_are_current(engine) -> set[int]:
    """Check the one register entry's keys, key lists and name counts are today's; return its keys."""
    person = Person(
        "Imran", "Hussain", (), date(1985, 3, 14), address="12 Example Street", postcode="WV1 1AA"
    )
    with engine.connect() as connection:
        stored = set(connection.execute(text("SELECT key_hash FROM match_key")).scalars())
        listed = connection.execute(text("SELECT key_hashes, name_hashes FROM record_keys")).one()
        counted = dict(connection.execute(text("SELECT key_hash, count FROM name_count")).all())
    assert stored == keys_of(person).keys == unpack(listed[0])
    assert unpack(listed[1]) == keys_of(person).names == {key_hash("sn:hussain"), key_hash("gn:imran")}
    assert counted == {key_hash("sn:hussain"): 1, key_hash("gn:imran"): 1, TOTAL_KEY: 1}
    return stored
