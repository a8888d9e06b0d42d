"""Operational endpoints: liveness and readiness."""

from flask import Blueprint, Flask, jsonify

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
def healthz():
    """Answer 200 while the process is alive."""
    return jsonify(status="ok")


def init_app(app: Flask) -> None:
    """Register the operational endpoints."""
    app.register_blueprint(bp)
