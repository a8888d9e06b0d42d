"""The officer's dashboard: the council's alerts inbox and the deadlines due this week."""

from flask import Blueprint, redirect, render_template, url_for

from app import db
from app.officer.access import actor, require_officer
from licensing.alerts import inbox
from licensing.clock import utcnow

bp = Blueprint("officer_dashboard", __name__, url_prefix="/dashboard")
bp.before_request(require_officer)
SUBJECT_PAGES = {
    "licence": ("officer_licences.show", "licence_id"),
    "application": ("officer_applications.show", "application_id"),
    "intelligence": ("officer_intelligence.show", "intelligence_id"),
}


@bp.get("")
def index():
    """Show the alerts inbox (unread first) and this week's deadlines."""
    session, officer, today = db.session(), actor(), utcnow().date()
    return render_template(
        "officer/dashboard/index.html",
        alerts=inbox.alerts_inbox(session, officer),
        due=inbox.deadlines(session, officer, today),
        today=today,
        dbs_due_on=inbox.dbs_due_on,
        subject_link=subject_link,
    )


@bp.post("/alerts/<int:alert_id>/read")
def mark_read(alert_id: int):
    """Mark an alert read and go back to the inbox."""
    inbox.mark_read(db.session(), actor(), alert_id, utcnow())
    return redirect(url_for(".index", _anchor="alerts"))


def subject_link(alert) -> str | None:
    """Return the page of the record an alert is about, when the officer has one."""
    page = SUBJECT_PAGES.get(alert.subject_kind)
    return url_for(page[0], **{page[1]: alert.subject_id}) if page else None
