"""Validators shared by the apps' services."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# A Kazakhstani individual identification number (IIN) is 12 digits; a run of 12 digits in free text is
# almost certainly a patient's IIN (or another identifier) and must not be stored.
_TWELVE_DIGITS = re.compile(r"(?<!\d)\d{12}(?!\d)")
_TWELVE_DIGITS_SPACED = re.compile(r"(?<!\d)(?:\d[ \-.]?){11}\d(?!\d)")


def validate_no_patient_identifiers(text: str, *, field: str = "note") -> None:
    """Refuse free text that carries an obvious patient identifier (DESIGN.md section 2)."""
    if not text:
        return
    if _TWELVE_DIGITS.search(text) or _TWELVE_DIGITS_SPACED.search(text):
        raise ValidationError({field: _(
            "Remove the 12-digit number: notes must not contain patient identifiers such as the national ID "
            "number (IIN). Describe the case without identifying the patient.")})
