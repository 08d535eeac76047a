"""Citations in Markdown: the Pandoc forms, their rendering, and the page's reference list."""

from __future__ import annotations

import re
from html import unescape

import markdown
import pytest

from clausemap.extension import ClauseMapExtension
from mdcite.errors import SourceError
from mdcite.extension import LIST_CLOSE, LIST_OPEN, CitationsExtension
from mdcite.syntax import parse_group, scan
from tests.helpers import render_page, render_text


def test_group_with_prefix_locator_and_two_works_is_parsed():
    items, problem = parse_group("see @a, p. 4; @b")
    assert problem == ""
    assert [(i.prefix, i.key, i.locator) for i in items] == [("see", "a", "p. 4"), ("", "b", "")]


def test_year_only_citation_suppresses_the_author():
    items, _ = parse_group("-@a")
    assert items[0].suppress_author


@pytest.mark.parametrize("body, problem", [
    ("@", "empty key"),
    ("@a @b", "separate works with ';'"),
    ("@a;", "extra ';'"),
    ("see a; @b", "has no '@key'"),
    ("@sec-x", "is a cross-reference"),
])
def test_malformed_groups_say_what_is_wrong(body, problem):
    assert problem in parse_group(body)[1]


def test_scanner_reports_line_and_column_of_each_citation():
    tokens = scan(["Intro.", "A claim [@a] and @b, see @sec-x."])
    assert [(t.kind, t.line, t.col) for t in tokens] == [
        ("group", 2, 9), ("intext", 2, 18), ("crossref", 2, 26)]


def test_code_spans_fenced_blocks_emails_and_escapes_are_not_citations():
    lines = ["`[@a]` and mail editors@example.org and \\@b", "```", "[@c]", "```"]
    assert scan(lines) == []


def test_address_of_a_markdown_link_is_not_scanned():
    assert scan(["[profile](https://example.org/@user)"]) == []


@pytest.fixture
def home(project):
    return render_page(project, "index.md")


def test_group_renders_author_date_links_in_parentheses(home):
    assert ('(<a class="citation" href="#ref-org-2025"' in home)
    assert re.search(r'>Gulf International Forum 2025</a>; see <a class="citation" '
                     r'href="#ref-tass-2025-duma"[^>]*>TASS 2025a</a>, p\. 4\)', home)


def test_markdown_in_a_prefix_or_locator_is_still_rendered(project):
    html = render_text(project, "A claim [see *inter alia* @org-2025, pp. `4`; @tass-2025-duma].\n")
    assert re.search(r'\(see <em>inter alia</em> <a class="citation" href="#ref-org-2025"[^>]*>'
                     r'Gulf International Forum 2025</a>, pp\. <code>4</code>; '
                     r'<a class="citation" href="#ref-tass-2025-duma"[^>]*>TASS 2025a</a>\)', html)


def test_a_citation_written_a_second_time_still_lists_its_works(project):
    first = render_text(project, "A claim [@org-2025; see @tass-2025-duma, p. 4].\n")
    again = render_text(project, "Another claim [@org-2025; see @tass-2025-duma, p. 4].\n")

    def listed(html: str) -> list[str]:
        return re.findall(r'<li class="reference" id="ref-([^"]+)"', html)

    assert listed(first) == listed(again) == ["org-2025", "tass-2025-duma"]
    assert again.replace("Another claim", "A claim") == first


def test_a_citation_is_written_afresh_once_references_bib_changes(project):
    before = render_text(project, "A claim [@org-2025].\n")
    bib = project / "references.bib"
    bib.write_text(bib.read_text(encoding="utf-8").replace("{{Gulf International Forum}}", "{{Caspian Forum}}"),
                   encoding="utf-8")
    after = render_text(project, "A claim [@org-2025].\n")
    assert ">Gulf International Forum 2025</a>" in before
    assert ">Caspian Forum 2025</a>" in after


def test_plain_prefix_and_locator_are_escaped_text(project):
    html = render_text(project, "A claim [see @org-2025, ch. 2, §3 (annex)].\n")
    assert '(see <a class="citation" href="#ref-org-2025"' in html
    assert "</a>, ch. 2, §3 (annex))" in html


def test_citation_is_a_bare_link_to_the_entry_its_preview_is_built_from(home):
    assert '<a class="citation" href="#ref-tass-2025-duma">TASS 2025a</a>' in home
    entry = re.search(r'<li class="reference" id="ref-tass-2025-duma">(.*?)</li>', home).group(1)
    assert re.sub("<[^>]+>", "", entry) == ("TASS. 2025a. \u201cDuma ratifies the treaty.\u201d 8 April 2025. "
                                            "https://tass.com/politics/1940345.")


