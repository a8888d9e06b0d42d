"""The officer web UI: sign in, sign out, and the home page."""

from flask import Blueprint, Flask, current_app, redirect, render_template, url_for
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import InputRequired

from app import auth, db
from app.officer import oidc, pages, second_factor
from licensing.clock import utcnow
from licensing.errors import Unauthenticated
from licensing.users import authority_of, sign_in

bp = Blueprint("officer", __name__)


class SignInForm(FlaskForm):
    """An officer's e-mail address and password."""

    email = EmailField("Email address", validators=[InputRequired("Enter your email address")])
    password = PasswordField("Password", validators=[InputRequired("Enter your password")])


def init_app(app: Flask) -> None:
    """Register the officer pages and make the signed-in officer available to every template."""
    app.register_blueprint(bp)
    pages.init_app(app)
    second_factor.init_app(app)
    oidc.init_app(app)
    app.context_processor(officer_context)


def officer_context() -> dict:
    """Return the signed-in officer and their authority, which the layout's header shows."""
    officer = auth.current_officer()
    return {"officer": officer, "officer_authority": authority_of(db.session(), officer) if officer else None}


@bp.get("/")
def index():
    """Show who is signed in, or how to sign in."""
    officer = auth.current_officer()
    authority = authority_of(db.session(), officer) if officer else None
    return render_template("officer/index.html", authority=authority)


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in_page():
    """Show the sign-in form, or sign the officer in and go home."""
    form = SignInForm()
    if not form.validate_on_submit():
        return render_template("officer/sign_in.html", form=form)
    try:
        user = sign_in(
            db.session(),
            form.email.data,
            form.password.data,
            utcnow(),
            current_app.config["LOGIN_MAX_FAILURES"],
            current_app.config["LOGIN_LOCKOUT_MINUTES"],
        )
    except Unauthenticated as refusal:
        return render_template("officer/sign_in.html", form=form, error=refusal.detail)
    return second_factor.after_password(user)


@bp.post("/sign-out")
def sign_out():
    """Sign the officer out."""
    auth.sign_out_officer()
    return redirect(url_for("officer.sign_in_page"))
