"""Entry point: bytes in, ParsedDocument out. Never raises on bad data: a corrupt, protected,
empty or oversized file becomes status "failed" (or "partial") with French `errors`."""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

from ingest.detect import detect_format
from ingest.errors import EmptyFileError, FileTooLargeError, IngestError, UnsupportedFormatError
from ingest.options import ParseOptions
from ingest.registry import ParserRegistry, default_registry
from models.domain.types import ParsedDocument

log = logging.getLogger(__name__)

# What to tell the user for formats no parser reads.
_ADVICE = {
    "doc": "enregistrez le document Word 97-2003 (.doc) au format .docx ou PDF",
    "xls": "enregistrez le classeur Excel 97-2003 (.xls) au format .xlsx ou CSV",
    "ppt": "enregistrez la présentation en PDF",
    "pptx": "enregistrez la présentation en PDF",
    "rtf": "enregistrez le document au format .docx ou PDF",
    "zip": "décompressez l'archive et importez les fichiers un par un",
    "office-encrypted": "le document Office est protégé par mot de passe ; fournissez une version non protégée",
    "binary": "le contenu n'est ni un PDF, ni un document Office, ni un texte",
    "ole": "ce fichier Office ancien n'est pas reconnu ; enregistrez-le au format PDF ou .docx",
}


@lru_cache(maxsize=1)
def _registry() -> ParserRegistry:
    return default_registry()


def failed(fmt: str, message: str) -> ParsedDocument:
    return ParsedDocument(status="failed", format=fmt, errors=(message,))


def parse_bytes(
    data: bytes, *, filename: str, options: ParseOptions, registry: ParserRegistry | None = None
) -> ParsedDocument:
    if not data:
        return failed("empty", EmptyFileError().message)
    if len(data) > options.max_bytes:
        return failed("unknown", FileTooLargeError(len(data), options.max_bytes).message)
    fmt = detect_format(data, filename)
    parser = (registry or _registry()).select(fmt, data, filename)
    if parser is None:
        return failed(fmt, UnsupportedFormatError(fmt, _ADVICE.get(fmt)).message)
    try:
        return parser.parse(data, filename=filename, options=options)
    except IngestError as exc:
        return failed(fmt, exc.message)
    except Exception:  # noqa: BLE001 - third-party readers raise anything on hostile bytes
        log.exception("parser %s crashed on %r", parser.name, filename)
        return failed(
            fmt,
            f"Le fichier ({fmt.upper()}) n'a pas pu être lu : il semble endommagé ou d'une variante non "
            "prise en charge ; le fichier original est conservé, fournissez une autre copie (PDF ou DOCX).",
        )


def parse_path(path: Path | str, *, options: ParseOptions, registry: ParserRegistry | None = None) -> ParsedDocument:
    """Read a file from disk, checking its size before loading it into memory."""
    path = Path(path)
    size = path.stat().st_size
    if size > options.max_bytes:
        return failed("unknown", FileTooLargeError(size, options.max_bytes).message)
    return parse_bytes(path.read_bytes(), filename=path.name, options=options, registry=registry)
