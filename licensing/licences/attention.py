"""What an officer must see first: safeguarding before routine, each item naming the driver it is about.

Safeguarding items are the council's unread alerts that may mean a driver is unsafe: police intelligence
routed to it, a licensee matched on the register or by intelligence (a possible match to review), new
information on a DBS certificate, another council's register entry about one of its licensees, and the
s.3 requests and s.5 concern reports it must answer. Each names the council's own records it is about, by
the driver's name and badge (an application or a register entry by its reference). Routine reminders
(licences expiring, DBS checks due, any other unread alert) are counted, one line per kind.

An alert holds no personal data (licensing/alerts/outbox.py): the driver is read here, from the council's
own records that the alert, the intelligence route or the request names. Nothing of the intelligence itself
is shown here, so nothing needs auditing: the officer opens the item, and that view is audited.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session

from licensing.actors import Actor
from licensing.alerts.inbox import WEEK
from licensing.licences import queries
from licensing.licences.finding import own_authorities
from licensing.licences.lifecycle import count_licences
from licensing.persistence.models import Alert, Application, Licence
from licensing.register import queries as register_queries
from licensing.words import counted

# The alert types that are safeguarding, in the order they are listed, with what the list calls them.
SAFEGUARDING = {
    "intelligence.routed": "Police intelligence routed to you",
    "intelligence.updated": "Police intelligence updated",
    "dbs.new_info": "New information on the DBS certificate",
    "screening.new_match": "Matched on the register or by police intelligence",
    "screening.possible_match": "Possible match to review",
    "register_entry.recorded": "Register entry by another council",
    "register_entry.amended": "Register entry changed",
    "register_entry.overturned": "Register entry overturned",
    "information_request.received": "Information request received (s.3)",
    "concern_report.received": "Concern report received (s.5)",
}
RANK = {alert_type: rank for rank, alert_type in enumerate(SAFEGUARDING)}
MAX_ITEMS = 100  # safeguarding alerts listed at once, the most important kinds first; /alerts lists all
MAX_ROUTES = 1000  # intelligence routes read to find those about one licence
MAX_ENTRY_ALERTS = 1000  # register entry alerts read to find those about one licence
ENTRY_ALERTS = ("register_entry.recorded", "register_entry.amended", "register_entry.overturned")
INTELLIGENCE_ALERTS = ("intelligence.routed", "intelligence.updated", "intelligence.withdrawn")


@dataclass(frozen=True)
class Driver:
    """One of the council's own records an item is about."""

    kind: str  # licence, application or register_entry
    id: int
    name: str
    badge_number: str | None
    ref: str


@dataclass
class Item:
    """One thing to look at: an alert, or a request or report to answer."""

    kind: str  # the alert type, or "information_request" / "concern_report"
    label: str
    subject_kind: str
    subject_id: int
    at: datetime
    drivers: list[Driver] = field(default_factory=list)
    alert_id: int | None = None
    due_on: date | None = None
    named: set = field(default_factory=set, repr=False)  # the (kind, id) an alert's detail names


@dataclass(frozen=True)
class Reminder:
    """A routine reminder: how many, of what kind, and which list shows them."""

    kind: str  # "expiring", "dbs" or an alert type
    text: str  # "3 licences expire within a week"
    count: int


@dataclass
class Attention:
    """The dashboard: safeguarding first, what the council must answer, then routine reminders."""

    safeguarding: list[Item]
    to_answer: list[Item]
    routine: list[Reminder]
    week_end: date
    unread_safeguarding: int  # more than listed when there are over MAX_ITEMS


