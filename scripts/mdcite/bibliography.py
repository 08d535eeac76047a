"""Load ``references.bib`` once, validate it, and format every entry once.

Validation reports each problem as ``path:line:col: error: message`` so that a contributor
fixes the entry without reading Python.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import defaultdict
from datetime import date as Date
from pathlib import Path
from typing import TYPE_CHECKING

from . import style
from .errors import Diagnostic, SourceError, did_you_mean
from .syntax import CROSSREF_PREFIXES
from .works import NAME_PARTS, AnyCase, BibEntry, Bibliography, Name, Reference

if TYPE_CHECKING:  # pybtex is imported where a build needs it: a build from the cache reads no BibTeX
    from pybtex.scanner import PybtexSyntaxError

ENTRY_START_RE = re.compile(r"@(?P<type>\w+)\s*[{(]\s*(?P<key>[^,\s{}()]*)\s*,?")
DATE_RE = re.compile(r"^(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2}))?)?$")
URL_RE = re.compile(r"^https?://[^\s\"'<>\\^`{|}]+$", re.IGNORECASE)
LEFTOVER_LATEX_RE = re.compile(r"\\[A-Za-z]+|\\.")
SIMPLE_ESCAPE_RE = re.compile(r"\\([$#_])")  # pybtex leaves these escaped
# Characters that LaTeX-aware readers of references.bib (BibTeX, biber, Zotero's importer, the
# site's own export round-trip) take as markup unless escaped with a backslash.
BARE_SPECIAL_RE = re.compile(r"(?<!\\)[%&$#]")
# Anything in a field that the checks below or the LaTeX decoding (style.LATEX_RE) would act on.
MARKUP_RE = re.compile(style.LATEX_RE.pattern + "|[&#]")
BARE_SPECIAL_WHY = {"%": "starts a comment (the rest of the line is dropped)", "&": "separates table columns",
                    "$": "opens mathematics", "#": "marks a macro parameter"}
MONTHS = [
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December",
]
MONTH_NAMES = {m.lower()[:3]: i for i, m in enumerate(MONTHS, start=1)}
FIELD_NAME_RE = re.compile(r"[A-Za-z][\w\-:.+/]*")
OPENING_RE = re.compile(r"\s*[{(]")
RUN_ON_RE = re.compile(r",\s*([A-Za-z][\w-]*)\s*=\s*[{\"\d]")  # ", url = {" inside a value

# Fields an entry of each type must have; a tuple means "one of these".
REQUIRED: dict[str, list[str | tuple[str, ...]]] = {
    "online": [("author", "editor", "organization"), "title", "url"],
    "article": ["author", "title", ("journaltitle", "journal"), ("date", "year")],
    "book": [("author", "editor"), "title", "publisher", ("date", "year")],
    "incollection": ["author", "title", "booktitle", "publisher", ("date", "year")],
    "report": [("author", "institution"), "title", "institution", ("date", "year")],
    "misc": [("author", "organization"), "title"],
}
# The same, each need as a tuple of its options.
REQUIRED_OPTIONS = {etype: [need if isinstance(need, tuple) else (need,) for need in needs]
                    for etype, needs in REQUIRED.items()}
# Fields that hold an address, taken as written.
VERBATIM = ("url", "doi")
# Keys the reader takes for cross-references, never for works.
RESERVED_PREFIXES = CROSSREF_PREFIXES


def pybtex_read(text: str):
    """pybtex's own reader, also keeping each entry's fields as written: the export writes them
    back unchanged (re-encoding the decoded values would escape their LaTeX a second time).

    The fast reader (bibread) reads what references.bib is written in; this one reads the rest,
    and its errors are what the located messages are built from. Returns pybtex's
    BibliographyData and the fields as written, by key."""
    from pybtex.database.input.bibtex import Parser
    from pybtex.textutils import normalize_whitespace

    class SourceParser(Parser):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.source: dict[str, dict[str, str]] = {}

        def process_entry(self, entry_type, key, fields):
            fields = list(fields)
            written: dict[str, str] = {}
            for name, values in fields:
                written.setdefault(name, normalize_whitespace(self.flatten_value_list(values)))
            if key is not None:
                self.source.setdefault(key, written)
            super().process_entry(entry_type, key, fields)

    parser = SourceParser(encoding="utf-8")
    return parser.parse_string(text), parser.source


def from_pybtex(data) -> dict[str, BibEntry]:
    """The entries of pybtex's BibliographyData as the records the fast reader gives (bibread)."""
    return {key: BibEntry(entry.original_type, entry.key, AnyCase(entry.fields.items()),
                          AnyCase((role, [Name(*(tuple(getattr(person, part)) for part in NAME_PARTS))
                                          for person in people])
                                  for role, people in entry.persons.items()))
            for key, entry in data.entries.items()}


