"""Parser contract and the score auction: every parser bids on a detected format, the highest
positive bid parses (paperless-ngx style), so a better parser can be added without touching the
others."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from ingest.options import ParseOptions
from models.domain.types import ParsedDocument


class Parser(Protocol):
    name: str

    def score(self, fmt: str, data: bytes, filename: str | None) -> int:
        """0 = cannot parse; higher wins."""
        ...

    def parse(self, data: bytes, *, filename: str, options: ParseOptions) -> ParsedDocument:
        """Parse `data` or raise IngestError (a French message) for a data problem."""
        ...


class ParserRegistry:
    def __init__(self, parsers: Iterable[Parser] = ()) -> None:
        self._parsers: list[Parser] = list(parsers)

    def register(self, parser: Parser) -> None:
        self._parsers.append(parser)

    def select(self, fmt: str, data: bytes, filename: str | None) -> Parser | None:
        best: Parser | None = None
        best_score = 0
        for parser in self._parsers:
            bid = parser.score(fmt, data, filename)
            if bid > best_score:  # ties keep the first registered parser
                best, best_score = parser, bid
        return best

    @property
    def parsers(self) -> tuple[Parser, ...]:
        return tuple(self._parsers)


def default_registry() -> ParserRegistry:
    from ingest.parsers.docx import DocxParser
    from ingest.parsers.email import EmlParser, MsgParser
    from ingest.parsers.image import ImageParser
    from ingest.parsers.odt import OdtParser
    from ingest.parsers.pdf import PdfParser
    from ingest.parsers.text import HtmlParser, TextParser
    from ingest.parsers.xlsx import XlsxParser

    return ParserRegistry(
        [PdfParser(), DocxParser(), OdtParser(), XlsxParser(), EmlParser(), MsgParser(), HtmlParser(),
         TextParser(), ImageParser()]
    )
