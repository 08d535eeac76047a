"""``python bench/phases.py OUT.json mkdocs build …``: run one MkDocs build and record the CPU
time of its phases (Markdown conversion, Material's search plugin, template rendering).

The benchmark uses it to show where a way of building spends its time: the wall-clock table
says how much the engine costs, this says which step pays it. Each phase is timed around its
outermost call only, so a nested call is not counted twice.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

PHASES = ("markdown", "search", "templates")


class Timer:
    def __init__(self) -> None:
        self.seconds = dict.fromkeys(PHASES, 0.0)
        self.depth = dict.fromkeys(PHASES, 0)

    def wrap(self, owner, name: str, phase: str) -> None:
        original = getattr(owner, name)

        def timed(*args, **kwargs):
            self.depth[phase] += 1
            start = time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                self.depth[phase] -= 1
                if not self.depth[phase]:
                    self.seconds[phase] += time.process_time() - start

        setattr(owner, name, timed)


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print("usage: python bench/phases.py OUT.json mkdocs build [options]", file=sys.stderr)
        return 2
    out, command = Path(argv[0]), argv[1:]
    started = time.process_time()
    import jinja2
    import markdown

    timer = Timer()
    timer.wrap(markdown.Markdown, "convert", "markdown")
    timer.wrap(jinja2.Template, "render", "templates")
    try:
        from material.plugins.search.plugin import SearchPlugin
    except ImportError:  # pragma: no cover - Material is a dependency of the site
        pass
    else:
        timer.wrap(SearchPlugin, "on_page_context", "search")
        timer.wrap(SearchPlugin, "on_post_build", "search")
    from mkdocs.__main__ import cli

    code = 0
    try:
        cli.main(args=command[1:] if command[0] == "mkdocs" else command, prog_name="mkdocs",
                 standalone_mode=False)
    except SystemExit as exc:  # pragma: no cover - click exits on bad options
        code = exc.code if isinstance(exc.code, int) else 1
    except Exception as exc:  # a failed build: report it, record nothing
        print(f"build failed: {exc}", file=sys.stderr)
        return 1
    total = time.process_time() - started
    out.write_text(json.dumps(timer.seconds | {"total": total}), encoding="utf-8")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
