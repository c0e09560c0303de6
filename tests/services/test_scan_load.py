"""The daily scan's bulk reload gives the engine exactly what the per-document reload gives."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert

from api.services.digest import build_digest, digest_text
from api.services.documents import load_analysis, load_parsed
from api.services.findings import analysed_documents, record_review, save_findings
from models.db import tables as t
from models.domain import Finding
from models.domain.codec import to_jsonable
from models.domain.types import Correspondence, Deadline, Penalty


def _doc(doc_id: int, path: str | None, status: str, **extra: object) -> dict[str, object]:
    return {"id": doc_id, "sha256": f"{doc_id:064d}", "filename": f"piece_{doc_id}.pdf", "path": path, "size": 10,
            "status": status, "format": "pdf", "paginated": True, "metadata_json": {"auteur": "Mairie"},
            "analysis": {}, "index_ids": [], **extra}


def _fill(store) -> None:  # type: ignore[no-untyped-def]
    retard = Penalty("8.2", 3, "Retard : 1/1000e du montant du bon par jour calendaire.", "retard",
                     "ratio_per_unit", ratio=0.001, unit="jour", cap_percent=10.0, cap_scope="bon_de_commande")
    absence = Penalty("8.3", 3, "Absence en réunion : 200 € HT.", "absence", "fixed", amount_eur=200.0,
                      needs_review=True, review_reason="Montant lu sur un scan")
    delai = Deadline("4.1", 2, "Livraison sous dix jours ouvrés.", 10, "jour", day_type="ouvre", party="titulaire")
    relance = Correspondence(kind="mise_en_demeure", date=dt.date(2025, 11, 3), direction="sortant",
                             contract_refs=("AC-2024-077",), order_refs=("BC 2025-118",),
                             failing_dates=(dt.date(2025, 10, 20), dt.date(2025, 10, 21)), deadline_days=8)
    with store.sessions.begin() as s:
        s.execute(insert(t.Contract), [{"id": 1, "ref": "AC-2024-077", "title": "Mobilier"}])
        s.execute(insert(t.Document), [
            _doc(1, "marches/AC-2024-077/ccap.pdf", "parsed", contract_id=1, kind="ccap", kind_confidence=0.97,
                 analysis={"ccag": "FCS", "ccag_version": 2021, "derogations": [["14.1", "8.2"]],
                           "applies_ccag_penalties": False, "correspondence": None}),
            _doc(2, None, "partial", error="Page 2 illisible\nOCR partiel", kind="mise_en_demeure",
                 analysis={"correspondence": to_jsonable(relance)}),
            _doc(3, "courrier/casse.pdf", "failed"),  # not analysed: the scan must not see it
            _doc(4, "courrier/vide.pdf", "parsed"),  # no pages, no analysis yet
        ])
        # pages and clauses inserted out of order: the reload must put them back in reading order
        s.execute(insert(t.Page), [
            {"document_id": 1, "number": 2, "text": "Article 8 – Pénalités", "start": 30},
            {"document_id": 1, "number": 1, "text": "CCAP du marché AC-2024-077", "start": 0},
            {"document_id": 2, "number": 1, "text": "Mise en demeure", "start": 0, "ocr": True,
             "ocr_confidence": 0.71},
        ])
        s.execute(insert(t.ClauseRow), [
            {"document_id": 1, "article": "8.3", "heading": "Absences", "text": absence.quote, "page": 2,
             "start": 90, "end": 120, "level": 2, "parent": "8"},
            {"document_id": 1, "article": "8", "heading": "Pénalités", "text": "Article 8", "page": 2,
             "start": 30, "end": 120, "level": 1, "clause_type": "penalites"},
            {"document_id": 1, "article": "8.2", "heading": "Retards", "text": retard.quote, "page": 2,
             "start": 40, "end": 89, "level": 2, "parent": "8"},
        ])
        s.execute(insert(t.ExtractedItem), [
            {"document_id": 1, "item_type": kind, "article": item.article, "quote": item.quote,
             "data": to_jsonable(item)}
            for kind, item in (("penalty", retard), ("deadline", delai), ("penalty", absence))
        ])


def test_bulk_reload_equals_the_per_document_reload(store):
    _fill(store)
    bulk = analysed_documents(store)
    assert [d.path for d in bulk] == ["marches/AC-2024-077/ccap.pdf", "piece_2.pdf", "courrier/vide.pdf"]
    with store.sessions() as session:
        for doc_id, got in zip((1, 2, 4), bulk, strict=True):
            assert got.parsed == load_parsed(session, doc_id)
            assert got.analysis == load_analysis(session, doc_id)
    ccap, letter, empty = bulk
    assert ccap.contract_ref == "AC-2024-077" and letter.contract_ref is None
    assert [c.article for c in ccap.analysis.clauses] == ["8", "8.2", "8.3"]
    assert [p.article for p in ccap.analysis.penalties] == ["8.2", "8.3"]
    assert ccap.analysis.penalties[1].review_reason == "Montant lu sur un scan"
    assert ccap.parsed.text.startswith("CCAP du marché") and ccap.analysis.ccag == "FCS"
    assert letter.analysis.correspondence is not None
    assert letter.analysis.correspondence.failing_dates == (dt.date(2025, 10, 20), dt.date(2025, 10, 21))
    assert letter.parsed.errors == ("Page 2 illisible", "OCR partiel") and letter.parsed.pages[0].ocr
    assert empty.parsed.text == "" and empty.analysis.kind == "autre"


def _finding(incident: str, *, breach: bool, acted_on: bool) -> Finding:
    return Finding(incident=incident, contract_ref="AC-2024-077", breach=breach, acted_on=acted_on,
                   penalty_eur=120.0 if breach else None, act_by=dt.date(2026, 1, 5), computation="",
                   rule="", rule_version="test")


def test_a_breach_is_new_only_on_the_scan_that_first_finds_it_unacted(store):
    assert save_findings(store, [_finding("J-1", breach=True, acted_on=False),
                                 _finding("J-2", breach=False, acted_on=False)]) == ["J-1"]
    # next day: J-1 unchanged (not new again), J-2 has become a breach, J-3 appears already acted on
    assert save_findings(store, [_finding("J-1", breach=True, acted_on=False),
                                 _finding("J-2", breach=True, acted_on=False),
                                 _finding("J-3", breach=True, acted_on=True)]) == ["J-2"]
    with store.sessions() as session:
        rows = {r.incident_ext_id: r for r in session.query(t.FindingRow)}
    assert set(rows) == {"J-1", "J-2", "J-3"} and rows["J-3"].acted_on and rows["J-2"].breach


def test_digest_lists_unacted_breaches_by_urgency_and_leaves_out_dismissed_ones(store):
    today = dt.date(2026, 1, 12)

    def unacted(incident: str, act_by: dt.date | None, penalty: float | None) -> Finding:
        return Finding(incident=incident, contract_ref="AC-2024-077", breach=True, acted_on=False,
                       penalty_eur=penalty, act_by=act_by, next_step="Notifier les pénalités au titulaire.",
                       rule_version="test", needs_review=incident == "K-3")

    save_findings(store, [
        unacted("K-1", today + dt.timedelta(days=4), 300.0),  # due soon
        unacted("K-2", today - dt.timedelta(days=2), 1250.5),  # overdue
        unacted("K-3", None, None),  # no date: counted, in neither list
        unacted("K-4", today + dt.timedelta(days=40), 90.0),  # dismissed by a reviewer below
        Finding(incident="K-5", contract_ref="AC-2024-077", breach=True, acted_on=True, penalty_eur=75.0),
    ])
    record_review(store, incident="K-4", decision="ecarte", reason="Retard imputable à l'acheteur", reviewer="rédac")
    digest = build_digest(store, as_of=today)
    assert digest["total_non_traites"] == 3 and digest["enjeu_eur"] == 1550.5
    assert [i["incident"] for i in digest["echeances_proches"]] == ["K-1"]
    assert [i["incident"] for i in digest["en_retard"]] == ["K-2"]
    assert [i["incident"] for i in digest["nouveaux"]] == ["K-2", "K-1", "K-3"]  # by date to act, undated last
    k3 = digest["nouveaux"][2]
    assert k3["a_verifier"] and k3["agir_avant"] is None and k3["prochaine_etape"].startswith("Notifier")
    text = digest_text(digest)
    assert "Manquements non traités : 3 (pénalités en jeu : 1 550,50 €)" in text and "K-4" not in text
