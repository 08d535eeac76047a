"""One scan of ``docs/``: pages, titles, section and article labels, and every citation.

The index is what a page cannot know about the rest of the site. It is built once per build
(rebuilt only when a source file changes) and shared by every page's rendering.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import hashlib
import json
import os
import posixpath
import re
import time
import weakref
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from . import bibliography as bib_module
from . import blocks, citeblock, figures, pagedates
from . import evidence as evidence_module
from .config import label_kinds, nav_sources
from .config import read as read_config
from .errors import Diagnostic, SourceError, did_you_mean
from .labelkinds import BUILT_IN, LabelKind, invalid_message, kind_of
from .syntax import (
    HEADING_RE,
    TERM_RE,
    Token,
    code_mask,
    fence_mask,
    is_definition_term,
    parse_attrs,
    plain_heading,
    read_lines,
    scan,
)

FRONT_MATTER_RE = re.compile(r"^-{3}[ \t]*\n(.*?\n)(?:\.{3}|-{3})[ \t]*\n", re.DOTALL)
# Declared moves of anchors and pages: a source the index reads with the pages (anchors.py checks
# the published manifest against them; the extension keeps old anchors working).
ALIASES_FILE = "docs/about/anchor-aliases.yml"
MOVED_PAGES = "moved-pages"
# The anchors the site has published, by page URL (anchors.py keeps it; a duplicate id names the
# occurrence that holds the published one).
MANIFEST_FILE = "tests/anchors.json"


@dataclass
class Label:
    """A cross-reference target: a ``{#sec-…}`` heading, a figure, a table, or a label of a family
    that another extension adds (see labelkinds)."""

    id: str
    title: str
    page: PageInfo
    line: int
    col: int
    attrs: dict[str, str] = field(default_factory=dict)


@dataclass
class Section:
    id: str  # "" for the top of the page
    title: str


@dataclass
class Citation:
    key: str
    page: PageInfo
    section: Section
    line: int
    col: int


@dataclass
class PageInfo:
    src: str  # path relative to docs_dir, with "/" separators
    shown: str  # path as a contributor opens it (relative to the project root)
    url: str  # site-relative URL, "" for the home page, "themes/energy/" otherwise
    title: str
    meta: dict
    body: str
    offset: int  # lines taken by the front matter
    tokens: list[Token] = field(default_factory=list)
    headings: list[tuple[int, int, str, dict]] = field(default_factory=list)
    cited: list[str] = field(default_factory=list)  # first-citation order, unique
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # The reader's one reading of the page (its text as read, and its citations), which the
    # extension renders from (syntax.block_start) instead of reading each block again.
    reading: tuple[str, tuple] | None = None
    # Python-Markdown's answer, for each indented line of the body that holds an '@' (0-based),
    # whether it lies in an indented code block (blocks.indented_code): then it is not prose.
    code: dict[int, bool] = field(default_factory=dict)

    @property
    def hash(self) -> str:
        return body_hash(self.body)


def body_hash(body: str) -> str:
    """The hash of a page's text that ignores trailing spaces and line endings."""
    normal = "\n".join(line.rstrip() for line in body.replace("\r\n", "\n").split("\n")).strip()
    return hashlib.sha1(normal.encode("utf-8")).hexdigest()


def split_front_matter(text: str) -> tuple[dict, str, int]:
    """(metadata, body, lines removed), the way MkDocs and Zensical strip YAML front matter."""
    m = FRONT_MATTER_RE.match(text)
    if not m:
        return {}, text, 0
    try:
        meta = yaml.safe_load(m.group(1)) or {}
    except yaml.YAMLError:
        return {}, text, 0
    if not isinstance(meta, dict):
        return {}, text, 0
    rest = text[m.end():]
    stripped = rest.lstrip("\n")
    offset = text.count("\n", 0, m.end()) + (len(rest) - len(stripped))
    return meta, stripped, offset


def page_url(src: str, directory_urls: bool = True) -> str:
    stem = src[:-3] if src.endswith(".md") else src
    if not directory_urls:
        return stem + ".html"
    if stem == "index":
        return ""
    if stem.endswith("/index"):
        return stem[: -len("index")]
    return stem + "/"


@functools.lru_cache(maxsize=4096)
def relative_src(from_src: str, to_src: str) -> str:
    """Relative path from one Markdown source to another, as a contributor would write it.
    (Cached: the bibliography page links back to every citing section of every page.)"""
    return posixpath.relpath(to_src, posixpath.dirname(from_src) or ".")


@functools.lru_cache(maxsize=4096)
def relative_url(from_url: str, to_url: str) -> str:
    """Link from one page URL to another, correct at any depth and under any site sub-path.
    (Cached: the bibliography page links back to every citing section of every page.)"""
    base = posixpath.dirname(from_url) if not from_url.endswith("/") else from_url.rstrip("/")
    target = to_url or "."
    rel = posixpath.relpath(target if target != "." else ".", base or ".")
    if to_url.endswith("/") or to_url == "":
        rel = rel.rstrip("/") + "/"
    if rel == "./":
        rel = "./"
    return rel


@dataclass
class Moves:
    """Anchors and pages declared moved, so old links keep working (read from ALIASES_FILE)."""

    anchors: dict[str, dict[str, str]] = field(default_factory=dict)  # page src → old id → new id
    pages: dict[str, str] = field(default_factory=dict)  # old page src → new page src


def load_moves(root: Path, name: str = ALIASES_FILE, docs_dir: str | Path = "docs") -> Moves:
    """The moves file; a mistake in it is a located error, like one in a page."""
    path = root / name
    if not path.exists():
        return Moves()
    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text) or {}
        tree = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise SourceError([Diagnostic(name, line, col, f"not valid YAML: {exc}")]) from None
    if not isinstance(data, dict):
        raise SourceError([Diagnostic(name, 1, 1, "expected 'page.md: {old-id: new-id}' entries")])
    moves = Moves()
    for key, value in data.items():
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise SourceError([Diagnostic(name, 1, 1, f"'{key}' must map old ids (or pages) to new ones")])
        if key == MOVED_PAGES:
            moves.pages.update({str(k): v for k, v in value.items()})
        else:
            moves.anchors[str(key)] = {str(k): v for k, v in value.items()}
    docs = docs_dir if Path(docs_dir).is_absolute() else root / docs_dir
    problems = moved_page_problems(moves.pages, yaml_places(tree, MOVED_PAGES), Path(docs), name)
    if problems:
        raise SourceError(problems)
    return moves


