"""The last good copy of the project: what the generator's server builds under ``mdcite serve``.

A generator's server watches its sources and rebuilds on every save. Watching docs/ itself, it
would build every broken state a writer saves: MkDocs then holds every request until a build
succeeds (a page with an unknown key hung the browser until the file was reverted), and prints
the mistake a second time. So under ``mdcite serve`` the generator watches this copy instead, which
is brought up to date only after the sources pass ``mdcite check``'s rules, all at once, with the
downloads already written: one save gives one rebuild, of sources that pass.

The copy keeps the project's layout (so every path in mkdocs.yml and every error's location is
the same) and a ``.git`` file that points at the project's repository, so that what a build asks
git about the sources is answered for the copy too.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

# What a build does not read: earlier builds, the benchmarks, the tests (but for the anchor
# manifest), caches and hidden files. A name matches at any depth unless it has a slash.
SKIPPED_NAMES = {"site", "public", "bench", "node_modules", "test-results", "__pycache__"}
SKIPPED_PREFIXES = (".", "site.", "site-", "public.")
SKIPPED_SUFFIXES = (".egg-info", "~", ".swp", ".tmp")
KEPT_FROM_TESTS = ("anchors.json",)


def skipped(relative: str) -> bool:
    """Whether a project path (posix, relative to the root) stays out of the copy."""
    parts = relative.split("/")
    if parts[0] == "tests":
        return len(parts) != 2 or parts[1] not in KEPT_FROM_TESTS
    for part in parts:
        if part in SKIPPED_NAMES or part.startswith(SKIPPED_PREFIXES) or part.endswith(SKIPPED_SUFFIXES):
            return True
    return False


def files(root: Path) -> dict[str, tuple[int, int]]:
    """Every file the copy holds, by posix path relative to root: (size, modification time)."""
    found: dict[str, tuple[int, int]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath).relative_to(root).as_posix()
        prefix = "" if here == "." else here + "/"
        dirnames[:] = sorted(d for d in dirnames if not skipped(prefix + d) or (prefix + d) == "tests")
        for name in filenames:
            relative = prefix + name
            if skipped(relative):
                continue
            try:
                st = os.stat(os.path.join(dirpath, name))
            except OSError:  # removed while we looked
                continue
            found[relative] = (st.st_size, st.st_mtime_ns)
    return found


class Mirror:
    """A copy of ``root`` in ``target`` that changes only when ``sync`` is called."""

    def __init__(self, root: Path, target: Path):
        self.root, self.target = root.resolve(), target
        self.copied: dict[str, tuple[int, int]] = {}  # what the copy holds, as the source was then

    def sync(self) -> list[str]:
        """Make the copy match the project now; the paths that changed (added, changed, removed).

        Only changed files are written, so the generator's watcher sees exactly this save."""
        now = files(self.root)
        changed = []
        for relative, stamp in now.items():
            if self.copied.get(relative) == stamp:
                continue
            source, copy = self.root / relative, self.target / relative
            copy.parent.mkdir(parents=True, exist_ok=True)
            try:
                if copy.exists() and copy.read_bytes() == source.read_bytes():
                    self.copied[relative] = stamp
                    continue
                shutil.copy2(source, copy)
            except FileNotFoundError:  # removed meanwhile: the next sync removes the copy
                continue
            self.copied[relative] = stamp
            changed.append(relative)
        for relative in sorted(set(self.copied) - set(now)):
            (self.target / relative).unlink(missing_ok=True)
            del self.copied[relative]
            changed.append(relative)
        return changed

    def create(self) -> None:
        """The first copy, with a pointer to the project's git repository."""
        self.target.mkdir(parents=True, exist_ok=True)
        self.sync()
        git_dir = subprocess.run(["git", "rev-parse", "--absolute-git-dir"], cwd=self.root,
                                 capture_output=True, text=True)
        if git_dir.returncode == 0 and git_dir.stdout.strip():
            (self.target / ".git").write_text(f"gitdir: {git_dir.stdout.strip()}\n", encoding="utf-8")

    def remove(self) -> None:
        shutil.rmtree(self.target, ignore_errors=True)
