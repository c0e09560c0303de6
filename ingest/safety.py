"""Defences against hostile or broken inputs: file names and zip bombs (OOXML is a zip)."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile

from ingest.errors import CorruptFileError, UnsafeArchiveError
from ingest.options import ParseOptions

_FORBIDDEN = re.compile(r'[\x00-\x1f\x7f-\x9f<>:"|?*]')
_WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(1, 10)} | {f"lpt{i}" for i in range(1, 10)}
)
_MAX_NAME_BYTES = 200


def safe_filename(name: str, default: str = "document") -> str:
    """A name safe to show and to write under a directory: last path component only, no control
    characters, no leading dots, accents kept (NFC), at most 200 UTF-8 bytes, extension kept."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").split("/")[-1]
    name = _FORBIDDEN.sub("_", name)
    name = name.strip().lstrip(".").rstrip(". ")
    if not name:
        return default
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    if stem.lower() in _WINDOWS_RESERVED:
        stem = f"_{stem}"
    ext = ext[:16]
    budget = _MAX_NAME_BYTES - len(ext.encode()) - 1
    while len(stem.encode()) > budget:
        stem = stem[:-1]
    return f"{stem}.{ext}" if ext else stem


def check_zip(data: bytes, options: ParseOptions, kind: str) -> None:
    """Refuse archives whose declared expansion is abnormal before any library inflates them.

    zipfile never returns more than a member's declared size, so bounding declared sizes bounds
    what python-docx or openpyxl can be made to inflate."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError) as exc:
        # NotImplementedError: a damaged header claiming a zip version zipfile does not implement
        raise CorruptFileError(kind, "archive ZIP invalide") from exc
    with archive:
        members = archive.infolist()
        if len(members) > options.max_zip_entries:
            raise UnsafeArchiveError(kind, f"{len(members)} éléments dans l'archive")
        total = 0
        for info in members:
            total += info.file_size
            if total > options.max_unzipped_bytes:
                raise UnsafeArchiveError(
                    kind, f"plus de {options.max_unzipped_bytes // 1_048_576} Mo une fois décompressé"
                )
            if info.file_size > 1_048_576 and info.file_size > options.max_zip_ratio * max(info.compress_size, 1):
                ratio = info.file_size / max(info.compress_size, 1)
                raise UnsafeArchiveError(kind, f"taux de compression anormal ({ratio:.0f} pour 1)")
