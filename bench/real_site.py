"""The real site, measured on a snapshot of the project: what its builds cost cold and warm, and
what a reader downloads.

Five builds, interleaved like the synthetic site's ways: ``mdcite build`` (what ``make build`` runs:
check, export, strict build) and ``mkdocs build`` with the engine, each cold and warm, and a plain
``mkdocs build`` of the same snapshot as the floor: the real ``mkdocs.yml`` without the project's
own Markdown extensions, not strict, so that a warning about something only the engine resolves
cannot stop it (strictness changes the exit status, not the work: MkDocs validates links either
way). The floor builds every page with the same theme, overrides, other extensions and search
plugin, so its ratio is the engine's cost on the real content.
"""

from __future__ import annotations

import gzip
import html.parser
import importlib.util
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from mkdocs.utils.yaml import yaml_load

from .running import COLD, WARM, Hook, Step, Timed, interleaved, keep, mib, prepare, run_process

ROOT = Path(__file__).resolve().parents[1]
PLAIN_CONFIG = "bench-plain.yml"

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




def own_extension(name: str, root: Path = ROOT) -> bool:
    """Whether a Markdown extension is the project's own (the engine, or any other extension whose
    package lives in the project, outside the installed libraries): the floor leaves these out,
    whatever they are called."""
    spec = importlib.util.find_spec(name.split(".")[0])
    if spec is None:
        return False
    where = spec.origin or next(iter(spec.submodule_search_locations or []), None)
    if where is None:
        return False
    path = Path(where).resolve()
    installed = (Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve())
    return path.is_relative_to(root.resolve()) and not any(path.is_relative_to(p) for p in installed)


def write_plain_config(copy: Path, config: str = "mkdocs.yml") -> list[str]:
    """Write the floor's config beside the real one; return the names of the extensions it leaves out."""
    with open(copy / config, "rb") as f:
        settings = yaml_load(f)  # MkDocs' own loader: !ENV tags and INHERIT, as a build reads them
    left_out: list[str] = []
    extensions: list = []
    for entry in settings.get("markdown_extensions") or []:
        name = next(iter(entry)) if isinstance(entry, dict) else entry
        if own_extension(name):
            left_out.append(name)
        else:
            extensions.append(entry)
    settings["markdown_extensions"] = extensions
    # The engine's MkDocs hook (it spares Material's search plugin the engine's comments) goes too.
    hooks = [h for h in settings.get("hooks") or [] if Path(h).name != "searchhook.py"]
    if hooks:
        settings["hooks"] = hooks
    else:
        settings.pop("hooks", None)
    settings["strict"] = False
    (copy / PLAIN_CONFIG).write_text(yaml.safe_dump(settings, sort_keys=False, allow_unicode=True),
                                     encoding="utf-8")
    return left_out


@dataclass
class RealRuns(Timed):
    """The timed builds of one of the real site's ways, all cold or all warm."""

    name: str  # "plain", "mkdocs" or "mdcite"
    label: str
    cache: str
    command: list[str]
    engine: bool  # whether the build uses the engine (and so leaves a .cache/ worth keeping)

    @property
    def out(self) -> Path:
        return Path("out") / self.name


def real_builds(copy: Path) -> list[RealRuns]:
    """The floor, then each engine build cold, then each warm: in the first round every warm build
    starts from the .cache/ its cold build has just left."""
    python = sys.executable
    mdcite = [python, "-m", "mdcite.cli", "--root", str(copy), "build", "--site-dir", "out/mdcite"]
    mkdocs = [python, "-m", "mkdocs", "build", "--quiet", "-f", "mkdocs.yml", "--site-dir", "out/mkdocs"]
    plain = [python, "-m", "mkdocs", "build", "--quiet", "-f", PLAIN_CONFIG, "--site-dir", "out/plain"]
    builds = [RealRuns("plain", "`mkdocs build`, the project's own extensions left out, not strict (floor)",
                       COLD, plain, engine=False)]
    for cache in (COLD, WARM):
        builds += [RealRuns("mkdocs", "`mkdocs build` with the engine (strict)", cache, mkdocs, engine=True),
                   RealRuns("mdcite", "`mdcite build` (check, export, strict build: `make build`)", cache,
                            mdcite, engine=True)]
    return builds


@dataclass
class RealSite:
    runs: list[RealRuns] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)
    weight: list[tuple[str, int, int]] = field(default_factory=list)
    worker: tuple[str, int, int] | None = None
    search_index: tuple[int, int] | None = None
    pages: int = 0
    problem: str = ""


def first_error(log: Path) -> str:
    lines = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    return next((line for line in lines if ": error:" in line or line.startswith("ERROR")),
                lines[-1] if lines else "")


