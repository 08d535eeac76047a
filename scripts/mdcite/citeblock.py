""""Cite this page" and "Cite this section": every citation of the site's own pages, made once, at
build time, by one formatter that escapes each format by its own rules.

A page's or a section's title is text as the reader sees it; it reaches each format through that
format's escaping (HTML text, BibTeX specials, one RIS line, a JSON string) and never as markup.
The browser (assets/cite-block.js) only fills in the reader's access date and an edition's address
and date, as text, into the slots left for them here, puts a section's own title and key (each
already written by its format's rules, here) into the page's edition formats, adds the Copy
buttons, and copies what was built.

Each block is finished HTML: the page's block closes the page (after its reference list), and each
``sec-`` heading of level 2 or 3 is followed by its section's block. A section's block holds its
living formats, complete without scripts; the edition formats, which only a script can date, are
written once, in the page's block. The page's date (its last change in git, ``pagedates``) opens
the page as a comment that the theme's template reads into the head's metadata
(``<!--mdcite-updated YYYY-MM-DD-->``, always the first 32 characters).
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import json
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass
from pathlib import Path

from markdown.extensions.toc import render_inner_html, strip_tags
from markdown.postprocessors import Postprocessor
from markdown.treeprocessors import Treeprocessor

from . import config

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
# What opens every rendered page: its date, for the template (a comment, shown to nobody).
DATE_MARK = "<!--mdcite-updated "
DATE_MARK_END = "-->"
# The headings that offer a citation of their section.
SECTION_TAGS = ("h2", "h3")
FORMAT_NAMES = {"chicago": "Chicago (author-date)", "apa": "APA (7th edition)", "bibtex": "BibTeX",
                "ris": "RIS", "csl": "CSL-JSON"}
PRE_FORMATS = ("bibtex", "ris", "csl")  # written as preformatted text, line by line
# What makes a heading's text more than plain words: what the serialiser escapes, a placeholder.
_MARKUP_RE = re.compile("[&<>\x02\x03]")


# -- what is cited -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Site:
    """The publication every page belongs to (from mkdocs.yml)."""

    name: str
    url: str  # absolute, ending in "/"
    author: str  # a group author, written as one name
    version: str
    key_prefix: str  # of each BibTeX key and CSL id: "<prefix>-themes-energy"
    language: str = "en"


@dataclass(frozen=True)
class Citable:
    """A page or one of its sections: what a citation of it names."""

    title: str  # plain text, as the reader sees it ("Energy: Gas and oil")
    url: str  # absolute, with "#sec-…" for a section
    key: str  # BibTeX key and CSL id
    updated: dt.date  # the page's last change
    fragment: str = ""  # the section's id, "" for the page


def read_site(root: Path, config_file: str = "mkdocs.yml") -> Site:
    """The site's name, address, authors and version, as the build at hand sees them (SITE_URL
    included: an edition is built for its own address)."""
    _, data = config.read(Path(root), config_file)
    extra = data.get("extra") or {}
    cite = extra.get("citation") or {}
    url = str(data.get("site_url") or "/")
    theme = data.get("theme") or {}
    return Site(name=str(data.get("site_name") or ""), url=url if url.endswith("/") else url + "/",
                author=str(cite.get("author") or data.get("site_author") or ""),
                version=str(extra.get("version") or ""), key_prefix=str(cite.get("key_prefix") or "site"),
                language=str((theme.get("language") if isinstance(theme, dict) else None) or "en"))


def page_key(site: Site, url: str) -> str:
    """``guide-themes-energy`` for ``themes/energy/`` (key prefix ``guide``); ``guide-home`` for the home page."""
    stem = re.sub(r"\.html$", "", url).strip("/").replace("/", "-")
    return f"{site.key_prefix}-{stem or 'home'}"


def plain_title(text: str) -> str:
    """A title as the reader sees it: tags dropped, entities decoded, spaces collapsed (what the
    template's ``striptags`` gives for the head's metadata)."""
    return " ".join(html.unescape(strip_tags(text)).split())


# -- each format's escaping -----------------------------------------------------------------------

BIBTEX_SPECIALS = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                   "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
BIBTEX_RE = re.compile(r"[\\&%$#_~^{}]")


def bibtex_text(text: str) -> str:
    """Text as a BibTeX value: each LaTeX special escaped. Braces become ``\\{`` ``\\}`` when they
    pair up; an unpaired one is written as a command, since BibTeX counts every brace."""
    if not BIBTEX_RE.search(text):  # most titles: nothing to escape
        return text
    paired = _braces_pair(text)

    def one(m: re.Match) -> str:
        char = m.group(0)
        if char in "{}":
            return "\\" + char if paired else (r"\textbraceleft{}" if char == "{" else r"\textbraceright{}")
        return BIBTEX_SPECIALS[char]

    return BIBTEX_RE.sub(one, text)


def _braces_pair(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def ris_text(text: str) -> str:
    """Text as one RIS value: a tag's value is one line, so line breaks and controls become spaces."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


