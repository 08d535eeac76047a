"""The engine's package: modules that depend on each other one way only."""

from __future__ import annotations

import ast

from tests.site_pages import ROOT

PACKAGE = ROOT / "scripts" / "mdcite"


def imports_within_package() -> dict[str, set[str]]:
    """Each module of the package and the package modules it imports (``from . import x``,
    ``from .x import y``), at any depth of the file."""
    found: dict[str, set[str]] = {}
    for path in PACKAGE.glob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                names.update([node.module] if node.module else [a.name for a in node.names])
        found[path.stem] = {n.split(".")[0] for n in names}
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every import path that leads back to where it started."""
    found = []

    def visit(module: str, path: list[str]) -> None:
        for target in sorted(graph.get(module, ())):
            if target == path[0]:
                found.append(path + [target])
            elif target not in path and target > path[0]:  # each cycle once, from its smallest module
                visit(target, path + [target])

    for start in sorted(graph):
        visit(start, [start])
    return found


def test_engine_modules_import_each_other_without_a_cycle():
    assert cycles(imports_within_package()) == []


def test_index_owns_what_it_shares_with_anchors():
    graph = imports_within_package()
    assert "index" in graph["anchors"] and "anchors" not in graph["index"]


def test_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]
