"""Checks a contributor can run in a second, without building the site."""

from __future__ import annotations

import re
from pathlib import Path

from . import figures
from . import index as index_module
from .errors import Diagnostic
from .syntax import code_mask

LINK_RE = re.compile(r"(?<!!)\[[^\]]*\]\((?P<target>[^)\s]+)(?:\s+\"[^\"]*\")?\)")
SUMMARY_RE = re.compile(r"^\{:?\s*\.summary\s*\}\s*$")
NOT_PROSE_RE = re.compile(r"^(#|\||!!!|\?\?\?|<|\[\[|\*\[|\{:|---|===|```|~~~|\[\^)")
LIST_RE = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")


def blocks(page: index_module.PageInfo):
    """(first line, text) of each paragraph or list item, with code blanked out."""
    lines = code_mask(page.body.split("\n"))
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


def broken_md_links(page: index_module.PageInfo, idx: index_module.Index) -> list[Diagnostic]:
    found = []
    lines = code_mask(page.body.split("\n"), link_targets=False)
    for n, line in enumerate(lines, start=1):
        for m in LINK_RE.finditer(line):
            target = m.group("target").split("#", 1)[0]
            if not target.endswith(".md") or "://" in target:
                continue
            resolved = (Path(page.src).parent / target).as_posix()
            parts: list[str] = []
            for part in resolved.split("/"):
                if part == "..":
                    if parts:
                        parts.pop()
                elif part not in ("", "."):
                    parts.append(part)
            if "/".join(parts) not in idx.pages:
                found.append(Diagnostic(page.shown, n + page.offset, m.start("target") + 1,
                                        f"link to '{target}', which does not exist"))
    return found


def unused_entries(idx: index_module.Index) -> list[Diagnostic]:
    if idx.bib is None:
        return []
    return [Diagnostic(idx.bib.path, ref.line, 1, f"entry '{ref.key}' is never cited", "warning")
            for ref in idx.bib.references.values() if ref.key not in idx.citations]


def run(idx: index_module.Index, cited_prefixes: tuple[str, ...]) -> list[Diagnostic]:
    found = idx.all_diagnostics()
    for page in idx.pages.values():
        found.extend(broken_md_links(page, idx))
        if page.src.startswith(cited_prefixes):
            found.extend(uncited_paragraphs(page))
    found.extend(unused_entries(idx))
    found.extend(figures.check(idx))
    return found
