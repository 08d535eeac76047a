"""CitationsInText: the citations of a text written in before Python-Markdown's inline pass, as
the inline pattern would write them. Each page of the site, each case of the Pandoc suite and
generated paragraphs render to the same HTML with it as without it (the inline pattern alone)."""

from __future__ import annotations

import random
import re

import markdown
import pytest
from mkdocs.config import load_config

from mdcite import cli
from mdcite.extension import CitationPattern, CitationsExtension
from mdcite.syntax import read
from tests import fuzz_pandoc
from tests.helpers import render_text
from tests.site_pages import ROOT
from tests.test_reader_consistency import CASES, AnyBibliography, AnyWork, SuiteExtension, found_by_build

SUITE_EXTENSIONS = ["toc", "tables", "fenced_code", "attr_list", "md_in_html", "def_list", "abbr", "admonition",
                    "smarty"]


def converted(make, text: str, in_text: bool) -> tuple[str, list]:
    """The HTML and the readings of ``text``, with the in-text pass or with the inline pattern alone."""
    md, ext = make()
    if not in_text:
        md.treeprocessors.deregister("mdcite_in_text")
    return md.convert(text), found_by_build(ext)


def same_both_ways(make, text: str) -> bool:
    """Whether ``text`` renders the same with the in-text pass as with the pattern alone. Where
    Python-Markdown's emphasis swallows the first character after ``**}*`` (``Z*e**}*@c``), it
    breaks either pass's placeholder, each into its own stray text: that is the same too."""
    written, alone = converted(make, text, True), converted(make, text, False)
    if PLACEHOLDER_BROKEN_RE.search(alone[0]):
        return bool(PLACEHOLDER_BROKEN_RE.search(written[0])) and written[1] == alone[1]
    return written == alone


PLACEHOLDER_BROKEN_RE = re.compile("(?:klzzwxh|mdcite):\\d+\x03")


class SortedBibliography(AnyBibliography):
    """Lists works in a fixed order, as the site's bibliography does (by sort key, the key last):
    the two passes note the works in different orders, which no page shows."""

    def sorted(self, keys=()) -> list[AnyWork]:
        return [AnyWork(k) for k in sorted(keys)]


class SortedSuiteExtension(SuiteExtension):
    def get_index(self, recheck: bool = False):
        idx = super().get_index(recheck)
        idx.bib = SortedBibliography()
        return idx


def suite_markdown():
    ext = SortedSuiteExtension()
    return markdown.Markdown(extensions=[*SUITE_EXTENSIONS, ext]), ext


@pytest.fixture(scope="module")
def site():
    config = load_config(str(ROOT / "mkdocs.yml"))
    return cli.load_index(ROOT), config


def test_each_page_of_the_site_renders_the_same_with_the_in_text_pass(site, monkeypatch):
    monkeypatch.chdir(ROOT)
    idx, config = site

    def make():
        md = markdown.Markdown(extensions=config["markdown_extensions"], extension_configs=config["mdx_configs"])
        return md, next(e for e in md.registeredExtensions if isinstance(e, CitationsExtension))

    for page in idx.pages.values():
        assert same_both_ways(make, page.body), page.src


@pytest.mark.parametrize("case", [c for c in CASES if "differs" not in c],
                         ids=lambda c: re.sub(r"\s+", " ", c["markdown"])[:60])
def test_each_suite_case_renders_the_same_with_the_in_text_pass(case):
    assert same_both_ways(suite_markdown, case["markdown"])


def test_generated_paragraphs_render_the_same_with_the_in_text_pass():
    rng = random.Random(2205)
    compared = 0
    for _ in range(400):
        text = fuzz_pandoc.paragraph(rng) + fuzz_pandoc.DEFINITIONS
        if any(cite.problem for cite in read(text)):
            continue  # a located error stops the page before either pass
        assert same_both_ways(suite_markdown, text), text
        compared += 1
    assert compared > 200


def test_the_inline_pattern_is_left_only_the_texts_the_in_text_pass_cannot_finish(project, monkeypatch):
    by_pattern = []
    handle = CitationPattern.handleMatch

    def counted(self, m, data):
        node, start, end = handle(self, m, data)
        if node is not None:
            by_pattern.append(data[start:end])
        return node, start, end

    monkeypatch.setattr(CitationPattern, "handleMatch", counted)
    html = render_text(project, "Plain [@org-2025] and @tass-2025-duma [p. 3].\n\n"
                                "Marked [see *this* @org-2025] and [@tass-2025-duma].\n")
    # The first paragraph's citations are finished HTML, written in by the pass; the second holds
    # one whose words are Markdown, so the pattern takes the whole paragraph, as before.
    assert by_pattern == ["[see *this* @org-2025]", "[@tass-2025-duma]"]
    assert "[@" not in html and "@tass" not in html
