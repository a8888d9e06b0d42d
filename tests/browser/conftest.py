"""Browser tests: the app on a loopback port, driven by Debian's chromium through Playwright.

No browser is ever downloaded: `make browser` installs /usr/bin/chromium with apt-get, and a missing
browser fails the run instead of skipping it. Each test module gets a fresh database (SQLite, or
PostgreSQL when TEST_DATABASE_URL is set) and its own server; pages come from `new_page`.
"""

import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy import text
from sqlmodel import SQLModel
from werkzeug.serving import make_server

import licensing.persistence.models  # noqa: F401  (registers every table)
from app import create_app
from licensing.persistence import unit_of_work
from licensing.persistence.db import make_engine
from tests.conftest import POSTGRES_URL, TEST_SECRET

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
STEP_TIMEOUT_MS = 15_000  # a step that waits longer has failed; Playwright's default is 30 s
SCREENSHOTS = Path(__file__).parent / "screenshots"


@dataclass
class LiveServer:
    """The app serving on a loopback port, and a way to put records in its database."""

    url: str
    app: object
    engine: object

    def session(self) -> unit_of_work.UnitOfWork:
        """Open a writing unit of work on the server's database: `with live_server.session() as session:`."""
        return unit_of_work.writing(self.engine)


@pytest.fixture(scope="module")
def live_database(tmp_path_factory):
    """Return the URL of an empty database for this module, emptied again afterwards."""
    if not POSTGRES_URL:
        url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'live.db'}"
        engine = make_engine(url)
        SQLModel.metadata.create_all(engine)
        engine.dispose()
        yield url
        return
    engine = make_engine(POSTGRES_URL)
    SQLModel.metadata.create_all(engine)
    _truncate(engine)
    yield POSTGRES_URL
    _truncate(engine)
    engine.dispose()


def _truncate(engine) -> None:
    """Empty every table of a PostgreSQL database."""
    tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(scope="module")
def live_server(live_database):
    """Serve a fresh app on 127.0.0.1 (a free port) in a thread for this module's tests."""
    config = {"ENV_NAME": "testing", "DATABASE_URL": live_database, "SECRET_KEY": TEST_SECRET}
    app = create_app(config | {"PUBLIC_CHECK_RATE_LIMIT": "1000/minute"})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app, engine=make_engine(live_database))
    server.shutdown()
    thread.join()
    app.extensions["crosscheck.engine"].dispose()


@pytest.fixture(scope="session")
def browser() -> Browser:
    """Launch Debian's chromium headless; fail (never skip) when it is not installed."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (apt-get install -y chromium)", pytrace=False)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser):
    """Return a function opening a page in a fresh context (e.g. width=320, javascript=False).

    Every page listens for Content-Security-Policy refusals and script errors: a test fails if the browser
    blocked any script, style, image or font of the service, or a script of the page failed, even when the
    page still looked right (its forms work without scripts).
    """
    contexts, refusals, failures = [], [], []

    def open_page(width: int = 1024, height: int = 768, javascript: bool = True) -> Page:
        """Open a page in a new browser context of this viewport."""
        context = browser.new_context(
            viewport={"width": width, "height": height}, java_script_enabled=javascript
        )
        context.set_default_timeout(STEP_TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda message: refusals.extend(_csp_refusals(message)))
        page.on("console", lambda message: failures.extend(_script_errors(message)))
        page.on("pageerror", lambda error: failures.append(str(error)))
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not refusals, "The Content-Security-Policy blocked:\n" + "\n".join(refusals)
    assert not failures, "A script of the page failed:\n" + "\n".join(failures)


def _csp_refusals(message) -> list[str]:
    """Return the console message if it reports something the Content-Security-Policy blocked."""
    return [message.text] if "Content Security Policy" in message.text else []


def _script_errors(message) -> list[str]:
    """Return an error the console reports, unless it is a response's status (a 4xx page is meant)."""
    failed_load = message.text.startswith("Failed to load resource")
    csp = "Content Security Policy" in message.text
    return [message.text] if message.type == "error" and not failed_load and not csp else []


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot under tests/browser/screenshots/ and return its path."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
