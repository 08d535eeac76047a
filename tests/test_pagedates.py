"""Each page's date from git (scripts/mdcite/pagedates.py): the last commit that changed a file,
the build's date for what git cannot date, and one warning for a shallow clone."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import pytest

from mdcite import pagedates


def git(repo: Path, *args: str, day: str = "") -> None:
    env = os.environ | ({"GIT_AUTHOR_DATE": f"{day}T10:00:00+00:00", "GIT_COMMITTER_DATE": f"{day}T10:00:00+00:00"}
                        if day else {})
    subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", *args],
                   cwd=repo, check=True, capture_output=True, env=env)


@pytest.fixture
def repo(tmp_path) -> Path:
    """docs/a.md and docs/b.md committed on 20 November 2026, a.md changed on 2 December."""
    root = tmp_path / "repo"
    (root / "docs").mkdir(parents=True)
    git(root, "init", "--quiet", "--initial-branch=main")
    for name in ("a.md", "b.md"):
        (root / "docs" / name).write_text(f"# {name}\n", encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "--quiet", "-m", "one", day="2026-11-20")
    (root / "docs" / "a.md").write_text("# a, changed\n", encoding="utf-8")
    git(root, "commit", "--quiet", "-am", "two", day="2026-12-02")
    return root


def test_each_file_is_dated_by_the_last_commit_that_changed_it(repo):
    dates = pagedates.read(repo, ["docs"])
    assert dates.date_of(["docs/a.md"]) == dt.date(2026, 12, 2)
    assert dates.date_of(["docs/b.md"]) == dt.date(2026, 11, 20)
    assert dates.date_of(["docs/b.md", "docs/a.md"]) == dt.date(2026, 12, 2)  # the newest of its files


def test_a_project_in_a_folder_of_the_repository_reads_its_own_paths(repo):
    project = repo / "site-project"
    (project / "docs").mkdir(parents=True)
    (project / "docs" / "c.md").write_text("# c\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "-m", "three", day="2026-12-03")
    assert pagedates.read(project, ["docs"]).date_of(["docs/c.md"]) == dt.date(2026, 12, 3)


def test_modified_and_untracked_files_are_dated_by_the_build(repo, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(dt.datetime(2026, 12, 24, tzinfo=dt.UTC).timestamp())))
    (repo / "docs" / "b.md").write_text("# b, not committed\n", encoding="utf-8")
    (repo / "docs" / "new.md").write_text("# new\n", encoding="utf-8")
    dates = pagedates.read(repo, ["docs"])
    assert dates.date_of(["docs/b.md"]) == dt.date(2026, 12, 24)
    assert dates.date_of(["docs/new.md"]) == dt.date(2026, 12, 24)
    assert dates.date_of(["docs/a.md"]) == dt.date(2026, 12, 2)


def test_a_folder_that_is_no_repository_is_dated_by_the_build(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(dt.datetime(2026, 12, 24, tzinfo=dt.UTC).timestamp())))
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    dates = pagedates.read(tmp_path, ["docs"])
    assert dates.reason == "not a git repository"
    assert dates.date_of(["docs/a.md"]) == dt.date(2026, 12, 24)


def test_without_git_every_page_is_dated_by_the_build(repo, monkeypatch):
    monkeypatch.setenv("PATH", str(repo / "no-such-folder"))
    dates = pagedates.read(repo, ["docs"])
    assert dates.reason == "git is not installed"
    assert dates.date_of(["docs/a.md"]) == pagedates.build_date()


def test_a_shallow_clone_says_so_once_and_uses_the_build_date(repo, tmp_path, capsys):
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", "--depth", "1", f"file://{repo}", str(clone)], check=True,
                   capture_output=True)
    first, second = pagedates.read(clone, ["docs"]), pagedates.read(clone, ["docs"])
    assert first.reason == second.reason == "shallow clone"
    assert first.date_of(["docs/b.md"]) == pagedates.build_date()
    assert capsys.readouterr().err.splitlines() == [pagedates.SHALLOW_WARNING]


def test_a_reading_started_in_a_thread_gives_what_read_gives(repo):
    reading = pagedates.Reading(repo, ["docs"])
    assert reading.result() == pagedates.read(repo, ["docs"])


def test_a_reading_raises_in_the_caller_what_read_raised(repo, monkeypatch):
    def broken(root, paths):
        raise KeyError("a bug in read")

    monkeypatch.setattr(pagedates, "read", broken)
    with pytest.raises(KeyError):
        pagedates.Reading(repo, ["docs"]).result()


def test_a_build_index_starts_reading_the_dates_when_it_is_built(repo):
    from mdcite import index

    (repo / "references.bib").write_text("", encoding="utf-8")
    idx = index.get(repo, recheck=True)
    assert idx.dates is None and idx.dates_reading is not None
    page = idx.pages["a.md"]
    assert idx.page_date(page) == dt.date(2026, 12, 2)


def test_a_check_index_runs_no_git_until_a_date_is_asked_for(repo):
    from mdcite import index

    (repo / "references.bib").write_text("", encoding="utf-8")
    idx = index.build(repo)
    assert idx.dates is None and idx.dates_reading is None
    assert idx.page_date(idx.pages["a.md"]) == dt.date(2026, 12, 2)
