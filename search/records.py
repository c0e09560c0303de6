"""What the lead feeds into a backend (`SearchRecord`) and what a search returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

RecordType = Literal["clause", "document"]

# Facetable fields, in display order.
FACET_FIELDS: tuple[str, ...] = ("contract_ref", "supplier", "clause_type", "ccag", "doc_kind", "year")
# Exact-value fields a filter may name (canonical names; see query.FIELD_ALIASES for French ones).
KEYWORD_FIELDS: tuple[str, ...] = (
    "record_type", "path", "document_id", "contract_ref", "supplier", "supplier_siret",
    "clause_type", "ccag", "doc_kind", "article",
)
INT_FIELDS: tuple[str, ...] = ("year", "date")


@dataclass(frozen=True)
class SearchRecord:
    """One indexed unit: a clause (article) or a whole document.

    `version` lets `reconcile` detect stale entries: any int or string that changes whenever the
    source row changes (a counter, an updated_at timestamp); compared as text.
    `date` (ISO "YYYY-MM-DD", optional) serves date-range filters; without it `year` does.
    """

    id: str
    record_type: RecordType
    path: str
    document_id: str
    text: str
    contract_ref: str | None = None
    supplier: str | None = None
    supplier_siret: str | None = None
    clause_type: str | None = None
    ccag: str | None = None
    doc_kind: str | None = None
    year: int | None = None
    article: str | None = None
    heading: str | None = None
    page: int | None = None
    version: int | str = 1
    date: str | None = None


@dataclass(frozen=True)
class SearchHit:
    id: str
    score: float
    record_type: str
    path: str
    document_id: str
    article: str | None
    heading: str | None
    page: int | None
    snippet: str  # HTML-escaped text with <mark>…</mark> around matched words
    contract_ref: str | None = None
    supplier: str | None = None
    clause_type: str | None = None
    doc_kind: str | None = None
    year: int | None = None


@dataclass(frozen=True)
class FacetCount:
    value: str
    count: int


@dataclass(frozen=True)
class SearchResults:
    total: int
    hits: tuple[SearchHit, ...]
    facets: dict[str, tuple[FacetCount, ...]] = field(default_factory=dict)
    page: int = 1
    size: int = 10
