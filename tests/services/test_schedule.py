"""The « Échéances » calendar a contract manager sees after importing a shared drive.

A small portfolio written for this test (a water-meter supply contract under CCAG-FCS 2009,
a purchase order sent by e-mail, a mise en demeure by registered letter) goes through the
real import, the real analysis and the store; dates were counted by hand.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.services.portfolio import import_portfolio
from api.services.schedule import build_schedule, digest_section, upcoming

AS_OF = dt.date(2026, 5, 4)
REF = "2026-FCS-031"

CCAP = f"""CAHIER DES CLAUSES ADMINISTRATIVES PARTICULIÈRES
Marché n° {REF} — Fourniture et pose de compteurs d'eau télérelevés
Le marché se réfère au CCAG-FCS approuvé par l'arrêté du 19 janvier 2009.

ARTICLE 2 – DURÉE
Le marché est conclu pour une durée de douze (12) mois à compter de sa notification.

ARTICLE 5 – DÉLAIS D'EXÉCUTION
5.1 Le titulaire remet le planning de déploiement dans un délai de vingt et un (21) jours à compter de la notification du marché.
5.2 Les compteurs commandés sont posés dans un délai de quinze (15) jours calendaires à compter de la notification du bon de commande.
5.3 Le titulaire adresse à l'acheteur un rapport mensuel de pose au plus tard le 8 du mois suivant.

ARTICLE 7 – PÉNALITÉS
En cas de retard de pose, le titulaire encourt une pénalité de 80 € par jour calendaire de retard.
"""

ORDER = f"""From: achats@val-orne-eaux.fr
To: commandes@hydromesure-normandie.fr
Subject: Bon de commande n° BC-2026-004 - marché {REF}
Date: Tue, 14 Apr 2026 09:12:00 +0200
Content-Type: text/plain; charset=utf-8

Bonjour,

Veuillez trouver ci-dessous le bon de commande n° BC-2026-004 émis au titre du marché {REF} :
pose de 40 compteurs télérelevés, secteur de la Haute-Ville.

Le responsable des achats
"""

NOTICE = f"""Syndicat intercommunal des eaux du Val d'Orne

Le 9 février 2026

Lettre recommandée avec accusé de réception
Hydromesure Normandie

Objet : marché n° {REF} — mise en demeure de remettre le planning de déploiement

Monsieur le Directeur,

Le planning de déploiement prévu à l'article 5.1 du CCAP ne nous est pas parvenu. Nous vous mettons en demeure de le remettre dans un délai de dix (10) jours à compter de la réception du présent courrier.

