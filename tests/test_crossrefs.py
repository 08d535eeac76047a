"""Cross-references to sections and to treaty articles."""

from __future__ import annotations

import re

import pytest

from mdcite import index as index_module
from mdcite.errors import SourceError
from mdcite.index import relative_src, relative_url
from tests.helpers import FIXTURE_KINDS, render_page


@pytest.mark.parametrize("here, there, link", [
    ("", "themes/energy/", "themes/energy/"),
    ("themes/energy/", "", "../../"),
    ("themes/energy/", "treaty/articles/", "../../treaty/articles/"),
    ("deep/er/page/", "deep/er/other/", "../other/"),
    ("index.html", "themes/energy.html", "themes/energy.html"),
])
def test_relative_links_work_at_any_depth(here, there, link):
    assert relative_url(here, there) == link


@pytest.mark.parametrize("here, there, link", [
    ("index.md", "themes/energy.md", "themes/energy.md"),
    ("themes/energy.md", "index.md", "../index.md"),
    ("deep/er/page.md", "deep/other.md", "../other.md"),
])
def test_links_point_at_markdown_sources_relative_to_the_page(here, there, link):
    assert relative_src(here, there) == link


def test_article_reference_renders_article_number_titled_with_its_topic(project):
    html = render_page(project, "index.md")
    assert ('<a class="crossref" href="articles.md#art-3" '
            'title="Article 3: Principles; non-assistance to an aggressor (reported)">Article 3</a>') in html


def test_section_reference_from_a_deep_page_climbs_to_the_root(project):
    html = render_page(project, "deep/er/page.md")
    assert '<a class="crossref" href="../../index.md#sec-home-section" title="Home › A section">A section</a>' in html
    assert 'href="../../articles.md#art-preamble"' in html


def test_clause_map_shows_each_status_and_counts_them(project):
    html = render_page(project, "articles.md")
    assert re.search(r'<h2 data-status="reported"[^>]*id="art-3"', html)
    assert html.count('class="status-badge status-verified"') == 3  # 2 entries + the summary
    assert ">Verified</span>: 2 of 4 entries" in html
    assert ">Not yet verified</span>: 1 of 4 entries" in html


def test_tag_index_lists_every_entry_of_a_theme(project):
    html = render_page(project, "articles.md")
    block = re.search(r'<h3 id="tag-defence">Defence.*?</ul>', html, re.S).group(0)
    assert re.findall(r'href="#(art-[^"]+)"', block) == ["art-preamble", "art-1", "art-3"]


def as_list_term(project):
    """Turn the fixture's Article 2 from a heading into a term of a compact definition list."""
    page = project / "docs" / "articles.md"
    page.write_text(page.read_text().replace(
        '## Article 2 {#art-2 data-status="unverified"}\n\nNot read yet [@treaty-2025].',
        'Article 2 {#art-2 data-status="unverified"}\n:   Not read yet [@treaty-2025].'))


def test_a_labelled_definition_term_is_an_article_entry_in_the_index(project):
    as_list_term(project)
    label = index_module.build(project, kinds=FIXTURE_KINDS).labels["art-2"]
    assert (label.title, label.line, label.attrs["level"], label.attrs["data-status"]) == (
        "Article 2", 17, "dt", "unverified")


def test_a_list_term_entry_holds_its_status_and_a_permanent_link(project):
    as_list_term(project)
    html = render_page(project, "articles.md", extra=("def_list",))
    assert re.search(r'<dt data-status="unverified" id="art-2">Article 2 <span class="entry-meta">'
                     r'<span class="status-badge status-unverified" data-status="unverified">Not yet verified'
                     r'</span></span> <a class="headerlink" href="#art-2" title="Permanent link to this entry">'
                     r'¶</a></dt>', html)
    assert ">Not yet verified</span>: 1 of 4 entries" in html


def test_a_reference_to_a_list_term_entry_shows_its_status(project):
    as_list_term(project)
    home = project / "docs" / "index.md"
    home.write_text(home.read_text() + "\nAlso @art-2.\n")
    html = render_page(project, "index.md")
    assert '<a class="crossref" href="articles.md#art-2" title="Article 2 (not yet verified)">Article 2</a>' in html


