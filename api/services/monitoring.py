"""Execution monitoring: one finding per logged incident.

For each incident: find its contract (the log's reference when the description agrees,
else the supplier's name, alias or SIRET and the words of the description), the penalty
clause it engages, the buyer's written acts about it and any granted prolongation, then let
`models.compliance` count the days, compute the penalty and apply the contract's threshold
and cap in `occurred_on` order.

Legal rules live in `models.compliance` (E); this module only links facts together. When a
link is weak the finding says so (`needs_review`, `review_reason` in French) rather than
inventing a number.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ingest.options import ParseOptions
from ingest.parse import parse_bytes
from models.compliance import (
    RULES_VERSION,
    BreachFacts,
    ContractPenaltyItem,
    LimitedAmount,
    NextStepFacts,
    PenaltyComputation,
    PenaltyRegime,
    add_duration,
    apply_contract_limits,
    compute_penalty,
    contract_item,
    effective_regime,
    finding_amounts,
    next_step,
    normalise_article,
)
from models.compliance.fmt import format_date, format_number
from models.domain.types import (
    CONTRACT_KINDS,
    ActionKind,
    ContractInfo,
    Correspondence,
    Deadline,
    DocumentAnalysis,
    Finding,
    Incident,
    ParsedDocument,
    Penalty,
    SupplierInfo,
)
from nlp.correspondence import read_correspondence
from nlp.incidents import IncidentFacts, read_incident
from nlp.linking import (
    SimilarityIndex,
    find_dates,
    find_known_refs,
    find_sirets,
    fold,
    order_key,
    ref_key,
    tfidf_similarities,
    word_similarities,
    words_to_int,
)

MONITORING_VERSION = "vigie.monitoring.v1"

RefSource = Literal["journal", "corrige", "deduit", "inconnu"]  # Finding.contract_ref_source

# The buyer's written acts that answer a breach (SPEC §2 « acted_on »); a relance does not.
ACTING_KINDS: frozenset[str] = frozenset({
    "mise_en_demeure", "invitation_observations", "notification_penalites", "pv_constat",
    "decision_resiliation",
})
ANSWER_KINDS: frozenset[str] = frozenset({"reclamation", "contestation", "courrier_titulaire"})

_ATTACHMENT_OPTIONS = ParseOptions(ocr=False)

# Minimum link score for a letter to be taken as written about an incident.
LETTER_LINK_THRESHOLD = 0.6
# Below this (text similarity plus trigger bonus), no penalty clause is taken as engaged.
MIN_CLAUSE_SCORE = 0.1


@dataclass(frozen=True)
class AnalysedDocument:
    path: str  # portfolio-relative
    contract_ref: str | None  # known from the folder (contracts/REF/...), else None
    parsed: ParsedDocument
    analysis: DocumentAnalysis


# ------------------------------------------------------------------ internal records

@dataclass
class _Contract:
    info: ContractInfo
    names: list[str]
    sirets: set[str]
    penalties: list[tuple[Penalty, str]] = field(default_factory=list)  # (clause, document path)
    deadlines: list[Deadline] = field(default_factory=list)
    derogations: list[tuple[str, str | None]] = field(default_factory=list)
    applies_ccag: bool = False
    ccap_path: str | None = None
    profile: list[str] = field(default_factory=list)  # texts describing the contract


@dataclass(frozen=True)
class _Letter:
    path: str
    kind: str
    corr: Correspondence
    text: str
    contract_ref: str | None


@dataclass(frozen=True)
class _ContractLink:
    ref: str | None
    source: RefSource
    confidence: float
    reason: str | None = None


@dataclass
class _Linked:
    incident: Incident
    facts: IncidentFacts
    link: _ContractLink
    penalty: Penalty | None = None
    clause_path: str | None = None
    clause_score: float = 0.0
    actions: list[tuple[_Letter, float]] = field(default_factory=list)
    answers: list[_Letter] = field(default_factory=list)
    extensions: list[_Letter] = field(default_factory=list)
    reviews: list[str] = field(default_factory=list)


# ------------------------------------------------------------------ contracts and letters

def _build_contracts(contracts: Sequence[ContractInfo], suppliers: Sequence[SupplierInfo],
                     documents: Sequence[AnalysedDocument]) -> dict[str, _Contract]:
    by_siret = {s.siret: s for s in suppliers if s.siret}
    out: dict[str, _Contract] = {}
    for info in contracts:
        supplier = by_siret.get(info.supplier_siret or "")
        names = [supplier.name, *supplier.aliases] if supplier else []
        out[info.ref] = _Contract(info=info, names=names,
                                  sirets={info.supplier_siret} if info.supplier_siret else set(),
                                  profile=[info.title, *names])
    for doc in documents:
        ref = _known_ref(doc.contract_ref, out)
        if ref is None or doc.analysis.kind not in CONTRACT_KINDS:
            continue
        record = out[ref]
        for penalty in doc.analysis.penalties:
            record.penalties.append((penalty, doc.path))
        record.deadlines.extend(doc.analysis.deadlines)
        record.derogations.extend(doc.analysis.derogations)
        record.applies_ccag = record.applies_ccag or doc.analysis.applies_ccag_penalties
        if doc.analysis.kind == "ccap" and record.ccap_path is None:
            record.ccap_path = doc.path
        record.profile.extend(p.quote for p in doc.analysis.penalties)
    return out


def _known_ref(ref: str | None, contracts: dict[str, _Contract]) -> str | None:
    """The portfolio's reference written in `ref`: same characters (separators free), or
    written inside it (« Marché 2023/045 lot 1 »)."""
    if not ref:
        return None
    key = ref_key(ref)
    for known in contracts:
        if ref_key(known) == key:
            return known
    inside = find_known_refs(ref, list(contracts))
    return inside[0] if len(inside) == 1 else None


def _letter_contract(doc: AnalysedDocument, corr: Correspondence, contracts: dict[str, _Contract]) -> str | None:
    direct = _known_ref(doc.contract_ref, contracts)
    if direct:
        return direct
    head = f"{corr.subject or ''}\n{doc.parsed.text[:4000]}"
    refs = find_known_refs(head, list(contracts))
    if len(refs) == 1:
        return refs[0]
    for ref in corr.contract_refs:
        known = _known_ref(ref, contracts)
        if known:
            return known
    sirets = set(corr.sirets) | set(find_sirets(doc.parsed.text))
    by_siret = [ref for ref, c in contracts.items() if c.sirets & sirets]
    if len(by_siret) == 1:
        return by_siret[0]
    named = [ref for ref, c in contracts.items() if _mentions_any(head, c.names)]
    return named[0] if len(named) == 1 else None


def _mentions_any(text: str, names: Sequence[str]) -> bool:
    folded = fold(text)
    return any(len(n) >= 3 and re.search(r"(?<![a-z0-9])" + re.escape(fold(n)) + r"(?![a-z0-9])", folded)
               for n in names)


_KIND_WORDS = (
    ("mise_en_demeure", r"mise en demeure|met(?:s)? en demeure"),
    ("decision_resiliation", r"decision de resiliation|resiliation pour faute|est resilie"),
    ("notification_penalites", r"notification (?:de|des) penalites|decompte (?:des penalites|de resiliation)|"
                               r"application de penalites|notifie l'application"),
    ("invitation_observations", r"presenter (?:vos|ses) observations|penalites envisagees"),
    ("pv_constat", r"proces-verbal de constat|pv de constat|constat contradictoire"),
    ("relance", r"\brelance\b"),
)


def _letter_kind(doc: AnalysedDocument, corr: Correspondence) -> str:
    """C's kind; a letter C could not place (« autre ») is read from its subject and title."""
    kind = doc.analysis.kind
    if kind != "autre":
        return kind
    head = fold(f"{corr.subject or ''}\n{doc.parsed.text[:300]}")
    for candidate, pattern in _KIND_WORDS:
        if re.search(pattern, head):
            return candidate
    return kind


