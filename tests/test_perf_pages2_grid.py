"""The cohort grid's row heading tag writes what the template wrote; its cell tag escapes with html.escape
(issue 7: Django's escape, with its lazy-string check and a SafeString per call, was half of the tag's time at 500
cells): the same text as django.utils.html.escape."""

import pytest
from django.template import Context, Template
from django.utils import translation
from django.utils.html import escape

from accounts.models import User
from assessments.entrustment import Proposal
from assessments.models import EPA
from assessments.selectors_progress import GridCell, GridRow
from assessments.templatetags.grid_tags import grid_cells
from residents.models import Resident

AWKWARD = "A<b>&\"'é “x” &amp;"


def test_cell_texts_are_escaped_as_django_escapes_them():
    epa = EPA(pk=7, code=AWKWARD)
    row = GridRow(resident=None, cells=[
        GridCell(epa=epa, granted=2, expected=3, proposal=Proposal(resident_id=1, epa_id=7, level=4, granted=2,
                                                                    window=3), link=f"/r/1/epa/7/?{AWKWARD}"),
        GridCell(epa=epa, granted=None, expected=None, proposal=None, link="")])
    html = grid_cells(row)
    assert html.count(f'<span class="visually-hidden">{escape(AWKWARD)}</span>') == 2
    assert f'href="{escape(f"/r/1/epa/7/?{AWKWARD}")}"' in html and 'href=""' in html
    assert "<b>" not in html and 'data-proposal="4"' in html and html.count('data-behind="yes"') == 1


FORMER_HEADING = Template(
    '{% load i18n %}<th scope="row" class="fw-normal text-nowrap"><a href="{{ row.link }}">{{ row.resident }}</a>'
    '<div class="small text-muted">{% blocktranslate with year=row.resident.year_of_study %}year {{ year }}'
    '{% endblocktranslate %}{% if row.resident.status != "active" %} · {{ row.resident.get_status_display }}'
    '{% endif %}</div></th>')
HEADING = Template("{% load grid_tags %}{% grid_resident row %}")


@pytest.mark.parametrize("language", ["en", "ru", "kk"])
def test_the_row_heading_is_what_the_template_wrote(language):
    user = User(first_name="Zoë <b>", last_name="O'Brien & Co", middle_name="")
    with translation.override(language):
        for status in Resident.Status.values:
            row = GridRow(resident=Resident(pk=3, user=user, year_of_study=2, status=status),
                          link=f"/residents/3/?{AWKWARD}")
            for localized in (True, False):
                context = {"row": row}
                former = FORMER_HEADING.render(Context(context, use_l10n=localized))
                assert HEADING.render(Context(context, use_l10n=localized)) == former
                assert "&lt;b&gt;" in former and ("·" in former) == (status != "active")
