"""Elasticsearch adapter: a thin wrapper around the official `elasticsearch` client (8+)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from elasticsearch import Elasticsearch, helpers

from search.remote import BULK_CHUNK, RemoteBackend


class ElasticsearchBackend(RemoteBackend):
    product = "Elasticsearch"
    _kw_aliases = True

    def __init__(self, url: str, index_prefix: str = "vigie", *, refresh: bool = True,
                 client: Elasticsearch | None = None, timeout: int = 60) -> None:
        super().__init__(client or Elasticsearch(url, request_timeout=timeout), index_prefix, refresh=refresh)

    def _create_index(self, name: str, body: dict[str, Any]) -> None:
        self.client.indices.create(index=name, settings=body["settings"], mappings=body["mappings"])

    def _search(self, index: str, body: dict[str, Any]) -> Mapping[str, Any]:
        return self.client.search(index=index, body=body).body  # type: ignore[no-any-return]

    def _bulk(self, actions: Iterable[dict[str, Any]]) -> tuple[int, list[Any]]:
        ok, errors = helpers.bulk(self.client, actions, chunk_size=BULK_CHUNK, raise_on_error=False,
                                  raise_on_exception=True)
        return int(ok), list(errors) if isinstance(errors, list) else []

    def _scan(self, index: str, body: dict[str, Any]) -> Iterable[Mapping[str, Any]]:
        return helpers.scan(self.client, query=body, index=index, size=1000)
