"""The `SearchBackend` protocol every engine implements, and the shared filter handling."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Protocol, runtime_checkable

from search.errors import SearchError
from search.query import FIELD_ALIASES, RANGE_FIELDS, And, FieldMatch, Node, Or, Query, Range, parse_query
from search.reconcile import ReconcileReport
from search.records import FACET_FIELDS, SearchRecord, SearchResults

FilterValue = str | int | Range | Sequence[str | int]
Filters = Mapping[str, FilterValue]

MAX_PAGE_SIZE = 100


@runtime_checkable
class SearchBackend(Protocol):
    def index(self, records: Iterable[SearchRecord]) -> int:
        """Add or replace records (by id); returns how many were written."""

    def delete(self, ids: Iterable[str]) -> int:
        """Remove records by id; returns how many ids were asked for."""

    def search(
        self,
        query: Query | str,
        *,
        filters: Filters | None = None,
        facets: Sequence[str] = (),
        page: int = 1,
        size: int = 10,
    ) -> SearchResults: ...

    def rebuild(self, records: Iterable[SearchRecord]) -> int:
        """Replace the whole index content with `records` (the `vigie reindex` path)."""

    def reconcile(
        self, expected: Mapping[str, int | str], fetch: Callable[[Sequence[str]], Iterable[SearchRecord]]
    ) -> ReconcileReport:
        """Index what is missing or stale, delete what the database no longer has."""

    def count(self) -> int: ...

    def close(self) -> None: ...


def filter_nodes(filters: Filters | None) -> list[Node]:
    """Turn the `filters` argument into query nodes (values of a list are OR-ed)."""
    nodes: list[Node] = []
    for name, value in (filters or {}).items():
        field = FIELD_ALIASES.get(name.lower(), name)
        if isinstance(value, Range):
            nodes.append(Range(field, value.low, value.high))
            continue
        values = [value] if isinstance(value, (str, int)) else list(value)
        alternatives: list[Node] = []
        for v in values:
            if field in RANGE_FIELDS:
                from search.query import parse_range
                alternatives.append(parse_range(field, str(v)))
            else:
                alternatives.append(FieldMatch(field, str(v)))
        if alternatives:
            nodes.append(alternatives[0] if len(alternatives) == 1 else Or(tuple(alternatives)))
    return nodes


def resolve(query: Query | str, filters: Filters | None) -> tuple[Query, list[Node]]:
    parsed = parse_query(query) if isinstance(query, str) else query
    return parsed, filter_nodes(filters)


def check_paging(page: int, size: int, facets: Sequence[str]) -> None:
    if page < 1:
        raise SearchError("Numéro de page invalide : la première page est 1.")
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise SearchError(f"Taille de page invalide : choisissez entre 1 et {MAX_PAGE_SIZE} résultats.")
    unknown = [f for f in facets if f not in FACET_FIELDS]
    if unknown:
        raise SearchError(
            f"Facette inconnue : {', '.join(unknown)}. Facettes possibles : {', '.join(FACET_FIELDS)}."
        )


def date_number(record: SearchRecord) -> int | None:
    """YYYYMMDD for date-range filters; a record with only a year counts as YYYY0000."""
    if record.date:
        y, m, d = (record.date.split("-") + ["0", "0"])[:3]
        return int(y) * 10000 + int(m) * 100 + int(d)
    return record.year * 10000 if record.year else None


def with_filters(root: Node | None, filters: list[Node]) -> Node | None:
    if not filters:
        return root
    items = ([root] if root is not None else []) + filters
    return items[0] if len(items) == 1 else And(tuple(items), implicit=False)


def minimum_should_match(n: int) -> int:
    """How many of n juxtaposed words a record must contain: one of two, all but one of three or
    four; half of a longer query (a sentence typed in full should still find its clause, and BM25
    ranks the records holding more of the words first anyway)."""
    if n <= 2:
        return 1
    if n <= 4:
        return n - 1
    return (n + 1) // 2
