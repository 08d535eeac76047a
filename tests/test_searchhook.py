"""The site's MkDocs hook (scripts/mdcite/searchhook.py): Material's search plugin reads each page
without the engine's comment-wrapped HTML, and the build is otherwise the same."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from mdcite.extension import LIST_CLOSE, LIST_OPEN
from mdcite.searchhook import without_comments

ROOT = Path(__file__).resolve().parent.parent
HOOK = ROOT / "scripts" / "mdcite" / "searchhook.py"


def test_the_engines_comments_go_with_all_they_hold():
    html = f"<p>Text ({LIST_OPEN}<a href=\"#ref-a\">{LIST_CLOSE}A 2025{LIST_OPEN}</a>{LIST_CLOSE}).</p>" \
           f"<section>{LIST_OPEN}<ul><li>A.</li></ul>{LIST_CLOSE}</section>"
    assert without_comments(html) == "<p>Text (A 2025).</p><section></section>"


def test_a_comment_left_open_is_kept_as_it_is():
    html = f"<p>One</p>{LIST_OPEN}<p>two</p>"
    assert without_comments(html) == html


def build(project: Path, name: str, hooks: list[str]) -> Path:
    settings = yaml.safe_load((project / "mkdocs.yml").read_text(encoding="utf-8"))
    settings["plugins"] = ["search"]
    settings["markdown_extensions"] = [
        {"mdcite.extension": {"list_in_comment": True, "links_in_comment": True}} if entry == "mdcite.extension"
        else entry for entry in settings["markdown_extensions"]]
    if hooks:
        settings["hooks"] = hooks
    (project / f"{name}.yml").write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
    out = project / f"out-{name}"
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--quiet", "-f", f"{name}.yml", "-d", str(out)],
                   cwd=project, check=True, capture_output=True, text=True)
    return out


def built_files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and not p.name.startswith("sitemap")}


def test_with_the_hook_the_pages_and_the_search_index_are_the_same(project):
    # A paragraph with an attribute that the search plugin takes out of the page, on a page that cites.
    index = project / "docs" / "index.md"
    index.write_text(index.read_text(encoding="utf-8")
                     + '\nSkipped by search [@org-2025].\n{: data-search-exclude="yes" }\n', encoding="utf-8")
    plain, hooked = build(project, "plain", []), build(project, "hooked", [str(HOOK)])
    assert built_files(hooked) == built_files(plain)
    home = (hooked / "index.html").read_text(encoding="utf-8")
    assert LIST_OPEN in home and "Skipped by search" in home and 'data-search-exclude="yes"' not in home
    entries = (hooked / "search" / "search_index.json").read_text(encoding="utf-8")
    assert "mdcite-list" not in entries and "Skipped by search" not in entries


def test_the_site_is_built_with_the_hook():
    from mkdocs.utils.yaml import yaml_load

    with open(ROOT / "mkdocs.yml", "rb") as f:
        settings = yaml_load(f)
    assert [(ROOT / h).resolve() for h in settings["hooks"]] == [HOOK]
