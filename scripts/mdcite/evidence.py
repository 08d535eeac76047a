"""Evidence: the passages of cited works that support a section's text (issue 24).

One YAML file per docs page, beside references.bib (``evidence/guide/setup.yml`` for
``docs/guide/setup.md``), each a list of passages. Every passage is checked against the
index, so a passage for a work, a section or a page that is not there, or one that lacks its
text, date or translation, is a located error like a bad citation. The YAML is read through its
node tree (PyYAML's ``compose``), which keeps the line and column of every item and value.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import os
import posixpath
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import Diagnostic

EVIDENCE_DIR = "evidence"
TOP = "top"  # the section before a page's first labelled heading
SUFFIX = ".yml"
REQUIRED = ("key", "section", "read", "passage")
FIELDS = REQUIRED + ("lang", "locator", "copy", "translation")
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
# A well-formed BCP 47 tag, loosely: a language subtag, then subtags of letters and digits.
LANG_RE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")
URL_RE = re.compile(r"https?://[^\s<>\"]+")
# Languages written right to left (their passages get dir="rtl").
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur", "ps", "ckb", "dv", "yi", "sd", "ug"})


@dataclass(frozen=True)
class Passage:
    """One passage, as an editor copied it from the copy of the source they read."""

    page: str  # the docs page it belongs to, relative to docs_dir ("guide/setup.md")
    key: str  # the cited work's references.bib key
    section: str  # the section id on that page, or "top"
    read: dt.date  # when the copy was read
    text: str  # the source's own words
    lang: str = "en"
    translation: str = ""  # the editors' English translation (required unless lang is English)
    locator: str = ""  # page, paragraph, article, timestamp, as the source has it
    copy: str = ""  # where the copy read lives, when it is not the entry's url
    path: str = ""  # the evidence file, as a contributor opens it
    line: int = 0
    col: int = 0

    @property
    def english(self) -> bool:
        return is_english(self.lang)

    @property
    def direction(self) -> str:
        """``rtl`` for Arabic, Persian and other right-to-left scripts, else ``auto``."""
        return "rtl" if self.lang.split("-")[0].lower() in RTL_LANGUAGES else "auto"


@dataclass
class Evidence:
    """Every passage of the project, by page, and what was wrong with the files."""

    passages: dict[str, list[Passage]] = field(default_factory=dict)  # page src → in file order
    diagnostics: list[Diagnostic] = field(default_factory=list)
    _by_work: dict[str, dict[str, list[Passage]]] = field(default_factory=dict, repr=False, compare=False)

    def of_page(self, src: str) -> list[Passage]:
        return self.passages.get(src, [])

    def by_work(self, src: str) -> dict[str, list[Passage]]:
        """A page's passages grouped under the works they quote, each group in file order.
        (Kept: each entry of the page's reference list asks for its own.)"""
        if src not in self._by_work:
            grouped: dict[str, list[Passage]] = defaultdict(list)
            for passage in self.of_page(src):
                grouped[passage.key].append(passage)
            self._by_work[src] = dict(grouped)
        return self._by_work[src]

    @functools.cached_property
    def count_by_work(self) -> Counter:
        """How many passages of each work the whole site quotes (for the bibliography page)."""
        return Counter(p.key for passages in self.passages.values() for p in passages)

    def __len__(self) -> int:
        return sum(len(v) for v in self.passages.values())


def is_english(lang: str) -> bool:
    return lang.split("-")[0].lower() == "en"


def page_of(evidence_file: str) -> str:
    """``guide/setup.yml`` (relative to the evidence folder) → ``guide/setup.md``."""
    return evidence_file[: -len(SUFFIX)] + ".md"


def file_of(page_src: str, folder: str = EVIDENCE_DIR) -> str:
    """``guide/setup.md`` → ``evidence/guide/setup.yml`` (where its passages go)."""
    return posixpath.join(folder, page_src[:-3] + SUFFIX)


def files(folder: Path) -> list[Path]:
    """Every YAML file under the evidence folder, in a stable order ([] when there is none)."""
    if not folder.is_dir():
        return []
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        found.extend(Path(dirpath) / n for n in sorted(filenames) if n.endswith((".yml", ".yaml")))
    return found


def signature(folder: Path) -> tuple:
    """Names, sizes and modification times of the evidence files: the index is rebuilt on a change."""
    return tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files(folder))


def sections_of(page) -> dict[str, str]:
    """The section ids of a page (labelled headings and clause-map entries, not the title) with
    their titles, in page order: the same headings the index assigns citations to."""
    found = {TOP: page.title}
    for _, _, text, attrs in page.headings:
        if attrs.get("level") != "1" and attrs.get("id"):
            found.setdefault(attrs["id"], text)
    return found


def cited_pairs(citations: dict) -> dict[str, dict[tuple[str, str], object]]:
    """Page src → (section, key) → the first citation of that work in that section."""
    pairs: dict[str, dict[tuple[str, str], object]] = defaultdict(dict)
    for key, uses in citations.items():
        for use in uses:
            if not use.page.src:
                continue
            pair = (use.section.id or TOP, key)
            first = pairs[use.page.src].get(pair)
            if first is None or (use.line, use.col) < (first.line, first.col):
                pairs[use.page.src][pair] = use
    return pairs


