import pytest
from ingest_builders import (
    BODY_PAGES,
    encrypted_pdf,
    image_only_pdf,
    pdf_with_running_headers,
    pdf_with_table,
    scan_with_stamp,
)

from ingest.options import ParseOptions
from ingest.parse import parse_bytes
from ingest.parsers.ocr import ocr_available

OPTIONS = ParseOptions()


def test_three_pages_with_running_headers_and_footers() -> None:
    doc = parse_bytes(pdf_with_running_headers(), filename="ccap.pdf", options=OPTIONS)
    assert doc.status == "parsed" and doc.paginated and doc.format == "pdf"
    assert [p.number for p in doc.pages] == [1, 2, 3]
    # kept once on page 1 (it may name the sender or the contract), gone from the others
    assert doc.text.count("Ville de Montbrison-les-Prés - Service des marchés") == 1
    assert "CCAP espaces verts n° 2026-EV-07 - Page 1/3" in doc.pages[0].text
    assert "Page 2/3" not in doc.text and "Page 3/3" not in doc.text
    for page, lines in zip(doc.pages, BODY_PAGES, strict=True):
        assert doc.text[page.start:page.start + len(page.text)] == page.text
        assert lines[0] in page.text
    assert doc.pages[1].text.startswith(BODY_PAGES[1][0])
    assert doc.pages[2].text.startswith(BODY_PAGES[2][0])
    offset = doc.text.index("150 euros")
    assert doc.page_at(offset) == 3
    assert doc.page_at(doc.text.index("cinq jours ouvrés")) == 2


def test_body_lines_that_look_like_headers_are_kept() -> None:
    pages = [list(lines) for lines in BODY_PAGES]
    pages[1] += ["12", "Ville de Montbrison-les-Prés - Service des marchés"]  # in the body, not at the edge
    doc = parse_bytes(pdf_with_running_headers(pages), filename="ccap.pdf", options=OPTIONS)
    body = doc.pages[1].text.split("\n")
    assert "12" in body
    assert body.count("Ville de Montbrison-les-Prés - Service des marchés") == 1
    assert "Service des marchés" not in doc.pages[2].text


def test_single_page_keeps_its_header() -> None:
    doc = parse_bytes(pdf_with_running_headers(BODY_PAGES[:1]), filename="x.pdf", options=OPTIONS)
    assert "Service des marchés" in doc.text


def test_encrypted_pdf_fails_with_a_french_message() -> None:
    doc = parse_bytes(encrypted_pdf(), filename="protege.pdf", options=OPTIONS)
    assert doc.status == "failed"
    assert doc.errors == (
        "PDF protégé par mot de passe : le fichier original est conservé ; fournissez une version non protégée.",
    )


def test_corrupt_pdf_fails_cleanly() -> None:
    data = pdf_with_running_headers()[:400]
    doc = parse_bytes(data, filename="abime.pdf", options=OPTIONS)
    assert doc.status == "failed"
    assert "endommagé" in doc.errors[0] and "conservé" in doc.errors[0]


def test_table_page_keeps_rows_as_pipe_lines_in_reading_order() -> None:
    doc = parse_bytes(pdf_with_table(), filename="bareme.pdf", options=OPTIONS)
    assert doc.status == "parsed"
    assert len(doc.tables) == 1
    table = doc.tables[0]
    assert table.page == 1
    assert table.rows[1] == ("Retard de livraison", "80 € par jour")
    assert doc.text[table.start:table.end].split("\n")[1] == "Retard de livraison | 80 € par jour"
    assert doc.text.index("Barème") < table.start < doc.text.index("plafond")


def test_max_pages_reads_the_first_pages_and_says_so() -> None:
    doc = parse_bytes(pdf_with_running_headers(), filename="long.pdf", options=ParseOptions(max_pages=2))
    assert doc.status == "partial" and len(doc.pages) == 2
    assert "3 pages" in doc.errors[0]


SCAN_LINES = ["MISE EN DEMEURE", "Le titulaire doit reprendre les travaux", "dans un délai de quinze jours."]


@pytest.mark.skipif(not ocr_available(OPTIONS), reason="tesseract fra absent")
def test_image_only_pdf_is_ocred() -> None:
    doc = parse_bytes(image_only_pdf(SCAN_LINES), filename="scan.pdf", options=ParseOptions(ocr_dpi=150))
    assert doc.status == "parsed"
    page = doc.pages[0]
    assert page.ocr and page.ocr_confidence is not None and page.ocr_confidence > 0.6
    lowered = doc.text.lower()
    for word in ("demeure", "titulaire", "travaux", "quinze"):
        assert word in lowered


def test_missing_tesseract_gives_partial_with_install_hint() -> None:
    options = ParseOptions(tesseract_cmd="/nonexistent/tesseract", ocr_dpi=72)
    doc = parse_bytes(image_only_pdf(SCAN_LINES), filename="scan.pdf", options=options)
    assert doc.status == "partial"
    assert "apt-get install tesseract-ocr tesseract-ocr-fra" in doc.errors[0]


def test_ocr_disabled_reports_unread_pages() -> None:
    doc = parse_bytes(image_only_pdf(SCAN_LINES), filename="scan.pdf", options=ParseOptions(ocr=False))
    assert doc.status == "partial" and "OCR est désactivé" in doc.errors[0]


@pytest.mark.skipif(not ocr_available(OPTIONS), reason="tesseract fra absent")
def test_scan_with_a_stamped_text_line_is_still_ocred() -> None:
    stamp = "Courrier enregistré le 05/03/2026 sous le numéro 2026-0412"
    doc = parse_bytes(scan_with_stamp(SCAN_LINES, stamp), filename="scan.pdf", options=ParseOptions(ocr_dpi=150))
    assert doc.pages[0].ocr
    assert "quinze" in doc.text.lower()
    assert "2026-0412" in doc.text
    assert doc.text.count("2026-0412") == 1  # the stamp is both drawn text and in the picture


def test_ocr_decision() -> None:
    from ingest.parsers.pdf import _needs_ocr

    text = "Le titulaire est tenu de livrer les fournitures dans le délai fixé. " * 5
    assert not _needs_ocr(text, 0.0, 0, OPTIONS)  # born-digital page
    assert not _needs_ocr("", 0.0, 3, OPTIONS)  # blank page with a rule
    assert _needs_ocr("", 0.9, 0, OPTIONS)  # scan
    assert _needs_ocr("\x03\x11\x05\x07" * 40, 0.0, 0, OPTIONS)  # no Unicode map
    assert _needs_ocr("Reçu le 05/03/2026", 0.95, 0, OPTIONS)  # stamp on a scan
    assert not _needs_ocr(text, 0.95, 0, OPTIONS)  # scan already carrying a text layer
    assert _needs_ocr("Annexe", 0.05, 0, OPTIONS)  # almost no text beside a picture: read the picture
    assert _needs_ocr("", 0.0, 400, OPTIONS)  # text converted to vector outlines


def test_parallel_threads_get_the_same_result() -> None:
    from concurrent.futures import ThreadPoolExecutor

    data = pdf_with_running_headers()
    expected = parse_bytes(data, filename="a.pdf", options=OPTIONS)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: parse_bytes(data, filename="a.pdf", options=OPTIONS), range(12)))
    assert all(r == expected for r in results)
