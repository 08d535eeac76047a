"""Every documented command works from a fresh clone with only what it installs itself.

Every other test runs in the virtualenv that `make test` filled with every extra, so a target whose
extra misses a package still passes them. Here one fresh `git clone` of the committed repository
gets its own new virtualenv (made by the Makefile; pip's cache is shared, so it is quick) and runs,
in turn, `make build`, `make pdf` and `make publish`, each installing only its own extra. The clone
has no tags, so `make publish` writes the living site and its PDF (no dated edition); the editions
are tried in tests/test_publish.py. Uncommitted changes are not in the clone: commit first.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pypdf
import pytest

from tests.site_pages import ROOT
from tests.test_publish import weasyprint_missing

pytestmark = pytest.mark.slow
TITLE = "Russia–Iran Treaty: an open reference"


def fresh_env() -> dict[str, str]:
    """The environment of a new shell: no virtualenv active, nothing of this one on the paths."""
    ours = {str(Path(sys.executable).parent), str(ROOT / ".venv" / "bin")}
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p and p not in ours)
    return env


def make(clone: Path, target: str) -> subprocess.CompletedProcess:
    done = subprocess.run(["make", target], cwd=clone, env=fresh_env(), capture_output=True, text=True, timeout=3600)
    assert done.returncode == 0, f"make {target} failed in a fresh clone:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def importable(clone: Path, module: str) -> bool:
    done = subprocess.run([str(clone / ".venv" / "bin" / "python"), "-c", f"import {module}"], cwd=clone,
                          env=fresh_env(), capture_output=True, text=True)
    return done.returncode == 0


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    reason = weasyprint_missing()
    if reason:
        pytest.skip(reason)
    target = tmp_path_factory.mktemp("fresh") / "clone"
    subprocess.run(["git", "clone", "--quiet", "--no-local", "--no-tags", str(ROOT), str(target)],
                   check=True, capture_output=True)
    return target


@pytest.fixture(scope="module")
def built(clone) -> Path:
    make(clone, "build")
    return clone


@pytest.fixture(scope="module")
def printed(built) -> Path:
    make(built, "pdf")
    return built


@pytest.fixture(scope="module")
def published(printed) -> Path:
    make(printed, "publish")
    return printed


def pdf_title(path: Path) -> str:
    reader = pypdf.PdfReader(path)
    assert len(reader.pages) > 20, path
    return reader.metadata.title


def test_make_build_in_a_fresh_clone_writes_the_site_without_the_pdf_extra(built):
    assert f" - {TITLE}</title>" in (built / "site" / "index.html").read_text(encoding="utf-8")
    # The PDF's packages come with `make pdf`: had the build installed them, the next test would prove nothing.
    assert [m for m in ("weasyprint", "cssselect") if importable(built, m)] == []


def test_make_pdf_in_a_fresh_clone_writes_a_pdf_that_opens(printed):
    assert pdf_title(printed / "site" / "treaty-guide.pdf") == TITLE


def test_make_publish_in_a_fresh_clone_writes_the_living_site_and_its_pdf(published):
    assert f" - {TITLE}</title>" in (published / "public" / "index.html").read_text(encoding="utf-8")
    assert pdf_title(published / "public" / "treaty-guide.pdf") == TITLE
    assert sorted(p.name for p in published.iterdir() if ".tmp-" in p.name) == []
