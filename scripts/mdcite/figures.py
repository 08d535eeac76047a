"""Numbered figures and tables: their labels, their numbers in reading order, and the HTML of a
figure drawn from its data file.

A figure is written with Python-Markdown's ``md_in_html`` as an HTML ``<figure>`` whose caption
and description are Markdown (so they carry citations like any paragraph)::

    <figure markdown="1" id="fig-corridor" data-file="../figures/corridor.geojson" data-kind="map"
            data-title="The corridor" data-alt="Map of …">
    <figcaption markdown="span">What the figure shows [@key].</figcaption>

    A longer text description for readers who cannot see the figure [@key].

    </figure>

A table takes a Pandoc caption line right after it: ``Table: What it compares [@key]. {#tbl-id}``.
``@fig-id`` and ``@tbl-id`` then link to "Figure N" and "Table N" from any page; numbers follow
the reading order of the site (the nav of mkdocs.yml, then the position in the page).
"""

from __future__ import annotations

import posixpath
import re
import xml.etree.ElementTree as etree
from html.parser import HTMLParser
from pathlib import Path

from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

from . import drawing, figuredata
from .errors import Diagnostic, SourceError
from .syntax import code_mask

FIGURE_TAG_RE = re.compile(r"<figure\b", re.IGNORECASE)
FIGURE_END_RE = re.compile(r"</figure\s*>", re.IGNORECASE)
ATTR_NAME_RE = re.compile(r"[^\s\"'>/=<]+")  # what HTML allows as an attribute's name
TABLE_CAPTION_RE = re.compile(r"^Table:\s+(?P<caption>.*?)\s*\{#(?P<id>tbl-[^\s}]*)\}\s*$")
TRAILING_LABEL_RE = re.compile(r"\s*\{#(?P<id>tbl-[^\s}]*)\}\s*$")
REQUIRED = {"data-file": "the data file, relative to the page, as in ../figures/name.csv",
            "data-kind": f"how to draw it: one of {', '.join(drawing.KINDS)}",
            "data-title": "a short title, used by @fig- cross-references",
            "data-alt": "alt text: one sentence saying what the figure shows"}
NAMES = {"fig": "Figure", "tbl": "Table"}
BRACKETED_CITATION_RE = re.compile(r"\[[^\[\]]*@[^\[\]]*\]")  # dropped from a table's title


class _TagRead(Exception):
    """Raised by ``_StartTag`` once the start tag is read, so the rest of the page is not parsed."""


