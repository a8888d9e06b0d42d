"""A licence's DBS details: the enhanced certificate's number, Update Service subscription, consent.

The Statutory Taxi and Private Hire Vehicle Standards ask for the driver's continuous Update Service
subscription, so the council can check the certificate's status at least every six months
(licensing/monitoring/dbs.py). A status check needs the 12-digit certificate number and the holder's
consent to checks; a subscription recorded without either could never be checked, so it is refused.
"""

import re
from datetime import date, datetime

from sqlmodel import Session

from licensing.actors import Actor
from licensing.audit import log as audit
from licensing.errors import ValidationFailed
from licensing.persistence.models import Licence

CERTIFICATE_NUMBER = re.compile(r"^\d{12}$")
DBS_FIELDS = ("dbs_certificate_number", "dbs_update_service", "dbs_consent_on")
NEEDS = "A status check needs the certificate number and the date of the driver's consent."


def certificate_number(value: str | None) -> str | None:
    """Return a certificate number without spaces, None when empty; raise ValueError unless 12 digits."""
    compact = re.sub(r"\s+", "", value or "")
    if compact and not CERTIFICATE_NUMBER.match(compact):
        raise ValueError("A DBS certificate number is 12 digits.")
    return compact or None


def clean_dbs(fields: dict, today: date) -> dict:
    """Return the three DBS details checked, or raise ValidationFailed naming each problem."""
    errors, values = [], {"dbs_update_service": bool(fields.get("dbs_update_service"))}
    try:
        values["dbs_certificate_number"] = certificate_number(fields.get("dbs_certificate_number"))
    except ValueError as error:
        values["dbs_certificate_number"] = None
        errors.append(_error("dbs_certificate_number", str(error)))
    values["dbs_consent_on"] = fields.get("dbs_consent_on")
    if values["dbs_consent_on"] is not None and values["dbs_consent_on"] > today:
        errors.append(_error("dbs_consent_on", "The consent cannot be dated in the future."))
    errors += [_error(name, NEEDS) for name in subscription_lacks(values) if not _named(errors, name)]
    if errors:
        raise ValidationFailed("The DBS details are not valid.", errors)
    return values


def subscription_lacks(values: dict) -> list[str]:
    """Name what a subscription to the Update Service still lacks (nothing when not subscribed)."""
    if not values.get("dbs_update_service"):
        return []
    return [name for name in ("dbs_certificate_number", "dbs_consent_on") if not values.get(name)]


def change_dbs(session: Session, actor: Actor, licence: Licence, fields: dict, now: datetime) -> list[str]:
    """Set the licence's DBS details and audit what changed, in the caller's transaction; return it."""
    values = clean_dbs(fields, now.date())
    changed = sorted(name for name, value in values.items() if getattr(licence, name) != value)
    if not changed:
        return []
    for name in changed:
        setattr(licence, name, values[name])
    licence.updated_at = now
    session.add(licence)
    # The certificate number is the driver's: the log names only what changed.
    detail = {"changed": changed, "dbs_update_service": values["dbs_update_service"]}
    audit.record(session, actor, "licence.dbs_changed", "licence", licence.id, now=now, detail=detail)
    return changed


def _named(errors: list[dict], name: str) -> bool:
    """Tell whether `errors` already holds one for field `name`."""
    return any(error["field"] == name for error in errors)


def _error(field: str, message: str) -> dict:
    """Return one {field, message} validation error."""
    return {"field": field, "message": message}
