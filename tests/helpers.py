"""Small helpers shared by the engine's unit tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import markdown

from clausemap.extension import ClauseMapExtension, article_labels
from mdcite import index as index_module
from mdcite.bibliography import parse
from mdcite.extension import CitationsExtension
from mdcite.labelkinds import BUILT_IN

# What a build does not read: caches, the virtual environment, earlier builds, the benchmarks.
NOT_PROJECT = {".git", ".venv", "site", "bench", "node_modules", ".pytest_cache", ".ruff_cache",
               "test-results", ".cache", "__pycache__"}


def copy_project(source: Path, target: Path) -> Path:
    """A copy of a project (mkdocs.yml, docs/, overrides/, references.bib, the manifest…) that a
    test may build or change without touching the working tree."""
    shutil.rmtree(target, ignore_errors=True)

    def skipped(folder: str, names: list[str]) -> list[str]:
        top = Path(folder) == source
        return [n for n in names if n in NOT_PROJECT or n.endswith(".egg-info")
                or (top and n.startswith(("site.", "site-")))]

    shutil.copytree(source, target, ignore=skipped, symlinks=True)
    return target


def mdcite(project: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run `mdcite` (as the Makefile's check, build and serve targets do) in a project."""
    environment = os.environ | {"NO_MKDOCS_2_WARNING": "1"} | (env or {})
    return subprocess.run([sys.executable, "-m", "mdcite.cli", "--root", str(project), *args], cwd=project,
                          env=environment, capture_output=True, text=True)


# The label families of the fixture project: the engine's own, and its clause map of three articles.
FIXTURE_KINDS = (*BUILT_IN, article_labels(3, {}))

def bib(text: str):
    """A bibliography parsed from a string, as references.bib."""
    return parse(text, "references.bib")


def render_page(project: Path, src: str, extra: tuple[str, ...] = ()) -> str:
    """Render one page of a scratch project the way MkDocs would: front matter stripped.
    ``extra`` names further Python-Markdown extensions (such as def_list) to load."""
    text = (project / "docs" / src).read_text(encoding="utf-8")
    _, body, _ = index_module.split_front_matter(text)
    md = markdown.Markdown(extensions=["toc", "attr_list", *extra,
                                       CitationsExtension(root=str(project)),
                                       ClauseMapExtension(article_count=3)])
    return md.convert(body)


def render_text(project: Path, body: str) -> str:
    """Render text that is not one of the project's pages (it is checked on its own)."""
    md = markdown.Markdown(extensions=["toc", "attr_list", CitationsExtension(root=str(project)),
                                       ClauseMapExtension(article_count=3)])
    return md.convert(body)
