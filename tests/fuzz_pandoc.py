"""Differential fuzzing of the citation reader against a real Pandoc.

Random paragraphs built from citation syntax (keys, brackets, ``-@``, locators, prefixes and
suffixes, emphasis, quotes, comments, links, code spans, line breaks) are read by Pandoc and by
``mdcite.syntax``; a paragraph that the two read differently, where our reader reports no
problem, is a silent difference. (A paragraph our reader refuses is a located error, one of
the deliberate differences in CONTRIBUTING.md.) Seeded, so a run is reproducible:

    .venv/bin/python -m tests.fuzz_pandoc --count 5000 --seed 7

prints each silent difference shrunk to a shortest form, ready to keep as a case in
``tests/data/pandoc_citations.yaml``; ``tests/test_pandoc_conformance.py`` runs a bounded number.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from dataclasses import dataclass

from tests.pandoc_reading import affix_texts, ours, pandoc_readings, problems

# Every input ends with this definition, so that "[link]" is a defined reference link (Pandoc's
# definitions hold for the whole run; ours are read per input) and "[undefined]" is not.
DEFINITIONS = "\n\n[link]: https://example.org/"

KEYS = ("@doe99", "@a", "@b", "@t3", "@smith04", "@key's", "@k{}", "@Foo_bar.baz", "@{x y}", "@sec-x",
        "@a.", "@", "@a_b", "@1")
WORDS = ("see", "As", "word", "says", "p. 4", "pp. 33-35", "chap. 2", "x", "and passim", "also", "§ 3",
         "33", "{pp. iv}", "ibid.", "e.g.")
MARKS = ("[", "]", "[", "]", "-", ";", ",", ".", "*", "_", "**", "__", '"', "'", "<!-- c -->", "`c`",
         "[link]", "[undefined]", "(https://example.org)", "{}", "{.x}", "\\", "!", "^", "(", ")", ":")
SPACES = (" ", " ", " ", "", "\n")

# A line that would start a block of its own (a list, with Pandoc's fancy and example markers
# such as "Z)", "iv." and "@a.", a quote, a heading, a rule, a table, code, a definition), which
# is not what this fuzzing is about: such inputs are drawn again.
BLOCK_LINE_RE = re.compile(r"^(?:\s{4}|\s*(?:[-+*>#:|~]|\(?(?:\d+|[A-Za-z]|[ivxlcdmIVXLCDM]+|#|@[\w-]*)[.)])(?:\s|$)"
                           r"|\s*\(@|\s*(?:[-*_=]\s*){3,}$|\s*\[[^\]]*\]:|\s*```)")


def fragment(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.3:
        return rng.choice(KEYS)
    if roll < 0.55:
        return rng.choice(WORDS)
    return rng.choice(MARKS)


def paragraph(rng: random.Random) -> str:
    """One random paragraph: a word, then 2 to 14 fragments with random spacing between them."""
    while True:
        parts = ["Z"]
        for _ in range(rng.randint(2, 14)):
            parts.append(rng.choice(SPACES) + fragment(rng))
        text = "".join(parts)
        if acceptable(text):
            return text


def acceptable(text: str) -> bool:
    """A single paragraph: it starts with a word, and no line of it opens a block."""
    return (text.startswith("Z") and "\n\n" not in text and not text.endswith("\n")
            and not any(BLOCK_LINE_RE.match(line) for line in text.split("\n")))


@dataclass
class Difference:
    markdown: str
    pandoc: list
    ours: list


def differences(paragraphs: list[str]) -> list[Difference | None]:
    """For each paragraph, how Pandoc and we read it differently (None where we agree, or where
    our reader refuses it with a located error). Two Pandoc runs for the whole list; a paragraph
    read differently is read again alone, since in one run a paragraph can change how Pandoc reads
    the next (a line such as "@a. x" may make ``a`` an example label for the rest of the run)."""
    found = _differences(paragraphs)
    if len(paragraphs) > 1:
        found = [d and _differences([d.markdown])[0] for d in found]
    return found


def _differences(paragraphs: list[str]) -> list[Difference | None]:
    documents = [p + DEFINITIONS for p in paragraphs]
    theirs = pandoc_readings(documents, DEFINITIONS)
    affix = affix_texts(documents)
    found: list[Difference | None] = []
    for text, document, reading in zip(paragraphs, documents, theirs, strict=True):
        if problems(document):
            found.append(None)
            continue
        mine = ours(document, affix)
        found.append(None if mine == reading else Difference(text, reading, mine))
    return found


def shrink(text: str) -> str:
    """A shortest form of a paragraph that is still read differently: drop runs of characters
    (halving their length down to one) while the difference stays; one Pandoc run per round."""
    size = max(1, len(text) // 2)
    while True:
        candidates = [text[:i] + text[i + size:] for i in range(1, len(text) - size + 1)]
        candidates = [c for c in dict.fromkeys(candidates) if acceptable(c)]
        found = _differences(candidates) if candidates else []
        smaller = next((c for c, d in zip(candidates, found, strict=True) if d and _differences([c])[0]), None)
        if smaller is not None:
            text = smaller
            size = min(size, max(1, len(text) // 2))
        elif size > 1:
            size //= 2
        else:
            return text


def fuzz(count: int, seed: int, batch: int = 500) -> list[Difference]:
    """The silent differences among ``count`` paragraphs drawn with ``seed``, unshrunk."""
    rng = random.Random(seed)
    paragraphs = [paragraph(rng) for _ in range(count)]
    found: list[Difference] = []
    for start in range(0, count, batch):
        found += [d for d in differences(paragraphs[start:start + batch]) if d]
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000, help="paragraphs to draw (default 1000)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generator (default 1)")
    args = parser.parse_args(argv)
    found = fuzz(args.count, args.seed)
    shrunk: dict[str, Difference] = {}
    for difference in found:
        if any(small in difference.markdown for small in shrunk):
            continue  # most likely the same difference again
        small = shrink(difference.markdown)
        if small not in shrunk:
            [shrunk[small]] = differences([small])
            print(f"{small!r}\n  pandoc: {shrunk[small].pandoc}\n  ours:   {shrunk[small].ours}", flush=True)
    print(f"{len(found)} of {args.count} paragraphs read differently, {len(shrunk)} after shrinking "
          f"(seed {args.seed})")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
