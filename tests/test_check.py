"""`mdcite check`: the fast lint a contributor runs before a pull request (no site build)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest


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
    config.write_text(config.read_text().replace("  - mdcite.extension\n",
                                                 "  - mdcite.extension:\n      directory_urls: false\n"))
    assert check(project).returncode == 0


# -- one set of rules: each contributor mistake fails `make check` and `make build` alike ------------
# `make check` runs `mdcite check` and `make build` runs `mdcite build --generator $(GENERATOR)` (see
# test_makefile_runs_the_commands_these_tests_run); each case runs both on a copy of the fixture.

THEME = "# Energy\n\n## Gas {#sec-energy-gas}\n\nThe gas deal was signed in Moscow in 2025 [@org-2025].\n"


def check_and_build(project):
    checked = check(project)
    built = subprocess.run([sys.executable, "-m", "mdcite.cli", "build", "--generator", "mkdocs"], cwd=project,
                           capture_output=True, text=True, env=os.environ | {"NO_MKDOCS_2_WARNING": "1"})
    return checked, built


def assert_both_report(project, expected: str):
    """Both commands fail, print the same located line, and the build leaves no site behind."""
    checked, built = check_and_build(project)
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert built.returncode == 1, built.stdout + built.stderr
    assert expected in checked.stderr.splitlines(), checked.stderr
    assert expected in built.stderr.splitlines(), built.stderr
    errors = [line for line in checked.stderr.splitlines() if ": error: " in line]
    assert errors == [line for line in built.stderr.splitlines() if ": error: " in line]
    assert not (project / "site").exists()


def write(project, src: str, text: str) -> None:
    path = project / "docs" / src
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_paragraph_without_citation_on_a_theme_page_fails_check_and_build(project):
    write(project, "themes/energy.md", THEME + "\nA second claim that nobody has sourced at all.\n")
    assert_both_report(project, "docs/themes/energy.md:7:1: error: paragraph has no citation; cite its source "
                                "as [@key], or mark a summary that only restates cited material with {: .summary }")


def test_link_to_a_missing_fragment_fails_check_and_build_with_the_nearest_anchor(project):
    write(project, "themes/energy.md", THEME)
    write(project, "context/timeline.md", "# Timeline\n\n## 2025 {#sec-timeline-2025}\n\n"
                                          "The [gas deal](../themes/energy.md#sec-energy-gass) was signed [@org-2025].\n")
    assert_both_report(project, "docs/context/timeline.md:5:16: error: link to '#sec-energy-gass' on "
                                "themes/energy.md, which has no such anchor (did you mean 'sec-energy-gas'?)")


def test_link_to_a_missing_fragment_on_the_same_page_fails_check_and_build(project):
    write(project, "themes/energy.md", THEME + "\nSee [above](#sec-energy-gaz) for the deal [@org-2025].\n")
    assert_both_report(project, "docs/themes/energy.md:7:13: error: link to '#sec-energy-gaz' on "
                                "themes/energy.md, which has no such anchor (did you mean 'sec-energy-gas'?)")


def test_link_to_a_missing_page_fails_check_and_build_at_the_same_place(project):
    write(project, "context/timeline.md", "# Timeline\n")
    write(project, "themes/energy.md", THEME + "\nSee the [timeline](../context/timelin.md) [@org-2025].\n")
    assert_both_report(project, "docs/themes/energy.md:7:20: error: link to '../context/timelin.md', which does "
                                "not exist (did you mean '../context/timeline.md'?)")


def test_heading_without_a_label_fails_check_and_build_with_a_label_to_add(project):
    write(project, "themes/energy.md", THEME + "\n## Oil swaps\n\nOil was swapped for goods [@org-2025].\n")
    assert_both_report(project, "docs/themes/energy.md:7:1: error: heading 'Oil swaps' has no label; add a "
                                "permanent id such as {#sec-energy-oil-swaps} at the end of the heading line")


def test_heading_label_outside_the_sec_namespace_fails_check_and_build(project):
    write(project, "themes/energy.md", THEME + "\n### Oil {#oil}\n\nOil was swapped for goods [@org-2025].\n")
    assert_both_report(project, "docs/themes/energy.md:7:1: error: heading 'Oil' has the id 'oil', which does not "
                                "start with 'sec-'; add a permanent id such as {#sec-energy-oil} at the end of "
                                "the heading line")


def test_deeper_headings_need_no_label(project):
    write(project, "themes/energy.md", THEME + "\n#### A detail\n\nA detail of the gas deal [@org-2025].\n")
    assert check(project).returncode == 0


def with_nav(project, *pages: str) -> None:
    config = project / "mkdocs.yml"
    config.write_text(config.read_text() + "nav:\n" + "".join(f"  - {p}\n" for p in pages))


def test_page_missing_from_nav_fails_check_and_build(project):
    write(project, "themes/energy.md", THEME)
    with_nav(project, "index.md", "articles.md", "references.md", "deep/er/page.md")
    assert_both_report(project, "docs/themes/energy.md:1:1: error: page is not in the nav of mkdocs.yml; add "
                                "'- Energy: themes/energy.md' there (or list it under not_in_nav)")


def test_nav_entry_without_a_page_fails_check_and_build(project):
    with_nav(project, "index.md", "articles.md", "references.md", "deep/er/page.md", "themes/energy.md")
    assert_both_report(project, "mkdocs.yml:20:5: error: nav names 'themes/energy.md', which is not a page in "
                                "docs/")


def test_complete_nav_passes(project):
    with_nav(project, "index.md", "articles.md", "references.md", "deep/er/page.md")
    assert check(project).returncode == 0


BROKEN_ENTRIES = {
    "missing comma": ("@online{broken-comma,\n  author = {{A}},\n  title  = {T}\n  url    = {https://a.org},\n}\n",
                      "references.bib:73:15: error: BibTeX syntax error in entry 'broken-comma': missing ',' "
                      "after the value of field 'title' (before 'url')"),
    "unclosed brace": ("@online{broken-brace,\n  author = {{A}},\n  title  = {Unclosed,\n  url    = {https://a.org},\n}\n",
                       "references.bib:73:12: error: BibTeX syntax error in entry 'broken-brace': the brace "
                       "opening field 'title' is not closed before 'url ='; close it with '}'"),
}


@pytest.mark.parametrize("mistake", BROKEN_ENTRIES)
def test_bibtex_syntax_error_is_reported_at_the_broken_entry_by_check_and_build(project, mistake):
    text, expected = BROKEN_ENTRIES[mistake]
    bib = project / "references.bib"
    lines = bib.read_text().splitlines(keepends=True)
    # The broken entry goes before the last one, so that pybtex trips over the entry after it.
    bib.write_text("".join(lines[:69]) + "\n" + text + "\n" + "".join(lines[69:]))
    assert_both_report(project, expected)


def test_summary_counts_in_the_singular_and_plural(project):
    write(project, "themes/energy.md", THEME + "\nA second claim that nobody has sourced at all.\n")
    assert "5 pages, 9 entries, 1 error, 0 warnings" in check(project).stdout


def test_makefile_runs_the_commands_these_tests_run():
    from tests.site_pages import ROOT

    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipes = dict(re.findall(r"^(\w+):.*\n((?:\t.*\n)+)", makefile, re.MULTILINE))
    assert "$(BIN)/mdcite check\n" in recipes["check"]
    assert "$(BIN)/mdcite build --generator $(GENERATOR)\n" in recipes["build"]
    assert "$(BIN)/mdcite serve --generator $(GENERATOR)" in recipes["serve"]


def test_links_to_generated_anchors_are_not_reported(project):
    """The reference list, its entries and the tag index exist only once built; links to them hold."""
    write(project, "themes/energy.md", THEME + "\nSee [the list](#references), [the work](#ref-org-2025) and "
                                               "[defence](../articles.md#tag-defence) [@org-2025].\n")
    done = check(project)
    assert done.returncode == 0, done.stdout + done.stderr


def test_one_bad_year_in_one_entry_gives_its_own_located_error_and_no_cascade(tmp_path):
    """The issue's case: the entry is cited by pages and by the figures' data package."""
    from tests.helpers import copy_project
    from tests.site_pages import ROOT

    project = copy_project(ROOT, tmp_path / "site")
    bib = project / "references.bib"
    text = bib.read_text(encoding="utf-8")
    start = text.index("@online{islamtimes-2023-rasht-astara,")
    date = text.index("date         = {2023-05-17}", start)
    bib.write_text(text[:date] + "year         = {20x3}" + text[date + len("date         = {2023-05-17}"):],
                   encoding="utf-8")
    done = check(project)
    errors = [line for line in (done.stdout + done.stderr).splitlines() if ": error: " in line]
    line = text.count("\n", 0, date) + 1
    assert errors == [f"references.bib:{line}:1: error: date of 'islamtimes-2023-rasht-astara' ('20x3') does not "
                      "parse; write date = {YYYY-MM-DD}, {YYYY-MM} or {YYYY}"]


def test_an_unclosed_brace_sets_only_its_entry_aside(project):
    bib = project / "references.bib"
    bib.write_text("@online{broken, author = {{A}}, title = {Unclosed,\n  url = {https://a.org}}\n\n"
                   + bib.read_text(encoding="utf-8"))
    done = check(project)
    errors = [line for line in done.stderr.splitlines() if ": error: " in line]
    assert errors == ["references.bib:1:41: error: BibTeX syntax error in entry 'broken': the brace opening field "
                      "'title' is not closed before 'url ='; close it with '}'"]
    assert "9 entries" in done.stdout  # every other entry is read, and serves the other checks


def test_citations_of_a_broken_entry_are_not_reported_as_unknown_keys(project):
    bib = project / "references.bib"
    bib.write_text(bib.read_text(encoding="utf-8").replace("date         = {2025},", "date         = {soon},", 1))
    errors = [line for line in check(project).stderr.splitlines() if ": error: " in line]
    assert errors == ["references.bib:5:1: error: date of 'org-2025' ('soon') does not parse; "
                      "write date = {YYYY-MM-DD}, {YYYY-MM} or {YYYY}"]  # not the pages citing it


def test_a_field_given_twice_is_located_at_its_second_occurrence(project):
    bib = project / "references.bib"
    bib.write_text(bib.read_text(encoding="utf-8").replace("@online{org-2025,", "@online{org-2025,\n  date = {2024},"))
    errors = [line for line in check(project).stderr.splitlines() if ": error: " in line]
    assert errors == ["references.bib:6:3: error: field 'date' appears twice in entry 'org-2025'; keep one"]


def test_an_unreadable_bibliography_says_once_that_keys_were_not_checked(project):
    (project / "references.bib").write_bytes(b"@online{x, author = {{A}},\n title = {Caf\xe9}, url = {https://a.org}}\n")
    done = check(project)
    assert done.stderr.splitlines()[:2] == [
        "references.bib:2:14: error: file is not UTF-8 (byte 0xe9); save it as UTF-8",
        "references.bib:2:14: note: citation keys in pages and figure data were not checked; they will be once "
        "references.bib can be read"]
    assert "unknown" not in done.stdout + done.stderr
    assert "1 error, 0 warnings" in done.stdout


def test_a_key_with_no_close_match_gets_no_did_you_mean(project):
    page = project / "docs" / "index.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nFar [@nosuchkey] and near [@tass-2025-dumma].\n")
    errors = [line for line in check(project).stderr.splitlines() if ": error: " in line]
    assert errors == [
        "docs/index.md:15:5: error: unknown citation key 'nosuchkey'; add the work to references.bib or fix the key",
        "docs/index.md:15:27: error: unknown citation key 'tass-2025-dumma' (did you mean 'tass-2025-duma'?); "
        "add the work to references.bib or fix the key"]


def published(project, manifest: dict) -> None:
    (project / "tests").mkdir(exist_ok=True)
    (project / "tests" / "anchors.json").write_text(json.dumps(manifest))


def test_a_duplicate_of_a_published_id_names_the_one_that_holds_it_and_says_to_rename_the_other(project):
    published(project, {"": ["sec-home-section"]})
    page = project / "docs" / "deep" / "er" / "page.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n## Again {#sec-home-section}\n")
    errors = [line for line in check(project).stderr.splitlines() if "sec-home-section" in line]
    assert errors == [
        "docs/deep/er/page.md:11:1: error: label 'sec-home-section' is defined 2 times; the one at docs/index.md:11 "
        "holds the published id (in tests/anchors.json): rename this one",
        "docs/index.md:11:1: error: label 'sec-home-section' is defined 2 times; this one holds the published id "
        "(in tests/anchors.json): keep it, and rename the other at docs/deep/er/page.md:11"]
