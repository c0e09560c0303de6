"""Build a ParsedDocument from per-page lines: running headers/footers, offsets, tables.

Pages are joined with "\n\n" and each `Page.start` is the offset of its first character, so a
span found by nlp maps back to its page with `ParsedDocument.page_at`."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from ingest.clean import clean_text, normalise_line_key
from models.domain.types import Attachment, Page, ParsedDocument, ParseStatus, Table

PAGE_SEPARATOR = "\n\n"
CELL_SEPARATOR = " | "
_ZONE_LINES = 3  # lines looked at on each edge of a page for running headers/footers


@dataclass
class DraftLine:
    text: str
    table: int | None = None  # index into DraftPage.tables when the line is a table row


@dataclass
class DraftPage:
    number: int
    lines: list[DraftLine] = field(default_factory=list)
    tables: list[tuple[tuple[str, ...], ...]] = field(default_factory=list)
    ocr: bool = False
    ocr_confidence: float | None = None
    # Exact text of the lines found in the top/bottom bands of the page by geometry (PDF). None when
    # the format gives no geometry (OCR): the first/last lines of the page are used instead.
    edge_lines: Counter[str] | None = None

    def add_text(self, raw: str) -> None:
        for line in clean_text(raw).split("\n"):
            self.lines.append(DraftLine(line))

    def add_table(self, rows: Sequence[Sequence[str | None]]) -> None:
        cleaned = tuple(
            tuple(clean_text(cell or "").replace("\n", " ") for cell in row)
            for row in rows
            if any((cell or "").strip() for cell in row)
        )
        if not cleaned:
            return
        index = len(self.tables)
        self.tables.append(cleaned)
        for row in cleaned:
            self.lines.append(DraftLine(CELL_SEPARATOR.join(row), table=index))


def _edge_indexes(page: DraftPage) -> list[int]:
    """Lines that may be running headers/footers: those seen in the page's edge bands when the
    geometry is known (a body line is never a candidate), else the first/last lines."""
    text_lines = [i for i, line in enumerate(page.lines) if line.table is None and line.text.strip()]
    if page.edge_lines is None:
        return sorted(set(text_lines[:_ZONE_LINES] + text_lines[-_ZONE_LINES:]))
    # As many occurrences as the bands hold, those nearest the ends of the text first: a body line
    # that repeats the header's words is not the header.
    left = Counter(page.edge_lines)
    last = len(page.lines) - 1
    chosen = []
    for i in sorted(text_lines, key=lambda i: min(i, last - i)):
        text = page.lines[i].text.strip()
        if left[text] > 0:
            left[text] -= 1
            chosen.append(i)
    return sorted(chosen)


def strip_running_lines(pages: list[DraftPage]) -> list[str]:
    """Remove lines repeated at the edges of most pages (digits folded: « Page 3/5 » = « Page 4/5 »)
    from every page but the first. Returns the keys of the running lines (for tests and logs)."""
    if len(pages) < 2:
        return []
    candidates = [{i: normalise_line_key(page.lines[i].text) for i in _edge_indexes(page)} for page in pages]
    counts = Counter(key for found in candidates for key in set(found.values()) if key)
    needed = max(2, math.ceil(0.6 * len(pages)))
    running = {key for key, n in counts.items() if n >= needed}
    if not running:
        return []
    # The first page keeps its copy: a letterhead or « Marché n° … » in a header may be the only
    # place naming the sender or the contract. Later copies are noise inside the text.
    for page, found in zip(pages[1:], candidates[1:], strict=True):
        drop = {i for i, key in found.items() if key in running}
        page.lines = [line for i, line in enumerate(page.lines) if i not in drop]
    return sorted(running)


def _page_text(page: DraftPage, base: int) -> tuple[str, list[Table]]:
    parts: list[str] = []
    offset = 0
    table_bounds: dict[int, list[int]] = {}
    for line in page.lines:
        if parts:
            offset += 1  # the "\n" before this line
        if line.table is not None:
            bounds = table_bounds.setdefault(line.table, [offset, offset])
            bounds[1] = offset + len(line.text)
        parts.append(line.text)
        offset += len(line.text)
    text = "\n".join(parts)
    # Leading/trailing blank lines are dropped so that Page.start points at real text.
    stripped = text.lstrip("\n")
    shift = len(text) - len(stripped)
    text = stripped.rstrip()
    tables = [
        Table(page=None, rows=page.tables[i], start=base + max(start - shift, 0),
              end=base + min(end - shift, len(text)))
        for i, (start, end) in sorted(table_bounds.items())
    ]
    return text, tables


def assemble(
    pages: list[DraftPage],
    *,
    fmt: str,
    paginated: bool,
    status: ParseStatus = "parsed",
    errors: list[str] | tuple[str, ...] = (),
    metadata: dict[str, str] | None = None,
    attachments: list[Attachment] | tuple[Attachment, ...] = (),
) -> ParsedDocument:
    out_pages: list[Page] = []
    out_tables: list[Table] = []
    chunks: list[str] = []
    cursor = 0
    for page in pages:
        if chunks:
            cursor += len(PAGE_SEPARATOR)
        text, tables = _page_text(page, cursor)
        out_pages.append(Page(number=page.number, text=text, start=cursor, ocr=page.ocr,
                              ocr_confidence=page.ocr_confidence))
        number = page.number if paginated else None
        out_tables.extend(Table(page=number, rows=t.rows, start=t.start, end=t.end) for t in tables)
        chunks.append(text)
        cursor += len(text)
    return ParsedDocument(
        status=status,
        format=fmt,
        text=PAGE_SEPARATOR.join(chunks),
        pages=tuple(out_pages),
        paginated=paginated,
        tables=tuple(out_tables),
        metadata=dict(metadata or {}),
        attachments=tuple(attachments),
        errors=tuple(errors),
    )


def single_page(text: str, *, fmt: str, **kwargs: object) -> ParsedDocument:
    """Flowing text (TXT, MD, HTML, e-mail): one Page holding everything, not paginated."""
    page = DraftPage(number=1)
    page.add_text(text)
    return assemble([page], fmt=fmt, paginated=False, **kwargs)  # type: ignore[arg-type]
