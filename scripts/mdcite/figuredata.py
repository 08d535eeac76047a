"""The data behind a figure: a CSV table or a GeoJSON collection, and the data package that
states each file's title, licence and sources.

A figure is drawn from its data file and offered for download beside it, so the file is the
publication's evidence: every row or feature names its sources (keys in references.bib), and the
package (``datapackage.json``, the Frictionless Data convention) names the file's licence.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from .errors import Diagnostic

PACKAGE_FILE = "datapackage.json"
SOURCES_COLUMN = "sources"
# What each kind of figure needs from its file: columns (CSV) or metadata keys (GeoJSON).
NEEDS = {"series": ("year", "value", "series"), "timeline": ("date", "event"), "map": ("basemap", "extent")}
HIDDEN_COLUMNS = ("style", "color", "dx", "dy", "ha", "label", "unit", "part_of_year")  # drawing hints, not data


@dataclass
class Table:
    """What a figure's data file holds, read once: rows for a chart, features for a map."""

    path: Path
    shown: str
    columns: list[str] = field(default_factory=list)
    rows: list[dict[str, str]] = field(default_factory=list)  # CSV rows, or one per GeoJSON feature
    features: list[dict] = field(default_factory=list)
    metadata: dict = field(default_factory=dict)
    row_lines: list[int] = field(default_factory=list)  # line of each row in the file

    @property
    def is_geojson(self) -> bool:
        return self.path.suffix == ".geojson"


def split_keys(text: str) -> list[str]:
    """The keys of a ``sources`` cell: separated by ';' or spaces, an optional '@' before each."""
    return [k.lstrip("@") for k in text.replace(";", " ").split() if k.strip("@")]


def read(path: Path, shown: str) -> tuple[Table | None, list[Diagnostic]]:
    """The file's rows (or features), or what keeps it from being read, with line and column."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, [Diagnostic(shown, 1, 1, "data file not found; add it beside the other figure data")]
    except UnicodeDecodeError as exc:
        return None, [Diagnostic(shown, 1, exc.start + 1, "data file is not UTF-8 text; save it as UTF-8")]
    if path.suffix == ".csv":
        return read_csv(text, path, shown)
    if path.suffix == ".geojson":
        return read_geojson(text, path, shown)
    return None, [Diagnostic(shown, 1, 1, "figure data must be a .csv or a .geojson file")]


def read_csv(text: str, path: Path, shown: str) -> tuple[Table | None, list[Diagnostic]]:
    reader = csv.reader(io.StringIO(text))
    try:
        records = list(reader)
    except csv.Error as exc:
        return None, [Diagnostic(shown, reader.line_num, 1, f"not valid CSV: {exc}")]
    if not records:
        return None, [Diagnostic(shown, 1, 1, "empty CSV file; the first row names the columns")]
    header = [h.strip() for h in records[0]]
    table = Table(path, shown, columns=header)
    problems: list[Diagnostic] = []
    if SOURCES_COLUMN not in header:
        problems.append(Diagnostic(shown, 1, 1, f"no '{SOURCES_COLUMN}' column; add one naming each row's "
                                               "references.bib keys"))
    line = 1
    for record in records[1:]:
        line += 1
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            problems.append(Diagnostic(shown, line, 1, f"row has {len(record)} cells but the header has "
                                                      f"{len(header)}; quote cells that contain commas"))
            continue
        table.rows.append({h: cell.strip() for h, cell in zip(header, record, strict=True)})
        table.row_lines.append(line)
    return table, problems


def read_geojson(text: str, path: Path, shown: str) -> tuple[Table | None, list[Diagnostic]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, [Diagnostic(shown, exc.lineno, exc.colno, f"not valid JSON: {exc.msg}")]
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        return None, [Diagnostic(shown, 1, 1, "expected a GeoJSON FeatureCollection")]
    table = Table(path, shown, metadata=data.get("metadata") or {})
    problems: list[Diagnostic] = []
    lines = feature_lines(text)
    for n, feature in enumerate(data.get("features") or []):
        line = lines[n] if n < len(lines) else 1
        geometry = (feature or {}).get("geometry") or {}
        if geometry.get("type") not in ("Point", "LineString", "MultiLineString", "Polygon", "MultiPolygon"):
            problems.append(Diagnostic(shown, line, 1, f"feature {n + 1} has no supported geometry"))
            continue
        table.features.append(feature)
        props = feature.get("properties") or {}
        table.rows.append({k: v if isinstance(v, str) else json.dumps(v) for k, v in props.items()})
        table.row_lines.append(line)
    table.columns = list(dict.fromkeys(k for row in table.rows for k in row))
    return table, problems


def feature_lines(text: str) -> list[int]:
    """The line where each feature starts (a feature is an object whose "type" is "Feature")."""
    found = []
    for n, line in enumerate(text.split("\n"), start=1):
        found.extend([n] * line.count('"type": "Feature"'))
        found.extend([n] * line.count('"type":"Feature"'))
    return found


def load_package(folder: Path, shown_folder: str) -> tuple[dict[str, dict], list[Diagnostic]]:
    """The data package's resources by file name (relative to the package), or its problems."""
    path = folder / PACKAGE_FILE
    shown = f"{shown_folder}/{PACKAGE_FILE}"
    if not path.exists():
        return {}, [Diagnostic(shown, 1, 1, "no data package; list every data file with its title, "
                                            "licence and sources in datapackage.json")]
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        return {}, [Diagnostic(shown, exc.lineno, exc.colno, f"not valid JSON: {exc.msg}")]
    resources = {}
    for resource in data.get("resources") or []:
        if isinstance(resource, dict) and resource.get("path"):
            resources[resource["path"]] = resource
    return resources, []