# -- the formats, as text with slots -------------------------------------------------------------

@dataclass(frozen=True)
class Slot:
    """Text the browser fills in: the reader's access date, or an edition's address, date, label,
    tag or folder name (``name``), a date written in ``style``."""

    name: str
    style: str = ""
    placeholder: str = ""


@dataclass(frozen=True)
class Em:
    """Text in italics (a site's name)."""

    text: str


@dataclass(frozen=True)
class Part:
    """What one citation says of its own work: the title or the key (``name``), already written by
    the format's rules (``text``). Marked in the HTML (``data-part``): the page's edition formats,
    written once, become a section's when the browser puts in the text of the section's own parts,
    taken from the same format of the section's block."""

    name: str
    text: str
    em: bool = False  # in italics (APA's title)


Piece = str | Slot | Em | Part
ACCESSED = {style: Slot("accessed", style, "[date accessed]") for style in ("dmy", "mdy", "iso", "ris")}


def _ymd(day: dt.date) -> tuple[str, str, str]:
    return str(day.year), MONTHS[day.month - 1], str(day.day)


def _titles(work: Citable) -> dict[str, Part]:
    """The work's title as each format writes it."""
    title = work.title
    return {"chicago": Part("title", title), "apa": Part("title", title, em=True),
            "bibtex": Part("title", bibtex_text(title)), "ris": Part("title", ris_text(title)),
            "csl": Part("title", _json_string(title))}


def living_formats(site: Site, work: Citable) -> dict[str, list[Piece]]:
    """The living version of a page or section in each format: dated by its last change, with the
    reader's access date to fill in."""
    year, month, day = _ymd(work.updated)
    iso = work.updated.isoformat()
    title = _titles(work)
    csl = {"id": _SLOT_KEY, "type": "webpage", "title": _SLOT_TITLE, "container-title": site.name,
           "author": [{"literal": site.author}], "issued": {"date-parts": [[work.updated.year, work.updated.month,
                                                                            work.updated.day]]},
           "version": site.version, "URL": work.url, "language": site.language, "accessed": {"raw": _SLOT}}
    return {
        "chicago": [f"{site.author}. {year}. “", title["chicago"], ".” ", Em(site.name),
                    f", version {site.version}. Last modified {day} {month} {year}. Accessed ",
                    ACCESSED["dmy"], f". {work.url}."],
        "apa": [f"{site.author}. ({year}, {month} {day}). ", title["apa"],
                f". {site.name} (Version {site.version}). Retrieved ", ACCESSED["mdy"], f", from {work.url}"],
        "bibtex": ["@online{", Part("key", work.key), ",\n"
                   f"  author       = {{{{{bibtex_text(site.author)}}}}},\n"
                   "  title        = {", title["bibtex"], "},\n"
                   f"  organization = {{{bibtex_text(site.name)}}},\n"
                   f"  version      = {{{bibtex_text(site.version)}}},\n"
                   f"  date         = {{{iso}}},\n"
                   "  urldate      = {", ACCESSED["iso"], "},\n"
                   f"  url          = {{{work.url}}},\n"
                   f"  langid       = {{{_langid(site.language)}}},\n}}"],
        "ris": [f"TY  - ELEC\nAU  - {ris_text(site.author)}\nTI  - ", title["ris"],
                f"\nT2  - {ris_text(site.name)}\nPY  - {year}\nDA  - {iso.replace('-', '/')}\n"
                f"ET  - {ris_text(site.version)}\nY2  - ", ACCESSED["ris"],
                f"\nUR  - {ris_text(work.url)}\nLA  - {site.language}\nER  - "],
        "csl": _json_pieces(csl, {_SLOT: ACCESSED["iso"], _SLOT_TITLE: title["csl"],
                                  _SLOT_KEY: Part("key", _json_string(work.key))}),
    }


