"""Time helpers: the domain stores naive UTC datetimes and always takes `now` from its caller."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Return the current UTC time as a naive datetime, the form every record stores."""
    return datetime.now(UTC).replace(tzinfo=None)
