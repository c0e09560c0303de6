import pytest
from ingest_builders import docx_with_table, docx_zip_bomb

from ingest.errors import UnsafeArchiveError
from ingest.options import ParseOptions
from ingest.safety import check_zip, safe_filename


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("/var/tmp/Décision pénalités.pdf", "Décision pénalités.pdf"),
        ("..\\..\\windows\\Mise en demeure.docx", "Mise en demeure.docx"),
        ("rapport\x00\x1b[31m.pdf", "rapport__[31m.pdf"),
        ("..", "document"),
        ("", "document"),
        ("CON.txt", "_CON.txt"),
        ('a<b>c:"d".pdf', "a_b_c__d_.pdf"),
    ],
)
def test_safe_filename(raw: str, expected: str) -> None:
    assert safe_filename(raw) == expected


def test_safe_filename_keeps_extension_when_truncating() -> None:
    name = safe_filename("é" * 300 + ".pdf")
    assert name.endswith(".pdf") and len(name.encode()) <= 200


def test_zip_bomb_refused_before_inflating() -> None:
    with pytest.raises(UnsafeArchiveError) as caught:
        check_zip(docx_zip_bomb(20), ParseOptions(), "DOCX")
    assert "taux de compression anormal" in caught.value.message


def test_total_uncompressed_size_is_bounded() -> None:
    with pytest.raises(UnsafeArchiveError) as caught:
        check_zip(docx_with_table(), ParseOptions(max_unzipped_bytes=10_000), "DOCX")
    assert "décompressé" in caught.value.message


def test_ordinary_docx_passes() -> None:
    check_zip(docx_with_table(), ParseOptions(), "DOCX")
