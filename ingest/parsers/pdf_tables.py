"""Ruled tables found from the page's vector lines with pypdfium2 alone.

Why not pdfplumber on every table page: pdfminer re-parses every glyph of the page in Python
(~0.3 s for a dense A4 page, measured in bench/ingest.py); the grid below costs a few ms.
A table here is a connected set of horizontal and vertical rules; cells whose separating rule is
missing are merged (row and column spans). The text of each cell is read with pdfium's bounded
text, and the text around the tables keeps its vertical order."""

from __future__ import annotations

import ctypes
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

TOL = 2.0  # points: rules closer than this are the same rule (line widths, rounding)
_THIN = 3.0  # a filled rectangle thinner than this is a rule (Word draws borders that way)
_MAX_PATHS = 3000  # beyond this the page is a drawing (map, plan), not a form with tables
Rect = tuple[float, float, float, float]  # left, bottom, right, top (PDF points, y upwards)


@dataclass(frozen=True)
class Segment:
    horizontal: bool
    pos: float  # y of a horizontal rule, x of a vertical one
    start: float
    end: float


@dataclass(frozen=True)
class Grid:
    xs: tuple[float, ...]  # column boundaries, left to right
    ys: tuple[float, ...]  # row boundaries, top to bottom
    cells: tuple[tuple[Rect | None, ...], ...]  # None where a merged cell continues

    @property
    def bbox(self) -> Rect:
        return self.xs[0], self.ys[-1], self.xs[-1], self.ys[0]


def _add(out: list[Segment], x0: float, y0: float, x1: float, y1: float) -> None:
    if abs(y1 - y0) <= TOL / 2 and abs(x1 - x0) > TOL:
        out.append(Segment(True, (y0 + y1) / 2, min(x0, x1), max(x0, x1)))
    elif abs(x1 - x0) <= TOL / 2 and abs(y1 - y0) > TOL:
        out.append(Segment(False, (x0 + x1) / 2, min(y0, y1), max(y0, y1)))


def _path_segments(obj: pdfium.PdfObject, out: list[Segment]) -> None:
    left, bottom, right, top = obj.get_bounds()
    width, height = right - left, top - bottom
    if height <= _THIN and width > _THIN:
        out.append(Segment(True, (bottom + top) / 2, left, right))
        return
    if width <= _THIN and height > _THIN:
        out.append(Segment(False, (left + right) / 2, bottom, top))
        return
    # A rectangle or a path of several rules: walk its straight segments.
    count = pdfium_c.FPDFPath_CountSegments(obj.raw)
    if count <= 0 or count > 400:
        return
    m = obj.get_matrix()
    x, y = ctypes.c_float(), ctypes.c_float()
    first: tuple[float, float] | None = None
    previous: tuple[float, float] | None = None
    for index in range(count):
        seg = pdfium_c.FPDFPath_GetPathSegment(obj.raw, index)
        if not pdfium_c.FPDFPathSegment_GetPoint(seg, x, y):
            return
        point = (m.a * x.value + m.c * y.value + m.e, m.b * x.value + m.d * y.value + m.f)
        kind = pdfium_c.FPDFPathSegment_GetType(seg)
        if kind == pdfium_c.FPDF_SEGMENT_BEZIERTO:
            return  # curves: a logo or a drawing, not a table
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
            first = point
        elif previous is not None:
            _add(out, previous[0], previous[1], point[0], point[1])
        if pdfium_c.FPDFPathSegment_GetClose(seg) and first is not None:
            _add(out, point[0], point[1], first[0], first[1])
        previous = point


def ruled_segments(page: pdfium.PdfPage) -> list[Segment]:
    out: list[Segment] = []
    paths = [o for o in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_PATH,), max_depth=1)]
    if len(paths) > _MAX_PATHS:
        return out
    for obj in paths:
        _path_segments(obj, out)
    return out


def _cluster(values: list[float]) -> list[float]:
    groups: list[list[float]] = []
    for value in sorted(values):
        if groups and value - groups[-1][-1] <= TOL:
            groups[-1].append(value)
        else:
            groups.append([value])
    return [sum(g) / len(g) for g in groups]


def _touch(h: Segment, v: Segment) -> bool:
    return h.start - TOL <= v.pos <= h.end + TOL and v.start - TOL <= h.pos <= v.end + TOL


def _covers(segments: list[Segment], pos: float, at: float) -> bool:
    return any(abs(s.pos - pos) <= TOL and s.start - TOL <= at <= s.end + TOL for s in segments)


