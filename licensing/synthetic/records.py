"""Licence and register-entry fields for synthetic people."""

import random
from datetime import date, timedelta

# DfT taxi and PHV statistics, England, 1 April 2024: 69% PHV-only, 9% taxi-only, 20% dual licences.
LICENCE_TYPE_WEIGHTS = {"phv": 69, "hackney": 9, "dual": 20}
LICENCE_YEARS = 3  # the usual (and the maximum, LG(MP)A 1976 s.53) length of a driver licence
DECISION_WEIGHTS = {"revocation": 35, "refusal_of_grant": 35, "suspension": 20, "refusal_of_renewal": 10}
APPEAL_DAYS = 21  # a decision takes effect once the 21-day appeal period has run (LG(MP)A 1976 s.61)
REGISTER_YEARS = 6  # how far back register decisions go


def licence_fields(rng: random.Random, authority_code: str, badge_number: str, today: date) -> dict:
    """Return the licence columns: type, dates and badge; about one in twenty licences has expired."""
    licence_type = rng.choices(list(LICENCE_TYPE_WEIGHTS), weights=list(LICENCE_TYPE_WEIGHTS.values()))[0]
    held_for = rng.randrange(LICENCE_YEARS * 365) if rng.random() > 0.05 else rng.randrange(1100, 2000)
    granted_on = today - timedelta(days=held_for)
    return {
        "authority_code": authority_code,
        "badge_number": badge_number,
        "licence_type": licence_type,
        "granted_on": granted_on,
        "expires_on": _add_years(granted_on, LICENCE_YEARS) - timedelta(days=1),
    }


def register_fields(rng: random.Random, authority_code: str, today: date) -> dict:
    """Return the register-entry columns: a decision, when it was made and when it took effect."""
    decision = rng.choices(list(DECISION_WEIGHTS), weights=list(DECISION_WEIGHTS.values()))[0]
    decided_on = today - timedelta(days=rng.randrange(14, REGISTER_YEARS * 365))
    # Suspensions and revocations in the interests of public safety take effect at once (s.61(2B)).
    immediate = decision in ("suspension", "revocation") and rng.random() < 0.5
    effective_on = decided_on if immediate else decided_on + timedelta(days=APPEAL_DAYS)
    return {
        "authority_code": authority_code,
        "decision": decision,
        "decided_on": decided_on,
        "effective_on": effective_on,
    }


class BadgeNumbers:
    """Hands out badge numbers unique within each authority, from a random start for each."""

    def __init__(self, rng: random.Random):
        self.rng, self.next = rng, {}

    def take(self, authority_code: str) -> str:
        """Return the next unused badge number of `authority_code`."""
        number = self.next.get(authority_code) or self.rng.randrange(1000, 60000)
        self.next[authority_code] = number + self.rng.randint(1, 7)
        return str(number)


def _add_years(day: date, years: int) -> date:
    """Return the same day `years` later (28 February for 29 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


# NR3S's words for each decision; now and then a bare "Refusal", which does not say grant or renewal.
NR3S_DECISIONS = {
    "refusal_of_grant": "Refusal to grant",
    "refusal_of_renewal": "Refusal to renew",
    "suspension": "Suspension",
    "revocation": "Revocation",
}
BARE_REFUSAL_RATE = 0.1


def nr3s_fields(rng: random.Random, authority_code: str, number: int, today: date) -> dict:
    """Return the decision columns of one NR3S record: its reference, council, decision and dates."""
    fields = register_fields(rng, authority_code, today)
    decision = NR3S_DECISIONS[fields["decision"]]
    if fields["decision"] == "refusal_of_grant" and rng.random() < BARE_REFUSAL_RATE:
        decision = "Refusal"
    return {
        "nr3s_ref": f"NR3S-{number:08d}",
        "licensing_authority": authority_code,
        "decision": decision,
        "decided_on": fields["decided_on"],
        "effective_on": fields["effective_on"],
    }
