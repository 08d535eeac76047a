"""Every rule a contributor's change must pass, in one place.

``mdcite check`` prints what these rules find; ``mdcite build`` and ``mdcite serve`` run the very
same rules first and stop on any error, so the three commands can never disagree. Each problem is
one ``path:line:col: level: message`` with the fix in the message.
"""

from __future__ import annotations

import difflib
import fnmatch
import json
import posixpath
import re
from collections import Counter
from pathlib import Path

from markdown.extensions.toc import slugify

from . import anchors, config, figures
from . import index as index_module
from .errors import Diagnostic, did_you_mean
from .syntax import code_mask

# Pages whose every paragraph needs a citation (analysis, not navigation or method).
CITED_DIRS = ("themes/", "context/")
LINK_RE = re.compile(r"(?<!!)\[[^\]]*\]\((?P<target>[^)\s]+)(?:\s+\"[^\"]*\")?\)")
SUMMARY_RE = re.compile(r"^\{:?\s*\.summary\s*\}\s*$")
NOT_PROSE_RE = re.compile(r"^(#|\||!!!|\?\?\?|<|\[\[|\*\[|\{:|---|===|```|~~~|\[\^)")
LIST_RE = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
ID_RE = re.compile(r"""\{[^}\n]*#(?P<attr>[\w:.-]+)[^}\n]*\}|\bid=["'](?P<html>[^"']+)["']""")
LABELLED_LEVELS = ("2", "3")  # CONTRIBUTING: every ## and ### heading carries {#sec-…}


def blocks(page: index_module.PageInfo):
    """(first line, text) of each paragraph or list item, with code blanked out."""
    lines = code_mask(page.body.split("\n"), code=page.code)
    current: list[str] = []
    start = 0
    for n, raw in enumerate(lines + [""], start=1):
        line = raw.strip()
        starts_item = bool(LIST_RE.match(raw))
        if not line or starts_item or line.startswith("#"):
            if current:
                yield start + page.offset, current
            current = []
            if not line or line.startswith("#"):
                continue
        if not current:
            start = n
        current.append(line)


def uncited_paragraphs(page: index_module.PageInfo) -> list[Diagnostic]:
    found = []
    cited_lines = {t.line for t in page.tokens if t.kind in ("group", "intext")}
    for line, text in blocks(page):
        first = LIST_RE.sub("", text[0])
        if NOT_PROSE_RE.match(first) or SUMMARY_RE.match(text[-1]):
            continue
        if len(" ".join(text).split()) < 6:  # a label or a one-word list item, not a claim
            continue
        if not any(line <= n < line + len(text) for n in cited_lines):
            found.append(Diagnostic(page.shown, line, 1,
                                    "paragraph has no citation; cite its source as [@key], or mark a "
                                    "summary that only restates cited material with {: .summary }"))
    return found


def resolve(page_src: str, target: str) -> str:
    """The docs-relative path a relative link from page_src points to ("" outside docs/)."""
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(page_src), target))
    return "" if joined.startswith("..") else joined


def similar_page(src: str, idx: index_module.Index, from_src: str = "") -> str:
    """" (did you mean '…'?)" for a page whose path is nearly the one written, else ""; a path
    that resembles nothing gets no hint (any page would be a guess)."""
    near = difflib.get_close_matches(src, list(idx.pages), n=1, cutoff=0.8)
    if not near:
        return ""
    shown = posixpath.relpath(near[0], posixpath.dirname(from_src) or ".") if from_src else near[0]
    return f" (did you mean '{shown}'?)"


