"""`mdcite check`: the fast lint a contributor runs before a pull request (no site build)."""

from __future__ import annotations

import subprocess
import sys


def check(project, *extra):
    return subprocess.run([sys.executable, "-m", "mdcite.cli", "check", *extra], cwd=project,
                          capture_output=True, text=True)


def test_clean_project_passes(project):
    done = check(project)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 errors, 0 warnings" in done.stdout


def test_check_reports_every_kind_of_problem_with_its_place(project):
    page = project / "docs" / "themes.md"
    page.write_text("# Themes\n\n## One {#sec-themes-one}\n\nA claim with no source at all here.\n\n"
                    "Unknown [@nosuch] and @sec-missing, malformed [@], link [x](gone.md).\n")
    bib = project / "references.bib"
    bib.write_text(bib.read_text() + "\n@online{spare, author = {{A}}, title = {Never cited},"
                                     " url = {https://a.org}}\n")
    done = check(project, "--cited", "themes")
    out = done.stdout + done.stderr
    assert done.returncode == 1
    for expected in [
        "docs/themes.md:5:1: error: paragraph has no citation",
        "docs/themes.md:7:9: error: unknown citation key 'nosuch'",
        "docs/themes.md:7:23: error: unknown cross-reference '@sec-missing'",
        "docs/themes.md:7:47: error: malformed citation: citation with an empty key",
        "docs/themes.md:7:61: error: link to 'gone.md', which does not exist",
        "references.bib:76:1: warning: entry 'spare' is never cited",
    ]:
        assert expected in out, out


def test_incomplete_and_duplicate_entries_are_errors(project):
    bib = project / "references.bib"
    bib.write_text(bib.read_text() + "\n@online{undated, title = {Again}, url = {https://a.org}}\n")
    out = check(project).stderr
    assert "references.bib:76:1: error: duplicate key 'undated' (first defined on line 70)" in out


def test_warnings_fail_only_in_strict_mode(project):
    bib = project / "references.bib"
    bib.write_text(bib.read_text() + "\n@online{spare, author = {{A}}, title = {T}, url = {https://a.org}}\n")
    assert check(project).returncode == 0
    assert check(project, "--strict").returncode == 1


def test_real_site_is_clean():
    from tests.site_pages import ROOT

    done = check(ROOT, "--strict")
    assert done.returncode == 0, done.stdout + done.stderr


def test_page_addresses_must_agree_between_mkdocs_and_the_extension(project):
    config = project / "mkdocs.yml"
    config.write_text(config.read_text().replace("strict: true\n", "strict: true\nuse_directory_urls: false\n"))
    done = check(project)
    assert done.returncode == 1
    assert ("mkdocs.yml:4:1: error: use_directory_urls is false but mdcite.extension's directory_urls "
            "is true; set directory_urls to the same value under mdcite.extension") in done.stderr
    config.write_text(config.read_text().replace("article_count: 3\n", "article_count: 3\n      directory_urls: false\n"))
    assert check(project).returncode == 0
