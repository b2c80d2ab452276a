from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from organization.selectors import department_for_coordinator

from ..selectors import department_dashboard


@login_required
@require_GET
def dashboard(request, department_id):
    department = department_for_coordinator(request.user, department_id)
    return render(request, "mentoring/dashboard.html", {"dashboard": department_dashboard(department),
                                                        "department": department})
