"""Small helpers shared by the engine's unit tests."""

from __future__ import annotations

from pathlib import Path

import markdown

from mdcite import index as index_module
from mdcite.bibliography import parse
from mdcite.extension import CitationsExtension


def bib(text: str):
    """A bibliography parsed from a string, as references.bib."""
    return parse(text, "references.bib")


def render_page(project: Path, src: str, extra: tuple[str, ...] = ()) -> str:
    """Render one page of a scratch project the way MkDocs would: front matter stripped.
    ``extra`` names further Python-Markdown extensions (such as def_list) to load."""
    text = (project / "docs" / src).read_text(encoding="utf-8")
    _, body, _ = index_module.split_front_matter(text)
    md = markdown.Markdown(extensions=["toc", "attr_list", *extra,
                                       CitationsExtension(root=str(project), article_count=3)])
    return md.convert(body)


def render_text(project: Path, body: str) -> str:
    """Render text that is not one of the project's pages (it is checked on its own)."""
    md = markdown.Markdown(extensions=["toc", "attr_list", CitationsExtension(root=str(project),
                                                                              article_count=3)])
    return md.convert(body)
