"""Helpers of tests/test_fuzz_forms.py: which URLs take a POST, the forms of the rendered pages, and the
Hypothesis strategies that fill a form with valid-looking and hostile values.

The forms are read from the HTML the product renders (names, input types, the options of selects, radios and
named buttons), so a field added to a form is fuzzed without touching the tests.
"""

import io
import string
from dataclasses import dataclass, field
from datetime import date, datetime
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import Resolver404, resolve
from hypothesis import strategies as st

CHOICE_KINDS = {"select", "radio", "checkbox", "submit"}


# --- which views take a POST ------------------------------------------------------------------------------------


def allowed_methods(callback) -> set[str] | None:
    """The HTTP methods a view accepts: a class-based view's handlers, or the list given to
    `require_http_methods` (`require_GET`, `require_POST`) found in the closures of the decorator chain.
    None when the view declares nothing, i.e. it answers every method."""
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        return {m.upper() for m in view_class.http_method_names if hasattr(view_class, m)}
    function = callback
    while function is not None:
        for cell in function.__closure__ or ():
            try:
                value = cell.cell_contents
            except ValueError:  # an empty cell
                continue
            if isinstance(value, list) and value and all(isinstance(m, str) and m.isupper() for m in value):
                return set(value)
        function = getattr(function, "__wrapped__", None)
    return None


def accepts_post(callback) -> bool:
    methods = allowed_methods(callback)
    return methods is None or "POST" in methods


def url_name_of(path: str) -> str | None:
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return None
    return match.view_name


# --- forms in the HTML ------------------------------------------------------------------------------------------


@dataclass
class FormField:
    name: str
    kind: str  # the input type ("text", "number", "date", "file", ...), or "select", "textarea", "submit"
    options: list[str] = field(default_factory=list)  # values offered (select, radio, checkbox, named buttons)
    initial: list[str] = field(default_factory=list)  # what a browser sends when nothing is touched
    multiple: bool = False
    attrs: dict = field(default_factory=dict)  # min, max, maxlength, step, required


@dataclass
class Form:
    action: str
    method: str
    enctype: str
    fields: dict[str, FormField] = field(default_factory=dict)


class _FormParser(HTMLParser):
    def __init__(self, page_url):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[Form] = []
        self.by_id: dict[str, Form] = {}
        self.current: Form | None = None
        self.select: FormField | None = None
        self.select_form: Form | None = None
        self.option: dict | None = None
        self.textarea: tuple[Form, FormField] | None = None
        self.text: list[str] = []
        self.pending: list[tuple[str, dict]] = []  # controls with form="id" seen before their form
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "a" and a.get("href", "").startswith(("/", "?")):
            self.links.append(urljoin(self.page_url, a["href"]))
        if tag == "form":
            action = urljoin(self.page_url, a.get("action", "") or self.page_url)
            self.current = Form(action=action, method=a.get("method", "get").lower(),
                                enctype=a.get("enctype", "application/x-www-form-urlencoded"))
            self.forms.append(self.current)
            if a.get("id"):
                self.by_id[a["id"]] = self.current
            return
        if tag == "option" and self.select is not None:
            self.option = a
            self.text = []
            return
        if tag not in ("input", "select", "textarea", "button") or not a.get("name"):
            return
        form = self.by_id.get(a["form"]) if a.get("form") else self.current
        if form is None:
            if a.get("form"):
                self.pending.append((tag, a))
            return
        self._control(form, tag, a)

    def _control(self, form, tag, a):
        name = a["name"]
        limits = {k: a[k] for k in ("min", "max", "maxlength", "step", "required", "accept") if k in a}
        if tag == "select":
            self.select = form.fields.setdefault(name, FormField(name, "select", multiple="multiple" in a,
                                                                  attrs=limits))
            self.select_form = form
            return
        if tag == "textarea":
            form.fields[name] = FormField(name, "textarea", attrs=limits)
            self.textarea = (form, form.fields[name])
            self.text = []
            return
        kind = "submit" if tag == "button" else a.get("type", "text").lower()
        if kind in ("button", "reset", "image"):
            return
        value = a.get("value", "on" if kind in ("checkbox", "radio") else "")
        existing = form.fields.get(name)
        if existing is None:
            existing = form.fields[name] = FormField(name, kind, attrs=limits)
        elif existing.kind != kind and existing.kind not in CHOICE_KINDS:
            existing.kind = kind
        if kind in CHOICE_KINDS:
            existing.options.append(value)
            if kind == "checkbox" and len(existing.options) > 1:
                existing.multiple = True
            chosen = "checked" in a if kind in ("checkbox", "radio") else not existing.initial
            if chosen:
                existing.initial.append(value)
        elif kind != "file":
            existing.initial.append(value)

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "option" and self.option is not None:
            self._end_option()
        elif tag == "select" and self.select is not None:
            if self.option is not None:
                self._end_option()
            if not self.select.initial and self.select.options and not self.select.multiple:
                self.select.initial = [self.select.options[0]]
            self.select = self.select_form = None
        elif tag == "textarea" and self.textarea is not None:
            form, control = self.textarea
            control.initial = ["".join(self.text).removeprefix("\n")]
            self.textarea = None

    def _end_option(self):
        value = self.option.get("value", "".join(self.text).strip())
        self.select.options.append(value)
        if "selected" in self.option:
            self.select.initial.append(value)
        self.option = None

    def handle_data(self, data):
        if self.option is not None or self.textarea is not None:
            self.text.append(data)

    def close(self):
        super().close()
        for tag, a in self.pending:
            if a["form"] in self.by_id:
                self._control(self.by_id[a["form"]], tag, a)


