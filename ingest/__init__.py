"""Ingest layer: format detection, parsers (PDF, DOCX, XLSX, EML/MSG, TXT/MD/HTML, images via
OCR) and the content-addressed store of originals. Never imports nlp, search, api or models.db."""

from ingest.blobstore import BlobStore
from ingest.detect import detect_format
from ingest.errors import IngestError
from ingest.options import ParseOptions
from ingest.parse import parse_bytes, parse_path
from ingest.pipeline import IngestedFile, ingest_bytes
from ingest.safety import safe_filename

__all__ = ["BlobStore", "IngestError", "IngestedFile", "ParseOptions", "detect_format", "ingest_bytes",
           "parse_bytes", "parse_path", "safe_filename"]
