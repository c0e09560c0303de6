"""The daily scan (`vigie.daily_scan`) end to end on a generated portfolio in a real store.

Generates, with a fixed seed, contracts (mixed CCAG and versions, amounts, notification dates),
one analysed CCAP per contract (penalty clauses and deadlines stored as `ClauseRow` /
`ExtractedItem` rows, as the NLP would have written them), letters (kinds, dates, correspondence
JSON with contract refs, order refs, failing dates) and incidents (varied French descriptions;
5 % with an empty or wrong contract reference). Rows are inserted directly with SQLAlchemy: no
NLP runs here, only the scan.

Then times, separately: loading from the store, `evaluate_portfolio`, `save_findings` (run twice:
first scan inserts, next day's scan updates) and the digest. For each phase prints wall time,
CPU time (one process = one core) and peak RSS of the phase; then the total.

No assertion on timings: numbers are for reading.

Run:  .venv/bin/python bench/daily_scan.py --contracts 200 --incidents 5000 --letters 1000
      .venv/bin/python bench/daily_scan.py --profile evaluate --top 30     # cProfile one phase
      .venv/bin/python bench/daily_scan.py --database-url postgresql+psycopg://...  (empty database)
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import hashlib
import io
import json
import pstats
import random
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert  # noqa: E402

from api.services.digest import send_daily_digest  # noqa: E402
from api.services.domain_load import all_contracts, all_incidents, all_suppliers  # noqa: E402
from api.services.findings import analysed_documents, save_findings  # noqa: E402
from api.services.monitoring import evaluate_portfolio  # noqa: E402
from api.services.store import Store, open_store  # noqa: E402
from api.settings import Settings  # noqa: E402
from models.db import tables as t  # noqa: E402
from models.domain.codec import to_jsonable  # noqa: E402
from models.domain.types import Correspondence, Deadline, Finding, Incident, Penalty  # noqa: E402

T = TypeVar("T")
AS_OF = dt.date(2026, 3, 16)

CCAGS = [("FCS", 2021), ("FCS", 2021), ("FCS", 2009), ("Travaux", 2021), ("Travaux", 2009), ("TIC", 2021),
         ("PI", 2021), ("MI", 2021), ("MOE", 2021)]
SUPPLIER_STEMS = ["Ateliers Berthier", "Numéris Conseil", "Bâtiments du Causse", "Propreté Armor", "Viatech Réseaux",
                  "Mobilis Ouest", "Sodilec", "Jardins de Loire", "Hexa Informatique", "Transports Perrin",
                  "Restauration Collective du Lot", "Électricité Vauban", "Sécurité Garonne", "Imprimerie Morvan",
                  "Clim Service Provence", "Ascenseurs Dauphiné", "Ménage Pro Picardie", "Géomètres Associés"]
FORMS = ["SAS", "SARL", "SA", "EURL", ""]
BUYERS = ["Ville de Saint-Brieuc", "Département de l'Aveyron", "Région Centre-Val de Loire", "CHU de Limoges",
          "Communauté d'agglomération du Grand Dax", "Syndicat des eaux du Vexin", "Université de Pau",
          "Métropole de Tours", "Commune de Rodez", "Office public de l'habitat de la Sarthe"]
SERVICES = ["Services techniques", "DSI", "Restauration scolaire", "Bâtiments", "Voirie", "Espaces verts",
            "Achats", "Logistique", "Direction de l'éducation", "Propreté urbaine"]
TITLES = ["Fourniture de mobilier scolaire", "Maintenance des ascenseurs", "Nettoyage des locaux administratifs",
          "Tierce maintenance applicative du SI finances", "Travaux de réfection de voirie",
          "Entretien des espaces verts", "Transport scolaire", "Fourniture de repas en liaison froide",
          "Maîtrise d'œuvre pour la réhabilitation du gymnase", "Impression des supports de communication",
          "Maintenance des installations de chauffage", "Télésurveillance des bâtiments communaux"]
LETTER_KINDS = (["mise_en_demeure"] * 20 + ["notification_penalites"] * 8 + ["invitation_observations"] * 6
                + ["pv_constat"] * 6 + ["reclamation"] * 8 + ["courrier_titulaire"] * 12 + ["contestation"] * 4
                + ["bon_de_commande"] * 14 + ["ordre_de_service"] * 8 + ["courrier"] * 12 + ["autre"] * 2)


# ------------------------------------------------------------------ generation


def _ref(rng: random.Random, i: int) -> str:
    style = i % 4
    year = rng.choice([2021, 2022, 2023, 2024, 2025])
    if style == 0:
        return f"{year}-{rng.choice(['FCS', 'TRX', 'TIC', 'PI'])}-{i:04d}"
    if style == 1:
        return f"M{year % 100}/{i:04d}"
    if style == 2:
        return f"AC-{year}-{i:04d}"
    return f"{year}{i:05d}00"


def _penalties(rng: random.Random, ccag: str) -> list[Penalty]:
    """A few clauses per CCAP, written as the extractor returns them."""
    out = [
        Penalty("9.1", 4, "Par dérogation à l'article 14.1 du CCAG, en cas de retard de livraison, le titulaire "
                "encourt une pénalité P = V × R / 1000 par jour calendaire de retard.", "retard", "ratio_per_unit",
                ratio=rng.choice([1 / 1000, 1 / 3000, 1 / 500]), unit="jour", cap_scope=rng.choice([None, "contrat"]),
                cap_percent=rng.choice([None, None, 10.0, 5.0]), derogates_ccag="14.1",
                value_base="montant HT du bon de commande"),
    ]
    if rng.random() < 0.7:
        out.append(Penalty("9.2", 4, f"Toute absence non excusée à une réunion de chantier ou de suivi entraîne une "
                           f"pénalité forfaitaire de {rng.choice([100, 150, 300])} euros HT.", "absence",
                           "fixed_per_unit", amount_eur=rng.choice([100.0, 150.0, 300.0]), unit="occurrence"))
    if rng.random() < 0.5 or ccag == "TIC":
        out.append(Penalty("9.3", 5, "Au-delà du délai de rétablissement de quatre heures, une pénalité de 80 € HT "
                           "par heure commencée est appliquée.", "indisponibilite", "fixed_per_unit",
                           amount_eur=rng.choice([50.0, 80.0, 200.0]), unit="heure", grace_duration=4,
                           grace_unit="heure", started_unit_counts=True))
    if rng.random() < 0.5:
        out.append(Penalty("9.4", 5, "La non-remise du rapport mensuel d'activité dans les délais donne lieu à une "
                           "pénalité de 250 euros.", "document", "fixed", amount_eur=250.0,
                           requires_formal_notice=rng.random() < 0.4))
    if rng.random() < 0.3:
        out.append(Penalty("9.5", 5, "Les pénalités ne sont dues qu'au-delà d'un montant cumulé de 1 000 € HT.",
                           "autre", "fixed", amount_eur=None, threshold_eur=1000.0, needs_review=True,
                           review_reason="Seuil d'exonération sans montant de pénalité associé."))
    return out


def _deadlines(rng: random.Random) -> list[Deadline]:
    out = [Deadline("5.2", 3, "Le délai de livraison de chaque bon de commande est de quinze jours à compter de sa "
                    "notification.", rng.choice([10, 15, 21, 30]), "jour", day_type="calendaire",
                    anchor="notification du bon de commande", party="titulaire")]
    if rng.random() < 0.6:
        out.append(Deadline("5.4", 3, "Le titulaire intervient dans un délai de quatre heures ouvrées après le "
                            "signalement de la panne.", 4, "heure", anchor="signalement", party="titulaire"))
    if rng.random() < 0.4:
        out.append(Deadline("6.1", 3, "Le rapport mensuel est transmis au plus tard le cinquième jour ouvré du mois "
                            "suivant.", 5, "jour", day_type="ouvre", anchor="début du mois", party="titulaire"))
    return out


def _ccap_text(ref: str, title: str, ccag: str, version: int, pens: list[Penalty], dls: list[Deadline]) -> str:
    parts = [f"CAHIER DES CLAUSES ADMINISTRATIVES PARTICULIÈRES\nMarché n° {ref}\nObjet : {title}\n",
             f"Article 2 – Pièces contractuelles\nLe CCAG {ccag} approuvé en {version} s'applique, sauf dérogations "
             f"listées à l'article 20.\n"]
    parts += [f"Article {d.article}\n{d.quote}\n" for d in dls]
    parts += [f"Article {p.article}\n{p.quote}\n" for p in pens]
    parts.append("Article 20 – Dérogations au CCAG\nL'article 9.1 déroge à l'article 14.1 du CCAG.\n")
    return "\n".join(parts)


class Portfolio:
    """Counters of what was generated (for the printout)."""

    def __init__(self) -> None:
        self.contracts = 0
        self.suppliers = 0
        self.ccaps = 0
        self.letters = 0
        self.incidents = 0
        self.items = 0


def generate(store: Store, *, n_contracts: int, n_incidents: int, n_letters: int, seed: int = 2026) -> Portfolio:
    rng = random.Random(seed)
    out = Portfolio()
    n_suppliers = max(3, n_contracts // 6)
    suppliers: list[dict[str, Any]] = []
    for s in range(n_suppliers):
        stem = SUPPLIER_STEMS[s % len(SUPPLIER_STEMS)]
        name = f"{stem} {FORMS[s % len(FORMS)]}".strip() + (f" {s // len(SUPPLIER_STEMS)}" if s >= len(SUPPLIER_STEMS)
                                                            else "")
        aliases = [stem.upper()] if s % 3 == 0 else []
        suppliers.append({"id": s + 1, "siret": f"{rng.randrange(10**13, 10**14)}", "name": name, "aliases": aliases})
    buyers = [{"id": b + 1, "name": n, "siret": f"2{rng.randrange(10**12, 10**13)}"} for b, n in enumerate(BUYERS)]

    contracts: list[dict[str, Any]] = []
    documents: list[dict[str, Any]] = []
    pages: list[dict[str, Any]] = []
    clauses: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    doc_id = 0
    for c in range(n_contracts):
        ccag, version = rng.choice(CCAGS)
        ref = _ref(rng, c)
        title = f"{rng.choice(TITLES)} – lot {rng.randrange(1, 9)}"
        notified = dt.date(2021, 1, 4) + dt.timedelta(days=rng.randrange(0, 1700))
        terminated = notified + dt.timedelta(days=rng.randrange(200, 700)) if rng.random() < 0.03 else None
        contracts.append({"id": c + 1, "ref": ref, "title": title, "ccag": ccag, "ccag_version": version,
                          "amount_ht_eur": float(rng.choice([25_000, 90_000, 150_000, 480_000, 1_200_000, 5_400_000])),
                          "notified_on": notified, "duration_months": rng.choice([12, 24, 36, 48]),
                          "terminated_on": terminated, "termination_kind": "faute" if terminated else None,
                          "buyer_id": rng.randrange(len(buyers)) + 1, "supplier_id": (c % n_suppliers) + 1})
        pens, dls = _penalties(rng, ccag), _deadlines(rng)
        text = _ccap_text(ref, title, ccag, version, pens, dls)
        doc_id += 1
        documents.append(_document_row(doc_id, f"contracts/{ref}/CCAP.pdf", c + 1, "ccap", text, {
            "ccag": ccag, "ccag_version": version, "derogations": [["14.1", "9.1"]],
            "applies_ccag_penalties": False, "correspondence": None}))
        pages.append({"document_id": doc_id, "number": 1, "text": text, "start": 0})
        offset = 0
        for p in [*dls, *pens]:
            clauses.append({"document_id": doc_id, "article": p.article, "heading": "", "text": p.quote,
                            "page": 1, "start": offset, "end": offset + len(p.quote), "level": 2, "parent": None,
                            "clause_type": "penalite" if isinstance(p, Penalty) else "delai"})
            offset += len(p.quote) + 12
        for p in pens:
            items.append(_item_row(doc_id, "penalty", p))
        for d in dls:
            items.append(_item_row(doc_id, "deadline", d))
    out.contracts, out.suppliers, out.ccaps, out.items = n_contracts, n_suppliers, n_contracts, len(items)

    # incidents first, so that letters can be written about some of them
    incidents: list[dict[str, Any]] = []
    about: list[tuple[int, str, dt.date, str | None]] = []  # contract index, order ref, day, hours
    for i in range(n_incidents):
        c = rng.randrange(n_contracts)
        con = contracts[c]
        supplier = suppliers[con["supplier_id"] - 1]["name"]
        day = max(con["notified_on"], AS_OF - dt.timedelta(days=540)) + dt.timedelta(days=rng.randrange(0, 500))
        day = min(day, AS_OF - dt.timedelta(days=1))
        desc, order = _incident_text(rng, i, day, supplier, con["title"])
        roll = rng.random()
        ref_raw: str | None = con["ref"]
        if roll < 0.025:
            ref_raw = None  # empty reference in the log
        elif roll < 0.05:
            ref_raw = contracts[rng.randrange(n_contracts)]["ref"] if rng.random() < 0.5 else f"{con['ref']}-X"
        incidents.append({"id": i + 1, "ext_id": f"INC-{i + 1:06d}", "reported_on": day + dt.timedelta(days=rng.choice([0, 0, 1, 3])),
                          "contract_ref_raw": ref_raw, "service": rng.choice(SERVICES), "description": desc,
                          "occurred_on": day, "resolved_on": day + dt.timedelta(days=rng.randrange(0, 30))
                          if rng.random() < 0.6 else None, "source": "journal.xlsx"})
        about.append((c, order, day, supplier))
    out.incidents = n_incidents

    for n in range(n_letters):
        kind = rng.choice(LETTER_KINDS)
        i = rng.randrange(n_incidents) if n_incidents else 0
        c, order, day, supplier = about[i] if n_incidents else (rng.randrange(n_contracts), "", AS_OF, "")
        con = contracts[c]
        written = day + dt.timedelta(days=rng.randrange(2, 60))
        known = rng.random() < 0.6  # assigned to its contract at import, else found by its reference
        text, corr = _letter(rng, kind, con, supplier or "", order, day, written)
        doc_id += 1
        # letters live under correspondence/ (SPEC layout): under contracts/ they would be contract documents
        path = f"correspondence/{written:%Y-%m-%d}-{kind.replace('_', '-')}-{n}.{rng.choice(['pdf', 'eml', 'docx'])}"
        documents.append(_document_row(doc_id, path, c + 1 if known else None, kind, text, {
            "ccag": None, "ccag_version": None, "derogations": [], "applies_ccag_penalties": False,
            "correspondence": to_jsonable(corr)}, corr))
        pages.append({"document_id": doc_id, "number": 1, "text": text, "start": 0})
    out.letters = n_letters

    with store.sessions.begin() as session:
        for table, rows in ((t.Buyer, buyers), (t.Supplier, suppliers), (t.Contract, contracts),
                            (t.Document, documents), (t.Page, pages), (t.ClauseRow, clauses),
                            (t.ExtractedItem, items), (t.IncidentRow, incidents)):
            for chunk in range(0, len(rows), 5000):
                session.execute(insert(table), rows[chunk:chunk + 5000])
    return out


def _document_row(doc_id: int, path: str, contract_id: int | None, kind: str, text: str,
                  analysis: dict[str, Any], corr: Correspondence | None = None) -> dict[str, Any]:
    return {"id": doc_id, "sha256": hashlib.sha256(f"{doc_id}:{path}".encode()).hexdigest(),
            "filename": path.rsplit("/", 1)[-1], "path": path, "size": len(text), "format": "pdf",
            "kind": kind, "kind_confidence": 0.9, "status": "parsed", "paginated": True, "page_count": 1,
            "metadata_json": {}, "analysis": analysis, "index_ids": [], "contract_id": contract_id,
            "assignment": ("dossier" if path.startswith("contracts/") else "reference") if contract_id else None,
            "direction": corr.direction if corr else None, "doc_date": corr.date if corr else None,
            "sender": corr.sender if corr else None, "recipient": corr.recipient if corr else None,
            "subject": corr.subject if corr else None,
            "analysed_at": dt.datetime(2026, 3, 1, tzinfo=dt.UTC)}


def _item_row(doc_id: int, item_type: str, item: Penalty | Deadline) -> dict[str, Any]:
    return {"document_id": doc_id, "item_type": item_type, "article": item.article, "page": item.page,
            "quote": item.quote, "confidence": item.confidence, "needs_review": item.needs_review,
            "data": to_jsonable(item)}


def _incident_text(rng: random.Random, i: int, day: dt.date, supplier: str, title: str) -> tuple[str, str]:
    order = rng.choice([f"BC-{day.year}-{i:05d}", f"OS n°{i % 900 + 1}", f"commande {day.year % 100}/{i:05d}",
                        f"ticket T{i:06d}"])
    h1 = rng.randrange(6, 18)
    h2 = min(23, h1 + rng.randrange(1, 9))
    late = rng.randrange(1, 40)
    d = f"{day:%d/%m/%Y}"
    templates = [
        f"Livraison {order} attendue le {d}, reçue le {day + dt.timedelta(days=late):%d/%m/%Y} ({late} jours de retard).",
        f"{supplier} : retard de livraison sur {order}, toujours pas livré à ce jour.",
        f"Panne constatée le {d} à {h1}h{rng.choice(['00', '15', '30'])}, rétablissement à {h2}h00 – {order}.",
        f"Application métier indisponible du {d} {h1:02d}:00 au {d} {h2:02d}:30 (incident {order}).",
        f"Absence du titulaire à la réunion de chantier du {d}.",
        f"Réunion de suivi mensuelle du {d} : personne de chez {supplier}.",
        f"Rapport d'activité du mois de {['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'][day.month - 1]} non transmis.",
        f"Prestation de nettoyage non réalisée le {d} au groupe scolaire Jules Ferry.",
        f"Repas livrés à 12h40 au lieu de 11h30 le {d} (cuisine centrale).",
        f"Intervention sur {order} non effectuée dans le délai de 4 heures ; {supplier} relancé par téléphone.",
        f"Malfaçon relevée le {d} sur le chantier « {title} » : reprise demandée.",
        f"Le {d}, le prestataire n'a pas remis le plan de prévention.",
        f"RAS – visite de contrôle du {d}.",
    ]
    return rng.choice(templates), order


def _letter(rng: random.Random, kind: str, con: dict[str, Any], supplier: str, order: str, day: dt.date,
            written: dt.date) -> tuple[str, Correspondence]:
    ref = con["ref"]
    outgoing = kind not in ("reclamation", "courrier_titulaire", "contestation")
    direction = "sortant" if outgoing else "entrant"  # seen from the buyer
    subjects = {
        "mise_en_demeure": "Mise en demeure", "notification_penalites": "Notification de pénalités",
        "invitation_observations": "Invitation à présenter vos observations", "pv_constat": "Procès-verbal de constat",
        "reclamation": "Réclamation", "courrier_titulaire": "Réponse à votre courrier",
        "contestation": "Contestation des pénalités", "bon_de_commande": "Bon de commande",
        "ordre_de_service": "Ordre de service", "courrier": "Courrier", "autre": "Divers",
    }
    subject = f"{subjects.get(kind, 'Courrier')} – marché n° {ref}"
    cite_ref = rng.random() < 0.8
    deadline = rng.choice([None, 8, 15, 30]) if kind == "mise_en_demeure" else None
    extension = rng.choice([None, None, 10, 21]) if kind in ("courrier", "ordre_de_service") else None
    body = (f"{'Objet' if rng.random() < 0.5 else 'OBJET'} : {subject}\nLe {written:%d/%m/%Y}\n\n"
            f"{'Madame, Monsieur' if rng.random() < 0.5 else 'Monsieur le Directeur'},\n"
            f"Nous constatons que {order} prévu(e) le {day:%d/%m/%Y} n'a pas été honoré(e). "
            + (f"Vous disposez d'un délai de {deadline} jours pour vous conformer à vos obligations. "
               if deadline else "")
            + (f"Un délai supplémentaire de {extension} jours vous est accordé. " if extension else "")
            + "\nVeuillez agréer l'expression de nos salutations distinguées.\n")
    corr = Correspondence(kind=kind, date=written, direction=direction,  # type: ignore[arg-type]
                          sender="Le pouvoir adjudicateur" if outgoing else supplier,
                          recipient=supplier if outgoing else "Le pouvoir adjudicateur", subject=subject,
                          contract_refs=(ref,) if cite_ref else (), order_refs=(order,) if rng.random() < 0.7 else (),
                          articles_cited=("9.1",) if rng.random() < 0.3 else (),
                          failing_dates=(day,) if rng.random() < 0.7 else (), deadline_days=deadline,
                          granted_extension_days=extension)
    return body, corr


# ------------------------------------------------------------------ measurement


def _rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _reset_peak() -> bool:
    """Reset the kernel's peak-RSS mark (Linux ≥ 4.0) so each phase reports its own peak."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _peak_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


