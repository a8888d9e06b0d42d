"""The public licence check page and badge QR codes: for residents, no sign-in, rate limited.

The page answers from the same service as GET /api/v1/public/licence-check (licensing.licences.lookup), so it
shows exactly the public fields and gives the same answer for every miss. It is a GET form: it works
without JavaScript, and a badge's QR code can link straight to the answer.
"""

import io

import segno
from flask import Blueprint, Flask, render_template, request, url_for

from app import db, limits
from app.public import wording
from app.public.forms import BadgeCheckForm, LicenceNumberForm
from licensing.clock import utcnow
from licensing.errors import NotFound
from licensing.licences import lookup
from licensing.reference import list_authorities

bp = Blueprint("residents", __name__, url_prefix="/check")
QR_MEDIA_TYPE = "image/svg+xml"


def init_app(app: Flask) -> None:
    """Register the public pages under the same per-address limit as the public API (app.limits)."""
    limits.limit_public(app, bp)
    app.register_blueprint(bp)
    app.jinja_env.globals["licence_words"] = wording.describe


@bp.get("")
def check():
    """Show the check form, and the answer once a badge or licence number is given."""
    by_badge, by_number = BadgeCheckForm(request.args), LicenceNumberForm(request.args)
    by_badge.set_councils(list_authorities(db.session()))
    form = by_number if "licence_number" in request.args else by_badge if request.args else None
    page = {"by_badge": by_badge, "by_number": by_number, "asked": form}
    if form is None or not form.validate():
        return render_template("public/check.html", **page), 200 if form is None else 400
    try:
        found = lookup.public_check(db.session(), **form.lookup_arguments(), today=utcnow().date())
    except NotFound:
        return render_template("public/check.html", **page, missed=lookup.PUBLIC_MISS), 404
    return render_template("public/check.html", **page, licences=found)


@bp.get("/qr/<authority>/<badge>.svg")
def badge_qr(authority: str, badge: str):
    """Return the printable QR code of a badge: it opens the check page answering for that badge."""
    if not BadgeCheckForm.plausible(authority, badge):
        raise NotFound("No such badge.")
    svg = qr_svg(badge_check_url(authority, badge))
    return svg, 200, {"Content-Type": QR_MEDIA_TYPE, "Cache-Control": "public, max-age=86400"}


def badge_check_url(authority: str, badge: str) -> str:
    """Return the absolute address of the check page answering for this badge."""
    return url_for("residents.check", authority=authority.upper(), badge=badge, _external=True)


def qr_svg(url: str) -> str:
    """Draw `url` as a QR code in SVG, with a quiet zone, sized to scale when printed."""
    out = io.BytesIO()
    segno.make_qr(url, error="m").save(out, kind="svg", scale=4, title="QR code to check this badge")
    return out.getvalue().decode()
