from pathlib import Path

import pytest
from ingest_builders import (
    docx_with_table,
    docx_zip_bomb,
    eml_with_pdf_attachment,
    encrypted_pdf,
    pdf_with_running_headers,
)

from ingest.blobstore import BlobStore
from ingest.options import ParseOptions
from ingest.parse import parse_bytes, parse_path
from ingest.pipeline import ingest_bytes

OPTIONS = ParseOptions()


def test_zero_byte_file() -> None:
    doc = parse_bytes(b"", filename="vide.pdf", options=OPTIONS)
    assert doc.status == "failed" and "Fichier vide" in doc.errors[0]


def test_oversize_is_refused_before_parsing(tmp_path: Path) -> None:
    options = ParseOptions(max_bytes=1024)
    doc = parse_bytes(b"a" * 2048, filename="gros.txt", options=options)
    assert doc.status == "failed" and "trop volumineux" in doc.errors[0]
    path = tmp_path / "gros.pdf"
    path.write_bytes(b"%PDF-1.4" + b"0" * 4096)
    assert parse_path(path, options=options).status == "failed"


def test_unsupported_format_names_what_to_do() -> None:
    doc = parse_bytes(b"{\\rtf1\\ansi Bonjour}", filename="lettre.rtf", options=OPTIONS)
    assert doc.status == "failed" and ".docx" in doc.errors[0]


def test_binary_garbage_fails_without_raising() -> None:
    doc = parse_bytes(bytes(range(256)) * 10, filename="inconnu.bin", options=OPTIONS)
    assert doc.status == "failed" and doc.errors


def test_bad_input_keeps_the_original_in_the_store(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")
    data = encrypted_pdf()
    result = ingest_bytes(data, filename="../secret.pdf", store=store, options=OPTIONS)
    assert result.document.status == "failed"
    assert "protégé par mot de passe" in result.document.errors[0]
    assert result.filename == "secret.pdf"
    assert store.get(result.sha256) == data


@pytest.mark.parametrize(
    ("name", "make", "phrase"),
    [
        ("vide.pdf", lambda: b"", "Fichier vide"),
        ("abime.pdf", lambda: pdf_with_running_headers()[:300], "endommagé"),
        ("piege.docx", lambda: docx_zip_bomb(20), "bombe de décompression"),
        ("coupe.docx", lambda: docx_with_table()[:2000], "DOCX"),
        ("ancien.doc", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1000, "conservé"),
    ],
)
def test_every_bad_input_is_stored_and_explained(tmp_path: Path, name: str, make, phrase: str) -> None:  # type: ignore[no-untyped-def]
    store = BlobStore(tmp_path / "blobs")
    data = make()
    result = ingest_bytes(data, filename=name, store=store, options=OPTIONS)
    assert result.document.status == "failed"
    assert phrase in result.document.errors[0]
    assert store.get(result.sha256) == data


def test_attachments_become_child_documents(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")
    pdf = pdf_with_running_headers()
    result = ingest_bytes(eml_with_pdf_attachment(pdf), filename="envoi.eml", store=store, options=OPTIONS)
    (child,) = result.children
    assert child.depth == 1 and child.filename == "mise en demeure.pdf"
    assert child.document.status == "parsed" and len(child.document.pages) == 3
    assert store.get(child.sha256) == pdf


def test_attachment_depth_is_bounded(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")
    data = eml_with_pdf_attachment(pdf_with_running_headers())
    result = ingest_bytes(data, filename="envoi.eml", store=store, options=ParseOptions(max_attachment_depth=0))
    assert result.children == () and result.document.status == "partial"


def test_inspection_command_prints_one_json_line_per_file(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    import json

    from ingest.__main__ import main

    pdf = tmp_path / "ccap.pdf"
    pdf.write_bytes(pdf_with_running_headers())
    empty = tmp_path / "vide.txt"
    empty.write_bytes(b"")
    assert main([str(pdf), str(empty), "--no-ocr"]) == 0
    first, second = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert (first["status"], first["format"], first["pages"]) == ("parsed", "pdf", 3)
    assert second["status"] == "failed" and "Fichier vide" in second["errors"][0]