def yaml_places(tree, section: str) -> dict[tuple[str, str], tuple[int, int]]:
    """Line and column of each key (``("key", k)``) and value (``("value", k)``) under ``section``."""
    places: dict[tuple[str, str], tuple[int, int]] = {}
    for key_node, value_node in getattr(tree, "value", []) if isinstance(tree, yaml.MappingNode) else []:
        if key_node.value != section or not isinstance(value_node, yaml.MappingNode):
            continue
        for k, v in value_node.value:
            places[("key", str(k.value))] = (k.start_mark.line + 1, k.start_mark.column + 1)
            places[("value", str(k.value))] = (v.start_mark.line + 1, v.start_mark.column + 1)
    return places


def page_path_problem(src: str, docs: Path) -> str:
    """Why ``src`` is not a page path inside docs/ ("" when it is): a redirect is written at the old
    page's address and points at the new one, so both must stay inside the site."""
    normal = posixpath.normpath(src) if src else ""
    if (not src.endswith(".md") or src.startswith("/") or "\\" in src or ":" in src or normal != src
            or normal == ".." or normal.startswith("../")
            or not (docs / src).resolve().is_relative_to(docs.resolve())):
        return f"'{src}' is not a page of {docs.name}/; write its path under {docs.name}/, as in themes/old-name.md"
    return ""


def moved_page_problems(pages: dict[str, str], places: dict, docs: Path, name: str) -> list[Diagnostic]:
    """Each declared move leads from a page that is gone to a page that exists, both in docs/."""
    problems = []
    for old, new in pages.items():
        at_key, at_value = places.get(("key", old), (1, 1)), places.get(("value", old), (1, 1))
        why = page_path_problem(old, docs)
        if why:
            problems.append(Diagnostic(name, *at_key, f"moved page {why}"))
        elif (docs / old).exists():
            problems.append(Diagnostic(name, *at_key, f"moved page '{old}' still exists; its redirect would "
                                       "replace it: remove the page or this line"))
        why = page_path_problem(new, docs)
        if why:
            problems.append(Diagnostic(name, *at_value, f"new page {why}"))
        elif not (docs / new).is_file():
            problems.append(Diagnostic(name, *at_value, f"page '{old}' is said to have moved to '{new}', "
                                       f"which is not a page of {docs.name}/"))
    return problems


