"""Plain text, Markdown, CSV (kept as written: Markdown headings such as « ### Article 9.2 » are
left for nlp) and HTML."""

from __future__ import annotations

import re

from ingest.assemble import DraftPage, assemble, single_page
from ingest.charset import decode_bytes
from ingest.html import html_to_text
from ingest.options import ParseOptions
from models.domain.types import ParsedDocument

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", re.IGNORECASE)


class TextParser:
    name = "text"

    def score(self, fmt: str, data: bytes, filename: str | None) -> int:
        return 100 if fmt in ("txt", "md", "csv") else 0

    def parse(self, data: bytes, *, filename: str, options: ParseOptions) -> ParsedDocument:
        text, encoding = decode_bytes(data)
        fmt = "md" if filename.lower().endswith((".md", ".markdown")) else "txt"
        if filename.lower().endswith((".csv", ".tsv")):
            fmt = "csv"
        chunks = text.split("\f")
        if len([c for c in chunks if c.strip()]) >= 2:
            # Form feeds are page breaks (pdftotext, line printers): keep the pages for citations.
            if not chunks[-1].strip():
                chunks.pop()
            pages = []
            for number, chunk in enumerate(chunks, start=1):
                page = DraftPage(number=number)
                page.add_text(chunk)
                pages.append(page)
            return assemble(pages, fmt=fmt, paginated=True, metadata={"encoding": encoding})
        return single_page(text, fmt=fmt, metadata={"encoding": encoding})


class HtmlParser:
    name = "html"

    def score(self, fmt: str, data: bytes, filename: str | None) -> int:
        return 100 if fmt == "html" else 0

    def parse(self, data: bytes, *, filename: str, options: ParseOptions) -> ParsedDocument:
        declared = _META_CHARSET.search(data[:4096])
        text, encoding = decode_bytes(data, declared.group(1).decode("ascii") if declared else None)
        return single_page(html_to_text(text), fmt="html", metadata={"encoding": encoding})