def test_in_text_citation_renders_author_then_year_in_parentheses(home):
    assert re.search(r'<a class="citation" href="#ref-pezeshkian-2024"[^>]*>'
                     r'Pezeshkiyān and Müller \(2024\)</a>', home)


def test_year_only_citation_renders_the_year_alone(home):
    assert re.search(r'\(<a class="citation" href="#ref-tass-2025-council"[^>]*>2025b</a>\)', home)


def test_email_and_code_stay_literal(home):
    assert "editors@example.org" in home
    assert "<code>[@nosuch]</code>" in home


def test_reference_list_holds_exactly_the_cited_works_in_style_order(home):
    ids = re.findall(r'<li class="reference" id="ref-([^"]+)"', home)
    assert ids == ["undated", "treaty-2025", "org-2025", "pezeshkian-2024", "tass-2025-duma",
                   "tass-2025-council"]


def test_every_citation_on_a_page_links_to_an_entry_on_that_page(home):
    targets = set(re.findall(r'class="citation" href="#(ref-[^"]+)"', home))
    ids = set(re.findall(r'id="(ref-[^"]+)"', home))
    assert targets and targets <= ids


def test_reference_list_offers_the_works_as_downloads(home):
    box = re.search(r'<p class="reference-downloads"[^>]*>', home).group(0)
    assert ('data-keys="undated treaty-2025 org-2025 pezeshkian-2024 tass-2025-duma tass-2025-council"'
            in box)
    assert 'data-root="./"' in box and 'data-stem="index-references"' in box
    assert re.findall(r'<button class="reference-download" data-format="(\w+)"', home) == ["bib", "ris", "json"]
    assert '<a href="references/">whole bibliography</a>' in home  # its published address, as "Cited in"


def test_reference_list_is_left_out_of_the_search_index(home):
    assert re.search(r'<section [^>]*data-search-exclude', home)


def test_unknown_key_names_file_line_and_closest_key(project):
    page = project / "docs" / "index.md"
    page.write_text(page.read_text() + "\nAnd [@tass-2025-dum].\n")
    with pytest.raises(SourceError) as caught:
        render_page(project, "index.md")
    assert str(caught.value).startswith(
        "docs/index.md:15:5: error: unknown citation key 'tass-2025-dum' (did you mean 'tass-2025-duma'")


def test_text_outside_docs_is_checked_on_its_own(project):
    with pytest.raises(SourceError) as caught:
        render_text(project, "Line one.\n\nBad [@]\n")
    assert str(caught.value).startswith("<input>:3:5: error: malformed citation: citation with an empty key")


def test_bibliography_page_lists_every_entry_with_cited_in_backlinks(project):
    html = render_page(project, "references.md")
    assert len(re.findall(r'<li class="reference" id="ref-', html)) == 9
    entry = re.search(r'<li class="reference" id="ref-abrahamian-2008">.*?</li>', html, re.S).group(0)
    assert '<a href="../deep/er/page/#sec-deep-section">Deep page › Deep section</a>' in entry
    undated = re.search(r'id="ref-undated">.*?</li>', html, re.S).group(0)
    assert '<a href="../#sec-home-section">Home › A section</a>' in undated


def test_bibliography_entries_carry_coins_for_zotero_and_page_lists_do_not(project, home):
    # Zotero prefers COinS to a page's own metadata: on a page that cites works, saving would
    # give the works, not the page. So only the bibliography page, whose content is the works,
    # carries them.
    html = render_page(project, "references.md")
    assert len(re.findall(r'<span class="Z3988" title="ctx_ver=Z39.88-2004&amp;', html)) == 9
    assert re.search(r'<li class="reference" id="ref-', home) and "Z3988" not in home


def test_with_lists_in_comments_each_coins_is_inside_the_markers_that_the_theme_takes_off(project):
    # Material's search plugin then skips the empty element and its long attribute in one step.
    body = (project / "docs" / "references.md").read_text(encoding="utf-8")
    md = markdown.Markdown(extensions=["toc", "attr_list", CitationsExtension(root=str(project), list_in_comment=True),
                                       ClauseMapExtension(article_count=3)])
    html = md.convert(body)
    wrapped = re.findall(re.escape(LIST_OPEN) + r'<span class="Z3988" title="[^"]*"></span>' + re.escape(LIST_CLOSE), html)
    assert len(wrapped) == 9 and html.count("Z3988") == 9


# -- the forms Pandoc reads that issue 13 found misread ----------------------------------------

def shown(html: str) -> str:
    """What a reader sees of a rendered paragraph: its text, without tags."""
    return unescape(re.sub(r"<[^>]+>", "", html)).strip()


