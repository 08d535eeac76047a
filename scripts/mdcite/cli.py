"""Command line: ``mdcite check``, ``build``, ``serve``, ``export`` and ``anchors``.

``check`` is the one authority on what is wrong; ``build`` and ``serve`` run exactly its rules
first (``lint.run``) and stop on any error, so the three commands never disagree.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from . import anchors, config, export, generator, lint
from . import index as index_module
from .errors import Diagnostic, SourceError


def load_index(root: Path, config_file: str = "mkdocs.yml") -> index_module.Index:
    settings = config.load(root, config_file)
    return index_module.build(root, settings["docs_dir"], settings["bibliography"],
                              bool(settings["directory_urls"]), int(settings["article_count"]))


def cited_dirs(args) -> tuple[str, ...]:
    given = tuple(p for p in args.cited if p) if getattr(args, "cited", None) else ()
    return given or lint.CITED_DIRS


def report(found: list[Diagnostic]) -> None:
    """Errors on stderr, warnings on stdout, each as ``path:line:col: level: message``."""
    for d in found:
        print(d, file=sys.stderr if d.level == "error" else sys.stdout)


def cmd_check(args) -> int:
    idx = load_index(Path(args.root), args.config)
    found = lint.run(idx, cited_dirs(args), args.config)
    report(found)
    print(lint.summary("mdcite check", idx, found))
    errors = any(d.level == "error" for d in found)
    return 1 if errors or (args.strict and found) else 0


def checked_index(args, command: str) -> tuple[index_module.Index | None, list[Diagnostic]]:
    """The index and its warnings when the sources pass `mdcite check`'s rules; (None, errors),
    the errors printed, when they do not."""
    idx = load_index(Path(args.root), args.config)
    found = lint.run(idx, cited_dirs(args), args.config)
    errors = [d for d in found if d.level == "error"]
    if not errors:
        return idx, found
    report(errors)
    print(f"{command}: {lint.plural(len(errors), 'error')}, as `mdcite check` reports them; fix them first",
          file=sys.stderr)
    return None, errors


def cmd_anchors(args) -> int:
    """Record today's anchors in the manifest (published anchors are never removed from it)."""
    root = Path(args.root)
    idx = load_index(root)
    problems = lint.anchor_problems(idx, root)
    for d in problems:
        print(d, file=sys.stderr)
    if problems:
        return 1
    anchors.write_manifest(idx, root)
    print(f"mdcite anchors: {sum(len(v) for v in anchors.current_anchors(idx).values())} anchors recorded "
          f"in {anchors.MANIFEST_FILE}")
    return 0


def write_redirects(idx: index_module.Index, site: Path) -> None:
    """A redirect page at each moved page's old address (load_moves keeps both inside docs/)."""
    for old, new in (idx.moves.pages if idx.moves else {}).items():
        old_url, new_url = anchors.page_url_of(old), anchors.page_url_of(new)
        target = site / old_url / "index.html" if old_url else site / "index.html"
        if not target.resolve().is_relative_to(site.resolve()):
            raise SourceError([Diagnostic(anchors.ALIASES_FILE, 1, 1, f"moved page '{old}' is not inside the site")])
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(anchors.redirect_html(old_url, new_url), encoding="utf-8")


