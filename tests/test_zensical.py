"""The real site built by Zensical from the same mkdocs.yml: the same pages, citations, reference
lists and anchors as the MkDocs build, and no broken link or fragment, at the root and under a
sub-path.

Zensical runs Python-Markdown extensions but no MkDocs plugins, hooks or template variables of
its own; DESIGN.md promises that the engine works under both. Where the two builds must differ,
the difference is named below with its reason and is the only thing not compared.
"""

from __future__ import annotations

import importlib.util
import os
import re
from pathlib import Path

import lxml.html
import pytest

from tests.helpers import copy_project, mdcite
from tests.site_pages import ROOT, lychee, on_a_host, unresolved_links

pytestmark = pytest.mark.slow

# Files one generator writes and the other does not, beside the pages. Nothing else may differ.
GENERATOR_FILES = {
    "search/search_index.json": "Material for MkDocs' search index; Zensical has its own search",
    "search.json": "Zensical's search index, in its own format and place",
    "sitemap.xml.gz": "MkDocs also writes a gzipped sitemap; Zensical writes only sitemap.xml",
}
# Folders of theme assets: each generator ships its own build of the theme (file names differ).
THEME_ASSET_DIRS = ("assets/javascripts/", "assets/stylesheets/", "assets/images/")


def build_with_zensical(tmp: Path, site_url: str = "") -> Path:
    """Build a copy of the project exactly as a contributor does: `make build GENERATOR=zensical`
    runs `mdcite build --generator zensical` (the checks, the exports, the Zensical build in strict
    mode, the redirect pages)."""
    if importlib.util.find_spec("zensical") is None:
        message = "zensical is not installed; it belongs to the test dependencies (pip install -e '.[test]')"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    project = copy_project(ROOT, tmp / "project")
    done = mdcite(project, "build", "--generator", "zensical", env={"SITE_URL": site_url} if site_url else None)
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-6:])
        pytest.fail(f"mdcite build --generator zensical failed on a copy of the project:\n{tail}")
    return project / "site"


def test_make_build_with_zensical_runs_the_command_this_module_tests():
    """What is tested here is what `make build GENERATOR=zensical` runs."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^build:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE).group(1)
    assert "$(BIN)/mdcite build --generator $(GENERATOR)" in recipe


@pytest.fixture(scope="module")
def zensical_site(tmp_path_factory) -> Path:
    return build_with_zensical(tmp_path_factory.mktemp("zensical"))


def site_files(site: Path) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()
            and not p.relative_to(site).as_posix().startswith(THEME_ASSET_DIRS)}


def pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html") if p.name != "404.html")


def page_facts(path: Path) -> dict[str, list]:
    """What the engine puts on a page, in document order."""
    doc = lxml.html.parse(str(path)).getroot()
    return {
        "citations": [(a.get("href"), a.text_content(), a.get("title")) for a in doc.cssselect("a.citation")],
        "crossrefs": [(a.get("href"), a.text_content()) for a in doc.cssselect("a.crossref")],
        "references": [li.get("id") for li in doc.cssselect("li[id^=ref-]")],
        "backlinks": [(a.get("href"), a.text_content()) for a in doc.cssselect(".cited-in a")],
        "anchors": [el.get("id") for el in doc.cssselect("h2[id], h3[id], [id^=ref-]")],
    }


def differences(mkdocs_site: Path, zensical_site: Path, aspect: str) -> list[str]:
    found = []
    for page in pages(mkdocs_site):
        other = zensical_site / page
        if not other.exists():
            continue  # reported by the test of the page list
        ours, theirs = page_facts(mkdocs_site / page)[aspect], page_facts(other)[aspect]
        if ours != theirs:
            only_mkdocs = [x for x in ours if x not in theirs][:5]
            only_zensical = [x for x in theirs if x not in ours][:5]
            found.append(f"{page}: MkDocs only {only_mkdocs}, Zensical only {only_zensical}"
                         + ("" if only_mkdocs or only_zensical else " (same items, different order)"))
    return found


def test_zensical_builds_the_same_pages_as_mkdocs(built_site, zensical_site):
    assert pages(zensical_site) == pages(built_site)


def test_zensical_writes_the_same_files_but_the_named_generator_files(built_site, zensical_site):
    mkdocs_files, zensical_files = site_files(built_site), site_files(zensical_site)
    assert sorted((mkdocs_files ^ zensical_files) - set(GENERATOR_FILES)) == []
    assert {"references.bib", "references.json", "references.ris"} <= zensical_files


def test_each_page_has_the_same_citations_in_both_builds(built_site, zensical_site):
    assert differences(built_site, zensical_site, "citations") == []


def test_each_page_has_the_same_reference_list_in_both_builds(built_site, zensical_site):
    assert differences(built_site, zensical_site, "references") == []


def test_each_page_has_the_same_section_and_reference_anchors_in_both_builds(built_site, zensical_site):
    assert differences(built_site, zensical_site, "anchors") == []


def test_each_cross_reference_has_the_same_target_and_text_in_both_builds(built_site, zensical_site):
    assert differences(built_site, zensical_site, "crossrefs") == []


def test_bibliography_backlinks_have_the_same_targets_in_both_builds(built_site, zensical_site):
    assert differences(built_site, zensical_site, "backlinks") == []


def test_zensical_build_has_citations_to_compare(zensical_site):
    facts = page_facts(zensical_site / "themes" / "defence" / "index.html")
    assert len(facts["citations"]) > 10 and facts["references"]
    assert len(page_facts(zensical_site / "references" / "index.html")["backlinks"]) > 10


def test_lychee_finds_no_broken_link_or_fragment_in_the_zensical_build(zensical_site):
    done = lychee(zensical_site)
    assert done.returncode == 0, done.stdout + done.stderr
    assert " 0 Errors" in done.stdout


@pytest.fixture(scope="module")
def zensical_subpath_site(tmp_path_factory) -> Path:
    """Published as a GitHub Pages project site: the site sits at /treaty-guide/ of its host."""
    site = build_with_zensical(tmp_path_factory.mktemp("zensical-subpath"), "https://example.github.io/treaty-guide/")
    return on_a_host(site, "treaty-guide")


def test_lychee_finds_no_broken_link_in_the_zensical_build_under_a_sub_path(zensical_subpath_site):
    done = lychee(zensical_subpath_site, root_dir=zensical_subpath_site.parent)
    assert done.returncode == 0, done.stdout + done.stderr
    assert " 0 Errors" in done.stdout


def test_publish_workflow_switches_generator_with_one_setting():
    """The workflow runs `make publish`, whose living site is built by the generator that GENERATOR,
    in the job's environment, names (scripts/publish.py passes it to `mdcite build`)."""
    import yaml

    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "publish.yml").read_text(encoding="utf-8"))
    assert workflow["jobs"]["build"]["env"]["GENERATOR"] in ("mkdocs", "zensical")
    runs = [step.get("run", "") for step in workflow["jobs"]["build"]["steps"]]
    assert "make publish" in runs


def test_not_found_page_links_resolve_in_the_zensical_build(zensical_site, zensical_subpath_site):
    assert unresolved_links(zensical_site / "404.html", zensical_site) == []
    assert unresolved_links(zensical_subpath_site / "404.html", zensical_subpath_site.parent) == []
