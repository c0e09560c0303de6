"""What the Elasticsearch and OpenSearch adapters share: versioned indices behind an alias,
bulk writes, rebuild with an atomic alias switch, reconcile, and reading responses.

The two subclasses only say how to call their official client (the two clients differ in
keyword names: `body=` for opensearch-py, `settings=`/`mappings=`/`operations=` for
elasticsearch 8+).
"""

from __future__ import annotations

import html
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from search import dsl
from search.backend import Filters, check_paging
from search.errors import SearchError
from search.query import Query
from search.reconcile import ReconcileReport, apply, plan
from search.records import FacetCount, SearchHit, SearchRecord, SearchResults
from search.rerank import fetch_size, page_of

log = logging.getLogger(__name__)

BULK_CHUNK = 1000


def index_name(prefix: str, stamp: str | None = None) -> str:
    """Versioned concrete index name: `<prefix>-records-v<mapping>-<stamp>`."""
    return f"{prefix}-records-v{dsl.MAPPING_VERSION}-{stamp or time.strftime('%Y%m%d%H%M%S')}{int(time.time_ns() % 1000):03d}"


def alias_name(prefix: str) -> str:
    return f"{prefix}-records"


def bulk_actions(target: str, records: Iterable[SearchRecord]) -> Iterator[dict[str, Any]]:
    for r in records:
        yield {"_op_type": "index", "_index": target, "_id": r.id, "_source": dsl.document(r)}


def delete_actions(target: str, ids: Iterable[str]) -> Iterator[dict[str, Any]]:
    for i in ids:
        yield {"_op_type": "delete", "_index": target, "_id": i}


def read_results(response: Mapping[str, Any], facets: Sequence[str], page: int, size: int) -> SearchResults:
    hits = []
    for h in response["hits"]["hits"]:
        src = h.get("_source", {})
        fragments = h.get("highlight", {}).get("text") or []
        snippet = fragments[0] if fragments else html.escape((src.get("text") or "")[: dsl.SNIPPET_CHARS])
        hits.append(SearchHit(
            id=src.get("id", h["_id"]), score=float(h.get("_score") or 0.0),
            record_type=src.get("record_type", ""), path=src.get("path", ""),
            document_id=src.get("document_id", ""), article=src.get("article"), heading=src.get("heading"),
            page=src.get("page"), snippet=snippet, contract_ref=src.get("contract_ref"),
            supplier=src.get("supplier"), clause_type=src.get("clause_type"), doc_kind=src.get("doc_kind"),
            year=src.get("year"),
        ))
    total = response["hits"]["total"]
    total_count = total["value"] if isinstance(total, dict) else int(total)
    out: dict[str, tuple[FacetCount, ...]] = {}
    for f in facets:
        buckets = response.get("aggregations", {}).get(f, {}).get("buckets", [])
        out[f] = tuple(FacetCount(str(b["key"]), int(b["doc_count"])) for b in buckets)
    return SearchResults(total=total_count, hits=tuple(hits), facets=out, page=page, size=size)


