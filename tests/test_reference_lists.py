"""The markup of each page's reference list: plain HTML by default, or wrapped in an HTML comment
that the theme's template unwraps (option list_in_comment), so that Material's search plugin skips
it in one step. Either way the reader's page carries the same list."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import markdown

from clausemap.extension import ClauseMapExtension
from mdcite import index as index_module
from mdcite.extension import LIST_CLOSE, LIST_OPEN, CitationsExtension, written_from
from mdcite.works import Bibliography, Reference

LIST_RE = re.compile(r'<ul class="reference-list">.*?</ul>', re.S)
DOWNLOADS_RE = re.compile(r'<p class="reference-downloads".*?</p>', re.S)


def render_home(project: Path, **options) -> str:
    _, body, _ = index_module.split_front_matter((project / "docs" / "index.md").read_text(encoding="utf-8"))
    ext = CitationsExtension(root=str(project), **options)
    return markdown.Markdown(extensions=["toc", "attr_list", ext, ClauseMapExtension(article_count=3)]).convert(body)


class StartTags(HTMLParser):
    """The start tags an HTML parser reports, as Material's search plugin receives them: each
    tag's name and class."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        self.seen.append((tag, dict(attrs).get("class") or ""))


def start_tags_and_classes(html: str) -> list[tuple[str, str]]:
    parser = StartTags()
    parser.feed(html)
    parser.close()
    return parser.seen


def start_tags(html: str) -> list[str]:
    return [tag for tag, _ in start_tags_and_classes(html)]


def start_classes(html: str) -> list[str]:
    return [cls for _, cls in start_tags_and_classes(html)]


def test_a_reference_list_is_plain_html_by_default(project):
    html = render_home(project)
    assert LIST_RE.search(html) and LIST_OPEN not in html and LIST_CLOSE not in html
    assert "li" in start_tags(html)


def test_asked_to_a_reference_list_and_its_downloads_come_inside_the_comment_markers(project):
    plain, wrapped = render_home(project), render_home(project, list_in_comment=True)
    the_list, downloads = LIST_RE.search(plain).group(0), DOWNLOADS_RE.search(plain).group(0)
    assert LIST_OPEN + the_list + downloads + LIST_CLOSE + "</section>" in wrapped
    assert wrapped.replace(LIST_OPEN, "").replace(LIST_CLOSE, "") == plain


def test_an_html_parser_sees_no_tag_of_a_wrapped_list(project):
    wrapped = render_home(project, list_in_comment=True)
    assert "li" not in start_tags(wrapped)
    assert "a" in start_tags(wrapped)  # the citations themselves are still links


def test_an_html_parser_sees_no_tag_of_the_downloads_under_a_wrapped_list(project):
    wrapped = render_home(project, list_in_comment=True)
    assert "button" not in start_tags(wrapped)
    assert "reference-downloads" not in start_classes(wrapped)


def test_the_reference_section_and_its_heading_stay_where_a_parser_sees_them(project):
    seen = start_tags_and_classes(render_home(project, list_in_comment=True))
    assert ("section", "references") in seen and ("h2", "") in seen


def test_the_built_site_serves_every_reference_list_unwrapped(built_site):
    pages = [p for p in built_site.rglob("*.html") if 'class="references"' in p.read_text(encoding="utf-8")]
    assert len(pages) > 5
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "mdcite-list" not in text, page
        assert re.search(r'<section[^>]*class="references".*?<ul class="reference-list"><li class="reference" id="ref-',
                         text, re.S), page


CITATION_LINK_RE = re.compile(r'<a class="citation" href="#ref-[^"]+">[^<]*</a>')


def test_asked_to_each_citation_links_tags_come_inside_the_comment_markers(project):
    plain = render_home(project, list_in_comment=True)
    wrapped = render_home(project, list_in_comment=True, links_in_comment=True)
    link = CITATION_LINK_RE.search(plain).group(0)
    start, rest = link.split(">", 1)
    words, end = rest.rsplit("<", 1)
    assert f"{LIST_OPEN}{start}>{LIST_CLOSE}{words}{LIST_OPEN}<{end}{LIST_CLOSE}" in wrapped
    assert wrapped.replace(LIST_OPEN, "").replace(LIST_CLOSE, "") == plain.replace(LIST_OPEN, "").replace(
        LIST_CLOSE, "")


def test_an_html_parser_sees_no_tag_of_a_wrapped_citation_link(project):
    assert "citation" in start_classes(render_home(project, list_in_comment=True))
    assert "citation" not in start_classes(render_home(project, list_in_comment=True, links_in_comment=True))


def test_the_bibliography_pages_backlinks_come_inside_the_comment_markers(project):
    ext = CitationsExtension(root=str(project), list_in_comment=True)
    _, body, _ = index_module.split_front_matter((project / "docs" / "references.md").read_text(encoding="utf-8"))
    html = markdown.Markdown(extensions=["toc", "attr_list", ext]).convert(body)
    assert re.search(re.escape(LIST_OPEN) + r'<span class="cited-in">Cited in: <a href="[^"]+">.*?</span>'
                     + re.escape(LIST_CLOSE), html)
    assert "cited-in" not in start_classes(html) and "reference" in start_classes(html)


def test_the_built_site_serves_every_citation_link_unwrapped(built_site):
    text = (built_site / "treaty" / "index.html").read_text(encoding="utf-8")
    assert CITATION_LINK_RE.search(text) and "mdcite-list" not in text


def test_a_paragraph_that_is_only_a_citation_stays_a_paragraph_with_wrapped_links(project):
    body = "# Home\n\n@org-2025\n\n@org-2025 [p. 4]\n"
    ext = CitationsExtension(root=str(project), list_in_comment=True, links_in_comment=True)
    html = markdown.Markdown(extensions=["toc", "attr_list", ext]).convert(body)
    unwrapped = html.replace(LIST_OPEN, "").replace(LIST_CLOSE, "")
    assert len(re.findall(r'<p><a class="citation" href="#ref-org-2025">', unwrapped)) == 2


def test_an_entry_opening_follows_the_bibliography_it_was_written_for():
    def bib(html: str) -> Bibliography:
        ref = Reference(key="a&b", type="online", entry=None, line=1, author_short="A", year="2025", html=html)
        return Bibliography(path="references.bib", references={"a&b": ref})

    before, after = bib("Old reference."), bib("New reference.")
    assert written_from(before).entry_head("a&b") == (
        '<li class="reference" id="ref-a&amp;b"><span class="reference-text" id="reftext-a&amp;b">Old reference.</span>')
    assert "New reference." in written_from(after).entry_head("a&b")  # references.bib changed: a new bibliography
