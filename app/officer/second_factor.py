"""The steps of a password sign-in after the password: the second factor, and setting a password by link.

After the right password the officer is not yet signed in: the session holds only a pending sign-in
(who and when). With SECOND_FACTOR_REQUIRED the officer then gives a code from their authenticator or
a recovery code, or, the first time, sets up an authenticator and is shown their recovery codes once.
"""

import io
from datetime import datetime, timedelta

import segno
from flask import Blueprint, Flask, current_app, make_response, redirect, render_template, session, url_for
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import InputRequired

from app import auth, db
from app.config import flag
from app.officer import throttle
from licensing.access import password_links, second_factor
from licensing.clock import utcnow
from licensing.errors import DomainError, Unauthenticated
from licensing.persistence.models import User

bp = Blueprint("second_factor", __name__)
PENDING_KEY = "pending_officer"
PENDING_LIFETIME = timedelta(minutes=10)  # time to fetch the phone, not to leave a half sign-in about


class CodeForm(FlaskForm):
    """A code from the authenticator app, or a recovery code."""

    code = StringField("Code", validators=[InputRequired("Enter the code")])


class PasswordForm(FlaskForm):
    """A new password, typed twice."""

    password = PasswordField("New password", validators=[InputRequired("Enter a password")])
    confirmation = PasswordField(
        "Type the password again", validators=[InputRequired("Type the password again")]
    )


def init_app(app: Flask) -> None:
    """Register the second-factor and set-password pages."""
    app.register_blueprint(bp)


@bp.after_request
def _no_store(response):
    """Keep authenticator secrets, recovery codes and link pages out of caches and Referer headers."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"  # a set-password link's token is in its path
    return response


def after_password(user: User):
    """Continue a sign-in whose password was right: sign in, or ask for the second factor first."""
    if not second_factor_required():
        return _signed_in(user)
    session.clear()
    session[PENDING_KEY] = {"id": user.id, "at": utcnow().isoformat()}
    enrolled = second_factor.is_enrolled(db.session(), user)
    return redirect(url_for("second_factor.code_page" if enrolled else "second_factor.enrol_page"))


def _signed_in(user: User, page=None):
    """Sign the officer in, answer with `page` (or the dashboard); remember this browser for the account."""
    auth.sign_in_officer(user)
    response = make_response(page if page is not None else redirect(url_for("officer_dashboard.index")))
    throttle.remember_device(response, user.email)
    return response


def second_factor_required() -> bool:
    """Tell whether local accounts need a second factor here (always in production)."""
    return flag(current_app.config.get("SECOND_FACTOR_REQUIRED"))


@bp.route("/sign-in/code", methods=["GET", "POST"])
def code_page():
    """Ask for a code from the authenticator (or a recovery code), then sign in."""
    user = _pending_user()
    if user is None or not second_factor.is_enrolled(db.session(), user):
        return redirect(url_for("officer.sign_in_page"))
    form = CodeForm()
    if not form.validate_on_submit():
        return render_template("officer/second_factor/code.html", form=form)
    # A wrong code counts against the same budgets as a wrong password.
    budgets = throttle.budgets_for(user.email)
    if wait := throttle.seconds_to_wait(budgets):
        error = "Too many failed sign-ins. Wait a few minutes, then try again."
        return (
            render_template("officer/second_factor/code.html", form=form, error=error),
            429,
            {"Retry-After": str(wait)},
        )
    try:
        second_factor.check(db.session(), user, form.code.data, utcnow())
    except Unauthenticated as refusal:
        throttle.count_failure(budgets)
        return render_template("officer/second_factor/code.html", form=form, error=refusal.detail)
    return _signed_in(user)


@bp.route("/sign-in/set-up-authenticator", methods=["GET", "POST"])
def enrol_page():
    """Set up an authenticator at first sign-in, then show the recovery codes once."""
    user = _pending_user()
    if user is None or second_factor.is_enrolled(db.session(), user):
        return redirect(url_for("officer.sign_in_page"))
    form = CodeForm()
    secret = _enrolment_secret()
    if form.validate_on_submit():
        try:
            codes = second_factor.confirm_enrolment(db.session(), user, secret, form.code.data, utcnow())
        except DomainError as refusal:
            return _enrol_form(user, form, secret, refusal.detail)
        return _signed_in(user, render_template("officer/second_factor/recovery_codes.html", codes=codes))
    return _enrol_form(user, form, secret, None)


@bp.route("/set-password/<token>", methods=["GET", "POST"])
def set_password_page(token: str):
    """Let the officer a one-time link was issued for choose their password."""
    try:
        user = password_links.user_for_token(db.session(), token, *_link_settings())
    except Unauthenticated as refusal:
        return render_template("officer/second_factor/link_expired.html", message=refusal.detail), 404
    form = PasswordForm()
    if not form.validate_on_submit():
        return render_template("officer/second_factor/set_password.html", form=form, user=user)
    try:
        password_links.set_password(db.session(), user, form.password.data, form.confirmation.data, utcnow())
    except DomainError as refusal:
        for problem in refusal.errors:
            form[problem["field"]].errors = [problem["message"]]
        return render_template("officer/second_factor/set_password.html", form=form, user=user)
    session.clear()
    return render_template("officer/second_factor/password_set.html")


def link_url(user: User) -> str:
    """Return the absolute one-time set-password link for `user`, issued now."""
    token = password_links.make_link_token(user, current_app.config["SECRET_KEY"], utcnow())
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return f"{base}/set-password/{token}"


def link_lifetime() -> timedelta:
    """Return how long a set-password link works."""
    return timedelta(hours=float(current_app.config["PASSWORD_LINK_HOURS"]))


def _link_settings() -> tuple:
    """Return the secret key, now and the lifetime a link is checked with."""
    return current_app.config["SECRET_KEY"], utcnow(), link_lifetime()


def _enrol_form(user: User, form: CodeForm, secret: str, error: str | None):
    """Show the authenticator secret as a QR code and as text, with the form for its first code."""
    uri = second_factor.provisioning_uri(secret, user.email)
    return render_template(
        "officer/second_factor/enrol.html", form=form, error=error, qr=_qr_svg(uri), secret=_grouped(secret)
    )


def _enrolment_secret() -> str:
    """Return the secret this browser's enrolment shows, made on first sight: a reload shows the same one."""
    pending = dict(session[PENDING_KEY])
    if "secret" not in pending:
        pending["secret"] = second_factor.new_secret()
        session[PENDING_KEY] = pending
    return pending["secret"]


def _pending_user() -> User | None:
    """Return the officer whose password was right a few minutes ago in this session, if any."""
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    try:
        started = datetime.fromisoformat(pending["at"])
    except (KeyError, TypeError, ValueError):
        return None
    if utcnow() - started > PENDING_LIFETIME:
        session.pop(PENDING_KEY, None)
        return None
    user = db.session().get(User, pending.get("id"))
    return user if user is not None and user.active else None


def _qr_svg(uri: str) -> str:
    """Draw the authenticator address as an inline SVG QR code."""
    out = io.BytesIO()
    segno.make_qr(uri, error="m").save(out, kind="svg", scale=4, xmldecl=False, title="QR code for your app")
    return out.getvalue().decode()


def _grouped(secret: str) -> str:
    """Return the secret in groups of four characters, easier to type into an app."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
