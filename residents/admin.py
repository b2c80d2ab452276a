from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from organization.admin import ReadOnlyMixin

from .models import ActivityEntry, Cohort, Curriculum, CurriculumEvent, CurriculumItem, Discipline, NightDuty, Resident
from .services import ResidentData, resident_upsert


class ResidentAdminForm(forms.ModelForm):
    """Writes through `resident_upsert`, so the admin obeys the same rules as the pages and the import."""

    class Meta:
        model = Resident
        fields = ["user", "specialty", "cohort", "year_of_study", "clinical_site", "status", "track"]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        user, specialty, cohort = cleaned["user"], cleaned["specialty"], cleaned["cohort"]
        if cohort.specialty_id != specialty.pk:
            raise ValidationError({"cohort": _("The cohort %(cohort)s belongs to another specialty.")
                                             % {"cohort": cohort}})
        resident, _outcome = resident_upsert(
            department=specialty.department,
            data=ResidentData(
                email=user.email, first_name=user.first_name, last_name=user.last_name,
                middle_name=user.middle_name, specialty=specialty, intake_year=cohort.intake_year,
                year_of_study=cleaned["year_of_study"], clinical_site=cleaned["clinical_site"],
                status=cleaned["status"], track=cleaned["track"],
            ),
        )
        self.instance = resident
        return cleaned


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ["specialty", "intake_year"]
    list_filter = ["specialty"]


@admin.register(Resident)
class ResidentAdmin(admin.ModelAdmin):
    form = ResidentAdminForm
    list_display = ["__str__", "specialty", "cohort", "year_of_study", "clinical_site", "status", "track"]
    list_filter = ["status", "track", "specialty", "clinical_site"]
    search_fields = ["user__last_name", "user__first_name", "user__email"]
    list_select_related = ["user", "specialty", "cohort__intake_year", "cohort__specialty", "clinical_site"]
    autocomplete_fields = ["user"]

    def save_model(self, request, obj, form, change):
        pass  # saved by the service in ResidentAdminForm.clean

    def has_delete_permission(self, request, obj=None):
        return False  # residents leave through status (graduated, withdrawn), keeping their history


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Workflow records are written through the pages (services); the admin shows them."""


@admin.register(Discipline)
class DisciplineAdmin(admin.ModelAdmin):
    list_display = ["name", "specialty", "year_of_study", "hours", "position"]
    list_filter = ["specialty", "year_of_study"]
    search_fields = ["name"]


class CurriculumItemInline(admin.TabularInline):
    model = CurriculumItem
    extra = 0
    can_delete = False
    readonly_fields = ["discipline", "total_hours", "classroom_hours", "clinical_hours", "independent_hours"]


class CurriculumEventInline(admin.TabularInline):
    model = CurriculumEvent
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "by", "at", "comment"]


@admin.register(Curriculum)
class CurriculumAdmin(ReadOnlyAdmin):
    list_display = ["resident", "academic_year", "year_of_study", "status", "submitted_at", "approved_at"]
    list_filter = ["status", "academic_year"]
    search_fields = ["resident__user__last_name"]
    list_select_related = ["resident__user", "academic_year"]
    inlines = [CurriculumItemInline, CurriculumEventInline]


@admin.register(ActivityEntry)
class ActivityEntryAdmin(ReadOnlyAdmin):
    list_display = ["resident", "date", "kind", "hours", "clinical_site", "status"]
    list_filter = ["status", "kind"]
    search_fields = ["resident__user__last_name"]
    list_select_related = ["resident__user", "clinical_site"]


@admin.register(NightDuty)
class NightDutyAdmin(ReadOnlyAdmin):
    list_display = ["resident", "starts_at", "ends_at", "clinical_site", "status"]
    list_filter = ["status"]
    list_select_related = ["resident__user", "clinical_site"]


@admin.register(CurriculumItem)
class CurriculumItemAdmin(ReadOnlyAdmin):
    list_display = ["curriculum", "discipline", "total_hours", "classroom_hours", "clinical_hours",
                    "independent_hours"]
    list_select_related = ["curriculum__resident__user", "curriculum__academic_year", "discipline"]


@admin.register(CurriculumEvent)
class CurriculumEventAdmin(ReadOnlyAdmin):
    list_display = ["curriculum", "from_status", "to_status", "by", "at"]
    list_select_related = ["curriculum__resident__user", "curriculum__academic_year", "by"]
