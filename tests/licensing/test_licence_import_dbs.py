"""The licence CSV's optional DBS columns: set what they state, leave records alone when they are absent."""

import csv
import io
from datetime import date

from sqlalchemy import select

from licensing.actors import Actor, cli_actor
from licensing.imports.formats import LICENCE_OPTIONAL
from licensing.imports.pipeline import import_licences
from licensing.licences import lifecycle
from licensing.persistence.models import Licence
from tests.conftest import importing
from tests.factories import make_authority

ACTOR = cli_actor("licences import")
COLUMNS = (
    "ref,given_names,family_name,previous_names,date_of_birth,sex,address,postcode,ni_number,"
    "driving_licence_number,authority_code,badge_number,licence_type,granted_on,expires_on"
)
DBS_COLUMNS = ",dbs_certificate_number,dbs_update_service,dbs_consent_on"


def line(code: str, ref: str, dbs: str | None = None) -> str:
    """Return one licence row, with the three DBS values when given."""
    row = (
        f"{ref},Imran,Hussain,,1985-03-14,M,12 Example Street,WV1 1AA,AB123456C,HUSSA803145I99AB,"
        f"{code},B-{ref},phv,2025-01-01,2028-01-01"
    )
    return row if dbs is None else f"{row},{dbs}"


def run(session, now, *rows: str, dbs_columns: bool = True):
    """Import the rows under a header with (or without) the DBS columns; return (report, rejects)."""
    text = "\n".join([COLUMNS + (DBS_COLUMNS if dbs_columns else ""), *rows]) + "\n"
    rejects = io.StringIO()
    report = import_licences(importing(session), ACTOR, io.StringIO(text), rejects, now=now, source="l.csv")
    return report, list(csv.reader(io.StringIO(rejects.getvalue())))


def dbs_of(session, ref: str) -> tuple:
    """Return a licence's stored DBS details."""
    session.expire_all()
    licence = session.scalars(select(Licence).where(Licence.ref == ref)).one()
    return licence.dbs_certificate_number, licence.dbs_update_service, licence.dbs_consent_on


def test_the_optional_columns_are_the_dbs_details():
    assert LICENCE_OPTIONAL == ("dbs_certificate_number", "dbs_update_service", "dbs_consent_on")


def test_the_dbs_columns_set_each_licences_details(session, now):
    code = make_authority(session).code
    report, _ = run(
        session, now, line(code, "L1", "001234567890,yes,2026-11-01"), line(code, "L2", "0012 3456 7891,no,")
    )
    assert (report.inserted, report.rejected, report.warnings) == (2, 0, 0)
    assert dbs_of(session, "L1") == ("001234567890", True, date(2026, 11, 1))
    assert dbs_of(session, "L2") == ("001234567891", False, None)


def test_invalid_dbs_values_are_left_out_with_a_warning_and_the_licence_imported(session, now):
    code = make_authority(session).code
    report, _ = run(
        session,
        now,
        line(code, "L1", "12345,no,"),
        line(code, "L2", "001234567890,perhaps,2026-11-01"),
        line(code, "L3", "001234567890,yes,"),
        line(code, "L4", ",yes,2026-11-01"),
        line(code, "L5", "001234567890,yes,2099-01-01"),
    )
    assert (report.inserted, report.rejected, report.warnings) == (5, 0, 6)
    assert dbs_of(session, "L1") == (None, False, None)
    assert dbs_of(session, "L2") == ("001234567890", False, date(2026, 11, 1))
    assert dbs_of(session, "L3") == ("001234567890", False, None)  # no consent: no subscription
    assert dbs_of(session, "L4") == (None, False, date(2026, 11, 1))
    assert dbs_of(session, "L5") == ("001234567890", False, None)  # consent dated in the future


def test_a_file_without_the_dbs_columns_imports_as_before_and_keeps_the_details_set_since(session, now):
    authority = make_authority(session)
    report, _ = run(session, now, line(authority.code, "L1"), dbs_columns=False)
    assert (report.inserted, report.warnings) == (1, 0)
    licence = session.scalars(select(Licence)).one()
    officer = Actor(kind="user", id=1, label="Officer", authority_id=authority.id)
    details = {"dbs_certificate_number": "001234567890", "dbs_update_service": True}
    lifecycle.change_dbs(session, officer, licence.id, details | {"dbs_consent_on": date(2026, 11, 1)}, now)
    report, _ = run(session, now, line(authority.code, "L1"), dbs_columns=False)
    assert (report.updated, report.unchanged) == (0, 1)
    assert dbs_of(session, "L1") == ("001234567890", True, date(2026, 11, 1))


def test_a_file_with_the_dbs_columns_states_them_and_reimports_unchanged(session, now):
    code = make_authority(session).code
    run(session, now, line(code, "L1", "001234567890,yes,2026-11-01"))
    report, _ = run(session, now, line(code, "L1", "001234567890,yes,2026-11-01"))
    assert (report.updated, report.unchanged) == (0, 1)
    report, _ = run(session, now, line(code, "L1", ",,"))  # the file now says: no certificate held
    assert report.updated == 1
    assert dbs_of(session, "L1") == (None, False, None)
