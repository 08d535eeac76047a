"""The index follows the site's configuration: its nav numbers the figures, so a reordered nav
renumbers them on the next build in the same process (as under `make serve`), and a build with
another configuration (`--config other.yml`) numbers them in that file's nav."""

from __future__ import annotations

import re
from pathlib import Path

import markdown
import pytest

from clausemap.extension import ClauseMapExtension
from mdcite import index as index_module
from mdcite.extension import CitationsExtension
from tests.helpers import mdcite
from tests.test_figures import FIGURE, add_timeline_figure, append

PAGES = ["index.md", "articles.md", "references.md", "deep/er/page.md"]
CONFIG = """site_name: Fixture
site_url: https://example.org/sub/path/
strict: true
theme:
  name: material
validation: {{omitted_files: warn, absolute_links: warn, unrecognized_links: warn, anchors: warn}}
markdown_extensions:
  - toc: {{permalink: true}}
  - attr_list
  - md_in_html
  - mdcite.extension:
      bibliography: references.bib{extra}
  - clausemap.extension:
      article_count: 3
      tag_labels: {{defence: Defence}}
nav:
{nav}
"""


def write_config(project: Path, pages: list[str], name: str = "mkdocs.yml") -> None:
    """A configuration whose nav lists the pages in the given order."""
    extra = f"\n      config_file: {name}" if name != "mkdocs.yml" else ""
    nav = "\n".join(f"  - {src}" for src in pages)
    (project / name).write_text(CONFIG.format(extra=extra, nav=nav), encoding="utf-8")


@pytest.fixture
def two_figures(project: Path) -> Path:
    """The scratch project with a figure on the deep page (test_figures' own), one on the home
    page, and their data."""
    add_timeline_figure(project)
    append(project, "index.md", FIGURE.format(data="figures/path.csv").replace("fig-path", "fig-home"))
    write_config(project, PAGES)
    return project


def caption_number(html: str, fig_id: str) -> str:
    m = re.search(rf'<figure [^>]*id="{fig_id}">\s*<figcaption><span class="caption-number">Figure (\d+)\.', html)
    assert m, html
    return m.group(1)


def rendered(project: Path, src: str) -> str:
    _, body, _ = index_module.split_front_matter((project / "docs" / src).read_text(encoding="utf-8"))
    md = markdown.Markdown(extensions=["toc", "attr_list", "md_in_html",
                                       CitationsExtension(root=str(project)), ClauseMapExtension(article_count=3)])
    return md.convert(body)


def test_reordering_the_nav_renumbers_the_figures_on_the_next_build_in_the_same_process(two_figures, monkeypatch):
    monkeypatch.setattr(index_module, "RECHECK_SECONDS", 0)  # the next build, not the same one
    assert caption_number(rendered(two_figures, "deep/er/page.md"), "fig-path") == "2"
    write_config(two_figures, list(reversed(PAGES)))
    assert caption_number(rendered(two_figures, "deep/er/page.md"), "fig-path") == "1"
    assert caption_number(rendered(two_figures, "index.md"), "fig-home") == "2"


def test_the_index_signature_changes_with_the_configuration(two_figures):
    def sig():
        return index_module.signature(two_figures, two_figures / "docs", two_figures / "references.bib")

    before = sig()
    write_config(two_figures, list(reversed(PAGES)))
    assert sig() != before


def test_the_index_signature_lists_every_page_of_every_folder_with_its_size(tmp_path):
    for name, text in (("a.md", "a"), ("sub/b.md", "bb"), ("sub/deeper/c.md", "ccc"), ("sub/notes.txt", "x")):
        (tmp_path / "docs" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "docs" / name).write_text(text, encoding="utf-8")
    items = []
    index_module.page_stats(str(tmp_path / "docs"), items)
    assert [(Path(folder).relative_to(tmp_path).as_posix(), name, size) for folder, name, _, size in items] == [
        ("docs", "a.md", 1), ("docs/sub", "b.md", 2), ("docs/sub/deeper", "c.md", 3)]


def test_the_index_signature_changes_when_a_page_in_a_subfolder_changes_or_appears(two_figures):
    def sig():
        return index_module.signature(two_figures, two_figures / "docs", two_figures / "references.bib")

    before = sig()
    page = two_figures / "docs" / "deep" / "er" / "page.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    edited = sig()
    (two_figures / "docs" / "deep" / "new.md").write_text("# New\n", encoding="utf-8")
    assert len({before, edited, sig()}) == 3


@pytest.mark.slow
def test_a_build_with_another_configuration_numbers_figures_in_that_files_nav(two_figures):
    write_config(two_figures, list(reversed(PAGES)), "other.yml")
    done = mdcite(two_figures, "build", "--config", "other.yml")
    assert done.returncode == 0, done.stdout + done.stderr
    site = two_figures / "site"
    assert caption_number((site / "deep" / "er" / "page" / "index.html").read_text(encoding="utf-8"), "fig-path") == "1"
    assert caption_number((site / "index.html").read_text(encoding="utf-8"), "fig-home") == "2"


def test_check_with_another_configuration_that_does_not_name_itself_is_a_located_error(two_figures):
    (two_figures / "other.yml").write_text((two_figures / "mkdocs.yml").read_text(encoding="utf-8"), encoding="utf-8")
    done = mdcite(two_figures, "check", "--config", "other.yml")
    assert done.returncode == 1
    assert ("other.yml:1:1: error: mdcite.extension reads its settings and nav from config_file 'mkdocs.yml', "
            "but this build uses other.yml; add 'config_file: other.yml' under mdcite.extension, or the "
            "figures are numbered in another nav's order") in done.stderr, done.stderr


@pytest.mark.slow
def test_reordering_the_nav_while_serving_renumbers_the_figures(two_figures):
    from tests.test_serve import fetch, serve, wait_for

    def number(url: str) -> str:
        m = re.search(r'id="fig-path">\s*<figcaption><span class="caption-number">Figure (\d+)\.', fetch(url))
        return m.group(1) if m else ""

    with serve(two_figures) as url:
        page = url + "deep/er/page/"
        assert wait_for(lambda: number(page) == "2"), fetch(page)[:2000]
        write_config(two_figures, list(reversed(PAGES)))
        assert wait_for(lambda: number(page) == "1"), fetch(page)[:2000]


def test_a_rebuilt_index_reads_again_only_the_pages_whose_text_changed(project, monkeypatch):
    """Under `make serve` a save rebuilds the index: the pages nobody touched are not read again,
    and what they hold (labels, citations) is the same as from a fresh read."""
    index_module.build(project)
    read = []
    real = index_module.read_page
    monkeypatch.setattr(index_module, "read_page", lambda page, *args: (read.append(page.src), real(page, *args)))
    home = project / "docs" / "index.md"
    home.write_text(home.read_text(encoding="utf-8") + "\nOne more claim [@undated].\n", encoding="utf-8")
    again = index_module.build(project)
    assert read == ["index.md"]
    index_module._READINGS.clear()
    fresh = index_module.build(project)
    assert {k: [(c.page.src, c.line) for c in v] for k, v in again.citations.items()} == \
        {k: [(c.page.src, c.line) for c in v] for k, v in fresh.citations.items()}
    assert sorted(again.labels) == sorted(fresh.labels)
