"""scripts/publish.py's small parts, without building a site: which tags are editions, links
between an edition and the living site, and the changelog's list."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

from tests.site_pages import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import publish  # noqa: E402


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", *args],
                   cwd=repo, check=True, capture_output=True)


def test_only_tags_named_vyyyy_mm_are_editions_oldest_first(tmp_path):
    git(tmp_path, "init", "--quiet")
    git(tmp_path, "commit", "--quiet", "--allow-empty", "-m", "one")
    for name in ["v2026.12", "v1.0.0", "v2026.13", "v2026.12.1", "2026.11"]:
        git(tmp_path, "tag", "-a", name, "-m", f"{name} notes")
    git(tmp_path, "tag", "-a", "v2027.01", "-m", "January\n\nWhat changed.")
    found = publish.edition_tags(tmp_path)
    assert [(e.tag, e.slug) for e in found] == [("v2026.12", "2026-12"), ("v2027.01", "2027-01")]
    assert found[1].notes == "January\n\nWhat changed."
    assert found[1].label == "January 2027"


def test_a_link_from_an_edition_page_climbs_back_to_the_living_page():
    assert publish.relative("editions/2026-12/themes/energy/", "themes/energy/") == "../../../../themes/energy/"
    assert publish.relative("editions/2026-12/", "") == "../../"
    assert publish.relative("about/changelog/", "editions/2026-12/") == "../../editions/2026-12/"


def test_a_declared_page_move_is_followed_to_the_living_page(tmp_path):
    (tmp_path / "themes" / "new").mkdir(parents=True)
    (tmp_path / "themes" / "new" / "index.html").write_text("<article></article>")
    moves = {"themes/old/": "themes/new/"}
    assert publish.living_address("themes/old/", tmp_path, moves) == "themes/new/"
    assert publish.living_address("themes/gone/", tmp_path, moves) == ""


def test_the_changelog_links_the_pdf_only_of_an_edition_that_has_one():
    with_pdf = publish.Edition("v2026.12", "2026-12", dt.date(2026, 12, 1), "December", has_pdf=True)
    without = publish.Edition("v2026.11", "2026-11", dt.date(2026, 11, 2), "November", has_pdf=False)
    block = publish.changelog_block([without, with_pdf], "about/changelog/")
    assert block.count("treaty-guide.pdf") == 1
    assert '<a href="../../editions/2026-12/treaty-guide.pdf">PDF</a>' in block
    assert block.index("December 2026 edition") < block.index("November 2026 edition")
