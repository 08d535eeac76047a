"""Reading the built site: its pages, parsed once, and the Markdown sources behind them."""

from __future__ import annotations

import functools
import shutil
import subprocess
import sys
from pathlib import Path

import lxml.html

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
THEMES = ["defence", "regional-security", "sanctions-finance", "transport", "energy",
          "frictions", "outlook"]
CONTEXT = ["background", "comparison", "timeline", "glossary"]


def html_pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if p.name != "404.html")


@functools.cache
def parse(path: Path):
    return lxml.html.parse(str(path)).getroot()


def article(doc):
    """The page's own content (Material's article), without the cite block."""
    found = doc.cssselect("article.md-content__inner")
    return found[0] if found else doc


def page_for(site: Path, src: str) -> Path:
    stem = src[:-3]
    if stem == "index":
        return site / "index.html"
    if stem.endswith("/index"):
        return site / stem[:-6] / "index.html"
    return site / stem / "index.html"


def lychee(folder: Path, root_dir: Path | None = None) -> subprocess.CompletedProcess:
    """lychee offline over every HTML file of a built folder, 404.html included: every internal
    link and #fragment must resolve; a link from the host's root ("/…") resolves in root_dir."""
    exe = Path(sys.executable).parent / "lychee"
    return subprocess.run(
        [str(exe), "--offline", "--include-fragments", "--no-progress", "--index-files", "index.html",
         "--root-dir", str((root_dir or folder).resolve()), str(folder)],
        capture_output=True, text=True,
    )


def on_a_host(site: Path, sub_path: str) -> Path:
    """The built site copied to /<sub_path>/ of an otherwise empty host folder (a GitHub Pages
    project site); returns the copy."""
    served = site.parent / "host" / sub_path
    shutil.rmtree(served.parent, ignore_errors=True)
    shutil.copytree(site, served)
    return served


def unresolved_links(page: Path, root_dir: Path) -> list[str]:
    """The links and assets of a page that lead nowhere on its own host: a protocol-relative
    "//…" link (it names another host), or a path with no file behind it. lychee's offline mode
    skips "//…" as external, so this looks at them itself."""
    found = []
    doc = lxml.html.parse(str(page)).getroot()  # not the cached parse: a host folder is rewritten
    for element, attribute, link, _ in doc.iterlinks():
        if attribute not in ("href", "src") or element.tag == "base":
            continue
        if link.startswith("//"):
            found.append(link)
            continue
        if "://" in link or link.startswith(("mailto:", "#", "javascript:", "data:")):
            continue
        path = link.split("#", 1)[0].split("?", 1)[0]
        if "//" in path:  # a path joined to a base that already ended in "/"
            found.append(link)
            continue
        target = root_dir / path.lstrip("/") if path.startswith("/") else page.parent / path
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            found.append(link)
    return found
