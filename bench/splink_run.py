"""Score the labelled set with splink 5 on duckdb, trained as splink's documentation recommends.

u probabilities by random sampling, m probabilities by expectation maximisation on two blocking
rules, the prior from deterministic rules; predictions blocked on surname, DOB, NI and licence number.
"""

import logging
from pathlib import Path

import duckdb
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

# The same light standardisation a splink user would do before linking: lower case, first given
# name apart, NI and postcode without spaces. No name tables, no phonetic keys.
_COLUMNS = """
    ref AS unique_id,
    lower(trim(split_part(given_names, ' ', 1))) AS first_name,
    lower(trim(family_name)) AS surname,
    CAST(date_of_birth AS VARCHAR) AS dob,
    upper(trim(postcode)) AS postcode,
    nullif(upper(replace(ni_number, ' ', '')), '') AS ni,
    nullif(upper(trim(driving_licence_number)), '') AS dln
"""


def _load(con: duckdb.DuckDBPyConnection, name: str, paths: list[Path]) -> None:
    """Create table `name` from the people columns of the CSVs at `paths`."""
    selects = [f"SELECT {_COLUMNS} FROM read_csv('{p}', header=true, all_varchar=true)" for p in paths]
    con.execute(f"CREATE TABLE {name} AS " + " UNION ALL ".join(selects))


def _settings() -> SettingsCreator:
    """Return the model: names by Jaro-Winkler, DOB, postcode, NI by edit distance, licence number exact."""
    return SettingsCreator(
        link_type="link_only",
        comparisons=[
            cl.NameComparison("first_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.PostcodeComparison("postcode"),
            cl.LevenshteinAtThresholds("ni", [1]),
            cl.ExactMatch("dln"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("surname"),
            block_on("dob"),
            block_on("ni"),
            block_on("dln"),
        ],
        retain_intermediate_calculation_columns=False,
    )


def train(linker: Linker, seed: int) -> None:
    """Estimate the prior, u by random sampling and m by EM, as the splink tutorials do."""
    linker.training.estimate_probability_two_random_records_match(
        [block_on("ni"), block_on("first_name", "surname", "dob")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e7, seed=seed)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("surname"))


def predict(register: list[Path], applicants: Path, seed: int = 1) -> dict[str, list[tuple[str, float]]]:
    """Return applicant ref -> [(register ref, match probability)] for every blocked pair."""
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    _load(con, "register_people", register)
    _load(con, "applicants", [applicants])
    db_api = DuckDBAPI(connection=con)
    tables = [
        db_api.register("register_people", dataset_display_name="register"),
        db_api.register("applicants", dataset_display_name="applicants"),
    ]
    linker = Linker(tables, _settings(), log_level=logging.WARNING)
    train(linker, seed)
    rows = linker.inference.predict(threshold_match_probability=0.01).as_record_list()
    scored: dict[str, list[tuple[str, float]]] = {}
    for row in rows:
        app, reg = _orient(row)
        scored.setdefault(app, []).append((reg, float(row["match_probability"])))
    return scored


def _orient(row: dict) -> tuple[str, str]:
    """Return (applicant ref, register ref) of a predicted pair, whichever side each came from."""
    if row["source_dataset_l"] == "applicants":
        return row["unique_id_l"], row["unique_id_r"]
    return row["unique_id_r"], row["unique_id_l"]
