"""Published anchors stay published: a committed manifest, and declared moves for what changed.

The moves file (``docs/about/anchor-aliases.yml``) maps, per page, an old anchor to its new id;
the extension keeps the old anchor working on the page. Its ``moved-pages`` key maps an old page
to its new page; ``mdcite build`` writes a redirect at the old address. The index reads the moves
file with the other sources (``index.load_moves``); this module only uses the index, never the
other way round.
"""

from __future__ import annotations

import html
import json
import posixpath
from pathlib import Path
from urllib.parse import quote

from .errors import Diagnostic
from .index import ALIASES_FILE, MANIFEST_FILE, MOVED_PAGES, Moves, load_moves, page_url

__all__ = ["ALIASES_FILE", "MANIFEST_FILE", "Moves", "load_moves", "check", "current_anchors",
           "page_url_of", "redirect_html", "write_manifest"]


def current_anchors(idx) -> dict[str, list[str]]:
    """Every section and article anchor the sources define, by page URL."""
    found: dict[str, list[str]] = {}
    for label in idx.labels.values():
        found.setdefault(label.page.url, []).append(label.id)
    return {url: sorted(ids) for url, ids in sorted(found.items())}


def write_manifest(idx, root: Path, name: str = MANIFEST_FILE) -> None:
    """Add today's anchors to the manifest; published anchors are never dropped from it."""
    path = root / name
    manifest = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    for url, ids in current_anchors(idx).items():
        manifest[url] = sorted(set(manifest.get(url, [])) | set(ids))
    path.write_text(json.dumps(dict(sorted(manifest.items())), indent=2) + "\n", encoding="utf-8")


def check(idx, manifest: dict[str, list[str]], moves: Moves, name: str = MANIFEST_FILE) -> list[Diagnostic]:
    """A published anchor that is gone must be declared moved; a declared target must exist."""
    problems: list[Diagnostic] = []
    by_url = {page.url: page for page in idx.pages.values()}
    moved_urls = {page_url_of(old): new for old, new in moves.pages.items()}
    now = current_anchors(idx)
    for url, ids in manifest.items():
        page = by_url.get(url)
        if page is None:
            if url in moved_urls:
                target = moved_urls[url]
                if target not in idx.pages:
                    problems.append(Diagnostic(ALIASES_FILE, 1, 1,
                                               f"page '{url}' is said to have moved to '{target}', which does not exist"))
                continue
            problems.append(Diagnostic(name, 1, 1,
                                       f"published page '{url}' is gone; declare where it moved under "
                                       f"'{MOVED_PAGES}:' in {ALIASES_FILE}"))
            continue
        aliases = moves.anchors.get(page.src, {})
        for anchor in ids:
            if anchor in now.get(url, []):
                continue
            if anchor in aliases:
                if aliases[anchor] not in now.get(url, []):
                    problems.append(Diagnostic(ALIASES_FILE, 1, 1,
                                               f"alias '{anchor}' on {page.src} points to '{aliases[anchor]}', "
                                               "which is not an anchor of that page"))
                continue
            problems.append(Diagnostic(page.shown, 1, 1,
                                       f"published anchor '#{anchor}' is gone; keep the id, or declare "
                                       f"'{anchor}: <new-id>' under '{page.src}' in {ALIASES_FILE}"))
    return problems


def page_url_of(src: str) -> str:
    return page_url(src)


def redirect_html(from_url: str, to_url: str) -> str:
    """A static redirect for a moved page: works without JavaScript and tells search engines.
    The address is written as a URL (percent-encoded) and then escaped for HTML."""
    target = posixpath.relpath(to_url or ".", from_url.rstrip("/") or ".") + "/"
    href = html.escape(quote(target, safe="/.-_~"))
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f'<title>Moved</title><link rel="canonical" href="{href}">'
            f'<meta http-equiv="refresh" content="0; url={href}"></head>'
            f'<body><p>This page has moved to <a href="{href}">{html.escape(target)}</a>.</p></body></html>\n')
