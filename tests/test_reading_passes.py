"""How the index reads a page (issue 22): its code blocks are found in one pass over the lines,
shared by every mask and the reader, and each citation is filed under its section."""

from __future__ import annotations

from pathlib import Path

from mdcite import index as index_module
from mdcite import syntax

PAGE = """# Title

Intro [@org-2025].

```
[@in-code]
```

[link]: https://example.org/

## First {#sec-first}

Under first [@tass-2025-duma], see [link].

## Unlabelled

Still first [@tass-2025-council].

### Deeper {#sec-deeper}

Deeper [@org-2025].
"""


def test_reading_a_page_finds_its_code_blocks_in_one_pass_over_its_lines(monkeypatch):
    passes = []
    real = syntax.fence_mask

    def counted(*args, **kwargs):
        passes.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(syntax, "fence_mask", counted)
    monkeypatch.setattr(index_module, "fence_mask", counted)
    page = index_module.PageInfo("a.md", "docs/a.md", "a/", "", {}, PAGE, 0)
    index_module.read_page(page)
    assert len(passes) == 1


def test_each_citation_is_filed_under_the_last_labelled_heading_above_it(project: Path):
    (project / "docs" / "sections.md").write_text(PAGE, encoding="utf-8")
    idx = index_module.build(project, "docs", "references.bib", True)
    filed = sorted((use.line, use.key, use.section.id, use.section.title)
                   for uses in idx.citations.values() for use in uses if use.page.src == "sections.md")
    assert filed == [(3, "org-2025", "", "Title"),
                     (13, "tass-2025-duma", "sec-first", "First"),
                     (17, "tass-2025-council", "sec-first", "First"),
                     (21, "org-2025", "sec-deeper", "Deeper")]


def test_the_characters_the_reader_stops_at_are_those_of_its_pattern():
    stops = {chr(c) for c in range(0x3000) if syntax.SPECIAL_RE.match(chr(c))}
    assert stops == set(syntax.SPECIAL_CHARS)


# Groups on either side of each line that the plain reading draws (see syntax.PLAIN_ITEM_RE):
# items built as most are written, then up to two pieces put in anywhere, with a key that holds the
# punctuation it leaves out, an affix with a character that it refuses, a space that is not ' ',
# or something after the ']'.
KEYS = ["a", "b.c", "x:y//z", "k2025", "a", "b.c", "a<b", "a>", "*", "_u", "sec-x", "{br ace}", "", "a.", "1-2"]
PREFIXES = ["", "see ", "cf. ", "see", "a - ", "x\xa0", " ", "\t", "e.g., "]
SUFFIXES = ["", ", p. 4", " p. 4", ", 3-5", " and passim", ",", " ", ".", ", § 2"]
SEPARATORS = [";", "; ", ";\n", " ; "]
PIECES = ["@", "-", "--", "'", '"', " 'q", ' "q', "’", "*", "_", "`", "`]`", "<", ">", "<b>", "<a]>",
          "\\", "\\[", "^", "[", "]", "{", "}", "\n", "\n\n", "\t", "\xa0", ";", "x@y", "é",
          "Ыд", ":", "/", "3"]
AFTERS = ["", " x", "(u)", " (u)", "[l]", "{}", "{.c}", ". *a*", '"', "'", "' y", '" y', "` y`", "\n\n", "]", "@b", "-@b"]
BEFORES = ["", "x ", "!", "^", "\\", "@a ", "*"]


def generated_group(rng) -> str:
    items = [rng.choice(PREFIXES) + rng.choice(["", "", "-"]) + "@" + rng.choice(KEYS) + rng.choice(SUFFIXES)
             for _ in range(rng.randint(1, 3))]
    body = "".join(item + (rng.choice(SEPARATORS) if n < len(items) - 1 else "") for n, item in enumerate(items))
    for _ in range(rng.choice((0, 0, 1, 2))):
        at = rng.randint(0, len(body))
        body = body[:at] + rng.choice(PIECES) + body[at:]
    return rng.choice(BEFORES) + "[" + body + "]" + rng.choice(AFTERS)


def test_plain_groups_are_read_as_the_full_reading_reads_them():
    import random
    rng = random.Random(22)
    plain = compared = 0
    for _ in range(2500):
        text = generated_group(rng)
        for i in (j for j, c in enumerate(text) if c == "["):
            for alone in (False, True):
                fast = syntax._group_at(text, i, alone=alone)
                assert fast == syntax._group_read(text, i, alone=alone), (text, i, alone)
                plain += syntax._plain_group(text, i) is not None
                compared += 1
    # The comparison means something only if both readings were taken often.
    assert plain > compared // 10 and compared - plain > compared // 10