def latex_to_text(value: str) -> str:
    """Decode LaTeX escapes (``{\\'e}``, ``\\&``) to Unicode text (style.from_latex is cached:
    names, journals and publishers recur, and latexcodec decodes slowly)."""
    return style.from_latex(value).text


def person_name(person: Name, inverted: bool) -> str:
    return compose_name(*name_parts(person), inverted)


@functools.lru_cache(maxsize=4096)
def name_parts(person: Name) -> tuple[str, str, str]:
    """A person's first (and middle), last (with any "von") and lineage names as text (once per
    distinct name: names recur, and a Name is frozen)."""
    return (latex_to_text(" ".join(person.first_names + person.middle_names)),
            latex_to_text(" ".join(person.prelast_names + person.last_names)),
            latex_to_text(" ".join(person.lineage_names)))


def compose_name(first: str, last: str, lineage: str, inverted: bool) -> str:
    """The name as "First Last" or, inverted, "Last, First" (a lineage after either)."""
    if not first:
        return last + (f", {lineage}" if lineage else "")
    if inverted:
        return f"{last}, {first}" + (f", {lineage}" if lineage else "")
    return f"{first} {last}" + (f" {lineage}" if lineage else "")


def join_names(names: list[str]) -> str:
    """Chicago: "Last, First, and First Last"; the comma keeps an inverted first name apart."""
    if len(names) == 2 and "," in names[0]:
        return f"{names[0]}, and {names[1]}"
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + ", and " + names[-1]


class _WithoutMarks(dict):
    """A str.translate table that drops combining marks and keeps every other character, each
    character's entry made the first time it is met (translate then looks it up in C: a name's
    characters one by one in Python were a tenth of building the references)."""

    def __missing__(self, code: int) -> str | None:
        kept = None if unicodedata.combining(chr(code)) else chr(code)
        self[code] = kept
        return kept


WITHOUT_MARKS = _WithoutMarks()


def fold(text: str) -> str:
    """Sort key text: case- and accent-insensitive."""
    if text.isascii():  # nothing to decompose (the common case, and the sort keys' hot spot)
        return text.casefold()
    return unicodedata.normalize("NFKD", text).translate(WITHOUT_MARKS).casefold()


def parse_date(value: str) -> tuple[int, ...] | None:
    """(year,), (year, month) or (year, month, day) from an ISO date; None if invalid."""
    m = DATE_RE.match(value.strip())
    if not m:
        return None
    parts = tuple(int(p) for p in m.groups() if p)
    try:
        if len(parts) == 3:
            Date(*parts)
        elif len(parts) == 2 and not 1 <= parts[1] <= 12:
            return None
    except ValueError:
        return None
    return parts


def human_date(parts: tuple[int, ...]) -> str:
    if len(parts) == 3:
        return f"{parts[2]} {MONTHS[parts[1] - 1]} {parts[0]}"
    if len(parts) == 2:
        return f"{MONTHS[parts[1] - 1]} {parts[0]}"
    return str(parts[0])


def entry_date(fields: dict[str, str]) -> tuple[tuple[int, ...] | None, str]:
    """The date parts of an entry's fields (by lower-case name) and the raw text they came from
    ('' if undated)."""
    raw = fields.get("date", "")
    if raw:
        return parse_date(raw), raw
    year = fields.get("year", "")
    if not year:
        return (), ""
    month = fields.get("month", "")
    raw = f"{year}-{month}" if month else year
    if not re.fullmatch(r"\d{4}", year.strip()):
        return None, raw
    if not month:
        return (int(year),), raw
    mnum = int(month) if month.isdigit() else MONTH_NAMES.get(month.strip().lower()[:3])
    if not mnum or not 1 <= mnum <= 12:
        return None, raw
    return (int(year), mnum), raw


