"""PDF: pypdfium2 text per page (fast), pdfplumber only on pages that look ruled (tables),
tesseract on pages without a usable text layer."""

from __future__ import annotations

import io
import logging
import re
import threading
from collections import Counter
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from ingest.assemble import DraftPage, assemble, strip_running_lines
from ingest.clean import clean_text
from ingest.errors import CorruptFileError, IngestError, OcrUnavailableError, PasswordProtectedError
from ingest.options import ParseOptions
from ingest.parsers.ocr import ocr_image
from ingest.parsers.pdf_tables import find_grids, page_blocks, plausible_tables, ruled_segments
from ingest.safety import safe_filename
from models.domain.types import Attachment, ParsedDocument, ParseStatus

log = logging.getLogger(__name__)

# PDFium is not thread-safe (pypdfium2 documents it): API threads take turns; worker processes
# (Celery prefork) each have their own copy and run in parallel.
_PDFIUM_LOCK = threading.Lock()

_PASSWORD_ERROR = 4  # FPDF_ERR_PASSWORD
_EDGE_BAND = 0.09  # share of the page height searched for running headers/footers
# pdfplumber engine: fewer vector paths than this is a rule under a header, not a table
_RULED_MIN_PATHS = 6
_SCAN_COVERAGE = 0.5  # an image over half the page with little text is a scan
_STAMP_MAX_CHARS = 200
_OUTLINED_TEXT_PATHS = 150  # a page of vector glyphs and no text layer (text "converted to curves")
_UNUSUAL = re.compile(r"[^\sA-Za-z0-9\u00c0-\u024f.,;:!?'’\"()\[\]\-–—/%€$£°«»&@#*+=<>_§•…]")
_MAX_OCR_PIXELS = 40_000_000  # about an A3 page at 300 dpi
_IMAGE_TYPES = (pdfium_c.FPDF_PAGEOBJ_IMAGE, pdfium_c.FPDF_PAGEOBJ_FORM)
_PDF_DATE = re.compile(r"^D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?([+\-Z])?(\d{2})?'?(\d{2})?")
_METADATA_KEYS = {"Title": "title", "Author": "author", "Subject": "subject", "Creator": "creator",
                  "Producer": "producer", "CreationDate": "created", "ModDate": "modified"}


def _readable_share(text: str) -> float:
    """Share of visible characters that are ordinary Latin text; broken font encodings give
    control, private-use or box characters instead. A sample is enough to tell."""
    sample = text[:4000]
    visible = len("".join(sample.split()))
    if not visible:
        return 0.0
    return 1 - len(_UNUSUAL.findall(sample)) / visible


def _object_census(page: pdfium.PdfPage) -> tuple[int, float]:
    """Number of vector paths, and the largest share of the page covered by one image or form."""
    left, bottom, right, top = page.get_cropbox()
    area = max((right - left) * (top - bottom), 1.0)
    paths, coverage = 0, 0.0
    for obj in page.get_objects(max_depth=1):
        if obj.type == pdfium_c.FPDF_PAGEOBJ_PATH:
            paths += 1
        elif obj.type in _IMAGE_TYPES:
            x0, y0, x1, y1 = obj.get_bounds()
            coverage = max(coverage, min((x1 - x0) * (y1 - y0) / area, 1.0), 1e-6)
    return paths, coverage


def _needs_ocr(raw: str, coverage: float, paths: int, options: ParseOptions) -> bool:
    visible = len("".join(raw.split()))
    if visible >= options.ocr_min_chars and _readable_share(raw) < 0.5:
        return True  # fonts without a Unicode map: the text layer is noise, the picture is not
    if visible < options.ocr_min_chars:
        # a scan, or text converted to vector outlines; a blank page has neither
        return coverage > 0 or paths >= _OUTLINED_TEXT_PATHS
    # A scan with a few words stamped on it by a mail-room or e-signature tool.
    return coverage >= _SCAN_COVERAGE and visible < _STAMP_MAX_CHARS


def _merge_stamp(ocr_text: str, raw: str) -> str:
    """OCR text first, then the lines of the text layer the OCR did not already read (a stamp
    drawn over the scan is also in the picture: keeping both would duplicate it)."""
    seen = re.sub(r"\W+", "", ocr_text.casefold())
    extra = [line for line in clean_text(raw).split("\n")
             if (key := re.sub(r"\W+", "", line.casefold())) and key not in seen]
    return "\n".join([ocr_text, *extra]) if extra else ocr_text