def dashboard(session: Session, actor: Actor, today: date) -> Attention:
    """Return what the actor's council must look at, safeguarding first, as of `today`."""
    authority_id = actor.require_authority()
    unread = queries.unread_alert_counts(session, authority_id, tuple(SAFEGUARDING))
    alerts: list[Alert] = []
    for alert_type in (t for t in SAFEGUARDING if unread.get(t)):  # the most important kinds first
        if len(alerts) < MAX_ITEMS:
            alerts += queries.unread_alerts_of_types(
                session, authority_id, (alert_type,), MAX_ITEMS - len(alerts)
            )
    safeguarding = [_item_of(alert) for alert in alerts]
    to_answer = _to_answer(session, own_authorities(session, actor))
    _name_drivers(session, actor, [*safeguarding, *to_answer])
    routine = _routine(session, actor, today)
    return Attention(safeguarding, to_answer, routine, today + WEEK, sum(unread.values()))


@dataclass
class LicenceAttention:
    """What the council holds about one licence's driver: intelligence routed to it, and alerts."""

    intelligence: list  # the council's routes of items that matched this licence or its application
    alerts: list[Alert]


def about_licence(session: Session, actor: Actor, licence: Licence, limit: int = 20) -> LicenceAttention:
    """Return the intelligence routed to the council about the licence's driver, and its alerts about them."""
    authority_id = actor.require_authority()
    names = {("licence", licence.id)} | (
        {("application", licence.application_id)} if licence.application_id else set()
    )
    routes = [
        route
        for route in queries.routes_to(session, authority_id, None, MAX_ROUTES)
        if names & _matches(route.matches)
    ]
    found = {
        alert.id: alert for alert in queries.alerts_about(session, authority_id, "licence", licence.id, limit)
    }
    for alert in queries.latest_alerts_of_types(session, authority_id, ENTRY_ALERTS, MAX_ENTRY_ALERTS):
        if names & _matches(alert.payload.get("detail", {}).get("matches", [])):
            found[alert.id] = alert
    for route in routes:
        for alert in queries.alerts_about(
            session, authority_id, "intelligence", route.intelligence_id, limit
        ):
            found[alert.id] = alert
    alerts = sorted(found.values(), key=lambda alert: -alert.id)[:limit]
    return LicenceAttention(routes[:limit], alerts)


def _matches(matches: Iterable[dict]) -> set[tuple[str, int]]:
    """Return the (kind, id) of each record a route or an alert's detail names."""
    return {(m.get("kind"), m.get("id")) for m in matches or () if isinstance(m, dict)}


def _item_of(alert: Alert) -> Item:
    """Return the item an alert makes."""
    return Item(
        kind=alert.alert_type,
        label=SAFEGUARDING[alert.alert_type],
        subject_kind=alert.subject_kind,
        subject_id=alert.subject_id,
        at=alert.created_at,
        alert_id=alert.id,
        named=_matches(alert.payload.get("detail", {}).get("matches", [])),
    )


def _to_answer(session: Session, authority_ids: tuple[int, ...]) -> list[Item]:
    """Return the open s.3 requests to answer and concern reports to decide, soonest due first: the
    council's own and, after a reorganisation, those made to the councils it answers for."""
    requests = [
        Item("information_request", "Information request to answer (s.3)", "information_request", r.id,
             r.requested_at, due_on=r.due_on)
        for r in queries.open_requests_to_answer(session, authority_ids, MAX_ITEMS)
    ]  # fmt: skip
    reports = [
        Item("concern_report", "Concern report to decide (s.6)", "concern_report", r.id, r.reported_at,
             due_on=r.due_on)
        for r in queries.open_reports_to_decide(session, authority_ids, MAX_ITEMS)
    ]  # fmt: skip
    return sorted([*requests, *reports], key=lambda item: (item.due_on, item.subject_id))


def _routine(session: Session, actor: Actor, today: date) -> list[Reminder]:
    """Return the routine reminders: expiries and DBS checks due within a week, other unread alerts."""
    expiring = count_licences(session, actor, due="expiring", today=today)
    dbs_due = count_licences(session, actor, due="dbs", today=today)
    found = [
        Reminder(
            "expiring", counted(expiring, "licence expires", "licences expire") + " within a week", expiring
        ),
        Reminder("dbs", counted(dbs_due, "DBS check is", "DBS checks are") + " due within a week", dbs_due),
    ]
    counts = queries.unread_alert_counts(session, actor.require_authority(), None)
    for alert_type, count in sorted(counts.items()):
        if alert_type not in SAFEGUARDING:
            kind = _in_a_sentence(alert_words(alert_type))
            words = f"{counted(count, 'unread alert', 'unread alerts')}: {kind}"
            found.append(Reminder(alert_type, words, count))
    return [reminder for reminder in found if reminder.count]


