"""Fixture builders for the ingest tests: every file is generated here, in French, written for
these tests (no development-portfolio text)."""

from __future__ import annotations

import io
import zipfile
from email.message import EmailMessage

from reportlab.lib import pdfencrypt
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

PAGE_W, PAGE_H = A4

BODY_PAGES = [
    ["ARTICLE 1 - OBJET DE LA CONSULTATION",
     "La présente consultation porte sur l'entretien des espaces verts",
     "des bâtiments communaux de la ville de Montbrison-les-Prés."],
    ["ARTICLE 5 - DÉLAIS D'INTERVENTION",
     "Le titulaire intervient dans un délai de cinq jours ouvrés",
     "à compter de la réception du bon de commande."],
    ["ARTICLE 8 - PÉNALITÉS",
     "En cas de retard, une pénalité de 150 euros par jour calendaire",
     "est appliquée sans mise en demeure préalable."],
]


def pdf_with_running_headers(pages: list[list[str]] | None = None) -> bytes:
    """Born-digital PDF; header and footer drawn before the body, as report generators do."""
    pages = pages or BODY_PAGES
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    total = len(pages)
    for number, lines in enumerate(pages, start=1):
        c.setFont("Helvetica", 8)
        c.drawString(50, PAGE_H - 30, "Ville de Montbrison-les-Prés - Service des marchés")
        c.drawString(50, 25, f"CCAP espaces verts n° 2026-EV-07 - Page {number}/{total}")
        c.setFont("Helvetica", 11)
        y = PAGE_H - 120
        for line in lines:
            c.drawString(60, y, line)
            y -= 16
        c.showPage()
    c.save()
    return buf.getvalue()


def encrypted_pdf() -> bytes:
    buf = io.BytesIO()
    enc = pdfencrypt.StandardEncryption("motdepasse", ownerPassword="proprietaire", canPrint=1)
    c = canvas.Canvas(buf, pagesize=A4, encrypt=enc)
    c.drawString(72, 700, "Document confidentiel du marché de nettoyage")
    c.save()
    return buf.getvalue()


def image_only_pdf(lines: list[str]) -> bytes:
    """A 'scanned' page: text rendered to pixels with PIL, embedded as a picture."""
    from PIL import Image, ImageDraw

    image = Image.new("L", (1700, 2200), 255)
    draw = ImageDraw.Draw(image)
    font = _font(44)
    y = 200
    for line in lines:
        draw.text((150, y), line, fill=0, font=font)
        y += 90
    png = io.BytesIO()
    image.save(png, format="PNG")
    png.seek(0)
    from reportlab.lib.utils import ImageReader

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.drawImage(ImageReader(png), 0, 0, width=PAGE_W, height=PAGE_H)
    c.showPage()
    c.save()
    return buf.getvalue()


def _font(size: int):  # type: ignore[no-untyped-def]
    from PIL import ImageFont

    for path in ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
                 "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"):
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def pdf_with_table() -> bytes:
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    buf = io.BytesIO()
    styles = getSampleStyleSheet()
    doc = SimpleDocTemplate(buf, pagesize=A4)
    table = Table(
        [["Manquement", "Montant"],
         ["Retard de livraison", "80 € par jour"],
         ["Rapport mensuel absent", "120 € par rapport"]],
    )
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "black")]))
    doc.build([Paragraph("Article 12 - Barème des pénalités", styles["Normal"]), Spacer(1, 12), table,
               Spacer(1, 12), Paragraph("Le plafond des pénalités est fixé à 10 % du montant.", styles["Normal"])])
    return buf.getvalue()


def docx_with_table() -> bytes:
    from docx import Document

    document = Document()
    document.sections[0].header.paragraphs[0].text = "EN-TÊTE RÉPÉTÉ À NE PAS LIRE"
    document.sections[0].footer.paragraphs[0].text = "Pied de page confidentiel"
    document.add_paragraph("Article 3 - Prix")
    document.add_paragraph("Les prix sont fermes et définitifs.")
    table = document.add_table(rows=3, cols=2)
    for r, (a, b) in enumerate([("Prestation", "Prix HT"), ("Tonte", "1 200 €"), ("Taille des haies", "950 €")]):
        table.cell(r, 0).text = a
        table.cell(r, 1).text = b
    document.add_paragraph("Article 4 - Paiement")
    document.add_paragraph("Le délai global de paiement est de trente jours.")
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def docx_with_numbered_headings() -> bytes:
    """Headings numbered by Word ('List Number' style): the numbers exist only in numbering.xml."""
    from docx import Document

    document = Document()
    for title, body in (("Objet du marché", "Fourniture de sel de déneigement."),
                        ("Durée", "Le marché est conclu pour un an."),
                        ("Pénalités", "Cinquante euros par jour de retard.")):
        document.add_paragraph(title, style="List Number")
        document.add_paragraph(body)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def docx_zip_bomb(uncompressed_mib: int = 20) -> bytes:
    """A valid-looking DOCX whose document.xml inflates enormously (zeros compress ~1000:1)."""
    source = io.BytesIO(docx_with_table())
    out = io.BytesIO()
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            if item.filename != "word/document.xml":
                dst.writestr(item, src.read(item.filename))
        with dst.open("word/document.xml", "w") as handle:
            chunk = b" " * (1024 * 1024)
            for _ in range(uncompressed_mib):
                handle.write(chunk)
    return out.getvalue()