def warm_up(copy: Path, builds: list[RealRuns], logs: Path) -> str:
    """One untimed ``mdcite build`` (it writes the downloads into docs/ that the pages link to, and
    runs the engine's ``mkdocs build`` itself), then one plain build: between them they compile the
    bytecode of everything the timed builds import. '' if the engine's build succeeded: a failure
    there means the content was caught mid-edit."""
    for r in sorted((r for r in builds if r.cache == COLD and r.name in ("mdcite", "plain")),
                    key=lambda r: r.name != "mdcite"):
        prepare(copy, copy / r.out, COLD, r.name)
        log = logs / f"real-{r.name}-warm-up.log"
        _, _, _, code = run_process(r.command, copy, log)
        if code != 0 and r.engine:
            return f"{r.name} build failed (exit {code}): {first_error(log)}"
    return ""


def bench_real_site(work: Path, repeat: int, tries: int = 3, wait: float = 20.0,
                    before: Hook | None = None) -> RealSite:
    """Time the real site's builds on a snapshot of the project; retry while its content is mid-edit."""
    copy = work / "real"
    logs = work / "real-logs"
    result = RealSite()
    for attempt in range(tries):
        snapshot(ROOT, copy)
        shutil.rmtree(logs, ignore_errors=True)
        logs.mkdir(parents=True)
        result = RealSite(runs=real_builds(copy), left_out=write_plain_config(copy))
        result.problem = warm_up(copy, result.runs, logs)
        if not result.problem:
            break
        if attempt < tries - 1:
            print(f"  real site: {result.problem}; retrying in {wait:.0f} s", flush=True)
            time.sleep(wait)
    if result.problem:
        return result
    for n, r in interleaved(result.runs, repeat):
        if r.problem:
            continue
        prepare(copy, copy / r.out, r.cache, r.name)
        if before:
            before(Step(r.name, r.cache, copy, copy / r.out))
        log = logs / f"real-{r.name}-{r.cache}-{n}.log"
        seconds, cpu, peak, code = run_process(r.command, copy, log)
        if r.engine:
            keep(copy, r.name)
        if code != 0:
            r.problem = f"build failed (exit {code}): {first_error(log)}"
            continue
        r.add(seconds, cpu, peak)
        print(f"  real site     {r.name:<15} {r.cache} run {n + 1}: {seconds:6.2f} s wall, "
              f"{cpu:6.2f} s CPU", flush=True)
    measure_output(copy / "out" / "mdcite", result)
    return result


def measure_output(site: Path, result: RealSite) -> None:
    """What a reader downloads, from the last ``mdcite build``'s site."""
    if not site.is_dir():
        return
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


def real_site_lines(real: RealSite | None) -> list[str]:
    if real is None:
        return ["Not measured (--no-real-site)."]
    if real.problem:
        return [f"Not measured: {real.problem}"]
    floor = next((r for r in real.runs if r.name == "plain" and r.seconds), None)
    left_out = ", ".join(f"`{name}`" for name in real.left_out) or "none found"
    lines = [f"{real.pages} pages, built from a snapshot of the project. Each build was run "
             f"{max((len(r.seconds) for r in real.runs), default=0)} times, interleaved, after one "
             "untimed build of each; medians shown. *Cold* starts with no `.cache/` and no output "
             "folder, as CI and the Pages runner build; *warm* starts with the `.cache/` that the same "
             "build left the time before, as a writer's next build does. The floor is the real "
             f"`mkdocs.yml` with the project's own Markdown extensions left out ({left_out}) and not "
             "strict (so that a warning about something only the engine resolves cannot stop it; MkDocs "
             "does the same work either way): the same pages, theme, overrides, other extensions "
             "and search plugin, with the citations left as text. "
             "`mdcite build` also checks the whole site and writes the downloads, which the floor "
             "does not do.", "",
             "| Build | .cache/ | Wall (s) | × floor | Fastest (s) | × floor | CPU (s) | × floor | "
             "Peak RSS (MiB) | Runs |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in real.runs:
        if r.problem or not r.seconds:
            lines.append(f"| {r.label} | {r.cache} | — | — | — | — | — | — | — | {r.problem or 'not run'} |")
            continue
        if floor:
            ratios = [f"{r.wall / floor.wall:.2f}", f"{r.fastest / floor.fastest:.2f}", f"{r.cpu / floor.cpu:.2f}"]
        else:
            ratios = ["—"] * 3
        lines.append(f"| {r.label} | {r.cache} | {r.wall:.2f} | {ratios[0]} | {r.fastest:.2f} | {ratios[1]} | "
                     f"{r.cpu:.2f} | {ratios[2]} | {mib(r.peak)} | {len(r.seconds)} |")
    lines.append("")
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
