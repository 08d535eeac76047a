"""``make bench`` (``python -m bench``): build one synthetic site several ways and compare wall time and peak memory.

The ways: plain Material with the citations left as text (the floor), our extension, the
``mkdocs-bibtex`` plugin, and Zensical with and without our extension. Every build is a separate
process, timed from spawn to exit; its peak resident memory comes from ``os.wait4``. Every way is
built cold (no ``.cache/``, as CI builds: the headline) and the engine's ways also warm (the
``.cache/`` of their previous build kept, as a writer rebuilds), all in one set of interleaved
rounds (floor, engine, plugin, … then again) so that a noisy neighbour on a 2-core machine slows
every way alike. It also measures the real site (bench/real_site.py). Speed is reported here,
never asserted in tests.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
import os
import platform
import random
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from mdcite import extension as extension_module
from mdcite.bibliography import fold
from mdcite.extension import LIST_CLOSE, LIST_OPEN

from .phases import PHASES
from .real_site import RealSite, bench_real_site, real_site_lines
from .running import COLD, WARM, Hook, Step, Timed, interleaved, keep, load_average, mib, prepare, run_process

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


# The site's own MkDocs hook (mkdocs.yml): Material's search plugin reads each page without the
# engine's comment-wrapped HTML. Every MkDocs way that serves the engine's output uses it, as the site does.
SEARCH_HOOK = str(Path(extension_module.__file__).with_name("searchhook.py"))


def variant_config(name: str, extension: bool, plugin: bool, hook: str = "", tool: str = "mkdocs") -> dict:
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
    hooks = [hook] if hook else []
    if tool == "mkdocs" and (extension or hook):  # serves the engine's output; Zensical runs no hooks
        hooks.append(SEARCH_HOOK)
    if hooks:
        config["hooks"] = hooks
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
# These two MkDocs hooks are the benchmark's own, to measure; the engine is not a plugin, and its
# one hook (SEARCH_HOOK, optional) only spares Material's search plugin the engine's comments.
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
    configs = {v.name: variant_config(v.name, v.extension, v.plugin, v.hook, v.tool) for v in VARIANTS}
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
class Runs(Timed):
    """The timed builds of one way at one size, all cold or all warm."""

    variant: Variant
    pages: int
    cache: str = COLD

    @property
    def name(self) -> str:
        return self.variant.name if self.cache == COLD else f"{self.variant.name}-{self.cache}"


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


def bench_size(root: Path, pages: int, variants: list[Variant], repeat: int, warm_up: bool,
               before: Hook | None = None) -> list[Runs]:
    """Every way built cold `repeat` times, and the engine's ways warm as often, in one interleaved
    set of rounds; `before` sees each timed build just before it starts."""
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
    # Warm builds after the cold ones: in the first round, each starts from the .cache/ that its
    # way's cold build has just left; later, from whichever build of its way (cold or warm) ran last.
    warm = [Runs(r.variant, pages, cache=WARM) for r in active if r.variant.extension]
    for r in active if warm_up else []:  # compile bytecode, fill the page cache; not counted
        prepare(root, root / "out" / r.variant.name, COLD, r.variant.name)
        run_process(r.variant.command(root), root, logs / f"{r.variant.name}-warm-up.log")
    for n, r in interleaved(active + warm, repeat):
        if r.problem:
            continue
        out = root / "out" / r.variant.name
        prepare(root, out, r.cache, r.variant.name)
        if before:
            before(Step(r.variant.name, r.cache, root, out))
        log = logs / f"{r.name}-{n}.log"
        seconds, cpu, peak, code = run_process(r.variant.command(root), root, log)
        if r.variant.extension:
            keep(root, r.variant.name)
        if code != 0:
            tail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-3:]
            r.problem = f"build failed (exit {code}): {' / '.join(tail)}"
            continue
        if n == 0:
            r.problem = check_output(r.variant, root, pages)
            if r.problem:
                continue
        r.add(seconds, cpu, peak)
        print(f"  N={pages:<4} {r.variant.name:<15} {r.cache} run {n + 1}: {seconds:6.2f} s wall, "
              f"{cpu:6.2f} s CPU, {peak / 2**20:5.0f} MiB", flush=True)
    return results + warm


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
    """CPU time of each phase of the Material builds, from separate builds run through
    ``bench/phases.py``, cold like the table's (the timers add a little to each build, so these
    are not the table's)."""
    logs = root / "logs"
    replayable = (root / CAPTURED).exists()
    found = [Phases(v, pages) for v in variants
             if v.name in PHASE_WAYS and v.tool == "mkdocs" and (replayable or not v.hook)]
    for n, p in interleaved(found, repeat):
        if p.problem:
            continue
        prepare(root, root / "out" / p.variant.name, COLD, p.variant.name)
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


# -- the report ------------------------------------------------------------------------------------


