"""Free-text comments and the themes coordinators tag them with (DESIGN.md section 3).

Comments are read only after the campaign closed, where at least k people answered the campaign and the
question; they are listed per question in random order, never with the other answers of their response.
A theme belongs to a department; its counts are numbers of tagged comments.
"""

import random
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from organization.models import Department
from organization.selectors import coordinates, departments_for_user

from .models import Answer, Campaign, Item, Theme
from .results import campaign_visibility, items_of_questionnaires

MAX_NAME = 100
_shuffle = random.SystemRandom().shuffle


# --- reads ---------------------------------------------------------------------------------------------------------


def themes_with_counts(department: Department) -> QuerySet[Theme]:
    """The department's themes, each with how many comments carry it (one query)."""
    return Theme.objects.filter(department=department).annotate(comments=Count("answers")).order_by("name", "pk")


def theme_for_coordinator(user, pk) -> Theme:
    theme = Theme.objects.filter(pk=pk, department__in=departments_for_user(user)).first()
    if theme is None:
        raise Http404
    return theme


def _text_item_counts(campaign: Campaign) -> dict[int, int]:
    """How many people answered each free-text question of the campaign (one query)."""
    return dict(Answer.objects.filter(response__campaign=campaign, item__kind=Item.Kind.TEXT).order_by()
                .values("item_id").annotate(n=Count("response_id", distinct=True)).values_list("item_id", "n"))


def comments_readable(campaign: Campaign) -> bool:
    visible, _reason, _responses = campaign_visibility(campaign)
    return visible


def comment_for_coordinator(user, pk) -> Answer:
    """A free-text answer the user may tag: a coordinator of its campaign's department, the campaign's results
    visible (closed, released, at least k) and the question answered by at least k; 404 otherwise."""
    answer = (Answer.objects.filter(pk=pk, item__kind=Item.Kind.TEXT,
                                    response__campaign__department__in=departments_for_user(user))
              .select_related("item", "response__campaign__department").first())
    if answer is None:
        raise Http404
    campaign = answer.response.campaign
    if not comments_readable(campaign) or _text_item_counts(campaign).get(answer.item_id, 0) < campaign.threshold:
        raise Http404
    return answer


@dataclass
class Comment:
    id: str
    text: str
    theme_ids: set[int]


@dataclass
class CommentGroup:
    item: Item
    n: int
    comments: list[Comment] = field(default_factory=list)
    theme_counts: list[tuple[Theme, int]] = field(default_factory=list)
    hidden: bool = False


def campaign_comments(campaign: Campaign, themes: list[Theme]) -> list[CommentGroup]:
    """Each free-text question with its comments in random order and theme counts (a fixed number of queries).

    A question fewer than k people answered keeps its comments hidden. Call it only for a campaign whose results
    are visible.
    """
    items = [i for i in items_of_questionnaires([campaign.questionnaire_id])[campaign.questionnaire_id]
             if i.kind == Item.Kind.TEXT]
    counts = _text_item_counts(campaign)
    groups = {item.pk: CommentGroup(item, counts.get(item.pk, 0), hidden=counts.get(item.pk, 0) < campaign.threshold)
              for item in items}
    comments = (Answer.objects.filter(response__campaign=campaign, item__kind=Item.Kind.TEXT).exclude(text="")
                .order_by().only("id", "item_id", "text").prefetch_related("themes"))
    for answer in comments:
        group = groups.get(answer.item_id)
        if group is not None and not group.hidden:
            group.comments.append(Comment(str(answer.pk), answer.text, {t.pk for t in answer.themes.all()}))
    tagged = {}
    through = Answer.themes.through
    for row in (through.objects.filter(answer__response__campaign=campaign).order_by()
                .values("answer__item_id", "theme_id").annotate(n=Count("id"))):
        tagged[(row["answer__item_id"], row["theme_id"])] = row["n"]
    for group in groups.values():
        _shuffle(group.comments)
        if not group.hidden:
            group.theme_counts = [(t, tagged[(group.item.pk, t.pk)]) for t in themes if (group.item.pk, t.pk) in tagged]
    return list(groups.values())


# --- writes ----------------------------------------------------------------------------------------------------------


def _check_coordinator(by, department_id) -> None:
    if not coordinates(by, department_id):
        raise ValidationError(_("Only a coordinator of the department can do this."))


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": _("Give the theme a name.")})
    if len(name) > MAX_NAME:
        raise ValidationError({"name": _("At most %(n)d characters.") % {"n": MAX_NAME}})
    return name


@transaction.atomic
def theme_save(*, department: Department, name: str, by, theme: Theme | None = None) -> Theme:
    """Add a theme to the department, or rename `theme`.

    Rules: only a coordinator of the department; a name, at most 100 characters, not already used in the
    department (whatever the capitals).
    """
    _check_coordinator(by, department.pk)
    if theme is not None and theme.department_id != department.pk:
        raise ValidationError(_("This theme belongs to another department."))
    name = _clean_name(name)
    clash = Theme.objects.filter(department=department, name__iexact=name)
    if theme is not None:
        clash = clash.exclude(pk=theme.pk)
    if clash.exists():
        raise ValidationError({"name": _("The department already has a theme “%(name)s”.") % {"name": name}})
    theme = theme or Theme(department=department)
    theme.name = name
    try:
        with transaction.atomic():
            theme.save()
    except IntegrityError:  # the same name saved at the same moment by someone else
        raise ValidationError({"name": _("The department already has a theme “%(name)s”.") % {"name": name}}) from None
    return theme


@transaction.atomic
def theme_delete(*, theme: Theme, by) -> None:
    """Delete a theme; the comments it tagged keep their other themes. Rule: only a coordinator of the department."""
    _check_coordinator(by, theme.department_id)
    theme.delete()


@transaction.atomic
def comment_tag(*, answer: Answer, themes, by) -> Answer:
    """Set the themes of a free-text comment (replacing the previous ones).

    Rules: only a coordinator of the campaign's department; only a free-text answer of a campaign whose results are
    visible (closed, released, at least k respondents) to a question at least k answered; only the department's
    themes.
    """
    campaign = answer.response.campaign
    _check_coordinator(by, campaign.department_id)
    if answer.item.kind != Item.Kind.TEXT:
        raise ValidationError(_("Only free-text comments are tagged with themes."))
    if not comments_readable(campaign) or _text_item_counts(campaign).get(answer.item_id, 0) < campaign.threshold:
        raise ValidationError(_("Comments can be tagged only after the campaign closed, where at least %(k)d people "
                                "answered.") % {"k": campaign.threshold})
    themes = list(themes)
    if any(t.department_id != campaign.department_id for t in themes):
        raise ValidationError({"themes": _("Use the themes of the campaign's department.")})
    answer.themes.set(themes)
    return answer
