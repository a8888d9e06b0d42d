"""The fields of a person's identity, in the order every form, file, record and API body gives them."""

NAMES = ("given_names", "family_name")  # required wherever an identity is recorded
IDENTITY_FIELDS = (*NAMES, "previous_names", "date_of_birth", "sex", "address", "postcode", "ni_number",
                   "driving_licence_number")  # fmt: skip


def previous_names_of(stored: str | None) -> list[str]:
    """Return the previous names a record stores (';'-separated, as the CSV files give them) as a list."""
    return [name for name in (stored or "").split(";") if name]


def identity_of(record) -> dict:
    """Return a record's identity by field name, its previous names as a list."""
    values = {name: getattr(record, name) for name in IDENTITY_FIELDS}
    return values | {"previous_names": previous_names_of(values["previous_names"])}
