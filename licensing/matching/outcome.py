"""What comparing one field of two people gave: a log2 weight, a line of evidence and a tag."""

from dataclasses import dataclass
from math import log2

# Tags the look-alike rules read.
SAME, CLOSE, DIFFERENT, MISSING = "same", "close", "different", "missing"
# Close only in sound ("Zahid" ~ "Saeed"): as likely two relatives given alike names as one name misspelt.
SOUNDS_ALIKE = "sounds alike"


@dataclass(frozen=True, slots=True)
class Outcome:
    """One field's comparison: weight (log2 m/u), evidence line, and SAME/CLOSE/DIFFERENT/MISSING."""

    weight: float
    line: str
    tag: str

    def with_note(self, note: str) -> "Outcome":
        """Return this outcome with `note` appended to its evidence line."""
        return Outcome(self.weight, f"{self.line} — {note}", self.tag)


def weight(m: float, u: float) -> float:
    """Return the Fellegi-Sunter agreement weight log2(m / u)."""
    return log2(m / u)


def missing(field: str) -> Outcome:
    """Return the neutral outcome of a field one side left blank."""
    return Outcome(0.0, f"{field}: not given on both records", MISSING)
