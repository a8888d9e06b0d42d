"""Form pieces shared by the officer pages: GOV.UK date inputs, the council picker and service errors shown
on a form."""

from datetime import date

from flask_wtf import FlaskForm
from sqlmodel import Session
from wtforms import Field, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from licensing.dates import IN_RANGE, OutOfRange, TwoDigitYear, UnreadableDate, read_date
from licensing.errors import DomainError
from licensing.identity.fields import IDENTITY_FIELDS
from licensing.identity.validation import WIDTHS
from licensing.reference import list_authorities


class DateField(Field):
    """A date entered as day, month and year boxes (the GOV.UK date input pattern)."""

    PARTS = ("day", "month", "year")

    def __init__(self, label=None, validators=None, required: bool = True, **kwargs):
        """Make a date field; optional ones accept three empty boxes."""
        super().__init__(label, validators, **kwargs)
        self.required = required
        self.parts = dict.fromkeys(self.PARTS, "")

    def process(self, formdata, data=None, extra_filters=None):
        """Read the three boxes from the submitted form (or take `data` when shown first)."""
        self.process_errors, self.data = [], data
        if isinstance(data, date):
            self.parts = {"day": str(data.day), "month": str(data.month), "year": str(data.year)}
        if formdata is not None:
            self.parts = {part: formdata.get(f"{self.name}-{part}", "").strip() for part in self.PARTS}
            self.data = None

    def pre_validate(self, form):
        """Turn the three boxes into a date as the API and the imports read one, or say what is wrong."""
        label = self.label.text.lower()
        if not any(self.parts.values()):
            if self.required:
                raise ValidationError(f"Enter the {label}")
            return
        day, month, year = (self.parts[p] for p in self.PARTS)
        try:  # the month box may hold a name (GOV.UK date input: "Mar" or "March")
            self.data = read_date(f"{day}/{month}/{year}" if month.isdigit() else f"{day} {month} {year}")
        except TwoDigitYear:
            raise ValidationError(f"The year of the {label} has two digits: write the year in full") from None
        except OutOfRange:
            raise ValidationError(f"The {label} {IN_RANGE}") from None
        except UnreadableDate:
            raise ValidationError(f"The {label} must be a real date") from None

    def items(self) -> list[dict]:
        """Return the GOV.UK date input's items, the first one carrying the field's id for the summary."""
        widths = {"day": 2, "month": 2, "year": 4}
        error = " govuk-input--error" if self.errors else ""
        return [
            {
                "name": part,
                "id": self.id if part == "day" else f"{self.id}-{part}",
                "value": self.parts[part],
                "classes": f"govuk-input--width-{widths[part]}{error}",
            }
            for part in self.PARTS
        ]


class IdentityForm(FlaskForm):
    """A driver's identity as the register holds it (s.2(4): names, date of birth, address, NINO, licence)."""

    given_names = StringField(
        "Given names", [InputRequired("Enter the given names"), Length(max=WIDTHS["given_names"])]
    )
    family_name = StringField(
        "Family name", [InputRequired("Enter the family name"), Length(max=WIDTHS["family_name"])]
    )
    previous_names = TextAreaField(
        "Previous names (one a line)", [Optional(), Length(max=WIDTHS["previous_names"])]
    )
    date_of_birth = DateField("Date of birth", required=False)
    address = TextAreaField("Address", [Optional(), Length(max=WIDTHS["address"])])
    postcode = StringField("Postcode", [Optional(), Length(max=WIDTHS["postcode"])])
    ni_number = StringField("National Insurance number", [Optional(), Length(max=WIDTHS["ni_number"])])
    driving_licence_number = StringField(
        "Driving licence number", [Optional(), Length(max=WIDTHS["driving_licence_number"])]
    )


class CouncilField(SelectField):
    """A licensing authority chosen by name (its GSS code is the value): a select, which the page's script
    turns into GOV.UK's accessible autocomplete, so typing "Sheff" offers Sheffield City Council.

    A code given in the address (`?authority=e08000031`) is taken in capitals even if it is not one of the
    choices; the service then says whether such a council exists.
    """

    def __init__(self, label=None, validators=None, blank: str = "Choose a council", **kwargs):
        """Make the field; `blank` labels the empty choice."""
        super().__init__(label, validators, validate_choice=False, **kwargs)
        self.blank = blank

    def load_councils(self, session: Session) -> None:
        """Offer every authority, by name, after the empty choice."""
        councils = sorted(list_authorities(session), key=lambda authority: authority.name)
        self.choices = [("", self.blank)] + [(council.code, council.name) for council in councils]

    def process_formdata(self, valuelist):
        """Keep the code as given, trimmed and in capitals."""
        self.data = (valuelist[0] if valuelist else "").strip().upper() or None


def identity_values(form: IdentityForm) -> dict:
    """Return the identity a form holds (it asks no sex), previous names joined by ";" as stored."""
    values = {name: form[name].data or None for name in IDENTITY_FIELDS if name in form}
    previous = [line.strip() for line in (form.previous_names.data or "").splitlines() if line.strip()]
    return values | {"previous_names": ";".join(previous), "sex": None, "address": form.address.data or ""}


def choices(values, labels: dict | None = None) -> list[SelectChoice]:
    """Return radio choices of `values`, labelled from `labels` or in words ("refusal of grant")."""
    return [SelectChoice(v, (labels or {}).get(v) or v.replace("_", " ").capitalize()) for v in values]


def show_service_errors(form, error: DomainError) -> str | None:
    """Put a service's field errors on the form's fields; return what belongs to no field."""
    unplaced = []
    for item in error.errors or []:
        field = getattr(form, str(item.get("field", "")).split(".")[0], None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, _sentence(item["message"])]
        else:
            unplaced.append(item["message"])
    form._errors = None  # WTForms caches form.errors; the service added some after validation
    return error.detail if unplaced or not error.errors else None


def _sentence(message: str) -> str:
    """Return a service message as a GOV.UK error line."""
    return message.rstrip(".")
