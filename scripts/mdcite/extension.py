"""The Python-Markdown extension: citations, cross-references, reference lists and the
generated blocks of the bibliography page and of a page of numbered articles.

Works under any generator that runs Python-Markdown extensions (MkDocs, Zensical): the page
being rendered is recognised from its own text through the per-build index.
"""

from __future__ import annotations

import bisect
import re
import xml.etree.ElementTree as etree
from html import escape
from operator import attrgetter
from pathlib import Path
from typing import NamedTuple

from markdown import Extension, util
from markdown.inlinepatterns import InlineProcessor
from markdown.postprocessors import Postprocessor
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

from . import citeblock, evidence_html, export, figures
from . import index as index_module
from .errors import SourceError
from .evidence import sections_of
from .labelkinds import BUILT_IN, LabelKind, kind_of
from .syntax import IN_TEXT, PLACEHOLDER_RE, Cite, CiteItem, block_start, link_label, read

ALPHABET = tuple("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
OTHER = "#"  # works whose creator does not begin with a Latin letter
LETTER_IDS = {**{c: c.lower() for c in ALPHABET}, OTHER: "other"}


def initial(sort_name: str) -> str:
    """The letter a work is filed under in the bibliography's A–Z bar (sort names are folded:
    lower case, accents off)."""
    first = sort_name.lstrip(" \"'‘“([{")[:1].upper()
    return first if first in ALPHABET else OTHER


class PageState:
    """What one document's rendering has learnt: which page it is, what it cites, its date.

    Created afresh by ``IdentifyPage`` at the start of every ``convert()`` (and by ``reset()``),
    so that two documents converted by one Markdown object never share works or readings."""

    def __init__(self) -> None:
        self.index: index_module.Index | None = None
        self.page: index_module.PageInfo | None = None
        self.cited: list[str] = []
        self.readings: list[tuple[str, tuple[CiteItem, ...], str]] = []  # (kind, works, label)
        self.updated = None  # the page's date, set by the cite blocks for the date mark
        # The citations of the page's one reading by offset, once a paragraph is rendered from it.
        self.reading_cites: dict[int, Cite] | None = None
        self.smart = False  # smarty curls the document's quotes (it cannot see a stored citation)
        # Finished HTML that FinishedHtml writes in place of its placeholder, and which of it are
        # blocks (written in place of the paragraph that holds the placeholder).
        self.finished: list[str] = []
        self.blocks: set[int] = set()
        # Texts whose citations CitationsInText has written in: the inline pattern finds none there.
        self.in_place: set[str] = set()

    def finish(self, html: str, block: bool = False) -> str:
        """The placeholder that stands for ``html`` until FinishedHtml writes it in."""
        if block:
            self.blocks.add(len(self.finished))
        self.finished.append(html)
        return FINISHED.format(len(self.finished) - 1)


# Finished HTML (a citation, a reference list, a cite block, the bibliography) stands in the tree
# as a placeholder of the engine's own, which FinishedHtml replaces. Python-Markdown's HTML stash
# would serve as well, but once a page has stored anything there, Python-Markdown's raw-HTML
# postprocessor runs a regular expression over the whole page and over each stored piece, and the
# table of contents runs it again for every heading: 0.2 s of CPU in a 400-page build whose pages
# cite twenty works each, against 0.05 s for this one pass. Placeholders between STX and ETX, like
# Python-Markdown's own, pass through every processor untouched; "mdcite:" keeps them apart from
# its escapes (STX digits ETX).
FINISHED = util.STX + "mdcite:{}" + util.ETX
FINISHED_START = util.STX + "mdcite:"


class FinishedHtml(Postprocessor):
    """Write the engine's finished HTML in place of its placeholders. Runs right after
    Python-Markdown's raw-HTML postprocessor (30), so that a placeholder inside HTML that it
    writes in (such as an element that md_in_html stored) is replaced too; the table of contents
    and MkDocs run every postprocessor on a heading's text, which therefore gets its words."""

    def __init__(self, md, ext):
        super().__init__(md)
        self.ext = ext

    def run(self, text: str) -> str:
        state = self.ext.state
        if not state.finished or FINISHED_START not in text:  # most headings' texts
            return text
        finished, blocks = state.finished, state.blocks
        # One pass, by str.find (a regular expression or a str.replace per block would each scan
        # the whole page again).
        parts, at = [], 0
        while (start := text.find(FINISHED_START, at)) >= 0:
            end = text.index(util.ETX, start) + 1
            n = int(text[start + len(FINISHED_START):end - 1])
            if n in blocks and start >= 3 and text.startswith("<p>", start - 3) and text.startswith("</p>", end):
                start, end = start - 3, end + 4  # a block takes the place of its paragraph
            parts.append(text[at:start])
            parts.append(finished[n])
            at = end
        parts.append(text[at:])
        return "".join(parts)


def generator_source(md) -> str | None:
    """The path of the page being rendered, relative to docs_dir, where the generator tells it.

    Neither generator passes it to an extension directly, but each leaves it on a processor of its
    own, registered before ``convert()`` runs: MkDocs on its link-rewriting tree processor
    (``relpath``, whose ``file`` is the page's File), Zensical on its ``rendering_context``
    preprocessor (whose ``page.path`` is the source path). None for Markdown converted outside a
    generator (a test, a snippet), which is then recognised by its text."""
    if "relpath" in md.treeprocessors:
        file = getattr(md.treeprocessors["relpath"], "file", None)
        src = getattr(file, "src_uri", None) or getattr(file, "src_path", None)
        if isinstance(src, str) and src:
            return src.replace("\\", "/")
    if "rendering_context" in md.preprocessors:
        page = getattr(md.preprocessors["rendering_context"], "page", None)
        src = getattr(page, "path", None)
        if isinstance(src, str) and src:
            return src.replace("\\", "/")
    return None


def generator_build(md) -> object | None:
    """An object that stands for the generator's current build, where it offers one: MkDocs'
    collection of the site's files, made afresh for each build (and each rebuild of ``serve``),
    which it leaves on the same processor as the page's path. None elsewhere."""
    if "relpath" in md.treeprocessors:
        return getattr(md.treeprocessors["relpath"], "files", None)
    return None


def same_text(a: str, b: str) -> bool:
    """Whether a page's text is still what the index read (line endings and outer blank lines aside)."""
    return a.strip() == b.strip() or index_module.body_hash(a) == index_module.body_hash(b)


class IdentifyPage(Preprocessor):
    """Start the document: fresh per-document state, the page it is (from the generator, else by
    its text), and stop on any error recorded for it. Runs first (35, above every preprocessor
    that changes the text, such as snippets at 32), so the text is the page's source."""

    def __init__(self, md, ext: CitationsExtension):
        super().__init__(md)
        self.ext = ext

    def run(self, lines: list[str]) -> list[str]:
        ext = self.ext
        state = ext.begin()
        idx = state.index = ext.get_index()
        state.smart = "smarty" in self.md.treeprocessors
        text = "\n".join(lines)
        src = generator_source(self.md)
        if src is not None:
            page = idx.pages.get(src)
            if page is None or not same_text(page.body, text):  # saved since the last scan?
                idx = state.index = ext.get_index(recheck=True)
                page = idx.pages.get(src)
            if page is not None and not same_text(page.body, text):
                # The generator (or a plugin before us) changed the text: read this text, as this page.
                page = self.read_alone(idx, text, page)
        else:
            page = idx.find(text)
            if page is None:  # an edit since the last scan? (the index checks files only every 0.5 s)
                idx = state.index = ext.get_index(recheck=True)
                page = idx.find(text)
        if page is None:  # text not in docs/ (a snippet, a test, an unsaved edit): check it alone
            page = self.read_alone(idx, text, None)
        state.page = page
        problems = idx.page_errors(page)
        if problems:
            raise SourceError(problems)
        return lines

    def read_alone(self, idx: index_module.Index, text: str,
                   like: index_module.PageInfo | None) -> index_module.PageInfo:
        """The text read and checked on its own, with the identity (path, address) of ``like``."""
        if like is None:
            page = index_module.PageInfo("", self.ext.getConfig("input_name"), "", "", {}, text, 0)
        else:
            page = index_module.PageInfo(like.src, like.shown, like.url, "", dict(like.meta), text, like.offset)
        index_module.read_page(page, idx.markdown_extensions)
        index_module.check_page(page, idx.bib, idx.labels, {}, idx.kinds)
        return page


# A prefix or locator that no inline pattern would change ("see", "p. 4", "ch. 2, §3"); anything
# else (emphasis, quotes that smarty curls, "--", links, code) goes through Python-Markdown.
PLAIN_AFFIX_RE = re.compile(r"(?:[^\W_]|[ .,:;()/§–—-])*")  # not '_', which may be emphasis
NON_SPACE_RE = re.compile(r"\S")  # what str.strip() keeps (both take Unicode's white space)


def words_around(data: str, start: int, end: int) -> bool:
    """Whether ``data`` holds more than white space before ``start`` or from ``end`` on. Its first
    and last characters nearly always answer (Python-Markdown strips a paragraph); only otherwise
    is it searched, never sliced and stripped, which would copy the paragraph for each citation."""
    if (start and not data[0].isspace()) or (end < len(data) and not data[-1].isspace()):
        return True
    return bool(NON_SPACE_RE.search(data, 0, start) or NON_SPACE_RE.search(data, end))


def plain_affix(text: str) -> bool:
    if not text:  # most citations have neither prefix nor suffix
        return True
    return bool(PLAIN_AFFIX_RE.fullmatch(text)) and "--" not in text and "..." not in text


def citation_html(ref, label: str, tags_in_comment: bool = False) -> str:
    """The link of one in-text citation, and nothing more: the hover preview is built in the
    browser (assets/cite.js) from the entry it points to in the page's own reference list, not
    repeated in every link, where each build step after Markdown (Material's search plugin above
    all) would parse it again. With ``tags_in_comment`` the link's two tags are each written inside
    the comment markers that the theme's template takes off (see LIST_OPEN): the search plugin
    then skips each in one step, and still indexes the words between them."""
    start, end = f'<a class="citation" href="#ref-{escape(ref.key)}">', "</a>"
    if tags_in_comment:
        start, end = LIST_OPEN + start + LIST_CLOSE, LIST_OPEN + end + LIST_CLOSE
    return start + escape(label, quote=False) + end


def citation_span_html(ref, label: str) -> str:
    """A citation inside a link's text: the same words, but a link inside a link is not HTML."""
    return (f'<span class="citation" data-cites="{escape(ref.key)}" title="{escape(ref.text)}">'
            f"{escape(label, quote=False)}</span>")


class Written:
    """What has been written from one bibliography: a site cites the same works in the same words
    many times, each work by few labels, and lists each work the same way on every page that cites
    it. Kept for the module (see ``written_from``), not on the Markdown object, which MkDocs makes
    afresh for every page."""

    def __init__(self, bib) -> None:
        self.bib = bib
        # Each finished citation's HTML and the works it links, in the order it links them, by what
        # the HTML depends on besides the bibliography: (works cited, in text, in a link's text,
        # tags in comments, quotes curled).
        self.citations: dict[tuple, tuple[str, tuple[str, ...]]] = {}
        # Each link's HTML by (key, label, in a link's text, tags in comments).
        self.links: dict[tuple[str, str, bool, bool], str] = {}
        # The opening of each work's entry in a reference list (its id and its reference), by key.
        self.heads: dict[str, str] = {}

    def entry_head(self, key: str) -> str:
        head = self.heads.get(key)
        if head is None:
            head = self.heads[key] = (f'<li class="reference" id="ref-{escape(key)}">'
                                      f"{evidence_html.reference_text(self.bib[key])}")
        return head


_written = Written(None)


def written_from(bib) -> Written:
    """What has been written from ``bib`` so far; nothing yet for a new bibliography: each index
    build loads references.bib afresh (a ``make serve`` rebuild too), so nothing written outlives
    the entries it was written from."""
    global _written
    if _written.bib is not bib:
        _written = Written(bib)
    return _written


CITE_START = attrgetter("start")

# Where a citation may start; the shared reader decides whether one does.
TRIGGER_RE = r"\[|-(?=@)|@"




class LinkWay(NamedTuple):
    """How the links of the citation being written are written (a named tuple: made for each
    citation written, at half the cost of a frozen dataclass)."""

    in_link: bool  # inside a link's text: a span, not a second link
    finished: bool  # the whole citation becomes finished HTML (else each link is stored alone)
    hide_tags: bool  # each link's tags go inside the comment markers (links_in_comment)
    smart: bool  # smarty curls the document's quotes
    linked: list[str]  # the works linked so far, in order: noted as cited once it is written


class CitationPattern(InlineProcessor):
    """Every citation form, ``[see @key, p. 4; @other]``, ``@key [p. 4]``, ``-@key``, ``@sec-id``,
    read by ``syntax.read``, the reader ``mdcite check`` uses.

    Registered above code spans (190), so it sees the block's text as written, as the check
    does; the reader itself passes over code, escapes, comments, HTML and link addresses."""

    def __init__(self, pattern, md, ext):
        super().__init__(pattern, md)
        self.ext = ext
        # The reading of the text last seen: its citations by their offset in the text they were
        # read from (the block's, or its page's), of which those from ``floor`` on stand ``delta``
        # characters later in the block as it is now (a paragraph that starts ``at`` in its page:
        # delta -at, floor at). Not moved when a citation before them becomes a placeholder: the
        # delta changes, and only the citation rendered is moved. Attributes, not an object made
        # for each citation, since this runs for every one.
        self.seen = ""
        self.by_start: dict[int, Cite] = {}
        self.delta = self.floor = 0
        # Once a citation is replaced: the text before and after it, where it ended, and the new floor.
        self.carried: tuple[str, str, int, int] | None = None

    def cites(self, data: str) -> None:
        """Make the reading above that of ``data``. A paragraph is not read again: its citations
        are those of the page's one reading (the index's, which ``mdcite check`` reports), found
        by position; other blocks are read once. After a citation becomes a placeholder, the
        text's reading is the old one moved by the placeholder's length."""
        if data is self.seen or data == self.seen:
            return
        if data in self.ext.state.in_place:  # its citations are written in already
            self.by_start, self.delta, self.floor, self.carried = {}, 0, 0, None
            self.seen = data
            return
        carried, self.carried = self.carried, None
        if carried is not None:
            head, tail, end, floor = carried
            middle = len(data) - len(tail)
            # Compared as slices, not with startswith/endswith: a slice of Latin-1 text stored one
            # byte a character is compared character by character with a text that is not.
            if (data[:len(head)] == head and data[middle:] == tail
                    and util.INLINE_PLACEHOLDER_RE.fullmatch(data, len(head), middle)):
                self.seen, self.delta, self.floor = data, self.delta + middle - end, floor
                return
        state = self.ext.state
        if "@" not in data:  # no citation (a '[' of a link, say): nothing to look up or read
            self.by_start, self.delta, self.floor = {}, 0, 0
            self.seen = data
            return
        at = self.block_at(data)
        if at is not None:  # the page's citations, seen through the block (from ``at`` on)
            if state.reading_cites is None:
                state.reading_cites = {cite.start: cite for cite in state.page.reading[1]}
            self.by_start, self.delta, self.floor = state.reading_cites, -at, at
        else:  # not whole lines of the page (a list item, a table cell, a heading): read alone
            self.by_start = {cite.start: cite for cite in read(data, self.links())}
            self.delta = self.floor = 0
        self.seen = data

    def block_at(self, data: str) -> int | None:
        """Where ``data`` starts in the page's one reading, if that reading is also its own (see
        ``syntax.block_start``); None where it must be read alone."""
        page = self.ext.state.page
        return block_start(page.reading, data) if page is not None and page.reading else None

    def links(self) -> frozenset[str]:
        """The page's link labels (``@key [label]`` is then a citation and a link, as in Pandoc)."""
        return frozenset(link_label(label) for label in self.md.references)

    def closing_quote(self, data: str, start: int, end: int, smart: bool) -> str:
        """The quote right after a citation (from ``start`` to ``end`` in ``data``), curled as
        Pandoc curls it (smarty, seeing only a placeholder before it, would open a quote): ’ for
        a ', ” for a " that closes one."""
        after = data[end:end + 1]
        if not after or after not in "'\"" or not smart:
            return ""
        if after == "'":
            return "\u2019"
        return "\u201d" if data.count('"', 0, start) % 2 == 1 else ""

    def suffix(self, item: CiteItem, way: LinkWay) -> str:
        """The suffix as printed; a leading apostrophe (``[@key's]``) curled as Pandoc curls it,
        where smarty, after the year, would open a quote."""
        if not item.suffix:  # most citations have none
            return ""
        text = item.suffix_text()
        bare = text.lstrip(" ,")
        if way.smart and bare.startswith("'") and "'" not in bare[1:]:
            return text[:len(text) - len(bare)] + "\u2019" + bare[1:]
        return text

    def replaced(self, data: str, cite: Cite, start: int, end: int) -> None:
        """Remember how the reading continues once ``cite``, from ``start`` to ``end`` in
        ``data``, is a placeholder: only the citations from ``end`` on are left in it."""
        if cite.group >= 0 and cite.crossref:
            return  # the group after it is read afresh, as a group of its own
        self.carried = (data[:start], data[end:], end, end - self.delta)

    def in_place(self, data: str) -> str | None:
        """``data`` with each of its citations written in as finished HTML, as ``handleMatch``
        would write them one after the other, or None where one of them would not be finished
        HTML (words with Markdown in them; a cross-reference, a link that the generator rewrites;
        a problem or an unknown work, which the page's errors report): that text is left whole
        to the pattern."""
        state = self.ext.state
        at = self.block_at(data)
        if at is not None:  # the page's citations inside the block (none crosses its edges)
            found = state.page.reading[1]
            first = bisect.bisect_left(found, at, key=CITE_START)
            cites = found[first:bisect.bisect_left(found, at + len(data), lo=first, key=CITE_START)]
            delta = -at
        else:
            cites, delta = read(data, self.links()), 0
        if not cites:
            return None
        refs = state.index.bib.references if state.index.bib is not None else {}
        for cite in cites:
            if cite.problem or cite.crossref or not all(
                    item.key in refs and plain_affix(item.prefix) and plain_affix(item.suffix)
                    for item in cite.items):
                return None
        # Each citation sees the text with the ones before it written in, as in the pattern.
        for cite in cites:
            placeholder, start, end = self.render(cite, data, delta)
            data = data[:start] + placeholder + data[end:]
            delta += len(placeholder) - (end - start)
        state.in_place.add(data)
        return data

    def handleMatch(self, m, data):
        self.cites(data)
        first = m.start() - self.delta
        cite = self.by_start.get(first) if first >= self.floor else None
        if cite is None or cite.problem:  # a problem is reported with its location by IdentifyPage
            return None, None, None
        node, start, end = self.render(cite, data, self.delta)
        if node is not None:
            self.replaced(data, cite, start, end)
        return node, start, end

    def render(self, cite: Cite, data: str, delta: int):
        """The citation's node, and where it starts and ends in ``data``: its offsets are those of
        the reading it comes from, ``delta`` characters off (moved here, not copied, for speed)."""
        state = self.ext.state
        start, end = cite.start + delta, cite.end + delta
        if cite.crossref:
            # Only the cross-reference: a bracket after it is then read as a group of its own.
            label = state.index.labels.get(cite.items[0].key)
            if label is None:
                return None, None, None
            state.readings.append(("crossref", (), label.id))
            return self.ext.crossref_link(label, cite.in_link), start, cite.key_end + delta
        bib = state.index.bib
        # Not for a citation that is a whole paragraph: Python-Markdown's stash, which once stored
        # it, took HTML that opens with a comment for a block and dropped the paragraph around it.
        # FinishedHtml would not, but such a citation keeps its plain tags (one output across versions).
        hide_tags = self.ext.links_in_comment and words_around(data, start, end)
        smart = state.smart
        written = written_from(bib).citations
        known = written.get((cite.items, cite.in_text, cite.in_link, hide_tags, smart))
        if known is None:
            refs, finished = bib.references, True
            for item in cite.items:
                if item.key not in refs:
                    return None, None, None
                # Plain words around the works (no Markdown, nothing to escape): the whole citation
                # is finished HTML, stored once; otherwise each link is stored, the words stay Markdown.
                finished = finished and plain_affix(item.prefix) and plain_affix(item.suffix)
            way = LinkWay(in_link=cite.in_link, finished=finished, hide_tags=hide_tags, smart=smart, linked=[])
            text = self.in_text(cite, way) if cite.in_text else "(" + self.works(cite.items, way) + ")"
            linked = tuple(way.linked)
            if finished:  # nothing in it is the page's own (no stashed link): it serves every page
                written[cite.items, cite.in_text, cite.in_link, hide_tags, smart] = (text, linked)
        else:
            way, (text, linked) = None, known
        for key in linked:
            self.ext.note_cited(key)
        if cite.in_text:
            state.readings.append(("intext", cite.items, cite.items[0].key))
        else:
            state.readings.append(("group", cite.items, ""))
        quote = self.closing_quote(data, start, end, smart)
        if way is None or way.finished:  # no pattern looks into it again
            return state.finish(text + quote), start, end + len(quote)
        # A prefix or suffix with Markdown in it: the text goes back into the tree, processed.
        span = etree.Element("span", {"class": "citation-group"})
        span.text = text + quote
        return span, start, end + len(quote)

    def link(self, key: str, label: str, way: LinkWay) -> str:
        """One work's link, as finished HTML: the links are not built as trees that every later
        step would walk. (Inside a citation whose words are Markdown, stored on its own.)"""
        way.linked.append(key)
        bib = self.ext.state.index.bib
        links = written_from(bib).links
        html = links.get((key, label, way.in_link, way.hide_tags))
        if html is None:
            ref = bib[key]
            html = citation_span_html(ref, label) if way.in_link else citation_html(ref, label, way.hide_tags)
            links[key, label, way.in_link, way.hide_tags] = html
        return html if way.finished else self.md.htmlStash.store(html)

    def works(self, items, way: LinkWay) -> str:
        """``see Author 2025, p. 4; Other 2024``: the works of a group, without parentheses."""
        bib = self.ext.state.index.bib
        parts = []
        for i, item in enumerate(items):
            parts.append(("; " if i else "") + (item.prefix + " " if item.prefix else ""))
            parts.append(self.link(item.key, bib[item.key].cite_label(item.suppress_author), way))
            parts.append(self.suffix(item, way))
        return "".join(parts)

    def in_text(self, cite: Cite, way: LinkWay) -> str:
        """``Author (Year)``; with a locator or more works, ``Author (Year, p. 4; Other 2024)``;
        ``-@key`` gives the year alone."""
        first, *rest = cite.items
        ref = self.ext.state.index.bib[first.key]
        if not rest and not first.suffix:
            label = f"{ref.author_short} ({ref.year_label})" if first.mode == IN_TEXT else ref.year_label
            return self.link(first.key, label, way)
        tail = self.suffix(first, way) + ("; " + self.works(rest, way) if rest else "")
        year = self.link(first.key, ref.year_label, way)
        if first.mode != IN_TEXT:
            return year + tail
        return f"{self.link(first.key, ref.author_short, way)} ({year}{tail})"


class CitationsInText(Treeprocessor):
    """Write each text's citations in before Python-Markdown's inline pass (20): one new string
    for each text that cites, where the inline pattern has Python-Markdown cut the text at every
    citation, store the piece, search on, and put the pieces back together (a fifth of the
    engine's time on a site whose pages cite twenty works). It takes the texts the inline pass
    takes, in the same state (nothing runs between them), and leaves to ``CitationPattern`` every
    text with a citation that is not finished HTML (see ``CitationPattern.in_place``)."""

    def __init__(self, md, pattern: CitationPattern):
        super().__init__(md)
        self.pattern = pattern

    def run(self, root):
        in_place = self.pattern.in_place
        for element in root.iter():
            if element is root:  # the inline pass takes its children's texts, not its own
                continue
            text = element.text
            if text and not isinstance(text, AtomicString) and ("[" in text or "@" in text):
                written = in_place(text)
                if written is not None:
                    element.text = written
            tail = element.tail
            if tail and not isinstance(tail, AtomicString) and ("[" in tail or "@" in tail):
                written = in_place(tail)
                if written is not None:
                    element.tail = written


class GeneratedBlocks(Treeprocessor):
    """Replace each ``[[name]]`` paragraph with the block an extension makes for it (the engine
    itself makes ``[[bibliography]]``; see ``CitationsExtension.blocks``)."""

    def __init__(self, md, ext):
        super().__init__(md)
        self.ext = ext

    def run(self, root):
        page = self.ext.state.page
        if page is None or "[[" not in page.body:  # a walk of the whole tree, only where asked for
            return
        for parent in list(root.iter()):
            for child in list(parent):
                if child.tag != "p" or not child.text or len(child):
                    continue
                m = PLACEHOLDER_RE.match(child.text)
                maker = self.ext.blocks.get(m.group("name")) if m else None
                if maker is None:
                    continue
                position = list(parent).index(child)
                parent.remove(child)
                parent.insert(position, maker(root))


class MovedAnchors(Treeprocessor):
    """An old anchor declared moved (docs/about/anchor-aliases.yml) stays on the page, as an empty
    element just before its new target, so that links to it keep landing in the right place."""

    def __init__(self, md, ext):
        super().__init__(md)
        self.ext = ext

    def run(self, root):
        state = self.ext.state
        page, moves = state.page, state.index.moves if state.index else None
        aliases = moves.anchors.get(page.src, {}) if page is not None and page.src and moves else {}
        if not aliases:
            return
        parents = {child: parent for parent in root.iter() for child in parent}
        by_id = {el.get("id"): el for el in root.iter() if el.get("id")}
        for old, new in aliases.items():
            target = by_id.get(new)
            if target is None or old in by_id:
                continue
            parent = parents.get(target, root)
            span = etree.Element("span", {"id": old, "class": "anchor-alias", "data-moved-to": new})
            parent.insert(list(parent).index(target), span)


class ReferenceList(Treeprocessor):
    """Close the page with the list of the works it cites: those of its text (noted by the inline
    pattern) and those of its figures' captions (noted by FigureTree, which therefore runs first)."""

    def __init__(self, md, ext):
        super().__init__(md)
        self.ext = ext

    def run(self, root):
        if self.ext.state.cited:
            root.append(self.ext.reference_list())


# The buttons of a reference list's downloads paragraph (assets/cite.js makes them work).
DOWNLOAD_BUTTONS = ", ".join(
    f'<button class="reference-download" data-format="{ext}" type="button">{name}</button>'
    for name, ext in (("BibTeX", "bib"), ("RIS", "ris"))) + (
    ' or <button class="reference-download" data-format="json" type="button">CSL-JSON</button>')
# With the option list_in_comment, a page's reference list (and its downloads) is written between these two markers,
# as an HTML comment, and the theme's template removes them (see overrides/main.html); with
# links_in_comment, so is each tag of a citation's link. Material's search plugin reads each page's
# HTML before the template does, and skips a comment in one step where it would parse every tag
# (of the list, which it then leaves out of the index anyway, or of a link, whose words it keeps).
# Nothing inside can close the comment early: the HTML escapes every ">" in text and URLs, and a
# key holds no "--".
LIST_OPEN = "<!--mdcite-list "
LIST_CLOSE = " mdcite-list-->"


class CitationsExtension(Extension):
    def __init__(self, **kwargs):
        self.config = {
            "root": [".", "Project root: bibliography and docs_dir are relative to it"],
            "bibliography": ["references.bib", "The BibTeX file, relative to root"],
            "evidence": ["evidence", "Folder of evidence files (passages of cited works), relative to root"],
            "docs_dir": ["docs", "Folder of Markdown pages, relative to root"],
            "directory_urls": [True, "Pages are served as folder/ (MkDocs' use_directory_urls)"],
            "references_title": ["References", "Heading of each page's reference list"],
            "list_in_comment": [False, "Write each page's reference list and its downloads inside an HTML comment that "
                                "the theme's template unwraps (cheaper for Material's search plugin)"],
            "links_in_comment": [False, "Write the two tags of each citation's link inside the same "
                                 "comment markers, around the link's words (cheaper for the search plugin)"],
            "input_name": ["<input>", "Name shown in errors for text that is not a page in docs_dir"],
            "config_file": ["mkdocs.yml", "The site's configuration, relative to root: its name, address, "
                            "version and citation author go into each page's cite blocks"],
            "cite_help_page": ["", "The page (a source in docs_dir) that each 'Cite this page' block links "
                               "to as 'How to cite'; none if empty"],
        }
        super().__init__(**kwargs)
        # Families of cross-reference labels, and makers of [[name]] blocks: the engine's own, and
        # those another extension adds when Markdown loads it (add_label_kind, blocks).
        self.kinds: tuple[LabelKind, ...] = BUILT_IN
        self.blocks = {"bibliography": self.bibliography_block}
        self.begin()

    # -- wiring ---------------------------------------------------------------------------
    def extendMarkdown(self, md):
        self.md = md
        self.links_in_comment = bool(self.getConfig("links_in_comment"))
        md.registerExtension(self)
        if "@" not in md.ESCAPED_CHARS:
            md.ESCAPED_CHARS.append("@")
        # Each processor does one job; its priority (higher runs first) says what it needs done before it.
        # First of all preprocessors (snippets is 32): the text is still the page's source.
        md.preprocessors.register(IdentifyPage(md, self), "mdcite_identify", 35)
        # Above code spans (190) and escapes (180): the shared reader sees the text as written.
        pattern = CitationPattern(TRIGGER_RE, md, self)
        md.inlinePatterns.register(pattern, "mdcite_citation", 200)
        # Right before the inline pass (20), which then finds most citations written in.
        md.treeprocessors.register(CitationsInText(md, pattern), "mdcite_in_text", 20.5)
        # Tree processors, all after the inline pass (20) and before the table of contents (5),
        # which gives headings their permanent links and collects the headings we add:
        # figures first: their captions cite works, which must join the reference list (7);
        md.treeprocessors.register(figures.FigureTree(md, self), "mdcite_figures", 9)
        # after attr_list (8), which gives elements the ids and data- attributes that the rest read:
        # the blocks of [[name]] paragraphs (the bibliography, an extension's own);
        md.treeprocessors.register(GeneratedBlocks(md, self), "mdcite_blocks", 7.8)
        # old anchors before their new targets, once every id on the page exists;
        md.treeprocessors.register(MovedAnchors(md, self), "mdcite_moved_anchors", 7.4)
        # the page's reference list, once every citation has been noted;
        md.treeprocessors.register(ReferenceList(md, self), "mdcite_references", 7)
        # the cite blocks, after the list (they close the page) and right after each sec- heading.
        md.treeprocessors.register(citeblock.CiteBlocks(md, self, (LIST_OPEN, LIST_CLOSE)),
                                   "mdcite_cite_blocks", 6)
        # Finished HTML written in, right after Python-Markdown's raw HTML (30): see FinishedHtml.
        md.postprocessors.register(FinishedHtml(md, self), "mdcite_finished", 29)
        md.postprocessors.register(citeblock.DateMark(md, self), "mdcite_date_mark", 0)  # last

    def begin(self) -> PageState:
        """A fresh state for the document about to be converted (the one place it is created)."""
        self.state = PageState()
        return self.state

    def reset(self):
        self.begin()

    def get_index(self, recheck: bool = False) -> index_module.Index:
        root = Path(self.getConfig("root"))
        return index_module.get(root, self.getConfig("docs_dir"), self.getConfig("bibliography"),
                                bool(self.getConfig("directory_urls")),
                                self.kinds, recheck=recheck,
                                evidence_dir=self.getConfig("evidence"), config_file=self.getConfig("config_file"),
                                build_of=generator_build(md) if (md := getattr(self, "md", None)) else None)

    def add_label_kind(self, kind: LabelKind) -> None:
        """Let another extension add a family of labels (see labelkinds)."""
        if kind not in self.kinds:
            self.kinds = (*self.kinds, kind)

    def site(self) -> citeblock.Site:
        """The site's name, address and version for the cite blocks, read once per build."""
        idx = self.state.index or self.get_index()
        return idx.site_info(self.getConfig("config_file"))

    @staticmethod
    def citation_link(ref, label: str) -> str:
        """The HTML of one citation, for the generated blocks (figures) that cite outside the text."""
        return citation_html(ref, label)

    def note_cited(self, key: str) -> None:
        if key not in self.state.cited:
            self.state.cited.append(key)

    def href(self, page: index_module.PageInfo, fragment: str = "") -> str:
        """A link to another page's Markdown source; the generator turns it into that page's URL
        (and validates it), so links are right at any depth and under any site sub-path."""
        here = self.state.page
        if here is not None and page is here and here.src:
            return f"#{fragment}" if fragment else "./"
        link = index_module.relative_src(here.src if here else "", page.src)
        return link + (f"#{fragment}" if fragment else "")

    # -- cross-references ---------------------------------------------------------------------
    def crossref_link(self, label: index_module.Label, in_link: bool = False) -> etree.Element:
        kind = kind_of(label.id, self.kinds)
        words = kind.link_text(label, in_link) if kind is not None else None
        if words is not None:
            text, title = words
        elif label.id.startswith(("fig-", "tbl-")):
            text, title = figures.reference_text(label)
        else:
            text, title = label.title, f"{label.page.title} › {label.title}"
        if in_link:  # inside a link's text: the same words, not a second link
            a = etree.Element("span", {"class": "crossref", "title": title})
        else:
            a = etree.Element("a", {"class": "crossref", "href": self.href(label.page, label.id),
                                    "title": title})
        a.text = AtomicString(text)
        return a

    # -- reference lists -------------------------------------------------------------------------
    def bibliography_item(self, ref, section_links: dict | None = None) -> str:
        """An entry of the bibliography page: the reference, its COinS, and where it is cited.

        COinS (which Zotero offers to save) is written here only: on a page that cites works,
        Zotero would pick the works over the page itself, whose own metadata is in its head.
        The links back to the citing sections are finished HTML with the pages' published URLs
        (relative, so right under any sub-path), which neither generator rewrites: left in the tree
        as links to .md sources, thousands of them cost MkDocs more to resolve than the rest of the
        page. With list_in_comment they sit inside the comment markers, so Material's search
        plugin skips them (they name pages, not the work; the entry itself stays indexed), and so
        does the COinS, an empty element whose long attribute the plugin would parse for nothing
        (a third of its time on a 500-entry bibliography). ``section_links``, shared by the
        entries of one bibliography, keeps each section's link once written: a section that cites
        several works is linked from each of them."""
        links_of = {} if section_links is None else section_links
        uses = self.state.index.citations.get(ref.key, [])
        sections = {}  # (page, section id) → first use there, in order of appearance
        for use in uses:
            sections.setdefault((use.page.src, use.section.id), use)
        cited_in = ""
        if sections:
            for where, use in sections.items():
                if where not in links_of:
                    links_of[where] = (
                        f'<a href="{escape(self.url(use.page, use.section.id))}">'
                        f'{escape(use.page.title + (f" › {use.section.title}" if use.section.id else ""), quote=False)}</a>')
            links = "; ".join(links_of[where] for where in sections)
            cited_in = f'<span class="cited-in">Cited in: {links}.</span>'
            if self.getConfig("list_in_comment"):
                cited_in = f"{LIST_OPEN}{cited_in}{LIST_CLOSE}"
        coins = f'<span class="Z3988" title="{escape(export.coins(ref))}"></span>'
        if self.getConfig("list_in_comment"):
            coins = f"{LIST_OPEN}{coins}{LIST_CLOSE}"
        return (f'<li class="reference" id="ref-{escape(ref.key)}">{evidence_html.reference_text(ref)}'
                f'{coins}{self.passage_count(ref)}{cited_in}</li>')

    def url(self, page: index_module.PageInfo, fragment: str = "") -> str:
        """The published address of a page (and section), relative to the page being rendered."""
        here = self.state.page
        if here is not None and page is here and here.src:
            link = ""
        else:
            link = index_module.relative_url(here.url if here is not None else "", page.url)
        return link + (f"#{fragment}" if fragment else ("" if link else "./"))

    def downloads(self, refs, stem: str) -> str:
        """Buttons that save this page's works in three formats.

        The browser cuts them out of the site's own references.bib/.ris/.json (same origin),
        so each entry is written once per site rather than once per page that cites it. Finished
        HTML, with the bibliography page's published address (relative, as in "Cited in"), that
        goes with the list into the comment markers: Material's search plugin would otherwise
        parse its five tags and long attribute on every page, only to leave them out."""
        here = self.state.page
        root = index_module.relative_url(here.url, "") if here is not None and here.src else ""
        whole = self.state.index.bibliography_page
        more = (f' Or get the <a href="{escape(self.url(whole))}">whole bibliography</a> in the same formats.'
                if whole is not None and whole is not here else "")
        return (f'<p class="reference-downloads" data-keys="{escape(" ".join(r.key for r in refs))}" '
                f'data-root="{escape(root)}" data-stem="{escape(stem)}">Download these works as '
                f"{DOWNLOAD_BUTTONS}.{more}</p>")

    def reference_list(self) -> etree.Element:
        bib = self.state.index.bib
        refs = bib.sorted(self.state.cited)
        # Left out of the search index: the bibliography page already indexes every work once.
        section = etree.Element("section", {"class": "references", "aria-labelledby": "references",
                                            "data-search-exclude": ""})
        h2 = etree.SubElement(section, "h2", {"id": "references"})  # in the tree: the table of contents lists it
        h2.text = self.getConfig("references_title")
        # The entries and the downloads hold no link for the generator to rewrite: finished HTML,
        # stored as such, rather than a tree that every later step would walk.
        on_page = self.page_passages()  # looked up once for the list, not once per work
        head = written_from(bib).entry_head
        entries = "".join([head(ref.key) + (self.passages(ref, on_page) + "</li>" if ref.key in on_page else "</li>")
                           for ref in refs])
        self.mark_sections(section, on_page)
        stem = (self.state.page.src[:-3].replace("/", "-") if self.state.page and self.state.page.src
                else "references")
        body = f'<ul class="reference-list">{entries}</ul>{self.downloads(refs, f"{stem}-references")}'
        if self.getConfig("list_in_comment"):
            body = f"{LIST_OPEN}{body}{LIST_CLOSE}"
        etree.SubElement(section, "p").text = self.state.finish(body, block=True)
        return section

    # -- evidence: passages of the cited works (evidence/, issue 24) ---------------------------------
    def page_passages(self) -> dict:
        """This page's passages by work ({} for text that is not a page, or a site without any)."""
        page, idx = self.state.page, self.state.index
        if page is None or not page.src or idx is None or idx.evidence is None:
            return {}
        return idx.evidence.by_work(page.src)

    def passages(self, ref, on_page: dict | None = None) -> str:
        """The passages of one work that support this page's sections, under its entry (from
        ``on_page``, the page's passages by work, where the caller has them already)."""
        found = (self.page_passages() if on_page is None else on_page).get(ref.key)
        if not found:
            return ""
        return evidence_html.work_passages_html(found, ref.fields.get("url", ""), sections_of(self.state.page))

    def mark_sections(self, section: etree.Element, on_page: dict | None = None) -> None:
        """Name the page's section ids, in page order, on a reference list with passages: the
        preview (assets/cite.js) finds a citation's section as the last of them above it, the rule
        by which the index assigns citations to sections."""
        if self.page_passages() if on_page is None else on_page:
            ids = [sid for sid in sections_of(self.state.page) if sid != "top"]
            section.set("data-sections", " ".join(ids))

    def passage_count(self, ref) -> str:
        """On the bibliography page: how many passages of the work the site quotes (said once the
        site quotes any)."""
        evidence = self.state.index.evidence if self.state.index else None
        if evidence is None or not len(evidence):
            return ""
        html = evidence_html.count_html(evidence.count_by_work.get(ref.key, 0))
        # Like "Cited in", not words of the work: kept out of the search index with list_in_comment.
        return f"{LIST_OPEN}{html}{LIST_CLOSE}" if self.getConfig("list_in_comment") else html

    def bibliography_block(self, root) -> etree.Element:
        """Every work, as finished HTML stored once (no tree of thousands of elements for each
        later step to walk), in one list per initial letter behind an A–Z bar, so that a reader
        can jump through a few hundred entries."""
        div = etree.Element("div", {"class": "bibliography"})
        groups: dict[str, list[str]] = {}
        section_links: dict = {}
        for ref in self.state.index.bib.sorted():
            groups.setdefault(initial(ref.sort_key[0]), []).append(self.bibliography_item(ref, section_links))
        letters = [*ALPHABET, *(g for g in groups if g not in ALPHABET)]
        bar = "".join(
            f'<li><a href="#letter-{LETTER_IDS[g]}" aria-label="Works under {g}">{g}</a></li>' if g in groups
            else f'<li><span aria-hidden="true">{g}</span></li>' for g in letters)
        parts = [f'<nav class="az-bar" aria-label="Bibliography by initial letter"><ul>{bar}</ul></nav>']
        for g in letters:
            if g in groups:
                parts.append(f'<h2 class="az-letter" id="letter-{LETTER_IDS[g]}">{g}</h2>'
                             f'<ul class="reference-list">{"".join(groups[g])}</ul>')
        div.text = self.state.finish("".join(parts))
        return div


def makeExtension(**kwargs):
    return CitationsExtension(**kwargs)
