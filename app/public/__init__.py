"""The public licence check page and badge QR codes: for residents, no sign-in, rate limited.

The page answers from the same service as GET /api/v1/public/licence-check (licensing.licences.lookup), so it
shows exactly the public fields and gives the same answer for every miss. It is a GET form: it works
without JavaScript, and a badge's QR code can link straight to the answer. Every page here is in English
and Welsh (app/public/language.py).

A QR code encodes PUBLIC_BASE_URL, never the address the request came in on: a code is printed once and
must keep working, and a forged Host header must not end up on a badge. Production without an https://
PUBLIC_BASE_URL draws no codes (503) and says so in the log at start-up; the check page itself works.
"""

import io
import logging

import segno
from flask import Blueprint, Flask, current_app, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import ServiceUnavailable

from app import db, limits
from app.public import language, wording
from app.public.forms import BadgeCheckForm, LicenceNumberForm
from licensing.clock import utcnow
from licensing.errors import NotFound
from licensing.licences import lookup
from licensing.reference import list_authorities

bp = Blueprint("residents", __name__, url_prefix="/check")
bp.after_request(language.remember_language)
QR_MEDIA_TYPE = "image/svg+xml"
# One image for both languages, so it can be cached and printed once: its title says it in each.
QR_TITLE = "QR code to check this badge / Cod QR i wirio’r bathodyn hwn"
log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """Register the public pages under the same per-address limit as the public API (app.limits)."""
    limits.limit_public(app, bp)
    language.init_app(app)
    app.register_blueprint(bp)
    app.jinja_env.globals["licence_words"] = wording.describe
    if not draws_qr_codes(app.config):
        log.warning(
            "PUBLIC_BASE_URL is not an https:// address: badge QR codes are refused (503) until it is."
        )


def draws_qr_codes(config) -> bool:
    """Tell whether QR codes may be drawn: anywhere but production, or with an https:// public address."""
    return config["ENV_NAME"] != "production" or config["PUBLIC_BASE_URL"].startswith("https://")


@bp.get("")
def check():
    """Show the check form, and the answer once a badge or licence number is given."""
    by_badge, by_number = BadgeCheckForm(request.args), LicenceNumberForm(request.args)
    by_badge.set_councils(list_authorities(db.session()))
    asked = set(request.args) - {"lang"}  # the language switch alone asks nothing
    form = by_number if "licence_number" in asked else by_badge if asked else None
    page = {"by_badge": by_badge, "by_number": by_number, "asked": form}
    if form is None or not form.validate():
        return render_template("public/check.html", **page), 200 if form is None else 400
    try:
        found = lookup.public_check(db.session(), **form.lookup_arguments(), today=utcnow().date())
    except NotFound:
        return render_template(
            "public/check.html", **page, missed=_("No licence matches those details.")
        ), 404
    return render_template("public/check.html", **page, licences=found)


@bp.get("/qr/<authority>/<badge>.svg")
def badge_qr(authority: str, badge: str):
    """Return the printable QR code of a badge that exists: it opens the check page answering for it."""
    if not draws_qr_codes(current_app.config):
        raise ServiceUnavailable("Badge QR codes need PUBLIC_BASE_URL set to the service's https:// address.")
    if not BadgeCheckForm.plausible(authority, badge):
        raise NotFound("No such badge.")
    lookup.public_check(db.session(), authority_code=authority, badge_number=badge, today=utcnow().date())
    svg = qr_svg(badge_check_url(authority, badge))
    return svg, 200, {"Content-Type": QR_MEDIA_TYPE, "Cache-Control": "public, max-age=86400"}


def badge_check_url(authority: str, badge: str) -> str:
    """Return the absolute address of the check page answering for this badge, under PUBLIC_BASE_URL."""
    path = url_for("residents.check", authority=authority.upper(), badge=badge)
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path


def qr_svg(url: str) -> str:
    """Draw `url` as a QR code in SVG, with a quiet zone, sized to scale when printed."""
    out = io.BytesIO()
    segno.make_qr(url, error="m").save(out, kind="svg", scale=4, title=QR_TITLE)
    return out.getvalue().decode()
