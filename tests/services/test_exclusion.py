"""The L2141-7 exclusion file a buyer prepares before awarding, on a portfolio written for this test.

Three former titulaires of a département:
- Voirex (road works, CCAG-Travaux 2021): mise en demeure, then résiliation pour faute in
  February 2025 → within three years of the assessment date: the ground is made out;
- Imprimo (printing, FCS 2021): a penalty notice, a mise en demeure, and a mere announcement
  of penalties → listed, but not a sanction of the L2141-7 kind;
- Mobilum (furniture, FCS 2009): résiliation pour faute in January 2022 → older than three
  years: not retained; plus a résiliation for general interest on another contract → no ground;
- Sablon (green spaces): a judgment ordering it to pay damages, filed without a contract folder;
  its CCAP speaks of damages and its own claim asks for some: neither is a sanction.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from api.services.exclusion import contradictory_letter, exclusion_file, exclusion_json_entry, period_start
from api.services.portfolio import import_portfolio
from api.services.store import Store, open_store
from api.settings import Settings

AS_OF = dt.date(2026, 4, 30)
VOIREX, IMPRIMO, MOBILUM = "41122233300015", "52233344400026", "63344455500037"
SABLON = "74455566600048"
LUMINA = "85566677700059"
SABLON_CCAP = """CAHIER DES CLAUSES ADMINISTRATIVES PARTICULIÈRES
Marché n° 2023-FCS-505 — Entretien des espaces verts des collèges
ARTICLE 12 – RESPONSABILITÉ
Le titulaire peut être condamné à verser des dommages et intérêts à l'acheteur en réparation de tout préjudice.
"""

LETTERS = {
    "c/a1.txt": """Département de la Haute-Serre — Direction des routes
Le 9 janvier 2025
Objet : marché n° 2024-TRX-101 — MISE EN DEMEURE
Société Voirex, SIRET 411 222 333 00015
Nous vous mettons en demeure de reprendre le chantier de la RD 14 sous quinze jours.
À défaut, la résiliation du marché pour faute pourra être prononcée.
""",
    "c/a2.txt": """Département de la Haute-Serre — Direction des routes
Le 17 février 2025
Objet : marché n° 2024-TRX-101 — DÉCISION DE RÉSILIATION
Société Voirex, SIRET 411 222 333 00015
Vu la mise en demeure du 9 janvier 2025 restée infructueuse, le marché est résilié pour faute du titulaire,
à compter du 24 février 2025, en raison de l'abandon répété du chantier.
""",
    "c/b1.txt": """Département de la Haute-Serre — Service reprographie
Le 14 mai 2025
Objet : marché n° 2024-FCS-202 — notification de pénalités
Imprimo SARL, SIRET 522 333 444 00026
Je vous notifie l'application d'une pénalité de retard de 640 € HT, qui sera déduite de votre prochaine facture.
""",
    "c/b2.txt": """Département de la Haute-Serre — Service reprographie
Le 2 septembre 2025
Objet : marché n° 2024-FCS-202 — mise en demeure
Imprimo SARL, SIRET 522 333 444 00026
Je vous mets en demeure de livrer les brochures du bon de commande 25-77 sous dix jours.
""",
    "c/b3.txt": """Département de la Haute-Serre — Service reprographie
Le 3 novembre 2025
Objet : marché n° 2024-FCS-202 — information préalable à l'application de pénalités
Imprimo SARL, SIRET 522 333 444 00026
J'envisage de vous appliquer une pénalité de 300 € HT ; je vous invite à présenter vos observations sous quinze jours.
""",
    "c/m1.txt": """Département de la Haute-Serre — Service des moyens généraux
Le 12 janvier 2022
Objet : marché n° 2020-FCS-303 — décision de résiliation
Mobilum SA, SIRET 633 444 555 00037
Le marché est résilié pour faute du titulaire, les livraisons n'ayant pas été effectuées malgré la mise en demeure.
""",
    "c/m2.txt": """Département de la Haute-Serre — Service des moyens généraux