def page_anchors(page: index_module.PageInfo, idx: index_module.Index) -> set[str]:
    """The ids a page will have once built: labels and attribute ids, heading slugs, references."""
    found = {m.group("attr") or m.group("html") for m in ID_RE.finditer(page.body)}
    for _, _, text, attrs in page.headings:
        found.add(attrs.get("id") or slugify(text, "-"))
    masked = code_mask(page.body.split("\n"), code=page.code)
    for line in masked:  # headings without an attribute list get the toc extension's slug
        heading = re.match(r"^#{1,6}\s+(?P<text>[^{]+?)\s*#*\s*$", line)
        if heading:
            found.add(slugify(heading.group("text"), "-"))
    if page.cited:
        found.add("references")
        found.update(f"ref-{key}" for key in page.cited)
    if page is idx.bibliography_page and idx.bib is not None:
        found.update(f"ref-{key}" for key in idx.bib.references)
    for kind in idx.kinds:  # what an extension's generated blocks add
        found.update(kind.generated_anchors(page))
    moves = idx.moves.anchors.get(page.src, {}) if idx.moves else {}
    found.update(moves)
    return found


def broken_links(page: index_module.PageInfo, idx: index_module.Index) -> list[Diagnostic]:
    """Links to pages that do not exist and to anchors that the target page does not have."""
    found = []
    anchors_of: dict[str, set[str]] = {}
    lines = code_mask(page.body.split("\n"), link_targets=False, code=page.code)
    for n, line in enumerate(lines, start=1):
        for m in LINK_RE.finditer(line):
            target = m.group("target")
            path, _, fragment = target.partition("#")
            if "://" in path or path.startswith(("mailto:", "/")) or (path and not path.endswith(".md")):
                continue
            where = (page.shown, n + page.offset, m.start("target") + 1)
            src = resolve(page.src, path) if path else page.src
            other = idx.pages.get(src)
            if other is None:
                hint = similar_page(src, idx, page.src)
                found.append(Diagnostic(*where, f"link to '{path}', which does not exist{hint}"))
                continue
            if not fragment:
                continue
            if src not in anchors_of:
                anchors_of[src] = page_anchors(other, idx)
            if fragment not in anchors_of[src]:
                labelled = sorted(a for a in anchors_of[src] if a.startswith(label_prefixes(idx))) or sorted(anchors_of[src])
                found.append(Diagnostic(*where, f"link to '#{fragment}' on {other.src}, which has no such "
                                                f"anchor{did_you_mean(fragment, labelled)}"))
    return found


def label_prefix(page: index_module.PageInfo) -> str:
    """The page's own prefix for section ids: the one its labels already use, else its file name."""
    used = Counter(attrs["id"].split("-")[1] for _, _, _, attrs in page.headings
                   if attrs.get("id", "").startswith("sec-") and attrs["id"].count("-") >= 2)
    if used:
        return used.most_common(1)[0][0]
    stem = page.src[:-3].split("/")[-1]
    if stem != "index":
        return stem
    return posixpath.dirname(page.src).split("/")[-1] or "home"


def label_prefixes(idx: index_module.Index) -> tuple[str, ...]:
    """The prefixes of every family of labels the build knows (sec-, fig-, tbl-, an extension's own)."""
    return tuple(kind.prefix for kind in idx.kinds)


def unlabelled_headings(page: index_module.PageInfo, prefixes: tuple[str, ...]) -> list[Diagnostic]:
    """A ## or ### heading without {#sec-…}: its address would change with its wording."""
    found = []
    for line, col, text, attrs in page.headings:
        if attrs.get("level") not in LABELLED_LEVELS:
            continue
        label = attrs.get("id", "")
        if label.startswith(prefixes):
            continue  # a label of a known family; an invalid one is reported by the index
        words = "-".join(slugify(text, "-").split("-")[:4]) or "section"
        wanted = f"{{#sec-{label_prefix(page)}-{words}}}"
        problem = f"has the id '{label}', which does not start with 'sec-'" if label else "has no label"
        found.append(Diagnostic(page.shown, line, col,
                                f"heading '{text}' {problem}; add a permanent id such as {wanted} "
                                "at the end of the heading line"))
    return found


