"""The formatted bibliography kept between builds in ``.cache/``, as JSON.

JSON, not pickle: a cache file is data that a build reads, never code that it runs, so a file
left in ``.cache/`` by anyone cannot execute anything. The file's name is a digest of everything
that shapes the result: the bytes of references.bib, the name it is shown under, the engine's
version and the source of the modules that read and format it, the versions of pybtex and
latexcodec (they split names and decode LaTeX), and Python's. A file that does not read back whole
is ignored, and the fresh result written over it.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

from . import style
from .works import NAME_PARTS, AnyCase, BibEntry, Bibliography, Name, Reference

# Where a formatted bibliography is kept between builds (relative to the folder given to load).
CACHE_DIR = ".cache/mdcite-bibliography"
HERE = Path(__file__).parent
# The code whose output the cache holds: an edit to any of these files formats entries anew.
FORMATTING_SOURCES = (HERE / "bibliography.py", HERE / "bibread.py", HERE / "works.py", Path(style.__file__),
                      HERE / "iri.py", Path(__file__))
# The libraries whose output the cache holds.
LIBRARIES = ("pybtex", "latexcodec")


def dependency_versions() -> list[str]:
    from importlib import metadata

    return [f"{name} {metadata.version(name)}" for name in LIBRARIES] + [f"Python {sys.version}"]


def cache_file(cache_root: Path, data: bytes, shown: str) -> Path:
    """The cache file for this content of the bibliography, as read and formatted here and now."""
    from . import __version__

    digest = hashlib.sha256(data)
    for part in (shown, f"mdcite {__version__}", *dependency_versions()):
        digest.update(b"\0" + part.encode())
    for source in FORMATTING_SOURCES:
        digest.update(b"\0" + source.read_bytes())
    return cache_root / CACHE_DIR / f"{digest.hexdigest()[:32]}.json"


def entry_to_json(entry: BibEntry) -> dict:
    return {
        "type": entry.original_type,
        "fields": list(entry.fields.items()),
        "persons": [[role, people] for role, people in entry.persons.items()],  # each Name a list of its parts
    }


def entry_from_json(key: str, data: dict) -> BibEntry:
    fields = AnyCase((str(name), str(value)) for name, value in data["fields"])
    persons = AnyCase((str(role), [Name(*(tuple(str(n) for n in names) for names in parts)) for parts in people])
                      for role, people in data["persons"])
    if any(len(parts) != len(NAME_PARTS) for _, people in data["persons"] for parts in people):
        raise ValueError("a name without its five parts")
    return BibEntry(str(data["type"]), key, fields, persons)


def reference_to_json(ref: Reference) -> dict:
    return {
        "key": ref.key, "type": ref.type, "line": ref.line, "author_short": ref.author_short,
        "year": ref.year, "year_label": ref.year_label, "html": ref.html, "text": ref.text,
        "sort_key": list(ref.sort_key), "fields": ref.fields, "date_parts": list(ref.date_parts),
        "source": ref.source, "entry": entry_to_json(ref.entry),
    }


def reference_from_json(data: dict) -> Reference:
    return Reference(
        key=data["key"], type=data["type"], entry=entry_from_json(data["key"], data["entry"]),
        line=int(data["line"]), author_short=data["author_short"], year=data["year"],
        year_label=data["year_label"], html=data["html"], text=data["text"],
        sort_key=tuple(data["sort_key"]), fields=dict(data["fields"]),
        date_parts=tuple(int(p) for p in data["date_parts"]), source=dict(data["source"]),
    )


def to_json(bib: Bibliography) -> str:
    # check_circular=False: plain data, built just above, holds no cycle (the check is a sixth of the dump)
    return json.dumps({"path": bib.path, "references": [reference_to_json(r) for r in bib.references.values()],
                       "broken": sorted(bib.broken)}, ensure_ascii=False, check_circular=False)


def from_json(text: str) -> Bibliography:
    """The bibliography a cache file holds; ValueError, KeyError or TypeError if it is not one."""
    data = json.loads(text)
    refs = [reference_from_json(r) for r in data["references"]]
    return Bibliography(str(data["path"]), {r.key: r for r in refs}, [], set(data["broken"]))


def fetch(target: Path) -> Bibliography | None:
    """The cached bibliography, or None when there is none or it does not read back whole."""
    try:
        return from_json(target.read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def store(target: Path, bib: Bibliography) -> None:
    """Write the cache file whole (another build may read it meanwhile) and drop older ones."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f"{target.stem}.{os.getpid()}.tmp")
        temporary.write_text(to_json(bib), encoding="utf-8")
        os.replace(temporary, target)
        for old in [*target.parent.glob("*.json"), *target.parent.glob("*.pickle")]:
            if old != target:
                old.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only checkout builds as before, without the cache
