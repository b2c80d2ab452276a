from django.contrib import admin

from .models import AcademicYear, ClinicalSite, Coordinator, Department, MentoringPolicy, Specialty
from .services import department_create


class ReadOnlyMixin:
    """For records written through the pages (services): the admin shows them and cannot change them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CoordinatorInline(admin.TabularInline):
    model = Coordinator
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "university"]
    search_fields = ["name"]
    inlines = [CoordinatorInline]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:
            # Through the service, so every department starts with its policy.
            created = department_create(name=obj.name, university=obj.university)
            obj.pk = created.pk
            obj._state.adding = False


@admin.register(Specialty)
class SpecialtyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "duration_years", "department"]
    list_filter = ["department"]
    search_fields = ["code", "name"]


@admin.register(ClinicalSite)
class ClinicalSiteAdmin(admin.ModelAdmin):
    list_display = ["name", "city"]
    search_fields = ["name", "city"]
    filter_horizontal = ["departments"]


@admin.register(AcademicYear)
class AcademicYearAdmin(admin.ModelAdmin):
    list_display = ["__str__", "starts_on", "ends_on"]


@admin.register(MentoringPolicy)
class MentoringPolicyAdmin(admin.ModelAdmin):
    list_display = ["department", "min_residents_per_mentor", "max_residents_per_mentor", "min_experience_years",
                    "training_cycle_years"]

    def has_add_permission(self, request):
        return False  # every department gets its policy from department_create

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Coordinator)
class CoordinatorAdmin(admin.ModelAdmin):
    list_display = ["user", "department"]
    list_filter = ["department"]
    autocomplete_fields = ["user"]