def locate_entries(text: str) -> dict[str, list[tuple[int, int]]]:
    """Line and column of every ``@type{key,`` in the file, by key (keeps duplicates)."""
    where: dict[str, list[tuple[int, int]]] = defaultdict(list)
    line, counted = 1, 0  # lines counted up to each entry from the previous one, not from the top
    for m in ENTRY_START_RE.finditer(text):
        if m.group("type").lower() in ("comment", "preamble", "string"):
            continue
        line += text.count("\n", counted, m.start())
        counted = m.start()
        col = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
        where[m.group("key")].append((line, col))
    return where


def field_line(text: str, start_line: int, name: str) -> int:
    """The line of ``name =`` inside the entry starting at start_line (or the entry's line)."""
    lines = text.splitlines()
    pattern = re.compile(rf"^\s*{re.escape(name)}\s*=", re.IGNORECASE)
    for i in range(start_line - 1, len(lines)):
        if i > start_line - 1 and lines[i].lstrip().startswith("@"):
            break
        if pattern.match(lines[i]):
            return i + 1
    return start_line


def read_text(path: Path, shown: str) -> str:
    return decode(path.read_bytes(), shown)


def decode(data: bytes, shown: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise SourceError(
            [Diagnostic(shown, line, col, f"file is not UTF-8 (byte 0x{data[exc.start]:02x}); "
                        "save it as UTF-8")]
        ) from None


def line_col(text: str, pos: int) -> tuple[int, int]:
    return text.count("\n", 0, pos) + 1, pos - (text.rfind("\n", 0, pos) + 1) + 1


class _EntrySyntax(Exception):
    """Where and why one entry cannot be read (found by syntax_problem's small reader)."""

    def __init__(self, pos: int, message: str):
        super().__init__(message)
        self.pos, self.message = pos, message


def _skip_space(text: str, pos: int, end: int) -> int:
    while pos < end and text[pos].isspace():
        pos += 1
    return pos


def _braced(text: str, start: int, end: int, name: str) -> int:
    """The position after the '}' closing the '{' at start; a brace left open names its field."""
    depth, pos = 0, start
    while pos < end:
        char = text[pos]
        if char == "\\":
            pos += 2
            continue
        depth += (char == "{") - (char == "}")
        pos += 1
        if depth == 0:
            _check_run_on(text, start, pos, name)
            return pos
    runs_on = _run_on(text, start, end)
    where = f" before '{runs_on} ='" if runs_on else ""
    raise _EntrySyntax(start, f"the brace opening field '{name}' is never closed{where}; close it with '}}'")


def _run_on(text: str, start: int, end: int) -> str:
    """The next field's name when a value runs on into it (", url = {" at the value's own level)."""
    for m in RUN_ON_RE.finditer(text, start + 1, end):
        inner = text[start + 1:m.start()]
        if inner.count("{") == inner.count("}"):
            return m.group(1)
    return ""


def _check_run_on(text: str, start: int, stop: int, name: str) -> None:
    runs_on = _run_on(text, start, stop - 1)
    if runs_on:
        raise _EntrySyntax(start, f"the brace opening field '{name}' is not closed before "
                                  f"'{runs_on} ='; close it with '}}'")


def _value(text: str, pos: int, end: int, name: str) -> int:
    """The position after one field value: braced, quoted or a bare word, joined by '#'."""
    while True:
        pos = _skip_space(text, pos, end)
        if pos >= end:
            raise _EntrySyntax(pos, f"field '{name}' has no value")
        if text[pos] == "{":
            pos = _braced(text, pos, end, name)
        elif text[pos] == '"':
            close = text.find('"', pos + 1, end)
            if close < 0:
                raise _EntrySyntax(pos, f"the quotation mark opening field '{name}' is never closed")
            pos = close + 1
        else:
            word = re.compile(r"[\w\-:.+/]+").match(text, pos, end)
            if not word:
                raise _EntrySyntax(pos, f"field '{name}' has no value; write {name} = {{…}}")
            pos = word.end()
        after = _skip_space(text, pos, end)
        if after < end and text[after] == "#":
            pos = after + 1
            continue
        return pos


def _entry(text: str, opening: int, end: int) -> None:
    """Read one entry from just after its '{' (the key and its comma included); raise on a mistake."""
    closer = "}" if text[opening - 1] == "{" else ")"
    key = re.compile(r"\s*[^,\s{}()]*").match(text, opening, end)
    pos = _skip_space(text, key.end(), end)
    if pos < end and text[pos] == closer:
        return
    if pos >= end or text[pos] != ",":
        raise _EntrySyntax(pos, "missing ',' after the key")
    pos += 1
    while True:
        pos = _skip_space(text, pos, end)
        if pos >= end:
            raise _EntrySyntax(opening - 1, f"the entry is never closed; end it with '{closer}'")
        if text[pos] == closer:
            return
        name = FIELD_NAME_RE.match(text, pos, end)
        if not name:
            raise _EntrySyntax(pos, f"unexpected '{text[pos]}' where a field name should be")
        equals = _skip_space(text, name.end(), end)
        if equals >= end or text[equals] != "=":
            raise _EntrySyntax(equals, f"missing '=' after the field name '{name.group(0)}'")
        value_end = _value(text, equals + 1, end, name.group(0))
        pos = _skip_space(text, value_end, end)
        if pos < end and text[pos] == ",":
            pos += 1
        elif pos < end and text[pos] != closer:
            following = FIELD_NAME_RE.match(text, pos, end)
            after = f" (before '{following.group(0)}')" if following else ""
            raise _EntrySyntax(value_end, f"missing ',' after the value of field '{name.group(0)}'{after}")


def pybtex_problem(text: str, shown: str, exc: PybtexSyntaxError) -> Diagnostic:
    """pybtex's own account, when our reader finds nothing: its line, and the entry around it."""
    line = getattr(exc, "lineno", 1) or 1
    starts = [(n, key) for key, places in locate_entries(text).items() for n, _ in places if n <= line]
    inside = f" in entry '{max(starts)[1]}'" if starts else ""
    return Diagnostic(shown, line, 1, f"BibTeX syntax error{inside}: {exc.args[0] if exc.args else exc.error_type}; "
                      "check for an unclosed brace or a missing comma")


def entry_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, key) of every entry, an entry ending where the next ``@`` block starts."""
    starts = list(ENTRY_START_RE.finditer(text))
    spans = []
    for i, m in enumerate(starts):
        if m.group("type").lower() in ("comment", "preamble", "string"):
            continue
        spans.append((m.start(), starts[i + 1].start() if i + 1 < len(starts) else len(text), m.group("key")))
    return spans


def broken_entry(text: str, shown: str) -> tuple[Diagnostic, tuple[int, int, str]] | None:
    """The first entry that pybtex cannot read, located at its mistake and named by its key,
    with its span.

    pybtex notices a missing comma or an unclosed brace only where it next trips, often on the
    following entry, and words it "syntax error"; this reader of one entry at a time knows which
    entry is broken and why."""
    for span in entry_spans(text):
        start, end, key = span
        m = ENTRY_START_RE.match(text, start)
        opening = OPENING_RE.match(text, m.end("type")).end()
        try:
            _entry(text, opening, end)
        except _EntrySyntax as exc:
            line, col = line_col(text, exc.pos)
            return Diagnostic(shown, line, col, f"BibTeX syntax error in entry '{key or '(no key)'}': "
                              f"{exc.message}"), span
    return None


REPEATED_FIELD_RE = re.compile(r"entry with key (?P<key>\S+) has a duplicate (?P<field>\S+) field")


def repeated_field(text: str, shown: str, message: str) -> tuple[Diagnostic, tuple[int, int, str]] | None:
    """pybtex's "duplicate field" error, located at the second occurrence of the field."""
    m = REPEATED_FIELD_RE.search(message)
    span = next((s for s in entry_spans(text) if m and s[2].lower() == m.group("key").lower()), None)
    if span is None:
        return None
    name = m.group("field")
    found = list(re.finditer(rf"(?im)^\s*{re.escape(name)}\s*=", text[span[0]:span[1]]))
    if len(found) < 2:  # written on one line: point at the entry
        found = list(re.finditer(rf"(?i)[,\s]{re.escape(name)}\s*=", text[span[0]:span[1]]))
    pos = span[0] + (found[1].start() + len(found[1].group(0)) - len(found[1].group(0).lstrip())
                     if len(found) >= 2 else 0)
    line, col = line_col(text, pos)
    return Diagnostic(shown, line, col, f"field '{name}' appears twice in entry '{span[2]}'; keep one"), span


