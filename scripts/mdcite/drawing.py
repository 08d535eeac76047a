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
import itertools
import json
import math
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .figuredata import Table

CACHE_DIR = ".cache/mdcite-figures"
KINDS = ("map", "series", "timeline")
#: The modules whose code shapes a drawing: a change to any of them redraws every figure.
CODE = (Path(__file__), Path(__file__).with_name("labels.py"))


@dataclass(frozen=True)
class Variant:
    """One drawing of a figure for one range of widths: the page shows the one that fits its box.

    ``font_pt`` is the size of every text in the drawing, chosen with the width so that text is
    at least 11 CSS pixels wherever the variant is shown (see the ``@container`` rule in
    docs/assets/site.css): the wide drawing (360 pt) is shown in boxes of 520 px and more
    (8 pt x 520/360 = 11.6 px), the narrow one (252 pt) below that, which on a 390 px phone is a
    box of about 358 px (9 pt x 358/252 = 12.8 px; a region's name squeezed to 8 pt, 11.4 px)."""

    name: str
    width_in: float
    font_pt: float
    smallest_pt: float  # a region's name may shrink this far where it fits nowhere at font_pt


VARIANTS = (Variant("wide", 5.0, 8.0, 8.0), Variant("narrow", 3.5, 9.0, 8.0))
NARROWEST_WIDE_PX = 520  # the @container breakpoint in site.css

# Placeholder colours (never used by matplotlib itself) and the CSS variable each becomes.
PALETTE = {
    "#000001": "--fig-fg", "#000002": "--fig-muted", "#000003": "--fig-land",
    "#000004": "--fig-border", "#000005": "--fig-c1", "#000006": "--fig-c2",
    "#000007": "--fig-c3", "#000008": "--fig-c4", "#000009": "--fig-alert",
    "#00000a": "--fig-land-strong", "#00000b": "--fig-bg", "#00000c": "--fig-water",
}
FG, MUTED, LAND, BORDER, C1, C2, C3, C4, ALERT, LAND_STRONG, BG, WATER = PALETTE
SERIES_COLOURS = (C1, C2, C3, C4)
COLOUR_NAMES = {"c1": C1, "c2": C2, "c3": C3, "c4": C4, "alert": ALERT, "muted": MUTED, "fg": FG}


def cache_key(kind: str, table: Table, extra: list[Path], variant: Variant) -> str:
    """Hash of everything the drawing depends on; a change to any of them redraws the figure."""
    import importlib.metadata

    digest = hashlib.sha256()
    digest.update(f"{kind} {variant}".encode())
    for path in [table.path, *extra, *CODE]:
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
    """The figure's SVGs, one per variant, each from the cache when its inputs are unchanged.

    Each variant's ids get their own prefix, so the two drawings never share an id."""
    extra = inputs(kind, table)
    folder = cache_root / CACHE_DIR
    drawn = []
    for variant in VARIANTS:
        cached = folder / f"{cache_key(kind, table, extra, variant)}.svg"
        if cached.exists():
            svg = cached.read_text(encoding="utf-8")
        else:
            svg = draw(kind, table, variant)
            folder.mkdir(parents=True, exist_ok=True)
            scratch = cached.with_suffix(f".tmp{id(svg)}")
            scratch.write_text(svg, encoding="utf-8")
            scratch.replace(cached)  # atomic: two builds at once never read half a file
        svg = svg.replace("<svg ", f'<svg class="figure-svg figure-svg-{variant.name}" ', 1)
        drawn.append(prefix_ids(svg, f"{prefix}-{variant.name}"))
    return "".join(drawn)


