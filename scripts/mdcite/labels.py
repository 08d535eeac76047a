"""Labels placed where they cover no other text, no marker and no drawn line.

A chart or map labels its points after everything else is drawn. Each label tries a short list of
positions around its anchor (the author's own offset first, when the data file gives one) and
takes the first whose box, measured by matplotlib's renderer, stays inside its frame and touches
nothing already there: the axes' own text (ticks, legend), markers, data lines, and the labels
placed before it. Measuring with DejaVu Sans, one of the widest sans-serif faces, keeps the boxes
conservative for the narrower faces a reader's browser is likely to use instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from matplotlib.path import Path as MplPath
from matplotlib.text import Text
from matplotlib.transforms import Bbox

#: Positions around a point, in units of the gap: (dx, dy, horizontal alignment, vertical alignment).
AROUND = ((1, 0, "left", "center"), (-1, 0, "right", "center"), (0, 1, "center", "bottom"),
          (0, -1, "center", "top"), (0.8, 0.8, "left", "bottom"), (0.8, -0.8, "left", "top"),
          (-0.8, 0.8, "right", "bottom"), (-0.8, -0.8, "right", "top"))
#: Positions of an area's name (a sea, a region): on its point, then nudged ever further, in
#: units of the gap, nearest first.
NUDGES = sorted(((dx / 2, dy / 2) for dx in range(-10, 11) for dy in range(-6, 7)),
                key=lambda d: (d[0] ** 2 + (1.5 * d[1]) ** 2, -d[1], d[0]))


def words_box(text, renderer):
    """The box of a text's words: an annotation's own box would include its leader line."""
    if hasattr(text, "update_positions"):
        text.update_positions(renderer)
    return Text.get_window_extent(text, renderer)


def ordered(box) -> tuple[float, float, float, float]:
    """A box's extent as plain numbers, least first: (x min, y min, x max, y max). The tests below
    compare these, as matplotlib's ``Bbox.overlaps`` and ``Bbox.intersection`` do, without the
    numpy calls that made them the largest cost of placing a figure's labels."""
    x0, y0, x1, y1 = (float(v) for v in box.extents)
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def meets(a, b) -> bool:
    """Whether two ordered extents overlap or touch (``Bbox.overlaps``)."""
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def common(a, b) -> tuple[float, float, float, float] | None:
    """The extent two ordered extents share, or None (``Bbox.intersection``)."""
    x0, y0, x1, y1 = max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])
    return (x0, y0, x1, y1) if x0 <= x1 and y0 <= y1 else None


@dataclass
class Scene:
    """What a new label must not touch, in display coordinates (pixels of the figure's canvas)."""

    renderer: object
    boxes: list = field(default_factory=list)  # Bbox of text, markers and insets
    lines: list = field(default_factory=list)  # (Path in display space, Bbox of its axes, its axes)
    covers: list = field(default_factory=list)  # (Bbox, axes) of insets drawn over the map
    leaders: list = field(default_factory=list)  # Path of each leader line drawn so far
    extents: list = field(default_factory=list)  # ordered() of each of boxes, in the same order

    def add_box(self, box) -> None:
        self.boxes.append(box)
        self.extents.append(ordered(box))

    @classmethod
    def of(cls, fig, lines=(), markers=(), keep_out=()) -> Scene:
        """The scene after drawing ``fig``: its visible text, ``markers`` (Line2D of points),
        ``lines`` (Line2D of data lines) and ``keep_out`` (artists whose whole box is taken)."""
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.text import Text

        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        scene = cls(canvas.get_renderer())
        for text in fig.findobj(Text):
            if text.get_visible() and text.get_text().strip():
                scene.add_box(words_box(text, scene.renderer))
        for artist in keep_out:
            scene.add_box(artist.get_window_extent(scene.renderer))
            scene.covers.append((artist.get_window_extent(scene.renderer), artist))
        for line in markers:
            scene.add_markers(line)
        for line in lines:
            scene.add_line(line)
        return scene

    def add_markers(self, line) -> None:
        from matplotlib.transforms import Bbox

        half = line.get_markersize() * line.figure.dpi / 72 / 2 + line.get_markeredgewidth() / 2
        for x, y in line.get_transform().transform(line.get_xydata()):
            self.add_box(Bbox([[x - half, y - half], [x + half, y + half]]))

    def add_line(self, line) -> None:
        clip = line.axes.get_window_extent(self.renderer)
        path = line.get_transform().transform_path(line.get_path())
        self.lines.append((pieces(path), ordered(clip), line.axes))

    def crosses(self, box, ax) -> int:
        """How many data lines cross ``box`` (a label on ``ax``) where they can be seen: inside
        their own axes, and not under an inset that holds the label."""
        covering = [cover_ax for cover, cover_ax in self.covers
                    if cover_ax is ax and cover.contains(*box.p0) and cover.contains(*box.p1)]
        here = ordered(box)
        hits = 0
        for parts, clip, line_ax in self.lines:
            seen = common(here, clip)
            if seen is None or any(cover_ax is not line_ax for cover_ax in covering):
                continue
            # Only the pieces whose extent meets the box can cross it (most labels meet none).
            near = [part for extent, part in parts if meets(extent, seen)]
            if near:
                window = Bbox.from_extents(*seen)
                hits += any(part.intersects_bbox(window, filled=False) for part in near)
        return hits

    def collisions(self, box, frame, areas=(), ax=None) -> int:
        """How many things ``box`` touches, counting a box that leaves its frame as many; ``areas``
        are filled shapes (display space) this label must not cover at all."""
        inside = frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
        hits = 0 if inside else 100
        here = ordered(box)
        hits += sum(1 for other in self.extents if meets(here, other))
        hits += self.crosses(box, ax)
        hits += sum(1 for path in areas if path.intersects_bbox(box, filled=True))
        return hits