def syntax_problem(text: str, shown: str) -> Diagnostic | None:
    found = broken_entry(text, shown)
    return found[0] if found else None


def blank(text: str, start: int, end: int) -> str:
    """The text with one span emptied but for its line breaks: every other entry keeps its place."""
    return text[:start] + re.sub(r"[^\n]", " ", text[start:end]) + text[end:]


def load(path: str | Path, shown: str | None = None, cache_root: Path | None = None,
         partial: bool = False) -> Bibliography:
    """Parse, validate and format the whole file; raise SourceError listing every problem.

    With ``partial``, a mistake in an entry leaves that entry out and is listed in the returned
    bibliography's ``problems`` instead: only a file that cannot be read at all raises.

    With ``cache_root``, a file that parsed without error is kept formatted in its ``.cache``
    folder (bibcache: JSON, keyed by the file's bytes and everything that shapes the result):
    the next build that finds the same key loads it instead of parsing and formatting every entry
    again. A file with errors is never cached, so its errors are reported on every build."""
    path = Path(path)
    shown = shown or str(path)
    if not path.exists():
        raise SourceError([Diagnostic(shown, 1, 1, "bibliography file not found")])
    data = path.read_bytes()
    cached = None
    if cache_root is not None:
        from . import bibcache

        cached = bibcache.cache_file(cache_root, data, shown)
        bib = bibcache.fetch(cached)
        if bib is not None:
            return bib
    bib = read(decode(data, shown), shown)
    if bib.problems and not partial:
        raise SourceError(bib.problems)
    if cached is not None and not bib.problems:
        bibcache.store(cached, bib)
    return bib


