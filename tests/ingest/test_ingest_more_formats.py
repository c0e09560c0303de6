import pytest
from ingest_builders import eml_cp1252_undeclared, eml_forwarding_an_eml, png_scan, xlsx_workbook

from ingest.options import ParseOptions
from ingest.parse import parse_bytes
from ingest.parsers.ocr import ocr_available

OPTIONS = ParseOptions()


def test_xlsx_sheet_becomes_a_table() -> None:
    doc = parse_bytes(xlsx_workbook(), filename="bpu.xlsx", options=OPTIONS)
    assert doc.status == "parsed" and doc.format == "xlsx"
    (table,) = doc.tables
    assert table.rows == (("Code", "Désignation", "Prix HT"), ("A1", "Élagage d'un arbre", "180.5"),
                          ("A2", "Abattage", "420"))
    assert doc.text.startswith("Feuille : Bordereau\nCode | Désignation | Prix HT")


@pytest.mark.skipif(not ocr_available(OPTIONS), reason="tesseract fra absent")
def test_png_scan_is_ocred() -> None:
    doc = parse_bytes(png_scan(["Procès-verbal de constat", "Livraison incomplète le 4 mars"]),
                      filename="photo.png", options=OPTIONS)
    assert doc.status == "parsed" and doc.pages[0].ocr
    assert "constat" in doc.text and "Livraison" in doc.text


def test_forwarded_message_is_an_eml_attachment() -> None:
    inner = eml_cp1252_undeclared()
    doc = parse_bytes(eml_forwarding_an_eml(inner), filename="tr.eml", options=OPTIONS)
    (attachment,) = doc.attachments
    assert attachment.content_type == "message/rfc822"
    assert attachment.filename.endswith(".eml")
    child = parse_bytes(attachment.data, filename=attachment.filename, options=OPTIONS)
    assert "l'œuvre sera livrée" in child.text


@pytest.mark.skipif(not ocr_available(OPTIONS), reason="tesseract fra absent")
@pytest.mark.parametrize("angle", [90, 180])
def test_sideways_and_upside_down_scans_are_turned(angle: int) -> None:
    import io

    from PIL import Image

    lines = ["Procès-verbal de réception avec réserves", "Ouvrage réceptionné le 12 janvier 2026",
             "Les réserves seront levées sous trente jours"]
    turned = Image.open(io.BytesIO(png_scan(lines))).rotate(angle, expand=True)
    buf = io.BytesIO()
    turned.save(buf, format="PNG")
    doc = parse_bytes(buf.getvalue(), filename="scan.png", options=OPTIONS)
    assert "réception" in doc.text and "réserves" in doc.text
    assert doc.pages[0].ocr_confidence is not None and doc.pages[0].ocr_confidence > 0.8


def test_files_embedded_in_pdf_and_docx_are_attachments() -> None:
    from ingest_builders import docx_with_embedded_xlsx, docx_with_table, pdf_with_embedded_file

    annex = docx_with_table()
    pdf = parse_bytes(pdf_with_embedded_file("annexe financière.docx", annex), filename="l.pdf", options=OPTIONS)
    assert pdf.status == "parsed"
    assert [(a.filename, a.data) for a in pdf.attachments] == [("annexe financière.docx", annex)]

    workbook = xlsx_workbook()
    docx = parse_bytes(docx_with_embedded_xlsx(workbook), filename="c.docx", options=OPTIONS)
    assert [(a.filename, a.data) for a in docx.attachments] == [("Microsoft_Excel_Worksheet.xlsx", workbook)]


def test_owner_password_only_pdf_is_read() -> None:
    import io

    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, encrypt=pdfencrypt.StandardEncryption("", ownerPassword="proprietaire", canCopy=0))
    c.drawString(72, 700, "Copie restreinte mais lecture libre")
    c.save()
    doc = parse_bytes(buf.getvalue(), filename="restreint.pdf", options=OPTIONS)
    assert doc.status == "parsed" and doc.text == "Copie restreinte mais lecture libre"


def test_odt_body_lists_tables_and_notes() -> None:
    from ingest_builders import odt_document

    doc = parse_bytes(odt_document(), filename="ccap.odt", options=OPTIONS)
    assert doc.status == "parsed" and doc.format == "odt"
    assert doc.text.split("\n") == [
        "4. Pénalités",
        "Montant :  100 € par jour1 de retard.",
        "- sans mise en demeure",
        "- plafond de 10 %",
        "Délai | 30 jours",
        "Fin du document.",
        "Note 1 : Hors taxes.",
    ]
    assert doc.tables[0].rows == (("Délai", "30 jours"),)
