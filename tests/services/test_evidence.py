"""Evidence for a dispute, as a contract manager answering a contestation sees it.

A cleaning-services contract (CCAG-FCS 2021) written for this test: the titulaire contests a
penalty, blaming a strike at its own supplier and invoking the CCAG exoneration threshold.
The answer lies in the CCAP (suppliers' failures are no force majeure; the threshold is
removed by derogation), the penalty clause and the buyer's letter the contestation answers.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.app import create_app
from api.routes import disputes as dispute_routes
from api.services.evidence import bordereau, disputes, suggest_evidence
from api.services.portfolio import import_portfolio
from api.services.store import Store, open_store
from api.settings import Settings
from models.db import tables as t

REF = "2025-NET-207"

CCAP = f"""CAHIER DES CLAUSES ADMINISTRATIVES PARTICULIÈRES
Marché n° {REF} — Nettoyage et remise en état des gymnases municipaux
Le présent marché est soumis au CCAG-FCS approuvé par l'arrêté du 30 mars 2021.

ARTICLE 3 – PRIX ET RÈGLEMENT
3.1 Les prestations sont rémunérées par application des prix unitaires du bordereau.
3.2 Les factures sont déposées sur Chorus Pro et réglées dans un délai global de trente (30) jours.

ARTICLE 5 – EXÉCUTION DES PRESTATIONS PONCTUELLES
5.1 Chaque intervention ponctuelle est déclenchée par un bon de commande adressé par courriel.
5.2 Le titulaire achève chaque intervention ponctuelle dans un délai de dix (10) jours calendaires à compter de la notification du bon de commande.

ARTICLE 6 – CAUSES DE PROLONGATION
6.1 Le délai d'exécution peut être prolongé dans les conditions du CCAG-FCS lorsque le retard résulte d'un fait de l'acheteur.
6.2 Les défaillances des fournisseurs du titulaire, y compris une grève dans leurs établissements, ne constituent pas un cas de force majeure et n'ouvrent droit à aucune prolongation.

ARTICLE 8 – PÉNALITÉS
8.1 Tout retard dans l'achèvement d'une intervention ponctuelle donne lieu à une pénalité de cent vingt euros (120 € HT) par jour calendaire de retard.
8.2 L'absence de remise du rapport trimestriel d'activité est sanctionnée par une pénalité forfaitaire de 90 € HT par rapport manquant.
8.3 Par dérogation à l'article 14.1.3 du CCAG-FCS, aucune exonération n'est accordée au titulaire, quel que soit le montant cumulé des pénalités.

ARTICLE 10 – ASSURANCES
Le titulaire produit son attestation d'assurance dans les quinze (15) jours suivant la notification.
"""

INVITATION = f"""Ville de Saint-Quentin-la-Rivière
Direction des sports

Saint-Quentin-la-Rivière, le 3 mars 2025

Net'Azur Propreté
SIRET 512 345 678 00021

Objet : marché n° {REF} — bon de commande BC-25-031 — pénalités envisagées

Madame, Monsieur,

Le bon de commande BC-25-031, notifié le 3 février 2025, prévoyait la remise en état du gymnase Coubertin au plus tard le 13 février 2025.
L'intervention n'a été achevée que le 24 février 2025, soit 11 jours calendaires de retard.
En application de l'article 8.1 du CCAP, j'envisage une pénalité de 11 × 120 € = 1 320 € HT.
Je vous invite à présenter vos observations dans un délai de quinze jours.

Le directeur des sports
"""

ORDER = f"""Ville de Saint-Quentin-la-Rivière — BON DE COMMANDE BC-25-031
Marché n° {REF}
Date : 3 février 2025
Remise en état complète des sols du gymnase Coubertin (article 5.2 du CCAP).
"""

CONTESTATION = f"""Net'Azur Propreté
SIRET 512 345 678 00021

Nantes, le 12 mars 2025

Objet : marché n° {REF} — contestation de la pénalité envisagée (bon de commande BC-25-031)

Monsieur le Directeur,

Nous contestons la pénalité annoncée par votre courrier du 3 mars 2025.
Le retard ne nous est pas imputable : notre fournisseur de résines a connu une grève de dix jours et n'a pu nous livrer à temps. Cet événement extérieur constitue un cas de force majeure.
En outre, le montant envisagé reste sous le seuil de 1 000 € HT en dessous duquel le titulaire est exonéré selon l'article 14.1.3 du CCAG-FCS.
Nous vous demandons de renoncer à cette pénalité.

