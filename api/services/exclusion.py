"""Exclusion file for a candidate (CCP L2141-7) and the letter opening the contradictory step.

Rules, all from /work/shared/domain/FACTS.md §7:
- L2141-7 [S]: the buyer MAY exclude a candidate that, in the three years before, had to pay
  damages, was sanctioned by a résiliation or by a comparable sanction, because of a serious
  or persistent failing in performing an earlier public contract.
- Only sanctions actually pronounced count [S] (DAJ / marche-public.fr): a breach never acted
  on, a mise en demeure or penalties do not qualify on their own; they are listed as context.
- L2141-11 [S]: before excluding, the candidate must be given the opportunity, within a
  reasonable time and by any means, to show it has corrected its failings; exclusion only if
  that is insufficient and proportionate. The exact wording is [U]: never quoted.

The opinion is a draft for a person: it says « à vérifier » wherever a date, a motive or a
document is missing, and never decides the exclusion itself (it is discretionary).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.services.store import Store
from models.compliance.fmt import format_date
from models.db import tables as t
from models.domain.types import CONTRACT_KINDS
from nlp.linking import find_dates, fold

# FACTS.md §7 (L2141-7 [S]): three years before the assessment date.
LOOKBACK_YEARS = 3
TITULAIRE_KINDS = frozenset({"reclamation", "contestation", "courrier_titulaire"})
QUALIFYING_KINDS = frozenset({"resiliation_faute", "dommages_interets", "sanction_comparable"})
GROUND_LABELS = {
    "resiliation_faute": "résiliation pour faute", "dommages_interets": "condamnation à des dommages et intérêts",
    "sanction_comparable": "sanction comparable", "penalites": "pénalités appliquées",
    "mise_en_demeure": "mise en demeure",
}

_FAUTE = re.compile(r"pour faute|aux torts (exclusifs )?du titulaire|faute du titulaire|manquements? (graves?|repetes?)"
                    r"|aux frais et risques")
_GENERAL_INTEREST = re.compile(r"motif d'interet general|pour interet general")
_PRONOUNCED = re.compile(r"(est|sont|a ete) resilie|prononce la resiliation|prononcons la resiliation|"
                         r"decid\w* (de )?(prononcer la )?resili|resiliation (du marche )?(prend|prendra) effet|"
                         r"decision de resiliation|decide de resilier")
_FORMAL_NOTICE = re.compile(r"met(s|tons)? en demeure|mise en demeure de")
_PROPOSAL = re.compile(r"envisag|information prealable|(presenter|faire part de) (vos|ses) observations")
_DECIDED = re.compile(r"(je vous |vous )?notifie|decompte|\bdecide|est appliquee?s?\b|sont appliquees|"
                      r"sera (retenue?|deduite?)|seront (retenues|deduites)|titre de recette")
# pronounced damages: a judgment (« condamne … à verser … ») or an award, not a demand
_DAMAGES = re.compile(r"condamn\w*[^.]{0,160}dommages[- ]et[- ]interets|"
                      r"dommages[- ]et[- ]interets[^.]{0,80}(alloues?|prononces?|mis a la charge)|"
                      r"(a|ont) (du )?verse[^.]{0,80}dommages[- ]et[- ]interets")
_COMPARABLE = re.compile(r"(decide|decidons|est ordonnee?|prononce)[^.]{0,80}(execution|poursuite)[^.]{0,40}"
                         r"aux frais et risques")


@dataclass(frozen=True)
class ExclusionGround:
    contract_ref: str | None
    kind: str  # resiliation_faute, dommages_interets, sanction_comparable, penalites, mise_en_demeure
    on: dt.date | None  # date of the document
    document: str | None  # portfolio-relative path
    qualifying: bool  # of the L2141-7 kind and dated within the period
    note: str = ""  # French caveat
    needs_review: bool = False


@dataclass(frozen=True)
class ExclusionOpinion:
    siret: str
    name: str
    as_of: dt.date
    since: dt.date
    qualifies: bool | None  # None: cannot say without checking (« à vérifier »)
    grounds: tuple[ExclusionGround, ...]
    opinion: str  # French
    needs_review: bool = False
    review_reasons: tuple[str, ...] = field(default_factory=tuple)


def period_start(as_of: dt.date) -> dt.date:
    """First day of the three-year window ending on `as_of` (29 February → 28)."""
    try:
        return as_of.replace(year=as_of.year - LOOKBACK_YEARS)
    except ValueError:
        return as_of.replace(year=as_of.year - LOOKBACK_YEARS, day=28)


def _doc_text(doc: t.Document) -> str:
    return "\n\n".join(p.text for p in doc.pages)


def _classify(doc: t.Document, text: str, contract: t.Contract | None) -> tuple[str, str, bool] | None:
    """(ground kind, note, needs review) for a document of the buyer, or None."""
    kind = doc.kind or "autre"
    if (kind in CONTRACT_KINDS and doc.assignment == "dossier") or kind in TITULAIRE_KINDS:
        return None  # the contract's own clauses and the titulaire's claims are not sanctions
    folded = fold(text)
    outgoing = doc.direction != "entrant"
    if kind == "decision_resiliation" and not _PRONOUNCED.search(folded):
        # a letter only threatening résiliation is not a sanction pronounced (FACTS §7 [S])
        if _FORMAL_NOTICE.search(folded):
            return "mise_en_demeure", "", False
        return ("resiliation_faute", "la pièce ne montre pas une résiliation prononcée : à vérifier", True)
    if kind == "decision_resiliation":
        termination = contract.termination_kind if contract else None
        if _FAUTE.search(folded) or termination == "faute":
            return "resiliation_faute", "", False
        if _GENERAL_INTEREST.search(folded) or termination == "interet_general":
            return None  # not a sanction
        return "resiliation_faute", "motif de la résiliation non établi : à vérifier", True
    if kind == "notification_penalites":
        # an announced penalty (2021 contradictory step) is not yet pronounced (FACTS §7 [S])
        if _PROPOSAL.search(folded) and not _DECIDED.search(folded):
            return None
        return "penalites", "", False
    if kind == "mise_en_demeure":
        return "mise_en_demeure", "", False
    if _DAMAGES.search(folded):
        return "dommages_interets", "condamnation lue dans le texte : vérifier la décision et son caractère définitif", False
    if outgoing and _COMPARABLE.search(folded):
        return ("sanction_comparable", "exécution aux frais et risques décidée : vérifier qu'elle sanctionne un "
                "manquement grave ou persistant", True)
    return None


def exclusion_file(store: Store, siret: str, *, as_of: dt.date) -> ExclusionOpinion:
    """The L2141-7 file of the supplier `siret` at `as_of`: every sanction or formal act of
    the buyer on its contracts, and a qualified opinion."""
    since = period_start(as_of)
    grounds: list[ExclusionGround] = []
    with store.sessions() as session:
        supplier = session.scalar(select(t.Supplier).where(t.Supplier.siret == siret))
        if supplier is None:
            raise LookupError(f"Aucun titulaire de SIRET {siret} dans le portefeuille.")
        name = supplier.name
        contracts = list(session.scalars(select(t.Contract).where(t.Contract.supplier_id == supplier.id)
                                         .order_by(t.Contract.ref)))
        for contract in contracts:
            documented: set[str] = set()
            docs = session.scalars(select(t.Document).where(t.Document.contract_id == contract.id,
                                                            t.Document.parent_id.is_(None),
                                                            t.Document.status.in_(("parsed", "partial")))
                                   .order_by(t.Document.doc_date, t.Document.id)).all()
            for doc in docs:
                text = _doc_text(doc)
                found = _classify(doc, text, contract)
                if found is None:
                    # a cover e-mail carrying the act: the attachment's kind, the e-mail's path and date
                    for child in session.scalars(select(t.Document).where(t.Document.parent_id == doc.id)):
                        found = _classify(child, _doc_text(child), contract)
                        if found is not None:
                            break
                if found is None:
                    continue
                kind, note, review = found
                path = doc.path or doc.filename
                documented.add(path)
                on, note = _document_day(doc, text, note)
                grounds.append(_ground(contract.ref, kind, on, path, note, review, since, as_of))
            # a termination recorded in the contract's data whose decision Vigie did not read as such
            if (contract.termination_kind == "faute" and contract.terminated_on is not None
                    and contract.termination_document not in documented
                    and not any(g.kind == "resiliation_faute" and g.contract_ref == contract.ref for g in grounds)):
                grounds.append(_recorded_termination(session, contract, since, as_of))
        grounds.extend(_unassigned_grounds(session, supplier, since, as_of))
    return _opinion(siret, name, as_of, since, grounds)


# The decision precedes its date of effect by days or weeks: a date of effect this close to
# the window's start cannot tell whether the decision falls inside it.
EFFECT_MARGIN_DAYS = 90


def _recorded_termination(session: Session, contract: t.Contract, since: dt.date,
                          as_of: dt.date) -> ExclusionGround:
    assert contract.terminated_on is not None
    doc = None
    if contract.termination_document:
        doc = session.scalar(select(t.Document).where(t.Document.path == contract.termination_document))
    if doc is not None and doc.doc_date is not None:
        return _ground(contract.ref, "resiliation_faute", doc.doc_date, contract.termination_document,
                       "résiliation pour faute enregistrée dans les données du marché", False, since, as_of)
    near_edge = abs((contract.terminated_on - since).days) <= EFFECT_MARGIN_DAYS
    note = ("résiliation pour faute enregistrée dans les données du marché ; date d'effet retenue faute de "
            "date de décision" + (" : à vérifier sur la décision (limite de la période de trois ans)"
                                  if near_edge else ""))
    return _ground(contract.ref, "resiliation_faute", contract.terminated_on, contract.termination_document,
                   note, near_edge, since, as_of)


def _unassigned_grounds(session: Session, supplier: t.Supplier, since: dt.date,
                        as_of: dt.date) -> list[ExclusionGround]:
    """Acts not attached to any contract that name the supplier (SIRET, name or alias):
    listed with the reference they cite, flagged for review."""
    names = [fold(n) for n in (supplier.name, *(supplier.aliases or [])) if n and len(n) >= 4]
    out = []
    for doc in session.scalars(select(t.Document).where(t.Document.contract_id.is_(None),
                                                        t.Document.parent_id.is_(None),
                                                        t.Document.status.in_(("parsed", "partial")))):
        text = _doc_text(doc)
        folded = fold(text)
        digits = re.sub(r"[\s.]", "", text)
        named = any(re.search(r"(?<![a-z0-9])" + re.escape(n) + r"(?![a-z0-9])", folded) for n in names)
        if not (supplier.siret and supplier.siret in digits) and not named:
            continue
        found = _classify(doc, text, None)
        if found is None:
            continue
        kind, note, _review = found
        on, note = _document_day(doc, text, note)
        refs = ((doc.analysis or {}).get("correspondence") or {}).get("contract_refs") or []
        note = "; ".join(x for x in (note, "pièce non rattachée à un marché du portefeuille : à vérifier") if x)
        out.append(_ground(refs[0] if refs else None, kind, on, doc.path or doc.filename, note, True,
                           since, as_of))
    return out


def _document_day(doc: t.Document, text: str, note: str) -> tuple[dt.date | None, str]:
    """The document's date; when the analysis found none, the first date of its heading
    (« Jugement du 5 juin 2025 »), said so in the note."""
    if doc.doc_date is not None:
        return doc.doc_date, note
    head = find_dates(text[:400])
    if not head:
        return None, note
    return head[0][0], "; ".join(x for x in (note, "date lue dans l'en-tête de la pièce") if x)


def _ground(ref: str | None, kind: str, on: dt.date | None, path: str | None, note: str, review: bool,
            since: dt.date, as_of: dt.date) -> ExclusionGround:
    if on is None:
        note = "; ".join(x for x in (note, "date du document non établie : à vérifier") if x)
        review = True
    within = on is not None and since <= on <= as_of
    return ExclusionGround(contract_ref=ref, kind=kind, on=on, document=path,
                           qualifying=kind in QUALIFYING_KINDS and within, note=note, needs_review=review)


def _opinion(siret: str, name: str, as_of: dt.date, since: dt.date,
             grounds: list[ExclusionGround]) -> ExclusionOpinion:
    sanctions = [g for g in grounds if g.kind in QUALIFYING_KINDS]
    sure = [g for g in sanctions if g.qualifying and not g.needs_review]
    unsure = [g for g in sanctions if g.needs_review and (g.on is None or since <= g.on <= as_of)]
    reasons: list[str] = [f"{GROUND_LABELS[g.kind]} ({g.contract_ref}) : {g.note}" for g in unsure if g.note]
    qualifies: bool | None
    if sure:
        qualifies = True
    elif unsure:
        qualifies = None
    else:
        qualifies = False
    period = f"du {format_date(since)} au {format_date(as_of)}"
    lines = [f"Avis sur l'exclusion de {name} (SIRET {siret}) au titre de l'article L2141-7 du code de la "
             f"commande publique — période examinée {period}."]
    if qualifies:
        first = sure[0]
        lines.append(f"Le motif d'exclusion facultative paraît constitué : {GROUND_LABELS[first.kind]} sur le "
                     f"marché {first.contract_ref}" + (f", décidée le {format_date(first.on)}" if first.on else "")
                     + ". Il appartient à l'acheteur d'apprécier la gravité ou la persistance du manquement "
                       "sanctionné et la proportionnalité d'une exclusion : l'exclusion reste une faculté.")
        if first.kind == "resiliation_faute":
            # CCP L2195-3 [S] (FACTS §3.2): résiliation pour faute requires a fault serious enough
            lines.append("Une résiliation pour faute suppose une faute d'une gravité suffisante (article L2195-3) : "
                         "vérifier que la décision la caractérise.")
    elif qualifies is None:
        lines.append("Avis réservé (à vérifier) : une sanction de la nature visée par l'article L2141-7 figure "
                     "au dossier, mais sa date, son motif ou sa portée n'est pas établi.")
    else:
        lines.append("Le motif d'exclusion de l'article L2141-7 n'est pas constitué : aucune résiliation, "
                     "condamnation à des dommages et intérêts ou sanction comparable prononcée pendant la période.")
    for g in sure:
        if g.note:
            lines.append(f"Point à vérifier ({GROUND_LABELS[g.kind]}, {g.contract_ref}) : {g.note}.")
    context = [g for g in grounds if g.kind not in QUALIFYING_KINDS]
    if context:
        lines.append("Les mises en demeure et pénalités relevées sont mentionnées pour mémoire : elles ne "
                     "constituent pas à elles seules une sanction de la nature visée par l'article L2141-7.")
    old = [g for g in sanctions if g.on is not None and g.on < since]
    if old:
        lines.append("Sanction(s) antérieure(s) à la période de trois ans, non retenue(s) : "
                     + ", ".join(f"{GROUND_LABELS[g.kind]} du {format_date(g.on)} ({g.contract_ref})"
                                 for g in old if g.on) + ".")
    lines.append("Seules les sanctions effectivement prononcées peuvent être prises en compte. Avant toute "
                 "exclusion, le candidat doit être mis à même d'établir, dans un délai raisonnable, qu'il a pris "
                 "les mesures nécessaires pour corriger ses manquements (article L2141-11).")
    return ExclusionOpinion(siret=siret, name=name, as_of=as_of, since=since, qualifies=qualifies,
                            grounds=tuple(sorted(grounds, key=lambda g: (g.on or dt.date.min, g.kind))),
                            opinion="\n\n".join(lines), needs_review=bool(reasons) or qualifies is None,
                            review_reasons=tuple(reasons))


def all_supplier_sirets(store: Store) -> list[str]:
    with store.sessions() as session:
        return [s for s in session.scalars(select(t.Supplier.siret).where(t.Supplier.siret.is_not(None))
                                           .order_by(t.Supplier.id)) if s]


def contradictory_letter(opinion: ExclusionOpinion, *, buyer_name: str | None = None,
                         procedure: str | None = None, reply_by: dt.date | None = None,
                         today: dt.date | None = None) -> str:
    """Draft letter opening the contradictory step of L2141-11 (paraphrased, never quoted:
    the article's exact wording is unverified in FACTS.md)."""
    todo = "[à compléter]"
    sanctions = [g for g in opinion.grounds if g.kind in QUALIFYING_KINDS and (g.qualifying or g.needs_review)]
    facts = []
    for g in sanctions or opinion.grounds:
        when = f"du {format_date(g.on)}" if g.on else "(date à vérifier)"
        facts.append(f"- {GROUND_LABELS[g.kind]} {when}, marché n° {g.contract_ref or todo}"
                     + (f" (pièce : {g.document})" if g.document else ""))
    deadline = (f"au plus tard le {format_date(reply_by)}" if reply_by
                else "dans un délai de [à fixer : délai raisonnable] jours à compter de la réception du présent courrier")
    lines = [
        f"{buyer_name or '[Acheteur]'}",
        "",
        f"À l'attention de {opinion.name} — SIRET {opinion.siret}",
        "",
        f"Objet : procédure de passation {procedure or todo} — mise en œuvre de la procédure contradictoire "
        "préalable à une éventuelle exclusion (articles L2141-7 et L2141-11 du code de la commande publique)",
        "",
        "Madame, Monsieur,",
        "",
        "Votre société s'est portée candidate à la procédure citée en objet. Au cours des trois années "
        "précédentes, les faits suivants ont été relevés dans l'exécution d'un contrat de la commande publique "
        "antérieur :",
        *facts,
        "",
        "Ces éléments sont susceptibles de relever du motif d'exclusion facultative prévu à l'article L2141-7 "
        "du code de la commande publique. Aucune décision n'est prise à ce stade.",
        "",
        "Conformément à l'article L2141-11 du même code, nous vous invitons à nous faire connaître, "
        f"{deadline}, et par tout moyen, les éléments établissant que vous avez pris les mesures nécessaires "
        "pour corriger les manquements précités et, le cas échéant, que votre participation à la procédure "
        "n'est pas susceptible de porter atteinte à l'égalité de traitement.",
        "",
        "À défaut de réponse, ou si les éléments transmis sont insuffisants, l'acheteur pourra décider "
        "d'exclure votre candidature, par une décision motivée et proportionnée.",
        "",
        f"Fait le {format_date(today) if today else todo}",
        "",
        "[Nom, qualité et signature du représentant de l'acheteur]",
    ]
    if opinion.needs_review:
        lines += ["", "À vérifier avant envoi : " + ("; ".join(opinion.review_reasons) or "avis réservé")]
    return "\n".join(lines) + "\n"


def exclusion_json_entry(opinion: ExclusionOpinion) -> dict[str, Any]:
    """SPEC §2 `{"siret", "qualifies", "grounds": [...]}`."""
    return {"siret": opinion.siret, "qualifies": opinion.qualifies, "grounds": [
        {"contract_ref": g.contract_ref, "kind": g.kind, "on": g.on.isoformat() if g.on else None,
         "document": g.document} for g in opinion.grounds]}
