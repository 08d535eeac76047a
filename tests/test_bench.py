"""The benchmark's synthetic site: deterministic, the promised size, and valid for every engine.

Only the corpus generator is tested here; the timings themselves are `make bench`'s business.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bench import bench
from mdcite import index as index_module
from mdcite.bibliography import load

CITATION_RE = re.compile(r"\[@[^\]]*\]")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("bench") / "site"
    bench.generate(root, pages=3)
    return root


def chapter_pages(root: Path) -> list[Path]:
    return sorted((root / "docs").glob("chapter-*/page-*.md"))


def test_same_seed_writes_the_same_files(corpus, tmp_path):
    again = tmp_path / "again"
    bench.generate(again, pages=3)
    files = sorted(p.relative_to(corpus) for p in corpus.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    assert all((corpus / f).read_bytes() == (again / f).read_bytes() for f in files)


def test_a_different_seed_writes_different_pages(corpus, tmp_path):
    other = tmp_path / "other"
    bench.generate(other, pages=3, seed=1)
    first = chapter_pages(corpus)[0].relative_to(corpus)
    assert (other / first).read_text(encoding="utf-8") != (corpus / first).read_text(encoding="utf-8")


def test_each_page_has_about_1500_words_and_exactly_20_citations(corpus):
    pages = chapter_pages(corpus)
    assert len(pages) == 3
    for page in pages:
        text = page.read_text(encoding="utf-8")
        words = len(CITATION_RE.sub("", text).split())
        assert 1500 <= words <= 1600, (page.name, words)
        assert len(CITATION_RE.findall(text)) == bench.CITES_PER_PAGE, page.name


def test_citations_use_single_multiple_and_locator_forms(corpus):
    text = "".join(p.read_text(encoding="utf-8") for p in chapter_pages(corpus))
    groups = CITATION_RE.findall(text)
    assert any(";" in g for g in groups)
    assert any(", p. " in g for g in groups)
    assert any(re.fullmatch(r"\[@[\w-]+\]", g) for g in groups)


def test_bibliography_has_500_valid_entries_with_non_ascii_names(corpus):
    bib = load(corpus / "references.bib")
    assert len(bib.references) == bench.ENTRIES == 500
    creators = [ref.fields["_creators"] for ref in bib.references.values()]
    assert sum(not name.isascii() for name in creators) > 100
    assert any(re.search("[А-Яа-яЁё]", name) for name in creators)  # Cyrillic, not only accents


def test_engine_finds_every_cited_key_and_no_problem_in_the_corpus(corpus):
    idx = index_module.build(corpus, "docs", "references.bib")
    assert idx.all_diagnostics() == []
    cited = {key for page in idx.pages.values() for key in page.cited}
    assert len(cited) > 3 * bench.CITES_PER_PAGE


def test_ways_of_building_differ_only_in_the_citation_machinery(corpus):
    configs = {v.name: yaml.safe_load((corpus / f"{v.name}.yml").read_text(encoding="utf-8"))
               for v in bench.VARIANTS}
    floor = configs["floor"]
    assert configs["mdcite"]["markdown_extensions"][:-1] == floor["markdown_extensions"]
    assert "mdcite.extension" in configs["mdcite"]["markdown_extensions"][-1]
    assert configs["bibtex"]["plugins"] == floor["plugins"] + [{"bibtex": {"bib_file": "references.bib"}}]
    assert configs["bibtex"]["markdown_extensions"] == floor["markdown_extensions"]
    assert configs["zensical"]["markdown_extensions"] == configs["mdcite"]["markdown_extensions"]
    assert {name: c["site_dir"] for name, c in configs.items()} == {name: f"out/{name}" for name in configs}
    # The "output alone" way is the floor plus a hook that serves the engine's saved HTML.
    assert {k: v for k, v in configs["output"].items() if k not in ("hooks", "site_dir")} == \
        {k: v for k, v in floor.items() if k != "site_dir"}
    assert configs["output"]["hooks"] == ["replay_hook.py"]
    assert not any("hooks" in c for name, c in configs.items() if name != "output")


def test_output_alone_serves_exactly_what_the_engine_made(tmp_path):
    """The capture build saves each page's HTML; the replay build shows the same article."""
    root = tmp_path / "site"
    bench.generate(root, pages=2)
    logs = root / "logs"
    logs.mkdir()
    assert bench.capture(root, logs / "capture.log") == ""
    for name in ("mdcite", "output"):
        done = bench.run_process(bench.Variant(name, "", "mkdocs").command(root), root, logs / f"{name}.log")
        assert done[3] == 0, (logs / f"{name}.log").read_text()
    for page, sign in (("chapter-01/page-001", 'class="citation"'), ("references", 'class="Z3988"')):
        made, served = (parse_article(root / "out" / name / page / "index.html") for name in ("mdcite", "output"))
        assert sign in served and served == made


def test_phase_timers_split_a_build_into_its_steps(tmp_path):
    root = tmp_path / "site"
    bench.generate(root, pages=2)
    (root / "logs").mkdir()
    found = bench.bench_phases(root, 2, list(bench.VARIANTS), repeat=1)
    # Without a capture build there is nothing to replay: the "output" way is left out.
    assert [p.variant.name for p in found] == ["floor", "mdcite"]
    assert all(not p.problem and len(p.runs) == 1 for p in found)
    for p in found:
        run = p.runs[0]
        assert set(run) == {"markdown", "search", "templates", "total"}
        assert 0 < run["markdown"] and 0 < run["search"] and 0 < run["templates"]
        assert run["markdown"] + run["search"] + run["templates"] < run["total"]
    text = "\n".join(bench.phases_lines(found))
    assert "| Material + mdcite.extension |" in text and "With the engine, Material's search plugin" in text


def parse_article(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    return re.search(r'<article class="md-content__inner md-typeset">(.*?)</article>', text, re.S).group(1)


def test_sizes_come_from_a_comma_separated_list():
    assert bench.parse_sizes("20, 100,400") == (20, 100, 400)
