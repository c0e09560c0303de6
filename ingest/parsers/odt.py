"""ODT (LibreOffice Writer, common in local authorities): paragraphs, headings and tables of the
body in order; headers/footers live in styles.xml and are left out, notes go after the body."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from lxml import etree

from ingest.assemble import DraftPage, assemble
from ingest.errors import CorruptFileError
from ingest.options import ParseOptions
from ingest.safety import check_zip
from models.domain.types import ParsedDocument

_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"


def _t(name: str) -> str:
    return f"{{{_TEXT}}}{name}"


_P, _H, _LIST, _ITEM, _SECTION = _t("p"), _t("h"), _t("list"), _t("list-item"), _t("section")
_S, _TAB, _BREAK, _NOTE, _NOTE_BODY, _NOTE_CITATION = (_t("s"), _t("tab"), _t("line-break"), _t("note"),
                                                      _t("note-body"), _t("note-citation"))
_TBL, _ROW, _CELL = f"{{{_TABLE}}}table", f"{{{_TABLE}}}table-row", f"{{{_TABLE}}}table-cell"
_ROW_GROUPS = {f"{{{_TABLE}}}{n}" for n in ("table-header-rows", "table-rows", "table-row-group")}


def _inline(node: Any, notes: list[str]) -> str:
    """Visible text of a paragraph: spans, links, spaces (text:s c=N), tabs, line breaks; a note's
    body is moved to `notes` and only its citation mark stays in place."""
    parts = [node.text or ""]
    for child in node:
        if child.tag == _S:
            parts.append(" " * int(child.get(_t("c"), "1")))
        elif child.tag == _TAB:
            parts.append(" ")
        elif child.tag == _BREAK:
            parts.append("\n")
        elif child.tag == _NOTE:
            citation = child.find(_NOTE_CITATION)
            mark = (citation.text or "").strip() if citation is not None else ""
            body = child.find(_NOTE_BODY)
            if body is not None:
                text = " ".join(_inline(p, notes).strip() for p in body.iter(_P, _H))
                notes.append(f"Note {mark} : {text}".replace("  ", " "))
            parts.append(mark)
        elif isinstance(child.tag, str):
            parts.append(_inline(child, notes))
        parts.append(child.tail or "")
    return "".join(parts)


def _rows(table: Any, notes: list[str]) -> list[list[str]]:
    rows: list[list[str]] = []
    for element in table:
        if element.tag in _ROW_GROUPS:
            rows.extend(_rows(element, notes))
        elif element.tag == _ROW:
            cells = []
            for cell in element.iterchildren(_CELL):
                text = " ".join(_inline(p, notes).strip() for p in cell.iter(_P, _H))
                cells.append(text.strip())
            while cells and not cells[-1]:
                cells.pop()  # a row padded to the sheet width with repeated empty cells
            rows.append(cells)
    return rows


def _walk(parent: Any, page: DraftPage, pending: list[str], notes: list[str], prefix: str = "") -> None:
    for child in parent:
        if child.tag in (_P, _H):
            pending.append(prefix + _inline(child, notes))
        elif child.tag == _LIST:
            for item in child.iterchildren(_ITEM):
                _walk(item, page, pending, notes, prefix="- ")
        elif child.tag == _SECTION:
            _walk(child, page, pending, notes, prefix)
        elif child.tag == _TBL:
            if pending:
                page.add_text("\n".join(pending))
                pending.clear()
            page.add_table(_rows(child, notes))


class OdtParser:
    name = "odt"

    def score(self, fmt: str, data: bytes, filename: str | None) -> int:
        return 100 if fmt == "odt" else 0

    def parse(self, data: bytes, *, filename: str, options: ParseOptions) -> ParsedDocument:
        check_zip(data, options, "ODT")
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                root = etree.fromstring(archive.read("content.xml"))
        except (KeyError, zipfile.BadZipFile, etree.XMLSyntaxError, OSError) as exc:
            raise CorruptFileError("ODT", "contenu LibreOffice invalide") from exc
        body = root.find(f"{{{_OFFICE}}}body/{{{_OFFICE}}}text")
        if body is None:
            raise CorruptFileError("ODT", "document sans texte")
        page = DraftPage(number=1)
        pending: list[str] = []
        notes: list[str] = []
        _walk(body, page, pending, notes)
        if pending:
            page.add_text("\n".join(pending))
        if notes:
            page.add_text("\n".join(notes))
        return assemble([page], fmt="odt", paginated=False)
