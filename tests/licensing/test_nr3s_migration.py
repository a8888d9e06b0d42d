"""Migration 9e4b7c2d1f30 (nr3s): an entry's NR3S reference, and the category 'not_recorded'."""

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from app.migrate import downgrade, upgrade
from tests.migrations.conftest import empty_database_url, empty_engine  # noqa: F401 (fixtures)
from tests.migrations.test_migrations import insert_register_entry

BEFORE = "c7a2d94e1f30"  # the revision before nr3s
NOT_RECORDED = "UPDATE register_entry SET category = 'not_recorded', nr3s_ref = 'NR3S-00000001'"


def test_upgrade_allows_not_recorded_and_keeps_the_nr3s_reference(empty_database_url, empty_engine):  # noqa: F811
    upgrade(empty_database_url, BEFORE)
    with empty_engine.begin() as connection:
        insert_register_entry(connection)
    with pytest.raises(IntegrityError), empty_engine.begin() as connection:
        connection.execute(text("UPDATE register_entry SET category = 'not_recorded'"))

    upgrade(empty_database_url)
    with empty_engine.begin() as connection:
        connection.execute(text(NOT_RECORDED))
        stored = connection.execute(text("SELECT category, nr3s_ref, family_name FROM register_entry"))
        assert stored.one() == ("not_recorded", "NR3S-00000001", "Hussain")


def test_downgrade_is_refused_while_an_entry_is_not_recorded_and_then_drops_the_reference(
    empty_database_url,  # noqa: F811
    empty_engine,  # noqa: F811
):
    upgrade(empty_database_url)
    with empty_engine.begin() as connection:
        insert_register_entry(connection)
        connection.execute(text(NOT_RECORDED))

    with pytest.raises(IntegrityError):
        downgrade(empty_database_url, BEFORE)
    with empty_engine.begin() as connection:
        connection.execute(text("UPDATE register_entry SET category = 'other'"))
    downgrade(empty_database_url, BEFORE)

    columns = {column["name"] for column in inspect(empty_engine).get_columns("register_entry")}
    assert "nr3s_ref" not in columns and "category" in columns
