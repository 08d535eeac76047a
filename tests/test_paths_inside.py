"""Paths named in content stay inside: a declared page move and a figure's data file must lead to
a file in docs/, and a redirect is written only inside site/. Anything else is one located error
from `mdcite check` and from `mdcite build` (which leaves site/ as it was), never a crash or a
file written or read outside.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import lxml.html
import pytest

from mdcite import anchors
from tests.test_bad_inputs import assert_one_clear_error, build
from tests.test_figures import FIGURE, PACKAGE, TIMELINE

ALIASES = "docs/about/anchor-aliases.yml"


def check(project: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mdcite.cli", "check"], cwd=project, capture_output=True, text=True,
                          env=os.environ | {"NO_MKDOCS_2_WARNING": "1"})


def declare_moves(project: Path, lines: str) -> None:
    path = project / ALIASES
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("# Moved pages\nmoved-pages:\n" + lines, encoding="utf-8")


def assert_check_and_build_stop_at(project: Path, where: str, message: str) -> None:
    """Both commands give the located error (``where`` is its path, or path:line:col); the build
    leaves the previous site/ as it was."""
    path = where.split(":")[0]
    for done in (check(project), build(project)):
        assert_one_clear_error(done, path, message)
        assert where == path or f"{where}: error: " in done.stderr, done.stderr
    assert (project / "site" / "previous-build.txt").read_text() == "kept"
    assert sorted(p.name for p in (project / "site").iterdir()) == ["previous-build.txt"]


def test_a_page_moved_from_outside_docs_is_a_located_error_and_writes_nothing_there(project):
    declare_moves(project, "  ../../escaped.md: index.md\n")
    assert_check_and_build_stop_at(project, f"{ALIASES}:3:3", "moved page '../../escaped.md' is not a page of docs/")
    assert not (project.parent / "escaped").exists() and not (project / "escaped").exists()


def test_a_page_moved_from_an_absolute_path_is_a_located_error(project, tmp_path):
    target = tmp_path / "elsewhere" / "page.md"
    declare_moves(project, f"  {target}: index.md\n")
    assert_check_and_build_stop_at(project, f"{ALIASES}:3:3", f"moved page '{target}' is not a page of docs/")
    assert not (tmp_path / "elsewhere").exists()


def test_a_page_moved_to_a_path_outside_docs_is_a_located_error(project):
    declare_moves(project, "  gone.md: ../../../etc/passwd.md\n")
    assert_check_and_build_stop_at(project, f"{ALIASES}:3:12", "new page '../../../etc/passwd.md' is not a page of docs/")


def test_a_page_moved_to_a_page_that_does_not_exist_is_a_located_error(project):
    declare_moves(project, "  gone.md: nowhere.md\n")
    assert_check_and_build_stop_at(project, f"{ALIASES}:3:12", "moved to 'nowhere.md', which is not a page of docs/")


def test_a_page_declared_moved_that_still_exists_is_a_located_error_not_overwritten(project):
    declare_moves(project, "  articles.md: index.md\n")
    assert_check_and_build_stop_at(project, f"{ALIASES}:3:3", "moved page 'articles.md' still exists")


def test_a_declared_move_writes_its_redirect_at_the_old_address_inside_site(project):
    declare_moves(project, "  old/name.md: deep/er/page.md\n")
    done = build(project)
    assert done.returncode == 0, done.stdout + done.stderr
    redirect = (project / "site" / "old" / "name" / "index.html").read_text(encoding="utf-8")
    assert '<meta http-equiv="refresh" content="0; url=../../deep/er/page/">' in redirect


def test_the_redirect_page_escapes_the_address_it_names():
    doc = lxml.html.document_fromstring(anchors.redirect_html("old/", 'new"><script>alert(1)</script>/'))
    assert doc.xpath("//script") == []
    assert doc.xpath("//a/@href") == doc.xpath("//link/@href") == ["../new%22%3E%3Cscript%3Ealert%281%29%3C/script%3E/"]
    assert doc.xpath("//a/text()") == ['../new"><script>alert(1)</script>/']


def add_figure(project: Path, data_file: str) -> None:
    folder = project / "docs" / "figures"
    folder.mkdir(exist_ok=True)
    (folder / "path.csv").write_text(TIMELINE, encoding="utf-8")
    (folder / "datapackage.json").write_text(PACKAGE, encoding="utf-8")
    page = project / "docs" / "index.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n" + FIGURE.format(data=data_file), encoding="utf-8")


FIGURE_AT = "docs/index.md"


@pytest.mark.parametrize("how", ["climbs out with ../", "is absolute"])
def test_figure_data_outside_docs_is_a_located_error_and_is_never_read(project, how):
    outside = project / "outside.csv"  # a readable file beside docs/, not in it
    outside.write_text(TIMELINE, encoding="utf-8")
    link = "../outside.csv" if how == "climbs out with ../" else str(outside)
    add_figure(project, link)
    assert_check_and_build_stop_at(project, FIGURE_AT, f"figure 'fig-path' names data file '{link}', which is "
                                                         "outside docs/")


def test_figure_data_through_a_symbolic_link_out_of_docs_is_a_located_error(project):
    (project / "outside.csv").write_text(TIMELINE, encoding="utf-8")
    add_figure(project, "figures/linked.csv")
    (project / "docs" / "figures" / "linked.csv").symlink_to(project / "outside.csv")
    assert_check_and_build_stop_at(project, FIGURE_AT, "names data file 'figures/linked.csv', which is outside docs/")