@dataclass
class Index:
    root: Path
    docs_dir: Path
    bib: bib_module.Bibliography | None
    bib_errors: SourceError | None
    pages: dict[str, PageInfo]
    by_hash: dict[str, PageInfo]
    labels: dict[str, Label]
    citations: dict[str, list[Citation]]
    signature: tuple
    kinds: tuple[LabelKind, ...]
    moves: Moves | None = None
    bibliography_page: PageInfo | None = None  # the page with the [[bibliography]] block
    moves_errors: list[Diagnostic] = field(default_factory=list)
    by_text: dict[str, PageInfo] = field(default_factory=dict)  # the pages by their stripped text
    evidence: evidence_module.Evidence | None = None  # the passages of evidence/ (issue 24)
    # Read on first use, once per index: git's dates of the sources, and the site's settings.
    dates: pagedates.PageDates | None = None
    dates_reading: pagedates.Reading | None = None  # the dates, read in a thread since the index was built
    sites: dict[tuple, citeblock.Site] = field(default_factory=dict)
    config_file: str = "mkdocs.yml"  # the site's configuration, whose nav numbers the figures
    # Pages that share one body (by body_hash), each group in file order: text alone cannot tell
    # them apart, so a look-up by text that lands on one of them is refused (see find).
    twins: dict[str, list[PageInfo]] = field(default_factory=dict)
    # The extensions the site's build runs, which decide what is an indented code block.
    markdown_extensions: tuple[str, ...] = blocks.GENERATOR_DEFAULTS

    def page_date(self, page: PageInfo) -> dt.date:
        """When the page last changed: the newest commit among its source, the data files its
        figures draw and, for the page of the whole bibliography, the bibliography."""
        if self.dates is None:
            self.dates = (self.dates_reading.result() if self.dates_reading is not None
                          else pagedates.read(self.root, dated_paths(self.root, self.docs_dir, self.bib)))
        return self.dates.date_of(self.sources_of(page))

    def sources_of(self, page: PageInfo) -> list[str]:
        """The files a page is made from, as paths from the project root."""
        found = [page.shown]
        for label in self.labels.values():
            link = label.attrs.get("data-file") if label.page is page else None
            named = figures.data_path(page, self.docs_dir, link) if link and label.attrs.get("kind") == "figure" else None
            if named is not None:  # a path out of docs/ is the figure's own located error
                found.append(shown_path(named[0], self.root))
        if page is self.bibliography_page and self.bib is not None:
            found.append(self.bib.path)
        return found

    def site_info(self, config_file: str) -> citeblock.Site:
        """The site's settings (mkdocs.yml, with SITE_URL and the like from the environment)."""
        # No stat of the file per page: a changed configuration changes the index's signature, and
        # so gives a new index (with an empty ``sites``) at its next check.
        key = (config_file, os.environ.get("SITE_URL"))
        if key not in self.sites:
            self.sites[key] = citeblock.read_site(self.root, config_file)
        return self.sites[key]

    def find(self, text: str) -> PageInfo | None:
        """The page whose body this is: by its exact text first (one dictionary look-up), else by
        the hash that ignores trailing spaces and line endings (slower: it goes line by line).

        The fallback for a generator that does not name the page it renders: when two or more
        pages have this text, any answer could render one page with the other's links (its
        relative addresses, its cite block), so the look-up stops with an error naming them all."""
        page = self.by_text.get(text.strip()) or self.by_hash.get(body_hash(text))
        if page is not None and self.twins and page.hash in self.twins:
            raise SourceError(identical_pages(self.twins[page.hash]))
        return page

    def page_errors(self, page: PageInfo | None) -> list[Diagnostic]:
        """Everything wrong that the given page must report (bibliography problems first)."""
        found: list[Diagnostic] = list(self.moves_errors)
        if self.bib_errors is not None:
            found.extend(self.bib_errors.diagnostics)
        found.extend(self.evidence_errors())
        if page is not None:
            found.extend(sorted(page.diagnostics, key=lambda d: (d.line, d.col)))
        return found

    def evidence_errors(self) -> list[Diagnostic]:
        """Mistakes in the evidence files: like the bibliography's, they stop every page, since
        a passage is shown wherever its work is (in previews and the bibliography's counts)."""
        return list(self.evidence.diagnostics) if self.evidence is not None else []

    def all_diagnostics(self) -> list[Diagnostic]:
        found = list(self.moves_errors)
        found.extend(self.bib_errors.diagnostics if self.bib_errors else [])
        found.extend(self.evidence_errors())
        for page in self.pages.values():
            found.extend(sorted(page.diagnostics, key=lambda d: (d.line, d.col)))
        return found