def _with_attachments(parsed: ParsedDocument) -> ParsedDocument:
    """An e-mail whose act is in an attached PDF (« veuillez trouver ci-joint la décision »)
    is read together with its attachments: the e-mail is the act's proof of sending."""
    if not parsed.attachments:
        return parsed
    texts = [parsed.text]
    for attachment in parsed.attachments:
        child = parse_bytes(attachment.data, filename=attachment.filename, options=_ATTACHMENT_OPTIONS)
        if child.text:
            texts.append(child.text)
    return dataclasses.replace(parsed, text="\n\n".join(texts))


def _merge_children(documents: Sequence[AnalysedDocument]) -> list[AnalysedDocument]:
    """Attachments stored as their own documents (« mail.eml#decision.pdf ») are read as part
    of the e-mail that carried them: the e-mail's date and path are the act's proof of sending.
    A carried act (a decision) gives its kind to a carrier that is only a cover note."""
    by_path = {d.path: d for d in documents}
    children: dict[str, list[AnalysedDocument]] = defaultdict(list)
    for doc in documents:
        parent = doc.path.split("#", 1)[0]
        if "#" in doc.path and parent in by_path:
            children[parent].append(doc)
    merged = []
    for doc in documents:
        if "#" in doc.path and doc.path.split("#", 1)[0] in by_path:
            continue
        kids = children.get(doc.path, [])
        if kids and not doc.parsed.attachments:
            text = "\n\n".join([doc.parsed.text, *(k.parsed.text for k in kids)])
            analysis = doc.analysis
            acting = [k.analysis.kind for k in kids if k.analysis.kind in ACTING_KINDS]
            if analysis.kind not in ACTING_KINDS and acting:
                analysis = dataclasses.replace(analysis, kind=acting[0], correspondence=None)
            doc = dataclasses.replace(doc, parsed=dataclasses.replace(doc.parsed, text=text),
                                      analysis=dataclasses.replace(analysis, correspondence=None))
        merged.append(doc)
    return merged


def _build_letters(documents: Sequence[AnalysedDocument], contracts: dict[str, _Contract]) -> list[_Letter]:
    letters = []
    for doc in _merge_children(documents):
        if doc.analysis.kind in CONTRACT_KINDS:
            continue
        parsed = _with_attachments(doc.parsed)
        corr = doc.analysis.correspondence
        if corr is None or parsed is not doc.parsed:
            corr = read_correspondence(parsed, doc.analysis.kind)
        doc = dataclasses.replace(doc, parsed=parsed)
        kind = _letter_kind(doc, corr)
        ref = _letter_contract(doc, corr, contracts)
        letters.append(_Letter(doc.path, kind, corr, parsed.text, ref))
        if ref and corr.subject:
            contracts[ref].profile.append(corr.subject)
    letters.sort(key=lambda letter: (letter.corr.date or dt.date.max, letter.path))
    return letters


# ------------------------------------------------------------------ incident → contract

def _service_shares(incidents: Sequence[Incident], contracts: dict[str, _Contract]) -> dict[str, Counter[str]]:
    shares: dict[str, Counter[str]] = defaultdict(Counter)
    for inc in incidents:
        ref = _known_ref(inc.contract_ref, contracts)
        if ref:
            shares[fold(inc.service)][ref] += 1
    return shares


