"""Drift repair shared by every backend: compare the index with what the database holds."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from search.records import SearchRecord


@dataclass(frozen=True)
class ReconcileReport:
    missing: tuple[str, ...]  # in the database, not in the index: indexed now
    stale: tuple[str, ...]  # indexed with another version: re-indexed now
    extra: tuple[str, ...]  # in the index, no longer in the database: deleted now

    @property
    def repaired(self) -> int:
        return len(self.missing) + len(self.stale) + len(self.extra)


def plan(expected: Mapping[str, int | str], indexed: Mapping[str, int | str]) -> ReconcileReport:
    """Versions are compared as text (ints and timestamps alike)."""
    missing = tuple(sorted(i for i in expected if i not in indexed))
    stale = tuple(sorted(i for i, v in expected.items() if i in indexed and str(indexed[i]) != str(v)))
    extra = tuple(sorted(i for i in indexed if i not in expected))
    return ReconcileReport(missing, stale, extra)


def apply(
    report: ReconcileReport,
    fetch: Callable[[Sequence[str]], Iterable[SearchRecord]],
    index: Callable[[Iterable[SearchRecord]], int],
    delete: Callable[[Iterable[str]], int],
    batch: int = 1000,
) -> None:
    todo = list(report.missing) + list(report.stale)
    for start in range(0, len(todo), batch):
        index(fetch(todo[start:start + batch]))
    if report.extra:
        delete(report.extra)
