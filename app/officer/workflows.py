"""Information requests (s.3) and concern reports (s.5/s.6), in and out, with due dates and overdue flags.

Every form calls the service the API calls (licensing.workflows.information_requests,
licensing.workflows.concern_reports): the rule that refuses a request or a report there refuses it here, and a
record of another council is NotFound in both.
"""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from app import db
from app.config import working_calendar
from app.officer.access import MANAGERS, actor, check_role, require_officer
from app.officer.forms import CouncilField, DateField, choices, show_service_errors
from licensing.clock import utcnow
from licensing.dates import long_date
from licensing.errors import InvalidTransition, NotFound, ValidationFailed
from licensing.persistence.db import MAX_ID
from licensing.persistence.models.workflows import REPORT_DECISIONS
from licensing.workflows import concern_reports, information_requests, queries

bp = Blueprint("officer_workflows", __name__, url_prefix="/workflows")
bp.before_request(require_officer)
DIRECTIONS = ("incoming", "outgoing")
# Refusals a form can show; NotFound and Forbidden go on to the error pages (404, 403).
SHOWN = (ValidationFailed, InvalidTransition)
ID = [Optional(), NumberRange(1, MAX_ID, "Enter a record number")]


class AnswerForm(FlaskForm):
    """The recording council's answer to a s.3 request."""

    response_text = TextAreaField(
        "The information your council relied on",
        [DataRequired("Enter the information your council relied on"), Length(max=100_000)],
    )


class RequestForm(FlaskForm):
    """A written s.3 request about an entry a screening found."""

    register_entry_id = IntegerField(
        widget=HiddenField.widget, validators=[InputRequired("Choose an entry"), *ID]
    )
    application_id = IntegerField(widget=HiddenField.widget, validators=ID)
    request_text = TextAreaField(
        "What you need to know", [DataRequired("Enter what you need to know"), Length(max=4000)]
    )


class ReportForm(FlaskForm):
    """A s.5 concern about a driver another council licenses: the licence found, or a badge."""

    licence_id = IntegerField(widget=HiddenField.widget, validators=ID)
    authority_code = CouncilField("Issuing council", [Optional(), Length(max=9)])
    badge_number = StringField("Badge number", [Length(max=32)])  # not Optional: its check must run
    concern_on = DateField("Date your council learned of it")
    summary = TextAreaField("What happened", [DataRequired("Enter what happened"), Length(max=4000)])

    def validate_badge_number(self, field):
        """Require the licence found by a screening, or both the issuing council and the badge."""
        if self.licence_id.data is None and not (field.data and self.authority_code.data):
            raise ValidationError("Choose the issuing council and enter the badge number")


class DecisionForm(FlaskForm):
    """The issuing council's s.6 decision on a report."""

    decision = RadioField(
        "Your decision", choices=choices(REPORT_DECISIONS), validators=[InputRequired("Select your decision")]
    )
    notes = TextAreaField("Notes for the reporting council (optional)", [Optional(), Length(max=4000)])


@bp.get("")
def index():
    """List the requests and reports the council received and sent."""
    session, officer, today = db.session(), actor(), utcnow().date()
    lists = {
        direction: {
            "requests": [
                information_requests.describe(session, r, today)
                for r in information_requests.list_requests(
                    session, officer, direction=direction, today=today
                ).items
            ],
            "reports": [
                concern_reports.describe(session, r)
                for r in concern_reports.list_reports(session, officer, direction=direction).items
            ],
        }
        for direction in DIRECTIONS
    }
    return render_template("officer/workflows/index.html", lists=lists, today=today)


@bp.get("/requests/<int:request_id>", endpoint="request")
def request_page(request_id: int, form: AnswerForm | None = None, error: str | None = None):
    """Show one information request the council made or must answer, with the answer form."""
    session, today = db.session(), utcnow().date()
    found = information_requests.visible_request(session, actor(), request_id)
    page = render_template(
        "officer/workflows/request.html", r=information_requests.describe(session, found, today),
        form=form or AnswerForm(), error=error,
        answerable=found.recording_authority_id == actor().authority_id,
    )  # fmt: skip
    return page, 400 if (form and form.errors) or error else 200


