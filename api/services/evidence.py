"""Evidence for a dispute: what fixes the facts and the law when a titulaire contests.

A réclamation or contestation is answered with (a) the contract clauses it cites or argues
about (penalty and deadline invoked, exoneration, prolongation causes, force majeure,
sub-contractors, counting of hours...) and (b) the buyer's own written acts about the same
facts (the letter it answers, orders, PV, mise en demeure, the decision that followed).

Ranking is a small hand-weighted scorer over explainable features (cited article, argument
themes, the buyer's letters about the same facts, text similarity, date proximity, kind of
document); every item says in French why it was proposed. Nothing here decides the dispute:
it proposes exhibits to a person who checks them.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.services.store import Store
from models.compliance.fmt import format_date, normalise_article
from models.db import tables as t
from models.domain.types import CONTRACT_KINDS
from nlp.linking import (
    find_articles,
    find_dates,
    find_sirets,
    fold,
    order_key,
    ref_key,
    stems,
)
from nlp.sentences import sentence_spans
from nlp.similarity import stem_similarities

DISPUTE_KINDS = frozenset({"reclamation", "contestation"})

# Weight of a document kind as proof of facts: the buyer's formal acts fix the facts;
# a relance or the titulaire's own letter proves little.
LETTER_KIND_WEIGHT: dict[str, float] = {
    "mise_en_demeure": 1.0, "invitation_observations": 1.0, "notification_penalites": 1.0,
    "pv_constat": 1.0, "ordre_de_service": 1.0, "decision_resiliation": 1.0, "pv_reception": 0.9,
    "avenant": 0.8, "bon_de_commande": 0.7, "autre": 0.5, "relance": 0.35, "courrier_titulaire": 0.3,
    "reclamation": 0.2, "contestation": 0.2,
}

KIND_LABELS: dict[str, str] = {
    "ccap": "CCAP", "ae": "acte d'engagement", "cctp": "CCTP", "rc": "règlement de la consultation",
    "ccag": "CCAG", "bpu": "bordereau des prix", "mise_en_demeure": "mise en demeure",
    "notification_penalites": "notification de pénalités", "invitation_observations":
    "invitation à présenter des observations", "reclamation": "mémoire en réclamation",
    "contestation": "contestation", "courrier_titulaire": "courrier du titulaire", "relance": "relance",
    "pv_reception": "procès-verbal de réception", "pv_constat": "procès-verbal de constat",
    "ordre_de_service": "ordre de service", "bon_de_commande": "bon de commande", "avenant": "avenant",
    "decision_resiliation": "décision de résiliation", "autre": "pièce",
}


@dataclass(frozen=True)
class Theme:
    """An argument a titulaire raises and the kind of clause that answers it."""

    name: str
    label: str  # French, for `why`
    argument: re.Pattern[str]  # on the dispute (accent-folded)
    answer: re.Pattern[str]  # on the clause (accent-folded)


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


THEMES: tuple[Theme, ...] = (
    Theme("force_majeure", "répond à l'argument de force majeure ou de cause extérieure",
          _rx(r"force majeure|imprevisib|irresistib|exterieur|greve|cas fortuit|penurie|approvisionnement"),
          _rx(r"force majeure|cause[s]? de prolongation|ne constitu\w* pas|prolongation|sursis|greve|"
              r"approvisionnement|cas fortuit")),
    Theme("sous_traitance", "responsabilité du titulaire pour ses sous-traitants et fournisseurs",
          _rx(r"sous-trait|hebergeur|prestataire|fournisseur|partenaire|transporteur"),
          _rx(r"sous-trait|seul responsable|demeure responsable|ses (propres )?fournisseurs|hebergeur")),
    Theme("intemperies", "intempéries : conditions de prise en compte",
          _rx(r"intemperie|meteo|pluie|neige|\bgel\b|tempete|canicule|orage"),
          _rx(r"intemperie")),
    Theme("exoneration", "répond à l'argument du seuil d'exonération",
          _rx(r"exonere\b|exoneres\b|exoneration|franchise|seuil|en deca"),
          _rx(r"exoner|franchise|seuil")),
    Theme("plafond", "plafond des pénalités",
          _rx(r"plafon|excessi|disproportion|montant total des penalites"),
          _rx(r"plafon|ne (peut|peuvent) exceder|montant total des penalites")),
    Theme("decompte", "règle de décompte des délais (heures, jours)",
          _rx(r"heures? ouvre|jours? ouvr|heures? ouvrabl|week-end|samedi|dimanche|\bferies?\b|la nuit|"
              r"horaires? (de|du) support|plages? horaire|heure commencee|journee commencee"),
          _rx(r"de maniere continue|y compris (la nuit|les samedis|les dimanches|les jours feries)|"
              r"samedis, dimanches|heure commencee|journee commencee|heures? (entamee|commencee)|"
              r"(sont|est) decompte|se decomptent|24 ?h(eures)? sur 24")),
    Theme("procedure", "procédure préalable aux pénalités (mise en demeure, observations)",
          _rx(r"mise en demeure prealable|sans mise en demeure|procedure contradictoire|"
              r"pas ete (mis|invite)|aucune mise en demeure"),
          _rx(r"mise en demeure|contradictoire|presenter (ses|des) observations")),
    Theme("prejudice", "les pénalités sont dues sans préjudice à démontrer",
          _rx(r"prejudice|aucun dommage|n'a subi|sans consequence"),
          _rx(r"prejudice|penalit[^.]*forfaitaire|de plein droit|du seul fait")),
    Theme("imputabilite_acheteur", "obligations de l'acheteur invoquées par le titulaire",
          _rx(r"du fait de (l'acheteur|vos services|la collectivite)|validation tardive|retard de validation|"
              r"vos services|votre retard|acces au site|n'a pas ete mis a disposition"),
          _rx(r"l'acheteur (valide|transmet|met a disposition|notifie)|validation|mise a disposition")),
    Theme("horaire", "horaires et heure limite d'exécution",
          _rx(r"\bheure limite|horaire|a \d{1,2} ?h|\d{1,2} ?h ?\d{2}"),
          _rx(r"heure limite|avant \d{1,2} ?h|au plus tard a \d{1,2} ?h|horaires?")),
    Theme("reception", "vérifications, admission, réserves",
          _rx(r"reserve|conformit|rejet|refus de la livraison|admission"),
          _rx(r"admission|rejet|reserves|verification|non conform")),
)

PROCEDURE = next(th for th in THEMES if th.name == "procedure")
SIM_DOC_WEIGHT = {"ccap": 1.0, "cctp": 0.8, "ae": 0.5}
DELAY_CAUSE_THEMES = frozenset({"force_majeure", "intemperies", "imputabilite_acheteur"})
PENALTY_WORDS = _rx(r"penalit")
DEADLINE_WORDS = _rx(r"\bdelai\b|au plus tard|dans les \w+ jours|a compter de")


@dataclass(frozen=True)
class EvidenceItem:
    """One proposed exhibit. `article` is None for letters (matched on the document)."""

    path: str
    article: str | None
    page: int | None
    quote: str
    score: float  # in [0, 1]
    why: str  # French
    document_id: int
    source: str  # "clause" or "courrier"
    doc_kind: str | None = None
    doc_date: dt.date | None = None


@dataclass
class _Doc:
    id: int
    path: str
    kind: str
    direction: str | None
    date: dt.date | None
    text: str
    paginated: bool
    page_starts: list[tuple[int, int]]  # (page number, start offset)
    corr: dict[str, Any]
    children_text: str = ""


@dataclass
class _Candidate:
    doc: _Doc
    article: str | None
    text: str
    offset: int  # of `text` in the document's text; -1 when unknown
    page: int | None
    clause_type: str | None = None
    heading: str = ""
    features: dict[str, float] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    quote: str = ""


# ------------------------------------------------------------------ loading

def _load_doc(session: Session, doc: t.Document) -> _Doc:
    pages = list(doc.pages)
    text = "\n\n".join(p.text for p in pages)
    return _Doc(id=doc.id, path=doc.path or doc.filename, kind=doc.kind or "autre", direction=doc.direction,
                date=doc.doc_date, text=text, paginated=doc.paginated,
                page_starts=[(p.number, p.start) for p in pages],
                corr=(doc.analysis or {}).get("correspondence") or {})


def _page_at(doc: _Doc, offset: int) -> int | None:
    if not doc.paginated or not doc.page_starts:
        return None
    current = doc.page_starts[0][0]
    for number, start in doc.page_starts:
        if start > offset:
            break
        current = number
    return current


def disputes(store: Store) -> list[int]:
    """Ids of the correspondence Vigie itself classifies as réclamation or contestation
    (attachments are read with the message that carried them)."""
    with store.sessions() as session:
        rows = session.scalars(select(t.Document).where(t.Document.kind.in_(DISPUTE_KINDS),
                                                        t.Document.parent_id.is_(None))
                               .order_by(t.Document.doc_date, t.Document.path, t.Document.id)).all()
        return [d.id for d in rows]


def _dispute_contracts(session: Session, row: t.Document, text: str) -> list[int]:
    """The contract the dispute is filed under; for a letter not yet attached, the contracts
    its references or its SIRET designate (to be confirmed by the user)."""
    if row.contract_id is not None:
        return [row.contract_id]
    corr = (row.analysis or {}).get("correspondence") or {}
    contracts = list(session.scalars(select(t.Contract)))
    keys = {ref_key(r) for r in corr.get("contract_refs") or []}
    by_ref = [c.id for c in contracts if ref_key(c.ref) in keys]
    if by_ref:
        return by_ref
    sirets = set(corr.get("sirets") or []) | set(find_sirets(text))
    return [c.id for c in contracts if c.supplier is not None and c.supplier.siret in sirets]


def _contract_documents(session: Session, contract_ids: Sequence[int]) -> list[t.Document]:
    if not contract_ids:
        return []
    return list(session.scalars(select(t.Document).where(t.Document.contract_id.in_(contract_ids),
                                                         t.Document.status.in_(("parsed", "partial")))
                                .order_by(t.Document.id)))


# ------------------------------------------------------------------ features

def _cited(corr: dict[str, Any], text: str) -> tuple[set[tuple[str, str]], set[str]]:
    """Articles a letter cites: ((contract document, number), CCAG numbers), numbers normalised;
    the contract document is "" when the letter does not say which one."""
    own: set[tuple[str, str]] = set()
    ccag: set[str] = set()
    items = list(corr.get("articles_cited") or []) or find_articles(text)
    for item in items:
        doc, _, number = item.rpartition(" ")
        number = normalise_article(number) or ""
        if not number:
            continue
        if doc.startswith("CCAG"):
            ccag.add(number)
        elif doc in ("", "CCAP", "CCTP", "AE"):
            own.add((doc.lower(), number))
    return own, ccag


def _article_match(article: str | None, doc_kind: str, cited: set[tuple[str, str]]) -> float:
    """1 when the clause is the cited article of its document (or of an unnamed one, a little
    less); 0.6 when it is a sub-article of a cited one."""
    if not article:
        return 0.0
    best = 0.0
    for doc, number in cited:
        if doc and doc != doc_kind:
            continue
        weight = 1.0 if doc else 0.8
        if article == number:
            best = max(best, weight)
        elif article.startswith(number + "."):
            best = max(best, 0.6 * weight)
    return best


def _mentions_number(text: str, number: str) -> bool:
    return re.search(r"(?<![\d.])" + re.escape(number) + r"(?![\d]|\.\d)", text) is not None


def _dates_in(doc: _Doc) -> set[dt.date]:
    found = {d for d, _, _ in find_dates(doc.text + "\n" + doc.children_text)}
    found.update(dt.date.fromisoformat(x) for x in doc.corr.get("failing_dates") or [])
    return found


def _orders(doc: _Doc) -> set[str]:
    return {order_key(o) for o in doc.corr.get("order_refs") or []}


def _best_sentence(text: str, scorer: Any) -> tuple[str, int]:
    """The sentence of `text` that `scorer` rates best, and its offset."""
    spans = [(s, e) for s, e in sentence_spans(text) if e - s >= 25] or sentence_spans(text)
    if not spans:
        return text.strip()[:400], 0
    best = max(spans, key=lambda se: (scorer(text[se[0]:se[1]]), -se[0]))
    return text[best[0]:best[1]].strip(), best[0]


def _squash(raw: float) -> float:
    """Raw weighted sum → score in [0, 1) (monotone)."""
    return round(1.0 - math.exp(-max(raw, 0.0) / 2.5), 3)


def _leaf_clauses(session: Session, doc_id: int) -> list[t.ClauseRow]:
    rows = list(session.scalars(select(t.ClauseRow).where(t.ClauseRow.document_id == doc_id)
                                .order_by(t.ClauseRow.start, t.ClauseRow.id)))
    parents = {r.parent for r in rows if r.parent}
    # a heading whose sub-articles are segmented is represented by them (gold and readers
    # cite the most specific number); its own text would duplicate theirs
    return [r for r in rows if r.article not in parents or not r.article]


def _contract_candidates(session: Session, doc: t.Document, loaded: _Doc) -> list[_Candidate]:
    """Clauses of a contract document; when segmentation found none, its extracted penalties,
    deadlines and obligations (each with its article and quote); failing that, the document."""
    out = [_Candidate(doc=loaded, article=normalise_article(c.article), text=c.text, offset=c.start, page=c.page,
                      clause_type=c.clause_type, heading=c.heading) for c in _leaf_clauses(session, doc.id)]
    if out:
        return out
    seen: set[tuple[str | None, str]] = set()
    for item in session.scalars(select(t.ExtractedItem).where(t.ExtractedItem.document_id == doc.id)
                                .order_by(t.ExtractedItem.id)):
        key = (normalise_article(item.article), item.quote)
        if key in seen or not item.quote.strip():
            continue
        seen.add(key)
        span = (item.data or {}).get("span") or {}
        out.append(_Candidate(doc=loaded, article=key[0], text=item.quote, offset=int(span.get("start", -1)),
                              page=item.page, clause_type={"penalty": "penalite", "deadline": "delai"}
                              .get(item.item_type)))
    if not out and loaded.text.strip():
        out.append(_Candidate(doc=loaded, article=None, text=loaded.text, offset=0, page=None))
    return out


# ------------------------------------------------------------------ main

def suggest_evidence(store: Store, dispute_id: int, *, limit: int = 10) -> list[EvidenceItem]:
    """Ranked exhibits for the dispute `dispute_id` (clauses first where they weigh as much)."""
    with store.sessions() as session:
        row = session.get(t.Document, dispute_id)
        if row is None:
            raise LookupError(f"Pièce {dispute_id} introuvable.")
        dispute = _load_doc(session, row)
        for child in session.scalars(select(t.Document).where(t.Document.parent_id == row.id)):
            dispute.children_text += "\n\n" + _load_doc(session, child).text
        contract_docs = _contract_documents(
            session, _dispute_contracts(session, row, dispute.text + dispute.children_text))
        clauses: list[_Candidate] = []
        letters: list[_Candidate] = []
        for doc in contract_docs:
            if doc.id == row.id or doc.parent_id == row.id:
                continue
            loaded = _load_doc(session, doc)
            if (doc.kind or "") in CONTRACT_KINDS:
                clauses.extend(_contract_candidates(session, doc, loaded))
            elif doc.parent_id is None:
                for child in session.scalars(select(t.Document).where(t.Document.parent_id == doc.id)):
                    kid = _load_doc(session, child)
                    loaded.children_text += "\n\n" + kid.text
                    if loaded.kind not in LETTER_KIND_WEIGHT or LETTER_KIND_WEIGHT[loaded.kind] < 1.0:
                        if LETTER_KIND_WEIGHT.get(kid.kind, 0) > LETTER_KIND_WEIGHT.get(loaded.kind, 0):
                            loaded.kind = kid.kind  # a cover e-mail carries the act
                letters.append(_Candidate(doc=loaded, article=None, text=loaded.text, offset=0, page=None))
    body = dispute.text + dispute.children_text
    _score_letters(dispute, body, letters)
    _score_clauses(dispute, body, clauses, letters)
    ranked = sorted(clauses + letters, key=lambda c: (-c.features["total"], c.doc.path, c.offset))
    out: list[EvidenceItem] = []
    seen: set[tuple[str, str | None]] = set()
    for cand in ranked:
        key = (cand.doc.path, cand.article)
        if key in seen or cand.features["total"] <= 0.15:
            continue
        seen.add(key)
        out.append(EvidenceItem(
            path=cand.doc.path, article=cand.article, page=cand.page, quote=cand.quote,
            score=_squash(cand.features["total"]), why=" ; ".join(dict.fromkeys(cand.reasons)) or "pièce du marché",
            document_id=cand.doc.id, source="clause" if cand.article is not None or cand.doc.kind in CONTRACT_KINDS
            else "courrier", doc_kind=cand.doc.kind, doc_date=cand.doc.date))
        if len(out) >= limit:
            break
    return out


def _score_letters(dispute: _Doc, body: str, letters: list[_Candidate]) -> None:
    mentioned = _dates_in(dispute)
    orders = _orders(dispute)
    body_stems = set(stems(body))
    sims = stem_similarities(body, [c.doc.text + c.doc.children_text for c in letters])
    top = max(sims, default=0.0) or 1.0
    folded_body = fold(body)
    delay_causes = any(th.argument.search(folded_body) for th in THEMES if th.name in DELAY_CAUSE_THEMES)
    for cand, sim in zip(letters, sims, strict=True):
        doc, f = cand.doc, cand.features
        kind_w = LETTER_KIND_WEIGHT.get(doc.kind, 0.4)
        if doc.direction == "entrant" and doc.kind not in LETTER_KIND_WEIGHT:
            kind_w = 0.3
        f["kind"] = kind_w
        f["sim"] = sim / top
        f["answered"] = 1.0 if doc.date and doc.date in mentioned and (not dispute.date or doc.date <= dispute.date) \
            else 0.0
        f["answers"] = 1.0 if (doc.direction != "entrant" and dispute.date and doc.date
                               and doc.date >= dispute.date and dispute.date in _dates_in(doc)) else 0.0
        # a granted prolongation answers any argument about what delayed the work
        f["extension"] = 1.0 if doc.corr.get("granted_extension_days") and delay_causes else 0.0
        f["orders"] = 1.0 if orders and orders & _orders(doc) else 0.0
        shared = (mentioned & _dates_in(doc)) - {d for d in (doc.date, dispute.date) if d}
        f["facts"] = min(1.0, len(shared) / 2)
        gap = abs((doc.date - dispute.date).days) if doc.date and dispute.date else 365
        f["prox"] = math.exp(-gap / 60)
        raw = (2.2 * f["answered"] + 0.6 * f["answers"] + 1.0 * f["orders"] + 0.8 * f["facts"]
               + 0.8 * f["prox"] + 1.2 * f["sim"] + 2.5 * f["extension"])
        f["total"] = raw * (0.4 + 0.6 * kind_w)
        when = f" du {format_date(doc.date)}" if doc.date else ""
        label = KIND_LABELS.get(doc.kind, "courrier")
        if f["answered"]:
            cand.reasons.append(f"{label}{when} à laquelle répond le titulaire")
        if f["answers"]:
            cand.reasons.append(f"{label}{when} : réponse de l'acheteur à ce courrier")
        if f["orders"]:
            cand.reasons.append(f"{label}{when} sur la même commande ou le même ordre de service")
        if f["extension"]:
            cand.reasons.append(f"{label}{when} accordant une prolongation de délai")
        if f["facts"] and not cand.reasons:
            cand.reasons.append(f"{label}{when} établissant les faits aux mêmes dates")
        if not cand.reasons:
            cand.reasons.append(f"{label}{when} du même marché")
        cand.quote, _ = _best_sentence(doc.text, lambda s: _fact_sentence_score(s, body_stems))


def _overlap(sentence: str, body_stems: set[str]) -> float:
    """Share of the sentence's word stems found in the dispute (cheap tie-breaker)."""
    words = set(stems(sentence))
    return len(words & body_stems) / len(words) if words else 0.0


