"""Families of cross-reference labels, by prefix.

The engine knows three families: sections (``sec-``), figures (``fig-``) and tables (``tbl-``).
Another Python-Markdown extension may add its own (a site's clause map adds ``art-`` for the
numbered articles of the text it maps): it subclasses ``LabelKind`` and offers it in two places, so that the
build and ``mdcite check`` agree: ``CitationsExtension.add_label_kind`` when Markdown loads it,
and a module-level ``label_kinds(options)`` that ``mdcite.config`` calls with the options that
``mkdocs.yml`` gives it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class LabelKind:
    """What the engine needs to know of one family of labels.

    Frozen (and so hashable): the per-build index is cached by the families it was built with."""

    prefix: str  # "sec-"
    pattern: str  # a whole valid id, as a regular expression
    example: str  # a valid id, shown when one is invalid
    define: str  # how to define a target; "ID" stands for the label asked for

    def valid(self, label_id: str) -> bool:
        return re.fullmatch(self.pattern, label_id) is not None

    def definition_problem(self, label_id: str) -> str:
        """Why a valid id may still not be defined ("" when it may)."""
        return ""

    def reference_problem(self, label_id: str) -> str:
        """Why a valid id may still not be referred to, whether or not it is defined ("" when it may)."""
        return ""

    def generated_anchors(self, page) -> set[str]:
        """Anchors that the extension's generated blocks add to a page (links to them are checked)."""
        return set()

    def link_text(self, label, in_link: bool) -> tuple[str, str] | None:
        """The words of a cross-reference to ``label`` and its hover title; None for the engine's
        default (the target's title, and "Page › Title")."""
        return None


SECTIONS = LabelKind("sec-", r"sec-[a-z0-9]+(?:-[a-z0-9]+)*", "sec-energy-gas", "label a heading with {#ID}")
FIGURES = LabelKind("fig-", r"fig-[a-z0-9]+(?:-[a-z0-9]+)*", "fig-trade",
                    'label a figure with <figure markdown="1" id="ID" …>')
TABLES = LabelKind("tbl-", r"tbl-[a-z0-9]+(?:-[a-z0-9]+)*", "tbl-treaties",
                   "label a table with a caption line 'Table: … {#ID}' right after it")
BUILT_IN: tuple[LabelKind, ...] = (SECTIONS, FIGURES, TABLES)


def kind_of(label_id: str, kinds: tuple[LabelKind, ...]) -> LabelKind | None:
    """The family whose prefix the id has, if any."""
    return next((kind for kind in kinds if label_id.startswith(kind.prefix)), None)


def invalid_message(label_id: str, kinds: tuple[LabelKind, ...]) -> str:
    examples = ", ".join(kind.example for kind in kinds)
    return (f"label '{label_id}' is not a valid id; use lowercase letters, digits and single hyphens, "
            f"as in {examples}")
