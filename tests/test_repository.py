"""The repository around the site: CI workflows, licenses, pre-commit hooks and the contributor
guide. These files are read by GitHub and by people, never by the build, so nothing else would
notice if they drifted from the engine and the Makefile."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from mdcite.bibliography import REQUIRED

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
TEST_WORKFLOW = WORKFLOWS / "test.yml"
PUBLISH_WORKFLOW = WORKFLOWS / "publish.yml"
# An action pinned to an exact release (v4.2.2) or to a full commit SHA; never a branch or a
# moving major tag such as v4.
PINNED_USES_RE = re.compile(r"^[\w.-]+/[\w.-]+(?:/[\w./-]+)?@(?:v\d+\.\d+\.\d+|[0-9a-f]{40})$")
SHA_LINE_RE = re.compile(r"uses:\s*(?P<action>\S+@[0-9a-f]{40})\s*(?P<comment>#.*)?$")
FENCE_RE = re.compile(r"^```[^\n]*\n(?P<body>.*?)^```", re.MULTILINE | re.DOTALL)


class _AnyTagLoader(yaml.SafeLoader):
    """Reads mkdocs.yml, whose !ENV tags PyYAML does not know, keeping each tag's default."""


_AnyTagLoader.add_multi_constructor(
    "!", lambda loader, suffix, node: (
        loader.construct_sequence(node)[-1] if isinstance(node, yaml.SequenceNode)
        else loader.construct_scalar(node)
    )
)


def load_yaml(path: Path) -> dict:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_AnyTagLoader)


def triggers(workflow: dict) -> dict:
    """The workflow's `on:` block; YAML 1.1 reads the bare key `on` as the boolean True."""
    block = workflow.get("on", workflow.get(True))
    return block if isinstance(block, dict) else {name: None for name in block or []}


def steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def all_uses(workflow: dict) -> list[str]:
    found = [job["uses"] for job in workflow["jobs"].values() if "uses" in job]
    return found + [step["uses"] for step in steps(workflow) if "uses" in step]


def step_using(workflow: dict, action: str) -> dict:
    matching = [s for s in steps(workflow) if s.get("uses", "").split("@")[0] == action]
    assert len(matching) == 1, f"expected one step using {action}, found {len(matching)}"
    return matching[0]


def run_commands(workflow: dict) -> str:
    return "\n".join(step.get("run", "") for step in steps(workflow))


def section(markdown: str, heading: str) -> str:
    """The text under a Markdown heading, up to the next heading of any level."""
    start = markdown.index(heading + "\n") + len(heading) + 1
    following = re.search(r"^#{1,6} ", markdown[start:], re.MULTILINE)
    return markdown[start:start + following.start()] if following else markdown[start:]


