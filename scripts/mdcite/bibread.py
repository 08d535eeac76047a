"""A fast reader for the BibTeX that references.bib is written in, giving exactly what pybtex gives.

pybtex's reader scans the file token by token through a general scanner; on a cold build it was
a third of the time spent on the bibliography. This reader takes the same steps with a few regular
expressions: ``@type{key, name = {…} | "…" | number | macro # …}``, ``@string``, ``@comment``,
``@preamble`` and any text between entries. It gives each entry as a ``BibEntry`` holding what
pybtex's ``Entry`` holds (its fields and its persons as ``Name``, split as pybtex's ``Person``
splits them), without building pybtex's objects (``bibliography.from_pybtex`` turns what pybtex's
reader gives into the same records).

It reads only what it is sure pybtex reads the same way, and reads nothing it is unsure of: any
input it does not follow (an entry in parentheses, an undefined macro, a repeated field, a brace
left open, anything pybtex would report) raises ``Unsupported``, and the caller reads the file
with pybtex instead, whose errors the located messages are built from.
"""

from __future__ import annotations

import functools
import re
from string import ascii_letters, digits

from .works import NAME_PARTS, BibEntry, Name

# The characters and patterns of pybtex's LowLevelParser (pybtex/database/input/bibtex.py).
NAME_CHARS = ascii_letters + "@!$&*+-./:;<>?[\\]^_`|~\x7f"
NAME = rf"[{re.escape(NAME_CHARS)}][{re.escape(NAME_CHARS + digits)}]*"
COMMAND_RE = re.compile(rf"\s*({NAME})\s*([{{(])")
NAME_RE = re.compile(rf"\s*({NAME})")
KEY_RE = re.compile(r"\s*([^\s\,}]+)")
EQUALS_RE = re.compile(r"\s*=")
NUMBER_RE = re.compile(rf"[{digits}]+")
SPACE_RE = re.compile(r"\s*")
BRACES_RE = re.compile(r"[{}]")
QUOTE_OR_BRACES_RE = re.compile(r'["{}]')
# The usual field, ``name = {value without braces}`` before a comma or the entry's end: what the
# general steps (a name, '=', a braced string, no '#') read, in one match.
SIMPLE_FIELD_RE = re.compile(rf"\s*({NAME})\s*=\s*\{{([^{{}}]*)\}}\s*(?:(,)|(?=\}}))")
MONTHS = {
    "jan": "January", "feb": "February", "mar": "March", "apr": "April", "may": "May",
    "jun": "June", "jul": "July", "aug": "August", "sep": "September", "oct": "October",
    "nov": "November", "dec": "December",
}
PERSON_FIELDS = ("author", "editor")  # pybtex's Person.valid_roles, in any case
MOST_NESTED = 100  # pybtex refuses braces nested deeper than this
# pybtex's normalize_whitespace (pybtex.textutils) makes each run of white space (\s+) one space
# and strips the ends; a run that is one space already is left alone here, so that the usual value
# needs no replacement at all.
WHITESPACE_RE = re.compile(r"\s{2,}|[^\S ]")
# The " and " that pybtex's split_name_list splits a list of names at (outside braces).
AND_RE = re.compile(" [Aa][Nn][Dd] ")


class Unsupported(Exception):
    """The input is not in the subset this reader follows exactly: read it with pybtex."""