def eml_cp1252_undeclared() -> bytes:
    """An old mailer's message: 8-bit Windows-1252 body, no charset anywhere."""
    body = ("Madame,\r\n\r\nNous accusons réception de votre lettre du 3 février. "
            "Le coût des pénalités (1 250 €) nous paraît excessif ; l'œuvre sera livrée à l'été.\r\n")
    headers = ("From: Atelier Béranger <contact@atelier-beranger.example>\r\n"
               "To: Service achats <achats@mairie-exemple.fr>\r\n"
               "Subject: =?iso-8859-1?q?R=E9ponse_=E0_votre_courrier?=\r\n"
               "Date: Tue, 10 Feb 2026 16:45:00 +0100\r\n"
               "Message-ID: <abc123@atelier-beranger.example>\r\n"
               "MIME-Version: 1.0\r\n"
               "Content-Type: text/plain\r\n"
               "Content-Transfer-Encoding: 8bit\r\n\r\n")
    return (headers + body).encode("cp1252")  # raw 8-bit even in the From header


def eml_with_pdf_attachment(pdf: bytes) -> bytes:
    msg = EmailMessage()
    msg["From"] = "Direction des achats <achats@departement-exemple.fr>"
    msg["To"] = "Société Verdure & Fils <direction@verdure-fils.example>"
    msg["Cc"] = "Service juridique <juridique@departement-exemple.fr>"
    msg["Subject"] = "Marché 2026-EV-07 : mise en demeure — retard d'intervention"
    msg["Date"] = "Mon, 02 Mar 2026 09:15:00 +0100"
    msg["Message-ID"] = "<md-2026-03-02@departement-exemple.fr>"
    msg.set_content("Madame, Monsieur,\n\nVeuillez trouver ci-joint la mise en demeure.\n\nLe service des achats")
    msg.add_attachment(pdf, maintype="application", subtype="pdf", filename="../../etc/mise en demeure.pdf")
    return msg.as_bytes()


def eml_html_only() -> bytes:
    msg = EmailMessage()
    msg["From"] = "secretariat@exemple.fr"
    msg["To"] = "titulaire@exemple.fr"
    msg["Subject"] = "Relance"
    msg["Date"] = "Wed, 14 Jan 2026 11:00:00 +0100"
    msg.set_content("<html><body><p>Bonjour,</p><p>Le rapport <b>n'est pas</b> parvenu.</p>"
                    "<table><tr><td>Échéance</td><td>15/01/2026</td></tr></table></body></html>",
                    subtype="html")
    return msg.as_bytes()


def pdf_with_merged_cells_and_a_framed_note() -> bytes:
    """A penalty grid whose first column spans two rows, plus a framed paragraph (not a table)."""
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4)
    grid = Table([
        ["Délai", "Situation", "Pénalité"],
        ["Intervention", "urgente", "200 € par heure"],
        ["", "normale", "60 € par jour ouvré"],
        ["Rapport", "mensuel", "100 € par rapport"],
    ])
    grid.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "black"), ("SPAN", (0, 1), (0, 2))]))
    note = Table([["Toute heure commencée est due."]])
    note.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 1, "black")]))
    doc.build([Paragraph("Article 6 - Pénalités d'intervention", styles["Normal"]), Spacer(1, 10), grid,
               Spacer(1, 20), note, Spacer(1, 10), Paragraph("Article 7 - Résiliation", styles["Normal"])])
    return buf.getvalue()


def xlsx_workbook() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    sheet = wb.active
    sheet.title = "Bordereau"
    sheet.append(["Code", "Désignation", "Prix HT"])
    sheet.append(["A1", "Élagage d'un arbre", 180.5])
    sheet.append(["A2", "Abattage", 420])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def png_scan(lines: list[str]) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("L", (1400, 200 + 80 * len(lines)), 255)
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((80, 80 + 80 * i), line, fill=0, font=_font(40))
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def eml_forwarding_an_eml(inner: bytes) -> bytes:
    from email import message_from_bytes, policy

    msg = EmailMessage()
    msg["From"] = "assistante@exemple.fr"
    msg["To"] = "juriste@exemple.fr"
    msg["Subject"] = "TR: réponse du titulaire"
    msg["Date"] = "Thu, 12 Feb 2026 08:00:00 +0100"
    msg.set_content("Pour information, le message du titulaire ci-joint.")
    msg.add_attachment(message_from_bytes(inner, policy=policy.default))
    return msg.as_bytes()


