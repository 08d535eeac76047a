"""What a loaded bibliography is: its works (``Reference``) and the whole (``Bibliography``).

Kept apart from ``bibliography`` (which reads and checks references.bib) so that the cache of
loaded bibliographies (``bibcache``) can rebuild them without importing the reader that uses it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .errors import Diagnostic, did_you_mean

if TYPE_CHECKING:
    from pybtex.database import Entry


@dataclass
class Reference:
    """One work, formatted once per build."""

    key: str
    type: str
    entry: Entry
    line: int
    author_short: str  # "Gulf International Forum", "Smith and Jones", "Smith et al."
    year: str  # "2025", "n.d."
    year_label: str = ""  # "2025a" once disambiguated
    html: str = ""
    text: str = ""
    sort_key: tuple = ()
    fields: dict[str, str] = field(default_factory=dict)  # plain Unicode values
    date_parts: tuple[int, ...] = ()
    source: dict[str, str] = field(default_factory=dict)  # every field as written (LaTeX), names too
    def cite_label(self, suppress_author: bool = False) -> str:
        if suppress_author:
            return self.year_label
        return f"{self.author_short} {self.year_label}"


@dataclass
class Bibliography:
    """The entries that parse and validate, and what is wrong with the others.

    An entry with a mistake is left out and its key kept in ``broken``: its citations are then
    neither rendered nor reported as unknown keys (its own error says what to fix), and every
    other entry serves the rest of the checks."""

    path: str
    references: dict[str, Reference]
    problems: list[Diagnostic] = field(default_factory=list)
    broken: set[str] = field(default_factory=set)

    def known(self, key: str) -> bool:
        """Whether references.bib defines the key, in a good entry or a broken one."""
        return key in self.references or key in self.broken

    def __contains__(self, key: str) -> bool:
        return key in self.references

    def __getitem__(self, key: str) -> Reference:
        return self.references[key]

    def sorted(self, keys=None) -> list[Reference]:
        refs = self.references.values() if keys is None else [self.references[k] for k in keys]
        return sorted(refs, key=lambda r: r.sort_key)

    def suggest(self, key: str) -> str:
        return did_you_mean(key, self.references)
