"""Which indented lines Python-Markdown reads as code, asked of Python-Markdown itself.

Whether an indented line is an indented code block depends on the block structure around it:
after a blank line at the top of a page it is code, as a list item's continuation at 4 spaces it
is prose and at 8 spaces code, inside a blockquote (``>     code``) or a definition it is code,
right after a heading it is code though no blank line comes between. Rather than copy those
rules (and miss one), the reader asks the block parser of Python-Markdown, with the extensions
the site enables, about the lines where the answer matters: the indented lines that hold an
``@``, the one character every citation and cross-reference needs. Each of their ``@`` is
replaced by a mark that no page holds (the block parser gives ``@`` no meaning, so the structure
is the same), and a line is code when its mark lands in a ``<pre><code>`` of the parsed tree.
"""

from __future__ import annotations

import functools
import importlib
import re

import markdown

# The extensions MkDocs always enables, before those of the configuration (Zensical does the same).
GENERATOR_DEFAULTS = ("toc", "tables", "fenced_code")
# Never loaded to read block structure: ours (it would read the index it is helping to build), and
# snippets, which reads other files (the lines it adds hold no line of the page). Nor is an
# extension of ours (one that offers label_kinds, see labelkinds): it needs ours loaded.
SKIPPED = ("mdcite", "pymdownx.snippets")
LEAD_RE = re.compile(r"[ \t>]*")
# One mark per '@' asked about: characters of the Supplementary Private Use Area-A, which no text
# of ours holds and which Python-Markdown passes through untouched.
FIRST_MARK, LAST_MARK = 0xF0000, 0xFFFFD
MARK_RE = re.compile("[\U000f0000-\U000ffffd]")


def extensions_of(data: dict) -> tuple[str, ...]:
    """The Python-Markdown extensions a build of the site runs, by name, that shape its blocks:
    the generator's defaults, then those of the configuration (``data``, as ``config.read`` gives
    it; their options are left out: none of the options of a block extension the site uses
    changes what is code)."""
    names = list(GENERATOR_DEFAULTS)
    for item in data.get("markdown_extensions") or []:
        name = next(iter(item), "") if isinstance(item, dict) else str(item)
        if name and not name.startswith(SKIPPED) and name not in names and not extends_ours(name):
            names.append(name)
    return tuple(names)


def extends_ours(name: str) -> bool:
    """Whether the extension of that name extends the engine (its module offers ``label_kinds``)."""
    if "." not in name or name.startswith(("markdown.", "pymdownx.")):
        return False
    try:
        return callable(getattr(importlib.import_module(name), "label_kinds", None))
    except ImportError:
        return False


def asked(lines: list[str]) -> list[int]:
    """The lines (0-based) whose answer matters: an '@' on a line indented by 4 columns or more
    once any '>' of a blockquote is set aside (more than Python-Markdown can read as code: it
    decides)."""
    found = []
    for n, line in enumerate(lines):
        # (line[0] first: most lines with an '@' are prose at the margin, which no rule here needs)
        if "@" in line and line[0] in " \t>" and len(LEAD_RE.match(line).group(0).replace(">", "").expandtabs(4)) >= 4:
            found.append(n)
    return found


def indented_code(lines: list[str], extensions: tuple[str, ...] = GENERATOR_DEFAULTS) -> dict[int, bool]:
    """Python-Markdown's answer for each line that ``asked`` picks: whether it lies in an indented
    code block ({} when there is no such line, the case of most pages: no parse then)."""
    rows = asked(lines)
    if not rows:
        return {}
    return dict(_answers(tuple(lines), tuple(rows), extensions))


@functools.lru_cache(maxsize=256)
def _answers(lines: tuple[str, ...], rows: tuple[int, ...], extensions: tuple[str, ...]) -> tuple[tuple[int, bool], ...]:
    text = "\n".join(lines)
    if MARK_RE.search(text):  # a page that holds a mark already: nothing can be told apart
        return ()
    marked = list(lines)
    owner: dict[str, int] = {}
    for n in rows:
        pieces = marked[n].split("@")
        line = pieces[0]
        for piece in pieces[1:]:
            if FIRST_MARK + len(owner) > LAST_MARK:
                return ()
            mark = chr(FIRST_MARK + len(owner))
            owner[mark] = n
            line += mark + piece
        marked[n] = line
    md = _parser(extensions)
    md.reset()
    blocks = marked
    for step in md.preprocessors:
        blocks = step.run(blocks)
    root = md.parser.parseDocument(blocks).getroot()
    code = {owner[m] for pre in root.iter("pre") for el in pre.iter("code")
            for m in MARK_RE.findall(el.text or "") if m in owner}
    return tuple((n, n in code) for n in rows)


@functools.lru_cache(maxsize=8)
def _parser(extensions: tuple[str, ...]) -> markdown.Markdown:
    """A Markdown object with the extensions that load here (one that does not is left out: the
    build itself reports it)."""
    loaded = []
    for name in extensions:
        try:
            markdown.Markdown(extensions=[name])
        except (ImportError, AttributeError):
            continue
        loaded.append(name)
    return markdown.Markdown(extensions=loaded)
