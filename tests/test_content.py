"""Content rules for the publication: every claim cited, pages tied to the treaty's articles."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest

from mdcite import index as index_module
from mdcite import lint
from tests.site_pages import CONTEXT, DOCS, ROOT, THEMES, article, page_for, parse

ACRONYM_RE = re.compile(r"\b[A-Z][A-Z0-9]{1,}(?:-[A-Z]+)?\b(?!-\d)")
ABBREVIATIONS = ROOT / "includes" / "abbreviations.md"
# All-caps words that are not acronyms: Roman numerals, units, initials in a name (JD Vance).
NOT_ACRONYMS = {"JD", "II", "III", "IV", "VI", "VII", "VIII", "IX", "XI", "XII", "XX", "XXI", "KM"}


@pytest.fixture(scope="module")
def idx():
    return index_module.build(ROOT)


def prose_words(doc) -> int:
    """Words of our own prose: paragraphs and list items, without citations or reference lists."""
    body = article(doc)
    words = 0
    for el in body.cssselect("p, li"):
        if el.xpath("ancestor::section[contains(@class,'references')]") or el.xpath(
                "ancestor::details") or el.cssselect("p, li") and el.tag == "li":
            continue
        text = el.text_content()
        for group in el.cssselect(".citation-group, a.citation"):
            text = text.replace(group.text_content(), " ")
        words += sum(1 for token in text.split() if any(c.isalnum() for c in token))
    return words


@pytest.mark.parametrize("name", THEMES + CONTEXT)
def test_every_paragraph_on_an_analysis_page_is_cited(idx, name):
    folder = "themes" if name in THEMES else "context"
    page = idx.pages[f"{folder}/{name}.md"]
    assert [str(d) for d in lint.uncited_paragraphs(page)] == []


def test_uncited_paragraph_is_caught_and_summary_exemption_is_honoured(tmp_path):
    page = index_module.PageInfo("themes/x.md", "docs/themes/x.md", "themes/x/", "X", {},
                                 "Summary of the page restating things.\n{: .summary }\n\n"
                                 "A claim with no source at all here.\n\nA cited claim here [@a].\n", 0)
    index_module.read_page(page)
    found = lint.uncited_paragraphs(page)
    assert [(d.line, d.message.split(";")[0]) for d in found] == [(4, "paragraph has no citation")]


@pytest.mark.parametrize("name", THEMES)
def test_theme_page_opens_with_a_marked_summary(built_site, name):
    doc = article(parse(page_for(built_site, f"themes/{name}.md")))
    first = doc.cssselect("h1 ~ p")[0]
    assert "summary" in (first.get("class") or "")


@pytest.mark.parametrize("name", THEMES)
def test_theme_page_cites_at_least_five_distinct_sources(idx, name):
    assert len(idx.pages[f"themes/{name}.md"].cited) >= 5


@pytest.mark.parametrize("name", THEMES)
def test_theme_page_links_to_at_least_three_articles_or_sections_elsewhere(built_site, name):
    doc = article(parse(page_for(built_site, f"themes/{name}.md")))
    elsewhere = {a.get("href") for a in doc.cssselect("a.crossref") if not a.get("href").startswith("#")}
    assert len(elsewhere) >= 3


@pytest.mark.parametrize("name", THEMES)
def test_theme_page_has_at_least_700_words_of_prose(built_site, name):
    assert prose_words(parse(page_for(built_site, f"themes/{name}.md"))) >= 700


@pytest.mark.parametrize("name", THEMES + CONTEXT)
def test_sections_on_content_pages_have_explicit_ids(idx, name):
    folder = "themes" if name in THEMES else "context"
    page = idx.pages[f"{folder}/{name}.md"]
    for line, _, text, attrs in page.headings:
        if attrs["level"] in ("2", "3"):
            assert attrs.get("id", "").startswith("sec-"), f"{page.shown}:{line} {text}"


def test_the_clause_map_cites_the_two_preamble_only_copies_for_the_preamble_alone(idx):
    """Our copies of the Kremlin and IRNA English texts end inside the preamble: on the clause
    map they may back the preamble entry and the comparison of the two preambles, nothing else."""
    places = {use.section.id for key in ("kremlin-2025-treaty-text", "irna-2025-treaty-text")
              for use in idx.citations.get(key, []) if use.page.src == "treaty/articles.md"}
    assert places and places <= {"art-preamble", "sec-articles-discrepancies"}


def test_home_page_cites_at_least_five_sources(idx):
    assert len(idx.pages["index.md"].cited) >= 5


def defined_abbreviations() -> dict[str, str]:
    found = {}
    for line in ABBREVIATIONS.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\*\[([^\]]+)\]:\s*(.+)$", line)
        if m:
            found[m.group(1)] = m.group(2)
    return found


def test_every_acronym_used_on_the_site_is_in_the_glossary(built_site):
    defined = defined_abbreviations()
    missing: dict[str, str] = {}
    for path in built_site.rglob("index.html"):
        doc = copy.deepcopy(article(parse(path)))  # parse() is shared: never edit its tree
        for el in doc.cssselect(".reference-list, .cite-block, code, pre, .citation-group, a.citation, "
                                "nav.az-bar, h2.az-letter"):
            el.drop_tree()
        text = doc.text_content()
        for term in (t for t in defined if " " in t):  # multi-word terms such as "CC BY 4.0"
            text = text.replace(term, " ")
        for word in ACRONYM_RE.findall(text):
            if word not in defined and word not in NOT_ACRONYMS:
                missing.setdefault(word, str(path.relative_to(built_site)))
    assert missing == {}


def test_acronyms_show_their_expansion_on_hover(built_site):
    doc = article(parse(page_for(built_site, "themes/transport.md")))
    titles = {abbr.text: abbr.get("title") for abbr in doc.cssselect("abbr")}
    assert titles.get("INSTC", "").startswith("International North")


def test_glossary_page_defines_every_abbreviation(built_site):
    text = article(parse(page_for(built_site, "context/glossary.md"))).text_content()
    for abbr in defined_abbreviations():
        assert abbr in text, abbr


def test_comparison_table_has_six_instruments_and_every_cell_cited(built_site):
    doc = article(parse(page_for(built_site, "context/comparison.md")))
    table = doc.xpath('//*[@id="sec-comparison-table"]/following::table[1]')[0]
    header = [th.text_content().strip() for th in table.cssselect("thead th")]
    assert len(header) == 7
    rows = table.cssselect("tbody tr")
    assert len(rows) >= 7
    for row in rows:
        for cell in row.cssselect("td")[1:]:
            text = cell.text_content()
            assert cell.cssselect("a.citation") or "Not found in our sources" in text, (
                row.cssselect("td")[0].text_content(), text)


def test_timeline_events_link_to_the_page_that_discusses_them(built_site):
    doc = article(parse(page_for(built_site, "context/timeline.md")))
    rows = doc.cssselect("table tbody tr") or doc.cssselect("dl dt, li")
    assert len(rows) >= 20
    linked = [r for r in rows if any(not (a.get("href") or "#").startswith("#")
                                     and "citation" not in (a.get("class") or "")
                                     for a in r.cssselect("a"))]
    assert len(linked) >= len(rows) * 0.8


def test_no_placeholder_text_anywhere():
    for path in Path(DOCS).rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\b(TODO|TBD|lorem ipsum|FIXME|XXX)\b", text), path