def parse(text: str, shown: str) -> Bibliography:
    """The whole file, or SourceError listing every problem."""
    bib = read(text, shown)
    if bib.problems:
        raise SourceError(bib.problems)
    return bib


# How many broken entries are set aside before the file is given up as unreadable.
MOST_BROKEN = 50


def read(text: str, shown: str) -> Bibliography:
    """Every entry that parses and validates, each broken one set aside with its located error;
    SourceError only when the file cannot be read at all."""
    problems: list[Diagnostic] = []
    broken: set[str] = set()
    where = locate_entries(text)
    readable = text
    spans: dict[str, list[tuple[int, int]]] = {}

    def starts(key: str) -> list[tuple[int, int]]:
        """Where each entry with the key starts and ends (found the first time an entry is to be
        blanked out: a file without such a mistake needs none)."""
        if not spans:
            for start, end, spanned in entry_spans(text):
                spans.setdefault(spanned, []).append((start, end))
        return spans.get(key, [])

    seen_lower: dict[str, str] = {}
    for key, places in where.items():
        line, col = places[0]
        if not key:
            problems.append(Diagnostic(shown, line, col, "entry without a key; write @type{key, ...}"))
            for start, end in starts(key):
                readable = blank(readable, start, end)
            continue
        for (dup_line, dup_col), (start, end) in zip(places[1:], starts(key)[1:] if len(places) > 1 else (),
                                                     strict=False):
            problems.append(Diagnostic(shown, dup_line, dup_col,
                                       f"duplicate key '{key}' (first defined on line {line}); "
                                       "give one of them a different key"))
            readable = blank(readable, start, end)
        other = seen_lower.get(key.lower())
        if other is not None:
            problems.append(Diagnostic(shown, line, col,
                                       f"key '{key}' differs only in case from '{other}'; "
                                       "keys must differ in more than case"))
            broken.add(key)
            for start, end in starts(key):
                readable = blank(readable, start, end)
        seen_lower.setdefault(key.lower(), key)
        if key.startswith(RESERVED_PREFIXES):
            problems.append(Diagnostic(shown, line, col,
                                       f"key '{key}' starts with a reserved prefix "
                                       f"({', '.join(RESERVED_PREFIXES)}) used for cross-references"))
            broken.add(key)
            for start, end in starts(key):
                readable = blank(readable, start, end)
    from . import bibread

    entries = None
    fast = True
    for _ in range(MOST_BROKEN):
        if fast:  # the fast reader, while the file is in the BibTeX it reads exactly as pybtex
            try:
                entries, source = bibread.read(readable)
                break
            except bibread.Unsupported:
                fast = False
        from pybtex.exceptions import PybtexError  # pybtex's reader: for what the fast one leaves
        from pybtex.scanner import PybtexSyntaxError

        try:
            data, source = pybtex_read(readable)
            entries = from_pybtex(data)
            break
        except PybtexError as exc:  # a syntax error, or a mistake worded as a plain PybtexError
            found = broken_entry(readable, shown) or repeated_field(readable, shown, str(exc))
            if found is None:
                fallback = (pybtex_problem(readable, shown, exc) if isinstance(exc, PybtexSyntaxError)
                            else Diagnostic(shown, 1, 1, f"BibTeX error: {exc}"))
                raise SourceError(problems + [fallback]) from None
            problem, (start, end, key) = found
            problems.append(problem)
            broken.add(key)
            readable = blank(readable, start, end)
    if entries is None:
        raise SourceError(problems)
    if not entries and text.strip() and where and not problems:
        raise SourceError([Diagnostic(shown, 1, 1, "no entry could be read")])

    refs: dict[str, Reference] = {}
    for key, entry in entries.items():
        line, col = where.get(key, [(1, 1)])[0]
        ref, entry_problems = build_reference(key, entry, line, col, text, shown)
        problems.extend(entry_problems)
        if ref:
            ref.source = source.get(key, {})
            refs[key] = ref
        else:
            broken.add(key)
    disambiguate(refs)
    for key, ref in list(refs.items()):
        try:
            render(ref, shown)
        except SourceError as exc:
            problems.extend(exc.diagnostics)
            broken.add(key)
            del refs[key]
    problems.sort(key=lambda d: (d.line, d.col, d.message))
    return Bibliography(shown, refs, problems, broken - set(refs))