Le 6 octobre 2025
Objet : marché n° 2024-FCS-304 — décision de résiliation
Mobilum SA, SIRET 633 444 555 00037
Le marché est résilié pour un motif d'intérêt général, le bâtiment à équiper ayant été cédé.
""",
    "c/s1.txt": """Tribunal administratif de Bellerive
Jugement du 5 juin 2025
Le tribunal condamne la société Sablon Paysages, SIRET 744 555 666 00048, à verser au Département de la
Haute-Serre la somme de 18 000 euros à titre de dommages et intérêts, en réparation des manquements
persistants constatés dans l'entretien des espaces verts.
""",
    "c/s2.txt": """Sablon Paysages
Le 20 mars 2024
Objet : marché n° 2023-FCS-505 — mémoire en réclamation
Nous contestons les pénalités et vous demandons de nous verser des dommages et intérêts pour le préjudice subi.
""",
}


def write_portfolio(root: Path) -> Path:
    (root / "contracts" / "2023-FCS-505").mkdir(parents=True)
    (root / "contracts" / "2023-FCS-505" / "CCAP.txt").write_text(SABLON_CCAP, "utf-8")
    (root / "correspondence").mkdir(parents=True)
    for name, text in LETTERS.items():
        (root / "correspondence" / name.replace("c/", "")).write_text(text, "utf-8")

    def contract(ref: str, title: str, ccag: str, version: int, siret: str) -> dict[str, object]:
        return {"ref": ref, "title": title, "ccag": ccag, "ccag_version": version, "supplier_siret": siret,
                "amount_ht_eur": 50000.0, "notified_on": "2020-01-15", "duration_months": 48, "terminated": None}

    (root / "portfolio.json").write_text(json.dumps({
        "as_of": AS_OF.isoformat(), "buyer": {"name": "Département de la Haute-Serre", "siret": "22990001500012"},
        "contracts": [contract("2024-TRX-101", "Entretien des routes départementales", "Travaux", 2021, VOIREX),
                      contract("2024-FCS-202", "Impression de brochures", "FCS", 2021, IMPRIMO),
                      contract("2020-FCS-303", "Mobilier des collèges", "FCS", 2009, MOBILUM),
                      contract("2024-FCS-304", "Mobilier de l'hôtel du département", "FCS", 2021, MOBILUM),
                      contract("2023-FCS-505", "Entretien des espaces verts", "FCS", 2021, SABLON),
                      {**contract("2022-FCS-606", "Éclairage public", "FCS", 2021, LUMINA),
                       "terminated": {"on": "2025-09-01", "kind": "faute",
                                      "document": "correspondence/decision-lumina.pdf"}}],
        "suppliers": [{"siret": VOIREX, "name": "Voirex", "aliases": []},
                      {"siret": IMPRIMO, "name": "Imprimo", "aliases": ["Imprimo SARL"]},
                      {"siret": MOBILUM, "name": "Mobilum", "aliases": ["Mobilum SA"]},
                      {"siret": SABLON, "name": "Sablon Paysages", "aliases": []},
                      {"siret": LUMINA, "name": "Lumina Réseaux", "aliases": []}],
    }), "utf-8")
    return root


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    tmp = tmp_path_factory.mktemp("exclusion")
    s = open_store(Settings(data_dir=tmp / "data", tasks_eager=True))
    import_portfolio(s, write_portfolio(tmp / "pf"))
    yield s
    s.close()


def test_period_is_the_three_years_before_the_assessment_date() -> None:
    assert period_start(dt.date(2026, 4, 30)) == dt.date(2023, 4, 30)
    assert period_start(dt.date(2028, 2, 29)) == dt.date(2025, 2, 28)


def test_recent_resiliation_pour_faute_makes_out_the_ground(store: Store) -> None:
    op = exclusion_file(store, VOIREX, as_of=AS_OF)
    assert op.qualifies is True
    kinds = {(g.kind, g.on, g.document) for g in op.grounds}
    assert ("resiliation_faute", dt.date(2025, 2, 17), "correspondence/a2.txt") in kinds
    assert ("mise_en_demeure", dt.date(2025, 1, 9), "correspondence/a1.txt") in kinds
    assert "L2141-7" in op.opinion and "paraît constitué" in op.opinion
    assert "faculté" in op.opinion  # the exclusion stays the buyer's decision


def test_penalties_and_formal_notices_alone_do_not_qualify(store: Store) -> None:
    op = exclusion_file(store, IMPRIMO, as_of=AS_OF)
    assert op.qualifies is False
    grounds = {(g.kind, g.document) for g in op.grounds}
    assert grounds == {("penalites", "correspondence/b1.txt"), ("mise_en_demeure", "correspondence/b2.txt")}
    assert not any(g.qualifying for g in op.grounds)
    assert "pour mémoire" in op.opinion


def test_old_resiliation_and_general_interest_termination_are_not_retained(store: Store) -> None:
    op = exclusion_file(store, MOBILUM, as_of=AS_OF)
    assert op.qualifies is False
    assert [(g.kind, g.on) for g in op.grounds] == [("resiliation_faute", dt.date(2022, 1, 12))]
    assert not op.grounds[0].qualifying
    assert "antérieure" in op.opinion
    # the same résiliation a year earlier would count
    assert exclusion_file(store, MOBILUM, as_of=dt.date(2024, 12, 31)).qualifies is True


def test_unknown_supplier_is_reported_in_french(store: Store) -> None:
    with pytest.raises(LookupError, match="Aucun titulaire"):
        exclusion_file(store, "99999999999999", as_of=AS_OF)


def test_contradictory_letter_invites_the_candidate_to_show_corrective_measures(store: Store) -> None:
    op = exclusion_file(store, VOIREX, as_of=AS_OF)
    letter = contradictory_letter(op, buyer_name="Département de la Haute-Serre", procedure="2026-TRX-040",
                                  reply_by=dt.date(2026, 5, 15), today=AS_OF)
    assert "L2141-11" in letter and "Voirex" in letter and VOIREX in letter
    assert "15/05/2026" in letter and "2026-TRX-040" in letter
    assert "mesures nécessaires pour corriger" in letter
    assert "17/02/2025" in letter  # the dated sanction
    undated = contradictory_letter(op)
    assert "délai raisonnable" in undated and "[à compléter]" in undated


def test_eval_shape(store: Store) -> None:
    entry = exclusion_json_entry(exclusion_file(store, VOIREX, as_of=AS_OF))
    assert entry["siret"] == VOIREX and entry["qualifies"] is True
    assert {"contract_ref": "2024-TRX-101", "kind": "resiliation_faute", "on": "2025-02-17",
            "document": "correspondence/a2.txt"} in entry["grounds"]


def test_a_damages_judgment_qualifies_but_clauses_and_claims_do_not(store: Store) -> None:
    op = exclusion_file(store, SABLON, as_of=AS_OF)
    damages = [g for g in op.grounds if g.kind == "dommages_interets"]
    assert [g.document for g in damages] == ["correspondence/s1.txt"]  # not the CCAP, not the claim
    assert damages[0].on == dt.date(2025, 6, 5)
    assert op.qualifies is True
    assert "vérifier" in op.opinion  # the judgment's finality is for a person to check


def test_a_termination_known_only_from_the_contract_data_counts_unless_at_the_edge_of_the_period(
        store: Store) -> None:
    op = exclusion_file(store, LUMINA, as_of=AS_OF)
    assert op.qualifies is True
    [ground] = op.grounds
    assert (ground.kind, ground.on, ground.document) == ("resiliation_faute", dt.date(2025, 9, 1),
                                                         "correspondence/decision-lumina.pdf")
    assert "données du marché" in ground.note
    # date of effect 62 days after the start of the window: the decision may fall before it
    edge = exclusion_file(store, LUMINA, as_of=dt.date(2028, 7, 1))
    assert edge.qualifies is None and edge.needs_review