class _StartTag(HTMLParser):
    """Reads the one start tag at the head of the text it is fed, with the standard library's HTML
    parser: the parser Python-Markdown's ``md_in_html`` reads the same tag with, so a ``>`` or a
    quote inside a quoted value (likely in alt text) is read as both read it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.attrs: list[tuple[str, str | None]] | None = None
        self.raw = ""

    def handle_starttag(self, tag, attrs):
        self.attrs, self.raw = attrs, self.get_starttag_text() or ""
        raise _TagRead

    handle_startendtag = handle_starttag


def start_tag(text: str, start: int = 0) -> tuple[dict[str, str], int, str] | None:
    """The attributes of the start tag at ``text[start]`` (names in lower case, values with their
    character references read, the first of a repeated name kept, as HTML keeps it), where the tag
    ends, and the problem with it ("" if none); None when the tag never ends (a quote left open,
    or no ``>``)."""
    parser = _StartTag()
    try:
        parser.feed(text[start:])
    except _TagRead:
        pass
    if parser.attrs is None:
        return None
    attrs: dict[str, str] = {}
    problem = ""
    for name, value in parser.attrs:
        if not ATTR_NAME_RE.fullmatch(name) and not problem:
            problem = f"has {name!r} where an attribute should be"
        attrs.setdefault(name, value or "")
    return attrs, start + len(parser.raw), problem


def collect(page) -> list[tuple[int, int, str, dict]]:
    """The page's figure and table labels as (line, column, title, attributes), as headings are
    recorded; problems with a figure's markup go to the page's diagnostics."""
    if "<figure" not in page.body and "Table:" not in page.body:
        return []
    lines = page.body.split("\n")
    masked = code_mask(lines, link_targets=False, code=page.code)
    found = []
    text = "\n".join(masked)
    starts = [0]
    for line in masked:
        starts.append(starts[-1] + len(line) + 1)
    for m in FIGURE_TAG_RE.finditer(text):
        line = next(n for n, start in enumerate(starts) if start > m.start())
        col = m.start() - starts[line - 1] + 1
        where = (page.shown, line + page.offset, col)
        tag = start_tag(page.body, m.start())  # as written (masking keeps every offset): code in a value too
        if tag is None or tag[2]:
            why = f"{tag[2]}; " if tag else "never ends; "
            page.diagnostics.append(Diagnostic(*where, f"this <figure> start tag {why}close each quoted value "
                                               "with the quote it opens with and end the tag with '>'"))
            continue
        attrs, tag_end, _ = tag
        label_id = attrs.get("id", "")
        if not label_id.startswith("fig-"):
            continue
        end = FIGURE_END_RE.search(text, tag_end)
        inside = text[tag_end: end.start() if end else len(text)]
        for name, what in REQUIRED.items():
            if not attrs.get(name):
                page.diagnostics.append(Diagnostic(*where, f"figure '{label_id}' has no {name}; give {what}"))
        if attrs.get("data-kind") and attrs["data-kind"] not in drawing.KINDS:
            page.diagnostics.append(Diagnostic(*where, f"figure '{label_id}' has data-kind "
                                               f"'{attrs['data-kind']}'; use one of {', '.join(drawing.KINDS)}"))
        if "<figcaption" not in inside:
            page.diagnostics.append(Diagnostic(*where, f"figure '{label_id}' has no <figcaption markdown=\"span\">; "
                                               "write a caption that cites the figure's sources"))
        elif not cites_between(page, where[1], where[1] + inside.split("</figcaption>", 1)[0].count("\n")):
            page.diagnostics.append(Diagnostic(*where, f"the caption of figure '{label_id}' cites no source; "
                                               "add [@key] for the works the figure draws on"))
        found.append((line + page.offset, col, attrs.get("data-title", label_id),
                      attrs | {"kind": "figure"}))
    for n, line_text in enumerate(masked, start=1):
        if not line_text.startswith("Table:"):
            continue
        m = TABLE_CAPTION_RE.match(lines[n - 1])
        if m:
            title = BRACKETED_CITATION_RE.sub("", m.group("caption")).strip().rstrip(".").strip()
            found.append((n + page.offset, 1, title, {"id": m.group("id"), "kind": "table"}))
    return found


def cites_between(page, first: int, last: int) -> bool:
    """Whether the engine's reader found a citation of a work on these lines of the page."""
    return any(t.kind != "crossref" and not t.problem and first <= t.line <= last for t in page.tokens)


def reading_order(nav: list[str], srcs) -> list[str]:
    """Pages in the order a reader meets them: the nav first, then the rest alphabetically."""
    listed = [s for s in nav if s in set(srcs)]
    return listed + sorted(set(srcs) - set(listed))


def number(labels: dict, order: list[str]) -> None:
    """Give every figure and table label its number ("3") in reading order, each kind apart."""
    rank = {src: i for i, src in enumerate(order)}
    for prefix in NAMES:
        mine = [label for label in labels.values() if label.id.startswith(prefix + "-")]
        mine.sort(key=lambda label: (rank.get(label.page.src, len(rank)), label.line, label.col))
        for n, label in enumerate(mine, start=1):
            label.attrs["number"] = str(n)


def reference_text(label) -> tuple[str, str]:
    """(link text, hover title) of ``@fig-id`` or ``@tbl-id``: "Figure 3", "Figure 3: Title"."""
    name = f"{NAMES[label.id[:3]]} {label.attrs.get('number', '?')}"
    return name, f"{name}: {label.title} ({label.page.title})"


SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")  # http:, file:, or a drive letter (C:)


def data_path(page, docs_dir: Path, link: str) -> tuple[Path, str] | None:
    """The data file a figure names (relative to its page), and that path as the source writes it;
    None when the name leads out of docs/ (absolute, an address, too many '../', or a symbolic
    link out of it): the file is read into the page and published beside it, so it must be ours."""
    if not link or link.startswith("/") or "\\" in link or SCHEME_RE.match(link):
        return None
    src = posixpath.normpath(posixpath.join(posixpath.dirname(page.src or ""), link))
    if src == ".." or src.startswith("../"):
        return None
    path = docs_dir / src
    if not path.resolve().is_relative_to(docs_dir.resolve()):
        return None
    return path, src


def outside_problem(label, docs_dir: Path) -> Diagnostic:
    return Diagnostic(label.page.shown, label.line, label.col,
                      f"figure '{label.id}' names data file '{label.attrs['data-file']}', which is outside "
                      f"{docs_dir.name}/; keep figure data in {docs_dir.name}/ and name it relative to the page, "
                      "as in ../figures/name.csv")