def _fact_sentence_score(sentence: str, body_stems: set[str]) -> float:
    """Sentences with dates, durations or amounts fix the facts; similarity breaks ties."""
    folded = fold(sentence)
    score = 0.0
    if find_dates(sentence):
        score += 1.0
    if re.search(r"\d+\s*(jours?|heures?|h\b|semaines?)", folded):
        score += 1.0
    if re.search(r"retard|constat|livr|report|prolong|penalit|achev|interrupt|indisponib", folded):
        score += 0.8
    if re.search(r"\d[\d\s.,]*\s*(€|euros?)", folded):
        score += 0.4
    if re.search(r"^(objet|de|a|from|to|date|madame|monsieur)\b", folded):
        score -= 2.0
    return score + 0.5 * _overlap(sentence, body_stems)


def _score_clauses(dispute: _Doc, body: str, clauses: list[_Candidate], letters: list[_Candidate]) -> None:
    own, ccag = _cited(dispute.corr, body)
    folded_body = fold(body)
    active = [th for th in THEMES if th.argument.search(folded_body)]
    # articles cited by the buyer's letters about the same facts, weighted by how close the letter is
    related: dict[tuple[str, str], float] = {}
    for letter in letters:
        f = letter.features
        strength = max(f.get("answered", 0), f.get("answers", 0), f.get("orders", 0), 0.6 * f.get("facts", 0))
        if strength <= 0 or letter.doc.direction == "entrant":
            continue
        cited_own, _ = _cited(letter.doc.corr, letter.doc.text)
        if letter.doc.children_text:  # the decision attached to a cover e-mail
            cited_own |= _cited({}, letter.doc.children_text)[0]
        for cited in cited_own:
            related[cited] = max(related.get(cited, 0.0), strength)
    procedure_argued = PROCEDURE in active
    body_stems = set(stems(body))
    sims = stem_similarities(body, [c.text for c in clauses])
    top = max(sims, default=0.0) or 1.0
    for cand, sim in zip(clauses, sims, strict=True):
        f = cand.features
        folded = fold(cand.text)
        f["cited"] = _article_match(cand.article, cand.doc.kind, own)
        f["ccag"] = 1.0 if any(_mentions_number(folded, n) for n in ccag) else 0.0
        if cand.clause_type == "derogations":
            f["ccag"] *= 0.4  # the final list only points to the clause that derogates
        f["related"] = max((w * _article_match(cand.article, cand.doc.kind, {a}) for a, w in related.items()),
                           default=0.0)
        if not procedure_argued and PROCEDURE.answer.search(folded) and not f["cited"]:
            # letters cite the procedure clause as their basis; it answers only a procedural argument
            f["related"] *= 0.5
        hits = [th for th in active if th.answer.search(folded)]
        f["theme"] = min(1.0, 0.6 * len(hits))
        # the AE mostly identifies the parties and prices: its text resembles any letter of the
        # titulaire (names, addresses) without answering it
        f["sim"] = sim / top * SIM_DOC_WEIGHT.get(cand.doc.kind, 0.6)
        is_penalty = cand.clause_type == "penalite" or bool(PENALTY_WORDS.search(folded))
        is_deadline = cand.clause_type == "delai" or bool(DEADLINE_WORDS.search(folded))
        f["type"] = 0.5 if is_penalty else 0.4 if is_deadline else 0.0
        f["total"] = (2.6 * f["cited"] + 2.2 * f["ccag"] + 1.8 * f["related"] + 2.8 * f["theme"]
                      + 1.4 * f["sim"] + f["type"])
        art = f"article {cand.article}" if cand.article else "clause"
        if f["cited"]:
            cand.reasons.append(f"{art} cité par le titulaire")
        if f["ccag"]:
            cand.reasons.append(f"{art} : stipulation sur l'article du CCAG invoqué par le titulaire")
        for th in hits:
            cand.reasons.append(th.label)
        if f["related"]:
            cand.reasons.append(f"{art} appliqué dans les courriers de l'acheteur sur ces faits")
        if not cand.reasons:
            cand.reasons.append("clause de pénalité du marché" if is_penalty else
                                "délai contractuel" if is_deadline else "clause du marché proche des arguments")
        patterns = [th.answer for th in hits]
        heading = fold(cand.heading)

        def sentence_score(s: str, patterns: Sequence[re.Pattern[str]] = patterns, heading: str = heading) -> float:
            fs = fold(s)
            score = sum(1.0 for p in patterns if p.search(fs))
            score += 0.8 * any(_mentions_number(fs, n) for n in ccag)
            score += 0.3 * bool(PENALTY_WORDS.search(fs)) + 0.2 * bool(DEADLINE_WORDS.search(fs))
            score += 0.2 * bool(re.search(r"\d", fs))  # the rate, the time limit, the formula
            if len(s) < 30 or (heading and heading in fs and len(fs) < len(heading) + 25):
                score -= 2.0  # a heading line, not a stipulation
            return score + 0.5 * _overlap(s, body_stems)

        cand.quote, at = _best_sentence(cand.text, sentence_score)
        if cand.offset >= 0:  # -1: an extracted item without its span keeps its own page
            cand.page = _page_at(cand.doc, cand.offset + at) or cand.page


