"""Operational endpoints: liveness and readiness.

/readyz answers 503 when this process cannot serve (the database is unreachable or its schema is not at
head), so a load balancer takes it out of rotation. Redis, where the public check's rate limit counts, is
reported as "degraded" but keeps the answer 200: every process shares the one Redis, so taking them all
out of rotation would stop officers and the API too, while only the public check is refused until it is
back (app.limits).
"""

import logging

from flask import Blueprint, Flask, jsonify

from app import db, limits
from licensing.persistence import unit_of_work
from licensing.persistence.db import answers

bp = Blueprint("ops", __name__)
log = logging.getLogger(__name__)


@bp.get("/healthz")
def healthz():
    """Answer 200 while the process is alive."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    """Answer 200 when the database answers and its schema is at head, else 503 naming the failed check.

    An unreachable Redis makes the answer "degraded", still 200 (see the module's docstring).
    """
    checks = readiness_checks()
    if all(result == "ok" for result in checks.values()):
        return jsonify(status="ready", checks=checks)
    if "failed" not in checks.values():
        return jsonify(status="degraded", checks=checks)
    failed = ", ".join(name for name, result in checks.items() if result == "failed")
    response = jsonify(
        type="about:blank",
        title="Service Unavailable",
        status=503,
        detail=f"Not ready: {failed}.",
        checks=checks,
    )
    response.status_code = 503
    response.mimetype = "application/problem+json"
    return response


def readiness_checks() -> dict[str, str]:
    """Run the database checks in order (once one fails, the later ones are skipped), then Redis's."""
    # Imported here so that app startup does not load Alembic's script directory.
    from app.migrate import is_at_head

    engine = db.engine()
    checks = {"database": "skipped", "migrations": "skipped"}
    checks["database"] = _outcome("database", lambda: _answers(engine))
    if checks["database"] == "ok":
        checks["migrations"] = _outcome("migrations", lambda: is_at_head(engine))
    redis = limits.storage_state()
    if redis is not None:
        checks["redis"] = redis
    if redis == "degraded":
        log.warning("readiness check degraded", extra={"check": "redis"})
    return checks


def _answers(engine) -> bool:
    """Tell whether the database answers SELECT 1, in a reading unit of work."""
    with unit_of_work.reading(engine) as session:
        return answers(session.connection())


def _outcome(name: str, check) -> str:
    """Run `check`, returning "ok" or "failed"; log only the error's type, never its text."""
    try:
        passed = check()
    except Exception as error:
        # Driver errors quote the connection string (user, host, sometimes the password).
        log.warning("readiness check failed", extra={"check": name, "error_type": type(error).__name__})
        return "failed"
    if not passed:
        log.warning("readiness check failed", extra={"check": name})
    return "ok" if passed else "failed"


def init_app(app: Flask) -> None:
    """Register the operational endpoints."""
    app.register_blueprint(bp)
