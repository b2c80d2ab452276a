"""A campaign's responses for SPSS and Excel: CSV, XLSX (responses, codebook, comments), the codebook as CSV.

Rules (DESIGN.md section 3), enforced by `campaign_export` whoever calls it:
- only a closed campaign whose pool is released and that at least k people answered; an item answered by fewer
  than k is left empty (the codebook says so);
- one row per response in a fresh random order on every export, and no identifier at all: no response key, no
  mentor, no campaign-internal order;
- free text is not a column of the responses: a comment next to the other answers of its response could give the
  person away. Comments go to their own sheet (and the "comments" CSV), each question's comments in random order,
  linked to no row; only for questions at least k people answered.
Cells that a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage return) get an
apostrophe in front, in CSV and XLSX alike.
"""

import csv
import io
import random
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.translation import gettext as _

from .answers import LIKERT_LABELS, YES_NO_LABELS
from .models import Answer, Campaign, Item, Response
from .results import campaign_visibility, items_of_questionnaires

FORMATS = ("csv", "xlsx", "codebook", "comments")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

_random = random.SystemRandom()


def neutralise(value):
    """Text a spreadsheet would run as a formula, made inert with a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@dataclass(frozen=True)
class Variable:
    """One column of the responses (a text item has a codebook entry but no column)."""

    name: str
    item: Item
    question: str
    values: str
    option_id: int | None = None
    note: str = ""

    @property
    def is_column(self) -> bool:
        return self.item.kind != Item.Kind.TEXT


def _value_labels(item: Item) -> str:
    if item.kind == Item.Kind.LIKERT:
        return "; ".join(f"{v} = {label}" for v, label in LIKERT_LABELS.items())
    if item.kind == Item.Kind.YES_NO:
        return "; ".join(f"{v} = {label}" for v, label in YES_NO_LABELS.items())
    if item.kind == Item.Kind.SINGLE:
        return "; ".join(f"{o.value} = {o.label}" for o in item.options.all())
    if item.kind == Item.Kind.MULTIPLE:
        return _("1 = chosen; 0 = not chosen")
    if item.kind == Item.Kind.NUMBER:
        bounds = [b for b in (item.number_min, item.number_max) if b is not None]
        return "–".join(str(b) for b in bounds) if len(bounds) == 2 else ""
    return ""


def variables(items: list[Item], suppressed: set[int]) -> list[Variable]:
    out = []
    for item in items:
        note = ""
        if item.pk in suppressed:
            note = _("Left empty: fewer people than the anonymity threshold answered this question.")
        elif item.kind == Item.Kind.TEXT:
            note = _("Free text: in the comments sheet, in random order and linked to no row.")
        if item.kind == Item.Kind.MULTIPLE:
            out += [Variable(f"{item.code}_{o.value}", item, f"{item.text}: {o.label}", _value_labels(item),
                             option_id=o.pk, note=note) for o in item.options.all()]
        else:
            out.append(Variable(item.code, item, item.text, _value_labels(item), note=note))
    return out


def _number(value: Decimal):
    return int(value) if value == value.to_integral_value() else float(value)


def response_rows(campaign: Campaign, columns: list[Variable], suppressed: set[int]) -> list[list]:
    """One row per response, in a fresh random order; values only, nothing that identifies the response."""
    answered: dict = {pk: defaultdict(list) for pk in Response.objects.filter(campaign=campaign)
                      .order_by().values_list("id", flat=True)}
    for response_id, item_id, option_id, number in (
            Answer.objects.filter(response__campaign=campaign, text="").order_by()
            .values_list("response_id", "item_id", "option_id", "number")):
        answered[response_id][item_id].append(option_id if option_id is not None else number)
    option_value = {o.pk: o.value for v in columns if v.item.has_options for o in v.item.options.all()}
    rows = []
    for answers in answered.values():
        row = []
        for variable in columns:
            given = answers.get(variable.item.pk)
            if not given or variable.item.pk in suppressed:
                row.append("")
            elif variable.item.kind == Item.Kind.MULTIPLE:
                row.append(1 if variable.option_id in given else 0)
            elif variable.item.kind == Item.Kind.SINGLE:
                row.append(option_value[given[0]])
            else:
                row.append(_number(given[0]))
        rows.append(row)
    _random.shuffle(rows)
    return rows


def comment_rows(campaign: Campaign, items: list[Item], suppressed: set[int]) -> list[list]:
    """(variable, comment) for each free-text question at least k answered; shuffled within each question."""
    texts = defaultdict(list)
    for item_id, text in (Answer.objects.filter(response__campaign=campaign, item__kind=Item.Kind.TEXT)
                          .exclude(text="").order_by().values_list("item_id", "text")):
        texts[item_id].append(text)
    rows = []
    for item in items:
        if item.kind != Item.Kind.TEXT or item.pk in suppressed:
            continue
        comments = texts.get(item.pk, [])
        _random.shuffle(comments)
        rows += [[item.code, text] for text in comments]
    return rows


def _suppressed(campaign: Campaign, items: list[Item]) -> set[int]:
    """Items fewer than k people answered."""
    answered = dict(Answer.objects.filter(response__campaign=campaign).order_by().values("item_id")
                    .annotate(n=Count("response_id", distinct=True)).values_list("item_id", "n"))
    return {item.pk for item in items if answered.get(item.pk, 0) < campaign.threshold}


CODEBOOK_HEADER = ("variable", "question", "section", "type", "values", "required", "note")


def codebook_rows(all_variables: list[Variable]) -> list[list]:
    return [[v.name, v.question, v.item.section.title, str(v.item.get_kind_display()), v.values,
             _("yes") if v.item.required else _("no"), v.note] for v in all_variables]


def campaign_export(*, campaign: Campaign, fmt: str) -> tuple[str, str, bytes]:
    """The export of `campaign` in `fmt` ("csv", "xlsx", "codebook" or "comments") as (file name, type, content).

    Rule: only a closed campaign, its pool released, that at least k people answered (ValidationError otherwise).
    """
    if fmt not in FORMATS:
        raise ValidationError(_("Unknown export format."))
    visible, reason, _responses = campaign_visibility(campaign)
    if not visible:
        raise ValidationError(reason)
    items = items_of_questionnaires([campaign.questionnaire_id])[campaign.questionnaire_id]
    suppressed = _suppressed(campaign, items)
    all_variables = variables(items, suppressed)
    columns = [v for v in all_variables if v.is_column]
    base = f"campaign-{campaign.pk}"
    if fmt == "codebook":
        return f"{base}-codebook.csv", CONTENT_TYPES["csv"], csv_bytes([CODEBOOK_HEADER, *codebook_rows(all_variables)])
    if fmt == "comments":
        return (f"{base}-comments.csv", CONTENT_TYPES["csv"],
                csv_bytes([("variable", "comment"), *comment_rows(campaign, items, suppressed)]))
    rows = [[v.name for v in columns], *response_rows(campaign, columns, suppressed)]
    if fmt == "csv":
        return f"{base}-responses.csv", CONTENT_TYPES["csv"], csv_bytes(rows)
    return f"{base}.xlsx", CONTENT_TYPES["xlsx"], _xlsx({
        "responses": rows,
        "codebook": [CODEBOOK_HEADER, *codebook_rows(all_variables)],
        "comments": [("variable", "comment"), *comment_rows(campaign, items, suppressed)],
    })


def csv_bytes(rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([neutralise(v) for v in row])
    # The BOM lets Excel open the file as UTF-8 (Cyrillic survives).
    return out.getvalue().encode("utf-8-sig")


def _xlsx(sheets: dict[str, list]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append([neutralise(v) for v in row])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
