"""Structured JSON logs with a request id on every line (placeholder, completed by the ops work)."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Configure logging for `app`."""