def _contract_scores(inc: Incident, facts: IncidentFacts, contracts: dict[str, _Contract],
                     letters: Sequence[_Letter], shares: dict[str, Counter[str]],
                     profiles: SimilarityIndex | None = None) -> dict[str, tuple[float, list[str]]]:
    refs = list(contracts)
    sims = (profiles.similarities(inc.description) if profiles is not None
            else tfidf_similarities(inc.description, [" ".join(contracts[r].profile) for r in refs]))
    service = Counter(shares.get(fold(inc.service), Counter()))
    own_logged = _known_ref(inc.contract_ref, contracts)
    if own_logged and service[own_logged] > 0:
        service[own_logged] -= 1  # leave the incident's own (possibly wrong) reference out
    service_total = sum(service.values())
    order_keys = {order_key(o) for o in facts.order_refs}
    scores: dict[str, tuple[float, list[str]]] = {}
    for ref, sim in zip(refs, sims):
        record = contracts[ref]
        why: list[str] = []
        score = 0.6 * sim
        if _mentions_any(inc.description, record.names):
            score += 0.8
            why.append("titulaire nommé dans la description")
        if record.sirets & set(find_sirets(inc.description)):
            score += 0.8
            why.append("SIRET du titulaire")
        if find_known_refs(inc.description, [ref]):
            score += 0.8
            why.append("référence citée dans la description")
        if order_keys and any(order_keys & {order_key(o) for o in lt.corr.order_refs}
                              for lt in letters if lt.contract_ref == ref):
            score += 0.5
            why.append("bon de commande ou ticket retrouvé dans la correspondance du marché")
        if service_total:
            score += 0.3 * service[ref] / service_total
        scores[ref] = (score, why)
    return scores


def _title_words(text: str) -> set[str]:
    """Distinctive words (5+ letters, accents folded) of a contract title or a description."""
    return {w for w in re.findall(r"[a-z]{5,}", fold(text)) if w not in _GENERIC_TITLE_WORDS}


_GENERIC_TITLE_WORDS = frozenset(
    "marche accord cadre fourniture fournitures livraison prestation prestations travaux service services "
    "entretien maintenance realisation mission etude relative relatif aupres toute toutes".split())


def _link_contract(inc: Incident, facts: IncidentFacts, contracts: dict[str, _Contract],
                   letters: Sequence[_Letter], shares: dict[str, Counter[str]],
                   profiles: SimilarityIndex | None = None) -> _ContractLink:
    if not contracts:
        return _ContractLink(inc.contract_ref, "journal" if inc.contract_ref else "inconnu", 0.3,
                             "aucun marché connu dans le portefeuille")
    scores = _contract_scores(inc, facts, contracts, letters, shares, profiles)
    ranked = sorted(scores.items(), key=lambda kv: kv[1][0], reverse=True)
    best_ref, (best, best_why) = ranked[0]
    runner = ranked[1][1][0] if len(ranked) > 1 else 0.0
    logged = _known_ref(inc.contract_ref, contracts)
    if logged:
        own, own_why = scores[logged]
        # the log wins unless the description names another contract's titulaire / reference
        # and says nothing of the logged one's
        strong_other = best_ref != logged and best_why and not own_why and best - own >= 0.6
        if strong_other:
            return _ContractLink(best_ref, "corrige", min(0.95, 0.5 + (best - own) / 2),
                                 f"référence du journal {inc.contract_ref} corrigée en {best_ref} "
                                 f"({', '.join(best_why)})")
        # or it speaks of another contract's object in that contract's own words, and of
        # nothing in the logged one's title
        words = _title_words(inc.description)
        if not own_why and not words & _title_words(contracts[logged].info.title):
            by_title = sorted(((len(words & _title_words(c.info.title)), ref) for ref, c in contracts.items()
                               if ref != logged), reverse=True)
            if by_title and by_title[0][0] >= 2 and (len(by_title) == 1 or by_title[1][0] < by_title[0][0]):
                other = by_title[0][1]
                theirs = words & _title_words(contracts[other].info.title)
                return _ContractLink(other, "corrige", 0.6,
                                     f"référence du journal {inc.contract_ref} corrigée en {other} : la "
                                     f"description parle de l'objet de ce marché ({', '.join(sorted(theirs))})")
        return _ContractLink(logged, "journal", 0.95 if own_why or own >= best else 0.8)
    margin = best - runner
    if best < 0.35 or margin < 0.15:
        reason = ("marché non identifié : aucune référence, aucun titulaire reconnu dans la description"
                  if best < 0.35 else f"marché incertain entre {best_ref} et {ranked[1][0]}")
        if best >= 0.35:
            return _ContractLink(best_ref, "corrige" if inc.contract_ref else "deduit", 0.4, reason)
        return _ContractLink(None, "inconnu", 0.0, reason)
    confidence = round(min(0.95, 0.5 + margin / 2), 2)
    why = ", ".join(best_why) or "mots de la description proches de ce marché"
    if inc.contract_ref:
        return _ContractLink(best_ref, "corrige", confidence,
                             f"référence du journal « {inc.contract_ref} » inconnue, corrigée en {best_ref} ({why})")
    return _ContractLink(best_ref, "deduit", confidence, f"marché déduit : {why}")


# ------------------------------------------------------------------ incident → clause

_COMPATIBLE = {
    "retard": {"document", "non_conformite"},
    "document": {"retard"},
    "non_conformite": {"retard"},
    "indisponibilite": {"retard"},
}


def _link_clause(linked: _Linked, record: _Contract, regime: PenaltyRegime) -> None:
    candidates: list[tuple[Penalty, str | None]] = [(p, path) for p, path in record.penalties]
    seen: set[tuple[str | None, str]] = set()
    unique: list[tuple[Penalty, str | None]] = []
    for p, path in candidates:
        key = (normalise_article(p.article), fold(p.quote))
        if key not in seen:
            seen.add(key)
            unique.append((p, path))
    no_delay_clause = not any(p.trigger == "retard" for p, _ in unique)
    if linked.facts.failing_type == "retard" and (record.applies_ccag or no_delay_clause):
        # the CCAP applies the CCAG penalties, or has no delay clause of its own
        fallback = effective_regime(record.info, [p for p, _ in record.penalties], record.derogations, True)
        if fallback.default_delay is not None:
            unique.append((fallback.default_delay, None))
        elif no_delay_clause:
            linked.reviews.extend(fallback.notes)
    if not unique:
        linked.reviews.append("aucune clause de pénalité lue pour ce marché")
        return
    facts = linked.facts
    quotes = [p.quote for p, _ in unique]
    sims = [(a + b) / 2 for a, b in zip(tfidf_similarities(linked.incident.description, quotes),
                                        word_similarities(linked.incident.description, quotes))]
    cited = {a.split(" ")[-1] for a in facts.articles_cited}
    best: tuple[float, Penalty, str | None] | None = None
    for (penalty, path), sim in zip(unique, sims):
        score = sim
        if penalty.trigger == facts.failing_type:
            score += 0.15
        elif penalty.trigger in _COMPATIBLE.get(facts.failing_type, set()):
            score += 0.05
        if penalty.unit == "heure" and facts.outage_hours is not None:
            score += 0.1
        if penalty.article and normalise_article(penalty.article) in cited:
            score += 0.3
        if best is None or score > best[0]:
            best = (score, penalty, path)
    assert best is not None
    score, penalty, path = best
    if score < MIN_CLAUSE_SCORE:
        # nothing in the contract reads like this incident: no amount rather than a guessed one
        linked.reviews.append("aucune clause de pénalité du marché ne correspond à cet incident")
        return
    # the CCAG default has no document in the portfolio: no path, its CCAG article only
    linked.penalty, linked.clause_path, linked.clause_score = penalty, path, score
    if score < 0.2:
        linked.reviews.append(f"clause de pénalité rattachée avec une faible certitude (art. {penalty.article})")


