"""`flask reference load` and `flask authorities add|list` on the test database."""

from sqlmodel import func, select

from licensing.persistence.models import Authority
from licensing.reference import AUTHORITIES_CSV, read_rows


def _authorities(app) -> int:
    from app import db

    with app.app_context(), db.reading() as session:
        return session.exec(select(func.count()).select_from(Authority)).one()


def test_reference_load_loads_everything_and_says_so(app):
    result = app.test_cli_runner().invoke(args=["reference", "load"])

    assert result.exit_code == 0, result.output
    assert f"{len(read_rows(AUTHORITIES_CSV))} authorities" in result.output
    assert _authorities(app) == len(read_rows(AUTHORITIES_CSV))


def test_authorities_add_then_list(app):
    runner = app.test_cli_runner()

    added = runner.invoke(args=["authorities", "add", "W06000099", "Test Council", "--nation", "wales"])
    listed = runner.invoke(args=["authorities", "list", "--nation", "wales"])

    assert added.exit_code == 0, added.output
    assert "Added authority W06000099 Test Council (wales)." in added.output
    assert "W06000099" in listed.output
    assert listed.output.strip().endswith("1 authority.")


def test_authorities_add_refuses_a_duplicate_with_a_non_zero_exit(app):
    runner = app.test_cli_runner()
    runner.invoke(args=["authorities", "add", "E08000031", "Wolverhampton", "--nation", "england"])

    again = runner.invoke(args=["authorities", "add", "E08000031", "Wolverhampton", "--nation", "england"])

    assert again.exit_code != 0
    assert "already exists" in again.output
    assert _authorities(app) == 1


def test_authorities_add_refuses_a_code_of_another_nation(app):
    result = app.test_cli_runner().invoke(
        args=["authorities", "add", "S12000049", "Glasgow", "--nation", "england"]
    )

    assert result.exit_code != 0
    assert "nation" in result.output
    assert _authorities(app) == 0