def identical_pages(pages: list[PageInfo]) -> list[Diagnostic]:
    """One error at the top of each page that shares its text with the others, naming them all."""
    names = [p.shown for p in pages]
    listed = ", ".join(names[:-1]) + " and " + names[-1]
    message = (f"pages {listed} have identical text; the engine cannot tell them apart when the site "
               "generator does not say which page it renders, and would give each the links of one; "
               "make each page's text its own (its title or a sentence), or remove the copy and link "
               "to one page")
    return [Diagnostic(p.shown, p.offset + 1, 1, message) for p in pages]


def signature(root: Path, docs_dir: Path, bib_path: Path,
              evidence_dir: Path | None = None, config_file: str = "mkdocs.yml") -> tuple:
    """Cheap fingerprint of every source file: names, sizes and modification times. The
    configuration is one of them: its nav gives the reading order that numbers the figures."""
    items = []
    try:
        st = (root / config_file).stat()
        items.append((config_file, st.st_mtime_ns, st.st_size))
    except OSError:
        items.append((config_file, None))
    page_stats(str(docs_dir), items)
    aliases = root / ALIASES_FILE
    if aliases.exists():
        items.append((str(aliases), aliases.stat().st_mtime_ns))
    try:
        st = bib_path.stat()
        items.append((str(bib_path), st.st_mtime_ns, st.st_size))
    except OSError:
        items.append((str(bib_path), None))
    items.extend(evidence_module.signature(evidence_dir if evidence_dir is not None
                                           else root / evidence_module.EVIDENCE_DIR))
    return tuple(items)


def dated_paths(root: Path, docs_dir: Path, bib: bib_module.Bibliography | None) -> list[str]:
    """What git dates for the pages: their folder and the bibliography."""
    return [shown_path(docs_dir, root)] + ([bib.path] if bib else [])


def page_stats(folder: str, items: list) -> None:
    """Add (folder, name, mtime, size) of every .md file under folder, in name order, a folder's
    files and subfolders together (as os.walk, not following linked folders). Written with
    scandir for speed: the signature is taken every half second of a build, and os.walk with
    a path joined for each file cost a third more."""
    try:
        with os.scandir(folder) as found:
            entries = sorted(found, key=lambda entry: entry.name)
    except OSError:  # no such folder: no pages
        return
    for entry in entries:
        if entry.is_dir():
            if not entry.is_symlink():
                page_stats(entry.path, items)
        elif entry.name.endswith(".md"):
            st = entry.stat()
            items.append((folder, entry.name, st.st_mtime_ns, st.st_size))