@pytest.mark.parametrize("source, text", [
    ("@org-2025 [p. 33] says.", "Gulf International Forum (2025, p. 33) says."),
    ("@org-2025 [-@tass-2025-duma p. 30; see also @pezeshkian-2024] agree.",
     "Gulf International Forum (2025; 2025a, p. 30; see also Pezeshkiyān and Müller 2024) agree."),
    ("@org-2025 [p. 33; @tass-2025-duma] agree.", "Gulf International Forum (2025, p. 33; TASS 2025a) agree."),
    ("A claim [@{org-2025}].", "A claim (Gulf International Forum 2025)."),
    ("A claim [see\n@org-2025, p. 3].", "A claim (see Gulf International Forum 2025, p. 3)."),
    ("Two views [@org-2025; @tass-2025-duma]: first.", "Two views (Gulf International Forum 2025; TASS 2025a): first."),
    ("As they say, -@org-2025 argues.", "As they say, 2025 argues."),
    ("A claim [@org-2025, p. \\[3\\]].", "A claim (Gulf International Forum 2025, p. [3])."),
    ("A claim [@org-2025 and passim].", "A claim (Gulf International Forum 2025 and passim)."),
    ("A claim [@org-2025, and passim].", "A claim (Gulf International Forum 2025, and passim)."),
])
def test_pandoc_form_renders_in_the_site_style(project, source, text):
    assert shown(render_text(project, source + "\n").split("<section")[0]) == text


def test_in_text_citation_with_a_locator_links_author_and_year_to_the_entry(project):
    html = render_text(project, "@org-2025 [p. 33] says.\n")
    assert re.findall(r'<a class="citation" href="#ref-org-2025"[^>]*>([^<]*)</a>', html) == [
        "Gulf International Forum", "2025"]


def test_doubled_punctuation_ends_a_key(project):
    html = render_text(project, "@org-2025--the leading voice--argues.\n")
    assert re.search(r'href="#ref-org-2025"[^>]*>Gulf International Forum \(2025\)</a>--the leading', html)


def test_citation_in_a_comment_is_neither_rendered_nor_listed_nor_checked(project):
    source = "Text <!-- [@tass-2025-duma] and [@nosuch] --> and [@org-2025].\n"
    html = render_text(project, source)
    assert "<!-- [@tass-2025-duma] and [@nosuch] -->" in html
    assert re.findall(r'<li class="reference" id="ref-([^"]+)"', html) == ["org-2025"]
    assert [t.items[0].key for t in scan(source.split("\n"))] == ["org-2025"]


def test_citation_in_link_text_is_not_a_link_inside_a_link(project):
    html = render_text(project, "See [@org-2025](https://example.org) and [see @sec-deep-section](https://x.org).\n")
    assert re.search(r'<a href="https://example.org"><span class="citation" data-cites="org-2025"[^>]*>'
                     r'Gulf International Forum \(2025\)</span></a>', html)
    assert '<a href="https://x.org">see <span class="crossref"' in html
    assert re.findall(r'<li class="reference" id="ref-([^"]+)"', html) == ["org-2025"]


def test_cross_reference_followed_by_a_group_is_a_link_then_a_citation(project):
    html = render_text(project, "See @sec-deep-section [@org-2025].\n")
    assert re.search(r'<a class="crossref" href="deep/er/page.md#sec-deep-section"[^>]*>Deep section</a> '
                     r'\(<a class="citation" href="#ref-org-2025"', html)


def test_check_and_build_read_escaped_brackets_alike():
    [token] = scan(["A claim [@a, p. \\[3\\]]."])
    assert token.items[0].suffix == ", p. \\[3\\]"


def test_a_link_definition_in_a_code_block_is_not_reported():
    assert scan(["```", "[@a]: https://example.org", "```"]) == []


def test_a_line_that_python_markdown_drops_as_a_link_definition_is_reported():
    [token] = scan(["Text.", "", "[@a]: https://example.org"])
    assert (token.line, token.col) == (3, 1) and "read as a link definition and dropped" in token.problem


def test_braced_cross_reference_links_to_its_section(project):
    html = render_text(project, "See @{sec-deep-section} [@org-2025].\n")
    assert re.search(r'<a class="crossref" href="deep/er/page.md#sec-deep-section"[^>]*>Deep section</a> '
                     r'\(<a class="citation" href="#ref-org-2025"', html)


def render_smart(project, body: str) -> str:
    """Render text as the site does, quotes curled by smarty."""
    md = markdown.Markdown(extensions=["toc", "attr_list", "smarty",
                                       CitationsExtension(root=str(project)),
                                       ClauseMapExtension(article_count=3)])
    return md.convert(body).split("<section")[0]


