"""Command line: ``mdcite check``, ``build``, ``serve``, ``export`` and ``anchors``.

``check`` is the one authority on what is wrong; ``build`` and ``serve`` run exactly its rules
first (``lint.run``) and stop on any error, so the three commands never disagree.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from . import anchors, config, evidence, export, front, generator, lint, mirror
from . import index as index_module
from .errors import Diagnostic, SourceError


def load_index(root: Path, config_file: str = "mkdocs.yml") -> index_module.Index:
    settings = config.load(root, config_file)
    return index_module.build(root, settings["docs_dir"], settings["bibliography"],
                              bool(settings["directory_urls"]), config.label_kinds(root, config_file),
                              settings["evidence"], config_file)


def cited_dirs(args) -> tuple[str, ...]:
    given = tuple(p for p in args.cited if p) if getattr(args, "cited", None) else ()
    return given or lint.CITED_DIRS


def report(found: list[Diagnostic]) -> None:
    """Errors (and the notes that explain them) on stderr, warnings on stdout, each as
    ``path:line:col: level: message``."""
    for d in found:
        print(d, file=sys.stderr if d.level in ("error", "note") else sys.stdout)


def cmd_check(args) -> int:
    idx = load_index(Path(args.root), args.config)
    found = lint.run(idx, cited_dirs(args), args.config)
    report(found)
    print(lint.summary("mdcite check", idx, found))
    pages = evidence.coverage(idx)
    print(coverage_line(pages))
    if args.evidence:
        print(coverage_table(pages))
    status = 0
    for wanted in args.evidence_missing or ():
        folder = str(config.load(Path(args.root), args.config)["evidence"]).rstrip("/")
        listing = missing_listing(idx, pages, wanted, folder)
        print(listing[1], file=sys.stdout if listing[0] else sys.stderr)
        status = status or (0 if listing[0] else 2)
    errors = any(d.level == "error" for d in found)
    return 1 if errors or (args.strict and any(d.level == "warning" for d in found)) else status


def coverage_line(pages: list[evidence.PageCoverage]) -> str:
    """"evidence: 12 of 340 (section, work) pairs carry a passage (4%)": one line by default."""
    total, covered = sum(p.pairs for p in pages), sum(p.covered for p in pages)
    return (f"evidence: {covered} of {lint.plural(total, '(section, work) pair')} carry a passage "
            f"({evidence.percent(covered, total)}); --evidence shows each page")


def coverage_table(pages: list[evidence.PageCoverage]) -> str:
    """Page by page, then the total: the figures the built pages' passages agree with."""
    width = max([len(p.shown) for p in pages] + [len("total")])
    rows = [f"{'page':<{width}}  {'pairs':>5}  {'quoted':>6}  {'share':>5}"]
    for p in pages:
        rows.append(f"{p.shown:<{width}}  {p.pairs:>5}  {p.covered:>6}  {evidence.percent(p.covered, p.pairs):>5}")
    total, covered = sum(p.pairs for p in pages), sum(p.covered for p in pages)
    rows.append(f"{'total':<{width}}  {total:>5}  {covered:>6}  {evidence.percent(covered, total):>5}")
    return "\n".join(rows)


def missing_listing(idx: index_module.Index, pages: list[evidence.PageCoverage], wanted: str,
                    folder: str = evidence.EVIDENCE_DIR) -> tuple[bool, str]:
    """(found, text): the (section, work) pairs of one page still without a passage, each with the
    line of its first citation, so that an editor can work down the list."""
    by_name = {p.shown: p for p in pages} | {p.src: p for p in pages}
    page = by_name.get(wanted) or by_name.get(wanted.removeprefix("./"))
    if page is None:
        known = idx.pages.get(wanted) or next((p for p in idx.pages.values() if p.shown == wanted), None)
        if known is None:
            names = [p.shown for p in idx.pages.values()]
            return False, f"mdcite check: no page '{wanted}'{evidence.near(wanted, names)}"
        return True, f"{known.shown}: cites no work, so it needs no passage"
    head = (f"{page.shown}: {len(page.missing)} of {lint.plural(page.pairs, '(section, work) pair')} "
            f"without a passage (write them in {evidence.file_of(page.src, folder)})")
    if not page.missing:
        return True, head
    width = max([len(use.section.id or evidence.TOP) for use in page.missing] + [len("section")])
    rows = [head, f"{'line':>5}  {'section':<{width}}  key"]
    rows += [f"{use.line:>5}  {use.section.id or evidence.TOP:<{width}}  {use.key}" for use in page.missing]
    return True, "\n".join(rows)


def checked_index(args, command: str) -> tuple[index_module.Index | None, list[Diagnostic]]:
    """The index and its warnings when the sources pass `mdcite check`'s rules; (None, errors),
    the errors printed, when they do not."""
    idx = load_index(Path(args.root), args.config)
    found = lint.run(idx, cited_dirs(args), args.config)
    errors = [d for d in found if d.level == "error"]
    if not errors:
        return idx, found
    report([d for d in found if d.level != "warning"])
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
    if idx.bib is None or idx.bib_errors:
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


# The downloads that write_exports puts in docs/.
EXPORT_NAMES = ("references.bib", "references.json", "references.ris")


