from django.contrib import admin

from organization.admin import ReadOnlyMixin

from .models import DashboardFigures, ReportFile, ReportRun


class ReportFileInline(admin.TabularInline):
    model = ReportFile
    fields = ("fmt", "name", "size")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ReportRun)
class ReportRunAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Read-only: runs are asked for on the report pages (reports.services) and computed by the workers."""

    list_display = ("pk", "kind", "department", "status", "progress", "attempts", "requested_by", "requested_at")
    list_filter = ("kind", "status", "department")
    exclude = ("result",)
    inlines = [ReportFileInline]


@admin.register(DashboardFigures)
class DashboardFiguresAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("department", "computed_at")
