"""Broken input, tried as a new contributor would: one clear error with its place, or safe text.

Every case runs the real command (`mdcite build`) on a scratch project whose site/ already holds
a previous build: a failed build must leave it untouched and print no traceback.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

GOOD_ENTRY = "@online{good, author = {{TASS}}, title = {T}, date = {2025}, url = {https://tass.com/}}\n"


def build(project: Path) -> subprocess.CompletedProcess:
    marker = project / "site" / "previous-build.txt"
    marker.parent.mkdir(exist_ok=True)
    marker.write_text("kept")
    env = os.environ | {"NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run([sys.executable, "-m", "mdcite.cli", "build"], cwd=project, env=env,
                          capture_output=True, text=True)


def add_to_page(project: Path, text: str, page: str = "index.md") -> None:
    path = project / "docs" / page
    path.write_text(path.read_text(encoding="utf-8") + "\n" + text + "\n", encoding="utf-8")


def add_to_bib(project: Path, text: str) -> None:
    path = project / "references.bib"
    path.write_text(path.read_text(encoding="utf-8") + "\n" + text + "\n", encoding="utf-8")


def assert_one_clear_error(done, where: str, message: str):
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert "Traceback" not in output, output
    errors = [line for line in output.splitlines() if ": error: " in line]
    assert errors, output
    assert re.match(re.escape(where) + r":\d+:\d+: error: ", errors[0]), errors
    assert any(message in e for e in errors), errors


PAGE_CASES = [
    ("[@nosuchkey]", "unknown citation key 'nosuchkey'"),
    ("An empty key [@] here.", "citation with an empty key"),
    ("Two keys [@org-2025 @undated] in one item.", "separate works with ';'"),
    ("A trailing [@org-2025;] semicolon.", "remove the extra ';'"),
    ("A cross-reference [@sec-home-section] in brackets.", "write it bare, outside brackets"),
    ("A key in the wrong case [@TASS-2025-DUMA].", "did you mean 'tass-2025-duma'"),
    ("Article zero @art-0.", "'@art-0' is not an article of the treaty"),
    ("Article too far @art-48.", "'@art-48' is not an article of the treaty"),
    ("Nowhere @sec-nowhere.", "unknown cross-reference '@sec-nowhere'"),
    ("## Twice {#sec-home-section}", "is defined 2 times"),
    ("## Bad label {#sec-Bad_Label}", "is not a valid id"),
    ("A word then [see a; @org-2025] mixed.", "has no '@key'"),
    ("A typo \\emph[ here.\n\nA later paragraph [sic].", "whose argument does not close in its paragraph"),
    ('A quoted bracket ["]" @org-2025] here.', "a quote or emphasis opened in a bracket holds its ']'"),
]


BIB_CASES = [
    ("@online{broken, author = {{A}}, title = {Unclosed, url = {https://a.org}}\n@online{next, title={x}}",
     "BibTeX syntax error"),
    ("@online{org-2025, author = {{A}}, title = {T}, url = {https://a.org}}", "duplicate key 'org-2025'"),
    ("@online{notitle, author = {{A}}, url = {https://a.org}}", "missing 'title'"),
    ("@online{js, author = {{A}}, title = {T}, url = {javascript:alert(1)}}", "plain http:// or https://"),
    ("@online{data, author = {{A}}, title = {T}, url = {data:text/html,<b>x</b>}}", "plain http:// or https://"),
    ("@online{spaces, author = {{A}}, title = {T}, url = {https://a.org/a b}}", "plain http:// or https://"),
    ("@online{latex, author = {{A}}, title = {A \\foo{bar} title}, url = {https://a.org}}",
     "LaTeX command '\\foo'"),
    ("@webpage{kind, author = {{A}}, title = {T}, url = {https://a.org}}", "unknown entry type '@webpage'"),
    ("@online{when, author = {{A}}, title = {T}, date = {17 January 2025}, url = {https://a.org}}",
     "does not parse"),
    ("@online{Org-2025, author = {{A}}, title = {T}, url = {https://a.org}}", "differs only in case"),
    ("@online{sec-x, author = {{A}}, title = {T}, url = {https://a.org}}", "reserved prefix"),
    ("@online{pct, author = {{A}}, title = {T}, note = {Down 40% in 2024}, url = {https://a.org}}",
     "field 'note' of 'pct' has a bare '%', which in LaTeX starts a comment (the rest of the line is "
     "dropped); write '\\%'"),
    ("@online{amp, author = {{A}}, title = {Oil & gas}, url = {https://a.org}}", "has a bare '&'"),
    ("@online{dollar, author = {{A}}, title = {A $5 deal}, url = {https://a.org}}", "has a bare '$'"),
    ("@online{hash, author = {{A}}, title = {Issue #3}, url = {https://a.org}}", "has a bare '#'"),
    ("@online{, author = {{A}}, title = {T}, url = {https://a.org}}", "entry without a key"),
]


CASES = [("docs/index.md", text, message) for text, message in PAGE_CASES] + [
    ("references.bib", text, message) for text, message in BIB_CASES]


@pytest.mark.parametrize("where, text, message", CASES, ids=[f"{c[0]}: {c[2][:40]}" for c in CASES])
def test_broken_input_gives_one_clear_error_and_leaves_site_untouched(project, where, text, message):
    (add_to_bib if where == "references.bib" else add_to_page)(project, text)
    done = build(project)
    assert_one_clear_error(done, where, message)
    assert (project / "site" / "previous-build.txt").read_text() == "kept"


def test_empty_bibliography_reports_the_first_citation(project):
    (project / "references.bib").write_text("")
    done = build(project)
    assert_one_clear_error(done, "docs/articles.md", "(references.bib has no entries)")


def test_bibliography_that_is_not_utf8_is_reported_with_its_place(project):
    (project / "references.bib").write_bytes(b"@online{x, author = {{A}},\n title = {Caf\xe9}, url = {https://a.org}}\n")
    done = build(project)
    assert_one_clear_error(done, "references.bib", "not UTF-8 (byte 0xe9)")
    assert "references.bib:2:14:" in done.stderr


def test_page_that_is_not_utf8_is_reported_with_its_place(project):
    (project / "docs" / "latin1.md").write_bytes(b"# Page\n\nCaf\xe9 [@org-2025]\n")
    done = build(project)
    assert_one_clear_error(done, "docs/latin1.md", "not UTF-8")


def test_html_and_script_in_a_title_or_note_render_escaped(project):
    add_to_bib(project, "@online{html, author = {{A}}, title = {<script>alert(1)</script> and <b>bold</b>},"
                        " note = {<img src=x onerror=alert(1)>}, url = {https://a.org}}")
    add_to_page(project, "Escaped [@html].")
    done = build(project)
    assert done.returncode == 0, done.stdout + done.stderr
    html = (project / "site" / "index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_citation_in_a_code_block_stays_literal(project):
    add_to_page(project, "```\n[@nosuchkey] and @art-99\n```\n\nInline `[@nosuchkey]` too.")
    done = build(project)
    assert done.returncode == 0, done.stdout + done.stderr
    html = (project / "site" / "index.html").read_text(encoding="utf-8")
    assert "[@nosuchkey] and @art-99" in html and "<code>[@nosuchkey]</code>" in html


def test_nested_brackets_render_the_inner_citation_safely(project):
    add_to_page(project, "Nested [[@org-2025]] brackets.")
    done = build(project)
    assert done.returncode == 0, done.stdout + done.stderr
    html = (project / "site" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'Nested \[\(<a class="citation" href="#ref-org-2025"', html)


def test_escaped_at_sign_is_literal_text(project):
    add_to_page(project, r"Write to the editors \@nosuchkey for details.")
    done = build(project)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "editors @nosuchkey for" in (project / "site" / "index.html").read_text(encoding="utf-8")


def test_mkdocs_itself_reports_the_error_without_a_traceback(project):
    add_to_page(project, "[@nosuchkey]")
    env = os.environ | {"NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q"], cwd=project, env=env,
                          capture_output=True, text=True)
    assert done.returncode != 0
    assert "Traceback" not in done.stdout + done.stderr
    assert "docs/index.md:15:1: error: unknown citation key 'nosuchkey'" in done.stdout + done.stderr