def edition_formats(site: Site, page: Citable) -> dict[str, list[Piece]]:
    """A dated edition of a page, with the edition's address, date, label ("December 2026"), tag
    and folder left as slots: publish.py names the edition in the living page, and the browser
    fills them in from there (assets/cite-block.js). Written once per page: a section's edition
    formats are these with the section's own parts (title, key) and its anchor's address."""
    url, year, date = Slot("url"), Slot("date", "year"), Slot("date", "iso")
    title = _titles(page)
    csl = {"id": _SLOT_KEY, "type": "webpage", "title": _SLOT_TITLE, "container-title": site.name,
           "author": [{"literal": site.author}], "issued": {"date-parts": [[_SLOT_PARTS]]},
           "version": _SLOT_TAG, "URL": _SLOT_URL, "language": site.language}
    return {
        "chicago": [f"{site.author}. ", year, ". “", title["chicago"], ".” ", Em(site.name), ", ", Slot("label"),
                    " edition (", Slot("version"), "). Published ", Slot("date", "dmy"), ". ", url, "."],
        "apa": [f"{site.author}. (", year, ", ", Slot("date", "md"), "). ", title["apa"], f". {site.name} (",
                Slot("label"), " edition). ", url],
        "bibtex": ["@online{", Part("key", page.key), "-", Slot("edition"), ",\n"
                   f"  author       = {{{{{bibtex_text(site.author)}}}}},\n"
                   "  title        = {", title["bibtex"], "},\n"
                   f"  organization = {{{bibtex_text(site.name)}}},\n"
                   "  version      = {", Slot("version"), "},\n"
                   "  date         = {", date, "},\n"
                   "  url          = {", url, "},\n"
                   f"  langid       = {{{_langid(site.language)}}},\n}}"],
        "ris": [f"TY  - ELEC\nAU  - {ris_text(site.author)}\nTI  - ", title["ris"],
                f"\nT2  - {ris_text(site.name)}\nPY  - ", year, "\nDA  - ", Slot("date", "ris"), "\nET  - ",
                Slot("version"), "\nUR  - ", url, f"\nLA  - {site.language}\nER  - "],
        "csl": _json_pieces(csl, {_SLOT_KEY: [Part("key", _json_string(page.key)), "-", Slot("edition")],
                                  _SLOT_TITLE: title["csl"], _SLOT_PARTS: Slot("date", "parts"),
                                  _SLOT_TAG: Slot("version"), _SLOT_URL: url}),
    }


# Stand-ins for slots and parts while the CSL-JSON item is written by json.dumps (which escapes the rest).
_SLOT, _SLOT_KEY, _SLOT_TAG, _SLOT_URL = "\ue000accessed\ue000", "\ue000key\ue000", "\ue000tag\ue000", "\ue000url\ue000"
_SLOT_PARTS, _SLOT_TITLE = "\ue000parts\ue000", "\ue000title\ue000"
_SLOT_RE = re.compile('"(\ue000[a-z]+\ue000)"')


def _json_string(text: str) -> str:
    """Text as the inside of a JSON string (its quotes are the format's own)."""
    return json.dumps(text, ensure_ascii=False)[1:-1]


