from ingest_builders import (
    eml_cp1252_undeclared,
    eml_html_only,
    eml_with_pdf_attachment,
    pdf_with_running_headers,
)

from ingest.options import ParseOptions
from ingest.parse import parse_bytes

OPTIONS = ParseOptions()


def test_undeclared_windows_1252_is_read_with_accents_and_euro() -> None:
    doc = parse_bytes(eml_cp1252_undeclared(), filename="courrier.eml", options=OPTIONS)
    assert doc.status == "parsed" and doc.format == "eml" and not doc.paginated
    assert "Le coût des pénalités (1 250 €) nous paraît excessif ; l'œuvre" in doc.text
    assert doc.metadata["from"] == "Atelier Béranger <contact@atelier-beranger.example>"
    assert doc.metadata["subject"] == "Réponse à votre courrier"  # RFC 2047, ISO-8859-1
    assert doc.metadata["date"] == "2026-02-10T16:45:00+01:00"
    assert doc.metadata["message_id"] == "<abc123@atelier-beranger.example>"


def test_header_block_precedes_the_body() -> None:
    doc = parse_bytes(eml_cp1252_undeclared(), filename="courrier.eml", options=OPTIONS)
    head = doc.text.split("\n\n")[0].split("\n")
    assert head == [
        "De : Atelier Béranger <contact@atelier-beranger.example>",
        "À : Service achats <achats@mairie-exemple.fr>",
        "Date : 10 février 2026 à 16:45",
        "Objet : Réponse à votre courrier",
    ]


def test_pdf_attachment_is_returned_with_a_safe_name() -> None:
    pdf = pdf_with_running_headers()
    doc = parse_bytes(eml_with_pdf_attachment(pdf), filename="envoi.eml", options=OPTIONS)
    assert doc.status == "parsed"
    assert len(doc.attachments) == 1
    attachment = doc.attachments[0]
    assert attachment.filename == "mise en demeure.pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.data == pdf
    assert "Pièces jointes : mise en demeure.pdf" in doc.text
    assert doc.metadata["cc"] == "Service juridique <juridique@departement-exemple.fr>"
    assert doc.metadata["subject"] == "Marché 2026-EV-07 : mise en demeure — retard d'intervention"
    assert "Veuillez trouver ci-joint la mise en demeure." in doc.text


def test_html_only_body_is_converted() -> None:
    doc = parse_bytes(eml_html_only(), filename="relance.eml", options=OPTIONS)
    assert "Le rapport n'est pas parvenu." in doc.text
    assert "Échéance | 15/01/2026" in doc.text
    assert "<p>" not in doc.text


def test_corrupt_msg_fails_cleanly() -> None:
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    doc = parse_bytes(data, filename="message.msg", options=OPTIONS)
    assert doc.status == "failed" and doc.errors


def test_broken_mime_boundary_keeps_the_body_as_is() -> None:
    raw = (b"From: achats@ville.fr\r\nTo: titulaire@exemple.fr\r\nSubject: Rappel\r\nMIME-Version: 1.0\r\n"
           b'Content-Type: multipart/mixed; boundary="AAA"\r\n\r\n--BBB\r\nContent-Type: text/plain\r\n\r\n'
           b"Le rapport est attendu sous huit jours.\r\n--BBB--\r\n")
    doc = parse_bytes(raw, filename="casse.eml", options=OPTIONS)
    assert doc.status == "partial" and "délimiteurs MIME" in doc.errors[0]
    assert "Le rapport est attendu sous huit jours." in doc.text


def test_a_malformed_message_id_does_not_lose_the_letter() -> None:
    """A broken header the standard library cannot parse (« Message-ID: < ») is read raw: the
    mise en demeure stays readable instead of failing as a damaged file."""
    raw = (b"From: service.marches@ville-exemple.fr\r\nTo: contact@titulaire.fr\r\nSubject: Mise en demeure\r\n"
           b"Message-ID: <\r\nDate: Mon, 3 Mar 2025 10:00:00 +0100\r\n\r\nVous etes mis en demeure de livrer.\r\n")
    doc = parse_bytes(raw, filename="med.eml", options=ParseOptions(ocr=False))
    assert doc.status == "parsed"
    assert "Objet : Mise en demeure" in doc.text and "mis en demeure de livrer" in doc.text