# ------------------------------------------------------------------ incident → letters

_TYPE_WORDS = {
    "retard": ("retard", "delai", "livraison", "achevement"),
    "indisponibilite": ("indisponib", "panne", "retablissement", "interruption"),
    "absence": ("absence", "reunion", "comite"),
    "non_conformite": ("non-conform", "non conform", "rejet", "montage", "constat", "remplacement"),
    "document": ("rapport", "bilan", "dossier", "doe", "document"),
    "securite": ("securite", "protection", "violation", "donnees", "garde-corps"),
    "social": ("travail dissimule", "social"),
}

_WEATHER_WORDS = re.compile(r"intemperie|neige|orage|pluie|gel\b|vent|canicule|tempete")

_ACT_MENTION = re.compile(
    r"(mise en demeure|pv de constat|proces-verbal de constat|penalites notifiees|invitation a presenter)"
    r"[^.;]{0,40}?(?:(le jour meme)|le (\d{1,2}/\d{1,2}/\d{4}))")


# The log says the buyer acted in writing (« mise en demeure adressée le jour même », « PV de
# constat », « pénalités notifiées le … »); a relance is not such an act.
_LOGGED_ACT = re.compile(
    r"(?<!sans )(?<!pas de )(?<!aucune )(?<!aucun )\b(mise en demeure (?:adressee|envoyee|notifiee|faite|transmise|"
    r"(?:du|le) \d)|"
    r"(?:pv|proces-verbal) de constat|penalites (?:notifiees|appliquees)|decision de resiliation|"
    r"invitation a presenter (?:ses|des) observations)")


def _logged_act(description: str) -> str | None:
    m = _LOGGED_ACT.search(fold(description))
    return m.group(1) if m else None


def _incident_days(facts: IncidentFacts, inc: Incident) -> set[dt.date]:
    days = {f.day for f in facts.dates}
    for day in (inc.occurred_on, facts.outage_start.date() if facts.outage_start else None):
        if day:
            days.add(day)
    return days


def _letter_score(linked: _Linked, letter: _Letter, record: _Contract,
                  matched_dates: dict[dt.date, str], sim: float | None = None) -> float:
    inc, facts, corr = linked.incident, linked.facts, letter.corr
    score = 0.0
    inc_orders = {order_key(o) for o in facts.order_refs}
    letter_orders = {order_key(o) for o in corr.order_refs}
    if inc_orders and letter_orders:
        score += 0.5 if inc_orders & letter_orders else -0.5
    if linked.penalty is not None and linked.penalty.article:
        article = normalise_article(linked.penalty.article)
        cited = {normalise_article(a.split(" ")[-1]) for a in corr.articles_cited
                 if not a.startswith(("CCAG", "CCTP", "AE", "R"))}
        penalty_articles = {normalise_article(p.article) for p, _ in record.penalties if p.article}
        sharing = sum(1 for p, _ in record.penalties if normalise_article(p.article) == article) or 1
        if article in cited:
            score += 0.4 / sharing
        elif cited & penalty_articles:
            score -= 0.3
    same_days = bool(_incident_days(facts, inc) & set(corr.failing_dates))
    if same_days:
        score += 0.3
    elif corr.failing_dates and not (inc_orders & letter_orders):
        score -= 0.2  # the letter describes failings on other days
    if (not same_days and not (inc_orders & letter_orders) and corr.date and inc.occurred_on
            and (corr.date - inc.occurred_on).days > 120):
        score -= 0.2  # a letter written months later, naming neither the order nor the days
    head = fold(corr.subject or letter.text[:300])
    if any(w in head for w in _TYPE_WORDS.get(facts.failing_type, ())):
        score += 0.2
    if corr.granted_extension_days and facts.due_on and facts.due_on in {d for d, _s, _e in find_dates(letter.text)}:
        score += 0.3  # the prolongation moves the very deadline the incident says was missed
    if corr.granted_extension_days and any(h.code == "intemperies" for h in facts.not_breach_hints) \
            and _WEATHER_WORDS.search(fold(letter.text)):
        score += 0.3
    if facts.order_value_eur and facts.order_value_eur in corr.amounts_eur:
        score += 0.2
    # the log itself says an act was sent on a day (« mise en demeure adressée le jour même »)
    for m in _ACT_MENTION.finditer(fold(inc.description)):
        said = inc.occurred_on if m.group(2) else _parse_numeric(m.group(3))
        if said and corr.date == said:
            score += 0.4
    # a letter answering or following up another letter already tied to this incident
    text = fold(letter.text)
    for day, path in matched_dates.items():
        if path != letter.path and day != corr.date and (day.strftime("%d/%m/%Y") in text
                                                         or _long_date(day) in text):
            score += 0.4
            break
    if sim is None:
        sim = tfidf_similarities(inc.description, [_letter_body(letter)])[0]
    return score + 0.5 * sim


