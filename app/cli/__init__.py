"""Command-line interface: `flask <group> <command>`, each group in its own module."""

from flask import Flask

GROUPS: list = []


def init_app(app: Flask) -> None:
    """Register every command group with the app."""
    for group in GROUPS:
        app.cli.add_command(group)
