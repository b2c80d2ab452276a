from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from .models import Cohort, Resident
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
            raise ValidationError({"cohort": Resident._meta.get_field("cohort").verbose_name})
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
