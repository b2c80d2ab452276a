"""Short names of the supervision levels, for buttons and chart axes; the full wording is SupervisionLevel."""

from django.utils.translation import gettext_lazy as _

from .models import SupervisionLevel

SHORT = {
    SupervisionLevel.DIRECT: _("Direct supervision"),
    SupervisionLevel.INDIRECT: _("Indirect supervision"),
    SupervisionLevel.DISTANT: _("Supervision at a distance"),
    SupervisionLevel.UNSUPERVISED: _("Without a mentor"),
    SupervisionLevel.SUPERVISES: _("Supervises others"),
}


def short_label(level) -> str:
    return str(SHORT.get(level, "")) if level else ""


def full_label(level) -> str:
    return SupervisionLevel(level).label if level in SupervisionLevel.values else ""