def near(word: str, candidates) -> str:
    """" (did you mean '…'?)" for the one candidate close to what was written, else "": the
    evidence errors already say what is allowed, so a hint is given only where it is likely."""
    found = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.75)
    return f" (did you mean '{found[0]}'?)" if found else ""


# libyaml's loader (through PyYAML) reads the evidence files about twenty times faster than
# PyYAML's own, with the same nodes, lines and columns; a file it refuses is read again by PyYAML's,
# whose messages the located errors quote. Without libyaml, PyYAML's alone.
FAST_LOADER = getattr(yaml, "CSafeLoader", None)


def compose(text: str) -> yaml.Node | None:
    """The YAML tree of ``text``, with each node's position."""
    if FAST_LOADER is not None:
        try:
            return yaml.compose(text, Loader=FAST_LOADER)
        except yaml.YAMLError:
            pass
    return yaml.compose(text, Loader=yaml.SafeLoader)


class _Reader:
    """Reads one evidence file into passages, recording each mistake at its place."""

    def __init__(self, shown: str, page, bib, pairs: dict[tuple[str, str], object]):
        self.shown = shown
        self.page = page
        self.bib = bib
        self.pairs = pairs
        self.sections = sections_of(page)
        self.problems: list[Diagnostic] = []
        self.seen: dict[tuple[str, str, str], int] = {}

    def error(self, node_or_mark, message: str) -> None:
        mark = getattr(node_or_mark, "start_mark", node_or_mark)
        self.problems.append(Diagnostic(self.shown, mark.line + 1, mark.column + 1, message))

    def read(self, text: str) -> list[Passage]:
        try:
            root = compose(text)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            where = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            what = " ".join(part for part in (exc.context, exc.problem) if part)
            self.problems.append(Diagnostic(self.shown, *where, f"malformed YAML: {what}"))
            return []
        except yaml.YAMLError as exc:
            self.problems.append(Diagnostic(self.shown, 1, 1, f"malformed YAML: {exc}"))
            return []
        if root is None or (isinstance(root, yaml.ScalarNode) and root.tag.endswith(":null")):
            return []
        if not isinstance(root, yaml.SequenceNode):
            self.error(root, "an evidence file is a list of passages, each item starting with '- key:'")
            return []
        passages = []
        for item in root.value:
            passage = self.item(item)
            if passage is not None:
                passages.append(passage)
        return passages

    def item(self, node) -> Passage | None:
        if not isinstance(node, yaml.MappingNode):
            self.error(node, "a passage is a mapping of fields (key, section, read, passage…), not a "
                             f"{'list' if isinstance(node, yaml.SequenceNode) else 'single value'}")
            return None
        values: dict[str, yaml.Node] = {}
        ok = True
        for name_node, value_node in node.value:
            name = str(name_node.value) if isinstance(name_node, yaml.ScalarNode) else ""
            if name not in FIELDS:
                self.error(name_node, f"unknown field '{name}'{near(name, FIELDS)}; a passage has "
                                      f"the fields {', '.join(FIELDS)}")
                ok = False
                continue
            if name in values:
                self.error(name_node, f"field '{name}' is given twice in one passage")
                ok = False
                continue
            if not isinstance(value_node, yaml.ScalarNode):
                self.error(value_node, f"'{name}' must be a single value, not a list or a mapping")
                ok = False
                continue
            values[name] = value_node
        text = {name: ("" if v.tag.endswith(":null") else str(v.value)) for name, v in values.items()}
        for name in REQUIRED:
            if not text.get(name, "").strip():
                what = {"read": "no read date; give the date the copy was read as read: YYYY-MM-DD",
                        "passage": "no passage text; copy the source's own words as passage: |-",
                        "key": "no key; name the cited work's references.bib key as key: …",
                        "section": "no section; give the section id (sec-…, art-…) or top as section: …"}[name]
                self.error(values.get(name, node), f"passage has {what}")
                ok = False
        read = self.date(values.get("read"), text.get("read", ""))
        lang = text.get("lang", "").strip() or "en"
        if "lang" in values and not LANG_RE.fullmatch(lang):
            self.error(values["lang"], f"lang '{lang}' is not a language tag; use a BCP 47 tag such as "
                                       "en, ru, fa, ar or hr")
            ok = False
        if not is_english(lang) and text.get("passage", "").strip() and not text.get("translation", "").strip():
            self.error(values.get("translation", node),
                       f"passage in '{lang}' has no translation; add the editors' English translation "
                       "as translation: |-")
            ok = False
        if is_english(lang) and text.get("translation", "").strip():
            self.error(values["translation"], f"passage is taken as English (lang '{lang}') but has a "
                                              "translation; give the passage's own language as lang: ru, fa, ar…")
            ok = False
        copy = text.get("copy", "").strip()
        if copy and not URL_RE.fullmatch(copy):
            self.error(values["copy"], f"copy must be a plain http:// or https:// address, not '{copy[:60]}'")
            ok = False
        key, section = text.get("key", "").strip(), text.get("section", "").strip()
        if key and not self.work_known(values["key"], key):
            ok = False
        elif key and section and not self.section_cites(values["section"], section, key):
            ok = False
        if not ok or read is None:
            return None
        passage_text = text["passage"].strip()
        same = (key, section, " ".join(passage_text.split()))
        if same in self.seen:
            self.error(node, f"duplicate passage: the same passage of '{key}' for section '{section}' is "
                             f"already at line {self.seen[same]}; remove one")
            return None
        self.seen[same] = node.start_mark.line + 1
        return Passage(self.page.src, key, section, read, passage_text, lang,
                       text.get("translation", "").strip(), text.get("locator", "").strip(), copy,
                       self.shown, node.start_mark.line + 1, node.start_mark.column + 1)

    def date(self, node, value: str) -> dt.date | None:
        if node is None or not value.strip():
            return None  # reported as missing
        try:
            if not DATE_RE.fullmatch(value.strip()):
                raise ValueError
            day = dt.date.fromisoformat(value.strip())
        except ValueError:
            self.error(node, f"read date '{value.strip()}' is not a date; write it as YYYY-MM-DD")
            return None
        if day > dt.date.today() + dt.timedelta(days=1):  # a day's grace for time zones
            self.error(node, f"read date {day.isoformat()} is in the future; give the day the copy was read")
            return None
        return day

    def work_known(self, node, key: str) -> bool:
        if self.bib is None:
            return True  # the bibliography's own errors are reported first
        if key in self.bib:
            return True
        if key in getattr(self.bib, "broken", ()):
            return False  # its entry is set aside with its own error: no second one here
        hint = near(key, self.page.cited) or near(key, self.bib.references)  # the page's works first
        self.error(node, f"unknown key '{key}'{hint}; a passage quotes a work of references.bib that "
                         "the section cites")
        return False

    def section_cites(self, node, section: str, key: str) -> bool:
        if self.bib is None:
            return True  # without a bibliography no citation was read: its errors come first
        if section not in self.sections:
            labelled = [s for s in self.sections if s != TOP]
            self.error(node, f"{self.page.shown} has no section '{section}'"
                             f"{near(section, labelled)}; use a heading's id or top")
            return False
        if (section, key) in self.pairs:
            return True
        cited = sorted(k for s, k in self.pairs if s == section)
        where = "the top of the page" if section == TOP else f"section '{section}'"
        also = f"; it cites {', '.join(cited)}" if cited else "; it cites no work"
        self.error(node, f"{where} of {self.page.shown} does not cite '{key}'{also}")
        return False