class RemoteBackend:
    """Base of `OpenSearchBackend` and `ElasticsearchBackend`; subclasses bind the client calls."""

    product = "moteur distant"

    def __init__(self, client: Any, index_prefix: str = "vigie", *, refresh: bool = True) -> None:
        self.client = client
        self.prefix = index_prefix
        self.alias = alias_name(index_prefix)
        # refresh after writes so that a search right after sees them (off for bulk loads)
        self.refresh = refresh
        self._ensured = False

    # -- client bindings (overridden) ---------------------------------------------------------
    def _create_index(self, name: str, body: dict[str, Any]) -> None:
        raise NotImplementedError

    def _search(self, index: str, body: dict[str, Any]) -> Mapping[str, Any]:
        raise NotImplementedError

    def _bulk(self, actions: Iterable[dict[str, Any]]) -> tuple[int, list[Any]]:
        raise NotImplementedError

    def _scan(self, index: str, body: dict[str, Any]) -> Iterable[Mapping[str, Any]]:
        raise NotImplementedError

    # -- alias management ---------------------------------------------------------------------
    def _alias_targets(self) -> list[str]:
        if not self.client.indices.exists_alias(name=self.alias):
            return []
        return sorted(self.client.indices.get_alias(name=self.alias).keys())

    def ensure_index(self) -> str:
        """Create the first versioned index and its alias when there is none; returns the target."""
        if self._ensured:
            return self.alias
        targets = self._alias_targets()
        stale = [t for t in targets if f"-records-v{dsl.MAPPING_VERSION}-" not in t]
        if stale:
            # never rewrite a live mapping in place: `rebuild` creates the new index and switches
            log.warning("index %s has an older mapping than v%d: run `vigie reindex`", stale, dsl.MAPPING_VERSION)
        if not targets:
            name = index_name(self.prefix)
            self._create_index(name, dsl.index_body())
            self._switch_alias(name, [])
        self._ensured = True
        return self.alias

    _kw_aliases = False  # elasticsearch 8+ takes actions=..., opensearch-py body=...

    def _switch_alias(self, new: str, old: Sequence[str]) -> None:
        actions: list[dict[str, Any]] = [{"remove": {"index": o, "alias": self.alias}} for o in old]
        actions.append({"add": {"index": new, "alias": self.alias}})
        if self._kw_aliases:
            self.client.indices.update_aliases(actions=actions)
        else:
            self.client.indices.update_aliases(body={"actions": actions})

    # -- SearchBackend ------------------------------------------------------------------------
    def _write(self, actions: Iterable[dict[str, Any]], target: str) -> int:
        ok, errors = self._bulk(actions)
        if errors:
            raise SearchError(
                f"Indexation partielle dans {self.product} ({len(errors)} erreurs, première : {errors[0]}) ; "
                "relancez la réindexation."
            )
        if self.refresh:
            self.client.indices.refresh(index=target)
        return ok

    def index(self, records: Iterable[SearchRecord]) -> int:
        target = self.ensure_index()
        return self._write(bulk_actions(target, records), target)

    def delete(self, ids: Iterable[str]) -> int:
        target = self.ensure_index()
        ids = list(ids)
        ok, errors = self._bulk(delete_actions(target, ids))
        real = [e for e in errors if _status(e) != 404]  # deleting an absent id is fine
        if real:
            raise SearchError(f"Suppression incomplète dans {self.product} : {real[0]}")
        if self.refresh:
            self.client.indices.refresh(index=target)
        return len(ids)

    def rebuild(self, records: Iterable[SearchRecord]) -> int:
        """Fill a new versioned index, then switch the alias in one step and drop the old ones."""
        old = self._alias_targets()
        new = index_name(self.prefix)
        self._create_index(new, dsl.index_body())
        try:
            n = self._write(bulk_actions(new, records), new)
            self.client.indices.refresh(index=new)
        except Exception:
            self.client.indices.delete(index=new)
            raise
        self._switch_alias(new, old)
        for o in old:
            self.client.indices.delete(index=o)
        self._ensured = True
        return n

    def versions(self) -> dict[str, str]:
        self.ensure_index()
        body = {"query": {"match_all": {}}, "_source": ["version"]}
        return {h["_id"]: str(h["_source"].get("version", "")) for h in self._scan(self.alias, body)}

    def reconcile(
        self, expected: Mapping[str, int | str], fetch: Callable[[Sequence[str]], Iterable[SearchRecord]]
    ) -> ReconcileReport:
        """Index what is missing or stale and delete what the database no longer has."""
        report = plan(expected, self.versions())
        apply(report, fetch, self.index, self.delete)
        if report.repaired:
            log.info("reconcile %s: %d missing, %d stale, %d extra", self.alias,
                     len(report.missing), len(report.stale), len(report.extra))
        return report

    def search_body(self, query: Query | str, *, filters: Filters | None = None, facets: Sequence[str] = (),
                    page: int = 1, size: int = 10) -> dict[str, Any]:
        """The request body `search` sends (exposed for tests and debugging)."""
        check_paging(page, size, facets)
        return dsl.search_body(query, filters=filters, facets=facets, page=page, size=size)

    def search(self, query: Query | str, *, filters: Filters | None = None, facets: Sequence[str] = (),
               page: int = 1, size: int = 10) -> SearchResults:
        body = self.search_body(query, filters=filters, facets=facets, page=page, size=size)
        # fetch a wider window from the top so that sub-articles can be moved up (search.rerank)
        body["from"], body["size"] = 0, fetch_size(page, size)
        target = self.ensure_index()
        results = read_results(self._search(target, body), facets, page, size)
        hits = page_of(results.hits, page, size)
        return SearchResults(total=results.total, hits=hits, facets=results.facets, page=page, size=size)

    def count(self) -> int:
        target = self.ensure_index()
        return int(self.client.count(index=target)["count"])

    def drop(self) -> None:
        """Delete every index behind the alias (tests, `vigie reindex --from-scratch`)."""
        for name in self._alias_targets():
            self.client.indices.delete(index=name)
        self._ensured = False

    def close(self) -> None:
        self.client.close()


def _status(error: Any) -> int | None:
    if isinstance(error, Mapping):
        for value in error.values():
            if isinstance(value, Mapping) and "status" in value:
                return int(value["status"])
    return None