PIECE = 32  # vertices per piece of a long line: a label's box is tested against the pieces it meets


def pieces(path: MplPath) -> list[tuple[Bbox, MplPath]]:
    """A line cut into runs of consecutive vertices, each with its extent; consecutive runs share
    their end vertex, so every segment of the line lies whole in one piece and the pieces cross a
    box exactly when the line does. A path with drawing codes (several parts, curves) stays whole."""
    vertices = path.vertices
    if path.codes is not None or len(vertices) <= PIECE:
        return [(ordered(path.get_extents()), path)]
    found = []
    for start in range(0, len(vertices) - 1, PIECE):
        part = MplPath(vertices[start:start + PIECE + 1])
        found.append((ordered(part.get_extents()), part))
    return found


def place(ax, scene: Scene, anchor: tuple[float, float], text: str, *, gap: float, area: bool = False,
          hint: tuple[float, float, str] | None = None, frame=None, areas=(), optional: bool = False,
          leader: str | None = None, smallest: float | None = None, **style):
    """Annotate ``anchor`` (data coordinates of ``ax``) with ``text`` at the first free position.

    ``gap`` is the distance from the anchor in points; ``hint`` is the author's (dx, dy, ha);
    ``areas`` are shapes in display space the label must keep off (a region's name off a
    neighbouring country). A point's label that finds no free place near its point may stand
    further off, joined to it by a thin ``leader`` line of that colour; an area's name may go down
    to the ``smallest`` legible size, on one line or two. Where no position is free,
    an ``optional`` label is left out and any other takes the position that touches least. The
    chosen box joins the scene, so later labels avoid it. Returns the annotation, or None."""
    frame = frame if frame is not None else ax.get_window_extent(scene.renderer)
    tried = []  # (dx, dy, ha, va, text, with a leader, font size or None)
    if hint is not None:
        tried.append((hint[0], hint[1], hint[2], "center", text, False, None))
    if area:
        words = text.split()
        shapes = [text]
        if len(words) > 1:  # a name of two words may stand on two lines where one line does not fit
            half = (len(words) + 1) // 2
            shapes.append(" ".join(words[:half]) + "\n" + " ".join(words[half:]))
        for size in (None, smallest) if smallest else (None,):
            for shown in shapes:
                tried += [(dx * gap, dy * gap, "center", "center", shown, False, size) for dx, dy in NUDGES]
    else:
        for reach in (1.0, 1.8, 2.8):
            tried += [(dx * gap * reach, dy * gap * reach, ha, va, text, False, None) for dx, dy, ha, va in AROUND]
        words = text.split()
        if len(words) > 1:
            half = (len(words) + 1) // 2
            two_lines = " ".join(words[:half]) + "\n" + " ".join(words[half:])
            for reach in (1.0, 1.8):
                tried += [(dx * gap * reach, dy * gap * reach, ha, va, two_lines, False, None)
                          for dx, dy, ha, va in AROUND]
        if leader is not None:
            for reach in (4.5, 6.5, 9.0):
                tried += [(dx * gap * reach, dy * gap * reach, ha, va, text, True, None) for dx, dy, ha, va in AROUND]
    best, best_hits, best_box, best_leader = None, None, None, None
    start = ax.transData.transform(anchor)
    measured: dict[tuple, Bbox] = {}  # the box of each shape of the label set at its anchor
    points = ax.figure.dpi / 72  # pixels per point: what "offset points" moves a label by
    for tried_at in tried:
        dx, dy, ha, va, shown, led, size = tried_at
        sized = style | {"fontsize": size} if size else style
        shape = (ha, va, shown, size)
        if shape not in measured:  # one layout of the text per shape; each position moves its box
            note = ax.annotate(shown, anchor, xytext=(0, 0), textcoords="offset points", ha=ha, va=va,
                               multialignment="center", annotation_clip=False, **sized)
            measured[shape] = words_box(note, scene.renderer)
            note.remove()
        box = measured[shape].translated(dx * points, dy * points).padded(1.0)
        hits = scene.collisions(box, frame, areas, ax)
        line = None
        if led:  # the leader may cross neither another leader nor a label
            line = MplPath([start, nearest_point(box, start)])
            hits += sum(1 for other in scene.leaders if line.intersects_path(other))
            hits += sum(1 for other in scene.boxes if not other.contains(*start) and line.intersects_bbox(other))
        if best_hits is None or hits < best_hits:
            best, best_hits, best_box, best_leader = tried_at, hits, box, line
            if hits == 0:
                break
    if best_hits and optional:
        return None
    dx, dy, ha, va, shown, led, size = best
    arrow = {"arrowprops": {"arrowstyle": "-", "color": leader, "linewidth": 0.6, "shrinkA": 1,
                            "shrinkB": 2}} if led else {}
    sized = style | {"fontsize": size} if size else style
    note = ax.annotate(shown, anchor, xytext=(dx, dy), textcoords="offset points", ha=ha, va=va,
                       multialignment="center", annotation_clip=False, **arrow, **sized)
    scene.add_box(best_box)
    if best_leader is not None:
        scene.leaders.append(best_leader)
    return note


def nearest_point(box, point) -> tuple[float, float]:
    """The point of ``box`` nearest to ``point`` (where a leader from it meets the label)."""
    x, y = point
    return min(max(x, box.x0), box.x1), min(max(y, box.y0), box.y1)
