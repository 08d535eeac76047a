"""An author-date style modelled on Chicago author-date: one reference-list entry as HTML and text.

Names, year labels (with 2025a/2025b disambiguation) and full dates are computed once per entry
by the bibliography and handed in as ``computed``; everything else is a field.

The style was written as pybtex templates; their rich-text machinery was two thirds of the time a
cold build spent on the bibliography. This module follows the same rules with plain strings, and
gives byte for byte what the templates gave (tests/pybtex_style.py keeps the templates, and
tests/test_bibliography_fast.py compares the two on every entry of both test corpora). A value
with LaTeX in it (``{NATO}``, ``--``, ``\\&``) is still decoded by pybtex (``Text.from_latex``); a
braced word becomes ``<span class="bibtex-protected">`` in HTML, as pybtex's HTML backend writes.

The rules, as the templates had them: parts are joined by a separator, empty parts left out; a
sentence adds a period unless the text already ends with ".", "?" or "!"; a missing field (one the
entry does not have at all) leaves out the optional group around it, and is an error elsewhere.
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

from .iri import readable_url

# Hebrew, Arabic, Syriac, Thaana, N'Ko and the Arabic presentation forms: right-to-left scripts.
RTL_RE = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefe]")
# What latexcodec decodes without a backslash: "~", math, a "%" comment and the ligatures of its
# table (dashes, quotation marks, ",," and the inverted "!`" and "?`").
DECODED_RE = re.compile(r"[\\~$%]|--|``|''|,,|[!?]`")
# Text with none of these is plain: it needs no trip through the (slow) LaTeX decoder.
LATEX_RE = re.compile(DECODED_RE.pattern + r"|[{}]")
TERMINATORS = (".", "?", "!")
# A page range such as 193--201, the one piece of LaTeX most entries have: latexcodec makes the
# "--" an en dash and changes nothing else in it.
RANGE_RE = re.compile(r"[0-9A-Za-z]+--[0-9A-Za-z]+")
BRACE_SPLIT_RE = re.compile(r"([{}])")


class FieldIsMissing(Exception):
    """A field the style needs that the entry lacks (pybtex's FieldIsMissing, by name)."""

    def __init__(self, field_name: str):
        super().__init__(f"missing {field_name}")
        self.field_name = field_name


def escape(text: str) -> str:
    """pybtex's HTML backend escapes text with xml.sax.saxutils.escape: &, < and >."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class Rich(NamedTuple):
    """A piece of an entry as HTML and as plain text; ``terminated`` when it ends a sentence.

    A named tuple: an entry makes a score of these, and a frozen dataclass is several times
    slower to make."""

    html: str = ""
    text: str = ""
    terminated: bool = False

    def __bool__(self) -> bool:
        return bool(self[1])


EMPTY = Rich()
# Rich((html, text, terminated)) without the named tuple's own __new__ (a Python call per piece).
new_rich = functools.partial(tuple.__new__, Rich)


def plain(text: str) -> Rich:
    return new_rich((escape(text), text, text.endswith(TERMINATORS))) if text else EMPTY


@functools.lru_cache(maxsize=8192)
def from_latex(value: str) -> Rich:
    """A field's value with its LaTeX decoded: pybtex's ``Text.from_latex`` rendered, when there is
    LaTeX in it. Cached: journals, publishers and places recur, and latexcodec decodes slowly."""
    if not LATEX_RE.search(value):
        return plain(value)
    if RANGE_RE.fullmatch(value):
        return plain(value.replace("--", "\u2013"))
    # Text.from_latex is LaTeXParser(latexcodec's decoding): with nothing to decode but braces
    # (``{NATO}``, an organisation's ``{{Valdai Club}}``), the decoding changes nothing, and a
    # build that meets no other LaTeX imports neither latexcodec nor pybtex's rich text.
    if not DECODED_RE.search(value):
        html = braced_html(value)
        if html is not None:
            text = value.replace("{", "").replace("}", "")
            return Rich(html, text, text.endswith(TERMINATORS))
    from pybtex.markup import LaTeXParser
    from pybtex.richtext import Text
    from pybtex.textutils import is_terminated

    rich = Text.from_latex(value) if DECODED_RE.search(value) else LaTeXParser(value).parse()
    return Rich(_html(rich), str(rich), bool(rich) and is_terminated(rich))


def braced_html(value: str) -> str | None:
    """The HTML pybtex writes for text whose only LaTeX is braces (None if they do not balance:
    pybtex's parser then says why).

    pybtex's LaTeXParser makes each brace group a ``Protected`` part of a ``Text``, and rich text
    keeps its parts as its constructor leaves them: empty parts dropped, adjacent parts of one
    kind merged into one (two strings into one string, ``{a}{b}`` into one protected "ab"); its
    HTML backend writes a protected part as ``<span class="bibtex-protected">``."""
    stack: list[list] = [[]]
    for piece in BRACE_SPLIT_RE.split(value):
        if piece == "{":
            stack.append([])
        elif piece == "}":
            if len(stack) == 1:
                return None
            group = stack.pop()
            stack[-1].append(group)
        elif piece:
            stack[-1].append(piece)
    if len(stack) != 1:
        return None
    return _parts_html(_merged(stack[0]))


def _merged(parts: list) -> list:
    """Rich text's constructor on parts (a string, or a list for a protected group): empty parts
    dropped, adjacent strings joined, adjacent groups merged into one."""
    out: list = []
    for part in parts:
        if isinstance(part, list):
            part = _merged(part)
        if not part:
            continue
        if out and type(out[-1]) is type(part):
            out[-1] = out[-1] + part if isinstance(part, str) else _merged(out[-1] + part)
        else:
            out.append(part)
    return out


def _parts_html(parts: list) -> str:
    return "".join(escape(part) if isinstance(part, str)
                   else f'<span class="bibtex-protected">{_parts_html(part)}</span>' for part in parts)


def _html(node) -> str:
    """pybtex's HTML rendering of the text LaTeXParser makes (Text, String and Protected)."""
    from pybtex.richtext import BaseMultipartText, Protected, String, Text

    if isinstance(node, String):
        return escape(node.value)
    if isinstance(node, Protected):
        return f'<span class="bibtex-protected">{"".join(_html(p) for p in node.parts)}</span>'
    if type(node) is Text:
        return "".join(_html(p) for p in node.parts)
    if isinstance(node, BaseMultipartText):  # not made by LaTeXParser today; render it as pybtex does
        from pybtex.backends.html import Backend

        return node.render(Backend())
    raise TypeError(f"unexpected rich text {node!r}")


def join(parts: list[Rich] | tuple[Rich, ...], sep: str = "") -> Rich:
    parts = [p for p in parts if p[1]]  # the non-empty ones (p.text, without a call to __bool__)
    if not parts:
        return EMPTY
    if len(parts) == 1:
        return parts[0]
    return new_rich((escape(sep).join([p[0] for p in parts]), sep.join([p[1] for p in parts]), parts[-1][2]))


def add_period(piece: Rich) -> Rich:
    html, text, terminated = piece
    if text and not terminated:
        return new_rich((html + ".", text + ".", True))
    return piece


def sentence(*parts: Rich, sep: str = ", ") -> Rich:
    return add_period(join(parts, sep))


def words(*parts: Rich) -> Rich:
    return join(parts, " ")


def tag(name: str, rich: Rich) -> Rich:
    return new_rich((f"<{name}>{rich[0]}</{name}>", rich[1], rich[2])) if rich[1] else EMPTY


def isolated(rich: Rich) -> Rich:
    """Text in a right-to-left script in a <bdi>, so that the punctuation and date after it keep
    their place in the line; any other text as it is."""
    return tag("bdi", rich) if RTL_RE.search(rich[1]) else rich


def quoted(rich: Rich) -> Rich:
    """Chicago puts the closing period inside the quotation marks."""
    if not rich[1]:
        return EMPTY
    html, text, _ = add_period(rich)
    return new_rich((f"\u201c{html}\u201d", f"\u201c{text}\u201d", False))


def href(url: str, rich: Rich) -> Rich:
    """pybtex's HTML backend writes the address as it is, and the link text escaped."""
    return new_rich((f'<a href="{url}">{rich[0]}</a>', rich[1], rich[2])) if rich[1] else EMPTY


class Entry:
    """The lookups the style makes in one entry: fields by name (any case), computed values."""

    def __init__(self, fields, computed: dict):
        self.fields = fields
        self.computed = computed

    def raw(self, name: str) -> str:
        try:
            return self.fields[name]
        except KeyError:
            raise FieldIsMissing(name) from None

    def field(self, name: str) -> Rich:
        return from_latex(self.raw(name))

    def value(self, name: str) -> Rich:
        found = self.computed.get(name)
        if not found:
            raise FieldIsMissing(name)
        return plain(found)

    def optional_field(self, name: str) -> Rich:
        """The field, or nothing when the entry lacks it."""
        raw = self.fields.get(name)
        return EMPTY if raw is None else from_latex(raw)

    def optional_value(self, name: str) -> Rich:
        """The computed value, or nothing when it is empty."""
        found = self.computed.get(name)
        return plain(found) if found else EMPTY

    def has(self, name: str) -> bool:
        return name in self.fields


# An optional group is left out when a field it needs is missing. The templates raised and caught
# FieldIsMissing for that (an exception per missing field, a closure per group: a third of the
# time spent formatting); each group below asks first whether its field is there instead.


def first_of(*parts: Rich) -> Rich:
    for part in parts:
        if part[1]:
            return part
    return EMPTY


# The style's own words, made once.
ACCESSED, OPEN, CLOSE, DOI_PREFIX = plain("Accessed"), plain("("), plain(")"), plain("https://doi.org/")
EDITED_BY, IN, EDITED_BY_LOWER = plain("Edited by"), plain("In"), plain("edited by")


def _creators(e: Entry) -> Rich:
    return add_period(isolated(e.value("creators")))


def _title_quoted(e: Entry) -> Rich:
    return quoted(isolated(e.field("title")))


def _title_italic(e: Entry) -> Rich:
    return add_period(tag("em", isolated(e.field("title"))))


def _container_date(e: Entry) -> Rich:
    return e.optional_value("fulldate")


def _publisher_place(e: Entry) -> Rich:
    both = join([e.field("address"), e.field("publisher")], ": ") if e.has("address") and e.has("publisher") else EMPTY
    return first_of(both, e.optional_field("publisher"))


def _online(e: Entry) -> list[Rich]:
    accessed = e.optional_value("accessed")
    return [
        _title_quoted(e),
        sentence(join([tag("em", isolated(e.optional_value("site"))), _container_date(e)], ", ")),
        sentence(words(ACCESSED, accessed)) if accessed else EMPTY,
    ]


def _volume_number(e: Entry) -> Rich:
    volume = e.field("volume")
    number = join([OPEN, e.field("number"), CLOSE]) if e.has("number") else EMPTY
    return join([volume, number])


def _article(e: Entry) -> list[Rich]:
    journal = first_of(e.optional_field("journaltitle"), e.optional_field("journal"))
    return [
        _title_quoted(e),
        sentence(words(tag("em", isolated(journal)), _volume_number(e) if e.has("volume") else EMPTY),
                 e.optional_field("pages"), _container_date(e)),
        sentence(join([DOI_PREFIX, plain(e.raw("doi"))])) if e.has("doi") else EMPTY,
    ]


def _book(e: Entry) -> list[Rich]:
    editors = e.optional_value("editors")
    return [
        _title_italic(e),
        sentence(words(EDITED_BY, editors)) if editors else EMPTY,
        sentence(_publisher_place(e)),
    ]


def _incollection(e: Entry) -> list[Rich]:
    editors = e.optional_value("editors")
    return [
        _title_quoted(e),
        sentence(words(IN, tag("em", isolated(e.field("booktitle")))),
                 words(EDITED_BY_LOWER, editors) if editors else EMPTY,
                 e.optional_field("pages")),
        sentence(_publisher_place(e)),
    ]


def _report(e: Entry) -> list[Rich]:
    return [
        _title_italic(e),
        sentence(words(e.field("type"), e.optional_field("number"))) if e.has("type") else EMPTY,
        sentence(join([e.field("institution"), _container_date(e)], ", ")) if e.has("institution") else EMPTY,
    ]


def _misc(e: Entry) -> list[Rich]:
    return [
        _title_italic(e),
        sentence(join([first_of(e.optional_field("howpublished"), e.optional_value("site")),
                       _container_date(e)], ", ")),
    ]


def _link(e: Entry) -> Rich:
    if not e.has("url"):
        return EMPTY
    url = e.raw("url")  # the link keeps the exact address; the text shows its readable form
    return sentence(href(url, isolated(plain(readable_url(url)))))


MIDDLES = {"online": _online, "article": _article, "book": _book, "incollection": _incollection,
           "report": _report, "misc": _misc}


def format_entry(entry, computed: dict) -> Rich:
    """One reference-list entry (a works.BibEntry): Creators. Year. <what the type adds>. Note. URL.

    FieldIsMissing names a field the entry needs and lacks."""
    # the fields by lower-case name, as BibTeX finds them (in any case), each look-up in C
    e = Entry({name.lower(): value for name, value in entry.fields.items()}, computed)
    parts = [_creators(e), add_period(e.value("yearlabel"))]
    parts += MIDDLES[entry.type.lower()](e)
    parts += [sentence(e.optional_field("note")), _link(e)]
    return join(parts, " ")
