"""`flask audit verify` exits 0 on an intact chain and names the first broken row otherwise."""

from datetime import timedelta

from sqlalchemy import text

from licensing.actors import cli_actor
from licensing.audit.log import record


def make_chain(session, now, n=5) -> list:
    """Record and commit `n` events and return them."""
    actor = cli_actor("test")
    events = [
        record(session, actor, "demo.seed", "licence", i, now=now + timedelta(seconds=i)) for i in range(n)
    ]
    session.commit()
    return events


def run_verify(app):
    """Run `flask audit verify` against the app's database."""
    return app.test_cli_runner().invoke(args=["audit", "verify"])


def test_verify_passes_on_an_intact_chain(app, session, now):
    make_chain(session, now)

    result = run_verify(app)

    assert result.exit_code == 0, result.output
    assert "intact: 5 events verified" in result.output


def test_verify_passes_on_an_empty_log(app):
    result = run_verify(app)

    assert result.exit_code == 0, result.output
    assert "0 events verified" in result.output


def test_verify_fails_naming_the_edited_row(app, session, now):
    events = make_chain(session, now)
    session.execute(
        text("UPDATE audit_event SET action = 'demo.nothing' WHERE id = :id"), {"id": events[2].id}
    )
    session.commit()

    result = run_verify(app)

    assert result.exit_code != 0
    assert f"broken at event {events[2].id}" in result.output


def test_verify_fails_when_the_last_row_is_deleted(app, session, now):
    events = make_chain(session, now)
    session.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": events[-1].id})
    session.commit()

    result = run_verify(app)

    assert result.exit_code != 0
    assert f"broken at event {events[-1].id}" in result.output
