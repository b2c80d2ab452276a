"""Surveys in the admin: read-only, and never who answered.

Questionnaires and campaigns are changed through the pages (the services hold the rules: a questionnaire
with answers is frozen, a launched campaign keeps its audience). Participation, the pending pool, responses
and answers are not registered at all: the admin must not become a way to see who answered or to browse
individual answers (DESIGN.md section 3).
"""

from django.contrib import admin

from organization.admin import ReadOnlyMixin

from .models import Campaign, Item, Questionnaire, Section, Theme


class SectionInline(ReadOnlyMixin, admin.TabularInline):
    model = Section
    fields = ["position", "title"]
    extra = 0


class ItemInline(ReadOnlyMixin, admin.TabularInline):
    model = Item
    fields = ["position", "code", "kind", "text", "required"]
    extra = 0


@admin.register(Questionnaire)
class QuestionnaireAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["title", "department", "intended_for", "about_mentor", "shipped_key"]
    list_filter = ["department", "intended_for"]
    search_fields = ["title"]
    inlines = [SectionInline]


@admin.register(Section)
class SectionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["title", "questionnaire", "position"]
    list_select_related = ["questionnaire"]
    inlines = [ItemInline]


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["title", "department", "questionnaire", "status", "opens_on", "closes_on", "threshold"]
    list_filter = ["status", "department"]
    list_select_related = ["department", "questionnaire"]
    search_fields = ["title"]


@admin.register(Theme)
class ThemeAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["name", "department"]
    list_filter = ["department"]
