"""The store: migrations, SQLite WAL, PostgreSQL by URL, content-addressed originals."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine, inspect, text

from api.services import documents as docs
from api.services.store import open_store
from api.settings import Settings
from models.db import tables as t
from tests.conftest import require_service


def test_sqlite_store_is_migrated_and_in_wal_mode(store):
    with store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    tables = set(inspect(store.engine).get_table_names())
    assert {"documents", "pages", "contracts", "incidents", "findings", "reviews", "outbox"} <= tables


def test_same_file_twice_is_one_document_reported_as_duplicate(store):
    data = b"Courrier de relance du 3 mars 2025 : livraison attendue."
    first = docs.ingest_file(store, data=data, filename="relance.txt", origin="upload")
    second = docs.ingest_file(store, data=data, filename="copie-relance.txt", origin="upload")
    assert second.duplicate and second.document_id == first.document_id
    assert "Doublon" in second.errors[0]
    with store.sessions() as session:
        assert session.query(t.Document).count() == 1
        assert session.query(t.DocumentSource).count() == 2  # both arrivals are traced
    assert store.blobs.get(store.blobs.put(data)) == data


def test_failed_parse_keeps_the_original_and_says_why_in_french(store):
    broken = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage without xref"
    outcome = docs.ingest_file(store, data=broken, filename="scan_0042.pdf", origin="upload")
    assert outcome.status == "failed"
    with store.sessions() as session:
        doc = session.get(t.Document, outcome.document_id)
        assert doc.status == "failed" and doc.error
        assert store.blobs.get(doc.sha256) == broken


@pytest.mark.postgres
def test_postgresql_store_by_url(tmp_path):
    url = require_service("VIGIE_TEST_POSTGRES_URL", "PostgreSQL")
    schema_db = f"vigie_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{schema_db}"'))
    db_url = url.rsplit("/", 1)[0] + "/" + schema_db
    try:
        store = open_store(Settings(data_dir=tmp_path, database_url=db_url))
        outcome = docs.ingest_file(store, data=b"Objet : mise en demeure", filename="a.txt", origin="upload")
        again = docs.ingest_file(store, data=b"Objet : mise en demeure", filename="b.txt", origin="upload")
        assert again.duplicate and again.document_id == outcome.document_id
        assert store.engine.dialect.name == "postgresql"
        store.close()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{schema_db}" WITH (FORCE)'))
        admin.dispose()


def test_migrations_match_the_tables(store):
    """A table changed without its Alembic migration would break every existing installation."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), t.Base.metadata)
    assert diff == []
