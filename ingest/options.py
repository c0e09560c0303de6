"""Frozen options shared by every parser (built once by the composition root)."""

from __future__ import annotations

from dataclasses import dataclass

MIB = 1024 * 1024


@dataclass(frozen=True)
class ParseOptions:
    # Refuse anything larger before parsing: originals above this never reach a parser.
    max_bytes: int = 100 * MIB
    # OCR of pages without a text layer (scans) and of image files.
    ocr: bool = True
    ocr_lang: str = "fra"
    ocr_dpi: int = 300
    ocr_timeout_s: float = 120.0  # per page; a stuck tesseract must not block a worker
    # A page whose text layer has fewer visible characters than this is treated as a scan.
    ocr_min_chars: int = 16
    max_pages: int = 2000
    # OOXML (DOCX/XLSX) are zip archives: bound what decompression may cost.
    max_unzipped_bytes: int = 512 * MIB
    max_zip_ratio: float = 150.0
    max_zip_entries: int = 5000
    # E-mails inside e-mails: how deep the caller may follow attachments.
    max_attachment_depth: int = 3
    # Run pdfplumber table extraction on PDF pages that look ruled (cheap pre-check first).
    pdf_tables: bool = True
    # "pdfium": grid from the page's vector rules (fast, see parsers/pdf_tables.py), pdfplumber only
    # when tables sit side by side; "pdfplumber": pdfplumber's table finder on every ruled page.
    pdf_table_engine: str = "pdfium"
    # Repeated running headers/footers removed from paginated text.
    strip_running_headers: bool = True
    tesseract_cmd: str | None = None  # None: `tesseract` from PATH