def write_exports(idx: index_module.Index, target: Path) -> list[str]:
    """Write references.bib/.json/.ris for the site root; a file whose content is unchanged is
    left alone, so that a generator watching the folder does not rebuild for nothing."""
    if idx.bib is None:
        raise SourceError(idx.bib_errors.diagnostics)
    refs = idx.bib.sorted()
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in (("references.bib", export.bibtex(refs)), ("references.json", export.csl_json(refs)),
                       ("references.ris", export.ris(refs))):
        path = target / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written.append(name)
    return written


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
    why = generator.missing(args.generator)
    if why:
        print(f"mdcite build: {why}", file=sys.stderr)
        return 1
    idx, _ = checked_index(args, "mdcite build")
    if idx is None:
        print("mdcite build: site/ left unchanged", file=sys.stderr)
        return 1
    settings = config.load(root, args.config)
    write_exports(idx, root / settings["docs_dir"])
    out = root / args.site_dir
    scratch = out.with_name(f"{out.name}.tmp-{os.getpid()}")  # beside site/, unique per build
    if args.generator == "zensical" and not scratch.resolve().is_relative_to(root.resolve()):
        scratch = root / scratch.name  # Zensical writes only inside the project
    shutil.rmtree(scratch, ignore_errors=True)
    try:  # whatever stops the build (an error, Ctrl-C), no scratch folder stays behind
        with generator.build_command(args.generator, root, args.config, scratch) as command:
            done = subprocess.run(command, cwd=root, env=os.environ.copy())
        if done.returncode != 0 or not scratch.is_dir():
            print(f"mdcite build: the {args.generator} build failed; site/ left unchanged", file=sys.stderr)
            return done.returncode or 1
        write_redirects(idx, scratch)
        shutil.rmtree(out, ignore_errors=True)
        shutil.move(scratch, out)
    except SourceError as exc:
        print(f"{exc}\nmdcite build: site/ left unchanged", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


def sources_signature(root: Path, config_file: str) -> tuple:
    """What the rules read: the pages, references.bib, the anchor moves, and mkdocs.yml (its nav)."""
    settings = config.load(root, config_file)
    conf = root / config_file
    return (index_module.signature(root, root / settings["docs_dir"], root / settings["bibliography"]),
            conf.stat().st_mtime_ns if conf.exists() else None)


def refresh(args, seen: tuple) -> tuple:
    """After a source changed while serving: the same rules again, and fresh exports.

    The generator rebuilds the pages itself; the downloads at the site root are files in docs/
    that only we write, and they are rewritten only when their content changes."""
    root = Path(args.root)
    docs = root / config.load(root, args.config)["docs_dir"]
    now = sources_signature(root, args.config)
    if now == seen:
        return seen
    idx = load_index(root, args.config)
    found = lint.run(idx, cited_dirs(args), args.config)
    report(found)
    print(lint.summary("mdcite serve", idx, found), flush=True)
    if idx.bib is not None:
        written = write_exports(idx, docs)
        if written:
            print(f"mdcite serve: refreshed {', '.join(written)}", flush=True)
    return now


def stop(signum, frame) -> None:
    raise KeyboardInterrupt


def cmd_serve(args) -> int:
    """Check and export as `mdcite build` does, then run the generator's server; while it runs,
    re-check and re-export whenever a page or references.bib changes."""
    root = Path(args.root)
    why = generator.missing(args.generator)
    if why:
        print(f"mdcite serve: {why}", file=sys.stderr)
        return 1
    idx, warnings = checked_index(args, "mdcite serve")
    if idx is None:
        return 1
    report(warnings)
    print(lint.summary("mdcite serve", idx, warnings), flush=True)
    settings = config.load(root, args.config)
    docs = root / settings["docs_dir"]
    write_exports(idx, docs)
    seen = sources_signature(root, args.config)
    server = subprocess.Popen(generator.serve_command(args.generator, args.config, args.dev_addr), cwd=root)
    signal.signal(signal.SIGTERM, stop)  # so that the server is stopped with us, not orphaned
    try:
        while server.poll() is None:
            time.sleep(args.interval)
            seen = refresh(args, seen)
    except KeyboardInterrupt:
        pass
    finally:
        if server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
    return server.returncode if server.returncode and server.returncode > 0 else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mdcite", description=__doc__)
    parser.add_argument("--root", default=".", help="project root (where mkdocs.yml is)")
    rules = argparse.ArgumentParser(add_help=False)  # what check, build and serve share
    rules.add_argument("--cited", nargs="*", help="page folders whose paragraphs need citations "
                       f"(default: {' '.join(lint.CITED_DIRS)})")
    rules.add_argument("--config", default="mkdocs.yml", help="the configuration file, in the project root")
    site = argparse.ArgumentParser(add_help=False)
    site.add_argument("--generator", choices=generator.GENERATORS, default="mkdocs",
                      help="MkDocs (default) or Zensical")
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", parents=[rules], help="report problems as path:line:col: level: message")
    check.add_argument("--strict", action="store_true", help="fail on warnings too")
    check.set_defaults(func=cmd_check)
    exp = sub.add_parser("export", help="write references.bib/.json/.ris for the site root")
    exp.add_argument("--dir", default="docs")
    exp.set_defaults(func=cmd_export)
    anc = sub.add_parser("anchors", help="record the site's anchors in tests/anchors.json")
    anc.set_defaults(func=cmd_anchors)
    build = sub.add_parser("build", parents=[rules, site], help="check, export and build the site into site/")
    build.add_argument("--site-dir", default="site")
    build.set_defaults(func=cmd_build)
    serve = sub.add_parser("serve", parents=[rules, site], help="check, export and serve; re-export on change")
    serve.add_argument("--dev-addr", default="127.0.0.1:8000", help="address to serve at")
    serve.add_argument("--interval", type=float, default=1.0, help="seconds between looks for changes")
    serve.set_defaults(func=cmd_serve)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
