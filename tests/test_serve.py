"""`make serve` (`mdcite serve`): the same checks as `make check` first, then a live server whose
downloads (/references.bib, .json, .ris) follow every edit of references.bib."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from mdcite import config
from tests.helpers import mdcite

NEW_ENTRY = ("\n@online{added-while-serving,\n  author = {{Caspian Observer}},\n  title = {Added while serving},\n"
             "  url = {https://example.org/added},\n}\n")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return ""


def wait_for(condition, seconds: float = 60.0) -> bool:
    """Poll until condition() holds; the server rebuilds in its own time."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return False


def fetch_answer(url: str) -> tuple[int, str]:
    """The status and text of an answer, an error page's included (0, "" when none came)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0, ""


@contextlib.contextmanager
def serve(project, generator: str = "mkdocs"):
    """`mdcite serve` on the scratch project, on a free port; stopped (with its server) afterwards."""
    if importlib.util.find_spec(generator) is None:
        pytest.fail(f"{generator} is not installed; it belongs to the test dependencies (pip install -e '.[test]')")
    address = f"127.0.0.1:{free_port()}"
    env = os.environ | {"NO_MKDOCS_2_WARNING": "1"}
    log = (project.parent / "serve.log").open("w")  # outside the project, whose every file is watched
    process = subprocess.Popen([sys.executable, "-m", "mdcite.cli", "serve", "--dev-addr", address,
                                "--interval", "0.5", "--generator", generator], cwd=project, env=env,
                               start_new_session=True, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://{address}{urllib.parse.urlsplit(config.load(project)['site_url']).path or '/'}"
    try:
        if not wait_for(lambda: "@online{org-2025" in fetch(url + "references.bib") or process.poll() is not None):
            pytest.fail("mdcite serve did not serve /references.bib within a minute")
        if process.poll() is not None:
            pytest.fail(f"mdcite serve stopped:\n{(project.parent / 'serve.log').read_text()}")
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


@pytest.fixture
def serving(project):
    with serve(project) as url:
        yield url


@pytest.mark.slow
def test_editing_references_bib_while_serving_refreshes_the_three_downloads(project, serving):
    bib = project / "references.bib"
    bib.write_text(bib.read_text(encoding="utf-8") + NEW_ENTRY, encoding="utf-8")
    for name, needle in (("references.bib", "added-while-serving"), ("references.json", '"added-while-serving"'),
                         ("references.ris", "Added while serving")):
        assert wait_for(lambda name=name, needle=needle: needle in fetch(serving + name)), name
        assert needle in (project / "docs" / name).read_text(encoding="utf-8")


# What each generator prints when its first build is served, when a rebuild starts, and when it is served.
REBUILD_LINES = {"mkdocs": ("Serving on", "Detected file changes", "Reloading browsers"),
                 "zensical": ("No issues found", "Build started", "No issues found")}


@pytest.mark.slow
@pytest.mark.parametrize("generator", ["mkdocs", "zensical"])
def test_one_save_of_references_bib_gives_one_rebuild_whose_downloads_are_already_fresh(project, generator):
    with (project / "mkdocs.yml").open("a") as conf:
        conf.write("watch: [references.bib]\n")  # as the site's own: a plain `mkdocs serve` follows it too
    ready, started, served = REBUILD_LINES[generator]
    log = project.parent / "serve.log"
    with serve(project, generator) as url:
        assert wait_for(lambda: ready in log.read_text())  # Zensical serves files while it builds
        rebuilds, reloads = log.read_text().count(started), log.read_text().count(served)
        bib = project / "references.bib"
        bib.write_text(bib.read_text(encoding="utf-8") + NEW_ENTRY, encoding="utf-8")
        assert wait_for(lambda: log.read_text().count(served) == reloads + 1)
        for name, needle in (("references.bib", "added-while-serving"), ("references.json", '"added-while-serving"'),
                             ("references.ris", "Added while serving")):  # what the first reload serves
            assert needle in fetch(url + name), name
        time.sleep(3)  # a second rebuild would have started by now
        assert log.read_text().count(started) == rebuilds + 1


@pytest.mark.slow
@pytest.mark.parametrize("generator", ["mkdocs", "zensical"])
def test_a_page_with_an_unknown_key_answers_at_once_with_the_located_error_then_with_the_page_once_fixed(
        project, generator):
    with serve(project, generator) as url:
        page = project / "docs" / "index.md"
        good = page.read_text(encoding="utf-8")
        page.write_text(good + "\nBroken [@nosuchkey].\n", encoding="utf-8")
        located = (f"docs/index.md:{len(good.splitlines()) + 2}:8: error: unknown citation key 'nosuchkey'; "
                   "add the work to references.bib or fix the key")
        assert wait_for(lambda: located in fetch_answer(url)[1], 10)
        started = time.monotonic()
        status, other_page = fetch_answer(url + "deep/er/page/")  # any page, not only the broken one
        assert time.monotonic() - started < 3
        assert status == 500 and located in other_page and "Broken [@nosuchkey]." in other_page
        assert "@online{org-2025" in fetch(url + "references.bib")  # the last good build, for the rest
        page.write_text(good + "\nMended [@undated].\n", encoding="utf-8")
        assert wait_for(lambda: "Mended (" in fetch_answer(url)[1])
        status, mended = fetch_answer(url)
        assert status == 200 and "unknown citation key" not in mended
    assert (project.parent / "serve.log").read_text().count(located) == 1  # printed once, by the checks


@pytest.mark.slow
def test_a_build_only_the_generator_refuses_is_shown_in_the_browser_instead_of_hanging(project, serving):
    """MkDocs' strict build refuses a missing image, which the checks leave to it: it then holds
    every request until a rebuild succeeds; the browser gets what it said instead."""
    page = project / "docs" / "index.md"
    good = page.read_text(encoding="utf-8")
    page.write_text(good + "\n![A chart](missing.png)\n", encoding="utf-8")
    said = "Doc file 'index.md' contains a link 'missing.png', but the target is not found"
    assert wait_for(lambda: said in fetch_answer(serving)[1])
    started = time.monotonic()
    status, other_page = fetch_answer(serving + "deep/er/page/")
    assert time.monotonic() - started < 3 and status == 500 and said in other_page
    page.write_text(good + "\nMended [@undated].\n", encoding="utf-8")
    assert wait_for(lambda: "Mended (" in fetch_answer(serving)[1])


def test_serve_runs_the_checks_first_and_does_not_start_on_an_error(project):
    (project / "docs" / "themes").mkdir()
    (project / "docs" / "themes" / "energy.md").write_text("# Energy\n\nA claim that nobody has sourced at all.\n")
    done = mdcite(project, "serve", "--dev-addr", f"127.0.0.1:{free_port()}")
    checked = mdcite(project, "check")
    expected = ("docs/themes/energy.md:3:1: error: paragraph has no citation; cite its source as [@key], or mark "
                "a summary that only restates cited material with {: .summary }")
    assert done.returncode == 1
    assert expected in done.stderr.splitlines() and expected in checked.stderr.splitlines()
    assert not (project / "docs" / "references.bib").exists()  # stopped before exporting or serving


def test_exports_are_not_rewritten_when_their_content_is_unchanged(project):
    """A rewrite would make the generator's watcher rebuild the site for nothing, again and again."""
    assert mdcite(project, "export").returncode == 0
    exported = project / "docs" / "references.json"
    before = exported.stat().st_mtime_ns
    time.sleep(0.05)
    assert mdcite(project, "export").returncode == 0
    assert exported.stat().st_mtime_ns == before