def evidence_json_entry(store: Store, dispute_id: int, *, limit: int = 10) -> dict[str, Any]:
    """SPEC §2 `{"dispute": PATH, "evidence": [...]}` for one dispute."""
    with store.sessions() as session:
        row = session.get(t.Document, dispute_id)
        path = (row.path or row.filename) if row else str(dispute_id)
    items = suggest_evidence(store, dispute_id, limit=limit)
    return {"dispute": path, "evidence": [
        {"path": i.path, "article": i.article, "page": i.page, "quote": i.quote, "score": i.score, "why": i.why}
        for i in items]}


# ------------------------------------------------------------------ bordereau de pièces

BORDEREAU_HEADER = ["N°", "Pièce", "Date", "Nature", "Articles / pages", "Empreinte SHA-256"]


@dataclass(frozen=True)
class Exhibit:
    number: int
    title: str
    date: dt.date | None
    kind: str  # French label
    locations: tuple[str, ...]  # « art. 9.2 (p. 4) »
    sha256: str
    path: str
    document_id: int


@dataclass(frozen=True)
class Bordereau:
    exhibits: tuple[Exhibit, ...]
    markdown: str
    csv: str
    zip_bytes: bytes | None = None


def _exhibit_title(doc: t.Document) -> str:
    name = doc.path or doc.filename
    subject = (doc.subject or "").strip()
    return f"{subject} ({name})" if subject else name