def _edge_lines(textpage: pdfium.PdfTextPage, page: pdfium.PdfPage) -> Counter[str]:
    left, bottom, right, top = page.get_cropbox()
    band = (top - bottom) * _EDGE_BAND
    lines: Counter[str] = Counter()
    for area in ((left, top - band, right, top), (left, bottom, right, bottom + band)):
        lines.update(line.strip() for line in clean_text(textpage.get_text_bounded(*area)).split("\n"))
    del lines[""]
    return lines


class PdfParser:
    name = "pdf"

    def score(self, fmt: str, data: bytes, filename: str | None) -> int:
        return 100 if fmt == "pdf" else 0

    def parse(self, data: bytes, *, filename: str, options: ParseOptions) -> ParsedDocument:
        with _PDFIUM_LOCK:
            try:
                document = pdfium.PdfDocument(data)
            except pdfium.PdfiumError as exc:
                if getattr(exc, "err_code", None) == _PASSWORD_ERROR:
                    raise PasswordProtectedError("PDF") from exc
                raise CorruptFileError("PDF", "structure du PDF invalide") from exc
            try:
                return self._parse_document(document, data, options)
            finally:
                document.close()

    def _parse_document(self, document: pdfium.PdfDocument, data: bytes, options: ParseOptions) -> ParsedDocument:
        count = len(document)
        if count == 0:
            raise CorruptFileError("PDF", "aucune page")
        errors: list[str] = []
        limit = min(count, options.max_pages)
        if count > limit:
            errors.append(
                f"Document de {count} pages : seules les {limit} premières ont été lues "
                "(limite d'import) ; découpez le fichier pour lire la suite."
            )
        plumber: list[Any] = []  # opened lazily: most PDFs never need pdfplumber
        pages: list[DraftPage] = []
        unread_scans: list[int] = []
        broken: list[int] = []
        for index in range(limit):
            draft = DraftPage(number=index + 1)
            try:
                self._read_page(document, index, data, draft, plumber, options, errors, unread_scans)
            except pdfium.PdfiumError:
                # One damaged page must not cost the others: keep an empty page, say which.
                log.warning("page %d of a PDF could not be loaded", index + 1, exc_info=True)
                broken.append(index + 1)
            pages.append(draft)
        if plumber:
            plumber[0].close()
        if broken and len(broken) == limit:
            raise CorruptFileError("PDF", "aucune page lisible")
        if broken:
            errors.append(f"Page(s) endommagée(s) non lue(s) : {', '.join(map(str, broken[:20]))} ; le fichier "
                          "original est conservé.")
        if unread_scans:  # only filled when OCR is switched off
            shown = ", ".join(str(n) for n in unread_scans[:20]) + ("…" if len(unread_scans) > 20 else "")
            errors.append(
                f"Page(s) numérisée(s) sans texte ({shown}) : l'OCR est désactivé, leur contenu n'a pas "
                "été lu ; activez l'OCR ou fournissez un PDF texte."
            )
        if options.strip_running_headers:
            strip_running_lines(pages)
        metadata = self._metadata(document)
        metadata["page_count"] = str(count)
        attachments = self._attachments(document, errors)
        status: ParseStatus = "partial" if errors else "parsed"
        return assemble(pages, fmt="pdf", paginated=True, status=status, errors=errors, metadata=metadata,
                        attachments=attachments)

    @staticmethod
    def _attachments(document: pdfium.PdfDocument, errors: list[str]) -> list[Attachment]:
        """Files embedded in the PDF (an annex joined to a letter): returned as child documents."""
        out: list[Attachment] = []
        for index in range(document.count_attachments()):
            try:
                attachment = document.get_attachment(index)
                name = attachment.get_name() or f"piece-jointe-{index + 1}"
                out.append(Attachment(safe_filename(name), bytes(attachment.get_data())))
            except (pdfium.PdfiumError, OSError, ValueError):
                errors.append(f"Fichier joint n° {index + 1} du PDF illisible : il n'a pas été extrait.")
        return out

    def _read_page(self, document: pdfium.PdfDocument, index: int, data: bytes, draft: DraftPage,
                   plumber: list[Any], options: ParseOptions, errors: list[str], unread_scans: list[int]) -> None:
        page = document[index]
        textpage = page.get_textpage()
        try:
            raw = textpage.get_text_range()
            paths, coverage = _object_census(page)
            if _needs_ocr(raw, coverage, paths, options):
                self._ocr_page(page, draft, raw, options, errors, unread_scans)
                return
            if options.strip_running_headers:
                draft.edge_lines = _edge_lines(textpage, page)
            if not (options.pdf_tables and paths
                    and self._tables_page(page, textpage, data, index, draft, plumber, options, paths)):
                draft.add_text(raw)
        finally:
            textpage.close()
            page.close()

    def _ocr_page(self, page: pdfium.PdfPage, draft: DraftPage, raw: str, options: ParseOptions,
                  errors: list[str], unread: list[int]) -> None:
        if not options.ocr:
            draft.add_text(raw)
            unread.append(draft.number)
            return
        try:
            width, height = page.get_size()
            # An A0 plan at 300 dpi would be 140 Mpx: cap the picture, tesseract needs no more.
            scale = min(options.ocr_dpi / 72, (_MAX_OCR_PIXELS / max(width * height, 1.0)) ** 0.5)
            bitmap = page.render(scale=scale, grayscale=True)
            result = ocr_image(bitmap.to_pil(), options)
        except OcrUnavailableError as exc:
            if exc.message not in errors:
                errors.append(exc.message)
            draft.add_text(raw)
            return
        except IngestError as exc:
            errors.append(f"Page {draft.number} : {exc.message}")
            draft.add_text(raw)
            return
        draft.add_text(_merge_stamp(result.text, raw) if raw.strip() else result.text)
        draft.ocr = True
        draft.ocr_confidence = result.confidence

    def _tables_page(self, page: pdfium.PdfPage, textpage: pdfium.PdfTextPage, data: bytes, index: int,
                     draft: DraftPage, plumber: list[Any], options: ParseOptions, paths: int) -> bool:
        if options.pdf_table_engine == "pdfplumber":
            return paths >= _RULED_MIN_PATHS and self._layout_page(data, index, draft, plumber)
        grids = plausible_tables(find_grids(ruled_segments(page)), page.get_cropbox())
        if not grids:
            return False
        blocks = page_blocks(textpage, page.get_cropbox(), grids)
        if blocks is None:  # side-by-side tables: pdfplumber knows how to read them
            return self._layout_page(data, index, draft, plumber)
        for block in blocks:
            if isinstance(block, str):
                draft.add_text(block)
            else:
                draft.add_table(block)
        return True

    def _layout_page(self, data: bytes, index: int, draft: DraftPage, plumber: list[Any]) -> bool:
        """Rebuild a ruled page with pdfplumber: text lines and tables in vertical order.
        Returns False (caller keeps pdfium's text) when no table is found or pdfplumber fails."""
        try:
            if not plumber:
                import pdfplumber

                plumber.append(pdfplumber.open(io.BytesIO(data)))
            ppage = plumber[0].pages[index]
            found = ppage.find_tables()
            if not found:
                return False
            boxes = [t.bbox for t in found]

            def outside(obj: dict[str, Any]) -> bool:
                if "x0" not in obj or "top" not in obj:
                    return True
                cx = (obj["x0"] + obj["x1"]) / 2
                cy = (obj["top"] + obj["bottom"]) / 2
                return not any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)

            items: list[tuple[float, int, Any]] = [
                (line["top"], 0, line["text"]) for line in ppage.filter(outside).extract_text_lines()
            ]
            items += [(t.bbox[1], 1, t.extract()) for t in found]
        except Exception:  # noqa: BLE001 - layout is an improvement, pdfium's text stays the fallback
            log.warning("pdfplumber failed on page %d; keeping pdfium text", index + 1, exc_info=True)
            return False
        pending: list[str] = []
        for _, kind, payload in sorted(items, key=lambda item: (item[0], item[1])):
            if kind == 0:
                pending.append(payload)
                continue
            if pending:
                draft.add_text("\n".join(pending))
                pending = []
            draft.add_table(payload)
        if pending:
            draft.add_text("\n".join(pending))
        return True

    @staticmethod
    def _metadata(document: pdfium.PdfDocument) -> dict[str, str]:
        try:
            raw = document.get_metadata_dict(skip_empty=True)
        except Exception:  # noqa: BLE001 - metadata is optional
            return {}
        out = {_METADATA_KEYS[k]: clean_text(v) for k, v in raw.items() if k in _METADATA_KEYS and v}
        for key in ("created", "modified"):
            if key in out:
                out[key] = pdf_date_to_iso(out[key])
        return out


def pdf_date_to_iso(value: str) -> str:
    """« D:20240315093000+01'00' » → « 2024-03-15T09:30:00+01:00 »; anything else unchanged."""
    match = _PDF_DATE.match(value)
    if not match:
        return value
    year, month, day, hour, minute, second, sign, tz_h, tz_m = match.groups()
    iso = f"{year}-{month or '01'}-{day or '01'}T{hour or '00'}:{minute or '00'}:{second or '00'}"
    if sign in ("+", "-"):
        iso += f"{sign}{tz_h or '00'}:{tz_m or '00'}"
    elif sign == "Z":
        iso += "+00:00"
    return iso
