"""``make bench`` (``python -m bench``): build one synthetic site several ways and compare wall time and peak memory.

The ways: plain Material with the citations left as text (the floor), our extension, the
``mkdocs-bibtex`` plugin, and Zensical with and without our extension. Every build is a separate
process, timed from spawn to exit; its peak resident memory comes from ``os.wait4``. Runs are
interleaved (floor, engine, plugin, … then again) so that a noisy neighbour on a 2-core machine
slows every way alike. It also measures the real site: ``mdcite build`` time, what a reader
downloads for a theme page, and the search index. Speed is reported here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import gzip
import html.parser
import importlib.metadata
import importlib.util
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from mdcite.bibliography import fold
from mdcite.extension import LIST_CLOSE, LIST_OPEN

from .phases import PHASES

ROOT = Path(__file__).resolve().parents[1]
# Run by its path, not as a module: the builds run in the synthetic site's folder.
PHASES_SCRIPT = Path(__file__).with_name("phases.py")
SIZES = (20, 100, 400)
SEED = 2025
ENTRIES = 500
WORDS_PER_PAGE = 1500
CITES_PER_PAGE = 20
PAGES_PER_CHAPTER = 25

# -- the synthetic corpus -------------------------------------------------------------------------

# Names with the letters a bibliography of Russian, Iranian and European authors really has.
SURNAMES = [
    "Ahmadī", "Łukasiewicz", "Øverland", "Müller", "Núñez", "Çelik", "Đorđević", "Şahin",
    "Rezaei", "Smirnova", "Kovačević", "Ødegaard", "Grün", "Fernández", "Dvořák", "Söderström",
    "Nazarbaev", "Tajbakhsh", "Mousavian", "Karaganov", "Trenin", "Vakil", "Geranmayeh", "Żuk",
    "Lemaître", "Ibáñez", "Håkansson", "Kühn", "Bāqerī", "Ṭabāṭabāʾī", "Ёлкин", "Лукьянов",
    "Суслов", "Тимофеев", "Ansari", "Sajjadpour", "Kozhanov", "Shokri", "Esfandiary", "O'Neill",
]
GIVEN = [
    "Maryam", "Jan", "Sigrid", "Jürgen", "Inés", "Ayşe", "Miloš", "Emre", "Hossein", "Ol'ga",
    "Zoë", "Renée", "Björn", "Agnieszka", "Nikolai", "Ali", "Seyed Hossein", "Dmitri", "Ellie",
    "Фёдор", "Андрей", "Nicole", "Hamidreza", "Élodie", "Tomáš",
]
ORGANIZATIONS = [
    "Valdai Discussion Club", "Institute for Political and International Studies",
    "Carnegie Endowment for International Peace", "Stiftung Wissenschaft und Politik",
    "Russian International Affairs Council", "Institut français des relations internationales",
]
JOURNALS = [
    "Survival", "International Affairs", "Europe-Asia Studies", "Iranian Studies",
    "Russia in Global Affairs", "Middle East Policy", "Central Asian Survey", "Politique étrangère",
]
PUBLISHERS = ["Routledge", "Palgrave Macmillan", "Oxford University Press", "I.B. Tauris",
              "Éditions du Seuil", "Hurst"]
VOCABULARY = (
    "the of and to in a treaty partnership Russia Iran article cooperation security energy "
    "corridor sanctions Caspian transport agreement parties obligation strategic defence "
    "ministry signed ratified Moscow Tehran gas pipeline railway Rasht Astara port Anzali "
    "Astrakhan payments banking currency rouble rial settlement clause mutual assistance "
    "consultation aggression territory sovereignty region neighbours Azerbaijan Armenia "
    "Caucasus Syria Gulf Turkey China India Eurasian union trade tariff customs investment "
    "nuclear reactor Bushehr Rosatom oil exports shipping insurance drone missile exercise "
    "navy intelligence information media culture education science technology analysts "
    "argue observers note officials stated however although while because therefore "
    "which that this these those was were is are has have had been will would could may "
    "might not only but also between within under over after before during since until "
    "année société Sâmân Tabrīz Qazvīn Māzandarān Gīlān Ыдырыс corridor’s parliament’s"
).split()


@dataclass
class Work:
    key: str
    bibtex: str


def _ascii_slug(text: str) -> str:
    slug = "".join(c for c in fold(text) if c.isascii() and c.isalnum())
    return slug or "anon"


def _person(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)}, {rng.choice(GIVEN)}"


def _title(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(VOCABULARY) for _ in range(words))
    return text[0].upper() + text[1:]


def make_bibliography(rng: random.Random, entries: int = ENTRIES) -> list[Work]:
    """BibTeX entries of the four classic types that both our engine and mkdocs-bibtex format."""
    works: list[Work] = []
    for n in range(entries):
        kind = ("article", "book", "incollection", "misc")[n % 4]
        year = rng.randint(1995, 2025)
        corporate = kind == "misc" and rng.random() < 0.5
        if corporate:
            creators = "{" + rng.choice(ORGANIZATIONS) + "}"
            first = creators.strip("{}").split()[0]
        else:
            people = [_person(rng) for _ in range(rng.choice((1, 1, 2, 3)))]
            creators = " and ".join(people)
            first = people[0].split(",")[0]
        key = f"{_ascii_slug(first)}-{year}-{n:03d}"
        fields = {"author": creators, "title": _title(rng, rng.randint(4, 10)), "year": str(year)}
        if kind == "article":
            fields |= {"journal": rng.choice(JOURNALS), "volume": str(rng.randint(1, 60)),
                       "number": str(rng.randint(1, 6)),
                       "pages": f"{(p := rng.randint(1, 300))}--{p + rng.randint(5, 30)}"}
        elif kind == "book":
            fields |= {"publisher": rng.choice(PUBLISHERS), "address": "London"}
        elif kind == "incollection":
            fields |= {"booktitle": _title(rng, 5), "publisher": rng.choice(PUBLISHERS),
                       "editor": _person(rng), "pages": f"{rng.randint(1, 200)}--{rng.randint(201, 260)}"}
        else:
            fields |= {"howpublished": "Web page", "url": f"https://example.org/{key}",
                       "note": "Accessed 1 March 2025"}
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields.items())
        works.append(Work(key, f"@{kind}{{{key},\n{body},\n}}\n"))
    return works


def _sentence(rng: random.Random) -> list[str]:
    words = [rng.choice(VOCABULARY) for _ in range(rng.randint(8, 20))]
    words[0] = words[0][0].upper() + words[0][1:]
    return words


def make_page(rng: random.Random, keys: list[str], number: int, pages: int) -> str:
    """About WORDS_PER_PAGE words in paragraphs under headings, with CITES_PER_PAGE citations.

    The citations use only the forms both engines read: ``[@a]``, ``[@a; @b]`` and a locator
    (which mkdocs-bibtex's simple mode accepts but drops).
    """
    sentences: list[list[str]] = []
    count = 0
    while count < WORDS_PER_PAGE:
        sentences.append(_sentence(rng))
        count += len(sentences[-1])
    at = sorted(rng.sample(range(len(sentences)), CITES_PER_PAGE))
    chosen = rng.sample(keys, CITES_PER_PAGE + CITES_PER_PAGE // 4)
    spare = chosen[CITES_PER_PAGE:]
    for i, where in enumerate(at):
        key = chosen[i]
        if i % 4 == 1 and spare:
            cite = f"[@{key}; @{spare.pop()}]"
        elif i % 7 == 3:
            cite = f"[@{key}, p. {rng.randint(2, 300)}]"
        else:
            cite = f"[@{key}]"
        sentences[where] = sentences[where] + [cite]
    lines = [f"# Page {number}", ""]
    for i in range(0, len(sentences), 7):
        if i and i % 21 == 0:
            lines += [f"## Section {i // 21}", ""]
        paragraph = " ".join(" ".join(s) + "." for s in sentences[i:i + 7])
        lines += [paragraph, ""]
    nxt = number % pages + 1
    lines += [f"Continue with [page {nxt}](../{chapter_of(nxt)}/page-{nxt:03d}.md).", ""]
    return "\n".join(lines)


def chapter_of(number: int) -> str:
    return f"chapter-{(number - 1) // PAGES_PER_CHAPTER + 1:02d}"


def variant_config(name: str, extension: bool, plugin: bool, hook: str = "") -> dict:
    """The mkdocs.yml of one way of building: identical but for the citation machinery."""
    extensions: list = [{"toc": {"permalink": True}}, "attr_list", "footnotes"]
    plugins: list = ["search"]
    if extension:
        extensions.append({"mdcite.extension": {"bibliography": "references.bib", "docs_dir": "docs",
                                                "list_in_comment": True, "links_in_comment": True}})
    if plugin:
        plugins.append({"bibtex": {"bib_file": "references.bib"}})
    config = {"site_name": "Citation benchmark", "site_url": "https://bench.example.org/",
              "docs_dir": "docs", "site_dir": f"out/{name}", "theme": {"name": "material", "custom_dir": "overrides"},
              "plugins": plugins, "markdown_extensions": extensions}
    if hook:
        config["hooks"] = [hook]
    return config


# Every way uses the same theme, with the template override the site uses with the engine's
# list_in_comment and links_in_comment options: it takes the comment markers off each page's
# reference list and citation links (a no-op on pages without them), after Material's search
# plugin has skipped each in one step.
THEME_OVERRIDE = ('{% extends "base.html" %}\n{% block content %}\n'
                  f'  {{{{ super() | replace("{LIST_OPEN}", "") | replace("{LIST_CLOSE}", "") }}}}\n'
                  '{% endblock %}\n')

# The "output alone" way: a build that does no citation work but serves, as each page's content,
# the HTML our engine made for that page in an earlier, untimed build. Its time minus the floor's
# is what the engine's output costs the rest of the build (Material's search indexing parses
# every tag, bigger pages are written); the engine's time minus its time is the engine's own work.
# MkDocs hooks are used here only, to measure: the engine itself is not a plugin or a hook.
CAPTURED = "captured"
CAPTURE_HOOK = f'''"""Benchmark only: save each page's HTML as the Markdown extensions made it."""
from pathlib import Path

SAVED = Path(__file__).parent / "{CAPTURED}"


def on_page_content(html, page, **kwargs):
    target = SAVED / (page.file.src_uri + ".html")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(html, encoding="utf-8")
    return html
'''
REPLAY_HOOK = f'''"""Benchmark only: serve each page's HTML as saved by capture_hook.py (no citation work)."""
from pathlib import Path

SAVED = Path(__file__).parent / "{CAPTURED}"


def on_page_content(html, page, **kwargs):
    return (SAVED / (page.file.src_uri + ".html")).read_text(encoding="utf-8")
'''


def capture(root: Path, log: Path) -> str:
    """Build once with the engine, untimed, saving each page's HTML for the "output alone" way."""
    shutil.rmtree(root / CAPTURED, ignore_errors=True)
    _, _, _, code = run_process(Variant("capture", "", "mkdocs").command(root), root, log)
    return "" if code == 0 else f"the capture build failed (exit {code}); see {log}"


def generate(root: Path, pages: int, seed: int = SEED, entries: int = ENTRIES) -> None:
    """Write references.bib, docs/ and one config per way of building into root (deterministic)."""
    rng = random.Random(seed)
    works = make_bibliography(rng, entries)
    shutil.rmtree(root, ignore_errors=True)
    docs = root / "docs"
    docs.mkdir(parents=True)
    (root / "references.bib").write_text("\n".join(w.bibtex for w in works), encoding="utf-8")
    keys = [w.key for w in works]
    (docs / "index.md").write_text(
        "# Citation benchmark\n\nA synthetic site: "
        f"{pages} pages of about {WORDS_PER_PAGE} words, {CITES_PER_PAGE} citations each.\n",
        encoding="utf-8")
    (docs / "references.md").write_text(
        "# References\n\nEvery work, for each engine's own placeholder.\n\n"
        "[[bibliography]]\n\n\\full_bibliography\n", encoding="utf-8")
    for number in range(1, pages + 1):
        folder = docs / chapter_of(number)
        folder.mkdir(exist_ok=True)
        (folder / f"page-{number:03d}.md").write_text(make_page(rng, keys, number, pages), encoding="utf-8")
    (root / "overrides").mkdir()
    (root / "overrides" / "main.html").write_text(THEME_OVERRIDE, encoding="utf-8")
    (root / "capture_hook.py").write_text(CAPTURE_HOOK, encoding="utf-8")
    (root / "replay_hook.py").write_text(REPLAY_HOOK, encoding="utf-8")
    configs = {v.name: variant_config(v.name, v.extension, v.plugin, v.hook) for v in VARIANTS}
    configs["capture"] = variant_config("capture", True, False, "capture_hook.py")
    for name, config in configs.items():
        (root / f"{name}.yml").write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True),
                                          encoding="utf-8")


# -- the ways of building --------------------------------------------------------------------------


@dataclass(frozen=True)
class Variant:
    name: str
    label: str
    tool: str  # "mkdocs" or "zensical"
    extension: bool = False
    plugin: bool = False
    needs: str = ""  # module that must be importable
    expect: str = ""  # text a built chapter page must contain
    hook: str = ""  # an MkDocs hook file, for the "output alone" way only

    def command(self, root: Path) -> list[str]:
        config = str(root / f"{self.name}.yml")
        if self.tool == "zensical":
            return [sys.executable, "-m", "zensical", "build", "--clean", "-f", config]
        return [sys.executable, "-m", "mkdocs", "build", "--quiet", "-f", config]

    def missing(self) -> str:
        if self.needs and importlib.util.find_spec(self.needs) is None:
            return f"{self.needs} is not installed (pip install -e '.[bench]')"
        return ""


VARIANTS = (
    Variant("floor", "Material, citations left as text (floor)", "mkdocs", expect="[@"),
    Variant("mdcite", "Material + mdcite.extension", "mkdocs", extension=True,
            expect='class="citation"'),
    Variant("output", "Material serving the engine's output, made beforehand (no citation work)",
            "mkdocs", hook="replay_hook.py", expect='class="citation"'),
    Variant("bibtex", "Material + mkdocs-bibtex plugin", "mkdocs", plugin=True, needs="mkdocs_bibtex",
            expect='class="footnote-ref"'),
    Variant("zensical-floor", "Zensical, citations left as text", "zensical", needs="zensical",
            expect="[@"),
    Variant("zensical", "Zensical + mdcite.extension", "zensical", extension=True, needs="zensical",
            expect='class="citation"'),
)


@dataclass
class Runs:
    variant: Variant
    pages: int
    seconds: list[float] = field(default_factory=list)
    cpu_seconds: list[float] = field(default_factory=list)
    peak_bytes: list[int] = field(default_factory=list)
    problem: str = ""

    @property
    def wall(self) -> float:
        return statistics.median(self.seconds) if self.seconds else float("nan")

    @property
    def fastest(self) -> float:
        """The quickest run: on a shared machine, the one least slowed by other work."""
        return min(self.seconds) if self.seconds else float("nan")

    @property
    def cpu(self) -> float:
        return statistics.median(self.cpu_seconds) if self.cpu_seconds else float("nan")

    @property
    def peak(self) -> float:
        return statistics.median(self.peak_bytes) if self.peak_bytes else float("nan")


def run_process(command: list[str], cwd: Path, log: Path,
                env: dict | None = None) -> tuple[float, float, int, int]:
    """(wall seconds, CPU seconds, peak RSS in bytes, exit code) of one child process, counting the
    processes it waited for. CPU time (user + system) suffers less than wall time from other work
    on a shared machine."""
    with open(log, "wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                env=env or build_env())
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024, proc.returncode


def build_env() -> dict:
    return os.environ.copy() | {"NO_MKDOCS_2_WARNING": "1", "PYTHONDONTWRITEBYTECODE": "0"}


def check_output(variant: Variant, root: Path, pages: int) -> str:
    """'' if the build wrote every page and the citations look the way this variant renders them."""
    out = root / "out" / variant.name
    built = list(out.glob("chapter-*/page-*/index.html"))
    if len(built) != pages:
        return f"built {len(built)} of {pages} pages"
    sample = (out / chapter_of(1) / "page-001" / "index.html").read_text(encoding="utf-8")
    if variant.expect not in sample:
        return f"page-001 lacks {variant.expect!r}"
    if LIST_OPEN in sample:
        return "page-001's reference list is still inside its comment (the theme override did not run)"
    return ""


def clean(variant: Variant, root: Path) -> None:
    """Remove the way's last output. The engine's cache of the formatted bibliography (.cache/)
    stays, as it does between a writer's builds: the untimed builds before the timed ones fill it."""
    shutil.rmtree(root / "out" / variant.name, ignore_errors=True)


def interleaved(items: list, repeat: int):
    """(round, item) for `repeat` rounds over items. Every other round goes in reverse order, so
    that no way always follows the slowest one or always meets the same phase of a neighbour's
    load."""
    for n in range(repeat):
        for item in items if n % 2 == 0 else items[::-1]:
            yield n, item


def bench_size(root: Path, pages: int, variants: list[Variant], repeat: int, warm: bool) -> list[Runs]:
    generate(root, pages)
    results = [Runs(v, pages, problem=v.missing()) for v in variants]
    logs = root / "logs"
    logs.mkdir(exist_ok=True)
    replays = [r for r in results if r.variant.hook and not r.problem]  # the "output alone" way
    if replays:
        problem = capture(root, logs / "capture.log")
        for r in replays:
            r.problem = problem
    active = [r for r in results if not r.problem]
    for r in active if warm else []:  # compile bytecode, fill the page cache; not counted
        clean(r.variant, root)
        run_process(r.variant.command(root), root, logs / f"{r.variant.name}-warm.log")
    for n, r in interleaved(active, repeat):
        if r.problem:
            continue
        clean(r.variant, root)
        log = logs / f"{r.variant.name}-{n}.log"
        seconds, cpu, peak, code = run_process(r.variant.command(root), root, log)
        if code != 0:
            tail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-3:]
            r.problem = f"build failed (exit {code}): {' / '.join(tail)}"
            continue
        if n == 0:
            r.problem = check_output(r.variant, root, pages)
            if r.problem:
                continue
        r.seconds.append(seconds)
        r.cpu_seconds.append(cpu)
        r.peak_bytes.append(peak)
        print(f"  N={pages:<4} {r.variant.name:<15} run {n + 1}: {seconds:6.2f} s wall, "
              f"{cpu:6.2f} s CPU, {peak / 2**20:5.0f} MiB", flush=True)
    return results


# -- where the time goes ---------------------------------------------------------------------------

PHASE_WAYS = ("floor", "output", "mdcite")


@dataclass
class Phases:
    variant: Variant
    pages: int
    runs: list[dict] = field(default_factory=list)
    problem: str = ""

    def least(self, phase: str) -> float:
        """The smallest of the runs: on a shared machine, the closest to the phase's own cost."""
        return min(run[phase] for run in self.runs)


def bench_phases(root: Path, pages: int, variants: list[Variant], repeat: int) -> list[Phases]:
    """CPU time of each phase of the Material builds, from separate, untimed builds run through
    ``bench/phases.py`` (the timers add a little to each build, so these are not the table's)."""
    logs = root / "logs"
    replayable = (root / CAPTURED).exists()
    found = [Phases(v, pages) for v in variants
             if v.name in PHASE_WAYS and v.tool == "mkdocs" and (replayable or not v.hook)]
    for n, p in interleaved(found, repeat):
        if p.problem:
            continue
        clean(p.variant, root)
        out = logs / f"phases-{p.variant.name}-{n}.json"
        # The way's own `mkdocs build …` command, run under the timers of bench/phases.py.
        command = [sys.executable, str(PHASES_SCRIPT), str(out), *p.variant.command(root)[2:]]
        _, _, _, code = run_process(command, root, logs / f"phases-{p.variant.name}-{n}.log")
        if code != 0 or not out.exists():
            p.problem = f"phase timing failed (exit {code})"
            continue
        p.runs.append(json.loads(out.read_text(encoding="utf-8")))
        print(f"  N={pages:<4} {p.variant.name:<15} phases {n + 1}: " + ", ".join(
            f"{k} {v:.2f} s" for k, v in p.runs[-1].items()), flush=True)
    return found


def phases_lines(phases: list[Phases]) -> list[str]:
    done = [p for p in phases if p.runs and not p.problem]
    if not done:
        return ["Not measured."]
    pages = done[0].pages
    lines = [f"CPU seconds of each step of the Material builds at N = {pages}, from separate builds "
             f"with timers around each step (the least of {len(done[0].runs)} run"
             f"{'s' if len(done[0].runs) != 1 else ''} each; the timers "
             "add a little, so totals differ from the table above). *Markdown* is Python-Markdown "
             "with its extensions, ours included (reading `references.bib` and scanning the pages "
             "happen there); *search plugin* is Material's search plugin parsing each page's HTML; "
             "*templates* is Jinja rendering the theme.", "",
             "| Way of building | Markdown | Search plugin | Templates | Everything else | Total |",
             "|---|---:|---:|---:|---:|---:|"]
    for p in done:
        parts = [p.least(phase) for phase in PHASES]
        total = p.least("total")
        lines.append(f"| {p.variant.label} | " + " | ".join(f"{x:.2f}" for x in parts) +
                     f" | {max(total - sum(parts), 0):.2f} | {total:.2f} |")
    by = {p.variant.name: p for p in done}
    notes = []
    if "floor" in by:
        floor = by["floor"]
        for name, what in (("output", "the engine's output alone"), ("mdcite", "the engine")):
            if name not in by:
                continue
            search = by[name].least("search") - floor.least("search")
            md = by[name].least("markdown") - floor.least("markdown")
            notes.append(f"- With {what}, Material's search plugin takes {search:+.2f} s and Markdown "
                         f"{md:+.2f} s against the floor: {search / floor.least('total'):+.1%} and "
                         f"{md / floor.least('total'):+.1%} of the floor's total.")
    if notes:
        lines += ["", *notes]
    return lines


# -- the real site ---------------------------------------------------------------------------------

# Not copied from the top of the project: version control, the virtual environment, builds, caches
# and this benchmark's work.
SKIP = {".git", ".venv", "site", "bench", "node_modules", ".pytest_cache", ".ruff_cache", "test-results"}


def snapshot(source: Path, target: Path) -> None:
    """Copy the project (what a build reads: mkdocs.yml, docs/, overrides/, the watched folders, the
    anchor manifest…), so that pages being edited meanwhile do not change mid-build."""
    shutil.rmtree(target, ignore_errors=True)

    def skipped(folder: str, names: list[str]) -> list[str]:
        top = Path(folder) == source
        return [n for n in names if (top and (n in SKIP or n.startswith(("site.", "site-"))))
                or n in ("__pycache__", ".cache") or n.endswith(".egg-info")]

    shutil.copytree(source, target, ignore=skipped, symlinks=True)


class _Assets(html.parser.HTMLParser):
    """The stylesheets and scripts a page asks the browser to fetch."""

    def __init__(self) -> None:
        super().__init__()
        self.css: list[str] = []
        self.js: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "link" and "stylesheet" in (a.get("rel") or "").split() and a.get("href"):
            self.css.append(a["href"])
        elif tag == "script" and a.get("src"):
            self.js.append(a["src"])


def local_file(site: Path, page: Path, href: str) -> Path | None:
    if "://" in href or href.startswith("//"):
        return None
    href = href.split("#")[0].split("?")[0]
    path = (site / href.lstrip("/")) if href.startswith("/") else (page.parent / href)
    return path.resolve() if path.resolve().is_file() else None


def page_weight(site: Path, page_rel: str = "themes/defence/index.html") -> list[tuple[str, int, int]]:
    """(what, bytes, gzip bytes) for the page's HTML, its stylesheets and its scripts."""
    page = site / page_rel
    parser = _Assets()
    text = page.read_text(encoding="utf-8")
    parser.feed(text)
    rows = [(f"HTML ({page_rel})", page.read_bytes())]
    for kind, hrefs in (("CSS", parser.css), ("JS", parser.js)):
        for href in hrefs:
            path = local_file(site, page, href)
            name = href.split("?")[0].lstrip("./")
            rows.append((f"{kind} {name}" + ("" if path else " (missing from the build!)"),
                         path.read_bytes() if path else b""))
    return [(what, len(data), len(gzip.compress(data, 6))) for what, data in rows]


@dataclass
class RealSite:
    seconds: list[float] = field(default_factory=list)
    peak_bytes: list[int] = field(default_factory=list)
    weight: list[tuple[str, int, int]] = field(default_factory=list)
    worker: tuple[str, int, int] | None = None
    search_index: tuple[int, int] | None = None
    pages: int = 0
    problem: str = ""


def bench_real_site(work: Path, repeat: int, tries: int = 3, wait: float = 20.0) -> RealSite:
    """Time ``mdcite build`` on a snapshot of the project; retry while its content is mid-edit."""
    result = RealSite()
    copy = work / "real"
    for attempt in range(tries):
        snapshot(ROOT, copy)
        result.seconds, result.peak_bytes, result.problem = [], [], ""
        for n in range(repeat):
            site = copy / "site"
            log = work / f"real-{n}.log"
            command = [sys.executable, "-m", "mdcite.cli", "--root", str(copy), "build",
                       "--site-dir", str(site)]
            seconds, _, peak, code = run_process(command, copy, log)
            if code != 0:
                lines = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
                first = next((line for line in lines if ": error:" in line or line.startswith("ERROR")),
                             lines[-1] if lines else "")
                result.problem = f"mdcite build failed (exit {code}): {first}"
                break
            result.seconds.append(seconds)
            result.peak_bytes.append(peak)
            print(f"  real site     mdcite build run {n + 1}: {seconds:6.2f} s", flush=True)
        if not result.problem:
            break
        if attempt < tries - 1:
            print(f"  real site: {result.problem}; retrying in {wait:.0f} s", flush=True)
            time.sleep(wait)
    if result.problem:
        return result
    site = copy / "site"
    result.pages = len(list(site.rglob("index.html")))
    if (site / "themes/defence/index.html").exists():
        result.weight = page_weight(site)
    workers = sorted((site / "assets/javascripts/workers").glob("search*.js"))
    if workers:
        data = workers[0].read_bytes()
        result.worker = (workers[0].name, len(data), len(gzip.compress(data, 6)))
    index = site / "search" / "search_index.json"
    if index.exists():
        data = index.read_bytes()
        result.search_index = (len(data), len(gzip.compress(data, 6)))
    return result


# -- the report ------------------------------------------------------------------------------------


def machine() -> list[str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith(("model name", "hardware")):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal:"))
        memory = f"{kib / 2**20:.1f} GiB"
    except (OSError, StopIteration):
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    return [f"- CPU: {cpu}; {cores} cores usable (shared, noisy: other work runs beside the benchmark)",
            f"- Memory: {memory}", f"- Load average at start (1/5/15 min): {load}",
            f"- Python {platform.python_version()} on {platform.platform()}"]


PACKAGES = ("mkdocs", "mkdocs-material", "Markdown", "pymdown-extensions", "pybtex", "mdcite",
            "mkdocs-bibtex", "zensical")


def versions() -> str:
    found = []
    for name in PACKAGES:
        try:
            found.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            found.append(f"{name} (not installed)")
    return ", ".join(found)


def mib(value: float) -> str:
    return f"{value / 2**20:.0f}"


def results_table(results: list[Runs]) -> list[str]:
    rows = ["| N pages | Way of building | Wall (s) | × floor | Fastest (s) | × floor | CPU (s) | × floor | "
            "Added CPU ms/page | Peak RSS (MiB) | × floor | Runs |",
            "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    by_size: dict[int, list[Runs]] = {}
    for r in results:
        by_size.setdefault(r.pages, []).append(r)
    for pages, group in by_size.items():
        floor = next((r for r in group if r.variant.name == "floor" and r.seconds), None)
        for r in group:
            if r.problem or not r.seconds:
                rows.append(f"| {pages} | {r.variant.label} | — | — | — | — | — | — | — | — | — | "
                            f"{r.problem or 'not run'} |")
                continue
            if floor:
                ratio = f"{r.wall / floor.wall:.2f}"
                fast_ratio = f"{r.fastest / floor.fastest:.2f}"
                cpu_ratio = f"{r.cpu / floor.cpu:.2f}"
                added = f"{(r.cpu - floor.cpu) * 1000 / pages:+.1f}"
                mem = f"{r.peak / floor.peak:.2f}"
            else:
                ratio = fast_ratio = cpu_ratio = added = mem = "—"
            rows.append(f"| {pages} | {r.variant.label} | {r.wall:.2f} | {ratio} | {r.fastest:.2f} | {fast_ratio} | "
                        f"{r.cpu:.2f} | {cpu_ratio} | {added} | {mib(r.peak)} | {mem} | {len(r.seconds)} |")
    return rows


def verdicts(results: list[Runs]) -> list[str]:
    """The two targets, read off the largest size that has the numbers."""
    lines = []
    sizes = sorted({r.pages for r in results}, reverse=True)
    for pages in sizes:
        got = {r.variant.name: r for r in results if r.pages == pages and r.seconds}
        if "floor" not in got or "mdcite" not in got:
            continue
        overhead = got["mdcite"].wall / got["floor"].wall - 1
        cpu_overhead = got["mdcite"].cpu / got["floor"].cpu - 1
        fast_overhead = got["mdcite"].fastest / got["floor"].fastest - 1
        lines.append(f"- At N = {pages}, the engine adds {overhead:+.1%} to the floor's wall time "
                     f"({cpu_overhead:+.1%} CPU time; {fast_overhead:+.1%} between the fastest runs; "
                     "target: at most +10%): "
                     f"{'met' if max(overhead, cpu_overhead) <= 0.10 else 'NOT met'}.")
        if "output" in got:
            alone, engine = got["output"], got["mdcite"]
            lines.append(f"- At N = {pages}, the engine's output alone (made beforehand and served with no "
                         f"citation work) adds {alone.wall / got['floor'].wall - 1:+.1%} to the floor's "
                         f"wall time ({alone.cpu / got['floor'].cpu - 1:+.1%} CPU time); the engine's own "
                         f"work adds {(engine.wall - alone.wall) / got['floor'].wall:+.1%} of the floor "
                         f"({(engine.cpu - alone.cpu) / got['floor'].cpu:+.1%} CPU time).")
        if "bibtex" in got:
            speed = got["bibtex"].wall / got["mdcite"].wall
            cpu_speed = got["bibtex"].cpu / got["mdcite"].cpu
            lines.append(f"- At N = {pages}, mkdocs-bibtex takes {speed:.2f}× the engine's wall time "
                         f"({cpu_speed:.2f}× its CPU time; target: the engine is faster): "
                         f"{'met' if min(speed, cpu_speed) > 1 else 'NOT met'}.")
        else:
            lines.append(f"- At N = {pages}, mkdocs-bibtex has no result to compare with.")
        break
    return lines


def real_site_lines(real: RealSite | None) -> list[str]:
    if real is None:
        return ["Not measured (--no-real-site)."]
    if real.problem:
        return [f"Not measured: {real.problem}"]
    lines = [f"- `mdcite build` (check, export, `mkdocs build --strict`) of {real.pages} pages: "
             f"median {statistics.median(real.seconds):.2f} s over {len(real.seconds)} runs "
             f"({', '.join(f'{s:.2f}' for s in real.seconds)}); peak RSS "
             f"{mib(statistics.median(real.peak_bytes))} MiB.", ""]
    if real.weight:
        lines += ["What a reader downloads for a theme page (`/themes/defence/`), search index excluded:",
                  "", "| File | Bytes | gzip bytes |", "|---|---:|---:|"]
        lines += [f"| {what} | {size:,} | {packed:,} |" for what, size, packed in real.weight]
        total = sum(w[1] for w in real.weight)
        packed = sum(w[2] for w in real.weight)
        lines += [f"| **Total** | **{total:,}** | **{packed:,}** |", ""]
    if real.worker:
        lines.append(f"- Material's search worker (`{real.worker[0]}`, fetched when search starts): "
                     f"{real.worker[1]:,} bytes ({real.worker[2]:,} gzip).")
    if real.search_index:
        lines.append(f"- Search index `search/search_index.json`: {real.search_index[0]:,} bytes "
                     f"({real.search_index[1]:,} gzip).")
    return lines


def report(results: list[Runs], real: RealSite | None, repeat: int, seconds: float,
           phases: list[Phases] | None = None) -> str:
    lines = ["# Benchmark results", "",
             "Generated by `make bench` (`python -m bench`); do not edit by hand. "
             "See bench/README.md for what is measured and how.", "",
             "## Machine", "", *machine(), f"- Packages: {versions()}",
             f"- Benchmark wall time: {seconds / 60:.1f} min", "",
             "## Synthetic site", "",
             f"Pages of about {WORDS_PER_PAGE} words with {CITES_PER_PAGE} citations each "
             f"(`[@a]`, `[@a; @b]`, `[@a, p. 12]`) drawn from {ENTRIES} BibTeX entries with non-ASCII "
             f"names, plus a home page and a bibliography page (seed {SEED}). Each way was run "
             f"{repeat} times, interleaved; medians shown. CPU is user + system time of the build "
             "process; \"Added CPU ms/page\" is (CPU − floor's CPU) ÷ N.",
             "", *results_table(results), "", *verdicts(results), "",
             "## Where the time goes", "", *phases_lines(phases or []), "",
             "## The real site", "", *real_site_lines(real), ""]
    return "\n".join(lines)


def parse_sizes(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.replace(" ", "").split(",") if part)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=parse_sizes,
                        default=parse_sizes(os.environ.get("MDCITE_BENCH_SIZES", "20,100,400")),
                        help="pages per synthetic site, comma-separated (env MDCITE_BENCH_SIZES)")
    parser.add_argument("--repeat", type=int, default=int(os.environ.get("MDCITE_BENCH_REPEAT", "5")),
                        help="timed builds per way and size (env MDCITE_BENCH_REPEAT)")
    parser.add_argument("--only", default="", help="comma-separated ways: " +
                        ", ".join(v.name for v in VARIANTS))
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "work")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.md")
    parser.add_argument("--no-real-site", action="store_true", help="skip the real site's measures")
    parser.add_argument("--generate", type=Path, metavar="DIR",
                        help="only write the synthetic site for the first size into DIR")
    args = parser.parse_args(argv)
    wanted = {name for name in args.only.split(",") if name}
    variants = [v for v in VARIANTS if not wanted or v.name in wanted]
    if args.generate:
        generate(args.generate, args.sizes[0])
        print(f"wrote a {args.sizes[0]}-page site into {args.generate}")
        return 0
    started = time.perf_counter()
    results: list[Runs] = []
    for i, pages in enumerate(args.sizes):
        print(f"N = {pages}: building {len(variants)} ways × {args.repeat}", flush=True)
        results += bench_size(args.work / f"n{pages}", pages, variants, args.repeat, warm=(i == 0))
    largest = max(args.sizes)
    phases = bench_phases(args.work / f"n{largest}", largest, variants, min(args.repeat, 3))
    real = None if args.no_real_site else bench_real_site(args.work, args.repeat)
    text = report(results, real, args.repeat, time.perf_counter() - started, phases)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print()
    print(text)
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