def _letter_body(letter: _Letter) -> str:
    return f"{letter.corr.subject or ''} {letter.text[:3000]}"


def _parse_numeric(raw: str) -> dt.date | None:
    try:
        d, m, y = (int(x) for x in raw.split("/"))
        return dt.date(y, m, d)
    except ValueError:
        return None


_MONTHS_FR = ("janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout", "septembre",
              "octobre", "novembre", "decembre")


def _long_date(day: dt.date) -> str:
    return f"{day.day if day.day > 1 else '1er'} {_MONTHS_FR[day.month - 1]} {day.year}"


def _link_letters(linked: _Linked, letters: Sequence[_Letter], record: _Contract, as_of: dt.date,
                  index: SimilarityIndex | None = None) -> None:
    inc = linked.incident
    start = inc.occurred_on or inc.reported_on
    matched_dates: dict[dt.date, str] = {}
    sims = index.similarities(inc.description) if index is not None else None
    for position, letter in enumerate(letters):
        if letter.contract_ref != record.info.ref:
            continue
        day = letter.corr.date
        grants = bool(letter.corr.granted_extension_days) and letter.corr.direction != "entrant"
        if day is not None and day > as_of:
            continue
        # a letter written before the failing cannot answer it; a prolongation can precede it
        before = day is not None and start is not None and day < start
        if before and not grants:
            continue
        score = _letter_score(linked, letter, record, matched_dates, sims[position] if sims else None)
        if score < LETTER_LINK_THRESHOLD:
            continue
        if letter.corr.date and not before and letter.kind in ACTING_KINDS | ANSWER_KINDS:
            # later letters that cite this one (« vos observations du 26 septembre ») follow it up
            matched_dates[letter.corr.date] = letter.path
        if before:
            pass  # only the prolongation it grants matters
        elif letter.kind in ACTING_KINDS:
            linked.actions.append((letter, score))
        elif letter.kind in ANSWER_KINDS:
            linked.answers.append(letter)
        if grants:
            linked.extensions.append(letter)


# ------------------------------------------------------------------ dates the clause counts from

_ANCHORS: tuple[tuple[str, str], ...] = (
    (r"rejet|refus|ajourn", "rejected_on"),
    (r"mise en demeure", "mise_en_demeure"),
    (r"reception|achevement", "reception_on"),
    (r"signalement|demande d'intervention|appel|declaration de l'incident|ticket", "reported_on"),
    (r"\bdemande\b|\bappel\b|sollicitation", "requested_on"),
    (r"bon de commande|commande", "order_on"),
    (r"ordre de service", "order_on"),
    (r"notification (?:du marche|de l'accord|du contrat)|notification$", "contract_notified"),
)


def _formal_notice_day(linked: _Linked) -> dt.date | None:
    """The mise en demeure served about this incident: a linked letter, else the log's word
    (« mise en demeure adressée le jour même / le 17/06/2025 »)."""
    dates = [lt.corr.date for lt, _ in linked.actions if lt.kind == "mise_en_demeure" and lt.corr.date]
    if dates:
        return min(dates)
    for m in _ACT_MENTION.finditer(fold(linked.incident.description)):
        if m.group(1) == "mise en demeure":
            return linked.incident.occurred_on if m.group(2) else _parse_numeric(m.group(3))
    return None


def _anchor_day(anchor_text: str, linked: _Linked, contract: ContractInfo) -> tuple[dt.date | None, str]:
    facts, inc = linked.facts, linked.incident
    folded = fold(anchor_text)
    for pattern, what in _ANCHORS:
        if not re.search(pattern, folded):
            continue
        if what == "mise_en_demeure":
            day = _formal_notice_day(linked)
            return day, ("mise en demeure du" if day else "")
        if what == "contract_notified":
            return contract.notified_on, "notification du marché le"
        if what == "reported_on":
            day = facts.reported_on or (facts.outage_start.date() if facts.outage_start else None) or inc.occurred_on
            return day, "signalement le"
        value = getattr(facts, what)
        if value:
            label = {"rejected_on": "rejet le", "reception_on": "réception le", "order_on": "commande notifiée le",
                     "requested_on": "demande du"}
            return value, label.get(what, "")
    return _named_event_day(anchor_text, linked)


def _named_event_day(anchor_text: str, linked: _Linked) -> tuple[dt.date | None, str]:
    """The event a time limit runs from, when the log names it with its date: anchor
    « suivant la réunion » and log « compte rendu de la réunion du 10/09/2025 »."""
    description = linked.incident.description
    folded = fold(description)
    for noun in re.findall(r"[a-z]{5,}", fold(anchor_text)):
        if noun in _ANCHOR_FILLERS:
            continue
        for m in re.finditer(r"\b" + re.escape(noun[:6]) + r"[a-z]*\b", folded):
            following = [d for d, start, _e in find_dates(description[m.end(): m.end() + 40]) if start <= 12]
            if following:
                return following[0], f"{description[m.start():m.end()]} du"
    return None, ""


_ANCHOR_FILLERS = frozenset("compter suivant partir apres avant celle celui chaque cette fin date jour".split())


def _referenced_deadlines(penalty: Penalty, record: _Contract) -> list[Deadline]:
    """Deadlines of the article a clause points to (« dans le délai fixé à l'article 6.2 »)."""
    out = []
    for number in re.findall(r"article\s+(\d+(?:\.\d+)*)", fold(penalty.quote)):
        for deadline in record.deadlines:
            article = normalise_article(deadline.article) or ""
            if article == number or article.startswith(number + "."):
                out.append(deadline)
    return out


def _similar_deadline(linked: _Linked, record: _Contract) -> Deadline | None:
    pool = [d for d in record.deadlines if d.party != "acheteur" and d.unit in ("heure", "jour", "semaine", "mois")]
    if not pool:
        return None
    query = f"{linked.incident.description} {linked.penalty.quote if linked.penalty else ''}"
    texts = [f"{d.quote} {d.anchor or ''}" for d in pool]
    sims = [(a + b) / 2 for a, b in zip(tfidf_similarities(query, texts), word_similarities(query, texts))]
    ranked = sorted(zip(sims, range(len(pool))), reverse=True)
    for sim, index in ranked[:3]:
        deadline = pool[index]
        if sim >= 0.15 and _anchor_day(deadline.anchor or deadline.quote, linked, record.info)[0]:
            linked.reviews.append(f"délai rattaché par proximité de texte (art. {deadline.article}) : à vérifier")
            return deadline
    return None


