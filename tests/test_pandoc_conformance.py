"""Citations read as Pandoc reads them: every case in ``tests/data/pandoc_citations.yaml`` is read
by a real Pandoc (from ``pypandoc-binary``) and by our reader, and the readings must agree, work
by work: the key, the mode (normal, author in text, author suppressed), the prefix and the suffix.

A case marked ``differs`` is a deliberate difference listed in CONTRIBUTING.md: there our reader
must stop with a located error (the text given), never read the citation silently otherwise.

Beyond the cases, a bounded differential fuzzing (``tests/fuzz_pandoc.py``, seeded) checks that
random paragraphs of citation syntax are read as Pandoc reads them, or refused with an error.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from mdcite.errors import SourceError
from mdcite.syntax import scan
from tests import fuzz_pandoc
from tests.helpers import render_text
from tests.pandoc_reading import affix_texts, ours, pandoc_readings, problems

CASES = yaml.safe_load((Path(__file__).parent / "data" / "pandoc_citations.yaml").read_text(encoding="utf-8"))
FUZZ_COUNT, FUZZ_SEED = 1000, 22  # paragraphs drawn by the in-suite fuzzing; more with tests.fuzz_pandoc


@pytest.fixture(scope="module")
def readings() -> dict:
    """Pandoc's reading of every case, and Pandoc's text of every prefix and suffix we read."""
    markdowns = [case["markdown"] for case in CASES]
    return {"pandoc": pandoc_readings(markdowns), "affix": affix_texts(markdowns)}


def case_id(case: dict) -> str:
    return re.sub(r"\s+", " ", case["markdown"])[:60]


@pytest.mark.parametrize("case", [c for c in CASES if "differs" not in c], ids=case_id)
def test_case_is_read_as_pandoc_reads_it(case, readings):
    assert problems(case["markdown"]) == []
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


def test_random_paragraphs_are_read_as_pandoc_reads_them_or_refused_with_an_error():
    """Differential fuzzing, bounded: each paragraph is read as Pandoc reads it, or our reader
    reports a problem (a located error); none is read differently without a word."""
    assert fuzz_pandoc.fuzz(FUZZ_COUNT, FUZZ_SEED) == []