def test_a_term_without_a_definition_after_it_is_not_an_entry(project):
    page = project / "docs" / "articles.md"
    page.write_text(page.read_text().replace(
        '## Article 2 {#art-2 data-status="unverified"}\n\nNot read yet [@treaty-2025].',
        'Article 2 {#art-2 data-status="unverified"}\n\nNot read yet [@treaty-2025].'))
    assert "art-2" not in index_module.build(project, kinds=FIXTURE_KINDS).labels


@pytest.mark.parametrize("text, message", [
    ("@art-48", "'@art-48' is not an article of the treaty; articles run from 1 to 3"),
    ("@sec-nowhere", "unknown cross-reference '@sec-nowhere'"),
    ("@sec-home-sectoin", "(did you mean 'sec-home-section'"),
])
def test_bad_cross_references_stop_the_build_with_their_location(project, text, message):
    page = project / "docs" / "deep" / "er" / "page.md"
    page.write_text(page.read_text() + f"\nSee {text}.\n")
    with pytest.raises(SourceError) as caught:
        render_page(project, "deep/er/page.md")
    report = str(caught.value)
    assert report.startswith("docs/deep/er/page.md:11:5: error: ")
    assert message in report


def test_label_defined_twice_is_an_error_at_each_place(project):
    page = project / "docs" / "deep" / "er" / "page.md"
    page.write_text(page.read_text() + "\n## Again {#sec-home-section}\n")
    with pytest.raises(SourceError) as caught:
        render_page(project, "deep/er/page.md")
    assert ("docs/deep/er/page.md:11:1: error: label 'sec-home-section' is defined 2 times "
            "(also at docs/index.md:11)") in str(caught.value)


def test_an_edit_is_seen_at_once_even_inside_the_recheck_interval(project):
    render_page(project, "deep/er/page.md")  # fills the per-build index cache
    home = project / "docs" / "index.md"
    home.write_text(home.read_text() + "\n## Brand new {#sec-home-new}\n\nNew [@undated].\n")
    page = project / "docs" / "deep" / "er" / "page.md"
    page.write_text(page.read_text() + "\nSee @sec-home-new.\n")
    html = render_page(project, "deep/er/page.md")
    assert '<a class="crossref" href="../../index.md#sec-home-new" title="Home › Brand new">Brand new</a>' in html


class Files:
    """Stands for the collection of files that MkDocs makes afresh for each build."""


def render_in_build(project, src: str, files: Files) -> str:
    """Render a page as MkDocs does within the build that ``files`` stands for: MkDocs leaves the
    page's File and the build's Files on its 'relpath' tree processor."""
    import markdown

    from clausemap.extension import ClauseMapExtension
    from mdcite.extension import CitationsExtension

    class RelPath(markdown.treeprocessors.Treeprocessor):
        def run(self, root):
            return None

    _, body, _ = index_module.split_front_matter((project / "docs" / src).read_text(encoding="utf-8"))
    md = markdown.Markdown(extensions=["toc", "attr_list", CitationsExtension(root=str(project)),
                                       ClauseMapExtension(article_count=3)])
    relpath = RelPath(md)
    relpath.file, relpath.files = type("File", (), {"src_uri": src})(), files
    md.treeprocessors.register(relpath, "relpath", 0)
    return md.convert(body)


def rename_home_section(project) -> None:
    home = project / "docs" / "index.md"
    home.write_text(home.read_text().replace("## A section {#sec-home-section}", "## Renamed {#sec-home-section}"))


def test_a_new_build_sees_an_edit_to_another_page_at_its_first_page_whatever_the_time(project, monkeypatch):
    monkeypatch.setattr(index_module, "RECHECK_SECONDS", 3600)
    render_in_build(project, "deep/er/page.md", Files())
    rename_home_section(project)
    html = render_in_build(project, "deep/er/page.md", Files())  # the next build (make serve's rebuild)
    assert 'title="Home › Renamed">Renamed</a>' in html


def test_within_one_build_the_sources_are_checked_once_not_every_half_second(project, monkeypatch):
    monkeypatch.setattr(index_module, "RECHECK_SECONDS", 0)
    taken = []
    signature = index_module.signature
    monkeypatch.setattr(index_module, "signature", lambda *a, **k: taken.append(1) or signature(*a, **k))
    build = Files()
    for src in ("deep/er/page.md", "index.md", "deep/er/page.md"):
        render_in_build(project, src, build)
    assert len(taken) == 1  # the first page's build of the index; no check after it
    render_in_build(project, "index.md", Files())
    assert len(taken) == 2