class Reader:
    """One pass over the text; ``read`` returns the entries by key and the fields as written."""

    def __init__(self, text: str):
        self.text = text
        self.end = len(text)
        self.macros = dict(MONTHS)  # keyed by lower-case name, as pybtex's CaseInsensitiveDict
        self.entries: dict[str, BibEntry] = {}
        self.keys: set[str] = set()  # lower-case: pybtex refuses a key repeated in any case
        self.source: dict[str, dict[str, str]] = {}

    def read(self) -> tuple[dict[str, BibEntry], dict[str, dict[str, str]]]:
        text, pos = self.text, 0
        while True:
            at = text.find("@", pos)
            if at < 0:
                return self.entries, self.source
            command = COMMAND_RE.match(text, at + 1)
            if not command or command.group(2) != "{":
                raise Unsupported("not '@name{'")
            pos = command.end()
            kind = command.group(1).lower()
            if kind == "comment":
                continue  # pybtex skips only the opening brace and reads on to the next '@'
            if kind == "string":
                name = self.required(NAME_RE, pos)
                pos = self.required(EQUALS_RE, name.end()).end()
                parts, pos = self.value(pos)
                self.macros[name.group(1).lower()] = "".join(parts)
            elif kind == "preamble":
                _, pos = self.value(pos)
            else:
                pos = self.entry(command.group(1), pos)
            pos = self.closing(pos)

    def required(self, pattern: re.Pattern, pos: int) -> re.Match:
        found = pattern.match(self.text, pos)
        if not found:
            raise Unsupported(pattern.pattern)
        return found

    def skip_space(self, pos: int) -> int:
        pos = SPACE_RE.match(self.text, pos).end()
        if pos >= self.end:
            raise Unsupported("end of file inside a command")
        return pos

    def closing(self, pos: int) -> int:
        pos = self.skip_space(pos)
        if self.text[pos] != "}":
            raise Unsupported("no closing brace")
        return pos + 1

    def entry(self, entry_type: str, pos: int) -> int:
        """pybtex's parse_entry_body: the key, then fields each optionally followed by a comma."""
        key = self.required(KEY_RE, pos)
        pos = key.end()
        text = self.text
        if text[pos:pos + 1] == ",":  # what the loop's first turn does with the comma after the key
            pos += 1
        fields: list[tuple[str, str]] = []
        while True:
            simple = SIMPLE_FIELD_RE.match(text, pos)
            if simple:  # the steps below in one match, for the usual field and its comma
                name, value, comma = simple.groups()
                fields.append((name, value))
                pos = simple.end()
                if comma:
                    continue
                break
            if name := NAME_RE.match(text, self.skip_space(pos)):
                pos = self.required(EQUALS_RE, name.end()).end()
                parts, pos = self.value(pos)
                fields.append((name.group(1), "".join(parts)))
            pos = self.skip_space(pos)
            if text[pos] != ",":
                break
            pos += 1
        self.add(entry_type, key.group(1), fields)
        return pos

    def add(self, entry_type: str, key: str, fields: list[tuple[str, str]]) -> None:
        """pybtex's Parser.process_entry, and SourceParser's record of each value as written."""
        if len({name.lower() for name, _ in fields}) < len(fields):
            raise Unsupported("a repeated field")
        entry = BibEntry(entry_type, key)
        written: dict[str, str] = {}
        for name, value in fields:
            value = WHITESPACE_RE.sub(" ", value.strip())  # pybtex's normalize_whitespace
            written[name] = value
            if name.lower() in PERSON_FIELDS:
                names = [split_person(person) for person in split_names(value)]
                if names:  # pybtex's Entry.add_person, one name at a time: no names, no role
                    entry.persons[name] = names
            else:
                entry.fields[name] = value
        if key.lower() in self.keys:
            raise Unsupported(f"repeated key {key}")
        self.keys.add(key.lower())
        self.entries[key] = entry
        self.source.setdefault(key, written)

    def value(self, pos: int) -> tuple[list[str], int]:
        """Parts joined by '#': a braced or quoted string, a number, or a macro's value."""
        parts: list[str] = []
        while True:
            pos = self.skip_space(pos)
            char = self.text[pos]
            if char == "{":
                part, pos = self.string(pos + 1, BRACES_RE, "}")
            elif char == '"':
                part, pos = self.string(pos + 1, QUOTE_OR_BRACES_RE, '"')
            elif number := NUMBER_RE.match(self.text, pos):
                part, pos = number.group(0), number.end()
            elif name := NAME_RE.match(self.text, pos):
                if name.group(1).lower() not in self.macros:
                    raise Unsupported(f"undefined macro {name.group(1)}")
                part, pos = self.macros[name.group(1).lower()], name.end()
            else:
                raise Unsupported("no value")
            parts.append(part)
            pos = self.skip_space(pos)
            if self.text[pos] != "#":
                return parts, pos
            pos += 1

    def string(self, start: int, special: re.Pattern, end: str) -> tuple[str, int]:
        """The text up to the delimiter closing a string opened just before start (inner braces
        kept); pybtex's parse_string."""
        depth = 0
        for mark in special.finditer(self.text, start):
            char = mark.group(0)
            if depth == 0 and char == end:
                return self.text[start:mark.start()], mark.end()
            if char == "{":
                depth += 1
                if depth > MOST_NESTED:
                    raise Unsupported("braces nested too deep")
            elif char == "}":
                if depth == 0:
                    raise Unsupported("unbalanced braces")
                depth -= 1
            # a '"' inside braces is text
        raise Unsupported("string never closed")


