"""Subscriptions: per-council endpoints and recipients, secrets shown once and rotated, SSRF refusals."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from licensing.actors import Actor
from licensing.alerts.subscriptions import (
    add_email,
    add_webhook,
    change,
    check_webhook_url,
    list_subscriptions,
    rotate_secret,
    signing_secrets,
)
from licensing.errors import NotFound, ValidationFailed
from licensing.persistence.models import AuditEvent, EmailRecipient, WebhookEndpoint
from tests.factories import NOW, make_authority

PUBLIC = {"allow_http": False, "allow_private": False}


def council(session) -> Actor:
    """Return an officer of a new council."""
    return Actor(kind="user", id=None, label="Test officer", authority_id=make_authority(session).id)


def hook(session, actor, url="https://93.184.215.14/hook", types=("register_entry.recorded",), **rules):
    """Register a webhook endpoint; return it and its secret."""
    return add_webhook(session, actor, url, list(types), NOW, **(PUBLIC | rules))


def test_an_endpoint_gets_its_own_secret_shown_once(session):
    actor = council(session)
    first, secret = hook(session, actor)
    _, other = hook(session, actor)
    assert secret.startswith("whsec_") and len(secret) >= 6 + 43
    assert secret != other
    assert session.get(WebhookEndpoint, first.id).secret == secret
    assert (first.authority_id, first.active, first.alert_types) == (
        actor.authority_id,
        True,
        ["register_entry.recorded"],
    )
    actions = session.scalars(select(AuditEvent.action).where(AuditEvent.record_id == first.id)).all()
    assert actions == ["webhook_endpoint.added"]


def test_rotation_keeps_the_old_secret_signing_for_24_hours(session):
    actor = council(session)
    endpoint, old = hook(session, actor)
    rotated, new = rotate_secret(session, actor, endpoint.id, NOW)
    assert new != old and new.startswith("whsec_")
    assert signing_secrets(rotated, NOW) == [new, old]
    assert signing_secrets(rotated, NOW + timedelta(hours=23, minutes=59)) == [new, old]
    assert signing_secrets(rotated, NOW + timedelta(hours=24)) == [new]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://93.184.215.14/hook", "https"),
        ("ftp://93.184.215.14/hook", "https"),
        ("https:///hook", "host"),
        ("https://user:pw@93.184.215.14/hook", "host"),
        ("https://127.0.0.1/hook", "non-public"),
        ("https://localhost:8443/hook", "non-public"),
        ("https://10.1.2.3/hook", "non-public"),
        ("https://192.168.0.10/hook", "non-public"),
        ("https://172.16.5.5/hook", "non-public"),
        ("https://169.254.169.254/latest/meta-data", "non-public"),
        ("https://[::1]/hook", "non-public"),
        ("https://[fe80::1]/hook", "non-public"),
        ("https://[::ffff:127.0.0.1]/hook", "non-public"),
        ("https://0.0.0.0/hook", "non-public"),
        ("https://224.0.0.1/hook", "non-public"),
        ("https://240.0.0.1/hook", "non-public"),
        ("https://100.64.0.1/hook", "non-public"),
        ("https://no-such-host.invalid/hook", "does not resolve"),
    ],
)
def test_webhook_urls_into_our_own_network_are_refused(url, message):
    with pytest.raises(ValidationFailed) as refused:
        check_webhook_url(url, **PUBLIC)
    assert message in refused.value.detail
    assert refused.value.errors[0]["field"] == "url"


def test_private_and_http_targets_only_when_allowed():
    url = "http://127.0.0.1:8080/hook"
    assert check_webhook_url(url, allow_http=True, allow_private=True) == url
    with pytest.raises(ValidationFailed, match="non-public"):
        check_webhook_url(url, allow_http=True, allow_private=False)
    with pytest.raises(ValidationFailed, match="https"):
        check_webhook_url(url, allow_http=False, allow_private=True)
    assert check_webhook_url("https://93.184.215.14/x", **PUBLIC) == "https://93.184.215.14/x"


def test_a_refused_url_stores_nothing(session):
    actor = council(session)
    with pytest.raises(ValidationFailed):
        hook(session, actor, url="https://127.0.0.1/hook")
    assert session.scalars(select(WebhookEndpoint)).all() == []


@pytest.mark.parametrize("types", [[], ["licence.exploded"], ["licence.expiring", "nope"]])
def test_alert_types_must_be_known_and_given(session, types):
    with pytest.raises(ValidationFailed) as refused:
        hook(session, council(session), types=types)
    assert refused.value.errors[0]["field"] == "alert_types"


def test_email_recipients_are_checked_and_listed_per_council(session):
    actor, other = council(session), council(session)
    mine = add_email(session, actor, " alerts@council.example ", ["dbs.new_info", "dbs.new_info"], NOW)
    add_email(session, other, "theirs@council.example", ["dbs.lapsed"], NOW)
    endpoint, _ = hook(session, actor)
    assert (mine.email_address, mine.alert_types) == ("alerts@council.example", ["dbs.new_info"])
    endpoints, recipients = list_subscriptions(session, actor)
    assert ([e.id for e in endpoints], [r.id for r in recipients]) == ([endpoint.id], [mine.id])
    with pytest.raises(ValidationFailed):
        add_email(session, actor, "not an address", ["dbs.lapsed"], NOW)


def test_changes_apply_to_own_subscriptions_only(session):
    actor, other = council(session), council(session)
    endpoint, _ = hook(session, actor)
    recipient = add_email(session, actor, "a@council.example", ["dbs.lapsed"], NOW)
    changed = change(session, actor, WebhookEndpoint, endpoint.id, {"active": False}, NOW, **PUBLIC)
    assert changed.active is False
    change(session, actor, EmailRecipient, recipient.id, {"alert_types": ["licence.expired"]}, NOW)
    assert session.get(EmailRecipient, recipient.id).alert_types == ["licence.expired"]
    with pytest.raises(NotFound):
        change(session, other, WebhookEndpoint, endpoint.id, {"active": True}, NOW, **PUBLIC)
    with pytest.raises(NotFound):
        rotate_secret(session, other, endpoint.id, NOW)
    with pytest.raises(ValidationFailed):
        change(session, actor, WebhookEndpoint, endpoint.id, {"url": "https://10.0.0.1/"}, NOW, **PUBLIC)