La gérante
"""

UNRELATED = f"""Ville de Saint-Quentin-la-Rivière
Saint-Quentin-la-Rivière, le 2 décembre 2025
Objet : marché n° {REF} — relance rapport trimestriel
Nous n'avons pas reçu le rapport trimestriel d'activité du troisième trimestre.
"""


def write_portfolio(root: Path) -> Path:
    (root / "contracts" / REF).mkdir(parents=True)
    (root / "correspondence").mkdir()
    (root / "contracts" / REF / "CCAP.txt").write_text(CCAP, "utf-8")
    (root / "correspondence" / "envoi-0303.txt").write_text(INVITATION, "utf-8")
    (root / "correspondence" / "bc.txt").write_text(ORDER, "utf-8")
    (root / "correspondence" / "recu-12.txt").write_text(CONTESTATION, "utf-8")
    (root / "correspondence" / "relance.txt").write_text(UNRELATED, "utf-8")
    (root / "portfolio.json").write_text(json.dumps({
        "as_of": "2025-06-30", "buyer": {"name": "Ville de Saint-Quentin-la-Rivière", "siret": "21700123400018"},
        "contracts": [{"ref": REF, "title": "Nettoyage des gymnases", "ccag": "FCS", "ccag_version": 2021,
                       "supplier_siret": "51234567800021", "amount_ht_eur": 96000.0,
                       "notified_on": "2025-01-06", "duration_months": 12, "terminated": None}],
        "suppliers": [{"siret": "51234567800021", "name": "Net'Azur Propreté", "aliases": ["Net Azur"]}],
    }), "utf-8")
    return root


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    tmp = tmp_path_factory.mktemp("evidence")
    return Settings(data_dir=tmp / "data", tasks_eager=True, index_prefix=f"vigie-test-{tmp.name.lower()}")


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_portfolio(tmp_path_factory.mktemp("pf"))


@pytest.fixture(scope="module")
def store(settings: Settings, portfolio: Path) -> Store:
    s = open_store(settings)
    import_portfolio(s, portfolio)
    yield s
    s.close()


def _doc_id(store: Store, path: str) -> int:
    with store.sessions() as session:
        doc_id = session.scalar(select(t.Document.id).where(t.Document.path == path))
    assert doc_id is not None
    return doc_id


def test_the_contestation_is_listed_as_a_dispute_and_letters_of_the_buyer_are_not(store: Store) -> None:
    ids = disputes(store)
    assert ids == [_doc_id(store, "correspondence/recu-12.txt")]


def test_evidence_answers_each_argument_of_the_titulaire(store: Store) -> None:
    items = suggest_evidence(store, _doc_id(store, "correspondence/recu-12.txt"), limit=10)
    top5 = {(i.path, i.article) for i in items[:5]}
    ccap = f"contracts/{REF}/CCAP.txt"
    assert (ccap, "8.3") in top5  # the derogation that removes the exoneration threshold
    assert (ccap, "6.2") in top5  # a supplier's strike is no force majeure
    assert ("correspondence/envoi-0303.txt", None) in top5  # the letter the contestation answers
    assert (ccap, "8.1") in {(i.path, i.article) for i in items}  # the penalty clause applied
    # the payment clause answers nothing
    ranks = {(i.path, i.article): n for n, i in enumerate(items)}
    assert ranks.get((ccap, "3.2"), 99) > ranks[(ccap, "8.3")]


def test_each_item_has_a_quote_a_score_and_a_french_reason(store: Store) -> None:
    items = suggest_evidence(store, _doc_id(store, "correspondence/recu-12.txt"), limit=10)
    scores = [i.score for i in items]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= s <= 1.0 for s in scores)
    derogation = next(i for i in items if i.article == "8.3")
    assert "14.1.3" in derogation.quote
    assert "CCAG" in derogation.why
    letter = next(i for i in items if i.path == "correspondence/envoi-0303.txt")
    assert letter.article is None and letter.source == "courrier"
    assert "répond" in letter.why
    assert len({(i.path, i.article) for i in items}) == len(items)


def test_a_document_that_is_not_a_dispute_has_no_evidence_route(settings: Settings, store: Store) -> None:
    client = TestClient(create_app(settings))
    # the router is included by the lead in api/app.py; include it here if not yet done
    if not any(getattr(r, "path", "") == "/api/litiges" for r in client.app.routes):
        client.app.include_router(dispute_routes.router, prefix="/api")
    listed = client.get("/api/litiges").json()["litiges"]
    assert [d["piece"] for d in listed] == ["correspondence/recu-12.txt"]
    bad = client.get(f"/api/litiges/{_doc_id(store, 'correspondence/envoi-0303.txt')}/preuves")
    assert bad.status_code == 404 and "réclamation" in bad.json()["detail"]
    good = client.get(f"/api/litiges/{listed[0]['id']}/preuves?limite=5").json()["preuves"]
    assert len(good) == 5 and good[0]["rang"] == 1


def test_bordereau_numbers_exhibits_with_the_fingerprint_of_each_original(
        store: Store, portfolio: Path) -> None:
    dispute_id = _doc_id(store, "correspondence/recu-12.txt")
    items = suggest_evidence(store, dispute_id, limit=6)
    result = bordereau(store, items, actor="j.martin", dispute_id=dispute_id)
    paths = list(dict.fromkeys(i.path for i in items))
    assert [e.path for e in result.exhibits] == paths  # one exhibit per document, in ranking order
    assert [e.number for e in result.exhibits] == list(range(1, len(paths) + 1))
    for e in result.exhibits:
        original = (portfolio / e.path).read_bytes()
        assert e.sha256 == hashlib.sha256(original).hexdigest()
        assert f"Pièce n° {e.number}" in result.markdown and e.sha256 in result.csv
    ccap = next(e for e in result.exhibits if e.path.endswith("CCAP.txt"))
    assert "art. 8.3" in ccap.locations
    archive = zipfile.ZipFile(io.BytesIO(result.zip_bytes or b""))
    names = archive.namelist()
    assert "bordereau.csv" in names and "bordereau.md" in names
    first = next(n for n in names if n.startswith("Piece_01_"))
    assert hashlib.sha256(archive.read(first)).hexdigest() == result.exhibits[0].sha256
    with store.sessions() as session:
        events = session.scalars(select(t.AuditEvent).where(t.AuditEvent.action == "export_bordereau")).all()
    assert events and events[-1].actor == "j.martin" and events[-1].detail["litige"] == dispute_id


def test_a_dispute_not_yet_attached_to_its_contract_is_answered_from_its_references(store: Store) -> None:
    dispute_id = _doc_id(store, "correspondence/recu-12.txt")
    with store.sessions.begin() as session:
        row = session.get(t.Document, dispute_id)
        assert row is not None
        contract_id, row.contract_id = row.contract_id, None
    try:
        items = suggest_evidence(store, dispute_id, limit=10)
    finally:
        with store.sessions.begin() as session:
            row = session.get(t.Document, dispute_id)
            assert row is not None
            row.contract_id = contract_id
    assert (f"contracts/{REF}/CCAP.txt", "8.3") in {(i.path, i.article) for i in items[:5]}


def _client(settings: Settings) -> TestClient:
    app = create_app(settings)
    paths = {getattr(r, "path", "") for r in app.routes}
    if "/api/litiges" not in paths:
        app.include_router(dispute_routes.router, prefix="/api")
    if "/litiges" not in paths:
        app.include_router(dispute_routes.web_router)
    return TestClient(app)


def test_bordereau_export_route_and_web_pages(settings: Settings, store: Store) -> None:
    client = _client(settings)
    dispute_id = _doc_id(store, "correspondence/recu-12.txt")
    csv_export = client.post(f"/api/litiges/{dispute_id}/bordereau",
                             json={"pieces": [1, 2], "format": "csv", "auteur": "c.roux"})
    assert csv_export.status_code == 200 and "Pièce n° 2" in csv_export.text
    assert client.post(f"/api/litiges/{dispute_id}/bordereau", json={"pieces": [40]}).status_code == 422
    page = client.get(f"/litiges/{dispute_id}")
    assert page.status_code == 200 and "Exporter le bordereau" in page.text and "8.3" in page.text
    form = client.post(f"/litiges/{dispute_id}/bordereau", data={"auteur": "c.roux", "rangs": ["1"],
                                                                 "format": "zip"})
    assert form.status_code == 200 and form.headers["content-type"] == "application/zip"
    assert "recu-12.txt" in client.get("/litiges").text
    excl = client.get("/exclusion?siret=512 345 678 00021&au=2025-06-30")
    assert excl.status_code == 200 and "non constitué" in excl.text and "L2141-11" in excl.text
    assert client.get("/api/exclusion/51234567800021?au=2025-06-30").json()["motif_constitue"] is False


def test_without_segmented_clauses_the_extracted_items_are_proposed(tmp_path: Path) -> None:
    from sqlalchemy import delete

    s = open_store(Settings(data_dir=tmp_path / "data", tasks_eager=True))
    try:
        import_portfolio(s, write_portfolio(tmp_path / "pf"))
        ccap_id = _doc_id(s, f"contracts/{REF}/CCAP.txt")
        with s.sessions.begin() as session:  # as if the CCAP's structure could not be read
            session.execute(delete(t.ClauseRow).where(t.ClauseRow.document_id == ccap_id))
        items = suggest_evidence(s, _doc_id(s, "correspondence/recu-12.txt"), limit=10)
        from_ccap = [i for i in items if i.path.endswith("CCAP.txt")]
        assert from_ccap and all(i.article for i in from_ccap)
        assert any("120" in i.quote for i in from_ccap)  # the penalty clause, from the extracted penalty
    finally:
        s.close()
