"""Cohort report sections on the questionnaires: satisfaction per item and response rates.

DESIGN.md section 3: an answer carries no resident, so no figure can be split by cohort. These sections take the
campaigns the cohort's residents were invited to and show each WHOLE campaign's figures, under the rules of the
results pages (surveys/results.py): figures only once the campaign is closed and released and at least k answered,
an item only when at least k answered it; the response rate always, never who answered, and never the cohort's own
rate (a small cohort's 100 % would say who answered).
"""

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from surveys.campaigns import with_response_rates
from surveys.models import Campaign, Item, Participation

from ..context import ReportContext
from ..result import chart, column, pct, section, table
from .cohort_common import yes_no
from .stats import CampaignFigures, campaign_figures

SHOWN_KINDS = (Item.Kind.LIKERT, Item.Kind.YES_NO, Item.Kind.NUMBER)


def invited_campaigns(context: ReportContext) -> QuerySet[Campaign]:
    """The campaigns at least one of the cohort's residents was invited to (a participation row: the audience as it
    was when the campaign was launched), oldest first."""
    invited = Participation.objects.filter(campaign=OuterRef("pk"), user__resident_profile__cohort=context.cohort)
    return Campaign.objects.filter(Exists(invited)).order_by("opens_on", "pk")


def hidden_because(figures: CampaignFigures) -> str:
    reasons = {
        "draft": _("not launched yet"),
        "open": _("still open: figures appear when it closes"),
        "releasing": _("the last answers are being added"),
        "few": ngettext("fewer than %(k)d people answered", "fewer than %(k)d people answered", figures.k)
        % {"k": figures.k},
    }
    return reasons.get(figures.why_hidden, "")


def satisfaction(context: ReportContext) -> dict:
    """Per item of each campaign the cohort was invited to: n, % agreeing (Likert), % yes (yes / no) and the mean,
    each the whole campaign's figure, shown only where k is reached (reports/sections/stats.campaign_figures: at
    most five queries for all the campaigns, the answers of the kinds shown read once)."""
    every = campaign_figures(invited_campaigns(context), kinds=SHOWN_KINDS)
    campaigns = table(
        "campaigns", _("Campaigns the cohort was invited to"),
        [column("campaign", _("Campaign")), column("status", _("Status")),
         column("closes_on", _("Closes on")), column("k", _("Anonymity threshold k"), "int"),
         column("respondents", _("Respondents"), "int"), column("shown", _("Figures shown")),
         column("why", _("Why not"))],
        [(f.campaign.title, f.campaign.get_status_display(), f.campaign.closes_on.isoformat(), f.k,
          f.responses if f.visible else None, yes_no(f.visible), hidden_because(f)) for f in every])
    rows, agreeing, shown = [], {}, [f for f in every if f.visible]
    for f in shown:
        for figure in f.items:
            item, stats = figure.item, figure.stats
            if item.kind not in SHOWN_KINDS:
                continue
            rows.append((
                f.campaign.title, item.code, item.text, None if stats is None else stats.n,
                None if stats is None else stats.pct_agree, None if stats is None else stats.pct_yes,
                None if stats is None or item.kind == Item.Kind.YES_NO else stats.mean,
                _("hidden: fewer than %(k)d people answered this question") % {"k": f.k} if stats is None else ""))
            if item.kind == Item.Kind.LIKERT:
                agreeing.setdefault(item.code, {"text": item.text})[f.campaign.pk] = figure.key_figure
    items = table(
        "items", _("Answers per question (whole campaigns)"),
        [column("campaign", _("Campaign")), column("code", _("Variable")), column("text", _("Question")),
         column("n", _("Answered"), "int"), column("agree", _("Agreeing, %"), "pct"), column("yes", _("Yes, %"), "pct"),
         column("mean", _("Mean"), "num"), column("note", _("Note"))],
        rows, note=_("Choice and free-text questions are on each campaign's results page."))
    # The agreement questions side by side, one column per campaign: the same questionnaire over time.
    by_campaign = table(
        "agreeing", _("Agreeing, % by campaign"),
        [column("code", _("Variable")), column("text", _("Question")),
         *(column(f"c{f.campaign.pk}", f.campaign.title, "pct") for f in shown)],
        [(code, figures["text"], *(figures.get(f.campaign.pk) for f in shown)) for code, figures in agreeing.items()])
    charts = []
    if agreeing:
        charts.append(chart("agreeing", "bar", _("Agreeing, % (whole campaigns)"), table="agreeing", label="code",
                            values=[f"c{f.campaign.pk}" for f in shown], unit="%", max=100))
    return section(
        "satisfaction", _("Satisfaction"), tables=[campaigns, by_campaign, items], charts=charts,
        notes=[_("These are the figures of the whole campaigns the cohort's residents were invited to, not of this "
                 "cohort: answers are anonymous and carry no resident, so they cannot be split by cohort."),
               _("Figures appear only for a closed campaign that at least k people answered, and for a question "
                 "only when at least k people answered it (k is the campaign's anonymity threshold).")])


def response_rates(context: ReportContext) -> dict:
    """Answered of invited for each campaign the cohort was invited to, whole campaign (one query)."""
    campaigns = list(with_response_rates(invited_campaigns(context)))
    rates = table(
        "rates", _("Response rates (whole campaigns)"),
        [column("campaign", _("Campaign")), column("status", _("Status")), column("opens_on", _("Opens on")),
         column("closes_on", _("Closes on")), column("invited", _("Invited"), "int"),
         column("answered", _("Answered"), "int"), column("rate", _("Response rate, %"), "pct")],
        [(c.title, c.get_status_display(), c.opens_on.isoformat(), c.closes_on.isoformat(), c.invited, c.answered,
          pct(c.answered, c.invited)) for c in campaigns])
    return section(
        "response_rates", _("Response rates"), tables=[rates],
        charts=[chart("rates", "bar", _("Response rate, %"), table="rates", label="campaign", values=["rate"],
                      unit="%", max=100)],
        notes=[_("How many of the people invited answered each whole campaign; never who answered. The rate is not "
                 "given for this cohort alone: in a small cohort 100 % would tell who answered.")])