def _json_pieces(item: dict, slots: dict) -> list[Piece]:
    """A CSL-JSON item (a one-item array, as Zotero and Pandoc read it) with slots in it. A slot that
    stands for a string keeps the string's quotes; the date's numbers stand bare."""
    fields = ",\n".join(f"    {json.dumps(name)}: {json.dumps(value, ensure_ascii=False)}" for name, value in item.items())
    text = f"[\n  {{\n{fields}\n  }}\n]"
    pieces: list[Piece] = []
    last = 0
    for m in _SLOT_RE.finditer(text):
        fill = slots[m.group(1)]
        fill = fill if isinstance(fill, list) else [fill]
        quote = "" if m.group(1) == _SLOT_PARTS else '"'
        pieces += [text[last:m.start()] + quote, *fill, quote]
        last = m.end()
    pieces.append(text[last:])
    return [p for p in pieces if p != ""]


def _langid(language: str) -> str:
    return {"en": "english", "fr": "french", "de": "german", "ru": "russian", "fa": "farsi"}.get(language, language)


def parts_of(pieces: list[Piece]) -> dict[str, str]:
    """A format's own parts (title, key), by name, as written in that format."""
    return {piece.name: piece.text for piece in pieces if isinstance(piece, Part)}


def as_text(pieces: list[Piece], fill: dict[str, str] | None = None, parts: dict[str, str] | None = None) -> str:
    """The text a reader copies, with the slots filled (``fill`` by slot name and style, as
    ``accessed:iso``; the placeholder otherwise) and, as the browser does for a section, the
    parts given in ``parts`` (by name) put in place of the page's."""
    fill, parts = fill or {}, parts or {}
    out = []
    for piece in pieces:
        if isinstance(piece, Slot):
            out.append(fill.get(f"{piece.name}:{piece.style}", fill.get(piece.name, piece.placeholder)))
        elif isinstance(piece, Part):
            out.append(parts.get(piece.name, piece.text))
        else:
            out.append(piece.text if isinstance(piece, Em) else piece)
    return "".join(out)


def as_html(pieces: list[Piece]) -> str:
    """The pieces as HTML: text escaped, slots as the spans that the browser fills in, parts marked."""
    out = []
    for piece in pieces:
        if isinstance(piece, Em):
            out.append(f"<em>{html.escape(piece.text, quote=False)}</em>")
        elif isinstance(piece, Part):
            tag = "em" if piece.em else "span"
            out.append(f'<{tag} data-part="{piece.name}">{html.escape(piece.text, quote=False)}</{tag}>')
        elif isinstance(piece, Slot) and piece.name == "accessed":
            out.append(f'<span class="cite-accessed" data-style="{piece.style}">{html.escape(piece.placeholder)}</span>')
        elif isinstance(piece, Slot):
            out.append(f'<span class="cite-slot" data-slot="{piece.name}" data-style="{piece.style}"></span>')
        else:
            out.append(html.escape(piece, quote=False))
    return "".join(out)


def formats_html(formats: dict[str, list[Piece]], classes: str = "cite-formats") -> str:
    """A ``<dl>`` of the formats. Their Copy buttons are the browser's (assets/cite-block.js): a
    button that cannot copy without a script is not shown without one."""
    items = []
    for name, pieces in formats.items():
        tag = "pre" if name in PRE_FORMATS else "span"
        items.append(f"<dt>{FORMAT_NAMES[name]}</dt>\n"
                     f'<dd><{tag} class="cite-text" data-format="{name}">{as_html(pieces)}</{tag}></dd>')
    return f'<dl class="{classes}">\n' + "\n".join(items) + "\n</dl>"