def check_folder(folder: Path, shown_folder: str, known_keys) -> list[Diagnostic]:
    """Every data file parses, is in the package with a licence and sources, and every source key
    (of the file and of each row) is in references.bib (``known_keys`` None: keys not checked)."""
    if not folder.is_dir():
        return []
    resources, problems = load_package(folder, shown_folder)
    package_shown = f"{shown_folder}/{PACKAGE_FILE}"
    files = sorted(p for p in folder.rglob("*") if p.suffix in (".csv", ".geojson"))
    for path in files:
        name = path.relative_to(folder).as_posix()
        shown = f"{shown_folder}/{name}"
        resource = resources.get(name)
        if resource is None and (folder / PACKAGE_FILE).exists():
            problems.append(Diagnostic(shown, 1, 1, f"not listed in {PACKAGE_FILE}; add a resource with "
                                                    "its path, title, licenses and sources"))
        elif resource is not None:
            problems.extend(check_resource(resource, package_shown, known_keys))
        table, found = read(path, shown)
        problems.extend(found)
        if table is not None:
            problems.extend(source_problems(table, known_keys))
    for name in resources:
        if not (folder / name).exists():
            problems.append(Diagnostic(package_shown, 1, 1, f"resource '{name}' does not exist"))
    return problems


def source_problems(table: Table, known_keys) -> list[Diagnostic]:
    """Rows that name no source, or a key that references.bib does not have."""
    problems = []
    for row, line in zip(table.rows, table.row_lines, strict=True):
        keys = split_keys(row.get(SOURCES_COLUMN, "")) if not table.is_geojson else row_keys(row)
        if not keys:
            problems.append(Diagnostic(table.shown, line, 1, "row states no sources; name the references.bib "
                                                             f"keys in its '{SOURCES_COLUMN}'"))
        for key in keys:
            if known_keys is not None and key not in known_keys:
                problems.append(Diagnostic(table.shown, line, 1, f"unknown source key '{key}'; add the work "
                                                                 "to references.bib or fix the key"))
    return problems


def row_keys(row: dict[str, str]) -> list[str]:
    """A GeoJSON feature's sources: a list (stored as JSON text in the row) or a string of keys."""
    raw = row.get(SOURCES_COLUMN, "")
    try:
        value = json.loads(raw) if raw.startswith("[") else raw
    except json.JSONDecodeError:
        value = raw
    return [k.lstrip("@") for k in value] if isinstance(value, list) else split_keys(value)


