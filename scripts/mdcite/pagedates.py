"""When each page last changed, read from git: the commit date of the last commit that changed
the page's source or a file it draws (a figure's data file).

A citation carries that date ("Last modified …", ``dateModified``), so it must be the page's own,
not one date for the whole site. The history is read in one ``git log`` pass over ``docs/`` and
the bibliography, whatever the number of pages; an edition, built in a worktree of its tag, reads
the history up to that tag and so keeps the dates it had. A page that is not committed as it
stands (modified or untracked) is dated by the build, and so is every page when git is missing,
the project is no repository, or the clone is shallow (its history is cut, said in one line).
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

# The one line a shallow clone prints, once per process (a serve rebuilds the index often).
SHALLOW_WARNING = ("mdcite: warning: this git clone is shallow, so pages are dated by the build; "
                   "fetch the whole history (git fetch --unshallow) for each page's own date")
_warned: set[str] = set()  # the repositories already warned about


@dataclass(frozen=True)
class PageDates:
    """What git says about the files of a project: last commit dates and uncommitted files."""

    today: dt.date  # the build's date, for what git cannot date
    changed: dict[str, dt.date] = field(default_factory=dict)  # path from the project root → date
    dirty: frozenset[str] = frozenset()  # paths modified or untracked in the work tree
    reason: str = ""  # why git dated nothing ("" when it did)

    def date_of(self, paths: Iterable[str]) -> dt.date:
        """The date of the newest change to any of ``paths`` (paths from the project root): the
        build's date if one of them is uncommitted or has no commit."""
        if self.reason:
            return self.today
        dates = []
        for path in paths:
            if path in self.dirty or path not in self.changed:
                return self.today
            dates.append(self.changed[path])
        return max(dates, default=self.today)


def build_date() -> dt.date:
    """Today (UTC), or the date of SOURCE_DATE_EPOCH for a reproducible build."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
    return dt.datetime.now(dt.UTC).date()


def _git(root: Path, *args: str) -> subprocess.CompletedProcess | None:
    try:
        return subprocess.run(["git", "-c", "core.quotePath=false", *args], cwd=root,
                              capture_output=True, text=True, encoding="utf-8", check=False)
    except OSError:  # no git on this machine
        return None


def read(root: Path, paths: Iterable[str | Path]) -> PageDates:
    """The last commit date of every file under ``paths`` (folders or files, under ``root``), in
    one pass of ``git log``; plus what ``git status`` reports uncommitted there."""
    root = Path(root).resolve()
    today = build_date()
    where = _git(root, "rev-parse", "--show-toplevel", "--is-shallow-repository")
    if where is None:
        return PageDates(today, reason="git is not installed")
    if where.returncode != 0:
        return PageDates(today, reason="not a git repository")
    top_text, shallow = (where.stdout.splitlines() + ["", ""])[:2]
    if shallow.strip() == "true":
        if str(root) not in _warned:
            _warned.add(str(root))
            print(SHALLOW_WARNING, file=sys.stderr, flush=True)
        return PageDates(today, reason="shallow clone")
    top = Path(top_text).resolve()
    prefix = root.relative_to(top).as_posix() if root != top else ""
    specs = [Path(p).as_posix() for p in paths]

    def ours(name: str) -> str | None:
        """A path from the repository's top as a path from the project root (None if outside)."""
        if not prefix:
            return name
        return name[len(prefix) + 1:] if name.startswith(prefix + "/") else None

    log = _git(root, "log", "--no-renames", "--name-only", "--format=%x00%cs", "--", *specs)
    if log is None or log.returncode != 0:
        return PageDates(today, reason="git log failed")
    changed: dict[str, dt.date] = {}
    day = today
    for line in log.stdout.splitlines():
        if line.startswith("\x00"):
            day = dt.date.fromisoformat(line[1:].strip())
        elif line and (name := ours(line)) is not None:
            changed.setdefault(name, day)  # newest first: the first date seen is the last change
    status = _git(root, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--", *specs)
    dirty: set[str] = set()
    if status is not None and status.returncode == 0:
        entries = status.stdout.split("\0")
        i = 0
        while i < len(entries):
            entry = entries[i]
            i += 1
            if len(entry) < 4:
                continue
            if entry[0] in "RC":
                i += 1  # a rename or copy is followed by its old path
            name = ours(entry[3:])
            if name is not None:
                dirty.add(name)
    return PageDates(today, changed, frozenset(dirty))


class Reading:
    """``read`` under way in a thread, started as soon as the paths are known: git's three commands
    run while the build reads the pages, so their wall time overlaps the build's own work (a
    build's first page waited for them). ``result`` waits for the answer, or raises what read did."""

    def __init__(self, root: Path, paths: Iterable[str | Path]):
        self._root, self._paths = root, list(paths)
        self._answer: PageDates | None = None
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="mdcite-pagedates", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._answer = read(self._root, self._paths)
        except BaseException as exc:  # raised where the dates are asked for, as before
            self._failure = exc

    def result(self) -> PageDates:
        self._thread.join()
        if self._failure is not None:
            raise self._failure
        assert self._answer is not None
        return self._answer
