from django import forms
from django.contrib import admin

from .models import Assignment, Mentor, MentorTraining
from .services import MentorData, assignment_create, mentor_upsert, training_record


class MentorAdminForm(forms.ModelForm):
    """Writes through `mentor_upsert`, the same rules as the pages and the roster import."""

    class Meta:
        model = Mentor
        fields = ["user", "specialty", "clinical_site", "position", "qualification_category", "practice_started_on",
                  "certificate_number", "certificate_expires_on", "is_active"]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        user = cleaned["user"]
        mentor, _outcome = mentor_upsert(
            department=cleaned["specialty"].department,
            data=MentorData(
                email=user.email, first_name=user.first_name, last_name=user.last_name, middle_name=user.middle_name,
                specialty=cleaned["specialty"], clinical_site=cleaned["clinical_site"],
                position=cleaned["position"], qualification_category=cleaned["qualification_category"],
                practice_started_on=cleaned["practice_started_on"],
                certificate_number=cleaned["certificate_number"],
                certificate_expires_on=cleaned["certificate_expires_on"], is_active=cleaned["is_active"],
            ),
        )
        self.instance = mentor
        return cleaned


class TrainingInline(admin.TabularInline):
    model = MentorTraining
    extra = 0
    readonly_fields = ["kind", "completed_on", "provider"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # added through MentorTrainingAdmin, which applies training_record


@admin.register(Mentor)
class MentorAdmin(admin.ModelAdmin):
    form = MentorAdminForm
    list_display = ["__str__", "specialty", "clinical_site", "qualification_category", "practice_started_on",
                    "certificate_expires_on", "is_active"]
    list_filter = ["is_active", "qualification_category", "specialty", "clinical_site"]
    search_fields = ["user__last_name", "user__first_name", "user__email"]
    list_select_related = ["user", "specialty", "clinical_site"]
    autocomplete_fields = ["user"]
    inlines = [TrainingInline]

    def save_model(self, request, obj, form, change):
        pass  # saved by the service in MentorAdminForm.clean

    def has_delete_permission(self, request, obj=None):
        return False  # mentors are made inactive; their assignment history stays


class TrainingAdminForm(forms.ModelForm):
    class Meta:
        model = MentorTraining
        fields = ["mentor", "kind", "completed_on", "provider"]

    def clean(self):
        cleaned = super().clean()
        if not self.errors and self.instance.pk is None:
            self.instance, _created = training_record(
                mentor=cleaned["mentor"], kind=cleaned["kind"], completed_on=cleaned["completed_on"],
                provider=cleaned.get("provider", ""))
        return cleaned


@admin.register(MentorTraining)
class MentorTrainingAdmin(admin.ModelAdmin):
    form = TrainingAdminForm
    list_display = ["mentor", "kind", "completed_on", "provider"]
    list_filter = ["kind"]
    autocomplete_fields = ["mentor"]

    def get_readonly_fields(self, request, obj=None):
        return ["mentor", "kind", "completed_on"] if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["provider"])


class AssignmentAdminForm(forms.ModelForm):
    """New assignments go through `assignment_create` (eligibility, capacity, one mentor, row locks)."""

    class Meta:
        model = Assignment
        fields = ["resident", "mentor", "started_on"]

    def __init__(self, *args, request=None, **kwargs):
        self.request = request
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            self.instance = assignment_create(
                resident=cleaned["resident"], mentor=cleaned["mentor"], started_on=cleaned["started_on"],
                by=self.request.user if self.request else None)
        return cleaned


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    form = AssignmentAdminForm
    list_display = ["resident", "mentor", "started_on", "ended_on", "end_reason"]
    list_filter = ["ended_on"]
    search_fields = ["resident__user__last_name", "mentor__user__last_name"]
    list_select_related = ["resident__user", "mentor__user"]
    autocomplete_fields = ["resident", "mentor"]
    actions = None

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)

        class RequestForm(form):
            def __init__(self, *args, **kw):
                super().__init__(*args, request=request, **kw)

        return RequestForm

    def has_change_permission(self, request, obj=None):
        # History is kept as written; an assignment is ended from the coordinator's pages.
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        pass  # saved by the service in AssignmentAdminForm.clean
