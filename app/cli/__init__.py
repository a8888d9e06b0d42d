"""Command-line interface: `flask <group> <command>`, each group in its own module."""

from flask import Flask

from app.cli.alerts import alerts_cli
from app.cli.audit import audit_cli
from app.cli.clients import clients_cli
from app.cli.db import db_cli
from app.cli.deliveries import deliveries_cli
from app.cli.demo import demo_cli
from app.cli.jobs import jobs_cli
from app.cli.licences import licences
from app.cli.oidc import oidc_cli
from app.cli.reference import authorities_cli, reference_cli
from app.cli.register import register
from app.cli.subscriptions import subscriptions_cli
from app.cli.users import users_cli

GROUPS: list = [
    db_cli,
    reference_cli,
    authorities_cli,
    audit_cli,
    clients_cli,
    users_cli,
    register,
    licences,
    demo_cli,
    alerts_cli,
    deliveries_cli,
    subscriptions_cli,
    jobs_cli,
]


authorities_cli.add_command(oidc_cli)


def init_app(app: Flask) -> None:
    """Register every command group with the app."""
    for group in GROUPS:
        app.cli.add_command(group)