def shown_path(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def build(root: str | Path, docs_dir: str | Path = "docs", bib_path: str | Path = "references.bib",
          directory_urls: bool = True, kinds: tuple[LabelKind, ...] | None = None,
          evidence_dir: str | Path = evidence_module.EVIDENCE_DIR, config_file: str = "mkdocs.yml",
          dates_early: bool = False) -> Index:
    """The index of the project at ``root``; ``config_file`` (relative to root) is the site's
    configuration, read for its nav; its families of labels those given, else those the
    configuration enables (the engine's own and its extensions'). ``dates_early``: start reading
    git's page dates now, in a thread (a build, which dates every page; a check dates none)."""
    root = Path(root)
    if kinds is None:
        kinds = label_kinds(root, config_file)
    docs = (root / docs_dir) if not Path(docs_dir).is_absolute() else Path(docs_dir)
    bibfile = (root / bib_path) if not Path(bib_path).is_absolute() else Path(bib_path)
    passages_dir = (root / evidence_dir) if not Path(evidence_dir).is_absolute() else Path(evidence_dir)
    sig = signature(root, docs, bibfile, passages_dir, config_file)
    bib, bib_errors = None, None
    try:  # a broken entry is left out with its error; the other entries serve every check
        bib = bib_module.load(bibfile, shown_path(bibfile, root), cache_root=root, partial=True)
        bib_errors = SourceError(bib.problems) if bib.problems else None
    except SourceError as exc:
        bib_errors = exc
    # git runs while the pages are read
    dates_reading = pagedates.Reading(root, dated_paths(root, docs, bib)) if dates_early else None

    _, settings = read_config(root, config_file)  # read once: its nav and its Markdown extensions
    extensions = blocks.extensions_of(settings)
    pages: dict[str, PageInfo] = {}
    readings: dict[tuple, tuple] = {}
    docs_shown = shown_path(docs, root)  # resolved once, not once per page
    for path in sorted(docs.rglob("*.md")):
        src = path.relative_to(docs).as_posix()
        shown = f"{docs_shown}/{src}"
        try:
            text = bib_module.read_text(path, shown)
        except SourceError as exc:
            page = PageInfo(src, shown, page_url(src, directory_urls), src, {}, "", 0)
            page.diagnostics.extend(exc.diagnostics)
            pages[src] = page
            continue
        meta, body, offset = split_front_matter(text.replace("\r\n", "\n"))
        page = PageInfo(src, shown, page_url(src, directory_urls), "", meta, body, offset)
        read_page_once(page, text, extensions, readings)
        pages[src] = page
    _READINGS.clear()
    _READINGS.update(readings)

    labels: dict[str, Label] = {}
    definitions: dict[str, list[Label]] = defaultdict(list)
    for page in pages.values():
        for line, col, text, attrs in page.headings + figures.collect(page):
            label_id = attrs.get("id", "")
            kind = kind_of(label_id, kinds)
            if kind is None:
                continue
            if not kind.valid(label_id):
                page.diagnostics.append(Diagnostic(page.shown, line, col, invalid_message(label_id, kinds)))
                continue
            problem = kind.definition_problem(label_id)
            if problem:
                page.diagnostics.append(Diagnostic(page.shown, line, col, problem))
                continue
            definitions[label_id].append(Label(label_id, text, page, line, col, attrs))
    published = published_anchors(root)
    for label_id, places in definitions.items():
        # A duplicate resolves to the occurrence that holds the published id, if one does.
        labels[label_id] = next((p for p in places if label_id in published.get(p.page.url, ())), places[0])
        if len(places) < 2:
            continue
        for place in places:
            place.page.diagnostics.append(duplicate_label(place, places, published))
    figures.number(labels, figures.reading_order(nav_sources(settings.get("nav") or []), pages))

    citations: dict[str, list[Citation]] = {}
    for page in pages.values():
        check_page(page, bib, labels, citations, kinds)

    by_hash: dict[str, PageInfo] = {}
    twins: dict[str, list[PageInfo]] = {}
    for page in pages.values():
        if not page.body.strip():
            continue
        first = by_hash.setdefault(page.hash, page)
        if first is not page:
            twins.setdefault(page.hash, [first]).append(page)
    moves, moves_errors = Moves(), []
    try:
        moves = load_moves(root, docs_dir=docs)
    except SourceError as exc:
        moves_errors = exc.diagnostics
    whole = next((p for p in pages.values() if "[[bibliography]]" in p.body), None)
    by_text = {p.body.strip(): p for p in pages.values() if p.body}
    evidence = evidence_module.load(root, passages_dir, pages, bib, citations, shown_path)
    return Index(root, docs, bib, bib_errors, pages, by_hash, labels, citations, sig,
                 kinds, moves=moves, moves_errors=moves_errors, bibliography_page=whole,
                 by_text=by_text, evidence=evidence, config_file=config_file,
                 twins=twins, markdown_extensions=extensions, dates_reading=dates_reading)


def published_anchors(root: Path) -> dict[str, set[str]]:
    """The published anchors by page URL, from the manifest ({} when the project keeps none)."""
    try:
        manifest = json.loads((root / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {url: set(ids) for url, ids in manifest.items() if isinstance(ids, list)} if isinstance(manifest, dict) else {}


def duplicate_label(place: Label, places: list[Label], published: dict[str, set[str]]) -> Diagnostic:
    """An id defined more than once, said at one of its places: which occurrence holds the id that
    readers' links already point to (the first on the page the manifest has it for), and so which
    to rename."""
    holder = next((p for p in places if place.id in published.get(p.page.url, ())), None)
    where = f"label '{place.id}' is defined {len(places)} times"
    if holder is None:
        others = ", ".join(f"{o.page.shown}:{o.line}" for o in places if o is not place)
        return Diagnostic(place.page.shown, place.line, place.col,
                          f"{where} (also at {others}); rename all but one")
    if place is holder:
        others = ", ".join(f"{o.page.shown}:{o.line}" for o in places if o is not place)
        return Diagnostic(place.page.shown, place.line, place.col,
                          f"{where}; this one holds the published id (in {MANIFEST_FILE}): keep it, and "
                          f"rename the other{'s' if len(places) > 2 else ''} at {others}")
    return Diagnostic(place.page.shown, place.line, place.col,
                      f"{where}; the one at {holder.page.shown}:{holder.line} holds the published id "
                      f"(in {MANIFEST_FILE}): rename this one")


# What read_page found in each page of the last scan, by (source path, text, extensions): under
# `make serve`, a rebuilt index reads again only the pages whose text changed. (Nothing in it
# depends on other pages; what does, labels and citations by section, is worked out afresh.)
_READINGS: dict[tuple, tuple] = {}


def read_page_once(page: PageInfo, text: str, extensions: tuple[str, ...], readings: dict[tuple, tuple]) -> None:
    """``read_page``, or what it found in the same text at the last scan."""
    key = (page.src, text, extensions)
    found = _READINGS.get(key)
    if found is None:
        read_page(page, extensions)
        found = (page.title, page.headings, page.tokens, page.reading, page.code)
    else:
        page.title, headings, page.tokens, page.reading, page.code = found
        # Labels share their heading's attributes, to which a build may add (a figure's number).
        page.headings = [(line, col, text, dict(attrs)) for line, col, text, attrs in headings]
    readings[key] = found


def read_page(page: PageInfo, extensions: tuple[str, ...] = blocks.GENERATOR_DEFAULTS) -> None:
    """Headings with their attributes, the page title and every citation token. ``extensions``:
    the Python-Markdown extensions of the site's build, which decide what is indented code."""
    lines = page.body.split("\n")
    page.code = blocks.indented_code(lines, extensions)
    # One fence_mask of the page serves the masks and the reading below (each would make it again).
    fenced = fence_mask(lines, definitions=False, code=page.code)
    masked = code_mask(lines, code=page.code, fenced=fenced)
    for n, line in enumerate(masked, start=1):
        if not line.startswith("#"):
            term = TERM_RE.match(lines[n - 1]) if line.rstrip().endswith("}") else None
            if term and is_definition_term(masked, n - 1):
                # A labelled term of a definition list ("Term {#sec-term …}"): an entry of a
                # compact list carries a label as a heading does.
                attrs = parse_attrs(term.group("attrs"))
                if "id" in attrs:
                    page.headings.append((n + page.offset, 1, plain_heading(term.group("text")),
                                          attrs | {"level": "dt"}))
            continue
        m = HEADING_RE.match(lines[n - 1])
        if not m:
            continue
        attrs = parse_attrs(m.group("attrs") or "")
        text = plain_heading(m.group("text"))
        page.headings.append((n + page.offset, 1, text, attrs | {"level": str(len(m.group("hashes")))}))
        if len(m.group("hashes")) == 1 and not page.title:
            page.title = text
    page.title = str(page.meta.get("title") or page.title or page.src)
    page.reading = read_lines(lines, page.code, fenced)
    page.tokens = scan(lines, page.code, page.reading, fenced)
    for token in page.tokens:
        token.line += page.offset


def check_page(page, bib, labels, citations, kinds: tuple[LabelKind, ...] = BUILT_IN) -> None:
    """Resolve every token of a page; record citations by section for the backlinks."""
    keys = bib.references if bib else {}
    # The section each token lies in, found by bisection (headings come in line order): the
    # last labelled heading at or before its line, else the top of the page.
    lines: list[int] = []
    sections: list[Section] = []
    for line, _, text, attrs in page.headings:
        if attrs.get("level") != "1":
            lines.append(line)
            sid = attrs.get("id", "")
            sections.append(Section(sid, text) if sid else sections[-1] if sections else Section("", page.title))
    for token in page.tokens:
        where = (page.shown, token.line, token.col)
        if token.problem:
            page.diagnostics.append(Diagnostic(*where, f"malformed citation: {token.problem}"))
            continue
        if token.kind == "crossref":
            label = token.label.rstrip(".:")
            kind = kind_of(label, kinds) or kinds[0]
            problem = kind.reference_problem(label)
            if problem:
                page.diagnostics.append(Diagnostic(*where, problem))
                continue
            if label not in labels:
                page.diagnostics.append(Diagnostic(*where,
                    f"unknown cross-reference '@{label}'{did_you_mean(label, labels)}; "
                    + kind.define.replace("ID", label)))
            continue
        at = bisect.bisect_right(lines, token.line)
        section = sections[at - 1] if at else Section("", page.title)
        for item in token.items:
            if bib is None:
                continue
            if item.key not in keys:
                if bib.known(item.key):
                    continue  # its entry is broken: the entry's own error says what to fix
                hint = bib.suggest(item.key) if keys else f" ({bib.path} has no entries)"
                page.diagnostics.append(Diagnostic(*where,
                    f"unknown citation key '{item.key}'{hint}; "
                    "add the work to references.bib or fix the key"))
                continue
            if item.key not in page.cited:
                page.cited.append(item.key)
            citations.setdefault(item.key, []).append(Citation(item.key, page, section, token.line, token.col))


# Sources are stat'ed at most this often: stat'ing every file for every page cost as much as
# rendering the page on a 400-page site. A page whose text is not in the index forces a recheck.
# Where the generator says which build a page belongs to, they are stat'ed once per build instead.
RECHECK_SECONDS = 0.5
# The index, when its sources were last checked, and the build they were checked for (weakly held).
_CACHE: dict[tuple, tuple[Index, float, weakref.ref | None]] = {}


@functools.lru_cache(maxsize=64)
def resolved(root: str, cwd: str) -> str:
    """``root`` made absolute from ``cwd``, its links followed: asked for every page of a build,
    and a resolve stats each folder of the path."""
    return str((Path(cwd) / root).resolve())


def get(root: str | Path, docs_dir="docs", bib_path="references.bib", directory_urls=True,
        kinds: tuple[LabelKind, ...] = BUILT_IN, recheck: bool = False,
        evidence_dir=evidence_module.EVIDENCE_DIR, config_file: str = "mkdocs.yml",
        build_of: object | None = None) -> Index:
    """The per-build index, rebuilt only when a source file (or the configuration) has changed
    since the last scan. ``build_of``: an object that stands for the generator's current build
    (see ``extension.generator_build``); the sources are then checked at its first page only, as
    a rebuild under ``make serve`` starts a new build, and not every RECHECK_SECONDS (40 checks
    of every file in a 400-page build)."""
    key = (resolved(str(root), os.getcwd()), str(docs_dir), str(bib_path), directory_urls, kinds,
           str(evidence_dir), config_file)
    now = time.monotonic()
    cached = _CACHE.get(key)
    if cached is not None:
        current, checked, checked_for = cached
        if not recheck and (now - checked < RECHECK_SECONDS if build_of is None
                            else checked_for is not None and checked_for() is build_of):
            return current
        root_p = Path(root)
        if current.signature == signature(root_p, root_p / docs_dir, root_p / bib_path,
                                          root_p / evidence_dir, config_file):
            _CACHE[key] = (current, now, _weak(build_of))
            return current
    fresh = build(root, docs_dir, bib_path, directory_urls, kinds, evidence_dir, config_file, dates_early=True)
    _CACHE.clear()
    _CACHE[key] = (fresh, now, _weak(build_of))
    return fresh


def _weak(build_of: object | None) -> weakref.ref | None:
    """A weak reference to the build (a finished build's files are not kept alive by the cache)."""
    try:
        return weakref.ref(build_of) if build_of is not None else None
    except TypeError:  # an object that takes no weak reference: checked by time instead
        return None
