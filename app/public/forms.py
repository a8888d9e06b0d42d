"""The two ways to ask the public check: council and badge number, or driving licence number."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import InputRequired, Length, Regexp

from licensing.licences.lookup import BADGE_WIDTH

# Printable characters only: PostgreSQL cannot compare text holding a NUL, and no badge holds controls.
PRINTABLE = Regexp(r"^[^\x00-\x1f\x7f]*$", message=_l("Enter the number as it is printed on the badge"))


class BadgeCheckForm(FlaskForm):
    """Which council issued the licence, and the badge number printed on it."""

    class Meta:
        csrf = False  # a GET lookup changes nothing, and its address must work from a QR code

    authority = SelectField(
        _l("Council that issued the licence"),
        validators=[InputRequired(_l("Select the council that issued the licence"))],
        validate_choice=False,  # an unknown council is a miss like any other, not a different answer
    )
    badge = StringField(
        _l("Badge number"),
        validators=[
            InputRequired(_l("Enter the badge number")),
            Length(max=BADGE_WIDTH, message=_l("Badge number must be %(max)d characters or fewer")),
            PRINTABLE,
        ],
    )

    def set_councils(self, authorities) -> None:
        """Offer every council, by name, after an empty first choice."""
        by_name = sorted(authorities, key=lambda authority: authority.name)
        self.authority.choices = [("", _l("Select a council"))] + [(a.code, a.name) for a in by_name]

    def council_items(self) -> list[dict]:
        """Return the councils as GOV.UK select items, the chosen one selected."""
        chosen = (self.authority.data or "").upper()
        return [
            {"value": code, "text": name, "selected": code == chosen} for code, name in self.authority.choices
        ]

    def lookup_arguments(self) -> dict:
        """Return the arguments of licensing.licences.lookup.public_check for this form."""
        return {"authority_code": self.authority.data, "badge_number": self.badge.data}

    @staticmethod
    def plausible(authority: str, badge: str) -> bool:
        """Tell whether a council code and badge could be real, without looking either up."""
        return 0 < len(authority) <= 9 and authority.isalnum() and 0 < len(badge) <= BADGE_WIDTH


class LicenceNumberForm(FlaskForm):
    """The driver's full driving licence number."""

    class Meta:
        csrf = False

    licence_number = StringField(
        _l("Driving licence number"),
        validators=[
            InputRequired(_l("Enter the driving licence number")),
            Length(max=32, message=_l("Driving licence number must be %(max)d characters or fewer")),
            PRINTABLE,
        ],
    )

    def lookup_arguments(self) -> dict:
        """Return the arguments of licensing.licences.lookup.public_check for this form."""
        return {"licence_number": self.licence_number.data}
