"""OpenSearch adapter: a thin wrapper around the official `opensearch-py` client."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from opensearchpy import OpenSearch, helpers

from search.remote import BULK_CHUNK, RemoteBackend


class OpenSearchBackend(RemoteBackend):
    product = "OpenSearch"

    def __init__(self, url: str, index_prefix: str = "vigie", *, refresh: bool = True,
                 client: OpenSearch | None = None, timeout: int = 60) -> None:
        super().__init__(client or OpenSearch(hosts=[url], timeout=timeout), index_prefix, refresh=refresh)

    def _create_index(self, name: str, body: dict[str, Any]) -> None:
        self.client.indices.create(index=name, body=body)

    def _search(self, index: str, body: dict[str, Any]) -> Mapping[str, Any]:
        return self.client.search(index=index, body=body)  # type: ignore[no-any-return]

    def _bulk(self, actions: Iterable[dict[str, Any]]) -> tuple[int, list[Any]]:
        ok, errors = helpers.bulk(self.client, actions, chunk_size=BULK_CHUNK, raise_on_error=False,
                                  raise_on_exception=True)
        return int(ok), list(errors) if isinstance(errors, list) else []

    def _scan(self, index: str, body: dict[str, Any]) -> Iterable[Mapping[str, Any]]:
        return helpers.scan(self.client, query=body, index=index, size=1000)  # type: ignore[no-any-return]
