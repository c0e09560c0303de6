"""Accept then parse: the original is stored before anything can fail, and attachments are
ingested the same way as child documents (bounded depth)."""

from __future__ import annotations

from dataclasses import dataclass

from ingest.blobstore import BlobStore
from ingest.errors import FileTooLargeError
from ingest.options import ParseOptions
from ingest.parse import failed, parse_bytes
from ingest.registry import ParserRegistry
from ingest.safety import safe_filename
from models.domain.types import ParsedDocument


@dataclass(frozen=True)
class IngestedFile:
    sha256: str  # the original's key in the BlobStore
    size: int
    filename: str  # made safe (no path, no control characters)
    document: ParsedDocument
    children: tuple[IngestedFile, ...] = ()  # attachments, parsed the same way
    depth: int = 0


def ingest_bytes(
    data: bytes,
    *,
    filename: str,
    store: BlobStore,
    options: ParseOptions,
    registry: ParserRegistry | None = None,
    depth: int = 0,
) -> IngestedFile:
    name = safe_filename(filename)
    if len(data) > options.max_bytes:
        # Not stored: the limit exists to protect the disk as much as the parsers.
        return IngestedFile(sha256="", size=len(data), filename=name, depth=depth,
                            document=failed("unknown", FileTooLargeError(len(data), options.max_bytes).message))
    sha = store.put(data)
    document = parse_bytes(data, filename=name, options=options, registry=registry)
    children: list[IngestedFile] = []
    if document.attachments:
        if depth + 1 > options.max_attachment_depth:
            document = _with_error(document, f"Pièces jointes imbriquées au-delà de {options.max_attachment_depth} "
                                             "niveaux non lues ; les fichiers sont dans le message original.")
        else:
            for attachment in document.attachments:
                children.append(ingest_bytes(attachment.data, filename=attachment.filename, store=store,
                                             options=options, registry=registry, depth=depth + 1))
    return IngestedFile(sha256=sha, size=len(data), filename=name, document=document,
                        children=tuple(children), depth=depth)


def _with_error(document: ParsedDocument, message: str) -> ParsedDocument:
    from dataclasses import replace

    status = "partial" if document.status == "parsed" else document.status
    return replace(document, status=status, errors=document.errors + (message,))
