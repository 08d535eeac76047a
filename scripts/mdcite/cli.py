"""Command line: ``mdcite check``, ``mdcite export`` and ``mdcite build``."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from . import anchors, config, export, lint
from . import index as index_module
from .errors import SourceError

ANALYSIS_PAGES = ("themes/", "context/")


def load_index(root: Path) -> index_module.Index:
    settings = config.load(root)
    return index_module.build(root, settings["docs_dir"], settings["bibliography"],
                              bool(settings["directory_urls"]), int(settings["article_count"]))


def cmd_check(args) -> int:
    idx = load_index(Path(args.root))
    found = lint.run(idx, tuple(p for p in args.cited if p) if args.cited else ANALYSIS_PAGES)
    found.extend(anchor_problems(idx, Path(args.root)))
    found.extend(config.problems(Path(args.root)))
    found.sort(key=lambda d: (d.path, d.line, d.col))
    for d in found:
        print(d, file=sys.stderr if d.level == "error" else sys.stdout)
    errors = sum(d.level == "error" for d in found)
    warnings = len(found) - errors
    print(f"mdcite check: {len(idx.pages)} pages, "
          f"{len(idx.bib.references) if idx.bib else 0} entries, {errors} errors, {warnings} warnings")
    return 1 if errors or (args.strict and warnings) else 0


def anchor_problems(idx: index_module.Index, root: Path) -> list:
    path = root / anchors.MANIFEST_FILE
    if not path.exists():
        return []
    manifest = json.loads(path.read_text(encoding="utf-8"))
    return anchors.check(idx, manifest, idx.moves or anchors.Moves())


def cmd_anchors(args) -> int:
    """Record today's anchors in the manifest (published anchors are never removed from it)."""
    root = Path(args.root)
    idx = load_index(root)
    problems = anchor_problems(idx, root)
    for d in problems:
        print(d, file=sys.stderr)
    if problems:
        return 1
    anchors.write_manifest(idx, root)
    print(f"mdcite anchors: {sum(len(v) for v in anchors.current_anchors(idx).values())} anchors recorded "
          f"in {anchors.MANIFEST_FILE}")
    return 0


def write_redirects(idx: index_module.Index, site: Path) -> None:
    for old, new in (idx.moves.pages if idx.moves else {}).items():
        old_url, new_url = anchors.page_url_of(old), anchors.page_url_of(new)
        target = site / old_url / "index.html" if old_url else site / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(anchors.redirect_html(old_url, new_url), encoding="utf-8")


def write_exports(idx: index_module.Index, target: Path) -> None:
    if idx.bib is None:
        raise SourceError(idx.bib_errors.diagnostics)
    refs = idx.bib.sorted()
    target.mkdir(parents=True, exist_ok=True)
    (target / "references.bib").write_text(export.bibtex(refs), encoding="utf-8")
    (target / "references.json").write_text(export.csl_json(refs), encoding="utf-8")
    (target / "references.ris").write_text(export.ris(refs), encoding="utf-8")


def cmd_export(args) -> int:
    idx = load_index(Path(args.root))
    try:
        write_exports(idx, Path(args.dir))
    except SourceError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


def cmd_build(args) -> int:
    """Check, then build into a scratch folder; site/ is replaced only by a good build."""
    root = Path(args.root)
    idx = load_index(root)
    problems = [d for d in idx.all_diagnostics() + anchor_problems(idx, root) if d.level == "error"]
    if problems:
        for d in problems:
            print(d, file=sys.stderr)
        print(f"mdcite build: {len(problems)} errors; site/ left unchanged", file=sys.stderr)
        return 1
    settings = config.load(root)
    write_exports(idx, root / settings["docs_dir"])
    out = root / args.site_dir
    scratch = out.with_name(f"{out.name}.tmp-{os.getpid()}")  # beside site/, unique per build
    shutil.rmtree(scratch, ignore_errors=True)
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(scratch)]
    if args.config:
        command += ["--config-file", args.config]
    done = subprocess.run(command, cwd=root, env=os.environ.copy())
    if done.returncode != 0:
        shutil.rmtree(scratch, ignore_errors=True)
        print("mdcite build: the build failed; site/ left unchanged", file=sys.stderr)
        return done.returncode
    write_redirects(idx, scratch)
    shutil.rmtree(out, ignore_errors=True)
    scratch.rename(out)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mdcite", description=__doc__)
    parser.add_argument("--root", default=".", help="project root (where mkdocs.yml is)")
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="report problems as path:line:col: level: message")
    check.add_argument("--strict", action="store_true", help="fail on warnings too")
    check.add_argument("--cited", nargs="*", help="page folders whose paragraphs need citations")
    check.set_defaults(func=cmd_check)
    exp = sub.add_parser("export", help="write references.bib/.json/.ris for the site root")
    exp.add_argument("--dir", default="docs")
    exp.set_defaults(func=cmd_export)
    anc = sub.add_parser("anchors", help="record the site's anchors in tests/anchors.json")
    anc.set_defaults(func=cmd_anchors)
    build = sub.add_parser("build", help="check, export and build the site into site/")
    build.add_argument("--site-dir", default="site")
    build.add_argument("--config", default="")
    build.set_defaults(func=cmd_build)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