_UNIT_FR = {"heure": "h", "jour": "jours", "semaine": "semaines", "mois": "mois", "an": "ans"}


def _same_sentence(deadline: Deadline, penalty: Penalty) -> bool:
    if normalise_article(deadline.article) != normalise_article(penalty.article):
        return False
    a, b = set(fold(deadline.quote).split()), set(fold(penalty.quote).split())
    return bool(a and b) and len(a & b) / len(a | b) >= 0.6


def _closest_deadline(penalty: Penalty, deadlines: Sequence[Deadline]) -> Deadline:
    """The deadline a clause means among those of the article it cites: the one whose verb
    matches the clause's « délai de <nom> » (rétablissement ↔ rétablit), else the most similar."""
    if len(deadlines) == 1:
        return deadlines[0]
    named = re.search(r"delai\s+(?:de\s+|d')([a-z]{5,})", fold(penalty.quote))
    if named:
        stem = named.group(1)[:6]
        hits = [d for d in deadlines if re.search(r"\b" + stem, fold(d.quote))]
        if len(hits) == 1:
            return hits[0]
    sims = tfidf_similarities(penalty.quote, [d.quote for d in deadlines])
    return deadlines[max(range(len(deadlines)), key=lambda i: sims[i])]


def _due_and_penalty(linked: _Linked, record: _Contract) -> tuple[dt.date | None, Penalty, str]:
    """Last day of the time limit, the clause to compute with, and how the day was found."""
    facts, penalty = linked.facts, linked.penalty
    assert penalty is not None
    referenced = _referenced_deadlines(penalty, record)
    if not penalty.started_unit_counts and re.search(
            r"(heure|journee|jour|semaine|mois)s? (commencee|entamee)", fold(penalty.quote)):
        # safety net: the clause says a started unit counts in full even if the flag was missed
        penalty = dataclasses.replace(penalty, started_unit_counts=True)
    if penalty.unit == "heure":
        if not penalty.grace_duration:
            # « dépassement du délai de rétablissement fixé à l'article 4.2.1 »: the free
            # time is the hour limit of that article that reads most like the clause
            hours = [d for d in referenced if d.unit == "heure"] or [
                d for d in record.deadlines if d.unit == "heure" and _same_sentence(d, penalty)]
            if hours:
                chosen = _closest_deadline(penalty, hours)
                penalty = dataclasses.replace(penalty, grace_duration=chosen.duration, grace_unit="heure")
        return None, penalty, ""
    if penalty.unit == "occurrence" or penalty.basis in ("fixed", "percent"):
        return None, penalty, ""
    if facts.postponed_to and any(h.code == "demande_acheteur" for h in facts.not_breach_hints):
        return facts.postponed_to, penalty, f"date reportée à la demande de l'acheteur : {format_date(facts.postponed_to)}"
    if facts.due_on:
        return facts.due_on, penalty, f"échéance du {format_date(facts.due_on)} (journal)"
    # the clause's own time (« non corrigé dans un délai de 48 heures suivant la mise en demeure »),
    # read by the penalty extractor or by the deadline extractor on the same sentence
    grace_anchor = ""
    if not penalty.grace_duration:
        own = [d for d in record.deadlines if _same_sentence(d, penalty)]
        if own:
            penalty = dataclasses.replace(penalty, grace_duration=own[0].duration, grace_unit=own[0].unit)
            grace_anchor = own[0].anchor or ""
    if penalty.grace_duration and penalty.grace_unit:
        day, label = _anchor_day(grace_anchor, linked, record.info) if grace_anchor else (None, "")
        if day is None:
            day, label = _anchor_day(penalty.quote, linked, record.info)
        if day:
            due = add_duration(day, penalty.grace_duration, penalty.grace_unit)
            cleared = dataclasses.replace(penalty, grace_duration=None, grace_unit=None)
            return due, cleared, (f"{label} {format_date(day)} + {format_number(penalty.grace_duration)} "
                                  f"{_UNIT_FR[penalty.grace_unit]} = {format_date(due)}")
    timed = [d for d in referenced if d.unit != "heure" or penalty.unit == "heure"]
    deadline = _closest_deadline(penalty, timed) if timed else _similar_deadline(linked, record)
    if deadline is not None:
        day, label = _anchor_day(deadline.anchor, linked, record.info) if deadline.anchor else (None, "")
        if day is None:
            day, label = _anchor_day(deadline.quote, linked, record.info)
        if day:
            due = add_duration(day, deadline.duration, deadline.unit, deadline.day_type)
            kind = {"ouvre": " ouvrés", "ouvrable": " ouvrables"}.get(deadline.day_type or "", "")
            return due, penalty, (f"{label} {format_date(day)} + {format_number(deadline.duration)} "
                                  f"{_UNIT_FR[deadline.unit]}{kind} "
                                  f"(art. {deadline.article}) = {format_date(due)}")
    # last resort: the log states the delay itself (« retard de 12 jours »)
    performed = facts.performed_on or linked.incident.resolved_on
    if facts.stated_delay_days and performed and penalty.unit in (None, "jour"):
        due = performed - dt.timedelta(days=facts.stated_delay_days)
        linked.reviews.append("échéance reconstituée à partir du retard indiqué dans le journal")
        return due, penalty, f"retard de {facts.stated_delay_days} jours indiqué au journal (exécution le {format_date(performed)})"
    return None, penalty, ""


# ------------------------------------------------------------------ breach decision

