"""What the browser tests share: where Chromium is, which pages the site has, and small
page-side probes (search, palette, overflow) written once so each test reads as a sentence."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
THEME_PAGE = "themes/regional-security/"


def in_ci() -> bool:
    """CI must run the browser tests; elsewhere a missing browser only skips them."""
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def chromium_path() -> str | None:
    """Debian's Chromium (never a browser downloaded by `playwright install`)."""
    if CHROMIUM.exists():
        return str(CHROMIUM)
    return shutil.which("chromium")


def missing_browser() -> str | None:
    """Why the browser tests cannot run here, in one line; None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package 'playwright' is not installed"
    if chromium_path() is None:
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    return None


def site_paths(site: Path) -> list[str]:
    """Every HTML page of a built site as a URL path relative to its root ('' is the home page)."""
    paths = []
    for html in sorted(site.rglob("*.html")):
        rel = html.relative_to(site).as_posix()
        if rel == "index.html":
            paths.append("")
        elif rel.endswith("/index.html"):
            paths.append(rel[: -len("index.html")])
        else:
            paths.append(rel)
    return paths


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def is_foreign(url: str, site_origin: str) -> bool:
    """A request that leaves the served site (data:, blob: and about: stay in the page)."""
    scheme = urlsplit(url).scheme
    if scheme in {"data", "blob", "about"}:
        return False
    return origin(url) != site_origin


def search(page, query: str) -> list[str]:
    """Type a query into Material's search box the way a reader does; return the result links."""
    page.keyboard.press("/")
    page.wait_for_function("document.activeElement && document.activeElement.matches('input.md-search__input')")
    page.keyboard.type(query, delay=20)
    page.wait_for_function(
        """q => {
             const input = document.querySelector('input.md-search__input');
             const meta = document.querySelector('.md-search-result__meta');
             return input.value === q && meta && /matching document/i.test(meta.textContent);
           }""",
        arg=query,
    )
    # Material renders results as the worker answers each keystroke: read until they settle.
    previous = None
    for _ in range(20):
        hrefs = page.eval_on_selector_all(".md-search-result__link", "links => links.map(a => a.href)")
        if hrefs == previous:
            break
        previous = hrefs
        page.wait_for_timeout(150)
    return hrefs


def path_and_fragment(href: str, site_url: str) -> tuple[str, str]:
    """'http://host/themes/x/?h=q#sec' under site_url → ('themes/x/', 'sec')."""
    parts = urlsplit(href)
    root = urlsplit(site_url).path
    path = parts.path[len(root):] if parts.path.startswith(root) else parts.path
    return path, parts.fragment


def switch_to_dark(page) -> None:
    """Use Material's own palette toggle in the header (the choice persists for the session)."""
    page.locator("form[data-md-component=palette] label:not([hidden])").first.click()
    page.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'slate'")


def color_scheme(page) -> str | None:
    return page.evaluate("document.body.getAttribute('data-md-color-scheme')")


def serious_violations(response: dict) -> list[str]:
    """axe-core violations of serious or critical impact, one line per element."""
    lines = []
    for violation in response["violations"]:
        if violation.get("impact") not in {"serious", "critical"}:
            continue
        for node in violation["nodes"]:
            checks = node.get("any", []) + node.get("all", []) + node.get("none", [])
            message = checks[0]["message"] if checks else violation["help"]
            lines.append(f"{violation['id']} ({violation['impact']}) {' '.join(node['target'])}: {message}")
    return lines


#: Elements that stick out to the right of the viewport, outside any box that scrolls or clips
#: them: the culprits when a page scrolls sideways.
OVERFLOWING_JS = """() => {
  const width = document.scrollingElement.clientWidth;
  const clipped = el => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === 'auto' || o === 'scroll' || o === 'hidden' || o === 'clip') return true;
    }
    return false;
  };
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width && r.right > width + 1 && !clipped(el)) {
      out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
               (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '') +
               ' right=' + Math.round(r.right));
      if (out.length >= 5) break;
    }
  }
  return out;
}"""

#: For each table: the box that scrolls it sideways (Material's wrapper or the table itself).
TABLE_BOXES_JS = """() => [...document.querySelectorAll('article table')].map(table => {
  let box = table;
  for (let p = table; p && p !== document.body; p = p.parentElement) {
    const o = getComputedStyle(p).overflowX;
    if (o === 'auto' || o === 'scroll') { box = p; break; }
  }
  const overflowX = getComputedStyle(box).overflowX;
  const before = box.scrollLeft;
  box.scrollLeft = 40;
  const scrolled = box.scrollLeft > before;
  box.scrollLeft = before;
  return {box: box.className || box.tagName.toLowerCase(), overflowX, scrolled,
          wide: box.scrollWidth > box.clientWidth + 1,
          right: Math.round(box.getBoundingClientRect().right)};
})"""
