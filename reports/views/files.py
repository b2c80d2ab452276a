"""A finished run's downloads: its exports (made by the worker with the result) and each chart as an SVG file."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET

from organization.tabular import file_response

from ..charts import find_chart
from ..exports import file_stem
from ..models import ReportRun
from ..selectors import file_for_user, run_for_user

SVG = "image/svg+xml; charset=utf-8"


@login_required
@require_GET
def run_file(request, pk, fmt):
    file = file_for_user(request.user, pk, fmt)
    return file_response(file.name, file.content_type, bytes(file.content))


@login_required
@require_GET
def run_chart(request, pk, section, chart):
    """One chart of a finished run as a standalone .svg (for slides and documents)."""
    run = run_for_user(request.user, pk)
    geometry = find_chart(run.result, section, chart) if run.status == ReportRun.Status.DONE else None
    if geometry is None:
        raise Http404
    svg = render_to_string("reports/chart.svg", {"c": geometry, "uid": f"{section}-{chart}", "standalone": True})
    return file_response(f"{file_stem(run)}-{section}-{chart}.svg", SVG, svg.encode("utf-8"))
