"""The cohort grid's cell tag escapes with html.escape (issue 7: Django's escape, with its lazy-string check and a
SafeString per call, was half of the tag's time at 500 cells): the same text as django.utils.html.escape."""

from django.utils.html import escape

from assessments.entrustment import Proposal
from assessments.models import EPA
from assessments.selectors_progress import GridCell, GridRow
from assessments.templatetags.grid_tags import grid_cells

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