def _in_a_sentence(words: str) -> str:
    """Return words that began a sentence as they read inside one ("Licence expired" -> "licence expired")."""
    return words if words[:3].isupper() else words[:1].lower() + words[1:]


def alert_words(alert_type: str) -> str:
    """Return an alert type in words: "dbs.check_due" -> "DBS check due"."""
    if alert_type in SAFEGUARDING:
        return SAFEGUARDING[alert_type]
    words = alert_type.replace(".", " ").replace("_", " ").capitalize()
    return words.replace("Dbs ", "DBS ")


def _name_drivers(session: Session, actor: Actor, items: list[Item]) -> None:
    """Put on each item the council's own records it is about."""
    authority_id = actor.require_authority()
    wanted: dict[int, set[tuple[str, int]]] = {}  # item index -> (kind, id)
    intelligence = {item.subject_id for item in items if item.subject_kind == "intelligence"}
    routes = {
        r.intelligence_id: r for r in queries.routes_to(session, authority_id, intelligence, MAX_ITEMS * 2)
    }
    requests = {
        r.id: r
        for r in queries.requests_by_ids(
            session, {i.subject_id for i in items if i.subject_kind == "information_request"}
        )
    }
    reports = {
        r.id: r
        for r in queries.reports_by_ids(
            session, {i.subject_id for i in items if i.subject_kind == "concern_report"}
        )
    }
    for index, item in enumerate(items):
        refs: set[tuple[str, int]] = set()
        if item.subject_kind in ("licence", "application"):
            refs.add((item.subject_kind, item.subject_id))
        elif item.subject_kind == "intelligence" and item.subject_id in routes:
            refs |= _matches(routes[item.subject_id].matches)
        elif item.subject_kind == "information_request" and item.subject_id in requests:
            refs.add(("register_entry", requests[item.subject_id].register_entry_id))
        elif item.subject_kind == "concern_report" and item.subject_id in reports:
            refs.add(("licence", reports[item.subject_id].licence_id))
        wanted[index] = refs | item.named
    drivers = _drivers(
        session, own_authorities(session, actor), set().union(*wanted.values()) if wanted else set()
    )
    for index, item in enumerate(items):
        item.drivers = sorted(
            (drivers[ref] for ref in wanted[index] if ref in drivers),
            key=lambda d: (d.kind != "licence", d.id),
        )


def _drivers(session: Session, authorities, refs: set[tuple[str, int]]) -> dict[tuple[str, int], Driver]:
    """Return the council's own records among `refs`, as drivers."""
    ids = {kind: {i for k, i in refs if k == kind} for kind in ("licence", "application", "register_entry")}
    found = {}
    for licence in queries.own_records_with_ids(session, Licence, authorities, ids["licence"]):
        found[("licence", licence.id)] = _driver("licence", licence, licence.badge_number)
    for application in queries.own_records_with_ids(session, Application, authorities, ids["application"]):
        found[("application", application.id)] = _driver("application", application, None)
    for entry in register_queries.own_entries_with_ids(session, authorities, ids["register_entry"]):
        found[("register_entry", entry.id)] = _driver("register_entry", entry, None)
    return found


def _driver(kind: str, record, badge_number: str | None) -> Driver:
    """Describe one record as a driver."""
    name = f"{record.given_names} {record.family_name}".strip()
    return Driver(kind, record.id, name, badge_number, record.ref)


def alerts_page(
    session: Session, actor: Actor, alert_type: str | None, *, after: tuple | None = None, limit: int = 50
):
    """Return a page of the council's alerts (of `alert_type`, when given), newest first."""
    return queries.alerts_page_of_type(session, actor.require_authority(), alert_type, after, limit)