def documented_required_fields() -> dict[str, list[tuple[str, ...]]]:
    """CONTRIBUTING.md's table of required fields, read the way the engine states them."""
    text = section((ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8"), "### Required fields")
    table: dict[str, list[tuple[str, ...]]] = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 3 or not cells[0].startswith("`@"):
            continue
        entry_type = cells[0].strip("`@")
        groups = [g for g in cells[-1].split(";") if g.strip()]
        table[entry_type] = [tuple(name.strip().strip("`") for name in g.split(" or ")) for g in groups]
    return table


def workflow_files() -> list[Path]:
    return sorted(WORKFLOWS.glob("*.yml")) + sorted(WORKFLOWS.glob("*.yaml"))


@pytest.mark.parametrize("path", workflow_files(), ids=lambda p: p.name)
def test_workflow_parses_as_yaml_with_triggers_and_jobs(path):
    workflow = load_yaml(path)
    assert triggers(workflow), f"{path.name} has no 'on:' triggers"
    assert workflow.get("jobs"), f"{path.name} has no jobs"


@pytest.mark.parametrize("path", workflow_files(), ids=lambda p: p.name)
def test_every_action_is_pinned_to_an_exact_release_or_a_full_commit(path):
    unpinned = [u for u in all_uses(load_yaml(path))
                if not u.startswith("./") and not PINNED_USES_RE.match(u)]
    assert unpinned == [], f"{path.name}: pin these to vN.N.N or a 40-hex commit SHA: {unpinned}"


@pytest.mark.parametrize("path", workflow_files(), ids=lambda p: p.name)
def test_every_commit_pin_names_its_release_in_a_comment(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    bare = [m.group("action") for line in lines if (m := SHA_LINE_RE.search(line.strip()))
            and not re.match(r"#\s*v\d+\.\d+\.\d+\b", m.group("comment") or "")]
    assert bare == [], f"{path.name}: add '# vN.N.N' after these SHAs so reviewers can read them: {bare}"


def test_test_workflow_runs_on_pull_requests_and_pushes_to_every_branch():
    on = triggers(load_yaml(TEST_WORKFLOW))
    assert "pull_request" in on
    assert on["push"] in (None, {}) or on["push"].get("branches") == ["**"]


def test_test_workflow_runs_the_same_entry_point_as_contributors():
    assert re.search(r"^bash \.ci/run$", run_commands(load_yaml(TEST_WORKFLOW)), re.MULTILINE)


def test_test_workflow_sets_up_python_3_11_and_chromium():
    workflow = load_yaml(TEST_WORKFLOW)
    assert step_using(workflow, "actions/setup-python")["with"]["python-version"] == "3.11"
    assert "apt-get install -y chromium" in run_commands(workflow)


def test_ci_entry_point_runs_make_test():
    lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()]
    assert "make test" in lines


def test_readme_gives_make_test_as_the_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [m.group("body").strip() for m in FENCE_RE.finditer(readme)]
    assert "make test" in blocks, "README.md needs a fenced block holding exactly `make test`"


def test_publish_workflow_runs_only_on_pushes_to_main_and_edition_tags():
    on = triggers(load_yaml(PUBLISH_WORKFLOW))
    assert on["push"]["branches"] == ["main"]
    assert on["push"]["tags"] == ["v*"]
    assert "pull_request" not in on


def test_publish_workflow_builds_with_make_publish_from_full_history_and_uploads_public():
    workflow = load_yaml(PUBLISH_WORKFLOW)
    assert re.search(r"^make publish$", run_commands(workflow), re.MULTILINE)
    assert step_using(workflow, "actions/checkout")["with"]["fetch-depth"] == 0
    assert step_using(workflow, "actions/upload-pages-artifact")["with"]["path"] == "public"
    step_using(workflow, "actions/configure-pages")
    step_using(workflow, "actions/deploy-pages")


def test_publish_workflow_may_deploy_pages_one_run_at_a_time():
    workflow = load_yaml(PUBLISH_WORKFLOW)
    assert workflow["permissions"]["pages"] == "write"
    assert workflow["permissions"]["id-token"] == "write"
    assert workflow["concurrency"]["group"] == "pages"


def test_publish_workflow_takes_site_and_repository_urls_from_the_repository():
    env = load_yaml(PUBLISH_WORKFLOW)["jobs"]["build"]["env"]
    assert env["SITE_URL"] == (
        "https://${{ github.repository_owner }}.github.io/${{ github.event.repository.name }}/"
    )
    assert env["REPO_URL"] == "${{ github.server_url }}/${{ github.repository }}"


def test_code_license_is_mit_with_the_editors_as_holders():
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License")
    assert "Copyright (c) 2026 The editors of the Russia–Iran Treaty Reference" in text


def test_content_license_points_to_the_cc_by_4_legal_code():
    text = (ROOT / "LICENSE-CONTENT").read_text(encoding="utf-8")
    assert "Creative Commons Attribution 4.0 International" in text
    assert "https://creativecommons.org/licenses/by/4.0/legalcode" in text


def test_readme_links_both_license_files():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "](LICENSE)" in readme
    assert "](LICENSE-CONTENT)" in readme


def test_site_footer_states_both_licenses():
    copyright_notice = load_yaml(ROOT / "mkdocs.yml")["copyright"]
    assert "CC BY 4.0" in copyright_notice
    assert "MIT" in copyright_notice


def test_pre_commit_runs_mdcite_check_when_pages_or_bibliography_change():
    hooks = [h for r in load_yaml(ROOT / ".pre-commit-config.yaml")["repos"] if r["repo"] == "local"
             for h in r["hooks"]]
    (hook,) = [h for h in hooks if h["entry"] == ".venv/bin/mdcite check"]
    assert hook["language"] == "system"
    assert hook["pass_filenames"] is False
    files = re.compile(hook["files"])
    assert files.search("docs/themes/energy.md") and files.search("references.bib")
    assert files.search("evidence/treaty/articles.yml")
    assert not files.search("scripts/mdcite/cli.py")


def test_pre_commit_ruff_hook_uses_the_ruff_version_pinned_in_pyproject():
    pinned = re.search(r'"ruff==([\d.]+)"', (ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (ruff,) = [r for r in load_yaml(ROOT / ".pre-commit-config.yaml")["repos"]
               if r["repo"] == "https://github.com/astral-sh/ruff-pre-commit"]
    assert ruff["rev"] == f"v{pinned.group(1)}"
    assert [h["id"] for h in ruff["hooks"]] == ["ruff-check"]


def test_contributing_lists_exactly_the_required_fields_the_engine_enforces():
    enforced = {kind: [g if isinstance(g, tuple) else (g,) for g in groups]
                for kind, groups in REQUIRED.items()}
    assert documented_required_fields() == enforced


def test_contributing_names_only_make_targets_that_exist():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    defined = set(re.findall(r"^([\w-]+):", makefile, re.MULTILINE))
    named = set(re.findall(r"`make (\w[\w-]*)`", (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")))
    assert named and named <= defined, f"CONTRIBUTING.md names missing targets: {named - defined}"


def test_factual_error_form_requires_page_claim_problem_and_source():
    form = load_yaml(ROOT / ".github" / "ISSUE_TEMPLATE" / "factual-error.yml")
    required = {item["id"] for item in form["body"]
                if item.get("id") and item.get("validations", {}).get("required")}
    assert {"page", "claim", "problem", "source"} <= required


def test_pull_request_checklist_asks_for_both_make_commands_and_anchor_aliases():
    template = (ROOT / ".github" / "PULL_REQUEST_TEMPLATE.md").read_text(encoding="utf-8")
    boxes = [line for line in template.splitlines() if line.startswith("- [ ]")]
    for needle in ("`make check`", "`make test`", "anchor-aliases.yml"):
        assert any(needle in box for box in boxes), f"no checklist item mentions {needle}"
