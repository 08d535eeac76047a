"""Passages in a real browser (Chromium via Playwright) on the fixture project: a citation's
preview shows the passages that support its own section, and print shows every passage open.

Without Chromium these tests skip with one line; under CI (CI=true) they fail instead."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from pathlib import Path

import pytest

from tests.browser_helpers import DESKTOP, LAUNCH_ARGS, chromium_path, in_ci, missing_browser
from tests.helpers import copy_project, mdcite

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "project"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def articles(tmp_path_factory):
    """The fixture's clause map, built by `mdcite build` and served on 127.0.0.1, in Chromium."""
    reason = missing_browser()
    if reason:
        (pytest.fail if in_ci() else pytest.skip)(f"browser tests skipped: {reason}")
    project = copy_project(FIXTURE, tmp_path_factory.mktemp("evidence-browser") / "project")
    (project / "docs" / "assets").mkdir()
    for asset in ("cite.js", "site.css"):  # the site's own script and styles, as mkdocs.yml loads them
        shutil.copy(ROOT / "docs" / "assets" / asset, project / "docs" / "assets" / asset)
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8")
                      + "extra_javascript: [assets/cite.js]\nextra_css: [assets/site.css]\n", encoding="utf-8")
    done = mdcite(project, "build")
    assert done.returncode == 0, done.stdout + done.stderr
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(project / "site")))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=chromium_path(), args=LAUNCH_ARGS)
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(f"http://127.0.0.1:{server.server_address[1]}/articles/", wait_until="load")
    yield page
    context.close()
    browser.close()
    playwright.stop()
    server.shutdown()


def preview_of(page, nth: int):
    """Hover the nth citation of the article and return its preview once shown."""
    page.mouse.move(0, 0)
    page.locator("#cite-preview").wait_for(state="hidden") if page.locator("#cite-preview").count() else None
    citation = page.locator("article a.citation").nth(nth)
    citation.hover()
    page.wait_for_function("el => el.getAttribute('aria-describedby') === 'cite-preview'",
                           arg=citation.element_handle())
    preview = page.locator("#cite-preview")
    preview.wait_for(state="visible")
    return preview


def test_the_preview_of_a_citation_shows_the_passage_of_its_own_section(articles):
    preview = preview_of(articles, 1)  # "Purpose [@treaty-2025]" in Article 1
    quotes = preview.locator("blockquote.evidence")
    assert quotes.count() == 1
    assert quotes.get_attribute("data-section") == "art-1"
    text = " ".join(preview.inner_text().split())
    assert "Ugovorne strane nastoje produbiti i proširiti odnose" in text
    assert "The editors’ translation: The Contracting Parties strive to deepen" in text
    assert "Expressing interest" not in text  # the preamble's passage belongs to another section


def test_the_preview_opens_a_long_passage_of_its_section(articles):
    preview = preview_of(articles, 0)  # "Aims [@treaty-2025]" in the preamble
    assert preview.locator("details.evidence-item[open]").count() == 1
    assert preview.locator("blockquote.evidence").is_visible()
    assert "Taking into account the need for further strengthening" in preview.inner_text()


def test_the_preview_of_a_citation_in_a_section_without_a_passage_shows_the_reference_alone(articles):
    preview = preview_of(articles, 2)  # "Not read yet [@treaty-2025]" in Article 2
    assert preview.locator(".evidence").count() == 0
    assert "Treaty on the Comprehensive Strategic Partnership" in preview.inner_text()


def test_print_shows_every_passage_open_under_its_work(articles):
    articles.mouse.move(0, 0)
    articles.emulate_media(media="print")
    try:
        shown = articles.evaluate("""() => [...document.querySelectorAll('section.references blockquote.evidence')]
                                     .map(q => q.checkVisibility())""")
    finally:
        articles.emulate_media(media="screen")
    assert shown == [True, True]
