from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from organization.admin import ReadOnlyMixin

from .models import (
    Absence,
    Assignment,
    CalendarFeed,
    Goal,
    GoalNote,
    Meeting,
    MeetingParticipant,
    Mentor,
    MentorTraining,
    Programme,
    SpeedChoice,
    SpeedEvent,
    SpeedExpert,
    SpeedGroup,
    SpeedGroupMember,
    SpeedMatch,
    SpeedPreference,
    SpeedSlot,
)
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
        fields = ["programme", "resident", "mentor", "peer", "started_on"]

    def __init__(self, *args, request=None, **kwargs):
        self.request = request
        super().__init__(*args, **kwargs)
        if "programme" in self.fields:
            self.fields["programme"].required = False
            self.fields["programme"].help_text = _("Empty: the department's classic clinical programme.")

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            try:
                self.instance = assignment_create(
                    resident=cleaned["resident"], mentor=cleaned.get("mentor"), peer=cleaned.get("peer"),
                    programme=cleaned.get("programme"), started_on=cleaned["started_on"],
                    by=self.request.user if self.request else None)
            except ValidationError as exc:
                raise forms.ValidationError(exc.messages) from None
        return cleaned


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    form = AssignmentAdminForm
    list_display = ["resident", "mentor_side", "programme", "started_on", "ended_on", "end_reason"]
    list_filter = ["kind", "ended_on"]
    search_fields = ["resident__user__last_name", "mentor__user__last_name", "peer__user__last_name"]
    list_select_related = ["resident__user", "mentor__user", "peer__user", "programme"]
    autocomplete_fields = ["resident", "mentor", "peer"]
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


# --- programmes, meetings, goals, speed mentoring (issue 6) ---------------------------------------------------------
# Written through the pages' services only; the admin shows them. Meeting notes are private to the meeting's
# participants and are deliberately not in the admin; nor are calendar feed tokens shown (secret addresses).


@admin.register(Programme)
class ProgrammeAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["__str__", "department", "kind", "min_per_mentor", "max_per_mentor", "is_active"]
    list_filter = ["kind", "is_active", "department"]


class ParticipantInline(ReadOnlyMixin, admin.TabularInline):
    model = MeetingParticipant
    fields = ["user", "role", "response", "responded_at"]
    readonly_fields = fields


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["starts_at", "format", "programme", "mentor_user", "status"]
    list_filter = ["status", "format"]
    list_select_related = ["programme", "mentor_user"]
    fields = ["programme", "mentor_user", "format", "starts_at", "ends_at", "place", "status", "proposed_by"]
    inlines = [ParticipantInline]


@admin.register(MeetingParticipant)
class MeetingParticipantAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["meeting", "user", "role", "response"]
    list_select_related = ["meeting", "user"]


@admin.register(Absence)
class AbsenceAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["user", "kind", "starts_on", "ends_on"]
    list_filter = ["kind"]
    list_select_related = ["user"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["user", "created_at", "revoked_at"]
    fields = ["user", "created_at", "revoked_at"]
    list_select_related = ["user"]


class GoalNoteInline(ReadOnlyMixin, admin.TabularInline):
    model = GoalNote
    fields = ["created_at", "author", "status_after", "text"]
    readonly_fields = fields


@admin.register(Goal)
class GoalAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["title", "resident", "due_on", "status", "agreed_on"]
    list_filter = ["status"]
    list_select_related = ["resident__user"]
    inlines = [GoalNoteInline]


@admin.register(GoalNote)
class GoalNoteAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["goal", "author", "created_at", "status_after"]
    list_select_related = ["goal", "author"]


@admin.register(SpeedEvent)
class SpeedEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["title", "department", "held_on", "rounds", "round_minutes", "status"]
    list_filter = ["status", "department"]


@admin.register(SpeedSlot)
class SpeedSlotAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["event", "round_number", "group", "expert"]
    list_select_related = ["event", "group", "expert__mentor__user"]


@admin.register(SpeedMatch)
class SpeedMatchAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["event", "resident", "mentor", "edited", "assignment"]
    list_select_related = ["event", "resident__user", "mentor__user"]


for _model in (SpeedExpert, SpeedGroup, SpeedGroupMember, SpeedChoice, SpeedPreference):
    admin.site.register(_model, type(f"{_model.__name__}Admin", (ReadOnlyMixin, admin.ModelAdmin), {}))
