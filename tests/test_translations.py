"""The Russian and Kazakh catalogs are complete, consistent and compiled.

The .po files are parsed with a small self-contained reader (no polib), so the checks run
anywhere the project's own requirements are installed.
"""

import ast
import gettext
import re
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

LANGUAGES = ["ru", "kk"]
LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
EXPECTED_PLURAL_FORMS = {
    "ru": "nplurals=4; plural=(n % 10 == 1 && n % 100 != 11 ? 0 : n % 10 >= 2 && n % 10 <= 4 && "
    "(n % 100 < 12 || n % 100 > 14) ? 1 : n % 10 == 0 || (n % 10 >= 5 && n % 10 <= 9) || "
    "(n % 100 >= 11 && n % 100 <= 14)? 2 : 3);",
    "kk": "nplurals=2; plural=(n!=1);",
}
PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[-#0 +]*\d*(?:\.\d+)?([sdifr%])")


@dataclass
class Entry:
    line: int
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: str = ""
    msgstr_plural: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def label(self):
        ctx = f"[{self.msgctxt}] " if self.msgctxt is not None else ""
        return f"line {self.line}: {ctx}{self.msgid!r}"

    @property
    def translations(self):
        if self.msgid_plural is not None:
            return [self.msgstr_plural[i] for i in sorted(self.msgstr_plural)]
        return [self.msgstr]


def _unquote(text: str, path: Path, number: int) -> str:
    text = text.strip()
    if not (text.startswith('"') and text.endswith('"')):
        raise ValueError(f"{path}:{number}: expected a quoted string, got {text!r}")
    return ast.literal_eval(text)  # PO escapes (\" \\ \n \t) are a subset of Python's


def parse_po(path: Path) -> list[Entry]:
    """Entries of a .po file, header included (msgid ""); obsolete (#~) entries are skipped."""
    entries: list[Entry] = []
    current: Entry | None = None
    flags: set[str] = set()
    target: tuple[str, int | None] | None = None  # the field continuation lines append to

    def finish():
        nonlocal current
        if current is not None:
            entries.append(current)
        current = None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            flags, target = set(), None
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#,"):
            if current is not None and target and target[0].startswith("msgstr"):
                finish()
            flags |= {f.strip() for f in line[2:].split(",") if f.strip()}
            continue
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            if current is None or target is None:
                raise ValueError(f"{path}:{number}: continuation line outside an entry")
            value = _unquote(line, path, number)
            name, index = target
            if index is None:
                setattr(current, name, getattr(current, name) + value)
            else:
                current.msgstr_plural[index] += value
            continue
        if keyword in ("msgctxt", "msgid") and current is not None and target and target[0].startswith("msgstr"):
            finish()  # a new entry without a blank line in between
        if current is None:
            current = Entry(line=number, flags=flags)
            flags = set()
        value = _unquote(rest, path, number)
        match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
        if match:
            index = int(match.group(1))
            current.msgstr_plural[index] = value
            target = ("msgstr_plural", index)
        elif keyword in ("msgctxt", "msgid", "msgid_plural", "msgstr"):
            setattr(current, keyword, value)
            target = (keyword, None)
        else:
            raise ValueError(f"{path}:{number}: unexpected line {raw!r}")
    finish()
    return entries


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / "django.po"


def catalog(lang: str) -> tuple[dict[str, str], list[Entry]]:
    entries = parse_po(po_path(lang))
    headers = [e for e in entries if e.msgid == "" and e.msgctxt is None]
    assert len(headers) == 1, f"{lang}: expected one header entry"
    header = headers[0]
    fields = {}
    for line in header.msgstr.splitlines():
        key, _, value = line.partition(":")
        fields[key.strip()] = value.strip()
    return fields | {"__fuzzy__": "fuzzy" in header.flags}, [e for e in entries if e is not header]


def placeholders(text: str) -> Counter:
    return Counter(
        m.group(0) if not m.group(1) else f"%({m.group(1)}){m.group(2)}"
        for m in PLACEHOLDER.finditer(text)
        if m.group(2) != "%"
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_header(lang):
    header, _entries = catalog(lang)
    assert not header["__fuzzy__"], f"{lang}: the header is marked fuzzy"
    assert header.get("Language") == lang
    assert "charset=UTF-8" in header.get("Content-Type", "")
    assert header.get("Plural-Forms") == EXPECTED_PLURAL_FORMS[lang]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_entry_is_translated_and_not_fuzzy(lang):
    header, entries = catalog(lang)
    nplurals = int(re.search(r"nplurals=(\d+)", header["Plural-Forms"]).group(1))
    problems = []
    for e in entries:
        if "fuzzy" in e.flags:
            problems.append(f"fuzzy: {e.label}")
        if e.msgid_plural is not None and sorted(e.msgstr_plural) != list(range(nplurals)):
            problems.append(f"needs msgstr[0]..msgstr[{nplurals - 1}]: {e.label}")
        if any(not t for t in e.translations):
            problems.append(f"untranslated: {e.label}")
    assert entries, f"{lang}: no entries"
    assert not problems, f"{lang}:\n" + "\n".join(problems)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_match(lang):
    _header, entries = catalog(lang)
    problems = []
    for e in entries:
        if e.msgid_plural is None:
            expected = placeholders(e.msgid)
            for t in e.translations:
                if placeholders(t) != expected:
                    problems.append(f"{e.label}: {sorted(expected)} != {sorted(placeholders(t))} in {t!r}")
        else:
            expected = set(placeholders(e.msgid)) | set(placeholders(e.msgid_plural))
            for t in e.translations:
                if set(placeholders(t)) != expected:
                    problems.append(f"{e.label}: {sorted(expected)} != {sorted(set(placeholders(t)))} in {t!r}")
    assert not problems, f"{lang}:\n" + "\n".join(problems)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_mo_matches_po(lang):
    """The committed .mo holds exactly what the .po says (i.e. compilemessages was run)."""
    mo_path = po_path(lang).with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path} missing: run manage.py compilemessages"
    with mo_path.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)._catalog  # {msgid: str} and {(msgid, n): str}
    _header, entries = catalog(lang)
    stale = []
    for e in entries:
        key = e.msgid if e.msgctxt is None else f"{e.msgctxt}\x04{e.msgid}"
        if e.msgid_plural is None:
            if compiled.get(key) != e.msgstr:
                stale.append(e.label)
        elif any(compiled.get((key, i)) != s for i, s in e.msgstr_plural.items()):
            stale.append(e.label)
    assert not stale, f"{mo_path} is out of date; run compilemessages. Differs for:\n" + "\n".join(stale)


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext msgfmt not installed")
@pytest.mark.parametrize("lang", LANGUAGES)
def test_msgfmt_check(lang):
    result = subprocess.run(
        ["msgfmt", "--check", "-o", "/dev/null", str(po_path(lang))], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_parser_handles_multiline_plural_and_flags(tmp_path):
    po = tmp_path / "x.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: ru\\n"\n\n'
        '#, fuzzy, python-format\nmsgid ""\n"Nothing %(n)s "\n"saved"\nmsgid_plural "Many %(n)s"\n'
        'msgstr[0] "Ничего "\n"%(n)s \\"x\\""\nmsgstr[1] ""\n\n'
        'msgctxt "alt"\nmsgid "A"\nmsgstr "Б"\n\n#~ msgid "old"\n#~ msgstr "старое"\n',
        encoding="utf-8",
    )
    header, plural, ctx = parse_po(po)
    assert header.msgstr == "Language: ru\n"
    assert plural.msgid == "Nothing %(n)s saved" and plural.msgid_plural == "Many %(n)s"
    assert plural.msgstr_plural == {0: 'Ничего %(n)s "x"', 1: ""}
    assert plural.flags == {"fuzzy", "python-format"}
    assert (ctx.msgctxt, ctx.msgid, ctx.msgstr) == ("alt", "A", "Б")
    assert placeholders("%(a)s, %(b)d, %s, %d, 100%%") == Counter({"%(a)s": 1, "%(b)d": 1, "%s": 1, "%d": 1})