def figure_for(kind: str, table: Table, variant: Variant):
    """The matplotlib figure of one variant, before it is written as SVG (tests read its artists)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    with matplotlib.rc_context(rc(variant)):
        return {"map": draw_map, "series": draw_series, "timeline": draw_timeline}[kind](Figure, table, variant)


def rc(variant: Variant) -> dict:
    return {"svg.fonttype": "none", "svg.hashsalt": "mdcite", "font.size": variant.font_pt,
            "font.family": "sans-serif", "axes.edgecolor": MUTED, "axes.labelcolor": FG,
            "xtick.color": MUTED, "ytick.color": MUTED, "xtick.labelsize": variant.font_pt,
            "ytick.labelsize": variant.font_pt, "legend.fontsize": variant.font_pt,
            "text.color": FG, "legend.frameon": False}


def draw(kind: str, table: Table, variant: Variant) -> str:
    """Run matplotlib (imported only here: a build with every figure cached never loads it)."""
    import matplotlib

    fig = figure_for(kind, table, variant)
    out = io.StringIO()
    with matplotlib.rc_context(rc(variant)):
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


def within(extent, x: float, y: float) -> bool:
    west, east, south, north = extent
    return west <= x <= east and south <= y <= north


def draw_map(Figure, table: Table, variant: Variant):
    """Land over water, then routes, places, and labels placed clear of each other; an inset
    (``metadata.insets``: extent and place in the map, as axes fractions) magnifies what is too
    small to see, and the places inside it are labelled there rather than on the map."""
    from matplotlib.patches import Rectangle

    from . import labels

    meta = table.metadata
    west, east, south, north = meta["extent"]
    squash = math.cos(math.radians((south + north) / 2))
    width = variant.width_in
    height = width * (north - south) / ((east - west) * squash)
    legend = meta.get("legend") or []
    columns = 2 if variant.name == "wide" and all(len(item["text"]) < 34 for item in legend) else 1
    handles = [legend_handle(item, variant, columns) for item in legend]
    legend_in = legend_height(handles, columns, variant)
    fig = Figure(figsize=(width, height + legend_in))
    ax = fig.add_axes((0, legend_in / (height + legend_in), 1, height / (height + legend_in)))
    insets = []
    for spec in meta.get("insets") or []:
        x0, y0, w, h = spec["at"]
        box = ax.get_position()
        inset = fig.add_axes((box.x0 + x0 * box.width, box.y0 + y0 * box.height, w * box.width, h * box.height),
                             zorder=6)
        insets.append((inset, spec["extent"]))
    drawn = {"lines": [], "markers": [], "texts": [], "inset_extents": [extent for _, extent in insets]}
    countries = {}  # by axes: the rings of each country drawn there
    for target, extent in [(ax, meta["extent"]), *insets]:
        countries[target] = draw_basemap(target, table, extent, squash, target is not ax)
        for feature in table.features:
            draw_feature(target, feature, variant, drawn, target is not ax)
    for inset, extent in insets:
        w, e, s, n = extent
        frame = ax.plot([w, e, e, w, w], [s, s, n, n, s], color=FG, linewidth=0.8, zorder=5, gid="inset-box")[0]
        drawn["lines"].append(frame)
        for spine in inset.spines.values():
            spine.set_visible(True)
            spine.set_edgecolor(FG)
            spine.set_linewidth(0.8)
    if handles:
        fig.legend(handles=handles, loc="lower left", ncols=columns, bbox_to_anchor=(0.0, 0.0),
                   handlelength=2.2, columnspacing=1.0, borderaxespad=0.2, labelspacing=0.45)
    ax.add_patch(Rectangle((0, 0), 1, 1, transform=ax.transAxes, facecolor=WATER, edgecolor="none", zorder=0))
    scene = labels.Scene.of(fig, lines=drawn["lines"], markers=drawn["markers"], keep_out=[i for i, _ in insets])
    gap = variant.font_pt * 0.5
    areas = [t for t in drawn["texts"] if t[4]]
    # First every label that finds a free place beside its point; then the rest, further off on a
    # leader where need be (so a label on a leader never takes the place of one that fits).
    pending = []
    for target, anchor, text, hint, area, style in areas + [t for t in drawn["texts"] if not t[4]]:
        keep_off = [target.transData.transform_path(compound_path(countries[target][iso]))
                    for iso in style.pop("avoid", []) if countries[target].get(iso)]
        optional = style.pop("optional")
        placing = {"gap": gap, "area": area, "hint": hint, "frame": target.get_window_extent(scene.renderer),
                   "areas": keep_off, "smallest": variant.smallest_pt, "zorder": 7, **style}
        if labels.place(target, scene, anchor, text, optional=True, **placing) is None:
            pending.append((target, anchor, text, optional, placing))
    for target, anchor, text, optional, placing in pending:
        labels.place(target, scene, anchor, text, optional=optional, leader=MUTED, **placing)
    return fig


def draw_basemap(ax, table: Table, extent, squash: float, framed: bool) -> dict[str, list]:
    """Water, then land (the countries ``highlight`` names stronger); returns
    each country's rings by ISO code, for labels that must keep off a country."""
    from matplotlib.patches import Rectangle

    west, east, south, north = extent
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    ax.set_aspect(1 / squash, adjustable="box")
    ax.set_xticks([])
    ax.set_yticks([])
    if not framed:
        ax.set_axis_off()
    else:
        ax.add_patch(Rectangle((0, 0), 1, 1, transform=ax.transAxes, facecolor=WATER, edgecolor="none", zorder=0))
    meta = table.metadata
    highlight = set(meta.get("highlight") or [])
    basemap = json.loads((table.path.parent / meta["basemap"]).read_text(encoding="utf-8"))
    shapes: dict[bool, list] = {False: [], True: []}
    countries: dict[str, list] = {}
    for country in basemap["features"]:
        iso = country["properties"].get("iso_a3")
        for ring in rings(country["geometry"]):
            xs, ys = zip(*ring, strict=True)
            if max(xs) < west or min(xs) > east or max(ys) < south or min(ys) > north:
                continue  # outside the map: not worth a path in the SVG
            shapes[iso in highlight].append(ring)
            countries.setdefault(iso, []).append(ring)
    for strong, found in shapes.items():  # one compound path each: a far smaller SVG than a path per ring
        if found:
            ax.add_patch(compound_patch(found, LAND_STRONG if strong else LAND))
    return countries


