"""Form helpers shared by the apps (organization sits below them all)."""

from django import forms
from django.core.exceptions import ValidationError


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
