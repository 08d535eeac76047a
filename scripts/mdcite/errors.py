"""Errors that point a contributor at the file, line and column to fix."""

from __future__ import annotations

from dataclasses import dataclass

try:  # Let MkDocs print our message instead of a traceback; optional so Zensical works too.
    from mkdocs.exceptions import BuildError as _BuildErrorBase
except ImportError:  # pragma: no cover - exercised only without MkDocs
    _BuildErrorBase = Exception


@dataclass(frozen=True)
class Diagnostic:
    """One problem at one place, printed as ``path:line:col: level: message``."""

    path: str
    line: int
    col: int
    message: str
    level: str = "error"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.level}: {self.message}"


class SourceError(_BuildErrorBase):
    """A contributor's mistake in a page or in the bibliography; carries every diagnostic."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = list(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics))

    def __str__(self) -> str:
        return "\n".join(str(d) for d in self.diagnostics)


def edit_distance(a: str, b: str) -> int:
    """Insertions, deletions, substitutions and swaps of two neighbours that turn a into b (the
    optimal string alignment distance: a typo is one edit, a swapped pair of letters too)."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, y in enumerate(b, start=1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y))
            if i > 1 and j > 1 and x == b[j - 2] and a[i - 2] == y:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def allowed_edits(word: str) -> int:
    """How many edits still make a near miss of ``word``: Lucene's "AUTO" fuzziness (none up to
    2 characters, 1 up to 5, then 2), and for a long key a quarter of its characters, since a key
    such as 'tass-2025-duma' is several words."""
    auto = 0 if len(word) <= 2 else 1 if len(word) <= 5 else 2
    return max(auto, len(word) // 4)


def closest(word: str, candidates, n: int = 3) -> list[str]:
    """The known names that ``word`` is a near miss of, nearest first, compared case-insensitively;
    none when nothing is that close (a far guess would send the writer the wrong way)."""
    limit = allowed_edits(word)
    scored = []
    for candidate in dict.fromkeys(candidates):
        if candidate == word:
            continue
        distance = edit_distance(word.lower(), candidate.lower())
        if distance <= limit:
            scored.append((distance, candidate))
    return [c for _, c in sorted(scored)[:n]]


def did_you_mean(word: str, candidates) -> str:
    near = closest(word, candidates)
    if not near:
        return ""
    return " (did you mean " + " or ".join(f"'{c}'" for c in near) + "?)"