def forms_in(html: str, page_url: str) -> list[Form]:
    """Every form of the page (`method`, absolute `action` path, fields)."""
    parser = _FormParser(page_url)
    parser.feed(html)
    parser.close()
    return parser.forms


def post_forms_in(html: str, page_url: str) -> list[Form]:
    return [f for f in forms_in(html, page_url) if f.method == "post"]


def links_in(html: str, page_url: str) -> list[str]:
    """The site's own links of the page (absolute paths, query strings kept)."""
    parser = _FormParser(page_url)
    parser.feed(html)
    parser.close()
    return parser.links


# --- values -----------------------------------------------------------------------------------------------------

TEXT = st.characters(exclude_categories=("Cs",))  # every code point UTF-8 can carry (no lone surrogates)
HOSTILE = [
    "", " ", "\x00", "a\x00b", "\t\n\r", "0", "-0", "-1", "1.5", "1,5", "1e309", "-1e309", "NaN", "inf", "-inf",
    "0x1F", "2147483648", "-2147483649", "9223372036854775808", "-9223372036854775809", "99999999999999999999999999",
    "2024-02-30", "2023-02-29", "0000-00-00", "0001-01-01", "9999-12-31", "10000-01-01", "2024-13-01", "31/12/2024",
    "12/31/2024", "2024-1-1", "24:00", "23:60", "25:61", "2024-06-01T25:00", "2024-06-01T10:00:00+99:00",
    "9999-12-31T23:59", "0001-01-01T00:00", "yesterday", "true", "false", "None", "null", "[]", "{}", "%s", "{0}",
    "${x}", "<script>alert(1)</script>", "' OR 1=1 --", "../../etc/passwd", "\u202etxt.exe", "İstanbul", "ǅ",
    "😀", "Ωmega ß", "а" * 3, "x@", "@x", "a@b", "a@b.c", "user@example.com", "user@exämple.com",
    "²", "1²", "١٢", "９", "9" * 4301, "m" + "9" * 4301, "r²",  # digits int() refuses, past its 4,300 digits
]
SAMPLE_FILE_NAMES = ["roster.csv", "roster.xlsx", "results.xlsx", "results.csv", "photo.png", "program.exe",
                     "roster.csv.exe", "macro.xlsm", "../../x.csv", "ünïcödé.csv", "a" * 300 + ".csv", "noext",
                     ".csv", "x.CSV"]
SAMPLE_CONTENT_TYPES = ["text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        "application/octet-stream", "image/png", "text/html", "application/x-msdownload", ""]


def long_text():
    return st.builds(lambda piece, n: piece * n, st.sampled_from(["a", "é", "😀", "\x00", "9", "ab "]),
                     st.integers(min_value=256, max_value=20000))


def hostile_value():
    """Values no form should trust: any text, control characters, very long strings, numbers out of every
    range, malformed dates and times."""
    return st.one_of(
        st.sampled_from(HOSTILE),
        st.text(TEXT, max_size=40),
        long_text(),
        st.integers(min_value=-(2 ** 80), max_value=2 ** 80).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.dates(min_value=date(1, 1, 1)).map(lambda d: d.strftime("%d.%m.%Y")),
    )


def _number(attrs):
    low, high = _as_int(attrs.get("min"), -10), _as_int(attrs.get("max"), 1000)
    if high < low:
        high = low
    return st.one_of(st.integers(min_value=low, max_value=high).map(str),
                     st.decimals(min_value=low, max_value=high, places=2, allow_nan=False).map(str))


def _as_int(value, default):
    try:
        return int(float(value))
    except (TypeError, ValueError, OverflowError):
        return default


def valid_looking(control: FormField):
    """A value of the field's own kind: one of its options, a date for a date input, a number within its
    limits, an e-mail address, a short text."""
    kind = control.kind
    if kind in CHOICE_KINDS and control.options:
        return st.sampled_from(control.options)
    if kind == "number" or kind == "range":
        return _number(control.attrs)
    if kind == "date":
        return st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)).map(date.isoformat)
    if kind == "datetime-local":
        return st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2040, 12, 31)).map(
            lambda d: d.strftime("%Y-%m-%dT%H:%M"))
    if kind == "time":
        return st.times().map(lambda t: t.strftime("%H:%M"))
    if kind == "month":
        return st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)).map(lambda d: d.strftime("%Y-%m"))
    if kind == "email":
        return st.emails().map(str)
    if kind == "url":
        return st.sampled_from(["https://example.com/", "http://x", "javascript:alert(1)"])
    return st.text(TEXT, max_size=60)


