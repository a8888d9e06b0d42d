"""`flask authorities set-concern-url`: an operator sets or clears a council's page for concerns."""

import pytest

from licensing.reference import authority_by_code
from tests.factories import make_authority

PAGE = "https://www.council.example/taxi-licensing/report-a-concern"


def concern_url(app, session, code):
    """Return the stored concern page of the council `code`."""
    session.rollback()  # a fresh read: the command committed in its own unit
    return authority_by_code(session, code).concern_url


def test_set_then_clear(app, session):
    make_authority(session, code="W06000015", name="Cardiff", nation="wales")
    runner = app.test_cli_runner()
    set_ = runner.invoke(args=["authorities", "set-concern-url", "W06000015", PAGE])
    assert set_.exit_code == 0, set_.output
    assert f"Concern page of W06000015 Cardiff: {PAGE}." in set_.output
    assert concern_url(app, session, "W06000015") == PAGE
    cleared = runner.invoke(args=["authorities", "set-concern-url", "W06000015", "--clear"])
    assert cleared.exit_code == 0, cleared.output
    assert concern_url(app, session, "W06000015") is None


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (
            ["W06000015", "http://www.council.example/taxis"],
            "url: Enter a web address that starts with https://",
        ),
        (["E06999999", PAGE], "No authority with code E06999999."),
        (["W06000015"], "Give the page's https:// address, or --clear."),
        (["W06000015", PAGE, "--clear"], "Give the page's https:// address, or --clear."),
    ],
)
def test_refusals_exit_non_zero_and_change_nothing(app, session, args, said):
    make_authority(session, code="W06000015", name="Cardiff", nation="wales")
    result = app.test_cli_runner().invoke(args=["authorities", "set-concern-url", *args])
    assert result.exit_code != 0
    assert said in result.output
    assert concern_url(app, session, "W06000015") is None
