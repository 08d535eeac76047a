"""Errors that point a contributor at the file, line and column to fix."""

from __future__ import annotations

import difflib
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


def closest(word: str, candidates, n: int = 3) -> list[str]:
    """The nearest known names, case-insensitively, for a "did you mean" hint."""
    pool = list(candidates)
    lowered = {c.lower(): c for c in pool}
    exact = [c for c in pool if c.lower() == word.lower() and c != word]
    close = difflib.get_close_matches(word.lower(), list(lowered), n=n, cutoff=0.5)
    if not close and not exact:  # nothing alike: still name the nearest, so the fix is one look away
        close = difflib.get_close_matches(word.lower(), list(lowered), n=min(n, 2), cutoff=0.0)
    found = exact + [lowered[c] for c in close if lowered[c] not in exact]
    return found[:n]


def did_you_mean(word: str, candidates) -> str:
    near = closest(word, candidates)
    if not near:
        return ""
    return " (did you mean " + " or ".join(f"'{c}'" for c in near) + "?)"
