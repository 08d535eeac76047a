"""Reading the built site: its pages, parsed once, and the Markdown sources behind them."""

from __future__ import annotations

import functools
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


def lychee(folder: Path) -> subprocess.CompletedProcess:
    """lychee offline over a built folder: every internal link and #fragment must resolve."""
    exe = Path(sys.executable).parent / "lychee"
    return subprocess.run(
        [str(exe), "--offline", "--include-fragments", "--no-progress", "--index-files",
         "index.html", "--exclude-path", r"404\.html", str(folder)],
        capture_output=True, text=True,
    )