@bp.post("/requests/<int:request_id>/answer")
def answer(request_id: int):
    """Record the council's answer to a request it must answer (s.3(3))."""
    form = AnswerForm()
    if not form.validate_on_submit():
        return request_page(request_id, form)
    try:
        answered = information_requests.respond(
            db.session(), actor(), request_id, form.response_text.data, [], utcnow()
        )
    except SHOWN as refusal:
        db.undo()
        return request_page(request_id, form, show_service_errors(form, refusal))
    councils = queries.councils_by_id(db.session(), [answered.requesting_authority_id])
    flash(f"Answer sent to {councils[answered.requesting_authority_id]['name']}.", "success")
    return redirect(url_for(".request", request_id=request_id))


@bp.route("/requests/new", methods=["GET", "POST"])
def new_request():
    """Show the s.3 request form for an entry a screening found, or send the request."""
    form = RequestForm(
        register_entry_id=request.args.get("entry", type=int),
        application_id=request.args.get("application", type=int),
    )
    error = None
    if form.validate_on_submit():
        fields = {name: form[name].data for name in ("register_entry_id", "application_id", "request_text")}
        try:
            made = information_requests.request_information(
                db.session(), actor(), fields, utcnow(), working_calendar(current_app.config)
            )
            councils = queries.councils_by_id(db.session(), [made.recording_authority_id])
            flash(
                f"Request sent to {councils[made.recording_authority_id]['name']}. "
                f"They must answer by {long_date(made.due_on)}.",
                "success",
            )
            return redirect(url_for(".request", request_id=made.id))
        except SHOWN as refusal:
            db.undo()
            error = show_service_errors(form, refusal)
    page = render_template("officer/workflows/new_request.html", form=form, error=error)
    return page, 400 if form.errors or error else 200


@bp.get("/reports/<int:report_id>")
def report(report_id: int, form: DecisionForm | None = None, error: str | None = None):
    """Show one concern report the council sent or received, with the decision form."""
    session = db.session()
    found = concern_reports.visible_report(session, actor(), report_id)
    decidable = found.issuing_authority_id == actor().authority_id
    page = render_template(
        "officer/workflows/report.html", r=concern_reports.describe(session, found),
        form=form or DecisionForm(), error=error, decidable=decidable,
    )  # fmt: skip
    return page, 400 if (form and form.errors) or error else 200


@bp.post("/reports/<int:report_id>/decide")
def decide(report_id: int):
    """Record the council's s.6 decision on a report about its driver; a manager decides."""
    check_role(*MANAGERS)
    form = DecisionForm()
    if not form.validate_on_submit():
        return report(report_id, form)
    try:
        decided = concern_reports.decide(
            db.session(), actor(), report_id, form.decision.data, form.notes.data, utcnow()
        )
    except SHOWN as refusal:
        db.undo()
        return report(report_id, form, show_service_errors(form, refusal))
    councils = queries.councils_by_id(db.session(), [decided.reporting_authority_id])
    flash(f"Decision recorded and sent to {councils[decided.reporting_authority_id]['name']}.", "success")
    return redirect(url_for(".report", report_id=report_id))


@bp.route("/reports/new", methods=["GET", "POST"])
def new_report():
    """Show the s.5 concern report form (from a licence a screening found), or send the report."""
    form = ReportForm(
        licence_id=request.args.get("licence", type=int),
        authority_code=request.args.get("authority"),
        badge_number=request.args.get("badge"),
    )
    form.authority_code.load_councils(db.session())
    error = None
    if form.validate_on_submit():
        fields = {"licence_id": form.licence_id.data, "concern_on": form.concern_on.data}
        fields |= {name: form[name].data or None for name in ("authority_code", "badge_number", "summary")}
        # A badge that matches nothing is the officer's typo, said on the form; a licence id that no
        # screening of this council found stays NotFound (404), as in the API.
        shown = SHOWN if form.licence_id.data else (*SHOWN, NotFound)
        try:
            sent = concern_reports.report_concern(
                db.session(), actor(), fields, utcnow(), working_calendar(current_app.config)
            )
            councils = queries.councils_by_id(db.session(), [sent.issuing_authority_id])
            flash(f"Report sent to {councils[sent.issuing_authority_id]['name']}.", "success")
            return redirect(url_for(".report", report_id=sent.id))
        except shown as refusal:
            db.undo()
            error = show_service_errors(form, refusal)
    page = render_template("officer/workflows/new_report.html", form=form, error=error)
    return page, 400 if form.errors or error else 200
