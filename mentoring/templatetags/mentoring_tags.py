from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organization.dates import duration_words

register = template.Library()


@register.filter
def months_as_words(months):
    """Formatting only: 50 -> "4 years 2 months" in the active language."""
    return duration_words(int(months or 0))


LOAD_BADGES = {"under": ("text-bg-warning", gettext_lazy("under-used")),
               "full": ("text-bg-success", gettext_lazy("full")),
               "over": ("text-bg-danger", gettext_lazy("over capacity"))}


@register.simple_tag
def load_badge(load, count, policy):
    """A mentor's residents against the policy's maximum, coloured and named by the load (mentoring.eligibility:
    under, within, full, over). One definition for every page (includes/load.html uses it too)."""
    colour, words = LOAD_BADGES.get(load, ("text-bg-primary", ""))
    return format_html('<span class="badge {} load-badge" data-load="{}">{}/{}{}</span>', colour, load, count,
                       policy.max_residents_per_mentor, f" · {words}" if words else "")


@register.simple_tag
def eligibility_badge(eligibility):
    """"Eligible" or "Not eligible" (includes/eligibility.html adds the reasons where a page shows them)."""
    if eligibility.eligible:
        return format_html('<span class="badge text-bg-success">{}</span>', _("Eligible"))
    return format_html('<span class="badge text-bg-danger">{}</span>', _("Not eligible"))
