"""How every timed build is started, timed and ordered: shared by the synthetic site and the real one.

A build is *cold* when it starts with no ``.cache/`` and no output folder, as a fresh clone, CI and
the GitHub Pages runner build; it is *warm* when it starts with the ``.cache/`` that the previous
build of the same way left behind, as a writer's next build does. Every build is its own process,
run without ``PYTHONDONTWRITEBYTECODE`` so that it imports compiled bytecode, as users' builds do.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

COLD, WARM = "cold", "warm"
# The folder that the engine (and Zensical) keep between builds, relative to the build's folder.
CACHE = ".cache"
# Where each way's .cache/ waits for that way's next warm build, out of every other build's sight.
KEPT = "kept-caches"


@dataclass(frozen=True)
class Step:
    """One timed build, as a ``before`` hook sees it just before its process starts."""

    name: str  # the way of building (or the real site's build)
    cache: str  # COLD or WARM
    cwd: Path  # the folder the build runs in, which holds its .cache/
    out: Path  # the folder the build writes


Hook = Callable[[Step], None]


@dataclass(kw_only=True)
class Timed:
    """The timed runs of one build, with their medians and fastest: the record that the synthetic
    site's ways and the real site's builds share (each adds what names it)."""

    seconds: list[float] = field(default_factory=list)
    cpu_seconds: list[float] = field(default_factory=list)
    peak_bytes: list[int] = field(default_factory=list)
    problem: str = ""  # why the build could not be timed ("" when it was)

    def add(self, seconds: float, cpu: float, peak: int) -> None:
        self.seconds.append(seconds)
        self.cpu_seconds.append(cpu)
        self.peak_bytes.append(peak)

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


def build_env() -> dict:
    """The environment of every build. Without PYTHONDONTWRITEBYTECODE (which this project's
    machines set): a build that recompiled every module it imports would pay a constant cost that
    users, who have .pyc files, never pay, and that would make every ratio to the floor smaller."""
    env = os.environ.copy() | {"NO_MKDOCS_2_WARNING": "1"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


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


def kept(cwd: Path, name: str) -> Path:
    return cwd / KEPT / name


def prepare(cwd: Path, out: Path, cache: str, name: str) -> None:
    """Set the folder up for one build: no output folder and no .cache/ (cold), or no output
    folder and the .cache/ that the way's previous build left (warm)."""
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(cwd / CACHE, ignore_errors=True)
    if cache == WARM and kept(cwd, name).is_dir():
        kept(cwd, name).rename(cwd / CACHE)


def keep(cwd: Path, name: str) -> None:
    """Put the .cache/ this build left aside for the way's next warm build."""
    target = kept(cwd, name)
    shutil.rmtree(target, ignore_errors=True)
    if (cwd / CACHE).is_dir():
        target.parent.mkdir(parents=True, exist_ok=True)
        (cwd / CACHE).rename(target)


def interleaved(items: list, repeat: int) -> Iterator[tuple[int, object]]:
    """(round, item) for `repeat` rounds over items. Every other round goes in reverse order, so
    that no way always follows the slowest one or always meets the same phase of a neighbour's
    load."""
    for n in range(repeat):
        for item in items if n % 2 == 0 else items[::-1]:
            yield n, item


def load_average() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def mib(value: float) -> str:
    return f"{value / 2**20:.0f}"
