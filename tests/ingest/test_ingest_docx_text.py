from ingest_builders import docx_with_footnote, docx_with_numbered_headings, docx_with_table, docx_zip_bomb

from ingest.options import ParseOptions
from ingest.parse import parse_bytes

OPTIONS = ParseOptions()


def test_docx_body_and_table_in_document_order_without_headers_and_footers() -> None:
    doc = parse_bytes(docx_with_table(), filename="ccap.docx", options=OPTIONS)
    assert doc.status == "parsed" and doc.format == "docx" and not doc.paginated
    assert "EN-TÊTE" not in doc.text and "Pied de page" not in doc.text
    assert doc.text.split("\n") == [
        "Article 3 - Prix",
        "Les prix sont fermes et définitifs.",
        "Prestation | Prix HT",
        "Tonte | 1 200 €",
        "Taille des haies | 950 €",
        "Article 4 - Paiement",
        "Le délai global de paiement est de trente jours.",
    ]
    (table,) = doc.tables
    assert table.page is None
    assert table.rows == (("Prestation", "Prix HT"), ("Tonte", "1 200 €"), ("Taille des haies", "950 €"))
    assert doc.text[table.start:table.end] == "Prestation | Prix HT\nTonte | 1 200 €\nTaille des haies | 950 €"


def test_automatic_numbering_is_kept_as_text() -> None:
    doc = parse_bytes(docx_with_numbered_headings(), filename="ccap.docx", options=OPTIONS)
    lines = doc.text.split("\n")
    assert lines[0] == "1. Objet du marché"
    assert lines[2] == "2. Durée"
    assert lines[4] == "3. Pénalités"


def test_footnotes_follow_the_body() -> None:
    doc = parse_bytes(docx_with_footnote(), filename="ccap.docx", options=OPTIONS)
    assert doc.text == ("Le CCAG applicable est celui des fournitures courantes.\n"
                        "Note 1 : Arrêté du 30 mars 2021, version en vigueur.")


def test_docx_zip_bomb_fails_with_a_french_message() -> None:
    doc = parse_bytes(docx_zip_bomb(20), filename="piege.docx", options=OPTIONS)
    assert doc.status == "failed"
    assert "bombe de décompression" in doc.errors[0] and "conservé" in doc.errors[0]


def test_truncated_docx_fails_cleanly() -> None:
    data = docx_with_table()
    doc = parse_bytes(data[: len(data) // 2], filename="coupe.docx", options=OPTIONS)
    assert doc.status == "failed" and "DOCX" in doc.errors[0]


def test_latin1_text_file_is_decoded() -> None:
    data = "Délai de réponse : quinze jours à réception.\nMontant : 3 000 €".encode("cp1252")
    doc = parse_bytes(data, filename="note.txt", options=OPTIONS)
    assert doc.status == "parsed" and doc.format == "txt"
    assert doc.text == "Délai de réponse : quinze jours à réception.\nMontant : 3 000 €"
    assert doc.pages[0].start == 0 and doc.page_at(5) is None


def test_form_feeds_are_page_breaks() -> None:
    data = "Page un : objet.\fPage deux : pénalités de 50 €.\f".encode()
    doc = parse_bytes(data, filename="export.txt", options=OPTIONS)
    assert doc.paginated and [p.text for p in doc.pages] == ["Page un : objet.", "Page deux : pénalités de 50 €."]
    assert doc.page_at(doc.text.index("50 €")) == 2


def test_utf16_without_bom_is_text() -> None:
    data = "Délai d'exécution : 45 jours.".encode("utf-16-le")
    doc = parse_bytes(data, filename="export.txt", options=OPTIONS)
    assert doc.status == "parsed" and doc.text == "Délai d'exécution : 45 jours."


def test_markdown_is_kept_as_written() -> None:
    data = "# CCAP\n\n### Article 9.2 : Pénalités\n\nTexte **important**.".encode()
    doc = parse_bytes(data, filename="ccap.md", options=OPTIONS)
    assert doc.format == "md"
    assert "### Article 9.2 : Pénalités" in doc.text


def test_html_file_to_text() -> None:
    data = ("<html><head><meta charset='windows-1252'><style>p{}</style></head><body><h1>Décision</h1>"
            "<p>Pénalité appliquée :<br>500 €</p><ul><li>premier</li><li>second</li></ul></body></html>"
            ).encode("cp1252")
    doc = parse_bytes(data, filename="page.htm", options=OPTIONS)
    assert doc.format == "html"
    assert doc.text == "Décision\n\nPénalité appliquée :\n500 €\n\n- premier\n- second"
