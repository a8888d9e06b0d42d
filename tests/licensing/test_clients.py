"""API clients: keys shown once, stored as hashes, scoped to one organisation, refusable."""

from datetime import timedelta

import pytest
from sqlmodel import select

from licensing.access.clients import authenticate, create_client, hash_key, list_clients, revoke_client
from licensing.actors import cli_actor
from licensing.audit import log as audit
from licensing.errors import InvalidTransition, NotFound, Unauthenticated, ValidationFailed
from licensing.persistence.models import ApiClient, AuditEvent
from tests.factories import make_api_client, make_authority, make_police_force


def test_key_has_the_documented_shape_and_only_its_hash_is_stored(session, now):
    authority = make_authority(session)
    client, key = create_client(
        session, name="Back office", scopes=["council:read"], authority_id=authority.id, now=now
    )
    prefix, key_id, secret = key.split("_", 2)
    assert prefix == "cc"
    assert key_id == client.key_id and len(key_id) == 12
    assert len(secret) >= 43
    stored = session.get(ApiClient, client.id)
    assert stored.key_hash == hash_key(key)
    assert secret not in stored.key_hash and key not in repr(stored.model_dump())


def test_every_key_is_different(session):
    keys = {make_api_client(session)[1] for _ in range(5)}
    assert len(keys) == 5


def test_valid_key_authenticates_as_its_organisation_with_its_scopes(session, now):
    authority = make_authority(session)
    client, key = make_api_client(session, authority_id=authority.id, scopes="council:read council:write")
    actor = authenticate(session, key, now)
    assert actor.kind == "api_client"
    assert actor.id == client.id
    assert actor.authority_id == authority.id and actor.police_force_id is None
    assert actor.scopes == frozenset({"council:read", "council:write"})


def test_police_key_authenticates_as_its_force(session, now):
    force = make_police_force(session)
    _, key = make_api_client(session, police_force_id=force.id, scopes=["police:intelligence"])
    actor = authenticate(session, key, now)
    assert actor.police_force_id == force.id and actor.authority_id is None
    assert actor.scopes == frozenset({"police:intelligence"})


def test_authentication_records_last_use(session, now):
    client, key = make_api_client(session)
    authenticate(session, key, now)
    session.expire_all()
    assert session.get(ApiClient, client.id).last_used_at == now


def test_last_use_is_written_at_most_once_a_minute(session, now):
    client, key = make_api_client(session)
    authenticate(session, key, now)
    authenticate(session, key, now + timedelta(seconds=30))
    session.expire_all()
    assert session.get(ApiClient, client.id).last_used_at == now
    authenticate(session, key, now + timedelta(minutes=2))
    session.expire_all()
    assert session.get(ApiClient, client.id).last_used_at == now + timedelta(minutes=2)


def test_revoked_key_is_refused(session, now):
    client, key = make_api_client(session)
    revoke_client(session, client.id, now)
    with pytest.raises(Unauthenticated) as refused:
        authenticate(session, key, now + timedelta(seconds=1))
    assert refused.value.detail == "A valid API key is required."


@pytest.mark.parametrize(
    "mangle",
    [
        lambda key: None,
        lambda key: "",
        lambda key: "not-a-key",
        lambda key: key[:-1] + ("A" if key[-1] != "A" else "B"),  # right key id, wrong secret
        lambda key: "cc_" + "x" * 12 + key[15:],  # unknown key id
        lambda key: key.replace("cc_", "xx_", 1),
        lambda key: key[:15],  # no secret
        lambda key: key + " ",
    ],
    ids=[
        "missing",
        "empty",
        "malformed",
        "wrong-secret",
        "unknown-id",
        "wrong-prefix",
        "no-secret",
        "padded",
    ],
)
def test_bad_keys_are_refused_with_one_message(session, now, mangle):
    _, key = make_api_client(session)
    with pytest.raises(Unauthenticated) as refused:
        authenticate(session, mangle(key), now)
    assert refused.value.detail == "A valid API key is required."


def test_revoking_twice_is_refused(session, now):
    client, _ = make_api_client(session)
    revoke_client(session, client.id, now)
    with pytest.raises(InvalidTransition):
        revoke_client(session, client.id, now)


def test_revoking_an_unknown_client_is_not_found(session, now):
    with pytest.raises(NotFound):
        revoke_client(session, 999, now)


@pytest.mark.parametrize(
    ("organisation", "scopes"),
    [
        ("police", ["council:read"]),
        ("police", ["police:intelligence", "council:write"]),
        ("police", ["admin"]),
        ("council", ["police:intelligence"]),
        ("council", ["council:read", "police:intelligence"]),
        ("council", ["council:delete"]),
        ("council", []),
    ],
)
def test_scopes_must_fit_the_organisation(session, now, organisation, scopes):
    if organisation == "police":
        org = {"police_force_id": make_police_force(session).id}
    else:
        org = {"authority_id": make_authority(session).id}
    with pytest.raises(ValidationFailed) as refused:
        create_client(session, name="Client", scopes=scopes, now=now, **org)
    assert {e["field"] for e in refused.value.errors} == {"scopes"}
    assert list_clients(session) == []


def test_client_needs_exactly_one_organisation(session, now):
    authority, force = make_authority(session), make_police_force(session)
    for org in ({}, {"authority_id": authority.id, "police_force_id": force.id}):
        with pytest.raises(ValidationFailed):
            create_client(session, name="Client", scopes=["council:read"], now=now, **org)


def test_client_for_an_unknown_authority_is_refused(session, now):
    with pytest.raises(ValidationFailed):
        create_client(session, name="Client", scopes=["council:read"], authority_id=404, now=now)


def test_client_needs_a_name(session, now):
    authority = make_authority(session)
    with pytest.raises(ValidationFailed):
        create_client(session, name="  ", scopes=["council:read"], authority_id=authority.id, now=now)


def test_creation_and_revocation_are_audited_without_the_key(session, now):
    operator = cli_actor("clients")
    authority = make_authority(session)
    client, key = create_client(
        session,
        name="Back office",
        scopes=["council:read"],
        authority_id=authority.id,
        now=now,
        actor=operator,
    )
    revoke_client(session, client.id, now, actor=operator)
    events = session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [(e.action, e.record_kind, e.record_id) for e in events] == [
        ("api_client.create", "api_client", client.id),
        ("api_client.revoke", "api_client", client.id),
    ]
    assert {e.actor_label for e in events} == {"cli:clients"}
    assert {e.authority_id for e in events} == {authority.id}
    assert all(key not in str(e.detail) and client.key_hash not in str(e.detail) for e in events)
    assert audit.verify(session).ok
