"""Letter drafts a contract manager edits and signs, on a portfolio written for this test:
a snow-clearing contract (CCAG-FCS 2021) with a late intervention logged by the roads service."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.routes import disputes as dispute_routes
from api.services.findings import recompute_findings
from api.services.letters import draft_invitation_observations, draft_mise_en_demeure
from api.services.portfolio import import_portfolio
from api.services.store import Store, open_store
from api.settings import Settings
from models.domain import Finding

REF = "2025-FCS-418"
SIRET = "74455566600019"
TODAY = dt.date(2026, 3, 2)

CCAP = f"""CAHIER DES CLAUSES ADMINISTRATIVES PARTICULIÈRES
Marché n° {REF} — Déneigement et salage des voies communales
Le marché est régi par le CCAG-FCS approuvé par l'arrêté du 30 mars 2021.

ARTICLE 4 – DÉLAIS
4.1 Le titulaire engage le salage des voies prioritaires dans un délai de trois (3) jours calendaires à compter de la réception du bon de commande.

ARTICLE 9 – PÉNALITÉS
9.1 En cas de retard dans l'engagement du salage, le titulaire encourt une pénalité de 400 € HT par jour calendaire de retard.
9.2 Par dérogation à l'article 14.1.3 du CCAG-FCS, le titulaire n'est pas exonéré des pénalités, quel qu'en soit le montant.
"""

INCIDENTS = f"""id,reported_on,contract_ref,service,description,occurred_on,resolved_on
NEIGE-01,2026-01-20,{REF},Voirie,"Retard d'engagement du salage des voies prioritaires (BC-26-004) : échéance du 15/01/2026, salage engagé le 19/01/2026",2026-01-15,2026-01-19
NEIGE-02,2026-02-10,,Voirie,"Panne du chasse-neige municipal conduit par les agents de la commune",2026-02-09,
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    tmp = tmp_path_factory.mktemp("letters")
    root = tmp / "pf"
    (root / "contracts" / REF).mkdir(parents=True)
    (root / "contracts" / REF / "CCAP.txt").write_text(CCAP, "utf-8")
    (root / "incidents.csv").write_text(INCIDENTS, "utf-8")
    (root / "portfolio.json").write_text(json.dumps({
        "as_of": TODAY.isoformat(), "buyer": {"name": "Commune de Val-Brûlé", "siret": "21380999900011"},
        "contracts": [{"ref": REF, "title": "Déneigement et salage des voies communales", "ccag": "FCS",
                       "ccag_version": 2021, "supplier_siret": SIRET, "amount_ht_eur": 60000.0,
                       "notified_on": "2025-10-01", "duration_months": 12, "terminated": None}],
        "suppliers": [{"siret": SIRET, "name": "Alpes Viabilité", "aliases": []}],
    }), "utf-8")
    s = open_store(Settings(data_dir=tmp / "data", tasks_eager=True))
    import_portfolio(s, root)
    yield s
    s.close()


@pytest.fixture(scope="module")
def findings(store: Store) -> dict[str, Finding]:
    return {f.incident: f for f in recompute_findings(store, as_of=TODAY)}


def test_mise_en_demeure_holds_the_eight_points_of_the_checklist(store: Store, findings: dict[str, Finding]) -> None:
    letter = draft_mise_en_demeure(store, "NEIGE-01", today=TODAY)
    assert "Commune de Val-Brûlé" in letter  # 1. buyer
    assert "Alpes Viabilité" in letter and SIRET in letter  # 2. titulaire with SIRET
    assert REF in letter and "Déneigement et salage" in letter and "01/10/2025" in letter  # 3. contract
    assert "15/01/2026" in letter  # 4. dated failing...
    finding = findings["NEIGE-01"]
    assert finding.breach and finding.clause_article
    assert f"article {finding.clause_article}" in letter  # ...with the stipulation breached
    # 5. deadline: 15 calendar days from 02/03/2026 end on Tuesday 17/03/2026
    assert "15 jours calendaires" in letter and "17/03/2026" in letter
    assert "résiliation du marché pour faute" in letter and "article 41 du CCAG-FCS 2021" in letter  # 6.
    assert "présenter vos observations" in letter  # 7.
    assert "02/03/2026" in letter and "signature" in letter  # 8.
    # performed after the failing: the draft warns that a mise en demeure may be pointless
    assert "19/01/2026" in letter and "À VÉRIFIER" in letter


def test_deadline_moves_past_a_weekend(store: Store) -> None:
    # 15 days from Thursday 05/03/2026 end on Friday 20/03; 16 days end on Saturday 21/03 → Monday 23/03
    letter = draft_mise_en_demeure(store, "NEIGE-01", today=dt.date(2026, 3, 5), remedy_days=16)
    assert "23/03/2026" in letter


def test_missing_data_is_marked_to_check_never_invented(store: Store, findings: dict[str, Finding]) -> None:
    letter = draft_mise_en_demeure(store, "NEIGE-02", today=TODAY)
    assert "[à vérifier]" in letter or "À VÉRIFIER" in letter
    with pytest.raises(LookupError, match="introuvable"):
        draft_mise_en_demeure(store, "NEIGE-99", today=TODAY)


def test_invitation_to_comment_states_amount_delays_and_the_15_days(
        store: Store, findings: dict[str, Finding]) -> None:
    letter = draft_invitation_observations(store, ["NEIGE-01"], today=TODAY)
    finding = findings["NEIGE-01"]
    assert finding.penalty_eur is not None
    amount = f"{finding.penalty_eur:,.2f}".replace(",", " ").replace(".", ",")
    assert amount in letter
    assert "article 14.1.1 du CCAG-FCS 2021" in letter
    assert "15 jours" in letter and "17/03/2026" in letter
    if finding.days_late:
        assert f"{finding.days_late} jour(s) de retard" in letter
    with pytest.raises(ValueError):
        draft_invitation_observations(store, [], today=TODAY)


def test_letter_route_returns_the_draft_as_text(store: Store, findings: dict[str, Finding]) -> None:
    app = create_app(store.settings)
    if not any(getattr(r, "path", "") == "/api/litiges" for r in app.routes):
        app.include_router(dispute_routes.router, prefix="/api")
    client = TestClient(app)
    ok = client.get("/api/courriers/mise-en-demeure/NEIGE-01?au=2026-03-02")
    assert ok.status_code == 200 and "MISE EN DEMEURE" in ok.text
    assert client.get("/api/courriers/mise-en-demeure/INCONNU").status_code == 404