def compound_path(found: list):
    """Rings as one path; each ring is closed, so holes and islands fill as they should."""
    from matplotlib.path import Path as MplPath

    return MplPath.make_compound_path(*[MplPath([*ring, ring[0]], closed=True) for ring in found])


def compound_patch(found: list, face: str):
    from matplotlib.patches import PathPatch

    return PathPatch(compound_path(found), facecolor=face, edgecolor=BORDER, linewidth=0.4, zorder=1)


LINE_STYLES = {"route": "-", "sea-route": (0, (4, 2)), "gap": (0, (1.2, 1.2))}
POINT_MARKERS = {"node": "o", "port": "s", "capital": "o", "island": "^", "border-crossing": "D"}


def draw_feature(ax, feature: dict, variant: Variant, drawn: dict, in_inset: bool) -> None:
    """Draw a route or a place on ``ax`` and queue its label; a place inside an inset's extent
    is labelled in the inset only."""
    props = feature.get("properties") or {}
    style = props.get("style", "node")
    colour = COLOUR_NAMES.get(props.get("color", ""), FG)
    geometry = feature["geometry"]
    n = len(drawn["lines"]) + len(drawn["markers"])
    if style in LINE_STYLES:
        width = (3.2 if in_inset else 2.6) if style == "gap" else 1.8
        for part in rings(geometry):
            xs, ys = zip(*part, strict=True)
            drawn["lines"] += ax.plot(xs, ys, linestyle=LINE_STYLES[style], color=colour, linewidth=width,
                                      solid_capstyle="round", zorder=3, gid=f"data-line-{n}")
    elif geometry["type"] == "Point" and style != "label":
        x, y = geometry["coordinates"][:2]
        marker = POINT_MARKERS.get(style, "o")
        size = 3.6 if style == "capital" else 4.4
        face = BG if style == "capital" else colour
        drawn["markers"] += ax.plot([x], [y], marker=marker, markersize=size, markerfacecolor=face,
                                    markeredgecolor=colour, markeredgewidth=0.9, linestyle="none", zorder=4,
                                    gid=f"data-point-{n}")
    text = props.get("label", props.get("name", "")) if props.get("label", None) != "" else ""
    if not text:
        return
    if geometry["type"] == "Point":
        x, y = geometry["coordinates"][:2]
    else:
        part = rings(geometry)[0]
        (x0, y0), (x1, y1) = part[(len(part) - 1) // 2], part[len(part) // 2]
        x, y = (x0 + x1) / 2, (y0 + y1) / 2
    xlim, ylim = ax.get_xlim(), ax.get_ylim()
    extent = (*xlim, *ylim)
    if not within(extent, x, y):
        return
    if not in_inset and any(within(extent, x, y) for extent in drawn["inset_extents"]):
        return  # labelled in the inset, where it can be seen
    area = style == "label"
    hint = None
    if "dx" in props or "dy" in props:
        hint = (float(props.get("dx", 0)), float(props.get("dy", 0)), props.get("ha", "center" if area else "left"))
    text_style = {"fontsize": variant.font_pt, "color": MUTED if area else FG,
                  "style": "italic" if area else "normal", "avoid": props.get("avoid") or [],
                  "optional": bool(props.get("optional"))}
    drawn["texts"].append((ax, (x, y), text, hint, area, text_style))


def legend_handle(item: dict, variant: Variant, columns: int):
    from matplotlib.lines import Line2D

    style = item.get("style", "route")
    colour = COLOUR_NAMES.get(item.get("color", ""), FG)
    label = legend_text(item["text"], variant, columns)
    if style in LINE_STYLES:
        return Line2D([], [], linestyle=LINE_STYLES[style], color=colour, linewidth=2.6 if style == "gap" else 1.8,
                      label=label)
    face = BG if style == "capital" else colour
    return Line2D([], [], linestyle="none", marker=POINT_MARKERS.get(style, "o"), markersize=4.5,
                  markerfacecolor=face, markeredgecolor=colour, label=label)


def legend_text(text: str, variant: Variant, columns: int) -> str:
    """A legend entry broken into lines where it would be wider than the drawing beside its key;
    where two columns are drawn, each entry is short enough for them (checked by the caller)."""
    room = variant.width_in * 72 - 42
    return "\n".join(wrapped(text, variant.font_pt, room))


def legend_height(handles: list, columns: int, variant: Variant) -> float:
    """Inches the legend needs below the drawing: its rows, each as tall as its longest entry."""
    if not handles:
        return 0.0
    lines = [h.get_label().count("\n") + 1 for h in handles]
    per_column = math.ceil(len(lines) / columns)  # matplotlib fills each column top to bottom
    rows = [max(lines[i::per_column]) for i in range(per_column)]
    return (sum(rows) * variant.font_pt * 1.2 + len(rows) * variant.font_pt * 0.5) / 72 + 0.08


# -- series ----------------------------------------------------------------------------------------
def draw_series(Figure, table: Table, variant: Variant):
    """Values by year, one colour per reporter; a hollow mark is part of a year, a caret a bound.

    Reporters of the same year stand side by side, a little apart, and each reporter's line of
    whole-year values runs through its own marks (gid ``series-N-line`` and ``series-N-point``)."""
    from matplotlib.lines import Line2D

    from . import labels

    rows = [r for r in table.rows if r.get("value")]
    names = list(dict.fromkeys(r["series"] for r in rows))
    columns = 2 if variant.name == "wide" else 1
    keys = [{"style": "line", "color": i, "text": name} for i, name in enumerate(names)]
    keys += [{"style": "o", "text": "part of a year only"}, {"style": "^", "text": "lower bound (“more than”)"},
             {"style": "v", "text": "upper bound (“under”)"}]
    handles = []
    for key in keys:
        label = legend_text(key["text"], variant, columns)
        if key["style"] == "line":
            handles.append(Line2D([], [], color=SERIES_COLOURS[key["color"] % 4], marker="o", linewidth=1.2,
                                  label=label))
        else:
            hollow = key["style"] == "o"
            handles.append(Line2D([], [], linestyle="none", marker=key["style"], color=FG,
                                  markerfacecolor=BG if hollow else FG, markeredgecolor=FG, label=label))
    legend_in = legend_height(handles, columns, variant)
    plot_in = 2.9 if variant.name == "wide" else 3.3
    height = plot_in + legend_in + 0.35
    fig = Figure(figsize=(variant.width_in, height))
    left = 0.55 / variant.width_in
    ax = fig.add_axes((left, (legend_in + 0.35) / height, 0.97 - left, plot_in / height))
    years = sorted({int(r["year"]) for r in rows})
    top = max(float(r["value"]) for r in rows)
    spread = 0.16 if variant.name == "wide" else 0.2
    lines, markers, notes = [], [], []
    for i, name in enumerate(names):
        colour = SERIES_COLOURS[i % len(SERIES_COLOURS)]
        offset = (i - (len(names) - 1) / 2) * spread
        mine = [(int(r["year"]) + offset, float(r["value"]), r) for r in rows if r["series"] == name]
        whole = [(x, y) for x, y, r in mine if not r.get("part_of_year") and not r.get("bound")]
        if len(whole) > 1:
            lines += ax.plot([x for x, _ in whole], [y for _, y in whole], color=colour, linewidth=1.2, zorder=2,
                             gid=f"series-{i}-line")
        for x, y, r in mine:
            marker = {"at least": "^", "under": "v"}.get(r.get("bound", ""), "o")
            hollow = bool(r.get("part_of_year"))
            markers += ax.plot([x], [y], marker=marker, markersize=6, linestyle="none",
                               markerfacecolor=BG if hollow else colour, markeredgecolor=colour,
                               markeredgewidth=1.3, zorder=3, gid=f"series-{i}-point")
            ha = r.get("ha") or "left"
            hint = (float(r.get("dx") or (6 if ha == "left" else -6)), float(r.get("dy") or 0), ha)
            if variant.name == "narrow":  # no room for notes: the value, as the data table gives it
                notes.append(((x, y), short_label(r), None))
            else:
                notes.append(((x, y), r.get("label") or short_label(r), hint))
    ax.set_xlim(years[0] - 0.75, years[-1] + (1.3 if variant.name == "wide" else 0.75))
    ax.set_ylim(0, top * 1.25)
    ax.set_xticks(years, [str(y) for y in years])
    ax.set_ylabel(next((r["unit"] for r in rows if r.get("unit")), "value"))
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="y", color=BORDER, linewidth=0.5)
    ax.set_axisbelow(True)
    fig.legend(handles=handles, loc="lower left", ncols=columns, bbox_to_anchor=(0.0, 0.0),
               borderaxespad=0.2, labelspacing=0.45, columnspacing=1.0)
    scene = labels.Scene.of(fig, lines=lines, markers=markers)
    for anchor, text, hint in notes:
        labels.place(ax, scene, anchor, text, gap=variant.font_pt * 0.6, hint=hint, fontsize=variant.font_pt,
                     color=FG)
    return fig