def find_grids(segments: list[Segment]) -> list[Grid]:
    """Connected rules → grids with at least two cells, top of the page first."""
    hs = [s for s in segments if s.horizontal]
    vs = [s for s in segments if not s.horizontal]
    if len(hs) < 2 or len(vs) < 2 or len(hs) * len(vs) > 250_000:
        return []
    parent = list(range(len(hs) + len(vs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, h in enumerate(hs):
        for j, v in enumerate(vs):
            if _touch(h, v):
                parent[find(i)] = find(len(hs) + j)
    components: dict[int, list[int]] = {}
    for i in range(len(parent)):
        components.setdefault(find(i), []).append(i)
    grids = []
    for members in components.values():
        ch = [hs[i] for i in members if i < len(hs)]
        cv = [vs[i - len(hs)] for i in members if i >= len(hs)]
        grid = _grid(ch, cv)
        if grid is not None:
            grids.append(grid)
    return sorted(grids, key=lambda g: -g.ys[0])


def _grid(hs: list[Segment], vs: list[Segment]) -> Grid | None:
    xs = _cluster([v.pos for v in vs])
    ys = sorted(_cluster([h.pos for h in hs]), reverse=True)
    if len(xs) < 2 or len(ys) < 2 or (len(xs) - 1) * (len(ys) - 1) < 2:
        return None
    rows, cols = len(ys) - 1, len(xs) - 1
    owner = {(i, j): (i, j) for i in range(rows) for j in range(cols)}

    def root(cell: tuple[int, int]) -> tuple[int, int]:
        while owner[cell] != cell:
            cell = owner[cell]
        return cell

    for i in range(rows):
        for j in range(cols):
            mid_y = (ys[i] + ys[i + 1]) / 2
            mid_x = (xs[j] + xs[j + 1]) / 2
            if j > 0 and not _covers(vs, xs[j], mid_y):
                a, b = root((i, j)), root((i, j - 1))
                owner[max(a, b)] = min(a, b)
            if i > 0 and not _covers(hs, ys[i], mid_x):
                a, b = root((i, j)), root((i - 1, j))
                owner[max(a, b)] = min(a, b)
    spans: dict[tuple[int, int], list[int]] = {}
    for i in range(rows):
        for j in range(cols):
            r = root((i, j))
            box = spans.setdefault(r, [i, j, i, j])
            box[2], box[3] = max(box[2], i), max(box[3], j)
    if len(spans) < 2:
        return None  # a framed paragraph, not a table
    cells: list[list[Rect | None]] = [[None] * cols for _ in range(rows)]
    for (i, j), (_, _, last_row, last_col) in spans.items():
        cells[i][j] = (xs[j], ys[last_row + 1], xs[last_col + 1], ys[i])
    return Grid(tuple(xs), tuple(ys), tuple(tuple(r) for r in cells))


def plausible_tables(grids: list[Grid], page_box: Rect) -> list[Grid]:
    """Drop grids that are page furniture rather than tables: one row or one column (a frame
    with a rule under the letterhead, a two-column layout), or a few huge cells covering most of
    the page (a framed page). Their text then stays in reading order, line by line."""
    left, bottom, right, top = page_box
    page_area = max((right - left) * (top - bottom), 1.0)
    kept = []
    for grid in grids:
        rows, cols = len(grid.ys) - 1, len(grid.xs) - 1
        g_left, g_bottom, g_right, g_top = grid.bbox
        share = (g_right - g_left) * (g_top - g_bottom) / page_area
        if rows < 2 or cols < 2 or (share > 0.6 and rows < 4):
            continue
        kept.append(grid)
    return kept


def grid_rows(textpage: pdfium.PdfTextPage, grid: Grid) -> list[list[str]]:
    rows = [[textpage.get_text_bounded(*cell) if cell else "" for cell in row] for row in grid.cells]
    keep = [j for j in range(len(grid.xs) - 1) if any(row[j].strip() for row in rows)]
    return [[row[j] for j in keep] for row in rows]


def page_blocks(textpage: pdfium.PdfTextPage, page_box: Rect, grids: list[Grid]) -> list[str | list[list[str]]] | None:
    """Text and tables of a page in vertical order; None when tables sit side by side (the caller
    then keeps another reading)."""
    left, bottom, right, top = page_box
    blocks: list[str | list[list[str]]] = []
    cursor = top
    for grid in grids:
        g_left, g_bottom, g_right, g_top = grid.bbox
        if g_top > cursor + TOL:
            return None
        blocks.append(textpage.get_text_bounded(left, g_top + TOL / 2, right, cursor))
        blocks.append(grid_rows(textpage, grid))
        # text beside a narrow table is kept after it rather than lost
        blocks.append(textpage.get_text_bounded(left, g_bottom, g_left - TOL / 2, g_top))
        blocks.append(textpage.get_text_bounded(g_right + TOL / 2, g_bottom, right, g_top))
        cursor = g_bottom - TOL / 2
    blocks.append(textpage.get_text_bounded(left, bottom, right, cursor))
    return [b for b in blocks if not isinstance(b, str) or b.strip()]
