"""Build the labelled benchmark set: a register, applicants who are (or are not) on it, and the truth.

Written in the CSV formats of docs/reference.md, so it loads through `flask register import`,
`flask licences import` and screens through `flask register screen`:

- register_entries.csv and licences.csv: the register (refs unique across both files);
- applicants.csv: the people CSV to screen;
- truth.csv: `applicant_ref,true_candidate_ref,kind`; the ref is empty for look-alikes and strangers.
"""

import random
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bench import corrupt
from licensing.synthetic import generator

TRUTH_COLUMNS = ["applicant_ref", "true_candidate_ref", "kind"]
NO_MATCH = "no_match"
ENTRY_SHARE = 0.3  # the rest of the register are licences


@dataclass
class LabelledSet:
    """The register, the applicants and which register record each applicant truly is."""

    entries: list[dict]
    licences: list[dict]
    applicants: list[dict]
    truth: list[dict]

    def register(self) -> dict[str, dict]:
        """Return every register record by ref."""
        return {r["ref"]: r for r in self.entries + self.licences}


def build(seed: int = 1, register: int = 5000, true_matches: int = 2000, lookalikes: int = 1000,
          no_match: int = 2000, today: date | None = None) -> LabelledSet:  # fmt: skip
    """Build a labelled set; the same arguments always give the same set.

    `today` (default: the real today, as the import command uses) decides which licences have
    expired; only screenable records (current entries, unexpired licences) are disguised or mimicked.
    """
    today = today or date.today()
    rng = random.Random(seed)
    pool = generator.people(register + no_match + true_matches + lookalikes, rng)
    n_entries = int(register * ENTRY_SHARE)
    entries = generator.register_entries(_refs(pool[:n_entries], "R"), rng, today=today)
    licences = generator.licences(_refs(pool[n_entries:register], "L"), rng, today=today)
    screenable = [_as_person(r) for r in entries + licences if r.get("expires_on", today) >= today]
    strangers, others = pool[register : register + no_match], pool[register + no_match :]
    applicants = _true_matches(screenable, [_as_person(o) for o in others], true_matches, rng)
    applicants += _lookalikes(screenable, [_as_person(o) for o in others[true_matches:]], lookalikes, rng)
    applicants += [(_as_person(s), "", NO_MATCH) for s in strangers]
    rng.shuffle(applicants)
    truth, rows = [], []
    for i, (person, true_ref, kind) in enumerate(applicants, 1):
        ref = f"A{i:06d}"
        rows.append(_row(person | {"ref": ref}))
        truth.append({"applicant_ref": ref, "true_candidate_ref": true_ref, "kind": kind})
    return LabelledSet(entries, licences, rows, truth)


def without_identifiers(labelled: LabelledSet) -> LabelledSet:
    """Return the set with NI and driving licence numbers removed from every record and applicant.

    Police intelligence and older register entries often carry neither; this measures the names,
    dates of birth and addresses alone.
    """
    blank = {"ni_number": "", "driving_licence_number": ""}
    return LabelledSet(
        [r | blank for r in labelled.entries],
        [r | blank for r in labelled.licences],
        [r | blank for r in labelled.applicants],
        labelled.truth,
    )


def _refs(people: list[dict], prefix: str) -> list[dict]:
    """Number `people` with refs unique across the register (R000001..., L000001...)."""
    return [p | {"ref": f"{prefix}{i:06d}"} for i, p in enumerate(people, 1)]


def _true_matches(people: list[dict], others: list[dict], n: int, rng: random.Random) -> list[tuple]:
    """Disguise `n` register people, spread evenly over every corruption kind."""
    kinds, out = corrupt.all_kinds(), []
    for i in range(n):
        kind = kinds[i % len(kinds)]
        for _ in range(500):
            original = rng.choice(people)
            changed = corrupt.corrupt(kind, original, rng, others[i])
            if changed is not None and differs(original, changed):
                out.append((changed, original["ref"], kind))
                break
        else:
            raise RuntimeError(f"no register person can take corruption {kind!r}")
    return out


def _lookalikes(people: list[dict], others: list[dict], n: int, rng: random.Random) -> list[tuple]:
    """Make `n` relatives, housemates and namesakes of register people, spread over the kinds."""
    kinds, out = list(corrupt.LOOKALIKES), []
    for i in range(n):
        kind = kinds[i % len(kinds)]
        original = rng.choice(people)
        out.append((corrupt.LOOKALIKES[kind](original, rng, others[i]), "", kind))
    return out


def differs(a: dict, b: dict) -> bool:
    """Tell whether two people differ in any identity field."""
    return any(_text(a.get(c)) != _text(b.get(c)) for c in generator.PEOPLE_COLUMNS if c != "ref")


def _text(value) -> str:
    """Return a CSV cell's text for a value."""
    if value is None:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _as_person(row: dict) -> dict:
    """Return the people columns of a row, empty strings for missing values."""
    return {c: row.get(c) or ("" if c != "date_of_birth" else None) for c in generator.PEOPLE_COLUMNS}


def _row(person: dict) -> dict:
    """Return a person as a people-CSV row of strings."""
    return {c: _text(person.get(c)) for c in generator.PEOPLE_COLUMNS}


def kind_class(truth_row: dict) -> str:
    """Return 'true', 'lookalike' or 'no_match' for a truth row."""
    if truth_row["true_candidate_ref"]:
        return "true"
    return NO_MATCH if truth_row["kind"] == NO_MATCH else "lookalike"


def write(labelled: LabelledSet, directory: Path) -> dict[str, Path]:
    """Write the set's four CSVs into `directory` and return their paths by name."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = {
        "register_entries": directory / "register_entries.csv",
        "licences": directory / "licences.csv",
        "applicants": directory / "applicants.csv",
        "truth": directory / "truth.csv",
    }
    generator.write_csv(paths["register_entries"], labelled.entries, generator.REGISTER_ENTRY_COLUMNS)
    generator.write_csv(paths["licences"], labelled.licences, generator.LICENCE_COLUMNS)
    generator.write_csv(paths["applicants"], labelled.applicants, generator.PEOPLE_COLUMNS)
    generator.write_csv(paths["truth"], labelled.truth, TRUTH_COLUMNS)
    return paths
