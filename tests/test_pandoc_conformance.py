"""Citations read as Pandoc reads them: every case in ``tests/data/pandoc_citations.yaml`` is read
by a real Pandoc (from ``pypandoc-binary``) and by our reader, and the readings must agree, work
by work: the key, the mode (normal, author in text, author suppressed), the prefix and the suffix.

A case marked ``differs`` is a deliberate difference listed in CONTRIBUTING.md: there our reader
must stop with a located error (the text given), never read the citation silently otherwise.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pypandoc
import pytest
import yaml

from mdcite.errors import SourceError
from mdcite.syntax import read_lines, scan
from tests.helpers import render_text

CASES = yaml.safe_load((Path(__file__).parent / "data" / "pandoc_citations.yaml").read_text(encoding="utf-8"))
PANDOC = pypandoc.get_pandoc_path()
AFFIX_MARK = "Z"  # starts each affix's paragraph, so that no affix can open a block (a list, a heading)


def pandoc_blocks(markdown: str) -> list:
    done = subprocess.run([PANDOC, "-f", "markdown", "-t", "json"], input=markdown, capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout)["blocks"]


def stringify(node) -> str:
    """Pandoc's inlines as plain text (what ``pandoc.utils.stringify`` gives)."""
    if isinstance(node, list):
        return "".join(stringify(n) for n in node)
    if not isinstance(node, dict):
        return ""
    kind, content = node.get("t"), node.get("c")
    if kind == "Str":
        return content
    if kind in ("Space", "SoftBreak", "LineBreak"):
        return " "
    if kind in ("Code", "Math"):
        return content[1]
    if kind in ("RawInline", "Note"):
        return ""
    if kind == "Quoted":
        quote = "\u201c\u201d" if content[0]["t"] == "DoubleQuote" else "\u2018\u2019"
        return quote[0] + stringify(content[1]) + quote[1]
    if kind in ("Link", "Image", "Span"):
        return stringify(content[1])
    if kind == "Cite":
        return stringify(content[1])
    return stringify(content)


def normal(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


def cites_in(node, found: list) -> list:
    """Every Cite element in document order (notes included), each as its list of works."""
    if isinstance(node, list):
        for n in node:
            cites_in(n, found)
    elif isinstance(node, dict):
        if node.get("t") == "Cite":
            found.append(tuple((c["citationId"], c["citationMode"]["t"], normal(stringify(c["citationPrefix"])),
                                normal(stringify(c["citationSuffix"]))) for c in node["c"][0]))
            for c in node["c"][0]:
                cites_in(c["citationPrefix"], found)
                cites_in(c["citationSuffix"], found)
        else:
            cites_in(node.get("c"), found)
    return found


def our_cites(markdown: str):
    return read_lines(markdown.split("\n"))[1]


@pytest.fixture(scope="module")
def readings() -> dict:
    """Pandoc's reading of every case, and Pandoc's text of every prefix and suffix we read."""
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        docs = list(pool.map(pandoc_blocks, [case["markdown"] for case in CASES]))
    affixes = sorted({affix for case in CASES for cite in our_cites(case["markdown"]) for item in cite.items
                      for affix in (item.prefix, item.suffix) if affix})
    blocks = pandoc_blocks("\n\n".join(f"{AFFIX_MARK} {affix}" for affix in affixes))
    texts = {affix: normal(stringify(block["c"]))[len(AFFIX_MARK):].strip()
             for affix, block in zip(affixes, blocks, strict=True)}
    return {"pandoc": [sorted(cites_in(doc, [])) for doc in docs], "affix": texts}


def ours(markdown: str, affix: dict) -> list:
    return sorted(tuple((item.key, item.mode, affix.get(item.prefix, ""), affix.get(item.suffix, ""))
                        for item in cite.items) for cite in our_cites(markdown))


def case_id(case: dict) -> str:
    return re.sub(r"\s+", " ", case["markdown"])[:60]


@pytest.mark.parametrize("case", [c for c in CASES if "differs" not in c], ids=case_id)
def test_case_is_read_as_pandoc_reads_it(case, readings):
    problems = [cite.problem for cite in our_cites(case["markdown"]) if cite.problem]
    assert problems == []
    assert ours(case["markdown"], readings["affix"]) == readings["pandoc"][CASES.index(case)]


@pytest.mark.parametrize("case", [c for c in CASES if "differs" in c], ids=case_id)
def test_deliberate_difference_is_a_located_error(case):
    tokens = [t for t in scan(case["markdown"].split("\n")) if t.problem]
    assert tokens and case["differs"] in tokens[0].problem
    assert tokens[0].line >= 1 and tokens[0].col >= 1


@pytest.mark.parametrize("case", [c for c in CASES if "differs" in c], ids=case_id)
def test_deliberate_difference_stops_the_build_with_the_same_located_error(case, project):
    [token] = [t for t in scan(case["markdown"].split("\n")) if t.problem][:1]
    with pytest.raises(SourceError) as caught:
        render_text(project, case["markdown"] + "\n")
    assert f"<input>:{token.line}:{token.col}: error: malformed citation: {token.problem}" in str(caught.value)


def test_suite_holds_at_least_150_cases_each_with_its_origin():
    assert len(CASES) >= 150
    assert all(case.get("origin") for case in CASES)
