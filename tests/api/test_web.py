"""The web pages a contract manager opens every morning, on a loaded portfolio."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.services.findings import recompute_findings
from api.services.indexing import process_outbox
from api.services.portfolio import import_portfolio, portfolio_as_of
from api.settings import Settings

PORTFOLIO = Path(__file__).resolve().parent.parent / "fixtures" / "portfolio_b"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    app = create_app(Settings(data_dir=tmp_path_factory.mktemp("web"), tasks_eager=True))
    store = app.state.store
    import_portfolio(store, PORTFOLIO)
    process_outbox(store)
    recompute_findings(store, as_of=portfolio_as_of(PORTFOLIO))
    with TestClient(app) as c:
        yield c


def _first_contract() -> str:
    return json.loads((PORTFOLIO / "portfolio.json").read_text("utf-8"))["contracts"][0]["ref"]


def test_dashboard_lists_unacted_breaches_with_links(client):
    page = client.get("/").text
    findings = client.get("/api/findings?non_traites=true").json()["constats"]
    assert findings, "portfolio B has unacted breaches"
    for f in findings:
        assert f'/constats/{f["incident"]}' in page


def test_contract_page_shows_regime_and_quoted_clauses(client):
    ref = _first_contract()
    page = client.get(f"/marches/{ref}").text
    assert "Régime des pénalités" in page and "exonération" in page
    penalties = client.get(f"/api/contracts/{ref}").json()["penalites"]
    assert penalties and penalties[0]["quote"][:40].replace("'", "&#39;") in page


def test_finding_page_spells_out_the_computation(client):
    finding = next(f for f in client.get("/api/findings").json()["constats"] if f["breach"] and f["penalty_eur"])
    page = client.get(f"/constats/{finding['incident']}").text
    assert "Calcul" in page and "Clause appliquée" in page
    assert client.get("/constats/INCONNU").status_code == 404


def test_search_page_highlights_matches(client):
    page = client.get("/recherche", params={"q": "pénalité"}).text
    assert "<mark>" in page


def test_exclusion_page_lists_candidates_then_the_opinion(client):
    page = client.get("/exclusion").text
    siret = json.loads((PORTFOLIO / "portfolio.json").read_text("utf-8"))["suppliers"][0]["siret"]
    assert f"/exclusion?siret={siret}" in page
    assert client.get("/exclusion", params={"siret": siret}).status_code == 200