def scan_with_stamp(lines: list[str], stamp: str) -> bytes:
    """A scanned page on which a mail-room tool stamped one line of real text."""
    from PIL import Image, ImageDraw
    from reportlab.lib.utils import ImageReader

    image = Image.new("L", (1700, 2200), 255)
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((150, 200 + 90 * i), line, fill=0, font=_font(44))
    png = io.BytesIO()
    image.save(png, format="PNG")
    png.seek(0)
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.drawImage(ImageReader(png), 0, 40, width=PAGE_W, height=PAGE_H - 40)
    c.setFont("Helvetica", 9)
    c.drawString(40, 15, stamp)
    c.showPage()
    c.save()
    return buf.getvalue()


def docx_with_footnote() -> bytes:
    """python-docx cannot write footnotes: add the part by hand, as Word stores it."""
    from docx import Document

    document = Document()
    document.add_paragraph("Le CCAG applicable est celui des fournitures courantes.")
    buf = io.BytesIO()
    document.save(buf)
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    footnotes = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:footnotes xmlns:w="{w}">'
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
        '<w:footnote w:id="1"><w:p><w:r><w:t>Arrêté du 30 mars 2021, version en vigueur.</w:t></w:r></w:p>'
        "</w:footnote></w:footnotes>"
    ).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/_rels/document.xml.rels":
                data = data.replace(b"</Relationships>", (
                    b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                    b'relationships/footnotes" Target="footnotes.xml"/></Relationships>'))
            elif item.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", (
                    b'<Override PartName="/word/footnotes.xml" ContentType="application/vnd.openxmlformats-'
                    b'officedocument.wordprocessingml.footnotes+xml"/></Types>'))
            dst.writestr(item, data)
        dst.writestr("word/footnotes.xml", footnotes)
    return out.getvalue()


W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def docx_from_xml(body: str, numbering: str) -> bytes:
    """A DOCX whose body and numbering definitions are given as WordprocessingML fragments."""
    from docx import Document

    buf = io.BytesIO()
    Document().save(buf)
    document = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W_NS}">'
                f"<w:body>{body}</w:body></w:document>").encode()
    numbering_xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:numbering xmlns:w="{W_NS}">'
                     f"{numbering}</w:numbering>").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            if item.filename == "word/document.xml":
                dst.writestr(item, document)
            elif item.filename == "word/numbering.xml":
                dst.writestr(item, numbering_xml)
            else:
                dst.writestr(item, src.read(item.filename))
    return out.getvalue()


def numbered_paragraph(text: str, num_id: int, level: int = 0) -> str:
    return (f'<w:p><w:pPr><w:numPr><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr></w:pPr>'
            f"<w:r><w:t>{text}</w:t></w:r></w:p>")


def pdf_with_embedded_file(name: str, payload: bytes) -> bytes:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf_with_running_headers())
    attachment = document.new_attachment(name)
    attachment.set_data(payload)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def docx_with_embedded_xlsx(workbook: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx_with_table())) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
        dst.writestr("word/embeddings/Microsoft_Excel_Worksheet.xlsx", workbook)
    return out.getvalue()


def framed_letter_pdf() -> bytes:
    """A letter framed by a box, with a rule under the letterhead and a vertical rule beside the
    address block: page furniture, not a table."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.rect(30, 30, PAGE_W - 60, PAGE_H - 60)
    c.line(30, PAGE_H - 120, PAGE_W - 30, PAGE_H - 120)
    c.line(PAGE_W / 2, PAGE_H - 120, PAGE_W / 2, 30)
    c.drawString(50, PAGE_H - 80, "Mairie de Saint-Exemple - Service de la commande publique")
    y = PAGE_H - 160
    for line in ("Objet : mise en demeure", "Monsieur le gérant,", "Vous voudrez bien reprendre",
                 "le chantier sous huit jours."):
        c.drawString(50, y, line)
        y -= 18
    c.showPage()
    c.save()
    return buf.getvalue()


def odt_document() -> bytes:
    """A small LibreOffice Writer file written by hand (content.xml as LibreOffice stores it)."""
    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"')
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.3">'
        "<office:body><office:text>"
        '<text:h text:outline-level="1"><text:number>4.</text:number> Pénalités</text:h>'
        "<text:p>Montant :<text:s text:c=\"2\"/>100 € par jour<text:note text:note-class=\"footnote\">"
        "<text:note-citation>1</text:note-citation><text:note-body><text:p>Hors taxes.</text:p>"
        "</text:note-body></text:note> de retard.</text:p>"
        "<text:list><text:list-item><text:p>sans mise en demeure</text:p></text:list-item>"
        "<text:list-item><text:p>plafond de 10 %</text:p></text:list-item></text:list>"
        "<table:table><table:table-row><table:table-cell><text:p>Délai</text:p></table:table-cell>"
        "<table:table-cell><text:p>30 jours</text:p></table:table-cell>"
        '<table:table-cell table:number-columns-repeated="3"/></table:table-row></table:table>'
        "<text:p>Fin du document.</text:p>"
        "</office:text></office:body></office:document-content>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text", compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", "<manifest/>")
    return out.getvalue()