def _extension_days(linked: _Linked) -> tuple[int, str]:
    """Days granted for this incident's deadline: orders of service and amendments add up
    (each grants its own days); other letters only recall a prolongation, so count once."""
    formal = {lt.path: lt for lt in linked.extensions if lt.kind in ("ordre_de_service", "avenant")}
    if formal:
        days = sum(lt.corr.granted_extension_days or 0 for lt in formal.values())
        return days, ", ".join(sorted(formal))
    if linked.extensions:
        best = max(linked.extensions, key=lambda lt: lt.corr.granted_extension_days or 0)
        return best.corr.granted_extension_days or 0, best.path
    return 0, ""


def _occurrences(penalty: Penalty, description: str, default: int) -> int:
    """How many times a per-occurrence clause applies: the count the log gives for the
    clause's own unit (« 40 € par repas non conforme » and « 12 repas non conformes »)."""
    if penalty.unit != "occurrence":
        return default
    nouns = [n for n in re.findall(r"\bpar ([a-z]{4,})", fold(penalty.quote))
             if n not in ("jour", "heure", "semaine", "mois", "application", "exemple", "derogation", "ailleurs")]
    folded = fold(description)
    for noun in nouns:
        m = re.search(r"\b(\d{1,4}|[a-z]+(?:-[a-z]+)?)\s+(?:[a-z]+\s+)?" + re.escape(noun[:5]), folded)
        if m:
            value = words_to_int(m.group(1))
            if value and 1 <= value <= 1000:
                return value
    return default


def _not_breach_reason(linked: _Linked, penalty: Penalty | None) -> str | None:
    facts = linked.facts
    for hint in facts.not_breach_hints:
        if hint.code == "demande_acheteur" and facts.postponed_to and facts.performed_on \
                and facts.performed_on > facts.postponed_to:
            continue  # postponed at the buyer's request, but late even on the new date
        if hint.code in ("demande_acheteur", "defaillance_acheteur"):
            return hint.reason
        if hint.code == "intemperies":
            days, source = _extension_days(linked)
            if days:
                return f"Arrêt pour intempéries couvert par la prolongation de {days} jours accordée ({source})."
            if facts.failing_type in ("autre", "retard") and facts.due_on is None:
                return hint.reason
    if penalty is not None and penalty.unit == "heure" and facts.outage_hours is not None and penalty.grace_duration:
        grace = penalty.grace_duration * (24 if penalty.grace_unit == "jour" else 1)
        if facts.outage_hours <= grace + 1e-9:
            return (f"Durée de l'incident ({format_number(facts.outage_hours)} h) dans le délai de "
                    f"rétablissement de {format_number(grace)} h : pas de manquement.")
    return None


def _action_kind(letter: _Letter) -> ActionKind:
    return letter.kind  # type: ignore[return-value]  # ACTING_KINDS ⊂ ActionKind


# ------------------------------------------------------------------ public API

def evaluate_portfolio(
    *,
    contracts: list[ContractInfo],
    suppliers: list[SupplierInfo],
    documents: list[AnalysedDocument],
    incidents: list[Incident],
    as_of: dt.date,
) -> list[Finding]:
    """One finding per incident, in the log's order."""
    records = _build_contracts(contracts, suppliers, documents)
    letters = _build_letters(documents, records)
    shares = _service_shares(incidents, records)
    supplier_names = [n for s in suppliers for n in (s.name, *s.aliases)]
    buyer_names = sorted({c.buyer_name for c in contracts if c.buyer_name})
    # the regime that limits amounts; the CCAG default delay penalty is fetched per incident
    # (_link_clause) so that its caveats only reach findings that use it
    regimes = {ref: effective_regime(r.info, [p for p, _ in r.penalties], r.derogations, False)
               for ref, r in records.items()}

    index = SimilarityIndex([_letter_body(lt) for lt in letters], [i.description for i in incidents])
    profiles = SimilarityIndex([" ".join(r.profile) for r in records.values()], [i.description for i in incidents])
    linked_all: list[_Linked] = []
    for inc in incidents:
        facts = read_incident(inc, supplier_names=supplier_names, buyer_names=buyer_names)
        link = _link_contract(inc, facts, records, letters, shares, profiles)
        linked = _Linked(inc, facts, link)
        if link.reason and link.source != "deduit":
            linked.reviews.append(link.reason)
        if link.ref is not None and link.ref in records:
            record = records[link.ref]
            _link_clause(linked, record, regimes[record.info.ref])
            _link_letters(linked, letters, record, as_of, index)
        linked_all.append(linked)
    return _compute_findings(linked_all, records, regimes, as_of)


@dataclass
class _Draft:
    """One finding being assembled: the linking's part here, the engine's part from E."""

    linked: _Linked
    breach: bool = True
    computation: str = ""  # the linking's own text (due date found, why no breach)
    rule: str = ""
    penalty: Penalty | None = None
    comp: PenaltyComputation | None = None
    limited: LimitedAmount | None = None


