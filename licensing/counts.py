"""Counts of what the domain does, for whoever watches: screenings by band, import rows by outcome.

licensing exports nothing itself. A process that serves metrics (app/metrics.py) registers a listener,
and each count reaches it as a name, an amount and labels taken from closed sets (a band, a purpose, a
record kind, an outcome): never a name, a number or anything else about a person. With no listener, a
count does nothing; a listener that fails is ignored, so counting never breaks the work counted.
"""

import logging
from collections.abc import Callable

SCREENING = "screening"  # one recorded screening: labels band (its best candidate's, or "none"), purpose
IMPORT_ROWS = "import_rows"  # rows of an import: labels kind (register_entry, licence), outcome

Listener = Callable[[str, int, dict[str, str]], None]
_listeners: list[Listener] = []
log = logging.getLogger(__name__)


def listen(listener: Listener) -> None:
    """Hand every count from now on to `listener(name, amount, labels)` (once, however often called)."""
    if listener not in _listeners:
        _listeners.append(listener)


def count(name: str, amount: int = 1, **labels: str) -> None:
    """Tell every listener that `amount` of `name` happened, with `labels`."""
    if not amount:
        return
    for listener in _listeners:
        try:
            listener(name, amount, labels)
        except Exception:
            log.exception("a count listener failed")
