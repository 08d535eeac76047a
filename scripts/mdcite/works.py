"""What a loaded bibliography is: its works (``Reference``) and the whole (``Bibliography``), and
each work's BibTeX entry as read (``BibEntry``, its people as ``Name``).

Kept apart from ``bibliography`` (which reads and checks references.bib) so that the cache of
loaded bibliographies (``bibcache``) can rebuild them without importing the reader that uses it.

``BibEntry`` and ``Name`` hold what pybtex's ``Entry`` and ``Person`` held, under the same
attribute names, as plain dictionaries and tuples: building pybtex's objects (their ordered
case-insensitive mappings answer every store, look-up and iteration in Python) was a third of a
cold load of the bibliography, and importing ``pybtex.database`` another tenth.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from .errors import Diagnostic, did_you_mean


class AnyCase(dict):
    """Field names or roles as written, looked up in any case (BibTeX's names are case-insensitive),
    as pybtex's OrderedCaseInsensitiveDict looks them up: a name written as looked up (the usual
    case) is found by the plain dictionary; another case is found by comparing lower-case names."""

    __slots__ = ()

    def _written(self, name: str) -> str | None:
        lower = name.lower()
        for written in self:
            if written.lower() == lower:
                return written
        return None

    def __missing__(self, name: str):
        written = self._written(name)
        if written is None:
            raise KeyError(name)
        return dict.__getitem__(self, written)

    def __contains__(self, name: object) -> bool:
        return dict.__contains__(self, name) or (isinstance(name, str) and self._written(name) is not None)

    def get(self, name: str, default=None):
        try:
            return self[name]
        except KeyError:
            return default


class Name(NamedTuple):
    """A person's name split into BibTeX's parts, as pybtex's Person splits it (each a tuple of words).

    A named tuple: made and compared fast, and written to the cache as JSON as it is."""

    first_names: tuple[str, ...] = ()
    middle_names: tuple[str, ...] = ()
    prelast_names: tuple[str, ...] = ()
    last_names: tuple[str, ...] = ()
    lineage_names: tuple[str, ...] = ()


# Name's parts in order, as pybtex's Person has them.
NAME_PARTS = ("first_names", "middle_names", "prelast_names", "last_names", "lineage_names")


@dataclass(slots=True)
class BibEntry:
    """One BibTeX entry as read: pybtex's Entry as data. ``type`` is lower-case, ``original_type``
    as written; ``fields`` (values with their LaTeX) and ``persons`` (names by role) keep the
    names as written, in order, and find them in any case."""

    original_type: str
    key: str
    fields: AnyCase = field(default_factory=AnyCase)
    persons: AnyCase = field(default_factory=AnyCase)  # role -> [Name, ...]
    type: str = field(init=False, default="")

    def __post_init__(self) -> None:
        self.type = self.original_type.lower()


@dataclass
class Reference:
    """One work, formatted once per build."""

    key: str
    type: str
    entry: BibEntry
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
