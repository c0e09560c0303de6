"""E-mails: EML through the stdlib (policy.default: RFC 2047 headers decoded), MSG through
extract-msg. Text = a short French header block then the body (text/plain preferred, HTML
converted). Attachments are returned for the caller to ingest as child documents."""

from __future__ import annotations

import datetime as dt
import re
from email import policy
from email.header import decode_header, make_header
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from typing import Any

from ingest.assemble import single_page
from ingest.charset import decode_bytes
from ingest.errors import CorruptFileError, PasswordProtectedError
from ingest.html import html_to_text
from ingest.options import ParseOptions
from ingest.safety import safe_filename
from models.domain.types import Attachment, ParsedDocument

_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre")
_SURROGATES = re.compile("[\udc80-\udcff]")
_EXTENSIONS = {"application/pdf": ".pdf", "text/plain": ".txt", "text/html": ".html", "image/jpeg": ".jpg",
               "image/png": ".png", "message/rfc822": ".eml",
               "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx"}


def french_datetime(moment: dt.datetime) -> str:
    return f"{moment.day} {_MONTHS[moment.month - 1]} {moment.year} à {moment:%H:%M}"


def _one_line(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip()


def header_block(meta: dict[str, str], raw_date: str, attachments: list[Attachment]) -> str:
    lines = [f"De : {meta.get('from', '')}", f"À : {meta.get('to', '')}"]
    if meta.get("cc"):
        lines.append(f"Cc : {meta['cc']}")
    if "date" in meta:
        lines.append(f"Date : {french_datetime(dt.datetime.fromisoformat(meta['date']))}")
    elif raw_date:
        lines.append(f"Date : {raw_date}")
    lines.append(f"Objet : {meta.get('subject', '')}")
    if attachments:
        lines.append("Pièces jointes : " + ", ".join(a.filename for a in attachments))
    return "\n".join(lines)


def _fix_raw_bytes(text: str) -> str:
    """Undeclared 8-bit bytes in a header arrive as surrogates: decode them like a body."""
    if _SURROGATES.search(text):
        return decode_bytes(text.encode("utf-8", "surrogateescape"))[0]
    return text


def _raw_8bit_header(msg: Message, name: str) -> str | None:
    """Headers with undeclared 8-bit bytes (old mailers) lose their accents to U+FFFD in the
    policy's decoded value: decode the raw bytes like a body, then any RFC 2047 words."""
    for key, value in msg.raw_items():
        if key.lower() == name.lower() and isinstance(value, str) and _SURROGATES.search(value):
            fixed = decode_bytes(value.encode("ascii", "surrogateescape"))[0]
            try:
                return str(make_header(decode_header(fixed)))
            except Exception:  # noqa: BLE001 - unknown charsets in encoded words: keep the raw text
                return fixed
    return None


def _header(msg: Message, name: str) -> str:
    raw = _raw_8bit_header(msg, name)
    if raw is not None:
        return _one_line(raw)
    try:
        value = msg.get(name)
    except Exception:  # noqa: BLE001 - a malformed header must not lose the message: its raw text
        value = next((v for k, v in msg.raw_items() if k.lower() == name.lower()), None)
    if value is None:
        return ""
    return _one_line(_fix_raw_bytes(str(value)))


def _part_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    return decode_bytes(payload, part.get_content_charset())[0]


def _default_name(ctype: str, index: int) -> str:
    return f"piece-jointe-{index}{_EXTENSIONS.get(ctype, '.bin')}"


def _collect(part: Message, plain: list[str], html: list[str], attachments: list[Attachment], root: bool) -> None:
    ctype = part.get_content_type()
    if ctype == "message/rfc822" and not root:
        inner = part.get_payload()
        inner_msg = inner[0] if isinstance(inner, list) and inner else None
        if isinstance(inner_msg, Message):
            try:
                data = inner_msg.as_bytes()
            except Exception:  # noqa: BLE001 - re-serialising a broken message
                data = inner_msg.as_string().encode("utf-8", "surrogateescape")
            subject = _header(inner_msg, "Subject") or "message"
            name = part.get_filename() or f"{subject[:80]}.eml"
            attachments.append(Attachment(safe_filename(_fix_raw_bytes(name)), data, ctype))
        return
    if part.is_multipart():
        for sub in part.get_payload():
            if isinstance(sub, Message):
                _collect(sub, plain, html, attachments, root=False)
        return
    filename = part.get_filename()
    if part.get_content_disposition() == "attachment" or filename:
        payload = part.get_payload(decode=True)
        name = _fix_raw_bytes(filename) if filename else _default_name(ctype, len(attachments) + 1)
        attachments.append(Attachment(safe_filename(name), payload if isinstance(payload, bytes) else b"", ctype))
    elif ctype == "text/plain":
        plain.append(_part_text(part))
    elif ctype == "text/html":
        html.append(_part_text(part))


def _raw_body(data: bytes) -> str:
    """The undecoded body of a message whose MIME structure could not be read."""
    match = re.search(rb"\r?\n\r?\n", data)
    return decode_bytes(data[match.end():])[0] if match else ""


def _body(plain: list[str], html: list[str]) -> str:
    text = "\n\n".join(p.strip() for p in plain if p.strip())
    if text:
        return text
    return "\n\n".join(html_to_text(h) for h in html if h.strip())


class EmlParser:
    name = "eml"

    def score(self, fmt: str, data: bytes, filename: str | None) -> int:
        return 100 if fmt == "eml" else 0

    def parse(self, data: bytes, *, filename: str, options: ParseOptions) -> ParsedDocument:
        msg = BytesParser(policy=policy.default).parsebytes(data)
        meta: dict[str, str] = {}
        for key, name in (("from", "From"), ("to", "To"), ("cc", "Cc"), ("subject", "Subject"),
                          ("message_id", "Message-ID"), ("in_reply_to", "In-Reply-To"), ("reply_to", "Reply-To")):
            value = _header(msg, name)
            if value:
                meta[key] = value
        raw_date = _header(msg, "Date")
        if raw_date:
            try:
                meta["date"] = parsedate_to_datetime(raw_date).isoformat()
            except (TypeError, ValueError, IndexError):
                meta["date_raw"] = raw_date
        plain: list[str] = []
        html: list[str] = []
        attachments: list[Attachment] = []
        _collect(msg, plain, html, attachments, root=True)
        body = _body(plain, html)
        text = header_block(meta, raw_date, attachments) + "\n\n" + body
        errors: list[str] = []
        # Only a missing opening boundary loses content; a missing closing one is common and harmless.
        defects = [d for d in getattr(msg, "defects", []) if type(d).__name__ == "StartBoundaryNotFoundDefect"]
        if defects:
            errors.append("Message mal formé (délimiteurs MIME manquants) : le corps est repris tel quel, "
                          "à vérifier ; le fichier original est conservé.")
            if not body.strip():
                text += _raw_body(data)
        return single_page(text, fmt="eml", metadata=meta, attachments=attachments,
                           status="partial" if errors else "parsed", errors=errors)


def _msg_attachments(message: Any, errors: list[str]) -> list[Attachment]:
    out: list[Attachment] = []
    for index, att in enumerate(getattr(message, "attachments", []) or [], start=1):
        name = getattr(att, "longFilename", None) or getattr(att, "shortFilename", None)
        data = getattr(att, "data", None)
        ctype = getattr(att, "mimetype", None)
        if isinstance(data, bytes):
            out.append(Attachment(safe_filename(name or _default_name(ctype or "", index)), data, ctype))
        elif data is not None and hasattr(data, "asEmailMessage"):
            try:  # an Outlook message attached to an Outlook message: keep it as an EML child
                inner: EmailMessage = data.asEmailMessage()
                subject = getattr(data, "subject", None) or "message"
                out.append(Attachment(safe_filename(f"{subject[:80]}.eml"), inner.as_bytes(), "message/rfc822"))
            except Exception:  # noqa: BLE001
                errors.append(f"Pièce jointe « {name or index} » (message Outlook imbriqué) non extraite.")
        else:
            errors.append(f"Pièce jointe « {name or index} » non extraite (type non pris en charge).")
    return out


class MsgParser:
    name = "msg"

    def score(self, fmt: str, data: bytes, filename: str | None) -> int:
        return 100 if fmt == "msg" else 0

    def parse(self, data: bytes, *, filename: str, options: ParseOptions) -> ParsedDocument:
        import extract_msg

        try:
            message = extract_msg.openMsg(data)
        except Exception as exc:  # noqa: BLE001 - extract-msg raises its own zoo of errors
            if "encrypt" in str(exc).lower() or "protected" in str(exc).lower():
                raise PasswordProtectedError("Message Outlook") from exc
            raise CorruptFileError("MSG (Outlook)", "structure du message invalide") from exc
        try:
            return self._parse_message(message)
        finally:
            message.close()

    def _parse_message(self, message: Any) -> ParsedDocument:
        meta: dict[str, str] = {}
        for key, attr in (("from", "sender"), ("to", "to"), ("cc", "cc"), ("subject", "subject"),
                          ("message_id", "messageId"), ("in_reply_to", "inReplyTo")):
            value = getattr(message, attr, None)
            if value:
                meta[key] = _one_line(str(value))
        moment = getattr(message, "date", None)
        raw_date = ""
        if isinstance(moment, dt.datetime):
            meta["date"] = moment.isoformat()
        elif moment:
            raw_date = str(moment)
            meta["date_raw"] = raw_date
        errors: list[str] = []
        attachments = _msg_attachments(message, errors)
        body = (getattr(message, "body", None) or "").strip()
        if not body:
            html = getattr(message, "htmlBody", None)
            if isinstance(html, bytes):
                body = html_to_text(decode_bytes(html)[0])
        text = header_block(meta, raw_date, attachments) + "\n\n" + body
        return single_page(text, fmt="msg", metadata=meta, attachments=attachments,
                           status="partial" if errors else "parsed", errors=errors)
