"""The search index is a projection of the store: built from rows, written after commit.

`process_outbox` indexes what changed (outbox rows written in the same transaction as the
data); `reindex` rebuilds everything; `reconcile` repairs drift between store and index.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Iterator, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.services.store import Store
from api.settings import Settings
from models.db import tables as t
from search import (
    ElasticsearchBackend,
    EmbeddedBackend,
    OpenSearchBackend,
    ReconcileReport,
    SearchBackend,
    SearchRecord,
)

log = logging.getLogger(__name__)

_backends: dict[str, SearchBackend] = {}


def make_backend(settings: Settings) -> SearchBackend:
    if settings.search_backend == "opensearch":
        if not settings.opensearch_url:
            raise ValueError("VIGIE_OPENSEARCH_URL manquant : indiquez l'adresse du cluster OpenSearch.")
        return OpenSearchBackend(settings.opensearch_url, index_prefix=settings.index_prefix)
    if settings.search_backend == "elasticsearch":
        if not settings.elasticsearch_url:
            raise ValueError("VIGIE_ELASTICSEARCH_URL manquant : indiquez l'adresse du cluster Elasticsearch.")
        return ElasticsearchBackend(settings.elasticsearch_url, index_prefix=settings.index_prefix)
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    return EmbeddedBackend(settings.index_dir)


def backend_for(store: Store) -> SearchBackend:
    key = str(store.settings.index_dir.resolve()) + store.settings.search_backend
    if key not in _backends:
        backend = make_backend(store.settings)
        _backends[key] = backend
        if isinstance(backend, EmbeddedBackend) and backend.recreated:
            # an index from an older version was dropped on open: rebuild it from the store
            reindex(store)
    return _backends[key]


def records_for_document(session: Session, doc: t.Document) -> Iterator[SearchRecord]:
    contract = doc.contract
    supplier = contract.supplier if contract else None
    year = doc.doc_date.year if doc.doc_date else (contract.notified_on.year if contract and contract.notified_on else None)
    version = doc.analysed_at.isoformat() if doc.analysed_at else ""
    base = SearchRecord(id=f"d{doc.id}", record_type="document", path=doc.path or doc.filename, document_id=str(doc.id),
                        text="\n\n".join(p.text for p in doc.pages), contract_ref=contract.ref if contract else None,
                        supplier=supplier.name if supplier else None,
                        supplier_siret=supplier.siret if supplier else None,
                        ccag=contract.ccag if contract else None, doc_kind=doc.kind, year=year,
                        heading=doc.subject or doc.filename, version=version)
    yield base
    clauses = session.scalars(select(t.ClauseRow).where(t.ClauseRow.document_id == doc.id)
                              .order_by(t.ClauseRow.start, t.ClauseRow.id)).all()
    headings = {c.article: c.heading for c in clauses if c.article and c.heading}
    for n, c in enumerate(clauses):
        # an inline sub-article (« 3.2.1 ») has no title of its own: it is found under its parent's
        heading = c.heading or headings.get(c.parent or "", "")
        text = c.text if c.article else _own_text(c, clauses)
        if not text.strip() and not heading:
            continue
        yield dataclasses.replace(base, id=f"d{doc.id}-c{n}", record_type="clause", clause_type=c.clause_type,
                                  article=c.article, heading=heading, page=c.page, text=text)


def _own_text(clause: t.ClauseRow, clauses: Sequence[t.ClauseRow]) -> str:
    """An unnumbered part (« TITRE II ») without the numbered articles it holds, which are indexed
    on their own: otherwise it would outrank them with their own words and no article to cite."""
    inner = [c.start for c in clauses if clause.start < c.start < clause.end]
    return clause.text[: min(inner) - clause.start] if inner else clause.text


def _all_records(store: Store) -> list[SearchRecord]:
    with store.sessions() as session:
        out: list[SearchRecord] = []
        for doc in session.scalars(select(t.Document).where(t.Document.status.in_(("parsed", "partial")))):
            out.extend(records_for_document(session, doc))
        return out


def process_outbox(store: Store) -> int:
    """Index the documents whose rows changed; runs after the commit that wrote them."""
    backend = backend_for(store)
    with store.sessions() as session:
        pending = session.scalars(select(t.OutboxEntry).where(t.OutboxEntry.processed_at.is_(None))
                                  .order_by(t.OutboxEntry.id)).all()
        if not pending:
            return 0
        doc_ids = sorted({e.entity_id for e in pending})
        records: list[SearchRecord] = []
        new_ids: dict[int, list[str]] = {}
        stale: list[str] = []
        for doc_id in doc_ids:
            doc = session.get(t.Document, doc_id)
            if doc is None:
                continue
            mine = list(records_for_document(session, doc)) if doc.status in ("parsed", "partial") else []
            new_ids[doc_id] = [r.id for r in mine]
            stale.extend(set(doc.index_ids or []) - set(new_ids[doc_id]))
            records.extend(mine)
        entry_ids = [e.id for e in pending]
    if stale:
        backend.delete(stale)
    backend.index(records)
    with store.sessions.begin() as session:
        for doc_id, ids in new_ids.items():
            doc = session.get(t.Document, doc_id)
            if doc is not None:
                doc.index_ids = ids
        for entry in session.scalars(select(t.OutboxEntry).where(t.OutboxEntry.id.in_(entry_ids))):
            entry.processed_at = dt.datetime.now(dt.UTC)
    return len(doc_ids)


def reindex(store: Store) -> int:
    """`vigie reindex`: a new index built from the store, swapped in whole."""
    records = _all_records(store)
    backend_for(store).rebuild(records)
    _mark_indexed(store, records)
    return len(records)


def reconcile(store: Store) -> ReconcileReport:
    """Repair drift: index what is missing or outdated, remove what the store no longer has."""
    records = {r.id: r for r in _all_records(store)}
    report = backend_for(store).reconcile({i: r.version for i, r in records.items()},
                                          lambda ids: [records[i] for i in ids])
    _mark_indexed(store, list(records.values()))
    return report


def _mark_indexed(store: Store, records: list[SearchRecord]) -> None:
    by_doc: dict[str, list[str]] = {}
    for r in records:
        by_doc.setdefault(r.document_id, []).append(r.id)
    with store.sessions.begin() as session:
        for doc in session.scalars(select(t.Document)):
            doc.index_ids = by_doc.get(str(doc.id), [])
        for entry in session.scalars(select(t.OutboxEntry).where(t.OutboxEntry.processed_at.is_(None))):
            entry.processed_at = dt.datetime.now(dt.UTC)