def build_reference(key, entry, line, col, text, shown) -> tuple[Reference | None, list[Diagnostic]]:
    problems: list[Diagnostic] = []
    etype = entry.type.lower()
    if etype not in REQUIRED:
        known = ", ".join(f"@{t}" for t in REQUIRED)
        hint = did_you_mean(etype, REQUIRED)
        return None, [Diagnostic(shown, line, col, f"unknown entry type '@{etype}' for '{key}'{hint}; "
                                 f"use one of {known}")]
    # the fields and persons once into plain dictionaries by lower-case name (the entry's own
    # mappings keep the names as written)
    written = list(entry.fields.items())
    by_role = {role.lower(): people for role, people in entry.persons.items()}
    have = {name.lower() for name, _ in written} | set(by_role)
    for options in REQUIRED_OPTIONS[etype]:
        if have.isdisjoint(options):
            wanted = " or ".join(f"'{o}'" for o in options)
            problems.append(Diagnostic(shown, line, col,
                                       f"@{etype} entry '{key}' is missing {wanted}"))
    plain: dict[str, str] = {}
    raws: dict[str, str] = {}  # each field as pybtex has it (its simple escapes undone)
    for name, raw in written:
        lower = name.lower()
        if lower in VERBATIM:  # an address: no LaTeX to check or decode (a "%" in it is no comment)
            plain[lower] = raw.strip()
            raws[lower] = raw
            continue
        if not MARKUP_RE.search(raw):  # plain text (most fields): nothing to report, escape or decode
            plain[lower] = raws[lower] = raw
            continue
        bare = BARE_SPECIAL_RE.search(raw)
        if bare:
            c = bare.group(0)
            problems.append(Diagnostic(shown, field_line(text, line, name), 1,
                                       f"field '{name}' of '{key}' has a bare '{c}', which in LaTeX "
                                       f"{BARE_SPECIAL_WHY[c]}; write '\\{c}'"))
        if "\\" in raw:  # only an escape can change
            raw = SIMPLE_ESCAPE_RE.sub(r"\1", raw)
            entry.fields[name] = raw
        raws[lower] = raw
        decoded = style.from_latex(raw).text  # latex_to_text, without the call
        leftover = LEFTOVER_LATEX_RE.search(decoded)
        if leftover:
            problems.append(Diagnostic(shown, field_line(text, line, name), 1,
                                       f"field '{name}' of '{key}' has the LaTeX command '{leftover.group(0)}', "
                                       "which cannot be turned into text; type the character itself "
                                       "(UTF-8) instead"))
        plain[lower] = decoded
    url = raws.get("url", "")
    if url and not URL_RE.match(url.strip()):
        problems.append(Diagnostic(shown, field_line(text, line, "url"), 1,
                                   f"url of '{key}' must be a plain http:// or https:// address, "
                                   f"not '{url[:60]}'"))
    parts, raw_date = entry_date(raws)
    if parts is None:
        problems.append(Diagnostic(shown, field_line(text, line, "date" if "date" in raws else "year"), 1,
                                   f"date of '{key}' ('{raw_date}') does not parse; "
                                   "write date = {YYYY-MM-DD}, {YYYY-MM} or {YYYY}"))
    for extra in ("urldate",):
        if extra in raws and parse_date(raws[extra]) is None:
            problems.append(Diagnostic(shown, field_line(text, line, extra), 1,
                                       f"{extra} of '{key}' does not parse; write {{YYYY-MM-DD}}"))
    if problems:
        return None, problems

    persons = by_role.get("author") or by_role.get("editor") or []
    if persons:
        parts_of = [name_parts(p) for p in persons]  # decoded once, composed both ways
        creators = join_names([compose_name(*n, inverted=(i == 0)) for i, n in enumerate(parts_of)])
        lasts = [n[1] for n in parts_of]
        short = lasts[0] if len(lasts) == 1 else (
            " and ".join(lasts) if len(lasts) == 2 else f"{lasts[0]} et al.")
        sort_name = fold("; ".join(compose_name(*n, inverted=True) for n in parts_of))
        if not by_role.get("author"):
            creators += ", ed." if len(persons) == 1 else ", eds."
    else:
        org = plain.get("organization") or plain.get("institution") or ""
        creators = org
        short = org
        sort_name = fold(org)
    year = str(parts[0]) if parts else "n.d."
    ref = Reference(key=key, type=etype, entry=entry, line=line, author_short=short,
                    year=year, fields=plain, date_parts=parts or ())
    ref.fields["_creators"] = creators
    ref.sort_key = (sort_name, parts[0] if parts else 9999, fold(plain.get("title", "")), key)
    return ref, []


