"""gunicorn's entry point for the kill tests: wsgi.py's app, with a worker that stops at one statement.

The fault to inject is a worker killed in the middle of a request. To kill it at a known point, the worker
waits (once per test, until the marker file exists) before one database statement and writes its process
id to the marker, for the test to SIGKILL it there. Nothing of the app is changed: the wait is a listener
on SQLAlchemy's engine events, outside our code.

CROSSCHECK_TEST_PAUSE_AT:
- "work": before the INSERT of the register entry, so the request's work is unfinished;
- "answer": before the first statement on idempotent_response after that INSERT, so the work is done and
  its response about to be kept.
"""

import os
import time
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine

from wsgi import app  # noqa: F401  (what gunicorn serves)

PAUSE_AT = os.environ["CROSSCHECK_TEST_PAUSE_AT"]
MARKER = Path(os.environ["CROSSCHECK_TEST_PAUSE_MARKER"])
_inserted = []


@event.listens_for(Engine, "before_cursor_execute")
def _pause(_connection, _cursor, statement, _parameters, _context, _executemany):
    """Wait, once, before the chosen statement until this worker is killed."""
    text = " ".join(statement.split()).lower()
    inserting = text.startswith("insert into register_entry ")
    if inserting:
        _inserted.append(True)
    chosen = inserting if PAUSE_AT == "work" else bool(_inserted) and "idempotent_response" in text
    if chosen and not MARKER.exists():
        MARKER.write_text(str(os.getpid()))
        time.sleep(600)