def make_dry_run(target: str, *assignments: str) -> str:
    """The commands `make <target>` would run on a fresh machine (nothing is run: -n, -B)."""
    from tests.site_pages import ROOT

    done = subprocess.run(["make", "-n", "-B", "-C", str(ROOT), target, *assignments], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_make_serve_installs_only_what_serving_needs():
    commands = make_dry_run("serve")
    assert "pip install --quiet -e .\n" in commands
    assert "[test]" not in commands and "zensical" not in commands


def test_make_serve_with_zensical_adds_only_zensical():
    commands = make_dry_run("serve", "GENERATOR=zensical")
    assert "pip install --quiet -e '.[zensical]'" in commands and "[test]" not in commands
    assert "mdcite serve --generator zensical" in commands


def test_make_test_installs_the_test_dependencies():
    assert "pip install --quiet -e '.[test]'" in make_dry_run("test")


@pytest.mark.slow
@pytest.mark.browser
def test_an_open_page_turns_into_the_errors_and_back_into_the_page_by_itself(project):
    """What the writer sees: no click, no reload by hand."""
    from tests.browser_helpers import LAUNCH_ARGS, chromium_path, in_ci, missing_browser

    reason = missing_browser()
    if reason:
        (pytest.fail if in_ci() else pytest.skip)(f"browser test skipped: {reason}")
    from playwright.sync_api import sync_playwright

    page_source = project / "docs" / "index.md"
    good = page_source.read_text(encoding="utf-8")
    with serve(project) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=LAUNCH_ARGS)
        try:
            tab = browser.new_page()
            tab.goto(url)
            page_source.write_text(good + "\nBroken [@nosuchkey].\n", encoding="utf-8")
            tab.wait_for_function("document.title.startsWith('The site cannot build')", timeout=20_000)
            assert "docs/index.md:15:8: error: unknown citation key 'nosuchkey'" in tab.inner_text("body")
            page_source.write_text(good + "\nMended [@undated].\n", encoding="utf-8")
            tab.wait_for_function("document.body.innerText.includes('Mended (')", timeout=60_000)
            assert tab.title().startswith("Home")
        finally:
            browser.close()


def test_the_error_page_shows_each_problem_whole_with_its_line_and_escapes_them(tmp_path):
    from mdcite.errors import Diagnostic
    from mdcite.front import error_page

    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "page.md").write_text("# Page\n\nSee <b>this</b> [@bad<key>].\n")
    html = error_page(tmp_path, 7, [Diagnostic("docs/page.md", 3, 17, "unknown citation key 'bad<key>'")])
    assert "<code>docs/page.md:3:17: error: unknown citation key 'bad&lt;key&gt;'</code>" in html
    assert "<pre>See &lt;b&gt;this&lt;/b&gt; [@bad&lt;key&gt;].\n                ^</pre>" in html
    assert "<title>The site cannot build: 1 error</title>" in html and "var g=7;" in html


def test_the_generators_copy_leaves_out_builds_caches_and_tests_but_the_anchor_manifest(tmp_path):
    from mdcite.mirror import Mirror

    root = tmp_path / "project"
    for name in ("mkdocs.yml", "docs/index.md", "site/index.html", ".cache/x", "tests/anchors.json",
                 "tests/test_x.py", "docs/.index.md.swp", "site.tmp-1/a"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(name)
    copy = Mirror(root, tmp_path / "copy")
    assert sorted(copy.sync()) == ["docs/index.md", "mkdocs.yml", "tests/anchors.json"]
    assert copy.sync() == []  # nothing changed: nothing written, nothing for the generator to rebuild
    (root / "docs" / "index.md").write_text("edited")
    (root / "mkdocs.yml").unlink()
    assert copy.sync() == ["docs/index.md", "mkdocs.yml"]
    assert (tmp_path / "copy" / "docs" / "index.md").read_text() == "edited"
    assert not (tmp_path / "copy" / "mkdocs.yml").exists()
