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
