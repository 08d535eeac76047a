"""One reader for check and build: ``mdcite check``'s scan of a page and the build's rendering
of it find the same citations, on every page of the real site and in every case of the Pandoc
conformance suite; and the built site has no link inside a link and no citation in a comment."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest
import yaml
from mkdocs.config import load_config

from mdcite import cli
from mdcite import index as index_module
from mdcite.extension import CitationsExtension
from mdcite.syntax import scan
from tests.site_pages import ROOT, html_pages

CASES = yaml.safe_load((Path(__file__).parent / "data" / "pandoc_citations.yaml").read_text(encoding="utf-8"))


def found_by_check(tokens) -> list:
    return sorted((t.kind, tuple(t.items), t.label) for t in tokens if not t.problem)


def found_by_build(ext: CitationsExtension) -> list:
    return sorted((kind, tuple(items), label) for kind, items, label in ext.state.readings)


@pytest.fixture(scope="module")
def site_index():
    return cli.load_index(ROOT)


def test_check_and_build_find_the_same_citations_on_every_page_of_the_site(site_index, monkeypatch):
    monkeypatch.chdir(ROOT)
    config = load_config(str(ROOT / "mkdocs.yml"))
    compared = 0
    for page in site_index.pages.values():
        md = markdown.Markdown(extensions=config["markdown_extensions"], extension_configs=config["mdx_configs"])
        md.convert(page.body)
        ext = next(e for e in md.registeredExtensions if isinstance(e, CitationsExtension))
        assert found_by_build(ext) == found_by_check(page.tokens), page.src
        compared += len(page.tokens)
    assert compared > 300


# -- the suite's cases, rendered with a bibliography and labels that hold every key -------------

@dataclass
class AnyWork:
    """A stand-in for any work: the suite compares readings, not the works' details."""

    key: str
    author_short: str = "Author"
    year_label: str = "2000"
    text: str = "A work."
    html: str = "A work."

    def cite_label(self, suppress_author: bool = False) -> str:
        return self.year_label if suppress_author else f"{self.author_short} {self.year_label}"


class Everything(dict):
    def __contains__(self, key) -> bool:
        return True


class AnyBibliography:
    path = "references.bib"
    references = Everything()

    def __contains__(self, key) -> bool:
        return True

    def __getitem__(self, key) -> AnyWork:
        return AnyWork(key)

    def sorted(self, keys=()) -> list[AnyWork]:
        return [AnyWork(k) for k in keys]


class AnyLabels(dict):
    def __contains__(self, key) -> bool:
        return True

    def get(self, key, default=None):
        return index_module.Label(key, key, PAGE, 1, 1)


PAGE = index_module.PageInfo("page.md", "docs/page.md", "page/", "Page", {}, "", 0)


class SuiteExtension(CitationsExtension):
    def get_index(self, recheck: bool = False) -> index_module.Index:
        return index_module.Index(Path("."), Path("docs"), AnyBibliography(), None, {}, {}, AnyLabels(), {},
                                  (), self.kinds)


@pytest.mark.parametrize("case", [c for c in CASES if "differs" not in c],
                         ids=lambda c: re.sub(r"\s+", " ", c["markdown"])[:60])
def test_check_and_build_find_the_same_citations_in_a_suite_case(case):
    ext = SuiteExtension()
    md = markdown.Markdown(extensions=["toc", "tables", "fenced_code", "attr_list", "md_in_html", "def_list",
                                       "abbr", "admonition", "smarty", ext])
    md.convert(case["markdown"])
    assert found_by_build(ext) == found_by_check(scan(case["markdown"].split("\n")))


# -- the built site -------------------------------------------------------------------------

class NestedLinks(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.nested = 0

    def handle_starttag(self, tag, attrs) -> None:
        if tag == "a":
            self.nested += self.depth > 0
            self.depth += 1

    def handle_endtag(self, tag) -> None:
        if tag == "a":
            self.depth = max(0, self.depth - 1)


def nested_links(html: str) -> int:
    parser = NestedLinks()
    parser.feed(html)
    return parser.nested


def test_nested_link_finder_finds_a_link_inside_a_link():
    assert nested_links('<p><a href="x">a <a class="citation" href="#ref-k">K</a></a></p>') == 1
    assert nested_links('<p><a href="x">a <span class="citation">K</span></a></p>') == 0


@pytest.mark.slow
def test_built_site_has_no_link_inside_a_link(built_site):
    pages = html_pages(built_site)
    assert pages
    assert [p for p in pages if nested_links(p.read_text(encoding="utf-8"))] == []


@pytest.mark.slow
def test_built_site_has_no_citation_inside_a_comment(built_site, site_index):
    keys = set(site_index.bib.references)
    comments = [(path, comment) for path in html_pages(built_site)
                for comment in re.findall(r"<!--.*?-->", path.read_text(encoding="utf-8"), re.DOTALL)]
    assert comments  # the theme's own comments, at least
    for path, comment in comments:
        assert 'class="citation"' not in comment, path
        assert not keys & set(re.findall(r"@\{?([^\s;,\]}]+)", comment)), path


def test_the_build_renders_paragraphs_from_the_pages_one_reading(site_index, monkeypatch):
    """Each paragraph's citations come from the index's reading of the page, found by position; where
    it answers, the answer is exactly what reading the block alone gives. It answers for every
    paragraph that holds a citation; the rest (table cells, list items, terms, headings: about half
    of the site's blocks with a citation, since its tables cite in every row) are read alone."""
    from mdcite import extension, syntax

    def moved(cite, delta):
        return dataclasses.replace(cite, start=cite.start + delta, end=cite.end + delta,
                                   group=cite.group + delta if cite.group >= 0 else -1,
                                   key_end=cite.key_end + delta if cite.key_end >= 0 else -1)

    answered, alone = [], []

    def compared(reading, block):
        at = syntax.block_start(reading, block)
        if at is None:
            alone.append(block)
        else:
            answered.append(block)
            links = syntax.link_labels(reading[0].split("\n"))
            found = [moved(cite, -at) for cite in reading[1] if at <= cite.start < at + len(block)]
            assert found == list(syntax.read(block, links)), block
        return at

    monkeypatch.setattr(extension, "block_start", compared)
    monkeypatch.chdir(ROOT)
    config = load_config(str(ROOT / "mkdocs.yml"))
    for page in site_index.pages.values():
        md = markdown.Markdown(extensions=config["markdown_extensions"], extension_configs=config["mdx_configs"])
        md.convert(page.body)
    with_citations = [b for b in answered + alone if syntax.read(b)]
    assert len([b for b in answered if syntax.read(b)]) > 0.45 * len(with_citations)