def _compute_findings(linked_all: list[_Linked], records: dict[str, _Contract],
                      regimes: dict[str, PenaltyRegime], as_of: dt.date) -> list[Finding]:
    drafts: list[_Draft] = []
    per_contract: dict[str, list[tuple[_Draft, ContractPenaltyItem]]] = defaultdict(list)
    for linked in linked_all:
        inc, facts = linked.incident, linked.facts
        record = records.get(linked.link.ref or "")
        draft = _Draft(linked)
        drafts.append(draft)
        if not linked.actions:
            logged_act = _logged_act(inc.description)
            if logged_act:
                linked.reviews.append(f"acte de l'acheteur mentionné au journal (« {logged_act} ») mais absent "
                                      "du dossier : joindre le document")
        due, penalty, due_text = (_due_and_penalty(linked, record) if record is not None and linked.penalty
                                  else (None, None, ""))
        reason = _not_breach_reason(linked, penalty)
        if reason:
            # caveats about the clause do not concern an incident that is no breach
            linked.reviews[:] = [r for r in linked.reviews
                                 if not r.startswith(("clause de pénalité", "aucune clause de pénalité", "acte de"))]
            draft.breach, draft.computation, draft.rule = False, reason, "monitoring.non_manquement"
            continue
        if record is None or penalty is None:
            draft.computation = "Manquement relevé ; aucune clause de pénalité rattachée."
            linked.reviews.append("montant non calculé : marché ou clause non identifié")
            continue
        extension, _source = _extension_days(linked)
        breach_facts = BreachFacts(
            due=due, performed=None if facts.never_performed else facts.performed_on, as_of=as_of,
            extension_days=extension or 0, outage_hours=facts.outage_hours,
            occurrences=_occurrences(penalty, inc.description, facts.occurrences),
            value_eur=facts.order_value_eur, order_value_eur=facts.order_value_eur,
            formal_notice_on=_formal_notice_day(linked))
        comp = compute_penalty(penalty, breach_facts, contract=record.info)
        if comp.days_late == 0 and due is not None:
            draft.breach, draft.rule = False, comp.rule
            draft.computation = (f"{due_text + ' ; ' if due_text else ''}{comp.computation} : exécution dans le "
                                 f"délai{' prolongé' if extension else ''}, pas de manquement.")
            continue
        draft.penalty, draft.comp, draft.computation = penalty, comp, due_text
        if facts.never_performed and comp.days_late and record.info.terminated is None:
            linked.reviews.append(f"prestation toujours non exécutée au {format_date(as_of)} : "
                                  "pénalités provisoires, arrêtées à cette date")
        regime = regimes[record.info.ref]
        per_contract[record.info.ref].append(
            (draft, contract_item(inc.id, inc.occurred_on, comp.amount_eur, penalty, regime)))

    for ref, pairs in per_contract.items():
        limited = apply_contract_limits([item for _, item in pairs], regimes[ref])
        for (draft, _item), result in zip(pairs, limited):
            draft.limited = result
    return [_finding(draft, records, regimes, as_of) for draft in drafts]


def _finding(draft: _Draft, records: dict[str, _Contract], regimes: dict[str, PenaltyRegime],
             as_of: dt.date) -> Finding:
    linked = draft.linked
    link = linked.link
    acting = [lt for lt, _ in linked.actions]
    acted = draft.breach and bool(acting or _logged_act(linked.incident.description))
    reviews = list(linked.reviews)
    record = records.get(link.ref or "")
    if not draft.breach or record is None:
        return Finding(
            incident=linked.incident.id, contract_ref=link.ref, breach=draft.breach, acted_on=acted,
            action_documents=tuple(lt.path for lt in acting) if draft.breach else (),
            contract_ref_source=link.source,
            computation=draft.computation, rule=draft.rule or MONITORING_VERSION,
            rule_version=_version(RULES_VERSION), confidence=link.confidence,
            needs_review=bool(reviews), review_reason=_join(reviews))
    regime = regimes[record.info.ref]
    penalty = draft.penalty
    step = next_step(NextStepFacts(
        breach=True,
        penalty_eur=draft.limited.amount_eur if draft.limited else None,
        is_delay=bool(penalty and penalty.trigger == "retard"),
        performed=not linked.facts.never_performed,
        requires_formal_notice=bool(penalty and penalty.requires_formal_notice),
        clause_article=penalty.article if penalty else None,
        actions=tuple((_action_kind(lt), lt.corr.date) for lt in acting)
        + tuple(("reclamation", lt.corr.date) for lt in linked.answers if lt.kind == "reclamation"),
        mise_en_demeure_deadline=_formal_notice_deadline(linked),
    ), regime, record.info, as_of)
    fields = finding_amounts(draft.comp, draft.limited, regime, step)
    if fields.review_reason:
        reviews.append(fields.review_reason)
    computation = fields.computation
    if draft.computation:
        computation = f"{draft.computation} ; {computation}" if computation else draft.computation
    confidence = link.confidence
    if penalty is not None:
        confidence = round(min(confidence, 0.5 + min(linked.clause_score, 0.5)), 2)
    return Finding(
        incident=linked.incident.id, contract_ref=link.ref, breach=True, acted_on=acted,
        clause_path=linked.clause_path if penalty else None, clause_article=penalty.article if penalty else None,
        penalty_eur=fields.penalty_eur, days_late=fields.days_late,
        action_documents=tuple(lt.path for lt in acting),
        contract_ref_source=link.source,
        computation=computation or draft.computation, next_step=fields.next_step, act_by=fields.act_by,
        rule=fields.rule or MONITORING_VERSION, rule_version=_version(fields.rule_version),
        confidence=confidence, needs_review=bool(reviews) or fields.needs_review,
        review_reason=_join(reviews) or (None if not fields.needs_review else "calcul à vérifier"),
    )


def _version(rules_version: str) -> str:
    """Both halves of a finding's provenance: the engine's rules and this linking."""
    return f"{rules_version}+{MONITORING_VERSION.rsplit('.', 2)[-2]}.{MONITORING_VERSION.rsplit('.', 1)[-1]}"


def _join(reasons: list[str]) -> str | None:
    unique = list(dict.fromkeys(r for r in reasons if r))
    return " ; ".join(unique) or None


def _formal_notice_deadline(linked: _Linked) -> dt.date | None:
    """End of the time a linked mise en demeure gave (« sous quinze jours »), when it says."""
    for letter, _score in linked.actions:
        if letter.kind == "mise_en_demeure" and letter.corr.date and letter.corr.deadline_days:
            return add_duration(letter.corr.date, letter.corr.deadline_days, "jour")
    return None


def findings_to_eval_json(findings: Sequence[Finding]) -> dict[str, Any]:
    """SPEC §2 `{"findings": [...]}`."""
    out = []
    for f in findings:
        clause = None
        if f.clause_path or f.clause_article:
            clause = {"path": f.clause_path, "article": f.clause_article}
        out.append({
            "incident": f.incident, "contract_ref": f.contract_ref, "breach": f.breach,
            "acted_on": f.acted_on, "clause": clause, "penalty_eur": f.penalty_eur,
            "days_late": f.days_late, "action_documents": list(f.action_documents),
        })
    return {"findings": out}
