"""What a real Pandoc (from ``pypandoc-binary``) reads as citations, and what our reader reads,
in one comparable form: for each ``Cite`` element its works, each as (key, mode, prefix text,
suffix text). Shared by the conformance suite and the differential fuzzer, so that both judge
agreement the same way; many paragraphs go to one Pandoc run, since starting Pandoc is the cost."""

from __future__ import annotations

import json
import os
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pypandoc

from mdcite.syntax import LINK_DEFINITION_RE, read_lines

PANDOC = pypandoc.get_pandoc_path()
AFFIX_MARK = "Z"  # starts each affix's paragraph, so that no affix can open a block (a list, a heading)
# Between two inputs converted in one run: a rule, a block no input can make (each input starts
# with a word and no line of it is a rule).
SEPARATOR = "\n\n* * * * *\n\n"


def pandoc_blocks(markdown: str) -> list:
    done = subprocess.run([PANDOC, "-f", "markdown", "-t", "json"], input=markdown, capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout)["blocks"]


def stringify(node) -> str:
    """Pandoc's inlines as plain text (what ``pandoc.utils.stringify`` gives)."""
    if isinstance(node, list):
        return "".join(stringify(n) for n in node)
    if not isinstance(node, dict):
        return ""
    kind, content = node.get("t"), node.get("c")
    if kind == "Str":
        return content
    if kind in ("Space", "SoftBreak", "LineBreak"):
        return " "
    if kind in ("Code", "Math"):
        return content[1]
    if kind in ("RawInline", "Note"):
        return ""
    if kind == "Quoted":
        quote = "\u201c\u201d" if content[0]["t"] == "DoubleQuote" else "\u2018\u2019"
        return quote[0] + stringify(content[1]) + quote[1]
    if kind in ("Link", "Image", "Span"):
        return stringify(content[1])
    if kind == "Cite":
        return stringify(content[1])
    return stringify(content)


QUOTES = str.maketrans("\u201c\u201d\u2018\u2019", "\"\"''")


def normal(text: str) -> str:
    """Text compared as read: spacing evened out, and quotes straight (a prefix or suffix is
    converted out of its paragraph, where Pandoc cannot tell an opening quote from a closing one;
    how quotes curl on the page is tested on the rendered page)."""
    return " ".join(text.replace("\u00a0", " ").translate(QUOTES).split())


def cites_in(node, found: list) -> list:
    """Every Cite element in document order (notes included), each as its list of works."""
    if isinstance(node, list):
        for n in node:
            cites_in(n, found)
    elif isinstance(node, dict):
        if node.get("t") == "Cite":
            found.append(tuple((c["citationId"], c["citationMode"]["t"], normal(stringify(c["citationPrefix"])),
                                normal(stringify(c["citationSuffix"]))) for c in node["c"][0]))
            for c in node["c"][0]:
                cites_in(c["citationPrefix"], found)
                cites_in(c["citationSuffix"], found)
        else:
            cites_in(node.get("c"), found)
    return found


def our_cites(markdown: str):
    return read_lines(markdown.split("\n"))[1]


def pandoc_readings(documents: list[str], shared: str = "") -> list[list]:
    """Pandoc's citations in each document, sorted. Documents are converted together in one run,
    except those that define footnotes, links or numbered examples (Pandoc's definitions hold
    for the whole run, and ``@label`` after an example ``(@label)`` is no citation), which run
    one each. ``shared`` (link
    definitions that every document holds at its end) is given once, for the run together."""
    alone = [i for i, d in enumerate(documents) if "]:" in d.removesuffix(shared) or "(@" in d]
    together = [i for i in range(len(documents)) if i not in set(alone)]
    found: dict[int, list] = {}
    if together:
        text = SEPARATOR.join(documents[i].removesuffix(shared) for i in together) + shared
        parts = _split(pandoc_blocks(text), len(together))
        if parts is None:  # a document holds a rule of its own: one run each
            alone += together
        else:
            found.update(zip(together, parts, strict=True))
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        found.update(zip(alone, pool.map(pandoc_blocks, [documents[i] for i in alone]), strict=True))
    return [sorted(cites_in(found[i], [])) for i in range(len(documents))]


def _split(blocks: list, count: int) -> list[list] | None:
    """The blocks of one run, cut at the separating rules into the ``count`` inputs (None if the
    rules do not cut it into as many parts)."""
    parts: list[list] = [[]]
    for block in blocks:
        if block.get("t") == "HorizontalRule":
            parts.append([])
        else:
            parts[-1].append(block)
    return parts if len(parts) == count else None


def affix_texts(markdowns: list[str]) -> dict[str, str]:
    """Pandoc's text of every prefix and suffix our reader finds in the documents (one run), with
    the documents' link definitions after the last (a prefix may hold a link, "[see [link] @a]")."""
    definitions = "".join(sorted({"\n\n" + line for markdown in markdowns for line in markdown.split("\n")
                                  if (m := LINK_DEFINITION_RE.match(line)) and re.fullmatch(r"[\w ]+", m.group("label"))}))
    affixes = sorted({affix for markdown in markdowns for cite in our_cites(markdown) for item in cite.items
                      for affix in (item.prefix, item.suffix) if affix})
    if not affixes:
        return {}
    # Each with its line breaks, which Pandoc's emphasis tells from spaces ("_⏎_" is emphasis,
    # "_ _" is not); but an affix that is then no single paragraph (its last line, cut short
    # before the key, may open a block: "o⏎:" a definition) is read again on one line.
    parts = _affix_blocks([f"{AFFIX_MARK} {affix}" for affix in affixes], definitions)
    again = [i for i, part in enumerate(parts) if [block["t"] for block in part] != ["Para"]]
    if again:
        joined = [f"{AFFIX_MARK} {' '.join(affixes[i].splitlines())}" for i in again]
        for i, part in zip(again, _affix_blocks(joined, definitions), strict=True):
            parts[i] = part
    return {affix: normal(" ".join(stringify(block["c"]) for block in part))[len(AFFIX_MARK):].strip()
            for affix, part in zip(affixes, parts, strict=True)}


def _affix_blocks(marked: list[str], definitions: str) -> list[list]:
    """Pandoc's blocks of each marked affix, in one run (one run each if an affix holds a rule)."""
    return (_split(pandoc_blocks(SEPARATOR.join(marked) + definitions), len(marked))
            or [pandoc_blocks(m + definitions) for m in marked])


def ours(markdown: str, affix: dict) -> list:
    """Our reading in Pandoc's form (affixes as Pandoc's text of our prefix and suffix source)."""
    return sorted(tuple((item.key, item.mode, affix.get(item.prefix, ""), affix.get(item.suffix, ""))
                        for item in cite.items) for cite in our_cites(markdown))


def problems(markdown: str) -> list[str]:
    return [cite.problem for cite in our_cites(markdown) if cite.problem]