Le Président
"""


def _write_portfolio(root: Path) -> Path:
    (root / "contracts" / REF).mkdir(parents=True)
    (root / "correspondance").mkdir()
    (root / "portfolio.json").write_text(json.dumps({
        "buyer": {"name": "Syndicat intercommunal des eaux du Val d'Orne", "siret": "25610040500013"},
        "contracts": [{"ref": REF, "title": "Fourniture et pose de compteurs d'eau télérelevés", "ccag": "FCS",
                       "ccag_version": 2009, "supplier_siret": "51234987600021", "amount_ht_eur": 96000.0,
                       "notified_on": "2026-01-12", "duration_months": 12, "terminated": None}],
        "suppliers": [{"siret": "51234987600021", "name": "Hydromesure Normandie", "aliases": ["Hydromesure"]}],
    }, ensure_ascii=False), "utf-8")
    (root / "contracts" / REF / "ccap.txt").write_text(CCAP, "utf-8")
    (root / "correspondance" / "bc-2026-004.eml").write_text(ORDER, "utf-8")
    (root / "correspondance" / "mise-en-demeure-planning.txt").write_text(NOTICE, "utf-8")
    return root


@pytest.fixture
def imported(store, tmp_path):
    import_portfolio(store, _write_portfolio(tmp_path / "partage"))
    return store


def test_calendar_of_the_imported_portfolio(imported):
    items = build_schedule(imported, as_of=AS_OF, horizon_days=30)
    by_article = {}
    for item in items:
        by_article.setdefault(item.source_article, []).append(item)

    # 5.1: 12 January + 21 days = Monday 2 February; not delivered on the calendar's day → overdue
    (planning,) = by_article["5.1"]
    assert (planning.due, planning.status, planning.party) == (dt.date(2026, 2, 2), "en_retard", "titulaire")
    assert planning.verified and planning.source_path == f"contracts/{REF}/ccap.txt"

    # 5.2: the purchase order of 14 April (e-mail) + 15 days = Wednesday 29 April
    (laying,) = by_article["5.2"]
    assert laying.due == dt.date(2026, 4, 29) and laying.status == "en_retard"
    assert "bc-2026-004.eml" in laying.computation_fr

    # 5.3: monthly report by the 8th of the next month; 8 May 2026 is a public holiday → flagged
    reports = sorted(by_article["5.3"], key=lambda i: i.due)
    assert [r.due for r in reports] == [dt.date(2026, 2, 8), dt.date(2026, 3, 8), dt.date(2026, 4, 8),
                                        dt.date(2026, 5, 8)]
    assert reports[-1].status == "a_venir" and not reports[-1].verified

    # the mise en demeure's ten days, counted from the letter's date since its receipt is unknown
    notice = next(i for i in items if i.kind == "mise_en_demeure")
    assert notice.due == dt.date(2026, 2, 19) and not notice.verified
    assert "réception" in (notice.review_reason or "")

    # FCS 2009 art. 3.7: observations on the purchase order within 15 days, closed on 29 April
    observations = next(i for i in items if i.kind == "observations")
    assert observations.due == dt.date(2026, 4, 29) and observations.status == "echu"

    # the contract ends on 12 January 2027, beyond the 30-day horizon
    assert not any(i.kind == "fin_marche" for i in items)
    # overdue first, oldest first
    statuses = [i.status for i in items]
    assert statuses.index("a_venir") > max(k for k, s in enumerate(statuses) if s == "en_retard")


def test_digest_sees_only_what_falls_due(imported):
    soon = upcoming(imported, as_of=AS_OF, days=7)
    assert [(i.due, i.source_article) for i in soon] == [(dt.date(2026, 5, 8), "5.3")]
    with_late = upcoming(imported, as_of=AS_OF, days=7, include_overdue=True)
    assert len(with_late) > len(soon) and all(i.status in ("a_venir", "en_retard") for i in with_late)
    section = digest_section(imported, as_of=AS_OF, days=7)
    assert [e["echeance"] for e in section["echeances_a_venir"]] == ["2026-05-08"]
    assert section["echeances_depassees"][0]["echeance"] == "2026-02-02"
    assert all(e["statut"] == "en_retard" for e in section["echeances_depassees"])
    # a year later, the contract end shows up
    later = upcoming(imported, as_of=dt.date(2027, 1, 1), days=30)
    assert any(i.kind == "fin_marche" and i.due == dt.date(2027, 1, 12) and i.verified for i in later)


def test_api_and_page(settings, tmp_path):
    with TestClient(create_app(settings)) as client:
        import_portfolio(client.app.state.store, _write_portfolio(tmp_path / "partage"))
        body = client.get("/api/echeances", params={"au": "2026-05-04", "horizon": 30}).json()
        assert body["date"] == "2026-05-04" and body["totaux"]["semaine"] == 1
        first = body["echeances"][0]
        assert first["statut"] == "en_retard" and first["echeance"] == "2026-02-02"
        assert first["source"]["article"] == "5.1" and first["a_verifier"] is False
        assert client.get("/api/echeances", params={"horizon": -3}).status_code == 422
        other = client.get("/api/echeances", params={"au": "2026-05-04", "marche": "2099-XX-1"}).json()
        assert other["echeances"] == []

        page = client.get("/echeances", params={"au": "2026-05-04"})
        assert page.status_code == 200
        html = page.text
        assert html.index("En retard") < html.index("Cette semaine") < html.index("Délais clos ou actes")
        assert "à vérifier" in html and "ccap.txt" in html and "02/02/2026" in html
