"""Editions are marked for certain: scripts/publish.py finds its hooks in each edition's built HTML
with an HTML parser, marks every page (banner, canonical link, "Cite this edition") or stops the
publish naming the page that cannot carry a mark, and leaves nothing behind when it stops.

Each test publishes the small scratch project (without PDFs) from a git repository whose edition
tag has a template different from the living one.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import lxml.html
import pytest

from tests.site_pages import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import pdf  # noqa: E402
import publish  # noqa: E402

BASE = "https://example.org/sub/path/"
LIVING_BLOCK = ('<details class="cite-block" id="cite-this-page"><summary>Cite this page</summary>'
                '<p class="cite-version"><strong>Cite the living version</strong></p>'
                '<p class="cite-text">Fixture. "{{ page.title }}." {{ page.canonical_url }}</p>'
                '<p class="cite-note">See How to cite.</p></details>')
# A template of an older tag: the same block without the paragraph publish.py rewrites.
UNHOOKED_BLOCK = LIVING_BLOCK.replace(' class="cite-version"', "")


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", *args],
                   cwd=repo, check=True, capture_output=True)


def use_template(repo: Path, cite_block: str | None) -> None:
    """overrides/main.html with this cite block after each page's content (None: no block)."""
    block = "{% block content %}{{ super() }}" + cite_block + "{% endblock %}" if cite_block else ""
    (repo / "overrides").mkdir(exist_ok=True)
    (repo / "overrides" / "main.html").write_text('{% extends "base.html" %}\n' + block + "\n", encoding="utf-8")


def commit(repo: Path, message: str, tag: str = "") -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "-m", message)
    if tag:
        git(repo, "tag", "-a", tag, "-m", f"{message}\n\nWhat changed.")


@pytest.fixture
def repo(project: Path) -> Path:
    """The scratch project with its own engine and a living template, in a git repository."""
    shutil.copytree(ROOT / "scripts", project / "scripts", ignore=shutil.ignore_patterns("__pycache__"))
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("  name: material\n",
                                                                 "  name: material\n  custom_dir: overrides\n"),
                      encoding="utf-8")
    home = project / "docs" / "index.md"
    home.write_text(home.read_text(encoding="utf-8") + '\n<div class="editions-list">Listed when published.</div>\n',
                    encoding="utf-8")
    git(project, "init", "--quiet", "--initial-branch=main")
    return project


def published_pages(public: Path, slug: str) -> list[Path]:
    return sorted((public / "editions" / slug).rglob("index.html"))


def test_an_edition_whose_cite_block_lacks_the_hook_stops_the_publish_naming_the_page(repo):
    use_template(repo, UNHOOKED_BLOCK)
    commit(repo, "November edition", tag="v2026.11")
    use_template(repo, LIVING_BLOCK)
    commit(repo, "The living template")
    with pytest.raises(SystemExit) as stopped:
        publish.publish(repo, repo / "public", with_pdfs=False)
    assert str(stopped.value) == ("publish: editions/2026-11/articles/index.html: its cite block has no element of "
                                  "class cite-version to say that it cites this edition, not the living version; "
                                  "nothing was published")
    assert sorted(p.name for p in repo.iterdir() if p.name.startswith("public")) == []


def test_an_edition_whose_template_has_no_cite_block_is_still_marked_on_every_page(repo):
    use_template(repo, None)
    commit(repo, "November edition", tag="v2026.11")
    use_template(repo, LIVING_BLOCK)
    commit(repo, "The living template")
    publish.publish(repo, repo / "public", with_pdfs=False)
    pages = published_pages(repo / "public", "2026-11")
    assert len(pages) == 4
    for page in pages:
        doc = lxml.html.parse(str(page)).getroot()
        assert doc.xpath("//head/link[@rel='canonical']/@href") == [
            BASE + page.parent.relative_to(repo / "public").as_posix() + "/"], page
        banner = doc.xpath("//article/*[1]")[0]
        assert "Archived edition of November 2026" in banner.text_content(), page
        assert "Cite the living version" not in doc.text_content(), page


def test_an_edition_with_the_hook_cites_itself_and_the_living_site_offers_it(repo):
    use_template(repo, LIVING_BLOCK)
    commit(repo, "November edition", tag="v2026.11")
    publish.publish(repo, repo / "public", with_pdfs=False)
    edition = lxml.html.parse(str(repo / "public/editions/2026-11/deep/er/page/index.html")).getroot()
    versions = edition.cssselect("details#cite-this-page .cite-version")
    assert [v.text_content() for v in versions] == ["Cite this edition (November 2026, a fixed text):"]
    living = lxml.html.parse(str(repo / "public/deep/er/page/index.html")).getroot()
    block = living.cssselect("details#cite-this-page")[0]
    assert [f"{c.tag}.{c.get('class')}" for c in block][-2:] == ["div.cite-edition", "p.cite-note"]
    assert block.cssselect(".cite-edition")[0].get("data-url") == BASE + "editions/2026-11/deep/er/page/"
    listed = lxml.html.parse(str(repo / "public/index.html")).getroot().cssselect(".editions-list a")
    assert listed[0].get("href") == "editions/2026-11/" and listed[0].text == "November 2026 edition"


def test_an_edition_without_the_metadata_a_pdf_needs_keeps_its_pages_without_one(tmp_path, capsys):
    (tmp_path / "index.html").write_text("<!doctype html><html><head></head><body><article>Old</article></body></html>")
    ed = publish.Edition("v2026.11", "2026-11", dt.date(2026, 11, 2), "November")
    assert publish.edition_pdf(tmp_path, ed, BASE) is False
    assert capsys.readouterr().err == (f"publish: v2026.11 has no PDF: {tmp_path / 'index.html'}: no schema.org "
                                       "Article metadata; build the site first\n")


def test_a_pdf_that_fails_for_another_reason_stops_the_publish(tmp_path, monkeypatch):
    (tmp_path / "index.html").write_text(
        '<!doctype html><html><head><script type="application/ld+json">{"@type": "Article", "name": "T", '
        '"version": "1.0"}</script></head><body><article>Page</article></body></html>')

    def no_pango(*args, **kwargs):
        raise OSError("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr(pdf, "write_pdf", no_pango)
    ed = publish.Edition("v2026.11", "2026-11", dt.date(2026, 11, 2), "November")
    with pytest.raises(OSError, match="libpango"):
        publish.edition_pdf(tmp_path, ed, BASE)
