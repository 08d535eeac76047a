"""Draw a figure's data file as an SVG with matplotlib, once per change of its inputs.

Three kinds of figure, each general: ``map`` (a GeoJSON collection of routes, places and labels
over a vendored basemap), ``series`` (values by year from several reporters, with partial years
and bounds marked rather than smoothed over) and ``timeline`` (dated events on a time axis).

Colours are drawn as placeholders and rewritten to CSS variables, so one SVG, inlined in the
page, follows the reader's light or dark scheme and prints. The SVG is cached under the hash of
everything that shapes it (data, basemap, this module, matplotlib's version): a build whose
figures have not changed draws none of them, and matplotlib is not even imported.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import re
from datetime import date
from pathlib import Path

from .figuredata import Table

CACHE_DIR = ".cache/mdcite-figures"
KINDS = ("map", "series", "timeline")
WIDTH_IN = 5.0  # drawn at 360 pt: text stays legible when the figure shrinks to a 390 px phone
FONT_PT = 9

# Placeholder colours (never used by matplotlib itself) and the CSS variable each becomes.
PALETTE = {
    "#000001": "--fig-fg", "#000002": "--fig-muted", "#000003": "--fig-land",
    "#000004": "--fig-border", "#000005": "--fig-c1", "#000006": "--fig-c2",
    "#000007": "--fig-c3", "#000008": "--fig-c4", "#000009": "--fig-alert",
    "#00000a": "--fig-land-strong", "#00000b": "--fig-bg",
}
FG, MUTED, LAND, BORDER, C1, C2, C3, C4, ALERT, LAND_STRONG, BG = PALETTE
SERIES_COLOURS = (C1, C2, C3, C4)
COLOUR_NAMES = {"c1": C1, "c2": C2, "c3": C3, "c4": C4, "alert": ALERT, "muted": MUTED, "fg": FG}


def cache_key(kind: str, table: Table, extra: list[Path]) -> str:
    """Hash of everything the drawing depends on; a change to any of them redraws the figure."""
    import importlib.metadata

    digest = hashlib.sha256()
    digest.update(kind.encode())
    for path in [table.path, *extra, Path(__file__)]:
        digest.update(path.read_bytes())
    try:
        digest.update(importlib.metadata.version("matplotlib").encode())
    except importlib.metadata.PackageNotFoundError:
        pass
    return digest.hexdigest()[:24]


def inputs(kind: str, table: Table) -> list[Path]:
    """Files besides the data file that the drawing reads (a map's basemap)."""
    if kind == "map" and table.metadata.get("basemap"):
        return [table.path.parent / table.metadata["basemap"]]
    return []


def svg_for(kind: str, table: Table, cache_root: Path, prefix: str) -> str:
    """The figure's SVG: from the cache when its inputs are unchanged, drawn otherwise."""
    extra = inputs(kind, table)
    folder = cache_root / CACHE_DIR
    cached = folder / f"{cache_key(kind, table, extra)}.svg"
    if cached.exists():
        svg = cached.read_text(encoding="utf-8")
    else:
        svg = draw(kind, table)
        folder.mkdir(parents=True, exist_ok=True)
        scratch = cached.with_suffix(f".tmp{id(svg)}")
        scratch.write_text(svg, encoding="utf-8")
        scratch.replace(cached)  # atomic: two builds at once never read half a file
    return prefix_ids(svg, prefix)


def draw(kind: str, table: Table) -> str:
    """Run matplotlib (imported only here: a build with every figure cached never loads it)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "mdcite", "font.size": FONT_PT,
                                "font.family": "sans-serif", "axes.edgecolor": MUTED,
                                "axes.labelcolor": FG, "xtick.color": MUTED, "ytick.color": MUTED,
                                "text.color": FG, "legend.frameon": False}):
        fig = {"map": draw_map, "series": draw_series, "timeline": draw_timeline}[kind](Figure, table)
        out = io.StringIO()
        fig.savefig(out, format="svg", transparent=True, metadata={"Date": None, "Creator": None})
    return clean_svg(out.getvalue())


# -- maps ---------------------------------------------------------------------------------------
def rings(geometry: dict) -> list[list[list[float]]]:
    """The outer and inner rings of a polygon geometry, or the parts of a line geometry."""
    kind, coords = geometry["type"], geometry["coordinates"]
    if kind == "Polygon":
        return coords
    if kind == "MultiPolygon":
        return [ring for polygon in coords for ring in polygon]
    if kind == "LineString":
        return [coords]
    if kind == "MultiLineString":
        return coords
    return []


def draw_map(Figure, table: Table):
    meta = table.metadata
    west, east, south, north = meta["extent"]
    squash = math.cos(math.radians((south + north) / 2))
    height = WIDTH_IN * (north - south) / ((east - west) * squash)
    legend = meta.get("legend") or []
    columns = 2 if all(len(item["text"]) < 30 for item in legend) else 1
    legend_in = 0.19 * math.ceil(len(legend) / columns) + 0.12 if legend else 0
    fig = Figure(figsize=(WIDTH_IN, height + legend_in))
    ax = fig.add_axes((0, legend_in / (height + legend_in), 1, height / (height + legend_in)))
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    ax.set_aspect(1 / squash)
    ax.set_axis_off()
    highlight = set(meta.get("highlight") or [])
    basemap = json.loads((table.path.parent / meta["basemap"]).read_text(encoding="utf-8"))
    shapes: dict[bool, list] = {False: [], True: []}
    for country in basemap["features"]:
        strong = country["properties"].get("iso_a3") in highlight
        for ring in rings(country["geometry"]):
            xs, ys = zip(*ring, strict=True)
            if max(xs) < west or min(xs) > east or max(ys) < south or min(ys) > north:
                continue  # outside the map: not worth a path in the SVG
            shapes[strong].append(ring)
    for strong, found in shapes.items():  # one compound path each: a far smaller SVG than a path per ring
        if found:
            ax.add_patch(compound_patch(found, LAND_STRONG if strong else LAND))
    for feature in table.features:
        draw_feature(ax, feature)
    if legend:
        handles = [legend_handle(item) for item in legend]
        fig.legend(handles=handles, loc="lower left", ncols=columns, fontsize=FONT_PT - 0.5,
                   bbox_to_anchor=(0.0, 0.0), handlelength=2.2, columnspacing=1.2, borderaxespad=0.3)
    return fig


def compound_patch(found: list, face: str):
    """Rings as one patch; each ring is closed, so holes and islands fill as they should."""
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path as MplPath

    paths = [MplPath([*ring, ring[0]], closed=True) for ring in found]
    return PathPatch(MplPath.make_compound_path(*paths), facecolor=face, edgecolor=BORDER, linewidth=0.4)


LINE_STYLES = {"route": "-", "sea-route": (0, (4, 2)), "gap": (0, (1.2, 1.2))}
POINT_MARKERS = {"node": "o", "port": "s", "capital": "o", "island": "^", "border-crossing": "D"}


def draw_feature(ax, feature: dict) -> None:
    props = feature.get("properties") or {}
    style = props.get("style", "node")
    colour = COLOUR_NAMES.get(props.get("color", ""), FG)
    geometry = feature["geometry"]
    if style in LINE_STYLES:
        width = 2.6 if style == "gap" else 1.8
        for part in rings(geometry):
            xs, ys = zip(*part, strict=True)
            ax.plot(xs, ys, linestyle=LINE_STYLES[style], color=colour, linewidth=width,
                    solid_capstyle="round", zorder=3)
    elif geometry["type"] == "Point":
        x, y = geometry["coordinates"][:2]
        if style != "label":
            marker = POINT_MARKERS.get(style, "o")
            size = 3.2 if style == "capital" else 4.2
            face = BG if style == "capital" else colour
            ax.plot([x], [y], marker=marker, markersize=size, markerfacecolor=face, markeredgecolor=colour,
                    markeredgewidth=0.9, linestyle="none", zorder=4)
    text = props.get("label", props.get("name", "")) if props.get("label", None) != "" else ""
    if not text:
        return
    if geometry["type"] == "Point":
        x, y = geometry["coordinates"][:2]
    else:
        part = rings(geometry)[0]
        x, y = part[len(part) // 2]
    dx, dy = float(props.get("dx", 4)), float(props.get("dy", 2))
    italic = style == "label"
    ax.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points", fontsize=FONT_PT - (0 if italic else 0.5),
                color=MUTED if italic else FG, style="italic" if italic else "normal",
                ha=props.get("ha", "left"), va="center", zorder=5)


def legend_handle(item: dict):
    from matplotlib.lines import Line2D

    style = item.get("style", "route")
    colour = COLOUR_NAMES.get(item.get("color", ""), FG)
    if style in LINE_STYLES:
        return Line2D([], [], linestyle=LINE_STYLES[style], color=colour, linewidth=2.6 if style == "gap" else 1.8,
                      label=item["text"])
    face = BG if style == "capital" else colour
    return Line2D([], [], linestyle="none", marker=POINT_MARKERS.get(style, "o"), markersize=4.5,
                  markerfacecolor=face, markeredgecolor=colour, label=item["text"])


# -- series ----------------------------------------------------------------------------------------
def draw_series(Figure, table: Table):
    """Values by year, one colour per reporter; a hollow mark is part of a year, a caret a bound."""
    from matplotlib.lines import Line2D

    rows = [r for r in table.rows if r.get("value")]
    names = list(dict.fromkeys(r["series"] for r in rows))
    fig = Figure(figsize=(WIDTH_IN, 3.8))
    ax = fig.add_axes((0.11, 0.33, 0.86, 0.64))
    years = sorted({int(r["year"]) for r in rows})
    top = max(float(r["value"]) for r in rows)
    for i, name in enumerate(names):
        colour = SERIES_COLOURS[i % len(SERIES_COLOURS)]
        mine = [r for r in rows if r["series"] == name]
        whole = [r for r in mine if not r.get("part_of_year") and not r.get("bound")]
        if len(whole) > 1:
            ax.plot([int(r["year"]) for r in whole], [float(r["value"]) for r in whole], color=colour,
                    linewidth=1.2, zorder=2)
        for r in mine:
            x = int(r["year"]) + (i - (len(names) - 1) / 2) * 0.14
            marker = {"at least": "^", "under": "v"}.get(r.get("bound", ""), "o")
            hollow = bool(r.get("part_of_year"))
            ax.plot([x], [float(r["value"])], marker=marker, markersize=6.5, linestyle="none",
                    markerfacecolor=BG if hollow else colour, markeredgecolor=colour, markeredgewidth=1.3,
                    zorder=3)
            note = r.get("label") or f"{float(r['value']):g}"
            ha = r.get("ha") or "left"
            shift = (float(r.get("dx") or (6 if ha == "left" else -6)), float(r.get("dy") or 0))
            ax.annotate(note, (x, float(r["value"])), xytext=shift, textcoords="offset points",
                        fontsize=FONT_PT - 1, va="center", ha=ha, color=FG)
    ax.set_xlim(years[0] - 0.9, years[-1] + 1.0)
    ax.set_ylim(0, top * 1.2)
    ax.set_xticks(years, [str(y) for y in years])
    ax.set_ylabel(next((r["unit"] for r in rows if r.get("unit")), "value"))
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="y", color=BORDER, linewidth=0.5)
    ax.set_axisbelow(True)
    handles = [Line2D([], [], color=SERIES_COLOURS[i % 4], marker="o", linewidth=1.2, label=name)
               for i, name in enumerate(names)]
    handles += [Line2D([], [], linestyle="none", marker="o", markerfacecolor=BG, markeredgecolor=FG,
                       label="part of a year only"),
                Line2D([], [], linestyle="none", marker="^", color=FG, label="lower bound (“more than”)"),
                Line2D([], [], linestyle="none", marker="v", color=FG, label="upper bound (“under”)")]
    fig.legend(handles=handles, loc="lower left", ncols=2, fontsize=FONT_PT - 1, bbox_to_anchor=(0.02, 0.0))
    return fig


# -- timelines -------------------------------------------------------------------------------------
def parse_date(text: str) -> date:
    parts = [int(p) for p in text.split("-")]
    return date(parts[0], parts[1] if len(parts) > 1 else 7, parts[2] if len(parts) > 2 else 15)


def shown_date(text: str) -> str:
    parts = [int(p) for p in text.split("-")]
    month = date(2000, parts[1], 1).strftime("%b") if len(parts) > 1 else ""
    return " ".join(str(p) for p in ([parts[2]] if len(parts) > 2 else []) + ([month] if month else []) + [parts[0]])


def draw_timeline(Figure, table: Table):
    """Events on a proportional time axis, each labelled on an evenly spaced line beside it."""
    rows = sorted(table.rows, key=lambda r: parse_date(r["date"]))
    lanes = list(dict.fromkeys(r.get("lane", "") for r in rows))
    step = 0.3
    height = step * len(rows) + 0.5
    fig = Figure(figsize=(WIDTH_IN, height))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 1)
    ax.set_ylim(height, 0)
    ax.set_axis_off()
    first, last = parse_date(rows[0]["date"]), parse_date(rows[-1]["date"])
    span = max((last - first).days, 1)
    top, bottom = 0.3, height - 0.25

    def at(day: date) -> float:
        return top + (bottom - top) * (day - first).days / span

    axis_x, text_x = 0.13, 0.2
    ax.plot([axis_x, axis_x], [top - 0.1, bottom + 0.1], color=MUTED, linewidth=1)
    for year in range(first.year + 1, last.year + 1):
        y = at(date(year, 1, 1))
        ax.plot([axis_x - 0.015, axis_x], [y, y], color=MUTED, linewidth=1)
        ax.text(axis_x - 0.025, y, str(year), ha="right", va="center", color=MUTED, fontsize=FONT_PT - 0.5)
    for n, r in enumerate(rows):
        colour = SERIES_COLOURS[lanes.index(r.get("lane", "")) % 4]
        y_event, y_text = at(parse_date(r["date"])), top + n * step
        ax.plot([axis_x], [y_event], marker="o", markersize=4.5, color=colour, zorder=3)
        ax.plot([axis_x, text_x - 0.01], [y_event, y_text], color=BORDER, linewidth=0.6, zorder=1)
        ax.text(text_x, y_text, shown_date(r["date"]), ha="left", va="center", fontsize=FONT_PT - 0.5,
                color=colour, fontweight="bold")
        ax.text(text_x + 0.2, y_text, r["event"], ha="left", va="center", fontsize=FONT_PT - 0.5, color=FG)
    return fig


# -- SVG clean-up ------------------------------------------------------------------------------------
XML_PROLOGUE_RE = re.compile(r"<\?xml[^>]*\?>\s*|<!DOCTYPE[^>]*>\s*|<metadata>.*?</metadata>\s*|<!--.*?-->\s*",
                             re.DOTALL)
ROOT_SIZE_RE = re.compile(r'(<svg\b[^>]*?)\s(?:width|height)="[^"]*"')
COLOUR_RE = re.compile("|".join(PALETTE), re.IGNORECASE)
ID_RE = re.compile(r'\bid="([^"]+)"')
PATH_DATA_RE = re.compile(r'\sd="[^"]*"')  # the geometry of a path: only there are digits trimmed
PRECISION_RE = re.compile(r"(\d\.\d)\d+")  # a tenth of a point is finer than any screen shows
REF_RE = re.compile(r'(url\(#|href="#)([^)"]+)')


def clean_svg(svg: str) -> str:
    """Inline-ready SVG: no prologue, no fixed size (CSS sizes it), colours as CSS variables."""
    svg = XML_PROLOGUE_RE.sub("", svg)
    while ROOT_SIZE_RE.search(svg.split(">", 1)[0] + ">"):
        svg = ROOT_SIZE_RE.sub(r"\1", svg, count=1)
    svg = PATH_DATA_RE.sub(lambda m: PRECISION_RE.sub(r"\1", m.group(0)), svg)
    svg = COLOUR_RE.sub(lambda m: f"var({PALETTE[m.group(0).lower()]})", svg)
    svg = svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1)
    return svg.strip()


def prefix_ids(svg: str, prefix: str) -> str:
    """Make the SVG's ids unique on a page that inlines several figures."""
    svg = ID_RE.sub(lambda m: f'id="{prefix}-{m.group(1)}"', svg)
    return REF_RE.sub(lambda m: f"{m.group(1)}{prefix}-{m.group(2)}", svg)
