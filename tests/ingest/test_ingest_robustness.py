"""Damaged inputs never raise, and every parsed document keeps its offset invariants."""

import random

import pytest
from ingest_builders import (
    docx_with_table,
    eml_cp1252_undeclared,
    eml_with_pdf_attachment,
    pdf_with_running_headers,
    pdf_with_table,
    xlsx_workbook,
)

from ingest.options import ParseOptions
from ingest.parse import parse_bytes
from models.domain.types import ParsedDocument

OPTIONS = ParseOptions(ocr=False)
SAMPLES = {
    "pdf": pdf_with_running_headers,
    "table.pdf": pdf_with_table,
    "docx": docx_with_table,
    "xlsx": xlsx_workbook,
    "eml": lambda: eml_with_pdf_attachment(pdf_with_running_headers()),
    "cp1252.eml": eml_cp1252_undeclared,
}


def check_invariants(doc: ParsedDocument) -> None:
    assert doc.status in ("parsed", "partial", "failed")
    if doc.status != "parsed":
        assert doc.errors and all(isinstance(e, str) and e for e in doc.errors)
    for page in doc.pages:
        assert doc.text[page.start:page.start + len(page.text)] == page.text
    for table in doc.tables:
        assert 0 <= table.start <= table.end <= len(doc.text)
    if doc.paginated:
        assert [p.number for p in doc.pages] == sorted(p.number for p in doc.pages)


def _damaged(data: bytes, rng: random.Random) -> list[bytes]:
    out = [data[: rng.randint(1, len(data) - 1)] for _ in range(4)]
    for _ in range(8):
        buf = bytearray(data)
        for _ in range(rng.randint(1, 30)):
            buf[rng.randrange(len(buf))] = rng.randrange(256)
        out.append(bytes(buf))
    return out


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_damaged_files_never_raise(name: str) -> None:
    data = SAMPLES[name]()
    check_invariants(parse_bytes(data, filename=f"intact.{name}", options=OPTIONS))
    rng = random.Random(name)
    for damaged in _damaged(data, rng):
        check_invariants(parse_bytes(damaged, filename=f"abime.{name}", options=OPTIONS))


def test_pdf_with_one_unloadable_page_keeps_the_others() -> None:
    data = pdf_with_running_headers()
    # Break the second page object's type so that pdfium cannot load that page alone.
    marker = b"/Type /Page\n"
    first = data.index(marker)
    second = data.index(marker, first + 1)
    damaged = data[:second] + b"/Type /Pagx\n" + data[second + len(marker):]
    doc = parse_bytes(damaged, filename="abime.pdf", options=OPTIONS)
    check_invariants(doc)
    assert doc.status == "partial"
    assert doc.errors == ("Page(s) endommagée(s) non lue(s) : 2 ; le fichier original est conservé.",)
    assert [p.number for p in doc.pages] == [1, 2, 3] and doc.pages[1].text == ""
    assert "espaces verts" in doc.pages[0].text and "150 euros" in doc.pages[2].text


@pytest.mark.parametrize("name", ["docx", "xlsx"])
def test_a_zip_header_claiming_an_unknown_zip_version_is_a_damaged_file(name: str) -> None:
    """A flipped byte can make the central directory claim « version 7.7 », which zipfile refuses
    with NotImplementedError: the user gets the damaged-file message, nothing raises."""
    data = bytearray(SAMPLES[name]())
    at = data.find(b"PK\x01\x02")
    data[at + 6:at + 8] = (77).to_bytes(2, "little")  # « version needed to extract »
    doc = parse_bytes(bytes(data), filename=f"abime.{name}", options=OPTIONS)
    check_invariants(doc)
    assert doc.status == "failed" and "endommagé (archive ZIP invalide)" in doc.errors[0]
