"""The benchmark: its synthetic site (deterministic, the promised size, valid for every engine) and
the conditions of its builds (cold, warm, compiled bytecode) and how its report shows them.

No test here asserts a timing: the timings themselves are `make bench`'s business.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from bench import bench, real_site, running
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
    # The "output alone" way is the floor plus a hook that serves the engine's saved HTML; it and
    # the engine's MkDocs way use the site's search hook, as the site does; Zensical runs no hooks.
    assert {k: v for k, v in configs["output"].items() if k not in ("hooks", "site_dir")} == \
        {k: v for k, v in floor.items() if k != "site_dir"}
    assert configs["output"]["hooks"] == ["replay_hook.py", bench.SEARCH_HOOK]
    assert configs["mdcite"]["hooks"] == [bench.SEARCH_HOOK]
    assert Path(bench.SEARCH_HOOK) == Path(__file__).resolve().parent.parent / "scripts" / "mdcite" / "searchhook.py"
    assert not any("hooks" in c for name, c in configs.items() if name not in ("output", "mdcite"))


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


# -- the conditions of the timed builds ---------------------------------------------------------------


@dataclass(frozen=True)
class Seen:
    """What a timed build found in its folder just before it started."""

    name: str
    cache: str
    cache_files: tuple[str, ...] | None  # None: no .cache/ at all
    out_exists: bool


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory) -> tuple[list[Seen], str]:
    """`python -m bench --sizes 5 --repeat 1 --only floor,mdcite --no-real-site`, watched."""
    work = tmp_path_factory.mktemp("tiny")
    seen: list[Seen] = []

    def before(step: running.Step) -> None:
        cache = step.cwd / running.CACHE
        files = tuple(sorted(str(p.relative_to(cache)) for p in cache.rglob("*"))) if cache.is_dir() else None
        seen.append(Seen(step.name, step.cache, files, step.out.exists()))

    out = work / "results.md"
    assert bench.main(["--sizes", "5", "--repeat", "1", "--only", "floor,mdcite", "--no-real-site",
                       "--work", str(work / "work"), "--out", str(out)], before=before) == 0
    return seen, out.read_text(encoding="utf-8")


def test_every_cold_build_starts_with_no_cache_and_no_output(tiny_run):
    seen, _ = tiny_run
    cold = [s for s in seen if s.cache == running.COLD]
    assert [s.name for s in cold] == ["floor", "mdcite"]
    assert all(s.cache_files is None and not s.out_exists for s in cold)


def test_the_engines_warm_build_follows_its_cold_build_and_starts_from_its_cache(tiny_run):
    seen, _ = tiny_run
    assert [(s.name, s.cache) for s in seen] == [("floor", "cold"), ("mdcite", "cold"), ("mdcite", "warm")]
    warm = seen[-1]
    assert warm.cache_files and not warm.out_exists


def section(text: str, heading: str) -> str:
    return text.split(f"{heading}\n", 1)[1].split("\n#", 1)[0]


def test_the_report_has_a_cold_table_of_every_way_and_a_warm_table_of_the_engine(tiny_run):
    _, text = tiny_run
    cold, warm = section(text, "### Cold builds"), section(text, "### Warm builds")
    assert re.findall(r"^\| 5 \| ([^|]+) \|", cold, re.M) == \
        ["Material, citations left as text (floor)", "Material + mdcite.extension"]
    assert re.findall(r"^\| 5 \| ([^|]+) \|", warm, re.M) == ["Material + mdcite.extension"]
    assert "| Warm − cold (s) | Runs |" in warm


def test_the_targets_are_read_off_the_cold_builds_and_warm_is_stated_apart(tiny_run):
    _, text = tiny_run
    targets = section(text, "### Targets").strip().splitlines()
    assert targets[0].startswith("- At N = 5, cold, the engine adds ")
    assert targets[0].endswith("target: at most +10%): met.") or targets[0].endswith("NOT met.")
    assert targets[-1].startswith("- At N = 5, warm (a writer's rebuild, not what the target judges)")


def test_the_machine_section_states_bytecode_and_the_load_average(tiny_run):
    _, text = tiny_run
    machine = section(text, "## Machine")
    assert re.search(r"^- Load average \(1/5/15 min\): [\d.]+ / [\d.]+ / [\d.]+ at the start, "
                     r"[\d.]+ / [\d.]+ / [\d.]+ at the end$", machine, re.M)
    assert "- Bytecode: `PYTHONDONTWRITEBYTECODE` is " in machine


def test_builds_run_without_pythondontwritebytecode_and_so_write_bytecode(monkeypatch, tmp_path):
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    assert "PYTHONDONTWRITEBYTECODE" not in running.build_env()
    log = tmp_path / "child.log"
    done = running.run_process([sys.executable, "-c", "import sys; print(sys.dont_write_bytecode)"],
                               tmp_path, log)
    assert done[3] == 0 and log.read_text().strip() == "False"


def test_a_warm_build_gets_back_the_cache_its_own_way_left(tmp_path):
    for name in ("mdcite", "zensical"):
        (tmp_path / running.CACHE / name).mkdir(parents=True)
        running.keep(tmp_path, name)
    running.prepare(tmp_path, tmp_path / "out", running.WARM, "zensical")
    assert [p.name for p in (tmp_path / running.CACHE).iterdir()] == ["zensical"]
    running.prepare(tmp_path, tmp_path / "out", running.COLD, "mdcite")
    assert not (tmp_path / running.CACHE).exists()


# -- the real site ------------------------------------------------------------------------------------


def test_the_real_sites_floor_config_leaves_out_only_the_projects_own_extensions(tmp_path):
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: Test\nsite_url: !ENV [BENCH_TEST_UNSET_URL, 'https://example.org/']\nstrict: true\n"
        "markdown_extensions:\n  - toc:\n      permalink: true\n  - pymdownx.snippets\n"
        "  - mdcite.extension:\n      bibliography: references.bib\n", encoding="utf-8")
    assert real_site.write_plain_config(tmp_path) == ["mdcite.extension"]
    plain = yaml.safe_load((tmp_path / real_site.PLAIN_CONFIG).read_text(encoding="utf-8"))
    assert plain == {"site_name": "Test", "site_url": "https://example.org/", "strict": False,
                     "markdown_extensions": [{"toc": {"permalink": True}}, "pymdownx.snippets"]}


def test_the_real_sites_table_shows_each_build_cold_and_warm_against_the_floor(tmp_path):
    builds = real_site.real_builds(tmp_path)
    assert [(b.name, b.cache) for b in builds] == [("plain", "cold"), ("mkdocs", "cold"), ("mdcite", "cold"),
                                                   ("mkdocs", "warm"), ("mdcite", "warm")]
    for b, seconds in zip(builds, (2.0, 8.0, 9.0, 3.0, 4.0), strict=True):
        b.add(seconds, seconds, 2**26)
    lines = real_site.real_site_lines(real_site.RealSite(runs=builds, left_out=["mdcite.extension"], pages=18))
    rows = [line for line in lines if line.startswith("| `")]
    assert rows[0].startswith("| `mkdocs build`, the project's own extensions left out, not strict (floor) "
                              "| cold | 2.00 | 1.00 |")
    assert rows[2] == ("| `mdcite build` (check, export, strict build: `make build`) | cold | 9.00 | 4.50 | "
                       "9.00 | 4.50 | 9.00 | 4.50 | 64 | 1 |")
    assert rows[4].startswith("| `mdcite build` (check, export, strict build: `make build`) | warm | 4.00 | 2.00 |")
