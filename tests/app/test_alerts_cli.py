"""Operator commands: `flask alerts list`, `flask deliveries list|retry`, `flask subscriptions ...`."""

import pytest
from sqlalchemy import select

from licensing.alerts.outbox import raise_alert
from licensing.persistence.models import AuditEvent, Delivery, WebhookEndpoint
from tests.factories import NOW, make_authority


@pytest.fixture
def council(session):
    """Return a council's GSS code."""
    code = make_authority(session).code
    session.rollback()
    return code


def run(app, *args):
    """Run a flask command; return its result."""
    return app.test_cli_runner().invoke(args=list(args))


def test_subscriptions_add_list_and_rotate(app, session, council):
    added = run(
        app, "subscriptions", "add-webhook", council, "http://127.0.0.1:9/hook", "--types", "dbs.lapsed"
    )
    assert added.exit_code == 0, added.output + added.stderr
    secret = added.stdout.strip()
    assert secret.startswith("whsec_")
    mail = run(
        app, "subscriptions", "add-email", council, "a@council.example", "--types", "dbs.lapsed,dbs.new_info"
    )
    assert mail.exit_code == 0, mail.output
    listed = run(app, "subscriptions", "list", council)
    assert "http://127.0.0.1:9/hook" in listed.stdout and "a@council.example" in listed.stdout
    assert secret not in listed.stdout
    assert "1 webhook endpoints, 1 e-mail recipients." in listed.stdout
    endpoint_id = session.scalars(select(WebhookEndpoint.id)).one()
    session.rollback()
    rotated = run(app, "subscriptions", "rotate", council, str(endpoint_id))
    assert rotated.exit_code == 0 and rotated.stdout.strip() not in ("", secret)


def test_bad_subscriptions_exit_non_zero(app, council):
    assert (
        run(app, "subscriptions", "add-webhook", council, "https://x.example/", "--types", "nope").exit_code
        != 0
    )
    assert run(
        app, "subscriptions", "add-email", "E99999999", "a@b.example", "--types", "dbs.lapsed"
    ).exit_code
    assert run(app, "subscriptions", "rotate", council, "12345").exit_code != 0


def make_delivery(session, code, status, attempts):
    """Raise an alert for a council with one webhook delivery in `status`; return the delivery id."""
    authority_id = session.scalars(select(WebhookEndpoint.authority_id)).first()
    alert = raise_alert(
        session,
        authority_id=authority_id,
        alert_type="dbs.lapsed",
        subject_kind="licence",
        subject_id=1,
        now=NOW,
    )
    session.flush()
    delivery = session.scalars(select(Delivery).where(Delivery.alert_id == alert.id)).one()
    delivery.status, delivery.attempts, delivery.last_error = status, attempts, "HTTP 500"
    session.commit()
    return delivery.id, delivery.message_id


def test_deliveries_list_filters_and_retry_keeps_the_message_id(app, session, council):
    run(app, "subscriptions", "add-webhook", council, "http://127.0.0.1:9/hook", "--types", "dbs.lapsed")
    dead, dead_message = make_delivery(session, council, "dead", 8)
    failed, _ = make_delivery(session, council, "pending", 2)
    fresh, _ = make_delivery(session, council, "pending", 0)
    delivered, _ = make_delivery(session, council, "delivered", 1)
    session.rollback()
    ids = lambda result: {int(line.split()[0]) for line in result.stdout.splitlines()[:-1]}  # noqa: E731
    assert ids(run(app, "deliveries", "list", "--dead")) == {dead}
    assert ids(run(app, "deliveries", "list", "--failed")) == {failed}
    assert ids(run(app, "deliveries", "list")) == {dead, failed, fresh, delivered}
    retried = run(app, "deliveries", "retry", str(dead))
    assert retried.exit_code == 0, retried.output
    row = session.get(Delivery, dead)
    assert (row.status, row.message_id, row.next_attempt_at is not None) == ("pending", dead_message, True)
    audited = session.scalars(select(AuditEvent).where(AuditEvent.action == "delivery.retried")).one()
    assert (audited.record_id, audited.detail["from"]) == (dead, "dead")
    for refused in (fresh, delivered, 999999):
        assert run(app, "deliveries", "retry", str(refused)).exit_code != 0


def test_alerts_list_by_authority(app, session, council):
    other = make_authority(session)
    from licensing.reference import authority_by_code

    authority_id = authority_by_code(session, council).id
    for authority in (authority_id, other.id):
        raise_alert(
            session,
            authority_id=authority,
            alert_type="dbs.lapsed",
            subject_kind="licence",
            subject_id=3,
            now=NOW,
        )
    session.commit()
    session.rollback()
    listed = run(app, "alerts", "list", "--authority", council)
    assert listed.exit_code == 0 and listed.stdout.splitlines()[-1] == "1 alerts."
    assert f"{council}  dbs.lapsed  licence/3" in listed.stdout and "unread" in listed.stdout
    assert run(app, "alerts", "list").stdout.splitlines()[-1] == "2 alerts."
    assert run(app, "alerts", "list", "--authority", "E99999999").exit_code != 0