def check(idx) -> list[Diagnostic]:
    """``mdcite check``: every figure's data file, and the data package of each data folder."""
    problems: list[Diagnostic] = []
    # Keys of broken entries count as known (their entry's error covers them); with no readable
    # bibliography at all, keys are not checked (lint says so once).
    keys = set(idx.bib.references) | idx.bib.broken if idx.bib else None
    folders = set()
    for label in idx.labels.values():
        if label.attrs.get("kind") != "figure" or not label.attrs.get("data-file"):
            continue
        named = data_path(label.page, idx.docs_dir, label.attrs["data-file"])
        if named is None:
            problems.append(outside_problem(label, idx.docs_dir))
            continue
        path, src = named
        if not path.exists():
            problems.append(Diagnostic(label.page.shown, label.line, label.col,
                                       f"figure '{label.id}' names data file '{label.attrs['data-file']}', "
                                       "which does not exist"))
            continue
        folders.add(path.parent)
        table, found = figuredata.read(path, f"{idx.docs_dir.name}/{src}")
        if table is not None and not found and label.attrs.get("data-kind") in drawing.KINDS:
            problems.extend(figuredata.check_kind(table, label.attrs["data-kind"]))
    for folder in sorted(folders):
        shown = f"{idx.docs_dir.name}/{folder.relative_to(idx.docs_dir).as_posix()}"
        problems.extend(figuredata.check_folder(folder, shown, keys))
    return problems