def nav_problems(idx: index_module.Index, root: Path, config_file: str = "mkdocs.yml") -> list[Diagnostic]:
    """With a nav in mkdocs.yml, every page must be in it (MkDocs' strict build refuses otherwise)
    and every page it names must exist."""
    text, data = config.read(root, config_file)
    nav = data.get("nav")
    if not nav:
        return []
    named = config.nav_sources(nav)
    lines = text.splitlines()
    start = next((n for n, row in enumerate(lines) if row.startswith("nav:")), 0)
    found = []
    for src in named:
        if src not in idx.pages:
            line = next((n + 1 for n in range(start, len(lines)) if src in lines[n]), start + 1)
            found.append(Diagnostic(config_file, line, lines[line - 1].find(src) + 1 if lines else 1,
                                    f"nav names '{src}', which is not a page in docs/{similar_page(src, idx)}"))
    listed = set(named)
    hidden = [p.strip().lstrip("/") for p in str(data.get("not_in_nav") or "").splitlines() if p.strip()]
    for page in idx.pages.values():
        if page.src in listed or any(fnmatch.fnmatch(page.src, p) for p in hidden):
            continue
        siblings = [s for s in named if posixpath.dirname(s) == posixpath.dirname(page.src)]
        beside = f", beside '{siblings[-1]}'" if siblings else ""
        found.append(Diagnostic(page.shown, 1, 1,
                                f"page is not in the nav of {config_file}; add '- {page.title}: {page.src}' "
                                f"there{beside} (or list it under not_in_nav)"))
    return found


def anchor_problems(idx: index_module.Index, root: Path) -> list[Diagnostic]:
    """Published anchors (the manifest, when the project keeps one) that are gone undeclared."""
    path = root / anchors.MANIFEST_FILE
    if not path.exists():
        return []
    manifest = json.loads(path.read_text(encoding="utf-8"))
    return anchors.check(idx, manifest, idx.moves or anchors.Moves())


def unused_entries(idx: index_module.Index) -> list[Diagnostic]:
    if idx.bib is None:
        return []
    return [Diagnostic(idx.bib.path, ref.line, 1, f"entry '{ref.key}' is never cited", "warning")
            for ref in idx.bib.references.values() if ref.key not in idx.citations]


def run(idx: index_module.Index, cited_dirs: tuple[str, ...] = CITED_DIRS,
        config_file: str = "mkdocs.yml") -> list[Diagnostic]:
    """Every rule, each problem once, in file order: the one list check, build and serve act on."""
    found = idx.all_diagnostics()
    for page in idx.pages.values():
        found.extend(broken_links(page, idx))
        found.extend(unlabelled_headings(page, label_prefixes(idx)))
        if page.src.startswith(cited_dirs):
            found.extend(uncited_paragraphs(page))
    found.extend(nav_problems(idx, idx.root, config_file))
    found.extend(config.problems(idx.root, config_file))
    found.extend(anchor_problems(idx, idx.root))
    found.extend(unused_entries(idx))
    found.extend(figures.check(idx))
    found.extend(skipped_checks(idx))
    # The bibliography first: a broken entry explains what follows from it.
    first = {d.path for d in idx.bib_errors.diagnostics} if idx.bib_errors else set()
    return sorted(dict.fromkeys(found), key=lambda d: (d.path not in first, d.path, d.line, d.col,
                                                        d.level == "note", d.message))


def skipped_checks(idx: index_module.Index) -> list[Diagnostic]:
    """One line, instead of every citation reported as an unknown key, when references.bib cannot
    be read at all (a broken entry alone is set aside, and the other entries serve the checks)."""
    if idx.bib is not None or not idx.bib_errors:
        return []
    first = idx.bib_errors.diagnostics[0]
    return [Diagnostic(first.path, first.line, first.col,
                       f"citation keys in pages and figure data were not checked; they will be once "
                       f"{first.path} can be read", "note")]


def summary(command: str, idx: index_module.Index, found: list[Diagnostic]) -> str:
    """"mdcite check: 18 pages, 90 entries, 1 error, 0 warnings" (singular where it is one)."""
    errors = sum(d.level == "error" for d in found)
    warnings = sum(d.level == "warning" for d in found)
    entries = len(idx.bib.references) if idx.bib else 0
    return (f"{command}: {plural(len(idx.pages), 'page')}, {plural(entries, 'entry', 'entries')}, "
            f"{plural(errors, 'error')}, {plural(warnings, 'warning')}")


def plural(count: int, one: str, many: str = "") -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"
