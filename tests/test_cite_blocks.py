"""Cite blocks and page dates on a real build of a scratch git repository made from the project.

History of the scratch repository: every file committed on 20 November 2026; the method page
retitled and given a section whose heading and title hold escaped markup, a double quote and the
BibTeX specials, on 25 November (tagged as the edition v2026.11); the energy page edited on
2 December; the glossary edited and left uncommitted. The site is built from it with MkDocs and
with Zensical (SOURCE_DATE_EPOCH fixes the build's date at 24 December 2026), and the tag is built
as publish.py builds an edition.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import functools
import http.server
import importlib.util
import json
import os
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import bibtexparser
import extruct
import lxml.html
import pytest
import rispy
from bibtexparser.middlewares import LatexDecodingMiddleware
from pybtex.database import parse_string

from tests.browser_helpers import DESKTOP, LAUNCH_ARGS, chromium_path, in_ci, missing_browser
from tests.helpers import copy_project, mdcite
from tests.site_pages import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import publish  # noqa: E402

pytestmark = pytest.mark.slow
BUILD_DAY = dt.date(2026, 12, 24)
BUILD_EPOCH = str(int(dt.datetime(2026, 12, 24, 12, tzinfo=dt.UTC).timestamp()))
# Text, as a reader sees it: escaped markup that must stay text, a quote, the BibTeX specials.
HOSTILE = '"Look East" <img src=x onerror=window.pwned=1> & % $ # _ { }'
HOSTILE_MD = '"Look East" &lt;img src=x onerror=window.pwned=1&gt; & % $ # _ { }'
PROBE_ID = "sec-cite-probe"
PAGE_TITLE = f"The {HOSTILE} policy"
# The section's title as its heading shows it: the smarty extension curls a heading's quotes.
SECTION_TITLE = f"{PAGE_TITLE}: A probe: " + HOSTILE.replace('"Look East"', "“Look East”")


def git(repo: Path, *args: str, day: str = "") -> None:
    env = os.environ | ({"GIT_AUTHOR_DATE": f"{day}T10:00:00+00:00", "GIT_COMMITTER_DATE": f"{day}T10:00:00+00:00"}
                        if day else {})
    subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", *args],
                   cwd=repo, check=True, capture_output=True, env=env)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@dataclass
class Scratch:
    repo: Path
    mkdocs: Path  # the living site built by MkDocs
    zensical: Path | None  # the same by Zensical (None without it)
    edition: Path  # the tag v2026.11 built as publish.py builds an edition


def build(repo: Path, *args: str) -> None:
    done = mdcite(repo, "build", *args, env={"SOURCE_DATE_EPOCH": BUILD_EPOCH, "PYTHONPATH": str(repo / "scripts")})
    if done.returncode != 0:
        pytest.fail(f"mdcite build {' '.join(args)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Scratch:
    repo = copy_project(ROOT, tmp_path_factory.mktemp("cite") / "repo")
    git(repo, "init", "--quiet", "--initial-branch=main")
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "-m", "The site", day="2026-11-20")
    method = repo / "docs" / "about" / "method.md"
    edit(method, "title: Method and sourcing policy", f"title: '{PAGE_TITLE.replace(HOSTILE, HOSTILE_MD)}'")
    edit(method, "## What we publish", f"## A probe: {HOSTILE_MD} {{#{PROBE_ID}}}\n\nA probe section.\n\n"
                                       "## What we publish")
    subprocess.run([sys.executable, "-m", "mdcite.cli", "anchors"], cwd=repo, check=True, capture_output=True,
                   env=os.environ | {"PYTHONPATH": str(repo / "scripts")})
    git(repo, "commit", "--quiet", "-am", "The method page's probe", day="2026-11-25")
    git(repo, "tag", "-a", "v2026.11", "-m", "November edition")
    edit(repo / "docs" / "themes" / "energy.md", "\n## ", "\n<!-- A change of 2 December. -->\n\n## ")
    git(repo, "commit", "--quiet", "-am", "The energy page changes", day="2026-12-02")
    edit(repo / "docs" / "context" / "glossary.md", "\n## ", "\n<!-- An edit not yet committed. -->\n\n## ")
    build(repo, "--site-dir", "site")
    zensical = None
    if importlib.util.find_spec("zensical") is not None:
        build(repo, "--generator", "zensical", "--site-dir", "site-zensical")
        zensical = repo / "site-zensical"
    edition = repo / "edition"
    env = os.environ.copy()
    os.environ["SOURCE_DATE_EPOCH"] = BUILD_EPOCH
    try:
        reason = publish.build_edition(repo, publish.Edition("v2026.11", "2026-11", dt.date(2026, 11, 25), ""),
                                       edition, "https://example.org/editions/2026-11/")
    finally:
        os.environ.clear()
        os.environ.update(env)
    assert reason is None, reason
    return Scratch(repo, repo / "site", zensical, edition)


def page(site: Path, url: str):
    return lxml.html.parse(str(site / url / "index.html")).getroot()


def date_modified(site: Path, url: str) -> str:
    text = (site / url / "index.html").read_text(encoding="utf-8")
    items = extruct.extract(text, syntaxes=["json-ld"], uniform=True)["json-ld"]
    return next(i for i in items if i.get("@type") == "Article")["dateModified"]


def head(site: Path, url: str) -> dict[str, list[str]]:
    tags: dict[str, list[str]] = {}
    for m in page(site, url).xpath("//head/meta[@name or @property]"):
        tags.setdefault(m.get("name") or m.get("property"), []).append(m.get("content"))
    return tags


def living(block) -> dict[str, str]:
    """A block's living formats, as the reader copies them (before the browser fills the date)."""
    dl = block.cssselect("dl.cite-formats")[0]
    return {el.get("data-format"): el.text_content() for el in dl.cssselect(".cite-text")}


