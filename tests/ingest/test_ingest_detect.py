import pytest
from ingest_builders import docx_with_table, eml_cp1252_undeclared, pdf_with_running_headers

from ingest.detect import detect_format


def test_magic_bytes_win_over_a_misleading_extension() -> None:
    assert detect_format(pdf_with_running_headers(), "scan_0042.txt") == "pdf"
    assert detect_format(docx_with_table(), "piece3.pdf") == "docx"
    assert detect_format(eml_cp1252_undeclared(), "courrier-7.txt") == "eml"


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (b"<!DOCTYPE html><html><body>x</body></html>", None, "html"),
        (b"# Article 1\n\nTexte", "ccap.md", "md"),
        (b"Simple lettre\nsans en-tete", "lettre.dat", "txt"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, None, "png"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 20, None, "jpeg"),
        (b"\x00\x01\x02\x03binaire" * 10, "x.txt", "binary"),
        (b"", "vide.pdf", "empty"),
        (b"PK\x03\x04 pas vraiment un zip", "contrat.docx", "docx"),
        (b"Objet: pas un e-mail\nSuite du texte", None, "txt"),
        (b'<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><body>x</body></html>', None, "html"),
        (b"X_Custom_Flag: 1\nFrom: a@b.fr\nSubject: x\n\ncorps", "m.txt", "eml"),
        (b"From achats@ville.fr Mon Mar  2 09:00:00 2026\nFrom: achats@ville.fr\nSubject: x\n\nCorps", None, "eml"),
    ],
)
def test_detection_cases(data: bytes, name: str | None, expected: str) -> None:
    assert detect_format(data, name) == expected
