"""Keyset pagination, the one way every list of the service is walked.

A list is ordered by a key of non-null columns ending in the row's id, so the key is unique and every
row has exactly one place in the order. A page holds up to `limit` rows strictly after the last key of
the previous page: rows added or removed meanwhile never make a row appear twice or be skipped, unlike
an offset. The key travels to the client as an opaque cursor naming its list, so a cursor of one list is
refused by another rather than read as a different position.
"""

import base64
import binascii
import json
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, or_

from licensing.persistence.db import MAX_ID

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
KEY_TYPES = (int, date)


class BadCursor(ValueError):
    """A cursor this list did not give out."""


@dataclass(frozen=True)
class Page:
    """Up to a page of items, and the key to continue after (None when this is the last page)."""

    items: list
    next_key: tuple | None


def keyset(query, columns: Sequence, after: tuple | None, *, descending: bool = False):
    """Order `query` by `columns` and keep the rows strictly beyond `after` in that order."""
    query = query.order_by(*(column.desc() if descending else column.asc() for column in columns))
    if after is None:
        return query
    beyond = operator.lt if descending else operator.gt
    # (a, b) > (x, y) spelt out, (a > x) OR (a = x AND b > y), so both databases use the index the same way
    clauses = [
        and_(*(c == v for c, v in zip(columns[:i], after[:i], strict=True)), beyond(columns[i], after[i]))
        for i in range(len(columns))
    ]
    return query.where(or_(*clauses))


def fetch_page(session, query, columns: Sequence, after: tuple | None, limit: int, *, descending=False):
    """Return the page of `query`'s rows (ORM objects) after `after`, ordered by `columns`."""
    limit = max(1, min(limit, MAX_LIMIT))
    rows = list(session.scalars(keyset(query, columns, after, descending=descending).limit(limit + 1)))
    return take(rows, limit, lambda row: tuple(getattr(row, column.key) for column in columns))


def take(rows: Sequence, limit: int, key_of: Callable[[Any], tuple]) -> Page:
    """Make a page of the first `limit` of `rows`, fetched with one row more to tell if another follows."""
    items = list(rows[:limit])
    return Page(items, key_of(items[-1]) if len(rows) > limit else None)


def encode_cursor(list_name: str, key: tuple | None) -> str | None:
    """Return the opaque cursor of `key` in the list `list_name` (None at the end of the list)."""
    if key is None:
        return None
    values = [value.isoformat() if isinstance(value, date) else value for value in key]
    text = json.dumps([list_name, *values], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(list_name: str, cursor: str, types: tuple[type, ...]) -> tuple:
    """Return the key a cursor of `list_name` holds, its values of `types`; BadCursor otherwise."""
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadCursor("Not a cursor this list gave out.") from None
    if not isinstance(raw, list) or raw[:1] != [list_name] or len(raw) != len(types) + 1:
        raise BadCursor("Not a cursor this list gave out.")
    return tuple(_key_value(value, kind) for value, kind in zip(raw[1:], types, strict=True))


def _key_value(value, kind: type):
    """Return one value of a decoded key as `kind`, or raise BadCursor."""
    if kind is int and type(value) is int and 0 <= value <= MAX_ID:
        return value
    if kind is date and isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise BadCursor("Not a cursor this list gave out.")
