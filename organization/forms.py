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
