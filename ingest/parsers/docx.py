"""DOCX through python-docx: body paragraphs and tables in document order; headers and footers
left out (they repeat on every printed page); automatic numbering rendered as text."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import Any

from docx import Document
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

from ingest.assemble import DraftPage, assemble
from ingest.clean import clean_text
from ingest.errors import CorruptFileError
from ingest.options import ParseOptions
from ingest.parsers.docx_numbering import Numbering
from ingest.safety import check_zip, safe_filename
from models.domain.types import Attachment, ParsedDocument

_P, _TBL, _SDT, _SDT_CONTENT = qn("w:p"), qn("w:tbl"), qn("w:sdt"), qn("w:sdtContent")
_T, _TAB, _BR, _CR = qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr")
_NB_HYPHEN, _RPR, _VANISH, _VAL = qn("w:noBreakHyphen"), qn("w:rPr"), qn("w:vanish"), qn("w:val")
# Text under these is not what the reader sees: the duplicate of a text box kept for old readers,
# and the source of a tracked move (the text also appears at its destination).
_SKIP_ANCESTORS = frozenset({"{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback",
                             qn("w:moveFrom")})
_TR, _TC = qn("w:tr"), qn("w:tc")


def _blocks(parent: Any) -> Iterator[Any]:
    """Paragraphs and tables in order, looking inside content controls (forms such as the AE)."""
    for child in parent.iterchildren():
        if child.tag in (_P, _TBL):
            yield child
        elif child.tag == _SDT:
            content = child.find(_SDT_CONTENT)
            if content is not None:
                yield from _blocks(content)


def _hidden(node: Any) -> bool:
    """Run formatted as hidden text (w:vanish): Word neither shows nor prints it."""
    run = node.getparent()
    props = run.find(_RPR) if run is not None else None
    vanish = props.find(_VANISH) if props is not None else None
    return vanish is not None and vanish.get(_VAL, "true") not in ("0", "false", "off")


def _paragraph_text(p: Any) -> str:
    """All visible text of a paragraph, including inserted revisions, hyperlinks, fields' results
    and text boxes (python-docx's Paragraph.text skips runs nested in w:ins)."""
    parts: list[str] = []
    for node in p.iter(_T, _TAB, _BR, _CR, _NB_HYPHEN):
        if any(anc.tag in _SKIP_ANCESTORS for anc in node.iterancestors()) or _hidden(node):
            continue
        if node.tag == _T:
            parts.append(node.text or "")
        elif node.tag == _TAB:
            parts.append(" ")
        elif node.tag == _NB_HYPHEN:
            parts.append("-")  # « 2024‑FCS‑012 » typed with Ctrl+Shift+-
        else:
            parts.append("\n")
    return "".join(parts)


def _cell_text(tc: Any) -> str:
    pieces: list[str] = []
    for block in _blocks(tc):
        if block.tag == _P:
            pieces.append(_paragraph_text(block))
        else:
            pieces.append(" ; ".join(" / ".join(row) for row in _table_rows(block)))
    return " ".join(clean_text(piece).replace("\n", " ") for piece in pieces if piece.strip())


def _row_cells(tr: Any) -> Iterator[Any]:
    """Direct cells of a row (not those of nested tables); a merged cell appears once."""
    for child in tr.iterchildren():
        if child.tag == _TC:
            yield child
        elif child.tag == _SDT:
            content = child.find(_SDT_CONTENT)
            if content is not None:
                yield from content.iterchildren(_TC)


def _table_rows(tbl: Any) -> list[list[str]]:
    rows: list[list[str]] = []
    for tr in tbl.iterchildren(_TR):
        rows.append([_cell_text(tc) for tc in _row_cells(tr)])
    return rows


_NOTE_KINDS = (("/footnotes", "w:footnote", "Note"), ("/endnotes", "w:endnote", "Note de fin"))


def _notes(document: Any) -> list[str]:
    """Footnotes and endnotes after the body (« Note 1 : ... »): they may carry the reference of
    the CCAG or of a decree, and are not in the body's paragraphs."""
    from lxml import etree

    lines: list[str] = []
    for suffix, tag, label in _NOTE_KINDS:
        for rel in document.part.rels.values():
            if rel.is_external or not rel.reltype.endswith(suffix):
                continue
            try:
                root = etree.fromstring(rel.target_part.blob)
            except (etree.XMLSyntaxError, ValueError):
                continue
            for note in root.iterchildren(qn(tag)):
                if note.get(qn("w:type")) in ("separator", "continuationSeparator", "continuationNotice"):
                    continue
                text = " ".join(_paragraph_text(p).strip() for p in note.iter(_P) if _paragraph_text(p).strip())
                if text:
                    lines.append(f"{label} {note.get(qn('w:id'))} : {text}")
    return lines


_EMBEDDED_KINDS = (".pdf", ".docx", ".xlsx", ".docm", ".xlsm")


def _embedded_files(data: bytes) -> list[Attachment]:
    """Documents embedded in the DOCX (a price schedule inserted as an object): child documents.
    Legacy OLE packages (oleObject*.bin) are left in the original."""
    out: list[Attachment] = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:  # sizes already bounded by check_zip
        for info in archive.infolist():
            if info.filename.startswith("word/embeddings/") and info.filename.lower().endswith(_EMBEDDED_KINDS):
                out.append(Attachment(safe_filename(info.filename), archive.read(info)))
    return out


class DocxParser:
    name = "docx"

    def score(self, fmt: str, data: bytes, filename: str | None) -> int:
        return 100 if fmt == "docx" else 0

    def parse(self, data: bytes, *, filename: str, options: ParseOptions) -> ParsedDocument:
        check_zip(data, options, "DOCX")
        try:
            document = Document(io.BytesIO(data))
        except Exception as exc:  # noqa: BLE001 - python-docx raises KeyError, ValueError, lxml errors...
            raise CorruptFileError("DOCX", "contenu Word invalide") from exc
        numbering = Numbering(document)
        page = DraftPage(number=1)
        pending: list[str] = []
        for block in _blocks(document.element.body):
            if block.tag == _P:
                paragraph = Paragraph(block, document)
                text = _paragraph_text(block)
                try:
                    style = paragraph.style
                except (KeyError, ValueError, AttributeError):
                    style = None
                label = numbering.label(block, style)
                if label and text.strip():
                    text = f"{label} {text}"
                pending.append(text)
            else:
                if pending:
                    page.add_text("\n".join(pending))
                    pending = []
                page.add_table(_table_rows(block))
        if pending:
            page.add_text("\n".join(pending))
        notes = _notes(document)
        if notes:
            page.add_text("\n".join(notes))
        return assemble([page], fmt="docx", paginated=False, metadata=self._metadata(document),
                        attachments=_embedded_files(data))

    @staticmethod
    def _metadata(document: Any) -> dict[str, str]:
        props = document.core_properties
        out: dict[str, str] = {}
        for key, value in (("title", props.title), ("author", props.author), ("subject", props.subject)):
            if value:
                out[key] = str(value)
        for key, stamp in (("created", props.created), ("modified", props.modified)):
            if stamp is not None:
                out[key] = stamp.isoformat()
        return out