def load(root: Path, base: Path, pages: dict, bib, citations: dict, shown=None) -> Evidence:
    """Every evidence file under the folder ``base``, checked against the pages, the bibliography
    and the citations (an empty Evidence when the folder does not exist). ``shown`` gives a file's
    path as a contributor opens it, relative to ``root``."""
    evidence = Evidence()
    pairs = cited_pairs(citations)
    for path in files(base):
        rel = path.relative_to(base).as_posix()
        name = shown(path, root) if shown else path.as_posix()
        if not rel.endswith(SUFFIX):
            evidence.diagnostics.append(Diagnostic(name, 1, 1, f"evidence files end in {SUFFIX}; rename it "
                                                               f"to {rel.rsplit('.', 1)[0]}{SUFFIX}"))
            continue
        src = page_of(rel)
        page = pages.get(src)
        if page is None:
            others = [file_of(p, "") for p in pages]
            evidence.diagnostics.append(Diagnostic(name, 1, 1,
                f"evidence file for docs page '{src}', which does not exist"
                f"{near(rel, others)}; an evidence file mirrors its page's path"))
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            evidence.diagnostics.append(Diagnostic(name, 1, 1, f"not UTF-8 (byte 0x{exc.object[exc.start]:02x})"))
            continue
        reader = _Reader(name, page, bib, pairs.get(src, {}))
        found = reader.read(text)
        evidence.diagnostics.extend(reader.problems)
        if found:
            evidence.passages[src] = found
    return evidence


@dataclass(frozen=True)
class PageCoverage:
    """How many of a page's (section, work) pairs carry at least one passage."""

    src: str
    shown: str
    pairs: int
    covered: int
    missing: tuple = ()  # the first citation of each pair without a passage, in page order

    @property
    def share(self) -> float:
        return self.covered / self.pairs if self.pairs else 1.0


def coverage(idx) -> list[PageCoverage]:
    """Coverage of every page that cites a work, in path order: what ``mdcite check`` reports."""
    pairs = cited_pairs(idx.citations)
    evidence = idx.evidence or Evidence()
    found = []
    for src in sorted(pairs):
        quoted = {(p.section, p.key) for p in evidence.of_page(src)}
        missing = sorted((use for pair, use in pairs[src].items() if pair not in quoted),
                         key=lambda use: (use.line, use.col))
        found.append(PageCoverage(src, idx.pages[src].shown, len(pairs[src]),
                                  len(pairs[src]) - len(missing), tuple(missing)))
    return found


def percent(covered: int, total: int) -> str:
    return f"{(100 * covered / total) if total else 100:.0f}%"
