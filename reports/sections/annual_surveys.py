"""Annual monitoring, the questionnaires: satisfaction and response rates of the department's campaigns closed in
each year, year over year.

Questionnaires belong to the whole department, and answers carry no resident (DESIGN.md section 3), so a clinical
site's report shows the department's figures and says so. Figures obey the results pages' rules
(reports.sections.stats.campaign_figures); the response rate is always shown, never who answered.
"""

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from surveys.models import Campaign, Item
from surveys.stats import AGREEING

from ..context import ReportContext
from ..result import chart, column, pct, section, table
from .annual_common import Year, department_note, no_years, years_of
from .cohort_surveys import hidden_because
from .stats import campaign_figures

AGREEMENT_KINDS = (Item.Kind.LIKERT, Item.Kind.YES_NO)


def closed_in(year: Year) -> Q:
    """A campaign closed in the year (by its closing day, up to the year's day)."""
    return Q(status=Campaign.Status.CLOSED, closes_on__gte=year.starts_on, closes_on__lte=year.day)


def closed_in_any(years: list[Year]) -> Q:
    """A campaign closed in one of the years."""
    closed = Q()
    for year in years:
        closed |= closed_in(year)
    return closed


def year_label(years: list[Year], closes_on) -> str:
    """The label of the year a campaign closed in (it closed in one of them)."""
    return next(y.label for y in years if y.starts_on <= closes_on <= y.day)


def satisfaction(context: ReportContext) -> dict:
    """The department's campaigns closed in each year, with their whole-campaign figures where the anonymity rules
    let them be shown (a closed, released campaign that k answered; an item that k answered): % agreeing (or % yes)
    and n per item; per year, the share of agreeing answers over the agreement questions shown (at most six
    queries)."""
    years = years_of(context)
    if not years:
        return no_years("satisfaction", _("Satisfaction"))
    every = campaign_figures(Campaign.objects.filter(closed_in_any(years), department=context.department)
                             .order_by("closes_on", "pk"), kinds=AGREEMENT_KINDS)
    by_year = {year.label: [] for year in years}
    for figures in every:
        by_year[year_label(years, figures.campaign.closes_on)].append(figures)
    summary, detail = [], []
    for label, campaigns in by_year.items():
        shown = [f for f in campaigns if f.visible]
        answers = agreeing = 0
        for f in campaigns:
            if not f.visible:
                detail.append([label, f.campaign.title, None, None, None, hidden_because(f)])
                continue
            for figure in (i for i in f.items if i.item.kind in AGREEMENT_KINDS):
                detail.append([label, f.campaign.title, figure.item.text, None if figure.hidden else figure.stats.n,
                               figure.key_figure, _("hidden: fewer than %(k)d people answered this question")
                               % {"k": f.k} if figure.hidden else ""])
                if not figure.hidden and figure.item.kind == Item.Kind.LIKERT:
                    answers += figure.stats.n
                    agreeing += sum(bar.count for bar in figure.stats.distribution if bar.value in AGREEING)
        summary.append([label, len(campaigns), len(shown), sum(f.responses for f in shown), answers,
                        pct(agreeing, answers)])
    return section(
        "satisfaction", _("Satisfaction"),
        tables=[table("satisfaction", _("Satisfaction by year"), [
                    column("year", _("Academic year")), column("campaigns", _("Campaigns closed"), "int"),
                    column("shown", _("Campaigns with figures shown"), "int"),
                    column("respondents", _("Respondents (campaigns shown)"), "int"),
                    column("answers", _("Answers to agreement questions shown"), "int"),
                    column("agreeing_pct", _("Agreeing answers, %"), "pct")], summary),
                table("satisfaction_items", _("Answers per question (whole campaigns)"), [
                    column("year", _("Academic year")), column("campaign", _("Campaign")),
                    column("question", _("Question")), column("n", _("Answered"), "int"),
                    column("agreeing_pct", _("Agreeing (or yes), %"), "pct"), column("note", _("Note"))], detail)],
        charts=[chart("satisfaction_trend", "line", _("Agreeing answers, %"), table="satisfaction", label="year",
                      values=["agreeing_pct"], unit="%", max=100)],
        notes=[_("Whole campaigns of the department by their closing day: figures only for a closed campaign that at "
                 "least k people answered, and for a question only when at least k answered it. The year's share "
                 "of agreeing answers pools the agreement (1-5) questions shown."), *department_note(context)])


def response_rates(context: ReportContext) -> dict:
    """The department's questionnaire campaigns closed in each year: how many, invitations, answers and the
    response rate (one query, a row per campaign). Who answered is never shown, so nothing is split below the
    campaign."""
    years = years_of(context)
    if not years:
        return no_years("response_rates", _("Response rates"))
    # Each campaign's participations counted in one pass over them (joined and grouped by campaign: the database
    # reads them in the campaigns' order, nothing to sort), added up per year here.
    figures = {year.label: [0, 0, 0] for year in years}
    campaigns = (Campaign.objects.filter(closed_in_any(years), department=context.department).order_by("pk")
                 .annotate(invited=Count("participations"),
                           answered=Count("participations", filter=Q(participations__completed=True))))
    for closes_on, invited, answered in campaigns.values_list("closes_on", "invited", "answered"):
        counts = figures[year_label(years, closes_on)]
        counts[0] += 1
        counts[1] += invited
        counts[2] += answered
    rows = [[label, campaigns, invited, answered, pct(answered, invited)]
            for label, (campaigns, invited, answered) in figures.items()]
    columns = [column("year", _("Academic year")), column("campaigns", _("Campaigns closed"), "int"),
               column("invited", _("Invited"), "int"), column("answered", _("Answered"), "int"),
               column("rate", _("Response rate, %"), "pct")]
    return section("response_rates", _("Response rates"),
                   tables=[table("response_rates", _("Response rates by year"), columns, rows)],
                   charts=[chart("response_trend", "line", _("Response rate, %"), table="response_rates",
                                 label="year", values=["rate"], unit="%", max=100)],
                   notes=[_("Campaigns of the department by their closing day; the response rate is always shown, who "
                            "answered never is."), *department_note(context)])