def check_kind(table: Table, kind: str) -> list[Diagnostic]:
    """What keeps this file from being drawn as this kind of figure, row by row, before matplotlib
    would fail on it with a traceback."""
    if (kind == "map") != table.is_geojson:
        return [Diagnostic(table.shown, 1, 1, f"a {kind} figure is drawn from a "
                                              f"{'.geojson' if kind == 'map' else '.csv'} file")]
    have = table.metadata if kind == "map" else table.columns
    missing = [name for name in NEEDS[kind] if name not in have]
    if missing:
        where = "metadata" if kind == "map" else "columns"
        return [Diagnostic(table.shown, 1, 1, f"a {kind} figure needs the {where} {', '.join(missing)}")]
    if kind == "map":
        extent = table.metadata["extent"]
        ok = isinstance(extent, list) and len(extent) == 4 and all(isinstance(v, (int, float)) for v in extent)
        basemap = table.path.parent / str(table.metadata["basemap"])
        problems = [] if ok else [Diagnostic(table.shown, 1, 1, "metadata.extent must be [west, east, south, north]")]
        problems += inset_problems(table)
        if not basemap.is_file():
            problems.append(Diagnostic(table.shown, 1, 1, f"basemap '{table.metadata['basemap']}' not found beside "
                                                          "this file"))
        return problems
    if not table.rows:
        return [Diagnostic(table.shown, 1, 1, "no rows to draw")]
    problems = []
    for row, line in zip(table.rows, table.row_lines, strict=True):
        try:
            if kind == "series":
                int(row["year"])
                float(row["value"])
            else:
                parts = [int(p) for p in row["date"].split("-")]
                if not 1 <= len(parts) <= 3:
                    raise ValueError
        except ValueError:
            field = "year and value must be numbers" if kind == "series" else "date must be YYYY-MM-DD or YYYY-MM"
            problems.append(Diagnostic(table.shown, line, 1, f"cannot draw this row: {field}"))
    return problems


def four_numbers(value, low: float | None = None, high: float | None = None) -> bool:
    return (isinstance(value, list) and len(value) == 4 and all(isinstance(v, (int, float)) for v in value)
            and all((low is None or v >= low) and (high is None or v <= high) for v in value))


def inset_problems(table: Table) -> list[Diagnostic]:
    """A map's insets: each magnifies an ``extent`` and stands ``at`` a place inside the map."""
    insets = table.metadata.get("insets", [])
    if not isinstance(insets, list):
        return [Diagnostic(table.shown, 1, 1, "metadata.insets must be a list of {\"extent\": …, \"at\": …}")]
    problems = []
    for n, inset in enumerate(insets, start=1):
        spec = inset if isinstance(inset, dict) else {}
        if not four_numbers(spec.get("extent")):
            problems.append(Diagnostic(table.shown, 1, 1, f"inset {n}: extent must be [west, east, south, north]"))
        if not four_numbers(spec.get("at"), 0, 1):
            problems.append(Diagnostic(table.shown, 1, 1, f"inset {n}: at must be [x, y, width, height] as "
                                                          "fractions of the map, from 0 to 1"))
    return problems


def licence_of(path: Path) -> str:
    """The licence the data package gives a file ("" when it names none)."""
    resources, problems = load_package(path.parent, "")
    licences = (resources.get(path.name) or {}).get("licenses") or []
    return ", ".join(str(item.get("title") or item.get("name")) for item in licences if isinstance(item, dict))


def check_resource(resource: dict, shown: str, known_keys) -> list[Diagnostic]:
    problems = []
    name = resource.get("path")
    if not resource.get("licenses"):
        problems.append(Diagnostic(shown, 1, 1, f"resource '{name}' has no licenses; name the data's licence"))
    keys = [s.get("key", "") for s in resource.get("sources") or [] if isinstance(s, dict)]
    if not keys:
        problems.append(Diagnostic(shown, 1, 1, f"resource '{name}' has no sources; list them as "
                                                '{"title": …, "key": "<references.bib key>"}'))
    for key in keys:
        if known_keys is not None and key not in known_keys:
            problems.append(Diagnostic(shown, 1, 1, f"resource '{name}' cites unknown key '{key}'"))
    return problems