def test_rendering_in_russian():
    from organization.dates import duration_words, long_date

    with translation.override("ru"):
        assert translation.gettext("Mentors") == "Наставники"
        assert translation.gettext("Residents") == "Резиденты"
        assert translation.gettext("Dashboard") == "Панель"
        assert translation.gettext("Log in") == "Войти"
        assert [duration_words(m) for m in (1, 14, 26, 60, 66, 132, 252)] == [
            "1 месяц",
            "1 год 2 месяца",
            "2 года 2 месяца",
            "5 лет",
            "5 лет 6 месяцев",
            "11 лет",
            "21 год",
        ]
        assert long_date(date(2026, 3, 3)) == "3 марта 2026"


def test_rendering_in_kazakh():
    from organization.dates import duration_words, long_date

    with translation.override("kk"):
        assert translation.gettext("Mentors") == "Тәлімгерлер"
        assert translation.gettext("Residents") == "Резиденттер"
        assert translation.gettext(" or ") == " немесе "
        assert duration_words(50) == "4 жыл 2 ай"
        rendered = long_date(date(2026, 3, 3))
        assert "2026" in rendered and "3" in rendered and "March" not in rendered


def test_no_message_is_marked_inside_an_f_string():
    """xgettext does not look inside f-strings: a `_("...")` there never reaches the catalogues and shows in
    English in every language (found: "behind:" on the EPA grid, "not eligible" in the mentor choices)."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    marked = re.compile(r"""\bf(['"]).*\{[^}]*\b(_|gettext|ngettext|pgettext|gettext_lazy)\(""")
    apps = ("accounts", "organization", "residents", "mentoring", "assessments", "surveys", "reports", "config")
    found = [f"{path.relative_to(root)}:{n}" for app in apps for path in (root / app).rglob("*.py")
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if marked.search(line)]
    assert not found, found
