"""Shared fixtures: the real site is built once per test session and served on 127.0.0.1."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run_build(site_dir: Path, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    env = os.environ.copy() | {"NO_MKDOCS_2_WARNING": "1"} | (env_extra or {})
    return subprocess.run(
        [sys.executable, "-m", "mdcite.cli", "build", "--site-dir", str(site_dir)],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The real site, built once in strict mode."""
    out = tmp_path_factory.mktemp("site") / "site"
    done = run_build(out)
    if done.returncode != 0:
        pytest.fail(f"strict build failed:\n{done.stdout}\n{done.stderr}")
    return out


@pytest.fixture(scope="session")
def subpath_site(tmp_path_factory) -> Path:
    """The real site built for publication under a sub-path (a GitHub Pages project site)."""
    out = tmp_path_factory.mktemp("subpath") / "site"
    done = run_build(out, {"SITE_URL": "https://example.github.io/treaty-guide/"})
    if done.returncode != 0:
        pytest.fail(f"sub-path build failed:\n{done.stdout}\n{done.stderr}")
    return out


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def site_url(built_site) -> str:
    """The built site served by the test itself on 127.0.0.1 (random free port)."""
    handler = functools.partial(_Quiet, directory=str(built_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture
def project(tmp_path) -> Path:
    """A small scratch project (mkdocs.yml, docs/, references.bib) for error-path tests."""
    shutil.copytree(ROOT / "tests" / "fixtures" / "project", tmp_path / "project")
    return tmp_path / "project"


def _browser_unavailable(reason: str):
    from tests.browser_helpers import in_ci

    if in_ci():
        pytest.fail(f"browser tests must run in CI: {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason}")


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the whole session (Debian's, never a downloaded one), shared by
    every module that drives a browser: Playwright's sync API runs one event loop per thread, so a
    second `sync_playwright()` in the same thread would fail."""
    from tests.browser_helpers import LAUNCH_ARGS, chromium_path, missing_browser

    reason = missing_browser()
    if reason:
        _browser_unavailable(reason)
    from playwright.sync_api import Error, sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=LAUNCH_ARGS)
    except Error as exc:
        playwright.stop()
        _browser_unavailable(f"Chromium did not start: {str(exc).splitlines()[0]}")
    yield browser
    browser.close()
    playwright.stop()
