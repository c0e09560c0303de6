"""Importing a buyer's shared drive: metadata, DECP, documents attached to their contract."""

from __future__ import annotations

import json

from sqlalchemy import select

from api.services.portfolio import import_portfolio
from models.db import tables as t

CCAP = """CAHIER DES CLAUSES ADMINISTRATIVES PARTICULIÈRES
Marché n° 2025-ESP-07 — Entretien des espaces verts

ARTICLE 1 – OBJET
Le présent marché a pour objet l'entretien des espaces verts communaux.

ARTICLE 6 – PÉNALITÉS
En cas de retard dans l'exécution d'une intervention, le titulaire encourt une pénalité de 120 € par jour calendaire de retard.
"""

LETTER_BY_REF = """Objet : Marché n° 2025-ESP-07 – relance

Madame, Monsieur,
La tonte du parc de la Mairie prévue le 12 mai 2025 n'a pas été réalisée. Nous vous remercions d'intervenir rapidement.
"""

LETTER_BY_NAME = """Objet : tonte non réalisée

Monsieur le gérant de Verdure & Jardins,
Nous constatons que la tonte du stade n'a pas été effectuée le 20 mai 2025.
"""

LETTER_UNKNOWN = """Objet : invitation

Vous êtes convié à la réunion annuelle des fournisseurs le 3 juin 2025.
"""


def _portfolio(tmp_path):
    root = tmp_path / "partage"
    (root / "contracts" / "2025-ESP-07").mkdir(parents=True)
    (root / "correspondence").mkdir()
    (root / "portfolio.json").write_text(json.dumps({
        "as_of": "2025-12-31",
        "buyer": {"name": "Commune de Valbourg", "siret": "21000000000017"},
        "contracts": [{"ref": "2025-ESP-07", "title": "Entretien des espaces verts", "ccag": "FCS",
                       "ccag_version": 2021, "supplier_siret": "44306184100047", "amount_ht_eur": 52000.0,
                       "notified_on": "2025-02-01", "duration_months": 12, "terminated": None}],
        "suppliers": [{"siret": "44306184100047", "name": "Verdure & Jardins", "aliases": ["V&J"]}],
    }), "utf-8")
    (root / "contracts" / "2025-ESP-07" / "piece3.txt").write_text(CCAP, "utf-8")
    (root / "correspondence" / "courrier-1.txt").write_text(LETTER_BY_REF, "utf-8")
    (root / "correspondence" / "courrier-2.txt").write_text(LETTER_BY_NAME, "utf-8")
    (root / "correspondence" / "courrier-3.txt").write_text(LETTER_UNKNOWN, "utf-8")
    (root / "correspondence" / "scan_0099.txt").write_text(LETTER_BY_REF, "utf-8")
    (root / "decp.json").write_text(json.dumps({"marches": {"marche": [{
        "id": "2024-VOI-02", "objet": "Entretien de la voirie", "ccag": "Travaux", "montant": 300000,
        "dureeMois": 24, "dateNotification": "2024-04-01",
        "titulaires": [{"titulaire": {"id": "51234567800016", "typeIdentifiant": "SIRET"}}],
        "modifications": [{"modification": {"id": 1, "montant": 330000, "dureeMois": 30}}]}]}}), "utf-8")
    return root


def test_import_attaches_documents_and_reports_what_needs_a_person(store, tmp_path):
    seen = []
    report = import_portfolio(store, _portfolio(tmp_path), progress=lambda d, n, name: seen.append(name))
    assert seen, "progress is reported"
    assert report.documents == 5
    assert len(report.duplicates) == 1 and "scan_0099.txt" in report.duplicates[0]
    assert report.unassigned == ["correspondence/courrier-3.txt"]
    with store.sessions() as session:
        docs = {d.path: d for d in session.scalars(select(t.Document))}
        assert docs["contracts/2025-ESP-07/piece3.txt"].assignment == "dossier"
        assert docs["contracts/2025-ESP-07/piece3.txt"].kind == "ccap"
        assert docs["correspondence/courrier-1.txt"].assignment == "reference"
        assert docs["correspondence/courrier-2.txt"].assignment == "fournisseur"
        assert docs["correspondence/courrier-3.txt"].contract_id is None


def test_decp_metadata_follows_the_last_modification(store, tmp_path):
    import_portfolio(store, _portfolio(tmp_path))
    with store.sessions() as session:
        c = session.scalar(select(t.Contract).where(t.Contract.ref == "2024-VOI-02"))
        assert c.ccag == "Travaux" and c.amount_ht_eur == 330000 and c.duration_months == 30
        assert c.supplier.siret == "51234567800016"


def test_reimport_is_idempotent(store, tmp_path):
    root = _portfolio(tmp_path)
    import_portfolio(store, root)
    again = import_portfolio(store, root)
    assert len(again.duplicates) == 5
    with store.sessions() as session:
        assert session.query(t.Document).count() == 4
        assert session.query(t.Contract).count() == 2
