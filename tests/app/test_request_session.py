"""How a request's session ends: a transaction that wrote is never committed by the teardown."""

from sqlalchemy import select

from app import db
from licensing.persistence.models import Authority


def _authority(code: str) -> Authority:
    """Return a new (unsaved) authority with this code."""
    return Authority(code=code, name=f"Council {code}", nation="england")


def test_a_request_that_wrote_without_committing_leaves_nothing(app, session):
    with app.app_context():
        db.session().add(_authority("E06000901"))
        db.session().flush()  # written, not committed: the request then failed, say
    with app.app_context():
        db.session().scalars(select(Authority.id)).all()  # a read opens the transaction
        db.session().add(_authority("E06000902"))  # then a change is left pending, never flushed
    codes = set(session.scalars(select(Authority.code)))
    assert not codes & {"E06000901", "E06000902"}


def test_a_request_that_committed_keeps_what_it_wrote(app, session):
    with app.app_context():
        db.session().add(_authority("E06000903"))
        db.session().commit()
        db.session().scalars(select(Authority.id)).all()  # and read again after
    assert session.scalars(select(Authority.code).where(Authority.code == "E06000903")).one()
