"""The officer's dashboard: safeguarding first, each item naming the driver and badge; then what the
council must answer (s.3 requests, concern reports); then routine reminders, one line per kind with a count
and a link to the list of them. Every alert is on the alerts page, a page at a time.
"""

from flask import Blueprint, redirect, render_template, request, url_for

from app import db
from app.officer.access import actor, require_officer
from app.officer.paging import page_after, pagination
from licensing.alerts import inbox
from licensing.clock import utcnow
from licensing.licences import attention

bp = Blueprint("officer_dashboard", __name__, url_prefix="/dashboard")
bp.before_request(require_officer)
SUBJECT_PAGES = {
    "licence": ("officer_licences.show", "licence_id"),
    "application": ("officer_applications.show", "application_id"),
    "intelligence": ("officer_intelligence.show", "intelligence_id"),
    "register_entry": ("officer_register.show", "entry_id"),
    "information_request": ("officer_workflows.request", "request_id"),
    "concern_report": ("officer_workflows.report", "report_id"),
}
DRIVER_PAGES = {
    "licence": ("officer_licences.show", "licence_id"),
    "application": ("officer_applications.show", "application_id"),
    "register_entry": ("officer_register.show", "entry_id"),
}
ALERTS = "alerts_newest_first"


@bp.get("")
def index():
    """Show safeguarding items first, then what to answer, then routine reminders."""
    today = utcnow().date()
    return render_template(
        "officer/dashboard/index.html",
        attention=attention.dashboard(db.session(), actor(), today),
        today=today,
        subject_link=subject_link,
        driver_link=driver_link,
        reminder_link=reminder_link,
    )


@bp.get("/alerts")
def alerts():
    """List the council's alerts (of one type, when chosen), newest first, a page at a time."""
    alert_type = request.args.get("type") or None
    page = attention.alerts_page(db.session(), actor(), alert_type, after=page_after(ALERTS))
    return render_template(
        "officer/dashboard/alerts.html", page=page, pagination=pagination(ALERTS, page),
        alert_type=alert_type, alert_words=attention.alert_words, subject_link=subject_link,
    )  # fmt: skip


@bp.post("/alerts/<int:alert_id>/read")
def mark_read(alert_id: int):
    """Mark an alert read and go back to the dashboard."""
    inbox.mark_read(db.session(), actor(), alert_id, utcnow())
    return redirect(url_for(".index", _anchor="safeguarding"))


def subject_link(subject_kind: str, subject_id: int) -> str | None:
    """Return the page of the record an item is about, when the officer has one."""
    page = SUBJECT_PAGES.get(subject_kind)
    return url_for(page[0], **{page[1]: subject_id}) if page else None


def driver_link(driver: attention.Driver) -> str:
    """Return the page of one of the council's records an item names."""
    endpoint, arg = DRIVER_PAGES[driver.kind]
    return url_for(endpoint, **{arg: driver.id})


def reminder_link(reminder: attention.Reminder) -> str:
    """Return the list a routine reminder counts."""
    if reminder.kind in ("expiring", "dbs"):
        return url_for("officer_licences.index", due=reminder.kind)
    return url_for(".alerts", type=reminder.kind)
