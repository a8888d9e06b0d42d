"""axe-core, from the npm package pinned in package-lock.json, run inside the page under test."""

from pathlib import Path

from playwright.sync_api import Page

AXE_SCRIPT = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.2 levels A and AA, with the 2.0 and 2.1 rules they include (axe-core's tag names).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# Every URL checked, one line each, appended by every run (git-ignored beside the screenshots).
CHECKED = Path(__file__).parent / "screenshots" / "axe-checked.txt"


def axe_results(page: Page) -> dict:
    """Inject axe-core into the page and return its results for the WCAG 2.2 A/AA rules."""
    if not AXE_SCRIPT.exists():
        raise AssertionError(f"{AXE_SCRIPT} is missing: run `make assets` (npm ci)")
    # axe.run waits on timers, which never fire in a context with JavaScript turned off: check such a
    # page by opening it again with the site's own scripts blocked (see test_public_journey).
    # Evaluated through the DevTools protocol, not added as a <script>: the site's Content-Security-Policy
    # rightly refuses an inline script without its nonce, and the test must not switch the policy off.
    page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    return page.evaluate("options => axe.run(document, options)", options)


def assert_no_axe_violations(page: Page) -> None:
    """Fail with every violation (rule, impact, elements) axe-core finds on the page."""
    violations = axe_results(page)["violations"]
    CHECKED.parent.mkdir(exist_ok=True)
    with CHECKED.open("a", encoding="utf-8") as checked:
        checked.write(f"{page.url}\t{len(violations)} violations\n")
    lines = [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']]}" for v in violations
    ]
    assert not violations, f"axe-core violations on {page.url}:\n" + "\n".join(lines)