def decoded(bibtex: str) -> str:
    """The title of a BibTeX entry as bibtexparser reads it, LaTeX decoded (pylatexenc)."""
    library = bibtexparser.parse_string(bibtex, append_middleware=[LatexDecodingMiddleware()])
    assert not library.failed_blocks and len(library.entries) == 1
    return library.entries[0]["title"]


def page_block(site: Path, url: str):
    return page(site, url).cssselect("details#cite-this-page")[0]


def section_block(site: Path, url: str, fragment: str):
    return page(site, url).cssselect(f'details.cite-section[data-section="{fragment}"]')[0]


# Dates ---------------------------------------------------------------------------------------------

def test_a_page_changed_by_a_commit_of_2_december_is_dated_2_december_everywhere(scratch):
    site = scratch.mkdocs
    assert date_modified(site, "themes/energy") == "2026-12-02"
    tags = head(site, "themes/energy")
    assert tags["citation_online_date"] == ["2026/12/02"] and tags["dc.date"] == ["2026-12-02"]
    formats = living(page_block(site, "themes/energy"))
    assert "Last modified 2 December 2026." in formats["chicago"]
    assert "(2026, December 2)" in formats["apa"]
    assert "date         = {2026-12-02}" in formats["bibtex"]
    assert "DA  - 2026/12/02" in formats["ris"]
    assert json.loads(formats["csl"])[0]["issued"] == {"date-parts": [[2026, 12, 2]]}
    for block in page(site, "themes/energy").cssselect("details.cite-section"):
        assert "Last modified 2 December 2026." in living(block)["chicago"]


def test_every_other_page_keeps_the_date_of_its_own_last_change(scratch):
    expected = {"": "2026-11-20", "themes/defence": "2026-11-20", "references": "2026-11-20",
                "about/method": "2026-11-25", "themes/energy": "2026-12-02"}
    found = {url: date_modified(scratch.mkdocs, url or ".") for url in expected}
    assert found == expected


def test_an_uncommitted_page_is_dated_by_the_build(scratch):
    assert date_modified(scratch.mkdocs, "context/glossary") == BUILD_DAY.isoformat()
    assert "Last modified 24 December 2026." in living(page_block(scratch.mkdocs, "context/glossary"))["chicago"]


def test_an_edition_keeps_the_dates_of_its_tag(scratch):
    assert date_modified(scratch.edition, "themes/energy") == "2026-11-20"
    assert date_modified(scratch.edition, "about/method") == "2026-11-25"
    assert date_modified(scratch.edition, "context/glossary") == "2026-11-20"
    block = page_block(scratch.edition, "themes/energy")
    assert block.get("data-url") == "https://example.org/editions/2026-11/themes/energy/"
    assert "Last modified 20 November 2026." in living(block)["chicago"]


def test_zensical_gives_each_page_the_same_date_and_blocks_as_mkdocs(scratch):
    if scratch.zensical is None:
        pytest.skip("zensical is not installed")
    for url in ["", "themes/energy", "about/method", "context/glossary", "references"]:
        assert date_modified(scratch.zensical, url or ".") == date_modified(scratch.mkdocs, url or "."), url
        assert head(scratch.zensical, url or ".")["citation_title"] == head(scratch.mkdocs, url or ".")["citation_title"]
        ours = [living(b) for b in page(scratch.mkdocs, url or ".").cssselect("details.cite-block")]
        theirs = [living(b) for b in page(scratch.zensical, url or ".").cssselect("details.cite-block")]
        assert theirs == ours, url