@pytest.mark.parametrize("source, text", [
    ("As **@org-2025** says.", "As Gulf International Forum (2025) says."),
    ("Text **@org-2025", "Text **Gulf International Forum (2025)"),
    ("word**@org-2025 here.", "word**Gulf International Forum (2025) here."),
    ("A claim [@org-2025{}, x].", "A claim (Gulf International Forum 2025, x)."),
    ("As @org-2025 [[a\n]] says.", "As Gulf International Forum (2025 [a]) says."),
    ("A claim [@org-2025, [\n]].", "A claim (Gulf International Forum 2025, [])."),
])
def test_form_found_by_differential_fuzzing_renders_as_pandoc_reads_it(project, source, text):
    assert shown(render_text(project, source + "\n").split("<section")[0]) == text


def test_bold_in_text_citation_keeps_its_bold(project):
    html = render_text(project, "As **@org-2025** says.\n")
    assert '<strong><a class="citation" href="#ref-org-2025">Gulf International Forum (2025)</a></strong>' in html


def test_underscored_emphasis_in_a_locator_is_rendered_as_emphasis(project):
    html = render_text(project, "A claim [@org-2025, _passim_].\n")
    assert "</a>, <em>passim</em>)" in html


def test_quote_closing_right_after_a_citation_is_a_closing_quote(project):
    assert shown(render_smart(project, '"@org-2025".\n')) == "\u201cGulf International Forum (2025)\u201d."


def test_apostrophe_opening_a_suffix_stays_an_apostrophe(project):
    assert shown(render_smart(project, "A claim [@org-2025's].\n")) == "A claim (Gulf International Forum 2025 \u2019s)."


def test_bracket_after_a_key_that_is_a_defined_link_is_the_link_not_a_locator(project):
    html = render_text(project, "As @org-2025 [link] says.\n\n[link]: https://example.org/\n").split("<section")[0]
    assert shown(html) == "As Gulf International Forum (2025) link says."
    assert '<a href="https://example.org/">link</a>' in html


def test_comment_opening_a_line_inside_a_group_is_a_located_error(project):
    with pytest.raises(SourceError) as caught:
        render_text(project, "A claim [see\n<!-- c --> @org-2025].\n")
    assert "<input>:1:9: error: malformed citation: an HTML comment at the start of a line" in str(caught.value)


@pytest.mark.parametrize("source, error", [
    ("As @org-2025 [see [@tass-2025-duma]] says.\n",
     "<input>:1:4: error: malformed citation: a citation inside another citation's brackets"),
    ("A claim \\emph [@org-2025].\n",
     "<input>:1:9: error: malformed citation: '\\emph' before a citation is a TeX command to Pandoc"),
    ("A claim \\emph\n[@org-2025 and more.\n",
     "<input>:1:9: error: malformed citation: '\\emph' before a citation is a TeX command to Pandoc"),
    ("A claim [@org-2025 _see__ ].\n",
     "<input>:1:9: error: malformed citation: emphasis crosses the edge of a citation"),
    ("As @org-2025 [**see] here** and] more.\n",
     "<input>:1:4: error: malformed citation: emphasis crosses the edge of a citation"),
    ('A claim ["see @org-2025] here".\n',
     "<input>:1:9: error: malformed citation: a quote opened in a citation's prefix closes after its key"),
    # Once stopped the reader with a TypeError: the key's '<' reads as an e-mail autolink up to
    # the '>', so the inner '[' does not close (found by comparing the plain and full readings).
    ("A claim [@org-2025<b;[@tass-2025-duma>].\n",
     "<input>:1:9: error: malformed citation: an unmatched '[' inside a citation; escape it as \\["),
])
def test_form_refused_after_differential_fuzzing_is_a_located_error(project, source, error):
    with pytest.raises(SourceError) as caught:
        render_text(project, source)
    assert str(caught.value).startswith(error)


def test_citation_syntax_in_an_indented_code_block_is_code(project):
    html = render_text(project, "Text.\n\n    [@no-such-key] and @other\n\nMore.\n")
    assert "<pre><code>[@no-such-key] and @other\n</code></pre>" in html


def test_indented_paragraph_of_a_list_item_is_prose_not_code():
    tokens = scan(["- An item.", "", "    More [@org-2025].", "", "Text.", "", "    [@code]"])
    assert [(t.line, t.items[0].key) for t in tokens] == [(3, "org-2025")]


def test_citation_before_an_undefined_label_is_a_link_as_the_label_is_text(project):
    html = render_text(project, "A claim [@org-2025][nowhere].\n").split("<section")[0]
    assert '[<a class="citation" href="#ref-org-2025">Gulf International Forum (2025)</a>][nowhere]' in html