def machine(load_at_start: str) -> list[str]:
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
    bytecode = ("set in this environment; removed from every build's" if "PYTHONDONTWRITEBYTECODE" in os.environ
                else "not set in this environment nor in any build's")
    return [f"- CPU: {cpu}; {cores} cores usable (shared, noisy: other work runs beside the benchmark)",
            f"- Memory: {memory}",
            f"- Load average (1/5/15 min): {load_at_start} at the start, {load_average()} at the end",
            f"- Python {platform.python_version()} on {platform.platform()}",
            f"- Bytecode: `PYTHONDONTWRITEBYTECODE` is {bytecode}, so that builds import compiled "
            ".pyc files as users' builds do (the untimed warm-up builds compile them) instead of "
            "recompiling every module, a constant cost that would inflate every floor"]


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


def results_table(results: list[Runs], cache: str = COLD) -> list[str]:
    """The runs of one kind (cold or warm), each beside the cold floor of its size. The warm table
    adds the difference from the same way's cold builds (negative: the kept .cache/ saved time)."""
    warm = cache == WARM
    rows = ["| N pages | Way of building | Wall (s) | × floor | Fastest (s) | × floor | CPU (s) | × floor | "
            "Added CPU ms/page | Peak RSS (MiB) | × floor | " + ("Warm − cold (s) | " if warm else "") + "Runs |",
            "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|" + ("---:|" if warm else "") + "---:|"]
    by_size: dict[int, list[Runs]] = {}
    for r in results:
        by_size.setdefault(r.pages, []).append(r)
    for pages, group in by_size.items():
        floor = next((r for r in group if r.variant.name == "floor" and r.cache == COLD and r.seconds), None)
        cold = {r.variant.name: r for r in group if r.cache == COLD and r.seconds}
        for r in (r for r in group if r.cache == cache):
            if r.problem or not r.seconds:
                rows.append(f"| {pages} | {r.variant.label} | — | — | — | — | — | — | — | — | — | "
                            + ("— | " if warm else "") + f"{r.problem or 'not run'} |")
                continue
            if floor:
                ratio = f"{r.wall / floor.wall:.2f}"
                fast_ratio = f"{r.fastest / floor.fastest:.2f}"
                cpu_ratio = f"{r.cpu / floor.cpu:.2f}"
                added = f"{(r.cpu - floor.cpu) * 1000 / pages:+.1f}"
                mem = f"{r.peak / floor.peak:.2f}"
            else:
                ratio = fast_ratio = cpu_ratio = added = mem = "—"
            saved = ""
            if warm:
                same = cold.get(r.variant.name)
                saved = f"{r.wall - same.wall:+.2f} | " if same else "— | "
            rows.append(f"| {pages} | {r.variant.label} | {r.wall:.2f} | {ratio} | {r.fastest:.2f} | {fast_ratio} | "
                        f"{r.cpu:.2f} | {cpu_ratio} | {added} | {mib(r.peak)} | {mem} | {saved}{len(r.seconds)} |")
    return rows


def verdicts(results: list[Runs]) -> list[str]:
    """The two targets, read off the cold builds of the largest size that has the numbers; then the
    same overhead for warm builds, which the targets do not judge."""
    lines = []
    sizes = sorted({r.pages for r in results}, reverse=True)
    for pages in sizes:
        got = {r.variant.name: r for r in results if r.pages == pages and r.cache == COLD and r.seconds}
        if "floor" not in got or "mdcite" not in got:
            continue
        floor = got["floor"]
        overhead = got["mdcite"].wall / floor.wall - 1
        cpu_overhead = got["mdcite"].cpu / floor.cpu - 1
        fast_overhead = got["mdcite"].fastest / floor.fastest - 1
        lines.append(f"- At N = {pages}, cold, the engine adds {overhead:+.1%} to the floor's wall time "
                     f"({cpu_overhead:+.1%} CPU time; {fast_overhead:+.1%} between the fastest runs; "
                     "target: at most +10%): "
                     f"{'met' if max(overhead, cpu_overhead) <= 0.10 else 'NOT met'}.")
        if "output" in got:
            alone, engine = got["output"], got["mdcite"]
            lines.append(f"- At N = {pages}, cold, the engine's output alone (made beforehand and served with "
                         f"no citation work) adds {alone.wall / floor.wall - 1:+.1%} to the floor's "
                         f"wall time ({alone.cpu / floor.cpu - 1:+.1%} CPU time); the engine's own "
                         f"work adds {(engine.wall - alone.wall) / floor.wall:+.1%} of the floor "
                         f"({(engine.cpu - alone.cpu) / floor.cpu:+.1%} CPU time).")
        if "bibtex" in got:
            speed = got["bibtex"].wall / got["mdcite"].wall
            cpu_speed = got["bibtex"].cpu / got["mdcite"].cpu
            lines.append(f"- At N = {pages}, cold, mkdocs-bibtex takes {speed:.2f}× the engine's wall time "
                         f"({cpu_speed:.2f}× its CPU time; target: the engine is faster): "
                         f"{'met' if min(speed, cpu_speed) > 1 else 'NOT met'}.")
        else:
            lines.append(f"- At N = {pages}, mkdocs-bibtex has no result to compare with.")
        warm = next((r for r in results if r.pages == pages and r.cache == WARM
                     and r.variant.name == "mdcite" and r.seconds), None)
        if warm:
            lines.append(f"- At N = {pages}, warm (a writer's rebuild, not what the target judges), the "
                         f"engine adds {warm.wall / floor.wall - 1:+.1%} to the floor's wall time "
                         f"({warm.cpu / floor.cpu - 1:+.1%} CPU time; "
                         f"{warm.fastest / floor.fastest - 1:+.1%} between the fastest runs); its median is "
                         f"{warm.wall - got['mdcite'].wall:+.2f} s from the cold builds'.")
        break
    return lines


