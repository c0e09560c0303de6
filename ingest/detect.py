"""Format detection from the bytes; the file name is only a hint (names carry no meaning:
« scan_0042.pdf » may be an e-mail)."""

from __future__ import annotations

import io
import re
import zipfile

from ingest.charset import utf16_without_bom

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_EMAIL_HEADERS = frozenset(
    {"from", "to", "cc", "subject", "date", "message-id", "mime-version", "received", "return-path",
     "content-type", "reply-to", "x-mailer", "delivered-to", "sender", "user-agent", "thread-topic"}
)
_EMAIL_STRONG = frozenset({"from", "subject", "message-id", "received", "mime-version"})
_HEADER_LINE = re.compile(rb"^([A-Za-z][A-Za-z0-9_-]{1,76}):[ \t]?")
_HTML_START = re.compile(rb"^\s*(<!doctype\s+html|<html|<head|<body|<meta)", re.IGNORECASE)
_TEXT_EXT = {"md": "md", "markdown": "md", "txt": "txt", "text": "txt", "csv": "csv", "tsv": "csv"}

# Every value detect_format may return.
FORMATS = ("pdf", "docx", "xlsx", "pptx", "odt", "zip", "msg", "doc", "xls", "ppt", "office-encrypted",
           "ole", "eml", "html", "md", "txt", "csv", "png", "jpeg", "tiff", "gif", "bmp", "webp",
           "rtf", "empty", "binary")


def _extension(filename: str | None) -> str:
    if not filename or "." not in filename:
        return ""
    return filename.rsplit(".", 1)[-1].lower()


def _zip_format(data: bytes, ext: str) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
    except Exception:  # noqa: BLE001 - detection is best effort: zipfile raises BadZipFile, zlib.error,
        # NotImplementedError (a damaged header claiming an unknown zip version), RuntimeError (encrypted)…
        # A damaged OOXML still deserves its own parser (and its own error message).
        return ext if ext in ("docx", "xlsx", "pptx") else "zip"
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "ppt/presentation.xml" in names:
        return "pptx"
    if b"opendocument.text" in mimetype:
        return "odt"
    return "zip"


def _ole_format(data: bytes) -> str:
    import olefile  # shipped with extract-msg

    try:
        with olefile.OleFileIO(data) as ole:
            streams = {"/".join(entry) for entry in ole.listdir(streams=True, storages=True)}
    except Exception:  # noqa: BLE001 - an unreadable OLE is reported by the parser, not here
        return "ole"
    if any(s.startswith("__substg1.0_") or s.startswith("__properties_version1.0") for s in streams):
        return "msg"
    if "EncryptedPackage" in streams:
        return "office-encrypted"  # DOCX/XLSX saved with a password are wrapped in OLE
    if "WordDocument" in streams:
        return "doc"
    if "Workbook" in streams or "Book" in streams:
        return "xls"
    if "PowerPoint Document" in streams:
        return "ppt"
    return "ole"


def _looks_binary(head: bytes) -> bool:
    if not head:
        return False
    if b"\x00" in head and not (head.startswith((b"\xff\xfe", b"\xfe\xff"))):
        return True
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls / len(head) > 0.05


def _looks_like_email(head: bytes) -> bool:
    names: list[str] = []
    lines = head.replace(b"\r\n", b"\n").split(b"\n")[:60]
    if lines and lines[0].startswith(b"From "):
        lines = lines[1:]  # mbox separator line written by some export tools
    for line in lines:
        if not line.strip():
            break
        if line[:1] in (b" ", b"\t"):
            continue  # folded header continuation
        match = _HEADER_LINE.match(line)
        if not match:
            return False
        names.append(match.group(1).decode("ascii").lower())
    known = [n for n in names if n in _EMAIL_HEADERS]
    return len(known) >= 2 and bool(_EMAIL_STRONG.intersection(known))


def detect_format(data: bytes, filename: str | None = None) -> str:
    """Return one of FORMATS: magic bytes first, then content sniffing, extension as a tie-break."""
    ext = _extension(filename)
    if not data:
        return "empty"
    head = data[:8192]
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _zip_format(data, ext)
    if head.startswith(_OLE_MAGIC):
        return _ole_format(data)
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "tiff"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head.startswith(b"BM") and ext == "bmp":
        return "bmp"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if _looks_binary(head):
        return _TEXT_EXT.get(ext, "txt") if utf16_without_bom(head) else "binary"
    stripped = head.lstrip(b"\xef\xbb\xbf")
    if _looks_like_email(stripped):
        return "eml"
    if _HTML_START.match(stripped) or (ext in ("html", "htm", "xhtml") and b"<" in stripped):
        return "html"
    if stripped.lstrip().startswith(b"<?xml") and b"<html" in stripped[:2048].lower():
        return "html"  # XHTML
    return _TEXT_EXT.get(ext, "txt")
