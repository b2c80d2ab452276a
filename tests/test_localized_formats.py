"""Dates and numbers are written the way the active language writes them (issue 8): Russian and Kazakh pages show
"1 сентября 2025 г." / "01.09.2025" and a decimal comma, English "Sept. 1, 2025" and a decimal point. Django has
no formats for Kazakh; config/formats/kk/formats.py gives them."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import formats, translation

from mentoring.models import Assignment

pytestmark = pytest.mark.django_db

EXPECTED = {
    "en": {"date": "Sept. 1, 2025", "short": "09/01/2025", "number": "1,234.5", "month": "September 2025"},
    "ru": {"date": "1 сентября 2025 г.", "short": "01.09.2025", "number": "1\xa0234,5", "month": "Сентябрь 2025 г."},
    "kk": {"date": "01.09.2025", "short": "01.09.2025", "number": "1\xa0234,5", "month": "Қыркүйек 2025"},
}


@pytest.mark.parametrize("lang", EXPECTED)
def test_formats_of_each_language(lang):
    day = date(2025, 9, 1)
    with translation.override(lang):
        assert formats.date_format(day, "DATE_FORMAT") == EXPECTED[lang]["date"]
        assert formats.date_format(day, "SHORT_DATE_FORMAT") == EXPECTED[lang]["short"]
        assert formats.date_format(day, "YEAR_MONTH_FORMAT") == EXPECTED[lang]["month"]
        assert formats.number_format(Decimal("1234.5"), 1, force_grouping=True) == EXPECTED[lang]["number"]
        rendered = Template('{{ x|floatformat:"-1" }} {{ when|date:"SHORT_DATETIME_FORMAT" }}').render(
            Context({"x": Decimal("2.5"), "when": datetime(2025, 9, 1, 7, 30)}))
        assert rendered.startswith("2.5 " if lang == "en" else "2,5 ")
        assert ("07:30" in rendered or "7:30" in rendered) and "2025" in rendered


@pytest.mark.parametrize("lang", EXPECTED)
def test_a_page_shows_dates_in_the_active_language(client, coordinator, resident, lang, settings):
    Assignment.objects.filter(resident=resident).update(started_on=date(2025, 9, 1))
    client.force_login(coordinator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    html = client.get(reverse("mentoring:resident_detail", args=[resident.pk])).content.decode()
    assert EXPECTED[lang]["date"] in html


@pytest.mark.parametrize(("lang", "limit"), [("en", "9,999,999"), ("ru", "9\xa0999\xa0999"), ("kk", "9\xa0999\xa0999")])
def test_numbers_in_messages_are_grouped_the_language_s_way(lang, limit, department, coordinator):
    from django.core.exceptions import ValidationError

    from surveys.builder import item_save
    from tests.factories_surveys import questionnaire_with_items

    section = questionnaire_with_items(department).sections.first()
    with translation.override(lang), pytest.raises(ValidationError) as refused:
        item_save(section=section, by=coordinator, kind="number", text="Hours", number_min=-10**9, number_max=5)
    assert f"-{limit}" in " ".join(refused.value.messages)