def bordereau(store: Store, items: Sequence[EvidenceItem], *, actor: str = "", dispute_id: int | None = None,
              with_originals: bool = True) -> Bordereau:
    """Numbered « Pièce n° 1 … » list, one exhibit per document in the order of `items`
    (the clauses of one CCAP are one exhibit naming its articles), with the SHA-256 of the
    original as stored; optionally a ZIP of the originals named by their number.
    The export is recorded as an audit event."""
    import csv as csv_module
    import io
    import zipfile

    order: list[int] = []
    locations: dict[int, list[str]] = {}
    for item in items:
        if item.document_id not in locations:
            order.append(item.document_id)
            locations[item.document_id] = []
        where = []
        if item.article:
            where.append(f"art. {item.article}")
        if item.page:
            where.append(f"p. {item.page}")
        label = " ".join(where[:1]) + (f" ({where[1]})" if len(where) > 1 else "") if where else ""
        if label and label not in locations[item.document_id]:
            locations[item.document_id].append(label)
    exhibits: list[Exhibit] = []
    with store.sessions() as session:
        for n, doc_id in enumerate(order, start=1):
            doc = session.get(t.Document, doc_id)
            if doc is None:
                raise LookupError(f"Pièce {doc_id} introuvable.")
            exhibits.append(Exhibit(number=n, title=_exhibit_title(doc), date=doc.doc_date,
                                    kind=KIND_LABELS.get(doc.kind or "autre", "pièce"),
                                    locations=tuple(locations[doc_id]), sha256=doc.sha256,
                                    path=doc.path or doc.filename, document_id=doc.id))
    rows = [[f"Pièce n° {e.number}", e.title, format_date(e.date) if e.date else "date non établie",
             e.kind, ", ".join(e.locations) or "pièce entière", e.sha256] for e in exhibits]
    md_lines = ["# Bordereau de pièces", "",
                "| " + " | ".join(BORDEREAU_HEADER) + " |", "|" + "---|" * len(BORDEREAU_HEADER)]
    md_lines += ["| " + " | ".join(cell.replace("|", "/") for cell in row) + " |" for row in rows]
    md_lines += ["", "Empreintes SHA-256 calculées sur les originaux tels que reçus et conservés par Vigie."]
    buffer = io.StringIO()
    writer = csv_module.writer(buffer, delimiter=";")
    writer.writerow(BORDEREAU_HEADER)
    writer.writerows(rows)
    markdown, csv_text = "\n".join(md_lines) + "\n", buffer.getvalue()
    zip_bytes = None
    if with_originals:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("bordereau.md", markdown)
            archive.writestr("bordereau.csv", "\ufeff" + csv_text)  # BOM: Excel in French reads accents
            for e in exhibits:
                name = e.path.rsplit("/", 1)[-1].replace("#", "_")
                archive.writestr(f"Piece_{e.number:02d}_{name}", store.blobs.get(e.sha256))
        zip_bytes = out.getvalue()
    with store.sessions.begin() as session:
        session.add(t.AuditEvent(actor=actor, action="export_bordereau", detail={
            "litige": dispute_id, "pieces": [{"numero": e.number, "document": e.document_id, "sha256": e.sha256}
                                             for e in exhibits]}))
    return Bordereau(exhibits=tuple(exhibits), markdown=markdown, csv=csv_text, zip_bytes=zip_bytes)
