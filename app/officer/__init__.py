"""The officer web UI: sign in (throttled), sign out, change of password, and the home page."""

import logging

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from werkzeug.exceptions import BadRequest
from wtforms import EmailField, PasswordField
from wtforms.validators import EqualTo, InputRequired

from app import auth, db
from app.officer import oidc, pages, second_factor, throttle
from app.officer.access import require_officer
from licensing.access.users import authority_of, change_password, sign_in
from licensing.clock import utcnow
from licensing.errors import Unauthenticated, ValidationFailed

log = logging.getLogger(__name__)

bp = Blueprint("officer", __name__)


class SignInForm(FlaskForm):
    """An officer's e-mail address and password."""

    email = EmailField("Email address", validators=[InputRequired("Enter your email address")])
    password = PasswordField("Password", validators=[InputRequired("Enter your password")])


class ChangePasswordForm(FlaskForm):
    """The officer's current password and the new one, twice."""

    current_password = PasswordField(
        "Current password", validators=[InputRequired("Enter your current password")]
    )
    new_password = PasswordField("New password", validators=[InputRequired("Enter a new password")])
    confirm_password = PasswordField(
        "Confirm new password",
        validators=[
            InputRequired("Enter the new password again"),
            EqualTo("new_password", "The passwords differ"),
        ],
    )


def init_app(app: Flask) -> None:
    """Register the officer pages and make the signed-in officer available to every template."""
    throttle.check_settings(app)
    app.before_request(refuse_nul_in_forms)
    app.register_blueprint(bp)
    pages.init_app(app)
    second_factor.init_app(app)
    oidc.init_app(app)
    app.context_processor(officer_context)


def refuse_nul_in_forms() -> None:
    """Refuse a page's form or query holding a NUL character: PostgreSQL can neither store nor compare it."""
    if request.path.startswith("/api/") or request.blueprint == "residents":
        return  # the API and the public check refuse it in their own answers
    sent = [*request.args.items(multi=True), *(request.form.items(multi=True) if request.form else ())]
    found = sorted({name for name, value in sent if "\x00" in value})
    if found:
        raise BadRequest(f"Text cannot contain NUL characters (sent in: {', '.join(found)}).")


def officer_context() -> dict:
    """Return the signed-in officer and their authority, which the layout's header shows."""
    officer = auth.current_officer()
    return {"officer": officer, "officer_authority": authority_of(db.session(), officer) if officer else None}


@bp.get("/")
def index():
    """Send a signed-in officer to the dashboard; show anyone else how to sign in or check a licence."""
    if auth.current_officer() is not None:
        return redirect(url_for("officer_dashboard.index"))
    return render_template("officer/index.html")


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in_page():
    """Show the sign-in form, or sign the officer in and go home."""
    form = SignInForm()
    if not form.validate_on_submit():
        return render_template("officer/sign_in.html", form=form)
    budgets = throttle.budgets_for(form.email.data)
    if wait := throttle.seconds_to_wait(budgets):
        return _throttled("officer/sign_in.html", form, wait)
    address = request.remote_addr or ""
    try:
        user = sign_in(db.session(), form.email.data, form.password.data, utcnow(), address=address)
    except Unauthenticated as refusal:
        throttle.count_failure(budgets)
        return render_template("officer/sign_in.html", form=form, error=refusal.detail)
    return second_factor.after_password(user)


@bp.post("/sign-out")
def sign_out():
    """Sign the officer out, ending their sessions on the server."""
    auth.sign_out_officer()
    return redirect(url_for("officer.sign_in_page"))


@bp.route("/account/password", methods=["GET", "POST"])
def change_password_page():
    """Show the change-of-password form, or change it and end the officer's other sessions."""
    if (to_sign_in := require_officer()) is not None:
        return to_sign_in
    form = ChangePasswordForm()
    if not form.validate_on_submit():
        return render_template("officer/change_password.html", form=form)
    officer = auth.current_officer()
    budgets = throttle.budgets_for(officer.email)  # a stolen session must not guess the password here
    if wait := throttle.seconds_to_wait(budgets):
        return _throttled("officer/change_password.html", form, wait)
    try:
        user = change_password(
            db.session(), officer.id, form.current_password.data, form.new_password.data, utcnow()
        )
    except ValidationFailed as refusal:
        for problem in refusal.errors:
            form[problem["field"]].errors.append(problem["message"])
        if form.current_password.errors:
            throttle.count_failure(budgets)
        return render_template("officer/change_password.html", form=form)
    auth.sign_in_officer(user)  # this browser carries on under the new session version
    flash("Your password has been changed. You have been signed out everywhere else.", "success")
    return redirect(url_for("officer_dashboard.index"))


def _throttled(template: str, form: FlaskForm, wait: int):
    """Answer an attempt that must wait, without checking its password."""
    log.warning("sign-in throttled", extra={"client_address": request.remote_addr, "wait_seconds": wait})
    minutes = -(-wait // 60)
    error = f"Too many failed sign-ins. Wait {minutes} minute{'s' if minutes != 1 else ''}, then try again."
    page = render_template(template, form=form, error=error)
    return page, 429, {"Retry-After": str(wait)}