def disambiguate(refs: dict[str, Reference]) -> None:
    """Same author(s) and year: 2025a, 2025b in the order of the reference list."""
    groups: dict[tuple[str, str], list[Reference]] = defaultdict(list)
    for ref in refs.values():
        groups[(fold(ref.author_short), ref.year)].append(ref)
    for group in groups.values():
        group.sort(key=lambda r: r.sort_key)
        if len(group) == 1:
            group[0].year_label = group[0].year
            continue
        for i, ref in enumerate(group):
            letter = chr(ord("a") + i) if i < 26 else f"{i}"
            ref.year_label = f"{ref.year}-{letter}" if ref.year == "n.d." else f"{ref.year}{letter}"


def render(ref: Reference, shown: str = "references.bib") -> None:
    entry = ref.entry
    persons = {role.lower(): people for role, people in entry.persons.items()}  # as BibTeX finds them
    editors = persons.get("editor") or []
    site = ref.fields.get("organization") or ref.fields.get("publisher") or ""
    if site and fold(site) == fold(ref.fields["_creators"]):
        site = ""  # Chicago does not repeat an organisation that is already the author
    computed = {
        "creators": ref.fields["_creators"],
        "yearlabel": ref.year_label,
        "fulldate": human_date(ref.date_parts) if len(ref.date_parts) > 1 else "",
        "site": site,
        "editors": join_names([person_name(p, inverted=False) for p in editors]) if persons.get("author") else "",
        "accessed": human_date(parse_date(ref.fields["urldate"])) if "urldate" in ref.fields else "",
    }
    try:
        rich = style.format_entry(entry, computed)
    except style.FieldIsMissing as exc:  # a required field the validation did not foresee
        raise SourceError([Diagnostic(shown, ref.line, 1,
                                      f"entry '{ref.key}' is missing '{exc.field_name}'")]) from None
    ref.html = rich.html
    ref.text = rich.text
