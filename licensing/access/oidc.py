"""Councils' own identity providers: their settings, and which officer account a verified ID token is.

The protocol itself (discovery, the code exchange, checking the ID token's signature and claims) is in
integrations/oidc.py; this module starts from claims already checked. A provider vouches only for the
e-mail domains its council listed, only for accounts of that council that an administrator created, and
an account answers to the first subject it signed in as, so a reissued address cannot take it over.
"""

import re
from datetime import datetime

from sqlmodel import Session

from licensing.access import queries
from licensing.access.users import actor_for, normalise_email
from licensing.actors import SYSTEM, Actor
from licensing.audit import log as audit
from licensing.errors import NotFound, Unauthenticated, ValidationFailed
from licensing.persistence.models import Authority, IdentityLink, IdentityProvider, User

NO_ACCOUNT = (
    "Your council's sign-in worked, but it does not match a Crosscheck account of your council. "
    "Ask your Crosscheck administrator to create one for your e-mail address."
)
_ENV_NAME = re.compile(r"[A-Z_][A-Z0-9_]*")
_DOMAIN = re.compile(r"(?:[a-z0-9-]+\.)+[a-z]{2,}")


def configure(
    session: Session,
    authority: Authority,
    *,
    issuer: str,
    client_id: str,
    client_secret_env: str,
    domains: list[str],
    email_claim: str,
    now: datetime,
    actor: Actor = SYSTEM,
    require_https: bool = True,
) -> IdentityProvider:
    """Add or replace the authority's identity provider."""
    domains = sorted({d.strip().lower() for d in domains if d.strip()})
    _check(issuer, client_id, client_secret_env, domains, email_claim, require_https)
    provider = provider_of(session, authority.id) or IdentityProvider(
        authority_id=authority.id, created_at=now
    )
    provider.issuer = issuer.strip()  # exactly: ID tokens are compared with it character for character
    provider.client_id = client_id.strip()
    provider.client_secret_env = client_secret_env
    provider.allowed_domains = " ".join(domains)
    provider.email_claim = email_claim.strip()
    provider.updated_at = now
    session.add(provider)
    session.flush()
    detail = {"issuer": provider.issuer, "domains": domains}
    audit.record(
        session,
        actor,
        "identity_provider.set",
        "identity_provider",
        provider.id,
        now=now,
        detail=detail,
        authority_id=authority.id,
    )
    return provider


def remove(session: Session, authority: Authority, now: datetime, actor: Actor = SYSTEM) -> None:
    """Remove the authority's identity provider and the accounts' links to it."""
    provider = provider_of(session, authority.id)
    if provider is None:
        raise NotFound(f"{authority.code} has no identity provider.")
    for link in queries.identity_links_of(session, provider.id):
        session.delete(link)
    session.flush()
    audit.record(
        session,
        actor,
        "identity_provider.remove",
        "identity_provider",
        provider.id,
        now=now,
        authority_id=authority.id,
    )
    session.delete(provider)


def provider_of(session: Session, authority_id: int) -> IdentityProvider | None:
    """Return the authority's identity provider, if it has one."""
    return queries.identity_provider_of(session, authority_id)


def providers(session: Session) -> list[tuple[IdentityProvider, Authority]]:
    """Return every identity provider with its authority, by authority name."""
    return queries.identity_providers_with_authorities(session)


def officer_for_claims(session: Session, provider: IdentityProvider, claims: dict, now: datetime) -> User:
    """Return the officer account that a provider's verified ID token signs in, or raise Unauthenticated.

    A refusal is audited before Unauthenticated is raised: the caller keeps its unit of work's changes
    and answers with the refusal.
    """
    user, reason = _match(session, provider, claims)
    if user is None:
        audit.record(
            session,
            SYSTEM,
            "user.sign_in.oidc_refused",
            "identity_provider",
            provider.id,
            now=now,
            detail={"reason": reason},
            authority_id=provider.authority_id,
        )
        raise Unauthenticated(NO_ACCOUNT)
    if session.get(IdentityLink, user.id) is None:
        session.add(
            IdentityLink(user_id=user.id, provider_id=provider.id, subject=claims["sub"], linked_at=now)
        )
    audit.record(session, actor_for(user), "user.sign_in.oidc", "user", user.id, now=now)
    return user


def _match(session: Session, provider: IdentityProvider, claims: dict) -> tuple[User | None, str]:
    """Return the account the claims name and "", or None and why not."""
    address = claims.get(provider.email_claim)
    if not isinstance(address, str) or "@" not in address:
        return None, "no e-mail claim"
    if provider.email_claim == "email" and claims.get("email_verified") is False:
        return None, "e-mail not verified"
    email = normalise_email(address)
    if email.rpartition("@")[2] not in provider.allowed_domains.split():
        return None, "domain not allowed"
    user = queries.user_by_email(session, email)
    if user is None or not user.active or user.authority_id != provider.authority_id:
        return None, "no account of the authority"
    return _check_link(session, provider, user, str(claims.get("sub") or ""))


def _check_link(session: Session, provider: IdentityProvider, user: User, subject: str):
    """Return the account if it is unlinked or linked to this subject of this provider."""
    if not subject:
        return None, "no subject"
    link = session.get(IdentityLink, user.id)
    if link is not None and (link.provider_id, link.subject) != (provider.id, subject):
        return None, "account bound to another subject"
    taken = queries.identity_link_by_subject(session, provider.id, subject)
    if taken is not None and taken.user_id != user.id:
        return None, "subject bound to another account"
    return user, ""


def _check(issuer: str, client_id: str, secret_env: str, domains: list[str], claim: str, https: bool) -> None:
    """Raise ValidationFailed listing every invalid setting."""
    errors = []
    if not issuer.startswith("https://") and not (not https and issuer.startswith("http://")):
        errors.append({"field": "issuer", "message": "Give the provider's https:// issuer URL."})
    if not client_id.strip():
        errors.append({"field": "client_id", "message": "Required."})
    if not _ENV_NAME.fullmatch(secret_env):
        errors.append({"field": "client_secret_env", "message": "Give the name of an environment variable."})
    if not domains or not all(_DOMAIN.fullmatch(d) for d in domains):
        errors.append(
            {"field": "domains", "message": "Give one or more e-mail domains, e.g. council.gov.uk."}
        )
    if not claim.strip():
        errors.append({"field": "email_claim", "message": "Required."})
    if errors:
        raise ValidationFailed("The identity provider's settings are not valid.", errors)
