from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from .models import User


def user_upsert(*, email: str, first_name: str, last_name: str, middle_name: str = "") -> tuple[User, bool]:
    """Find a user by e-mail (case-insensitive) or create one without a usable password.

    New people set their password through the password-reset e-mail.
    Returns (user, changed) where changed is True when anything was written.
    """
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": _("Enter a valid e-mail address.")}) from None
    if not first_name.strip() or not last_name.strip():
        raise ValidationError(_("First and last name are required."))
    values = {"first_name": first_name.strip(), "last_name": last_name.strip(), "middle_name": middle_name.strip()}
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User(email=email, **values)
        user.set_unusable_password()
        user.save()
        return user, True
    changed = [k for k, v in values.items() if getattr(user, k) != v]
    if changed:
        for k in changed:
            setattr(user, k, values[k])
        user.save(update_fields=changed)
    return user, bool(changed)
