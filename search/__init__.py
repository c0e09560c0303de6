"""Vigie portfolio search: one protocol, three engines, one query language.

Public API for the composition root (`api/`):

    from search import (SearchRecord, SearchResults, SearchHit, FacetCount, Query, parse_query,
                        SearchBackend, EmbeddedBackend, OpenSearchBackend, ElasticsearchBackend,
                        ReconcileReport, SearchError, FACET_FIELDS)

    SearchRecord(id, record_type="clause"|"document", path, document_id, text, contract_ref=None,
                 supplier=None, supplier_siret=None, clause_type=None, ccag=None, doc_kind=None,
                 year=None, article=None, heading=None, page=None, version=1, date=None)
        # version: int or str (e.g. an updated_at timestamp), compared as text by reconcile;
        # date: optional ISO "YYYY-MM-DD" for date: ranges (else the year is used)
    parse_query(q: str) -> Query                      # pure; French/English operators, field filters
    backend.index(records) -> int                     # upsert by id (write AFTER the DB commit)
    backend.delete(ids) -> int
    backend.search(query: Query | str, *, filters=None, facets=(), page=1, size=10) -> SearchResults
        filters: {"contract_ref": "2024-FCS-012", "ccag": ["FCS", "TIC"], "year": "2023..2025",
                  "record_type": "clause", ...}  (French aliases accepted: contrat, fournisseur, annee...)
        facets: any of FACET_FIELDS = contract_ref, supplier, clause_type, ccag, doc_kind, year
        hits: score, path, article, page, heading, snippet (HTML-escaped, <mark>…</mark>), ...
    backend.rebuild(records) -> int                   # `vigie reindex`: full replacement
    backend.reconcile(expected: {id: version}, fetch: (ids) -> records) -> ReconcileReport
    backend.count() -> int;  backend.close()

    EmbeddedBackend(path: Path | None)                # tantivy; None = in memory
        .recreated: True when an index of an older layout was dropped on open -> call rebuild
    OpenSearchBackend(url, index_prefix="vigie")      # alias <prefix>-records → versioned index
    ElasticsearchBackend(url, index_prefix="vigie")

The OpenSearch/Elasticsearch modules import their client lazily through these names, so an
installation without a search server never loads them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from search.backend import SearchBackend
from search.embedded import EmbeddedBackend
from search.errors import QuerySyntaxError, SearchError
from search.query import Query, parse_query
from search.reconcile import ReconcileReport
from search.records import FACET_FIELDS, FacetCount, SearchHit, SearchRecord, SearchResults

if TYPE_CHECKING:
    from search.elasticsearch_backend import ElasticsearchBackend
    from search.opensearch_backend import OpenSearchBackend

__all__ = [
    "FACET_FIELDS", "ElasticsearchBackend", "EmbeddedBackend", "FacetCount", "OpenSearchBackend", "Query",
    "QuerySyntaxError", "ReconcileReport", "SearchBackend", "SearchError", "SearchHit", "SearchRecord",
    "SearchResults", "parse_query",
]


def __getattr__(name: str) -> Any:
    if name == "OpenSearchBackend":
        from search.opensearch_backend import OpenSearchBackend

        return OpenSearchBackend
    if name == "ElasticsearchBackend":
        from search.elasticsearch_backend import ElasticsearchBackend

        return ElasticsearchBackend
    raise AttributeError(name)