@functools.lru_cache(maxsize=4096)
def split_names(value: str) -> tuple[str, ...]:
    """pybtex's split of an author or editor field at each "and", once per distinct field.

    Without braces, pybtex's split_name_list (split_tex_string at " and " in any case) is a split
    at each " and ", each name stripped, and no name in an empty field; a field that is one brace
    group (an organisation, "{Barnes and Noble}") is one name; any other braces, pybtex splits."""
    if "{" not in value and "}" not in value:
        return tuple(name.strip() for name in AND_RE.split(value)) if value else ()
    if is_one_braced_group(value):
        return (value.strip(),)
    from pybtex.bibtex.utils import split_name_list

    return tuple(split_name_list(value))


# A name with no braces, backslash or tie, and at most two commas: split here as pybtex splits it.
PLAIN_NAME_RE = re.compile(r"[^{}\\~,]+(?:,[^{}\\~,]*){0,2}")


@functools.lru_cache(maxsize=4096)
def split_person(name: str) -> Name:
    """pybtex's Person(name), split once per distinct name (organisations recur on every entry);
    the records are frozen, so entries share them."""
    if PLAIN_NAME_RE.fullmatch(name):
        return Name(*plain_name_parts(name))
    if is_one_braced_group(name):  # an organisation, "{Valdai Discussion Club}": one last name
        return Name(last_names=(name,))
    from pybtex.database import Person  # braces, a backslash or a tie: pybtex's own splitter
    from pybtex.exceptions import PybtexError

    try:
        person = Person(name)
    except PybtexError as exc:  # a name pybtex cannot split: let pybtex's reader report it
        raise Unsupported(str(exc)) from None
    return Name(*(tuple(getattr(person, part)) for part in NAME_PARTS))


def is_one_braced_group(name: str) -> bool:
    """Whether the name is one brace group, "{...}", and nothing else: pybtex's Person then finds
    no comma and no space outside braces (its split_tex_string counts braces only, backslashes
    included), so the whole name is one word, and a name of one word is its last name."""
    if not (name.startswith("{") and name.endswith("}")):
        return False
    depth = 0
    for mark in BRACES_RE.finditer(name):
        depth += 1 if mark.group(0) == "{" else -1
        if depth == 0:
            return mark.end() == len(name)
    return False


def _is_von(word: str) -> bool:
    """pybtex's is_von_name for a word without braces or backslashes: its first letter is lower-case."""
    if word[0].isupper():
        return False
    if word[0].islower():
        return True
    for char in word:
        if char.isalpha():
            return char.islower()
    return False


def plain_name_parts(name: str) -> tuple[tuple[str, ...], ...]:
    """pybtex's Person._parse_string for a name without braces, backslashes or ties, whose
    general splitter makes it most of the reader's time: "von Last, Jr, First", "von Last, First"
    or "First von Last", words split at white space, a von part being its lower-case words."""
    parts = [part.strip() for part in name.split(",")]
    first: list[str] = []
    lineage: list[str] = []
    if len(parts) == 1:
        words = name.split()
        at = next((i for i, word in enumerate(words) if _is_von(word)), len(words))
        first, von_last = words[:at], words[at:]
        if not von_last and first:
            von_last.append(first.pop())
    else:
        von_last = parts[0].split()
        first = parts[-1].split()
        if len(parts) == 3:
            lineage = parts[1].split()
    prelast: list[str] = []
    last = von_last[-1:]
    if len(von_last) > 1:  # the von part ends at the last lower-case word before the last name
        candidates = von_last[:-1]
        at = next((i for i in range(len(candidates) - 1, -1, -1) if _is_von(candidates[i])), -1)
        prelast, last = candidates[:at + 1], candidates[at + 1:] + last
    return (tuple(first[:1]), tuple(first[1:]), tuple(prelast), tuple(last), tuple(lineage))


def read(text: str) -> tuple[dict[str, BibEntry], dict[str, dict[str, str]]]:
    """The entries pybtex would read from text, by key, with each entry's fields as written
    (whitespace normalised); Unsupported for anything this reader does not follow exactly."""
    return Reader(text).read()