# Escaping ------------------------------------------------------------------------------------------

def test_head_metadata_tags_stay_whole_around_a_quoted_title(scratch):
    tags = head(scratch.mkdocs, "about/method")
    for name in ("citation_title", "dc.title", "og:title"):
        assert tags[name] == [PAGE_TITLE], name
    assert tags["citation_author"] == ["The editors of the Russia–Iran Treaty Reference"]
    text = (scratch.mkdocs / "about/method/index.html").read_text(encoding="utf-8")
    items = extruct.extract(text, syntaxes=["json-ld"], uniform=True)["json-ld"]
    assert next(i for i in items if i.get("@type") == "Article")["headline"] == PAGE_TITLE


def test_the_section_blocks_cite_the_heading_as_text_in_every_format(scratch):
    block = section_block(scratch.mkdocs, "about/method", PROBE_ID)
    title = SECTION_TITLE
    url = f"https://treaty-guide.example.org/about/method/#{PROBE_ID}"
    formats = living(block)
    assert formats["chicago"].startswith(f"The editors of the Russia–Iran Treaty Reference. 2026. “{title}.” ")
    assert f"{url}." in formats["chicago"]
    assert block.cssselect('[data-format="apa"] em')[0].text_content() == title
    assert not block.cssselect("img") and not block.cssselect("[onerror]")


def test_the_section_bibtex_parses_and_decodes_to_the_title(scratch):
    text = living(section_block(scratch.mkdocs, "about/method", PROBE_ID))["bibtex"]
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks and len(library.entries) == 1
    entry = library.entries[0]
    assert entry.key == f"treatyguide-about-method-{PROBE_ID}"
    assert decoded(text) == SECTION_TITLE
    assert parse_string(text, "bibtex").entries[entry.key].fields["url"].endswith(f"#{PROBE_ID}")


def test_the_section_ris_and_csl_json_parse_with_the_title(scratch):
    formats = living(section_block(scratch.mkdocs, "about/method", PROBE_ID))
    title = SECTION_TITLE
    record = rispy.loads(formats["ris"])[0]
    assert record["title"] == title and record["type_of_reference"] == "ELEC"
    item = json.loads(formats["csl"])[0]
    assert item["title"] == title and item["URL"].endswith(f"#{PROBE_ID}")


def test_the_page_block_bibtex_parses_with_the_quoted_title(scratch):
    text = living(page_block(scratch.mkdocs, "about/method"))["bibtex"]
    assert not bibtexparser.parse_string(text).failed_blocks
    assert decoded(text) == PAGE_TITLE


# In a browser --------------------------------------------------------------------------------------

class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def browse(root: Path) -> dict:
    from playwright.sync_api import sync_playwright

    handler = functools.partial(_Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    seen = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path(), args=LAUNCH_ARGS)
            tab = browser.new_page(viewport=DESKTOP)
            tab.route(lambda url: not url.startswith("http://127.0.0.1"), lambda route: route.abort())
            tab.goto(f"http://127.0.0.1:{server.server_address[1]}/about/method/")
            tab.wait_for_function("() => !document.querySelector('.cite-block .cite-accessed')"
                                  ".textContent.startsWith('[')")
            tab.wait_for_timeout(300)  # a broken image's onerror would have fired by now
            seen["pwned"] = tab.evaluate("() => window.pwned === undefined ? null : window.pwned")
            seen["images"] = tab.evaluate("() => document.querySelectorAll('article img[onerror], "
                                          "article img[src=x]').length")
            block = tab.locator(f'details.cite-section[data-section="{PROBE_ID}"]')
            seen["chicago"] = block.locator('[data-format="chicago"]').text_content()
            seen["version"] = block.locator(".cite-version").count()
            browser.close()
    finally:
        server.shutdown()
    return seen


@pytest.mark.browser
def test_a_heading_of_escaped_markup_runs_nothing_in_a_browser(scratch):
    reason = missing_browser()
    if reason:
        if in_ci():
            pytest.fail(f"browser tests must run in CI: {reason}", pytrace=False)
        pytest.skip(f"browser tests skipped: {reason}")
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        seen = pool.submit(browse, scratch.mkdocs).result()
    assert seen["pwned"] is None and seen["images"] == 0
    assert f"“{SECTION_TITLE}.”" in seen["chicago"] and "[date accessed]" not in seen["chicago"]
    assert seen["version"] == 1  # the page block's wording of the version, copied as markup we built
