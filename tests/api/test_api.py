"""The HTTP API as a client sees it: uploads, limits, duplicates, job status, health."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.app import create_app


@pytest.fixture
def client(settings):
    with TestClient(create_app(settings)) as c:
        yield c


LETTER = ("Objet : mise en demeure\n\nMadame, Monsieur,\n\nPar la présente, nous vous mettons en demeure de "
          "livrer les fournitures du bon de commande n° 2025-17 dans un délai de quinze (15) jours.\n").encode()


def test_health(client):
    assert client.get("/health").json() == {"statut": "ok"}


def test_upload_is_processed_and_visible(client):
    r = client.post("/api/documents", files={"file": ("courrier.txt", LETTER, "text/plain")})
    assert r.status_code == 202, r.text
    body = r.json()
    assert body["doublon"] is False
    job = client.get(f"/api/jobs/{body['tache']}").json()
    assert job["etat"] == "SUCCESS"
    doc = client.get(f"/api/documents/{body['document']['id']}").json()
    assert doc["statut"] == "parsed"
    pages = client.get(f"/api/documents/{body['document']['id']}/pages").json()["pages"]
    assert "mettons en demeure" in pages[0]["texte"]
    original = client.get(f"/api/documents/{body['document']['id']}/original")
    assert original.content == LETTER


def test_duplicate_upload_is_reported(client):
    client.post("/api/documents", files={"file": ("a.txt", LETTER, "text/plain")})
    r = client.post("/api/documents", files={"file": ("b.txt", LETTER, "text/plain")})
    assert r.status_code == 202 and r.json()["doublon"] is True
    assert "Doublon" in r.json()["message"]
    assert len(client.get("/api/documents").json()["documents"]) == 1


def test_upload_over_the_limit_is_refused_in_french(client, settings):
    big = b"0" * (settings.max_upload_bytes + 1)
    r = client.post("/api/documents", files={"file": ("gros.pdf", big, "application/pdf")})
    assert r.status_code == 413
    assert "trop volumineux" in r.json()["detail"]
    assert client.get("/api/documents").json()["documents"] == []


def test_empty_upload_is_refused(client):
    r = client.post("/api/documents", files={"file": ("vide.pdf", b"", "application/pdf")})
    assert r.status_code == 400 and "vide" in r.json()["detail"]


def test_path_in_file_name_is_neutralised(client):
    r = client.post("/api/documents", files={"file": ("../../etc/passwd.txt", b"contenu anodin", "text/plain")})
    doc = client.get(f"/api/documents/{r.json()['document']['id']}").json()
    assert "/" not in doc["fichier"] and ".." not in doc["fichier"]


def test_wrong_incident_header_gets_a_clear_error(client):
    r = client.post("/api/incidents/import", files={"file": ("incidents.csv", b"id,date\n1,2025-01-01\n", "text/csv")})
    assert r.status_code == 400 and "colonne(s) manquante(s)" in r.json()["detail"]


def test_web_pages_render_in_french(client):
    assert "Manquements à traiter" in client.get("/").text
    assert "Pièces du portefeuille" in client.get("/pieces").text


def test_dismissing_from_the_dashboard_needs_a_reason(client):
    r = client.post("/revue/INC-1", data={"decision": "ecarte", "relecteur": "a.durand", "motif": ""},
                    follow_redirects=True)
    assert "Indiquez le motif" in r.text
    r = client.post("/revue/INC-1", data={"decision": "ecarte", "relecteur": "a.durand",
                                          "motif": "Retard causé par nos services"}, follow_redirects=False)
    assert r.status_code == 303


def test_contract_shows_its_effective_penalty_regime(client, tmp_path):
    from api.services.portfolio import import_portfolio

    root = tmp_path / "p"
    (root / "contracts" / "2025-NET-02").mkdir(parents=True)
    (root / "portfolio.json").write_text(
        '{"contracts": [{"ref": "2025-NET-02", "title": "Nettoyage", "ccag": "FCS", "ccag_version": 2021,'
        ' "amount_ht_eur": 80000.0, "notified_on": "2025-01-06", "duration_months": 12}]}', "utf-8")
    (root / "contracts" / "2025-NET-02" / "ccap.txt").write_text(
        "CAHIER DES CLAUSES ADMINISTRATIVES PARTICULIÈRES\n\nARTICLE 8 - PÉNALITÉS\n\n"
        "8.1 En cas de retard, le titulaire encourt une pénalité de 100 € par jour calendaire de retard.\n\n"
        "8.2 Par dérogation à l'article 14.1.3 du CCAG-FCS, le titulaire n'est pas exonéré des pénalités "
        "dont le montant total ne dépasse pas 1 000 € HT.\n", "utf-8")
    import_portfolio(client.app.state.store, root)
    regime = client.get("/api/contracts/2025-NET-02").json()["regime_penalites"]
    assert regime["seuil_exoneration_eur"]["valeur"] == 0
    assert "8.2" in regime["seuil_exoneration_eur"]["source"]
    assert regime["plafond_pourcent"]["valeur"] == 10  # CCAG-FCS 2021 default, not derogated
    assert "CCAG" in regime["plafond_pourcent"]["source"]