# --- files ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileSpec:
    """A file to upload, built afresh for each POST (an uploaded file is read once)."""
    name: str
    content: bytes
    content_type: str

    def upload(self):
        return SimpleUploadedFile(self.name, self.content, content_type=self.content_type)


def _workbook(rows) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", cell) for cell in row])  # a workbook cannot hold them
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _csv(rows) -> bytes:
    return "\n".join(",".join(cell.replace(",", " ") for cell in row) for row in rows).encode()


def file_content():
    """Random bytes, a broken zip, text that looks like CSV, a real workbook of random cells, nothing."""
    cell = st.one_of(st.sampled_from(HOSTILE), st.text(TEXT, max_size=20),
                     st.integers(min_value=-(2 ** 40), max_value=2 ** 40).map(str))
    rows = st.lists(st.lists(cell, min_size=0, max_size=6), min_size=0, max_size=6)
    return st.one_of(
        st.binary(max_size=2000),
        st.binary(max_size=500).map(lambda b: b"PK\x03\x04" + b),
        rows.map(_csv),
        rows.map(lambda r: _csv([["email", "first_name", "last_name", "specialty", "site", "cohort", "score",
                                  "exam", "date"], *r])),
        rows.map(_workbook),
        st.just(b""),
        st.just("é,😀\r\n\x00".encode("utf-16")),
    )


def file_value():
    return st.builds(FileSpec, st.sampled_from(SAMPLE_FILE_NAMES), file_content(),
                     st.sampled_from(SAMPLE_CONTENT_TYPES))


# --- whole forms ------------------------------------------------------------------------------------------------

OMIT = object()
FIELD_NAME = st.text(string.ascii_letters + string.digits + "_-[].é😀", min_size=1, max_size=20)


def field_values(control: FormField):
    """What one field sends: most often the page's own value or another valid-looking one (so the other fields
    get through validation), else a hostile value, nothing at all, or several values."""
    if control.kind == "file":
        return st.one_of(file_value().map(lambda f: [f]), st.just(OMIT), st.just([""]),
                         st.lists(file_value(), min_size=2, max_size=3))
    keep = st.just(list(control.initial)) if control.initial else valid_looking(control).map(lambda v: [v])
    valid = valid_looking(control).map(lambda v: [v])
    several = st.lists(st.one_of(valid_looking(control), hostile_value()), min_size=2, max_size=4)
    if control.multiple:
        several = st.one_of(several, st.lists(valid_looking(control), min_size=0, max_size=6, unique=True))
    return st.one_of(keep, keep, keep, valid, valid, hostile_value().map(lambda v: [v]), st.just(OMIT), several)


def form_data(form: Form):
    """The data of one POST: every field of the form, plus now and then unknown fields."""
    fixed = st.fixed_dictionaries({name: field_values(control) for name, control in form.fields.items()})
    extra = st.dictionaries(FIELD_NAME.filter(lambda n: n not in form.fields),
                            st.lists(hostile_value(), min_size=1, max_size=2), max_size=3)
    return st.builds(_merge, fixed, st.one_of(st.just({}), st.just({}), extra))


def _merge(fixed, extra):
    return {**{k: v for k, v in fixed.items() if v is not OMIT}, **extra}


def encode(data: dict) -> dict:
    """The dict the test client posts (files opened afresh)."""
    out = {}
    for name, values in data.items():
        values = [v.upload() if isinstance(v, FileSpec) else v for v in values]
        out[name] = values[0] if len(values) == 1 else values
    return out



def views_by_name(patterns=None, namespace=""):
    """{"namespace:name": view callback} of every named URL pattern (the admin's included)."""
    from django.urls import URLPattern, URLResolver, get_resolver

    found = {}
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(p, URLResolver):
            found.update(views_by_name(p.url_patterns, f"{namespace}{p.namespace}:" if p.namespace else namespace))
        elif isinstance(p, URLPattern) and p.name:
            found[f"{namespace}{p.name}"] = p.callback
    return found
