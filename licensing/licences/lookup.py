"""Who licenses this driver? The enforcement quick check (councils) and the public check (residents).

Enforcement officers stop drivers licensed elsewhere (out-of-area work, Deregulation Act 2015 s.11) and
need to know which council licenses them and whether the licence is valid now. A badge alone is enough:
the check lists every council that issued that number, since each council numbers its own badges. They
see the licence's badge, type, status, expiry and issuing council; never the other council's full
record (docs/reference.md, access rules).

The public check shows only what is safe to show (docs/reference.md, the public check): badge number, type,
issuing council, status, expiry and the display name the council chose. Every miss, whatever its cause
(unknown badge, another council's badge, a malformed or partial number), raises the very same NotFound,
so the answer never says more than "no such licence".
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from licensing import reference
from licensing.actors import Actor
from licensing.audit import log as audit
from licensing.errors import NotFound, ValidationFailed
from licensing.identity.validation import is_valid, valid_form
from licensing.licences import queries
from licensing.persistence.models import Authority, Licence
from licensing.persistence.models.records import LICENCE_STATUSES
from licensing.reference import reorganisation

BADGE_WIDTH = 32
PUBLIC_MISS = "No licence matches those details."
# A driver number reaches a resident only for licences that still stand; an old revocation found by
# someone who holds a person's driver number would tell them about that person, not about a badge.
STANDING = ("active", "suspended")


@dataclass(frozen=True)
class LicenceCheck:
    """What a check shows about one licence."""

    badge_number: str
    licence_type: str
    status: str
    expires_on: date
    valid_now: bool
    public_status: str
    display_name: str | None
    authority_code: str
    authority_name: str
    authority_contact_email: str | None = None  # where a resident reports a concern (public page)
    authority_concern_url: str | None = None  # the council's own page for that, preferred to the e-mail
    # After a reorganisation: the council that now licenses the driver, when not the one that issued it.
    now_licensed_by_code: str | None = None
    now_licensed_by_name: str | None = None

    @property
    def now_licensed_by(self) -> dict | None:
        """Return the code and name of the council that now answers for the licence, if it changed."""
        if self.now_licensed_by_code is None:
            return None
        return {"code": self.now_licensed_by_code, "name": self.now_licensed_by_name}

    @property
    def issuing_council(self) -> dict:
        """Return the issuing council's code and name."""
        return {"code": self.authority_code, "name": self.authority_name}


def public_status(licence: Licence, today: date) -> str:
    """Return the status a resident sees: current, suspended, revoked, surrendered or expired."""
    if licence.status in ("revoked", "surrendered"):
        return licence.status
    if licence.status == "expired" or licence.expires_on < today:
        return "expired"
    return "current" if licence.status == "active" else licence.status


def enforcement_check(
    session: Session,
    actor: Actor,
    *,
    authority_code: str | None = None,
    badge_number: str | None = None,
    driving_licence_number: str | None = None,
    now: datetime,
) -> list[LicenceCheck]:
    """Find the licences held under a badge or a driver number, for any council; audit the search."""
    actor.require_authority()
    if driving_licence_number:
        if not is_valid("driving_licence_number", driving_licence_number):
            message = "Not a valid GB (16 characters) or Northern Ireland (8 digits) driving licence number."
            raise ValidationFailed(message, [{"field": "driving_licence_number", "message": message}])
        found, by = _by_driver_number(session, driving_licence_number, LICENCE_STATUSES), "dln"
    elif badge_number:
        found, by = _by_badge(session, authority_code, badge_number, now.date()), "badge"
    else:
        raise ValidationFailed("Give a badge number (with its council, if known) or driving_licence_number.")
    detail = {"by": by, "licence_ids": [licence.id for licence, _ in found]}
    audit.record(session, actor, "licence.enforcement_checked", "licence", None, now=now, detail=detail)
    return [_check(session, licence, authority, now.date()) for licence, authority in found]


def public_check(
    session: Session,
    *,
    authority_code: str | None = None,
    badge_number: str | None = None,
    licence_number: str | None = None,
    today: date,
) -> list[LicenceCheck]:
    """Find a licence by authority and badge, or the standing licences of a full driver number."""
    if licence_number:
        found = _by_driver_number(session, licence_number, STANDING)
    elif authority_code and badge_number:
        found = _by_badge(session, authority_code, badge_number, today)
    else:
        found = []
    if not found:
        raise NotFound(PUBLIC_MISS)
    return [_check(session, licence, authority, today) for licence, authority in found]


def _by_badge(
    session: Session, authority_code: str | None, badge_number: str, today: date
) -> list[tuple[Licence, Authority]]:
    """Return the licence with this badge at this authority (or at every authority that issued it, when
    no authority is given), if both are well formed and exist.

    The issuing council's code finds it, so badges and QR codes printed before a reorganisation keep
    working; so does the code of the council that now answers for it (a predecessor's badge, found under
    the successor's code), when no licence of the successor's own holds that badge.
    """
    code = authority_code.strip().upper() if authority_code else None
    badge = badge_number.strip()
    if not badge or len(badge) > BADGE_WIDTH or (code is not None and len(code) > 9):
        return []
    # As typed or in capitals (badges are usually printed in capitals), both by an index.
    badges = {badge, badge.upper()}
    found = queries.licences_by_badge(session, code, badges)
    if found or code is None:
        return found
    answering = reference.authority_by_code(session, code)
    if answering is None:
        return []
    for predecessor in sorted(reorganisation.answered_by(session, answering.id, today) - {answering.id}):
        found += [
            (licence, authority)
            for licence, authority in queries.licences_by_badge_at(session, predecessor, badges)
            if reorganisation.successor_id(session, licence.authority_id, today, licence.id) == answering.id
        ]
    return found


def _by_driver_number(
    session: Session, number: str, statuses: tuple[str, ...]
) -> list[tuple[Licence, Authority]]:
    """Return the licences held under a full GB or Northern Ireland driver number, newest expiry first.

    Only a valid number is looked up: a record may keep a number its validator refused (as typed), and
    that is never an identifier to find a licence by.
    """
    normalised = valid_form("driving_licence_number", number)
    if normalised is None:
        return []
    return queries.licences_by_driver_number(session, normalised, statuses)


def _check(session: Session, licence: Licence, authority: Authority, today: date) -> LicenceCheck:
    """Describe one licence as a check shows it: issued by its council, and who licenses it now if changed."""
    shown = public_status(licence, today)
    answering_id = reorganisation.successor_id(session, licence.authority_id, today, licence.id)
    answering = session.get(Authority, answering_id) if answering_id != licence.authority_id else None
    return LicenceCheck(
        badge_number=licence.badge_number,
        licence_type=licence.licence_type,
        status=licence.status,
        expires_on=licence.expires_on,
        valid_now=shown == "current",
        public_status=shown,
        display_name=licence.display_name,
        authority_code=authority.code,
        authority_name=authority.name,
        authority_contact_email=(answering or authority).contact_email,
        authority_concern_url=(answering or authority).concern_url,
        now_licensed_by_code=answering.code if answering else None,
        now_licensed_by_name=answering.name if answering else None,
    )