class FigureTree(Treeprocessor):
    """Number tables, and turn each ``<figure id="fig-…">`` into the drawn, described figure."""

    def __init__(self, md, ext):
        super().__init__(md)
        self.ext = ext

    def run(self, root):
        page = self.ext.state.page
        if page is None or ("<figure" not in page.body and "Table:" not in page.body):
            return
        parents = {child: parent for parent in root.iter() for child in parent}
        for figure in [el for el in root.iter("figure") if (el.get("id") or "").startswith("fig-")]:
            self.finish_figure(figure)
        for table in [el for el in root.iter("table")]:
            parent = parents.get(table, root)
            siblings = list(parent)
            following = siblings[siblings.index(table) + 1] if table in siblings[:-1] else None
            if following is not None and following.tag == "p" and (following.text or "").startswith("Table:"):
                self.caption_table(table, following, parent)

    # -- tables ---------------------------------------------------------------------------------------
    def caption_table(self, table, paragraph, parent) -> None:
        last = paragraph[-1] if len(paragraph) else None
        tail = (last.tail if last is not None else paragraph.text) or ""
        m = TRAILING_LABEL_RE.search(tail)
        if not m:
            return
        label = self.ext.state.index.labels.get(m.group("id"))
        if last is not None:
            last.tail = tail[: m.start()]
        else:
            paragraph.text = tail[: m.start()]
        caption = etree.Element("caption")
        number = etree.SubElement(caption, "span", {"class": "caption-number"})
        number.text = f"Table {label.attrs.get('number', '?') if label else '?'}."
        number.tail = " " + paragraph.text[len("Table:"):].lstrip()
        for child in list(paragraph):
            caption.append(child)
        table.insert(0, caption)
        table.set("id", m.group("id"))
        parent.remove(paragraph)

    # -- figures --------------------------------------------------------------------------------------
    def finish_figure(self, figure) -> None:
        ext = self.ext
        idx, page = ext.state.index, ext.state.page
        fig_id = figure.get("id")
        label = idx.labels.get(fig_id)
        attrs = {k: figure.get(k, "") for k in REQUIRED}
        named = data_path(page, idx.docs_dir, attrs["data-file"])
        if named is None:  # `mdcite check` reports it too; a bare `mkdocs build` stops here
            raise SourceError([outside_problem(label, idx.docs_dir)])
        path, src = named
        table, problems = figuredata.read(path, f"{idx.docs_dir.name}/{src}")
        if table is not None and not problems:
            keys = idx.bib.references if idx.bib else {}
            problems = figuredata.check_kind(table, attrs["data-kind"]) + figuredata.source_problems(table, keys)
        if table is None or problems:
            raise SourceError(problems)
        svg = drawing.svg_for(attrs["data-kind"], table, idx.root, fig_id)
        for name in REQUIRED:
            figure.attrib.pop(name, None)
        figure.set("class", f"data-figure data-figure-{attrs['data-kind']}")
        caption = figure.find("figcaption")
        rest = [child for child in figure if child is not caption]
        for child in list(figure):
            figure.remove(child)
        if caption is None:
            caption = etree.Element("figcaption")
        number = etree.Element("span", {"class": "caption-number"})
        number.text = f"Figure {label.attrs.get('number', '?') if label else '?'}."
        title = etree.Element("span", {"class": "caption-title"})
        title.text = attrs["data-title"].rstrip(".") + "."
        title.tail = " " + (caption.text or "")
        number.tail = " "
        caption.text = None
        caption.insert(0, title)
        caption.insert(0, number)
        figure.append(caption)
        graphic = etree.SubElement(figure, "div", {"class": "figure-graphic", "role": "img",
                                                   "aria-label": attrs["data-alt"],
                                                   "aria-describedby": f"{fig_id}-description"})
        graphic.text = self.md.htmlStash.store(svg)
        description = etree.SubElement(figure, "div", {"class": "figure-description",
                                                       "id": f"{fig_id}-description"})
        for child in rest:
            description.append(child)
        figure.append(self.data_block(table, attrs["data-kind"], fig_id))
        figure.append(self.download(attrs["data-file"], table))

    def data_block(self, table: figuredata.Table, kind: str, fig_id: str) -> etree.Element:
        """The data as a table: the accessible fallback of a chart, and what a map marks."""
        opened = {"open": ""} if kind != "map" else {}
        details = etree.Element("details", {"class": "figure-data"} | opened)
        summary = etree.SubElement(details, "summary")
        summary.text = f"Data table ({len(table.rows)} rows)"
        columns = [c for c in table.columns if c not in figuredata.HIDDEN_COLUMNS]
        if table.is_geojson:
            columns = [c for c in ("name", "kind") if c in columns] + ["coordinates", figuredata.SOURCES_COLUMN]
        wrap = etree.SubElement(details, "div", {"class": "figure-data-table"})
        grid = etree.SubElement(wrap, "table")
        head = etree.SubElement(etree.SubElement(grid, "thead"), "tr")
        for column in columns:
            cell = etree.SubElement(head, "th", {"scope": "col"})
            cell.text = column.replace("_", " ").capitalize()
        body = etree.SubElement(grid, "tbody")
        for n, row in enumerate(table.rows):
            tr = etree.SubElement(body, "tr")
            for column in columns:
                cell = etree.SubElement(tr, "td")
                if column == figuredata.SOURCES_COLUMN:
                    keys = figuredata.row_keys(row) if table.is_geojson else figuredata.split_keys(row.get(column, ""))
                    cell.text = self.citations(keys)
                elif column == "coordinates":
                    cell.text = AtomicString(coordinates_text(table.features[n]["geometry"]))
                elif column == "value" and row.get("bound"):  # a bound never reads as a plain value
                    cell.text = AtomicString(f"{row['bound']} {row[column]}")
                else:
                    cell.text = AtomicString(row.get(column, ""))
        return details

    def citations(self, keys: list[str]) -> str:
        """In-text citations for a row's sources (they join the page's reference list)."""
        bib = self.ext.state.index.bib
        links = []
        for key in keys:
            if bib is None or key not in bib:
                continue
            self.ext.note_cited(key)
            ref = bib[key]
            links.append(self.ext.citation_link(ref, ref.cite_label(False)))
        return self.md.htmlStash.store("; ".join(links))

    def download(self, link: str, table: figuredata.Table) -> etree.Element:
        """A link to the data file, which the generator rewrites for the page's address."""
        p = etree.Element("p", {"class": "figure-download"})
        a = etree.SubElement(p, "a", {"href": link, "download": ""})
        size = table.path.stat().st_size
        a.text = f"Download the data ({table.path.suffix}, {max(1, round(size / 1024))} kB)"
        licence = figuredata.licence_of(table.path)
        a.tail = f"; licence: {licence}. Sources are named in each row." if licence else "."
        return p


def coordinates_text(geometry: dict) -> str:
    if geometry["type"] == "Point":
        lon, lat = geometry["coordinates"][:2]
        return f"{abs(lat):.2f}°{'N' if lat >= 0 else 'S'}, {abs(lon):.2f}°{'E' if lon >= 0 else 'W'}"
    parts = drawing.rings(geometry)
    first, last = parts[0][0], parts[-1][-1]
    points = sum(len(p) for p in parts)
    return f"from {coordinates_text(point(first))} to {coordinates_text(point(last))} ({points} points)"


def point(coordinates: list[float]) -> dict:
    return {"type": "Point", "coordinates": coordinates}