def short_label(row: dict) -> str:
    """A value as few characters can say it: "≈4.9" for an approximate one, "> 4.0" for a lower bound."""
    value = row["value"]
    sign = {"at least": "> ", "under": "< "}.get(row.get("bound", ""), "")
    approx = "≈" if (row.get("label") or "").startswith("≈") else ""
    return f"{sign}{approx}{value}"


# -- timelines -------------------------------------------------------------------------------------
def parse_date(text: str) -> date:
    parts = [int(p) for p in text.split("-")]
    return date(parts[0], parts[1] if len(parts) > 1 else 7, parts[2] if len(parts) > 2 else 15)


def shown_date(text: str) -> str:
    parts = [int(p) for p in text.split("-")]
    month = date(2000, parts[1], 1).strftime("%b") if len(parts) > 1 else ""
    return " ".join(str(p) for p in ([parts[2]] if len(parts) > 2 else []) + ([month] if month else []) + [parts[0]])


def text_width(text: str, size: float, weight: str = "normal") -> float:
    """Width in points of ``text`` in matplotlib's sans-serif face (DejaVu Sans, a wide one)."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    prop = FontProperties(family="sans-serif", size=size, weight=weight)
    return TextToPath().get_text_width_height_descent(text, prop, ismath=False)[0]


def wrapped(text: str, size: float, room: float) -> list[str]:
    """``text`` broken at spaces into lines no wider than ``room`` points."""
    lines: list[str] = []
    for word in text.split():
        if lines and text_width(f"{lines[-1]} {word}", size) <= room:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines


def draw_timeline(Figure, table: Table, variant: Variant):
    """Events on a proportional time axis, each labelled on its own line beside it (wrapped to
    the drawing's width), joined to its date on the axis by a thin leader."""
    rows = sorted(table.rows, key=lambda r: parse_date(r["date"]))
    lanes = list(dict.fromkeys(r.get("lane", "") for r in rows))
    size = variant.font_pt
    width = variant.width_in * 72  # the drawing is laid out in points
    year_w = text_width("2026", size)
    axis_x = year_w + 8
    date_x = axis_x + 14
    date_w = max(text_width(shown_date(r["date"]), size, "bold") for r in rows)
    event_x = date_x + date_w + 6
    line_h = size * 1.3
    texts = [wrapped(r["event"], size, width - event_x - 4) for r in rows]
    heights = [len(t) * line_h + size * 0.55 for t in texts]
    top = size * 1.4
    centres = [top]
    for above, below in itertools.pairwise(heights):
        centres.append(centres[-1] + (above + below) / 2)
    bottom = centres[-1]
    height = bottom + heights[-1] / 2 + size
    fig = Figure(figsize=(variant.width_in, height / 72))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)
    ax.set_axis_off()
    first, last = parse_date(rows[0]["date"]), parse_date(rows[-1]["date"])
    span = max((last - first).days, 1)

    def at(day: date) -> float:
        return top + (bottom - top) * (day - first).days / span

    ax.plot([axis_x, axis_x], [top - 6, bottom + 6], color=MUTED, linewidth=1)
    for year in range(first.year + 1, last.year + 1):
        y = at(date(year, 1, 1))
        ax.plot([axis_x - 4, axis_x], [y, y], color=MUTED, linewidth=1)
        ax.text(axis_x - 6, y, str(year), ha="right", va="center", color=MUTED, fontsize=size)
    for n, (r, y_text) in enumerate(zip(rows, centres, strict=True)):
        colour = SERIES_COLOURS[lanes.index(r.get("lane", "")) % 4]
        y_event = at(parse_date(r["date"]))
        first_line = y_text - (len(texts[n]) - 1) * line_h / 2
        ax.plot([axis_x], [y_event], marker="o", markersize=4.5, color=colour, zorder=3)
        ax.plot([axis_x, date_x - 3], [y_event, first_line], color=BORDER, linewidth=0.6, zorder=1)
        ax.text(date_x, first_line, shown_date(r["date"]), ha="left", va="center", fontsize=size,
                color=colour, fontweight="bold")
        for k, line in enumerate(texts[n]):
            ax.text(event_x, first_line + k * line_h, line, ha="left", va="center", fontsize=size, color=FG)
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
