"""Build the labelled benchmark set: a register, applicants who are (or are not) on it, and the truth.

Written in the DESIGN.md CSV formats, so it loads through `flask register import`,
`flask licences import` and screens through `flask register screen`:

- register_entries.csv and licences.csv: the register (refs unique across both files);
- applicants.csv: the people CSV to screen;
- truth.csv: `applicant_ref,true_candidate_ref,kind`; the ref is empty for look-alikes and strangers.
"""

import random
from dataclasses import dataclass
from pathlib import Path

from bench import corrupt, generator

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
          no_match: int = 2000) -> LabelledSet:  # fmt: skip
    """Build a labelled set; the same arguments always give the same set."""
    rng = random.Random(seed)
    pool = [_as_person(p) for p in generator.people(register + no_match + true_matches + lookalikes, seed)]
    base, strangers, others = (
        pool[:register],
        pool[register : register + no_match],
        pool[register + no_match :],
    )
    n_entries = int(register * ENTRY_SHARE)
    people = [p | {"ref": f"R{i:06d}"} for i, p in enumerate(base[:n_entries], 1)]
    people += [p | {"ref": f"L{i:06d}"} for i, p in enumerate(base[n_entries:], 1)]
    applicants = _true_matches(people, others, true_matches, rng)
    applicants += _lookalikes(people, others[true_matches:], lookalikes, rng)
    applicants += [(s, "", NO_MATCH) for s in strangers]
    rng.shuffle(applicants)
    truth, rows = [], []
    for i, (person, true_ref, kind) in enumerate(applicants, 1):
        ref = f"A{i:06d}"
        rows.append(_row(person | {"ref": ref}))
        truth.append({"applicant_ref": ref, "true_candidate_ref": true_ref, "kind": kind})
    entries = generator.register_entries([_row(p) for p in people[:n_entries]], rng)
    licences = generator.licences([_row(p) for p in people[n_entries:]], rng)
    return LabelledSet(entries, licences, rows, truth)


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
    """Return a generator row as a person dict with a `date` of birth."""
    from datetime import date

    dob = row.get("date_of_birth")
    person = {c: row.get(c) or "" for c in generator.PEOPLE_COLUMNS}
    person["date_of_birth"] = date.fromisoformat(dob) if isinstance(dob, str) and dob else dob or None
    return person


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
