"""What only the embedded engine has: a directory on disk reopened across processes."""

from __future__ import annotations

from pathlib import Path

import pytest
import tantivy

from search.embedded import ANALYZER, EmbeddedBackend
from search.records import SearchRecord


def _rec(id: str, text: str, heading: str | None = None) -> SearchRecord:
    return SearchRecord(id=id, record_type="clause", path=f"c/{id}.pdf", document_id=id, text=text, heading=heading)


def test_reopened_index_registers_the_french_analyser(tmp_path: Path) -> None:
    first = EmbeddedBackend(tmp_path / "ix")
    first.index([_rec("a", "Les pénalités de retard sont dues sans mise en demeure.")])
    first.close()

    # the pitfall: an Index opened without registering the analyser cannot read or write it
    raw = tantivy.Index.open(str(tmp_path / "ix"))
    with pytest.raises(ValueError, match=ANALYZER):
        raw.parse_query("pénalités", ["text"])

    reopened = EmbeddedBackend(tmp_path / "ix")
    assert [h.id for h in reopened.search("pénalité").hits] == ["a"]
    reopened.index([_rec("b", "Les délais d'exécution courent à compter de la notification.")])
    assert [h.id for h in reopened.search("exécutions").hits] == ["b"]
    assert reopened.count() == 2
    reopened.close()


def test_old_schema_is_recreated_empty(tmp_path: Path) -> None:
    backend = EmbeddedBackend(tmp_path / "ix")
    backend.index([_rec("a", "texte")])
    backend.close()
    assert not EmbeddedBackend(tmp_path / "ix").recreated
    (tmp_path / "ix" / "vigie-schema.json").write_text('{"schema": 0}')
    reopened = EmbeddedBackend(tmp_path / "ix")
    assert reopened.count() == 0 and reopened.recreated


def test_in_memory_backend(tmp_path: Path) -> None:
    backend = EmbeddedBackend(None)
    backend.index([_rec("a", "Réception des prestations")])
    assert backend.search("réceptions").total == 1
    assert list(tmp_path.iterdir()) == []


def test_reconcile_plan_compares_versions_as_text() -> None:
    from search.reconcile import plan

    report = plan({"a": "2026-01-02T10:00:00", "b": 3, "c": 1}, {"a": "2026-01-01T09:00:00", "b": "3", "d": "x"})
    assert (report.missing, report.stale, report.extra) == (("c",), ("a",), ("d",))


def test_two_handles_on_one_directory_take_turns_and_see_each_other(tmp_path: Path) -> None:
    # the web process and a worker each open the same index directory
    web, worker = EmbeddedBackend(tmp_path / "ix"), EmbeddedBackend(tmp_path / "ix")
    worker.index([_rec("a", "Pénalités de retard de livraison.")])
    web.index([_rec("b", "Délai global de paiement.")])
    assert web.count() == worker.count() == 2
    assert [h.id for h in web.search("pénalité").hits] == ["a"]
    assert [h.id for h in worker.search("paiement").hits] == ["b"]


def test_missing_opensearch_fails_in_ci_and_skips_elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    from _pytest.outcomes import Failed, Skipped

    from tests.search.conftest import _unavailable

    monkeypatch.setenv("CI", "true")
    with pytest.raises(Failed, match="requis en CI"):
        _unavailable("pas de nœud")
    monkeypatch.delenv("CI")
    with pytest.raises(Skipped):
        _unavailable("pas de nœud")


def test_proximity_grows_as_query_words_get_closer() -> None:
    from search.embedded import _near

    tokens = [(0, "plafond"), (1, "penalit"), (5, "retard"), (20, "livraison")]
    assert _near(tokens, [{"plafond"}, {"penalit"}], slop=3) == 1.0
    assert 0 < _near(tokens, [{"penalit"}, {"retard"}], slop=3) < 1.0
    assert _near(tokens, [{"retard"}, {"livraison"}], slop=3) == 0.0
    assert _near(tokens, [{"plafond"}, {"absent"}], slop=3) == 0.0
