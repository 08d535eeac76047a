"""Published anchors: a committed manifest, and moves declared so old links keep working."""

from __future__ import annotations

import json

from mdcite import anchors
from mdcite import index as index_module
from tests.helpers import render_page
from tests.site_pages import ROOT


def manifest_of(project):
    return anchors.current_anchors(index_module.build(project))


def test_removed_anchor_fails_the_check(project):
    manifest = manifest_of(project)
    page = project / "docs" / "deep" / "er" / "page.md"
    page.write_text(page.read_text().replace("{#sec-deep-section}", "{#sec-deep-part}"))
    idx = index_module.build(project)
    problems = anchors.check(idx, manifest, anchors.load_moves(project))
    assert [str(p) for p in problems] == [
        "docs/deep/er/page.md:1:1: error: published anchor '#sec-deep-section' is gone; keep the id, "
        "or declare 'sec-deep-section: <new-id>' under 'deep/er/page.md' in docs/about/anchor-aliases.yml"]


def test_declared_alias_passes_and_keeps_the_old_anchor_on_the_page(project):
    manifest = manifest_of(project)
    page = project / "docs" / "deep" / "er" / "page.md"
    page.write_text(page.read_text().replace("{#sec-deep-section}", "{#sec-deep-part}")
                    .replace("@sec-deep-section", "@sec-deep-part"))
    home = project / "docs" / "index.md"
    home.write_text(home.read_text().replace("@sec-deep-section", "@sec-deep-part"))
    (project / "docs" / "about").mkdir()
    (project / "docs" / "about" / "anchor-aliases.yml").write_text(
        "deep/er/page.md:\n  sec-deep-section: sec-deep-part\n")
    idx = index_module.build(project)
    assert anchors.check(idx, manifest, anchors.load_moves(project)) == []
    html = render_page(project, "deep/er/page.md")
    assert ('<span class="anchor-alias" data-moved-to="sec-deep-part" id="sec-deep-section"></span>'
            '<h2 id="sec-deep-part">') in html


def test_alias_to_a_missing_anchor_is_reported(project):
    manifest = manifest_of(project)
    page = project / "docs" / "deep" / "er" / "page.md"
    page.write_text(page.read_text().replace("{#sec-deep-section}", "{#sec-deep-part}")
                    .replace("@sec-deep-section", "@sec-deep-part"))
    (project / "docs" / "about").mkdir()
    (project / "docs" / "about" / "anchor-aliases.yml").write_text(
        "deep/er/page.md:\n  sec-deep-section: sec-nowhere\n")
    problems = anchors.check(index_module.build(project), manifest, anchors.load_moves(project))
    assert "points to 'sec-nowhere', which is not an anchor of that page" in str(problems[0])


def test_moved_page_needs_a_declaration_and_gets_a_redirect(project):
    manifest = manifest_of(project)
    (project / "docs" / "deep" / "er" / "page.md").rename(project / "docs" / "deep" / "moved.md")
    idx = index_module.build(project)
    problems = anchors.check(idx, manifest, anchors.load_moves(project))
    assert any("published page 'deep/er/page/' is gone" in str(p) for p in problems)
    (project / "docs" / "about").mkdir()
    (project / "docs" / "about" / "anchor-aliases.yml").write_text(
        "moved-pages:\n  deep/er/page.md: deep/moved.md\n")
    assert anchors.check(index_module.build(project), manifest, anchors.load_moves(project)) == []
    html = anchors.redirect_html("deep/er/page/", "deep/moved/")
    assert 'content="0; url=../../moved/"' in html


def test_real_site_keeps_every_published_anchor():
    idx = index_module.build(ROOT)
    manifest = json.loads((ROOT / anchors.MANIFEST_FILE).read_text())
    assert [str(p) for p in anchors.check(idx, manifest, idx.moves)] == []


def test_every_anchor_of_the_real_site_is_in_the_manifest():
    idx = index_module.build(ROOT)
    manifest = json.loads((ROOT / anchors.MANIFEST_FILE).read_text())
    for url, ids in anchors.current_anchors(idx).items():
        missing = set(ids) - set(manifest.get(url, []))
        assert not missing, f"run `mdcite anchors` to record {sorted(missing)} on {url}"