def block_html(site: Site, work: Citable, help_url: str = "") -> str:
    """The whole block of a page (``id="cite-this-page"``) or of a section (class ``cite-section``).

    scripts/publish.py relies on the page block's markup: ``<details class="cite-block"
    id="cite-this-page"`` (its first attributes, in this order), its ``<p class="cite-version">``
    (rewritten in an edition), and the ``<p class="cite-note">`` before which it puts the newest
    edition (``<div class="cite-edition" data-url data-edition data-label data-date data-version
    data-anchors>``). Only the page's block holds the edition formats (a ``<template>``). A
    section's block holds its living formats alone, which is what a reader without scripts can
    use; the browser copies in the page block's wording of the version and, for the newest
    edition, the page's edition formats with the section's own parts."""
    if work.fragment:
        return (f'<details class="cite-block cite-section" data-section="{html.escape(work.fragment)}" '
                'data-search-exclude="">\n<summary>Cite this section</summary>\n'
                f"{formats_html(living_formats(site, work))}\n</details>")
    iso = work.updated.isoformat()
    template = (f'<template class="cite-edition-template">'
                f'{formats_html(edition_formats(site, work), "cite-formats cite-edition-formats")}</template>')
    note = ('<p class="cite-note">Each section heading also offers a citation of that section (its link '
            "ends in the section's <code>#sec-…</code> anchor)."
            + (f' See <a href="{html.escape(help_url)}">How to cite</a>.' if help_url else "") + "</p>")
    return (f'<details class="cite-block" id="cite-this-page" data-url="{html.escape(work.url)}" '
            f'data-key="{html.escape(work.key)}" data-updated="{iso}" data-search-exclude="">\n'
            "<summary>Cite this page</summary>\n"
            '<p class="cite-version"><strong>Cite the living version</strong> (it changes as the site is '
            f"edited):</p>\n{formats_html(living_formats(site, work))}\n{template}\n{note}\n</details>")


# -- each block written once per site, date and kind, for speed ------------------------------------

# Stand-ins for a work's own values while a block is written once: each holds characters that the
# formats' escapings treat differently (a quote, a line break, an ampersand, an apostrophe), so
# that each escaping leaves its own trace of it in the block, and the trace says which escaping
# fills that place with the real value.
_PROBES = {field: f"\u27e6mdcite-{field}\"\n&'\u27e7" for field in ("title", "url", "key", "fragment")}
_ESCAPES = {
    "text": lambda value: html.escape(value, quote=False),
    "bibtex": lambda value: html.escape(bibtex_text(value), quote=False),
    "ris": lambda value: html.escape(ris_text(value), quote=False),
    "json": lambda value: html.escape(_json_string(value), quote=False),
    "attribute": html.escape,
}
_TRACES = {escape(probe): (field, name) for field, probe in _PROBES.items() for name, escape in _ESCAPES.items()}
_TRACE_RE = re.compile("|".join(re.escape(trace) for trace in _TRACES))


@functools.lru_cache(maxsize=512)
def _block_skeleton(site: Site, updated: dt.date, help_url: str, section: bool) -> tuple[tuple[str, ...], tuple]:
    """``block_html`` of a stand-in work: the text that is the same for every page (or section)
    of this site, dated this day, and the places of the work's title, address, key and section
    id, each with its escaping. Keyed by everything else the block is made of, so a changed
    mkdocs.yml (a new Site) or page date is a new key: nothing stale survives a rebuild."""
    probe = Citable(_PROBES["title"], _PROBES["url"], _PROBES["key"], updated, _PROBES["fragment"] if section else "")
    text = block_html(site, probe, help_url)
    fixed, holes, last = [], [], 0
    for m in _TRACE_RE.finditer(text):
        fixed.append(text[last:m.start()])
        holes.append(_TRACES[m.group(0)])
        last = m.end()
    fixed.append(text[last:])
    if any("\u27e6mdcite-" in part for part in fixed):  # a format escapes a value in a new way
        raise AssertionError("block_html writes a work's value with an escaping that _ESCAPES lacks")
    return tuple(fixed), tuple(holes)