def report(results: list[Runs], real: RealSite | None, repeat: int, seconds: float,
           phases: list[Phases] | None = None, load_at_start: str = "") -> str:
    first = results[0].pages if results else None
    engine_ways = ", ".join(f"`{r.variant.name}`" for r in results if r.cache == WARM and r.pages == first)
    lines = ["# Benchmark results", "",
             "Generated by `make bench` (`python -m bench`); do not edit by hand. "
             "See bench/README.md for what is measured and how.", "",
             "## Machine", "", *machine(load_at_start or load_average()), f"- Packages: {versions()}",
             f"- Benchmark wall time: {seconds / 60:.1f} min", "",
             "## Synthetic site", "",
             f"Pages of about {WORDS_PER_PAGE} words with {CITES_PER_PAGE} citations each "
             f"(`[@a]`, `[@a; @b]`, `[@a, p. 12]`) drawn from {ENTRIES} BibTeX entries with non-ASCII "
             f"names, plus a home page and a bibliography page (seed {SEED}). Each way was built "
             f"{times(repeat)} cold and each of the engine's ways ({engine_ways or 'none run'}) as often "
             "warm, all in one interleaved set of rounds; medians shown, every ratio against the cold "
             "floor of the same run. CPU is user + system time of the build process; \"Added CPU "
             "ms/page\" is (CPU − floor's CPU) ÷ N.", "",
             "### Cold builds", "",
             "Every build starts with no `.cache/` and no output folder, as a fresh clone, CI and the "
             "GitHub Pages runner build. The targets below are read off this table.", "",
             *results_table(results, COLD), "",
             "### Warm builds", "",
             "Each starts with the `.cache/` that the same way's previous build left (the formatted "
             "bibliography, and whatever else the engine keeps there), as a writer's next build "
             "does; the output folder is removed as before.", "",
             *results_table(results, WARM), "",
             "### Targets", "", *verdicts(results), "",
             "## Where the time goes", "", *phases_lines(phases or []), "",
             "## The real site", "", *real_site_lines(real), ""]
    return "\n".join(lines)


def times(n: int) -> str:
    return {1: "once", 2: "twice"}.get(n, f"{n} times")


def parse_sizes(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.replace(" ", "").split(",") if part)


def main(argv: list[str] | None = None, before: Hook | None = None) -> int:
    """The whole benchmark. `before`, for tests, sees every timed build just before it starts."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=parse_sizes,
                        default=parse_sizes(os.environ.get("MDCITE_BENCH_SIZES", "20,100,400")),
                        help="pages per synthetic site, comma-separated (env MDCITE_BENCH_SIZES)")
    parser.add_argument("--repeat", type=int, default=int(os.environ.get("MDCITE_BENCH_REPEAT", "5")),
                        help="timed builds per way, size and cache state (env MDCITE_BENCH_REPEAT)")
    parser.add_argument("--real-repeat", type=int,
                        default=int(os.environ.get("MDCITE_BENCH_REAL_REPEAT", "3")),
                        help="timed builds of each of the real site's builds (env MDCITE_BENCH_REAL_REPEAT)")
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
    load_at_start = load_average()
    results: list[Runs] = []
    for i, pages in enumerate(args.sizes):
        warm = sum(v.extension for v in variants)
        print(f"N = {pages}: building {len(variants)} ways cold and {warm} warm × {args.repeat}", flush=True)
        results += bench_size(args.work / f"n{pages}", pages, variants, args.repeat, warm_up=(i == 0),
                              before=before)
    largest = max(args.sizes)
    phases = bench_phases(args.work / f"n{largest}", largest, variants, min(args.repeat, 3))
    real = None if args.no_real_site else bench_real_site(args.work, args.real_repeat, before=before)
    text = report(results, real, args.repeat, time.perf_counter() - started, phases, load_at_start)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print()
    print(text)
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
