"""The two site generators that read our mkdocs.yml: MkDocs (what we ship) and Zensical.

Both run the same Python-Markdown extension; only their command lines differ. Zensical has no
``--site-dir`` option and keeps its output inside the project, so a build into a scratch folder
goes through a copy of the configuration that names that folder.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import sys
from collections.abc import Iterator
from pathlib import Path

GENERATORS = ("mkdocs", "zensical")


@contextlib.contextmanager
def build_command(name: str, root: Path, config_file: str, site_dir: Path) -> Iterator[list[str]]:
    """The strict build of the project into site_dir (a folder inside root, for Zensical)."""
    if name == "mkdocs":
        yield [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir),
               "--config-file", config_file]
        return
    base = root / config_file
    scratch_config = base.with_name(f".{base.stem}.zensical-{os.getpid()}.yml")
    # A later key wins in YAML, so the copy builds into the scratch folder and nowhere else.
    scratch_config.write_text(base.read_text(encoding="utf-8") + "\n"
                              f"site_dir: {Path(os.path.relpath(site_dir, root)).as_posix()}\n", encoding="utf-8")
    try:
        yield [sys.executable, "-m", "zensical", "build", "--clean", "--strict", "-f", str(scratch_config)]
    finally:
        scratch_config.unlink(missing_ok=True)


def serve_command(name: str, config_file: str, address: str) -> list[str]:
    """The generator's own live-reloading server."""
    if name == "mkdocs":
        return [sys.executable, "-m", "mkdocs", "serve", "--dev-addr", address, "--livereload",
                "--config-file", config_file]
    return [sys.executable, "-m", "zensical", "serve", "--dev-addr", address, "-f", config_file]


def missing(name: str) -> str:
    """Why the generator cannot run here ("" when it can), with the command that installs it."""
    if importlib.util.find_spec(name) is not None:
        return ""
    if name == "zensical":
        return "zensical is not installed; `make build GENERATOR=zensical` installs it (pip install -e '.[zensical]')"
    return f"{name} is not installed; `make build` sets up .venv with it"