class Phases:
    def __init__(self, profile: str | None, top: int) -> None:
        self.rows: list[tuple[str, float, float, int, int]] = []
        self.profile, self.top = profile, top

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        _reset_peak()
        prof = cProfile.Profile() if self.profile == name else None
        cpu0, wall0 = time.process_time(), time.perf_counter()
        if prof:
            prof.enable()
        yield
        if prof:
            prof.disable()
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        self.rows.append((name, wall, cpu, _peak_kib(), _rss_kib()))
        print(f"  {name:<22} {wall:>8.2f} s wall {cpu:>8.2f} s CPU   peak RSS {_peak_kib() / 1024:>7.0f} MiB",
              flush=True)
        if prof:
            buf = io.StringIO()
            pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(self.top)
            buf.write("\n--- by own time ---\n")
            pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(self.top)
            print(buf.getvalue())

    def timed(self, name: str, fn: Callable[[], T]) -> T:
        with self.phase(name):
            return fn()


def _stand_in_findings(incidents: list[Incident]) -> list[Finding]:
    """One finding per incident with the engine's usual payload size, for timing save and digest
    when evaluate is skipped; never used for any figure about the findings themselves."""
    rng = random.Random(7)
    out = []
    for inc in incidents:
        breach = rng.random() < 0.6
        acted = breach and rng.random() < 0.3
        day = inc.occurred_on or AS_OF
        out.append(Finding(
            incident=inc.id, contract_ref=inc.contract_ref, breach=breach, acted_on=acted,
            clause_path=f"contracts/{inc.contract_ref}/CCAP.pdf", clause_article="9.1",
            penalty_eur=round(rng.uniform(50, 5000), 2) if breach else None, days_late=rng.randrange(1, 40),
            computation=f"Livraison due le {day:%d/%m/%Y}, effectuée {rng.randrange(1, 40)} jours plus tard : "
                        "P = V × R / 1000 × jours de retard, plafond de 10 % du bon de commande non atteint.",
            next_step="Notifier les pénalités au titulaire par lettre recommandée avant le décompte général."
            if breach and not acted else None,
            act_by=day + dt.timedelta(days=rng.randrange(30, 400)) if breach else None,
            rule="retard_livraison", rule_version="bench", needs_review=rng.random() < 0.2,
            review_reason="Référence du journal corrigée" if rng.random() < 0.05 else None))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contracts", type=int, default=200)
    parser.add_argument("--incidents", type=int, default=5000)
    parser.add_argument("--letters", type=int, default=None, help="default: 5 per contract")
    parser.add_argument("--database-url", default=None, help="an EMPTY database (default: temporary SQLite file)")
    parser.add_argument("--profile", choices=["load_documents", "load_rows", "evaluate", "save_first", "save_next",
                                              "digest"], default=None)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--dump-findings", type=Path, default=None,
                        help="write the findings as JSON lines (to check that an optimisation changes nothing)")
    parser.add_argument("--skip-evaluate", action="store_true",
                        help="do not run evaluate_portfolio (the slow phase at full size): save and digest "
                             "then take stand-in findings, one per incident, shaped like the engine's")
    args = parser.parse_args()
    n_letters = args.letters if args.letters is not None else 5 * args.contracts

    with tempfile.TemporaryDirectory(prefix="vigie-bench-") as tmp:
        settings = Settings(data_dir=Path(tmp), database_url=args.database_url)
        store = open_store(settings)
        t0 = time.perf_counter()
        made = generate(store, n_contracts=args.contracts, n_incidents=args.incidents, n_letters=n_letters)
        print(f"portfolio: {made.contracts} contracts, {made.suppliers} suppliers, {made.ccaps} CCAPs "
              f"({made.items} extracted items), {made.letters} letters, {made.incidents} incidents "
              f"— generated in {time.perf_counter() - t0:.1f} s ({store.engine.url.get_backend_name()})")
        print(f"RSS before the scan: {_rss_kib() / 1024:.0f} MiB")
        phases = Phases(args.profile, args.top)

        def load_rows() -> tuple[Any, Any, Any]:
            with store.sessions() as session:
                return all_contracts(session), all_suppliers(session), all_incidents(session)

        contracts, suppliers, incidents = phases.timed("load_rows", load_rows)
        documents = phases.timed("load_documents", lambda: analysed_documents(store))
        if args.skip_evaluate:
            findings = _stand_in_findings(incidents)
        else:
            findings = phases.timed("evaluate", lambda: evaluate_portfolio(
                contracts=contracts, suppliers=suppliers, documents=documents, incidents=incidents, as_of=AS_OF))
        if args.dump_findings:
            args.dump_findings.write_text("".join(json.dumps(to_jsonable(f), ensure_ascii=False, sort_keys=True) + "\n"
                                                  for f in findings), encoding="utf-8")
        new = phases.timed("save_first", lambda: save_findings(store, findings))
        phases.timed("save_next", lambda: save_findings(store, findings))
        # as the daily scan task does: the documents loaded for the findings serve the calendar
        digest = phases.timed("digest", lambda: send_daily_digest(store, as_of=AS_OF, documents=documents))
        wall = sum(r[1] for r in phases.rows if r[0] != "save_first")
        cpu = sum(r[2] for r in phases.rows if r[0] != "save_first")
        print(f"  {'TOTAL (daily scan)':<22} {wall:>8.2f} s wall {cpu:>8.2f} s CPU   peak RSS "
              f"{max(r[3] for r in phases.rows) / 1024:>7.0f} MiB   (save_next counted: a scan on a known store)")
        if incidents:
            ev = next((r for r in phases.rows if r[0] == "evaluate"), None)
            if ev:
                print(f"  evaluate: {1000 * ev[1] / len(incidents):.2f} ms per incident; "
                      f"breaches {sum(f.breach for f in findings)}, acted on {sum(f.acted_on for f in findings)}, "
                      f"à vérifier {sum(f.needs_review for f in findings)}; {len(new)} new unacted")
        print(f"  digest: {digest['total_non_traites']} unacted, {len(digest['echeances_a_venir'])} due soon, "
              f"{len(digest['echeances_depassees'])} overdue")
        store.close()


if __name__ == "__main__":
    main()