def watched(root: Path, docs: Path) -> dict[str, tuple[int, int]]:
    """What a save can change: every file of the project the site is built from, but for the
    downloads in docs/, which only the serve loop writes."""
    ours = {(docs / name).resolve().relative_to(root.resolve()).as_posix() for name in EXPORT_NAMES}
    return {path: stamp for path, stamp in mirror.files(root).items() if path not in ours}


def recheck(args, copy: mirror.Mirror, state: front.State, checked: dict) -> None:
    """After a save: the same rules as `mdcite check`. Sources that pass, with fresh downloads,
    go to the generator's copy in one step (one rebuild); sources that fail stay out of it, and
    the front shows their errors, each printed here once. ``checked`` is what the project held
    when the check began: a save during the check is not copied unchecked (the next look at the
    project sees it and checks again)."""
    root = Path(args.root)
    idx = load_index(root, args.config)
    found = lint.run(idx, cited_dirs(args), args.config)
    errors = [d for d in found if d.level == "error"]
    report(found)
    print(lint.summary("mdcite serve", idx, found), flush=True)
    if errors:
        state.update([d for d in found if d.level != "warning"])
        print("mdcite serve: the browser shows these errors; the last good build is served until they "
              "are fixed", file=sys.stderr, flush=True)
        return
    docs = root / config.load(root, args.config)["docs_dir"]
    if watched(root, docs) != checked:
        return
    written = write_exports(idx, docs)
    if written:
        print(f"mdcite serve: refreshed {', '.join(written)}", flush=True)
    copy.sync()
    state.update([])


def stop(signum, frame) -> None:
    raise KeyboardInterrupt


def split_address(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    return host or "127.0.0.1", int(port)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


# What MkDocs says when a rebuild starts, fails (it then holds every request) and succeeds.
REBUILD_STARTS, REBUILD_FAILED, REBUILD_DONE = ("Building documentation", "An error happened during the rebuild",
                                                "Reloading browsers")


def relay(stream, private: str, public: str, state: front.State) -> None:
    """The generator's output, with its private address replaced by the one the writer opens;
    a failed rebuild of sources that passed the checks is shown in the browser too."""
    said: list[str] = []
    for line in stream:
        line = line.replace(private, public)
        sys.stdout.write(line)
        sys.stdout.flush()
        if REBUILD_STARTS in line:
            said = []
        elif REBUILD_FAILED in line:
            state.generator_failed(said)
        elif REBUILD_DONE in line:
            state.generator_built()
        elif line.strip() and not line.startswith("INFO"):
            said.append(line.rstrip())


def cmd_serve(args) -> int:
    """Check and export as `mdcite build` does, then serve: the generator's server builds a copy of
    the project that follows every save that passes the checks, behind a front (front.py) that
    answers with the errors while a save does not."""
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
    docs = root / config.load(root, args.config)["docs_dir"]
    write_exports(idx, docs)
    public = split_address(args.dev_addr)
    private = ("127.0.0.1", free_port())
    state = front.State(root.resolve())
    scratch = Path(tempfile.mkdtemp(prefix="mdcite-serve-"))
    copy = mirror.Mirror(root, scratch / "project")
    server = web = None
    signal.signal(signal.SIGTERM, stop)  # so that the server is stopped with us, not orphaned
    try:
        copy.create()
        seen = watched(root, docs)
        try:
            web = front.start(public, private, state)
        except OSError as exc:
            print(f"mdcite serve: cannot serve on {args.dev_addr}: {exc.strerror or exc}; is another server "
                  "using it? Choose another address with HOST=127.0.0.1:8001 (make) or --dev-addr", file=sys.stderr)
            return 1
        print(f"mdcite serve: serving on http://{args.dev_addr}/ (errors show in the browser too)", flush=True)
        # GIT_OPTIONAL_LOCKS=0: a build asking git about the copy never rewrites the project's index.
        env = os.environ | {"GIT_OPTIONAL_LOCKS": "0"}
        private_addr = f"{private[0]}:{private[1]}"
        server = subprocess.Popen(generator.serve_command(args.generator, args.config, private_addr),
                                  cwd=copy.target, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  text=True, bufsize=1)
        threading.Thread(target=relay, args=(server.stdout, private_addr, args.dev_addr, state), daemon=True).start()
        while server.poll() is None:
            time.sleep(args.interval)
            now = watched(root, docs)
            if now != seen:
                seen = now
                recheck(args, copy, state, now)
    except KeyboardInterrupt:
        pass
    finally:
        for name in (signal.SIGINT, signal.SIGTERM):  # a second Ctrl-C must not skip the clean-up
            signal.signal(name, signal.SIG_IGN)
        if server is not None and server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
        if web is not None:
            web.shutdown()
            web.server_close()
        shutil.rmtree(scratch, ignore_errors=True)
    return server.returncode if server is not None and server.returncode and server.returncode > 0 else 0


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
    check.add_argument("--evidence", action="store_true",
                       help="show, page by page, the share of (section, work) pairs that carry a passage")
    check.add_argument("--evidence-missing", metavar="PAGE", action="append",
                       help="list the (section, work) pairs of a page (docs/….md) still without a passage")
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
