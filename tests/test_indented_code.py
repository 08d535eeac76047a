"""Indented code blocks are code, never prose: citation syntax in one is neither checked nor
rendered, as Python-Markdown reads it, and the reader agrees with Python-Markdown itself about
which indented lines are code (a list item's 4-space continuation is prose, still checked)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import markdown
import pytest

from mdcite import blocks, config
from mdcite.syntax import scan
from tests.site_pages import ROOT
from tests.test_check import assert_both_report

# Each case holds one line with "@nosuchkey"; True when Python-Markdown reads it as code.
CASES = {
    "after a blank line at the top level": ("Text.\n\n    code @nosuchkey\n", True),
    "a tab after a blank line": ("Text.\n\n\tcode @nosuchkey\n", True),
    "inside a list item, 8 spaces": ("- An item.\n\n        code @nosuchkey\n", True),
    "inside a numbered list item, 8 spaces": ("1. An item.\n\n        code @nosuchkey\n", True),
    "inside a nested list item, 12 spaces": ("- a\n\n    - b\n\n            code @nosuchkey\n", True),
    "a list item's continuation paragraph, 4 spaces": ("- An item.\n\n    More @nosuchkey.\n", False),
    "a list item's lazy continuation, 4 spaces": ("- An item\n    more @nosuchkey.\n", False),
    "inside a blockquote": ("> A quote.\n>\n>     code @nosuchkey\n", True),
    "a blockquote's first line": (">     code @nosuchkey\n", True),
    "inside a list in a blockquote": ("> - An item.\n>\n>         code @nosuchkey\n", True),
    "right after a heading": ("# Title\n    code @nosuchkey\n", True),
    "right after a paragraph, no blank line": ("Text\n    more @nosuchkey.\n", False),
    "after a list, then a paragraph": ("- An item.\n\nText.\n\n    code @nosuchkey\n", True),
    "an admonition's body, 4 spaces": ('!!! note "Note"\n\n    Body @nosuchkey.\n', False),
    "inside an admonition, 8 spaces": ('!!! note "Note"\n\n        code @nosuchkey\n', True),
    "inside a definition, 8 spaces": ("Term\n\n:   A definition.\n\n        code @nosuchkey\n", True),
    "inside a Markdown HTML block": ('<div markdown="1">\n\n    code @nosuchkey\n\n</div>\n', True),
}


def site_extensions() -> tuple[str, ...]:
    return blocks.extensions_of(config.read(ROOT, "mkdocs.yml")[1])


def in_code(text: str, extensions: tuple[str, ...]) -> bool:
    """Whether Python-Markdown, with the site's extensions, renders the key inside <pre><code>."""
    html = markdown.markdown(text, extensions=list(extensions))
    assert "@nosuchkey" in html, html
    return any("@nosuchkey" in block for block in re.findall(r"<pre><code>(.*?)</code></pre>", html, re.DOTALL))


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_the_reader_agrees_with_python_markdown_about_indented_code(case):
    text, expected = CASES[case]
    extensions = site_extensions()
    assert in_code(text, extensions) is expected  # the case says what Python-Markdown does
    lines = text.split("\n")
    found = [t for t in scan(lines, blocks.indented_code(lines, extensions)) if t.items or t.label]
    assert [t.items[0].key for t in found] == ([] if expected else ["nosuchkey"])


def test_the_sites_extensions_that_shape_blocks_are_asked_and_ours_is_not():
    extensions = site_extensions()
    assert {"md_in_html", "admonition", "def_list", "tables", "fenced_code"} <= set(extensions)
    assert not any(name.startswith(("mdcite", "pymdownx.snippets")) for name in extensions)


def test_a_page_without_an_indented_at_sign_is_not_parsed_again(monkeypatch):
    monkeypatch.setattr(blocks, "_answers", lambda *args: pytest.fail("parsed a page that needs no answer"))
    assert blocks.indented_code(["Text @key.", "", "    code without the sign", "- item @key"]) == {}


CODE_PAGE = """# Code

Text before the code [@org-2025].

    code @nosuchkey at the top level

- An item.

        code [@nosuchkey] in a list item

> A quote.
>
>     code @nosuchkey in a blockquote

Text after the code.

\tcode -@nosuchkey after a tab
"""


def run(project, command: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mdcite.cli", command, *(("--generator", "mkdocs") if command == "build"
                                                                         else ())],
                          cwd=project, capture_output=True, text=True, env=os.environ | {"NO_MKDOCS_2_WARNING": "1"})


@pytest.mark.slow
def test_citation_syntax_in_indented_code_passes_check_and_build_and_shows_verbatim(project):
    (project / "docs" / "code.md").write_text(CODE_PAGE, encoding="utf-8")
    checked = run(project, "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    built = run(project, "build")
    assert built.returncode == 0, built.stdout + built.stderr
    html = (project / "site" / "code" / "index.html").read_text(encoding="utf-8")
    for shown in ("code @nosuchkey at the top level", "code [@nosuchkey] in a list item",
                  "code @nosuchkey in a blockquote", "code -@nosuchkey after a tab"):
        assert f"<pre><code>{shown}\n</code></pre>" in html, shown


def test_the_same_key_in_a_list_items_continuation_is_still_an_unknown_key_to_check_and_build(project):
    (project / "docs" / "code.md").write_text(
        "# Code\n\nText [@org-2025].\n\n- An item.\n\n    More from @nosuchkey here.\n", encoding="utf-8")
    assert_both_report(project, "docs/code.md:7:15: error: unknown citation key 'nosuchkey'; "
                                "add the work to references.bib or fix the key")
