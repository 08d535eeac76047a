"""How the engine is put together (issue 22): per-document state, the page taken from the
generator, one processor per job, and no subject of its own (the clause map is an extension)."""

from __future__ import annotations

import re
from pathlib import Path

import markdown
import pytest

from clausemap.extension import ClauseMapExtension
from mdcite import config
from mdcite.extension import CitationsExtension
from mdcite.labelkinds import BUILT_IN

from .helpers import mdcite

ROOT = Path(__file__).resolve().parent.parent
TWIN = "# Twin\n\nAs @sec-home-section says [@undated].\n"


def engine(project: Path) -> list:
    return ["toc", "attr_list", CitationsExtension(root=str(project)), ClauseMapExtension(article_count=3)]


def test_two_documents_converted_by_one_markdown_object_get_independent_reference_lists(project):
    md = markdown.Markdown(extensions=engine(project))
    first = md.convert("Signed [@treaty-2025].")
    second = md.convert("Reported [@tass-2025-duma].")
    assert 'id="ref-treaty-2025"' in first and 'id="ref-tass-2025-duma"' not in first
    assert 'id="ref-tass-2025-duma"' in second and 'id="ref-treaty-2025"' not in second


def test_reset_clears_what_the_last_document_cited(project):
    ext = CitationsExtension(root=str(project))
    md = markdown.Markdown(extensions=["toc", "attr_list", ext, ClauseMapExtension(article_count=3)])
    md.convert("Signed [@treaty-2025].")
    md.reset()
    assert ext.state.cited == [] and ext.state.page is None


def twins(project: Path) -> None:
    (project / "docs" / "twin.md").write_text(TWIN, encoding="utf-8")
    (project / "docs" / "deep" / "twin.md").write_text(TWIN, encoding="utf-8")


def crossref_href(html: str) -> str:
    return re.search(r'<a class="crossref" href="([^"]*)"', html).group(1)


@pytest.mark.slow
@pytest.mark.parametrize("generator", ["mkdocs", "zensical"])
def test_two_pages_with_identical_text_each_render_with_their_own_links(project, generator):
    twins(project)
    done = mdcite(project, "build", "--generator", generator)
    assert done.returncode == 0, done.stdout + done.stderr
    top = (project / "site" / "twin" / "index.html").read_text(encoding="utf-8")
    deep = (project / "site" / "deep" / "twin" / "index.html").read_text(encoding="utf-8")
    assert crossref_href(top) == "../#sec-home-section"
    assert crossref_href(deep) == "../../#sec-home-section"
    assert 'data-stem="twin-references"' in top and 'data-stem="deep-twin-references"' in deep


def test_a_page_the_generator_names_is_read_as_that_page_even_when_its_text_was_changed(project):
    """A plugin that rewrites Markdown first (the generator hands the changed text over) does not
    lose the page: its links are still relative to where it is published."""

    class FromGenerator(markdown.treeprocessors.Treeprocessor):  # what MkDocs registers as 'relpath'
        file = type("File", (), {"src_uri": "deep/er/page.md"})()

        def run(self, root):
            return None

    md = markdown.Markdown(extensions=engine(project))
    md.treeprocessors.register(FromGenerator(md), "relpath", 0)
    html = md.convert("# Rewritten\n\nSee @sec-home-section.")
    assert crossref_href(html) == "../../index.md#sec-home-section"


def test_the_engine_itself_names_no_subject():
    """The clause map's rules (articles, statuses, tags) live in scripts/clausemap, which this site
    enables: the engine's package names neither the treaty nor its parties."""
    words = re.compile(r"(?i:treaty)|\bRussia\b|\bIran\b|art-preamble|\bArticle \d|status-summary|tag-index"
                       r"|data-status|article_count")
    found = [f"{path.name}:{n}: {line.strip()}" for path in sorted((ROOT / "scripts" / "mdcite").glob("*.py"))
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if words.search(line)]
    assert found == []


def test_check_learns_the_clause_maps_labels_from_mkdocs_yml():
    kinds = config.label_kinds(ROOT)
    assert kinds[:len(BUILT_IN)] == BUILT_IN
    articles = [kind for kind in kinds if kind.prefix == "art-"]
    assert len(articles) == 1 and articles[0].count == 47


def test_without_the_clause_map_an_article_reference_is_not_a_known_label(project):
    html_or_error = None
    md = markdown.Markdown(extensions=["toc", "attr_list", CitationsExtension(root=str(project))])
    try:
        html_or_error = md.convert("See @art-3.")
    except Exception as exc:  # the located error of an unknown cross-reference
        html_or_error = str(exc)
    assert "unknown cross-reference '@art-3'" in html_or_error


def test_a_page_that_cites_leaves_python_markdowns_html_stash_empty(project):
    # Its raw-HTML postprocessor scans the whole page, and every stored piece, once anything is
    # stored; the engine's finished HTML goes in by its own placeholders instead (FinishedHtml).
    md = markdown.Markdown(extensions=engine(project) + ["smarty"])
    html = md.convert("# Title\n\nSigned [@treaty-2025], as @treaty-2025 says.\n")
    assert md.htmlStash.html_counter == 0
    assert '<a class="citation" href="#ref-treaty-2025">' in html and "\x02" not in html
    assert re.search(r'</p>\s*<section[^>]*class="references"', html)  # the list is not inside a <p>
    assert '<ul class="reference-list"><li class="reference" id="ref-treaty-2025">' in html


def test_a_citation_in_a_heading_gives_the_table_of_contents_its_words(project):
    md = markdown.Markdown(extensions=engine(project))
    html = md.convert("## Signed in Moscow [@treaty-2025]\n\nText.\n")
    name = md.toc_tokens[0]["name"]
    assert "\x02" not in name and "mdcite" not in name and name.startswith("Signed in Moscow (")
    assert '<a class="citation" href="#ref-treaty-2025">' in html
