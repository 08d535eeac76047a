"""The formatter of the cite blocks (scripts/mdcite/citeblock.py): each format's own escaping,
checked with each format's own reader."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import xml.etree.ElementTree as etree

import bibtexparser
import lxml.html
import markdown
import pytest
import rispy
from bibtexparser.middlewares import LatexDecodingMiddleware
from markdown.extensions.toc import render_inner_html

from mdcite import citeblock

SITE = citeblock.Site(name="A & B: {notes}", url="https://example.org/sub/", author="The editors",
                      version="1.2.0", key_prefix="guide")
WORK = citeblock.Citable(title='Fees of 5% & $4 for item_#1 {draft} ~ ^ \\ "quoted"',
                         url="https://example.org/sub/page/#sec-fees", key="guide-page-sec-fees",
                         updated=dt.date(2026, 12, 2), fragment="sec-fees")


def decoded_title(bibtex: str) -> str:
    library = bibtexparser.parse_string(bibtex, append_middleware=[LatexDecodingMiddleware()])
    assert not library.failed_blocks and len(library.entries) == 1
    return library.entries[0]["title"]


def test_bibtex_escapes_every_latex_special_and_decodes_back_to_the_title():
    text = citeblock.as_text(citeblock.living_formats(SITE, WORK)["bibtex"], {"accessed": "2026-12-05"})
    assert r"title        = {Fees of 5\% \& \$4 for item\_\#1 \{draft\} \textasciitilde{} \textasciicircum{} " \
           r'\textbackslash{} "quoted"},' in text
    # pylatexenc writes LaTeX's \textasciicircum as U+02C6, its modifier-letter circumflex.
    assert decoded_title(text) == WORK.title.replace("^", "\u02c6")


def test_an_unpaired_brace_is_written_as_a_command_so_the_entry_still_parses():
    assert citeblock.bibtex_text("a { b") == r"a \textbraceleft{} b"
    assert citeblock.bibtex_text("a } b {") == r"a \textbraceright{} b \textbraceleft{}"
    assert citeblock.bibtex_text("{a}") == r"\{a\}"
    work = citeblock.Citable("Open { only", WORK.url, WORK.key, WORK.updated, WORK.fragment)
    text = citeblock.as_text(citeblock.living_formats(SITE, work)["bibtex"])
    assert not bibtexparser.parse_string(text).failed_blocks


def test_ris_keeps_a_title_with_line_breaks_on_its_one_line():
    work = citeblock.Citable("Line one\nline two\r\n\tthree", WORK.url, WORK.key, WORK.updated)
    text = citeblock.as_text(citeblock.living_formats(SITE, work)["ris"], {"accessed": "2026/12/05"})
    assert "TI  - Line one line two three\n" in text
    record = rispy.loads(text)[0]
    assert record["title"] == "Line one line two three"
    assert record["access_date"] == "2026/12/05"


def test_csl_json_is_one_item_that_json_reads_back_with_the_title_and_dates():
    text = citeblock.as_text(citeblock.living_formats(SITE, WORK)["csl"], {"accessed": "2026-12-05"})
    item, = json.loads(text)
    assert item["title"] == WORK.title and item["container-title"] == SITE.name
    assert item["issued"] == {"date-parts": [[2026, 12, 2]]} and item["accessed"] == {"raw": "2026-12-05"}


PAGE = citeblock.Citable(title="Fees", url="https://example.org/sub/page/", key="guide-page", updated=WORK.updated)
EDITION = {"url": "https://example.org/sub/editions/2026-11/page/", "edition": "2026-11", "version": "v2026.11",
           "label": "November 2026", "date:iso": "2026-11-25", "date:year": "2026", "date:ris": "2026/11/25",
           "date:parts": "2026, 11, 25", "date:dmy": "25 November 2026", "date:md": "November 25"}


def test_an_edition_template_is_valid_in_every_format_once_its_slots_are_filled():
    formats = {name: citeblock.as_text(pieces, EDITION) for name, pieces in citeblock.edition_formats(SITE, PAGE).items()}
    assert formats["chicago"] == ("The editors. 2026. “Fees.” A & B: {notes}, November 2026 edition "
                                  "(v2026.11). Published 25 November 2026. https://example.org/sub/editions/2026-11/page/.")
    library = bibtexparser.parse_string(formats["bibtex"])
    assert library.entries[0].key == "guide-page-2026-11" and not library.failed_blocks
    assert rispy.loads(formats["ris"])[0]["urls"] == ["https://example.org/sub/editions/2026-11/page/"]
    item, = json.loads(formats["csl"])
    assert item["issued"] == {"date-parts": [[2026, 11, 25]]} and item["id"] == "guide-page-2026-11"


def test_the_page_edition_formats_with_a_sections_own_parts_cite_that_section_in_every_format():
    # What assets/cite-block.js does: the page's template, each part replaced by the text of the
    # same part in the same format of the section's living formats, the address with its anchor.
    section = citeblock.living_formats(SITE, WORK)
    fill = EDITION | {"url": EDITION["url"] + "#sec-fees"}
    formats = {name: citeblock.as_text(pieces, fill, citeblock.parts_of(section[name]))
               for name, pieces in citeblock.edition_formats(SITE, PAGE).items()}
    assert formats["chicago"] == (f"The editors. 2026. “{WORK.title}.” A & B: {{notes}}, November 2026 edition "
                                  "(v2026.11). Published 25 November 2026. "
                                  "https://example.org/sub/editions/2026-11/page/#sec-fees.")
    assert formats["apa"] == (f"The editors. (2026, November 25). {WORK.title}. A & B: {{notes}} "
                              "(November 2026 edition). https://example.org/sub/editions/2026-11/page/#sec-fees")
    assert bibtexparser.parse_string(formats["bibtex"]).entries[0].key == "guide-page-sec-fees-2026-11"
    assert decoded_title(formats["bibtex"]) == WORK.title.replace("^", "\u02c6")
    record = rispy.loads(formats["ris"])[0]
    assert record["title"] == WORK.title and record["urls"] == ["https://example.org/sub/editions/2026-11/page/#sec-fees"]
    item, = json.loads(formats["csl"])
    assert (item["id"], item["title"]) == ("guide-page-sec-fees-2026-11", WORK.title)


def test_every_format_marks_the_title_and_only_bibtex_and_csl_json_a_key():
    for formats in (citeblock.living_formats(SITE, WORK), citeblock.edition_formats(SITE, PAGE)):
        assert {name: sorted(citeblock.parts_of(pieces)) for name, pieces in formats.items()} == {
            "chicago": ["title"], "apa": ["title"], "bibtex": ["key", "title"], "ris": ["title"], "csl": ["key", "title"]}


def test_a_section_block_holds_its_living_formats_and_no_edition_template_or_button():
    block = lxml.html.fragment_fromstring(citeblock.block_html(SITE, WORK))
    assert block.get("class") == "cite-block cite-section" and block.get("data-section") == "sec-fees"
    assert [el.get("data-format") for el in block.cssselect("dl.cite-formats .cite-text")] == [
        "chicago", "apa", "bibtex", "ris", "csl"]
    assert not block.cssselect("template") and not block.cssselect("button")
    page = lxml.html.fragment_fromstring(citeblock.block_html(SITE, PAGE))
    assert len(page.cssselect("template.cite-edition-template")) == 1 and not page.cssselect("button")


def test_the_block_writes_the_title_as_html_text_never_as_markup():
    work = citeblock.Citable('<img src=x onerror="alert(1)"> & co', WORK.url, WORK.key, WORK.updated, WORK.fragment)
    html = citeblock.block_html(SITE, work)
    assert "<img" not in html and "&lt;img src=x onerror=\"alert(1)\"&gt; &amp; co" in html
    block = lxml.html.fragment_fromstring(html)
    chicago = block.cssselect('dl.cite-formats [data-format="chicago"]')[0].text_content()
    assert '“<img src=x onerror="alert(1)"> & co.”' in chicago


def test_the_page_block_keeps_the_markup_that_publish_py_edits():
    page = citeblock.Citable("Energy", "https://example.org/sub/page/", "guide-page", WORK.updated)
    html = citeblock.block_html(SITE, page, "../about/cite/")
    assert html.startswith('<details class="cite-block" id="cite-this-page" ')
    assert '<p class="cite-version"><strong>Cite the living version</strong>' in html
    assert html.index('<dl class="cite-formats">') < html.index('<p class="cite-note">') < html.index("</details>")
    assert '<a href="../about/cite/">How to cite</a>' in html


def test_a_key_is_the_prefix_and_the_page_address():
    assert citeblock.page_key(SITE, "themes/energy/") == "guide-themes-energy"
    assert citeblock.page_key(SITE, "") == "guide-home"
    assert citeblock.page_key(SITE, "themes/energy.html") == "guide-themes-energy"


def test_no_script_of_ours_turns_text_into_markup():
    from tests.site_pages import ROOT

    sinks = ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "DOMParser", "createContextualFragment")
    scripts = sorted((ROOT / "docs" / "assets").glob("*.js")) + sorted((ROOT / "overrides").rglob("*.html"))
    found = [f"{path.name}: {sink}" for path in scripts for sink in sinks if sink in path.read_text(encoding="utf-8")]
    assert len(scripts) >= 3 and found == []


# Values that each format escapes in its own way: specials of HTML, LaTeX, JSON and RIS, an
# unpaired brace, line breaks and spaces at the ends, and text that looks like the stand-ins.
AWKWARD_VALUES = ['Fees of 5% & $4 for item_#1 {draft} ~ ^ \\ "quoted"', "a { b", "  two\nlines\t ",
                  "<b>not markup</b> &amp; it's", "\u27e6mdcite-title\"\n&'\u27e7", "Ыдырыс: Gīlān", ""]


@pytest.mark.parametrize("value", AWKWARD_VALUES)
@pytest.mark.parametrize("fragment", ["", "sec-fees"])
def test_a_block_filled_from_its_skeleton_is_the_block_written_in_full(value, fragment):
    work = citeblock.Citable(title=value, url=f"https://example.org/sub/{value}", key=f"guide-{value}",
                             updated=dt.date(2026, 12, 2), fragment=fragment and f"{fragment}{value}")
    assert citeblock.filled_block_html(SITE, work, "../cite/") == citeblock.block_html(SITE, work, "../cite/")


def test_a_blocks_skeleton_follows_a_change_of_the_site_or_the_date():
    page = dataclasses.replace(WORK, fragment="")
    renamed = dataclasses.replace(SITE, name="Another name")
    later = dataclasses.replace(page, updated=dt.date(2027, 1, 3))
    assert citeblock.filled_block_html(SITE, page) == citeblock.block_html(SITE, page)
    assert citeblock.filled_block_html(renamed, page) == citeblock.block_html(renamed, page)
    assert "Another name" in citeblock.filled_block_html(renamed, page)
    assert 'data-updated="2027-01-03"' in citeblock.filled_block_html(SITE, later)


@pytest.mark.parametrize("text", ["  Energy:   gas\nand oil ", "Fees & taxes", "A <b>bold</b> word", "Ыдырыс", ""])
def test_a_headings_text_is_what_rendering_the_heading_gives(text):
    md = markdown.Markdown(extensions=["toc"])
    heading = etree.Element("h2")
    heading.text = text
    rendered = citeblock.plain_title(render_inner_html(heading, md))
    assert citeblock.CiteBlocks(md, None).text_of(heading) == rendered