def filled_block_html(site: Site, work: Citable, help_url: str = "") -> str:
    """What ``block_html`` gives, from the block's skeleton (written once per site, date and
    kind of block) with this work's values put in: the build writes hundreds of blocks that
    differ only there."""
    fixed, holes = _block_skeleton(site, work.updated, help_url, bool(work.fragment))
    values = {"title": work.title, "url": work.url, "key": work.key, "fragment": work.fragment}
    written: dict[tuple[str, str], str] = {}  # each value escaped once, though written in several places
    out = [fixed[0]]
    for hole, after in zip(holes, fixed[1:], strict=True):
        if hole not in written:
            written[hole] = _ESCAPES[hole[1]](values[hole[0]])
        out += (written[hole], after)
    return "".join(out)


# -- in the Markdown pipeline ---------------------------------------------------------------------

class CiteBlocks(Treeprocessor):
    """Close the page with its "Cite this page" block and follow each ``sec-`` heading (levels 2
    and 3) with its "Cite this section" block. Runs after the reference list is added (7) and
    before the table of contents (5) gives the headings their permanent links."""

    def __init__(self, md, ext, markers: tuple[str, str] = ("", "")):
        super().__init__(md)
        self.ext = ext
        self.markers = markers  # the comment markers of list_in_comment, which the template takes off

    def run(self, root):
        ext = self.ext
        page, idx = ext.state.page, ext.state.index
        ext.state.updated = None
        if page is None or not page.src or idx is None:
            return
        updated = idx.page_date(page)
        ext.state.updated = updated
        if page.meta.get("no_cite_block"):
            return
        site = ext.site()
        url = site.url + page.url
        key = page_key(site, page.url)
        meta_title = page.meta.get("title")
        first = root[0] if len(root) else None
        if meta_title:
            title = plain_title(str(meta_title))
        elif first is not None and first.tag == "h1":
            title = self.text_of(first)  # as MkDocs takes the title: the H1 that opens the page
        else:
            title = plain_title(page.title)
        guide = idx.pages.get(ext.getConfig("cite_help_page") or "")
        help_url = ext.url(guide) if guide is not None else ""
        in_comment = bool(ext.getConfig("list_in_comment"))
        # The walks of the whole tree happen only on a page whose text labels a section.
        parents = {child: parent for parent in root.iter() for child in parent} if "sec-" in page.body else {}
        for heading in [el for el in parents if el.tag in SECTION_TAGS and (el.get("id") or "").startswith("sec-")]:
            fragment = heading.get("id")
            work = Citable(f"{title}: {self.text_of(heading)}", f"{url}#{fragment}", f"{key}-{fragment}",
                           updated, fragment)
            parent = parents.get(heading, root)
            parent.insert(list(parent).index(heading) + 1, self.stored(filled_block_html(site, work), in_comment))
        root.append(self.stored(filled_block_html(site, Citable(title, url, key, updated), help_url), in_comment))

    def text_of(self, heading) -> str:
        """A heading's text as the reader sees it, whatever inline markup or entities it holds."""
        text = heading.text or ""
        if not len(heading) and not _MARKUP_RE.search(text):
            # Plain words (most headings): rendering them would give them back, since the
            # serialiser escapes only & < > and postprocessors fill in only placeholders
            # (STX…ETX); skipping it saves a serialisation and every postprocessor (speed).
            return " ".join(text.split())
        return plain_title(render_inner_html(heading, self.md))

    def stored(self, block: str, in_comment: bool):
        """The block as finished HTML, stored once; inside the comment markers that the theme's
        template takes off when the search plugin is to skip it (list_in_comment)."""
        el = etree.Element("p")
        el.text = self.ext.state.finish(f"{self.markers[0]}{block}{self.markers[1]}" if in_comment else block,
                                        block=True)
        return el


class DateMark(Postprocessor):
    """Open the rendered page with its date, where the theme's template finds it at a fixed place:
    ``page.content[19:29]`` (added last, so that MkDocs still finds a page's title in its first H1)."""

    def __init__(self, md, ext):
        super().__init__(md)
        self.ext = ext

    def run(self, text: str) -> str:
        updated = getattr(self.ext.state, "updated", None)
        if updated is None:
            return text
        return f"{DATE_MARK}{updated.isoformat()}{DATE_MARK_END}\n{text}"
