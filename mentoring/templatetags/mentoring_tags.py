from django import template

from organization.dates import duration_words

register = template.Library()


@register.filter
def months_as_words(months):
    """Formatting only: 50 -> "4 years 2 months" in the active language."""
    return duration_words(int(months or 0))
