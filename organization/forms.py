"""Form helpers and widgets shared by the apps (organization sits below them all)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError


class DateInput(forms.DateInput):
    """The browser's date picker (ISO value, shown in the user's locale)."""

    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


ID_RANGE = range(-(2 ** 63), 2 ** 63)  # what a database integer column holds


def is_id(value) -> bool:
    """Whether a request parameter is a primary key: ASCII digits only ("²" is a digit to str.isdigit but not to
    int()) and short enough for a database integer."""
    return isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 18


class IdsChoiceField(forms.ModelMultipleChoiceField):
    """Django's multiple choice of rows, refusing an id beyond the database's integer range as an unknown choice
    (Django passes it on to an `IN (...)` query, where SQLite fails on it: a server error)."""

    def clean(self, value):
        for pk in value if isinstance(value, list | tuple) else ():
            try:
                number = int(str(pk))
            except ValueError:
                continue  # not a number: Django refuses it as it is
            if number not in ID_RANGE:
                raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice",
                                      params={"value": pk})
        return super().clean(value)


def apply_service_errors(form: forms.Form, exc: ValidationError, rename: dict[str, str] | None = None) -> None:
    """Show a service's ValidationError on the form: on the field it names (renamed where the form's field
    has another name), else on the whole form."""
    rename = rename or {}
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            name = rename.get(name, name)
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def report_refusal(request, exc: ValidationError) -> None:
    """Show every message of a service's ValidationError as an error on the next page (after a POST that the
    service refused)."""
    for message in exc.messages:
        messages.error(request, message)
