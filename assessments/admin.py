"""Admin for assessments: the policy is edited here; the records are read-only.

Observations, entrustment decisions, exam results, evaluations and track decisions carry rules (scope, lateness,
reasons for lowering, weighted scores, once a year) that live in the services and need a coordinator of the
department; they are written on the coordinator's and mentor's pages, so the admin cannot bypass them. The
history of decisions and exam results is shown here (django-simple-history).
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from organization.admin import ReadOnlyMixin

from .models import (
    EPA,
    AssessmentPolicy,
    EntrustmentDecision,
    EPAExpectation,
    ExamResult,
    MentorEvaluation,
    Observation,
    TrackDecision,
)


@admin.register(AssessmentPolicy)
class AssessmentPolicyAdmin(admin.ModelAdmin):
    list_display = ["department", "proposal_window", "late_after_days", "test_weight_pct", "support_score_below",
                    "support_epas_behind", "research_score_from"]

    def has_delete_permission(self, request, obj=None):
        return False


class ExpectationInline(ReadOnlyMixin, admin.TabularInline):
    model = EPAExpectation
    fields = ["year_of_study", "level"]
    readonly_fields = fields
    extra = 0


@admin.register(EPA)
class EPAAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["code", "title", "specialty", "position", "is_active"]
    list_filter = ["specialty", "is_active"]
    search_fields = ["code", "title"]
    inlines = [ExpectationInline]


@admin.register(Observation)
class ObservationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["observed_on", "resident", "epa", "level", "mentor", "is_late", "acknowledged_at"]
    list_filter = ["is_late", "level", "epa__specialty"]
    search_fields = ["resident__user__last_name", "mentor__user__last_name", "epa__code"]
    list_select_related = ["resident__user", "epa", "mentor__user"]
    date_hierarchy = "observed_on"


@admin.register(EntrustmentDecision)
class EntrustmentDecisionAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["resident", "epa", "level", "decided_by", "decided_at"]
    list_filter = ["level", "epa__specialty"]
    search_fields = ["resident__user__last_name", "epa__code"]
    list_select_related = ["resident__user", "epa", "decided_by"]


@admin.register(ExamResult)
class ExamResultAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["resident", "stage", "academic_year", "test_score", "osce_score", "overall_score"]
    list_filter = ["stage", "academic_year"]
    search_fields = ["resident__user__last_name", "resident__user__email"]
    list_select_related = ["resident__user", "academic_year"]


@admin.register(MentorEvaluation)
class MentorEvaluationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["mentor", "academic_year", "score", "evaluated_by"]
    list_filter = ["academic_year"]
    search_fields = ["mentor__user__last_name"]
    list_select_related = ["mentor__user", "academic_year", "evaluated_by"]


@admin.register(TrackDecision)
class TrackDecisionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["resident", "from_track", "to_track", "suggested_track", "decided_by", "decided_at"]
    list_filter = ["to_track"]
    search_fields = ["resident__user__last_name"]
    list_select_related = ["resident__user", "decided_by"]


@admin.register(EPAExpectation)
class EPAExpectationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["epa", "year_of_study", "level"]
    list_filter = ["epa__specialty", "year_of_study"]
    list_select_related = ["epa"]
