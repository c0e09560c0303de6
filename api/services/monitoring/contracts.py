"""Incident → contract: the log's reference, checked against the description, else deduced."""

from __future__ import annotations

import dataclasses
import functools
import re
from collections import Counter, defaultdict
from collections.abc import Sequence

from api.services.monitoring.records import (
    AnalysedDocument,
    _Contract,
    _ContractLink,
    _known_ref,
    _Letter,
    _mentions_any,
)
from models.domain.types import (
    CONTRACT_KINDS,
    ContractInfo,
    Incident,
    Penalty,
    SupplierInfo,
)
from nlp.incidents import IncidentFacts
from nlp.linking import (
    SimilarityIndex,
    find_known_refs,
    find_sirets,
    fold,
    order_key,
    tfidf_similarities,
)

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
        if ref is not None and doc.path.startswith("contracts/") and doc.analysis.kind not in CONTRACT_KINDS:
            out[ref].unread.append(f"{doc.path} lu comme « {doc.analysis.kind} »")
        if ref is None or doc.analysis.kind not in CONTRACT_KINDS:
            continue
        record = out[ref]
        for penalty in doc.analysis.penalties:
            record.penalties.append((penalty, doc.path))
        record.deadlines.extend(doc.analysis.deadlines)
        record.texts.append(doc.parsed.text)
        record.derogations.extend(doc.analysis.derogations)
        record.applies_ccag = record.applies_ccag or doc.analysis.applies_ccag_penalties
        if doc.analysis.kind == "ccap" and record.ccap_path is None:
            record.ccap_path = doc.path
        record.profile.extend(p.quote for p in doc.analysis.penalties)
    return out

# ------------------------------------------------------------------ incident → contract

def _service_shares(incidents: Sequence[Incident], contracts: dict[str, _Contract]) -> dict[str, Counter[str]]:
    shares: dict[str, Counter[str]] = defaultdict(Counter)
    for inc in incidents:
        ref = _known_ref(inc.contract_ref, contracts)
        if ref:
            shares[fold(inc.service)][ref] += 1
    return shares


def _letter_order_keys(letters: Sequence[_Letter]) -> dict[str | None, set[str]]:
    """Order keys of each contract's letters, built once per portfolio: the per-incident check
    is then a set overlap instead of a loop over every letter of every contract."""
    keys: dict[str | None, set[str]] = defaultdict(set)
    for lt in letters:
        keys[lt.contract_ref].update(order_key(o) for o in lt.corr.order_refs)
    return keys


def _contract_scores(inc: Incident, facts: IncidentFacts, contracts: dict[str, _Contract],
                     letters: Sequence[_Letter], shares: dict[str, Counter[str]],
                     profiles: SimilarityIndex | None = None,
                     letter_orders: dict[str | None, set[str]] | None = None,
                     ) -> dict[str, tuple[float, list[str]]]:
    refs = list(contracts)
    if letter_orders is None:
        letter_orders = _letter_order_keys(letters)
    sims = (profiles.similarities(inc.description) if profiles is not None
            else tfidf_similarities(inc.description, [" ".join(contracts[r].profile) for r in refs]))
    service = Counter(shares.get(fold(inc.service), Counter()))
    own_logged = _known_ref(inc.contract_ref, contracts)
    if own_logged and service[own_logged] > 0:
        service[own_logged] -= 1  # leave the incident's own (possibly wrong) reference out
    service_total = sum(service.values())
    order_keys = {order_key(o) for o in facts.order_refs}
    # per incident, not per contract: the description's SIRETs and cited references
    described_sirets = set(find_sirets(inc.description))
    cited_refs = set(find_known_refs(inc.description, refs))
    scores: dict[str, tuple[float, list[str]]] = {}
    for ref, sim in zip(refs, sims):
        record = contracts[ref]
        why: list[str] = []
        score = 0.6 * sim
        if _mentions_any(inc.description, record.names):
            score += 0.8
            why.append("titulaire nommé dans la description")
        if record.sirets & described_sirets:
            score += 0.8
            why.append("SIRET du titulaire")
        if ref in cited_refs:
            score += 0.8
            why.append("référence citée dans la description")
        if order_keys and order_keys & letter_orders.get(ref, set()):
            score += 0.5
            why.append("bon de commande ou ticket retrouvé dans la correspondance du marché")
        if service_total:
            score += 0.3 * service[ref] / service_total
        scores[ref] = (score, why)
    return scores


def _title_words(text: str) -> set[str]:
    """Distinctive words (5+ letters, accents folded) of a contract title or a description."""
    return set(_title_word_set(text))


@functools.lru_cache(maxsize=1 << 14)  # each contract title is read once per incident otherwise
def _title_word_set(text: str) -> frozenset[str]:
    return frozenset(w for w in re.findall(r"[a-z]{5,}", fold(text)) if w not in _GENERIC_TITLE_WORDS)


_GENERIC_TITLE_WORDS = frozenset(
    "marche accord cadre fourniture fournitures livraison prestation prestations travaux service services "
    "entretien maintenance realisation mission etude relative relatif aupres toute toutes".split())


def _link_contract(inc: Incident, facts: IncidentFacts, contracts: dict[str, _Contract],
                   letters: Sequence[_Letter], shares: dict[str, Counter[str]],
                   profiles: SimilarityIndex | None = None,
                   letter_orders: dict[str | None, set[str]] | None = None) -> _ContractLink:
    if not contracts:
        return _ContractLink(inc.contract_ref, "journal" if inc.contract_ref else "inconnu", 0.3,
                             "aucun marché connu dans le portefeuille")
    scores = _contract_scores(inc, facts, contracts, letters, shares, profiles, letter_orders)
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
        if not own_why and not words & _title_word_set(contracts[logged].info.title):
            by_title = sorted(((len(words & _title_word_set(c.info.title)), ref) for ref, c in contracts.items()
                               if ref != logged), reverse=True)
            if by_title and by_title[0][0] >= 2 and (len(by_title) == 1 or by_title[1][0] < by_title[0][0]):
                other = by_title[0][1]
                theirs = words & _title_word_set(contracts[other].info.title)
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


# A CCAP sentence removing the CCAG exoneration threshold (FCS/TIC 2021 art. 14.1.3, Travaux
# 2021 art. 19.2.1, FACTS §2.3 [S]) in words the penalty extractor may not turn into a figure:
# « les pénalités sont dues dès le premier euro », « aucune exonération ne s'applique ».
_NO_EXONERATION = re.compile(
    r"des le premier euro|quel qu'en soit le montant|aucune exoneration|n'est pas exonere|"
    r"sans (?:seuil|franchise) d'exoneration|(?:seuil|franchise) d'exoneration (?:n'est pas applicable|ne s'applique pas)")
_ABOUT_PENALTIES = re.compile(r"penalit|14\.1\.3|19\.2\.1|exonera")


def no_exoneration(texts: Sequence[str]) -> bool:
    """The contract's documents remove the exoneration threshold in one sentence about penalties."""
    for text in texts:
        for sentence in re.split(r"(?<=[.;])\s+|\n", fold(text)):
            if _NO_EXONERATION.search(sentence) and _ABOUT_PENALTIES.search(sentence):
                return True
    return False


def regime_penalties(record: _Contract) -> list[Penalty]:
    """The clauses the contract's threshold and cap are read from; when the CCAP removes the
    exoneration in words only, its clauses carry the threshold 0 it means."""
    penalties = [p for p, _ in record.penalties]
    if penalties and all(p.threshold_eur is None for p in penalties) and no_exoneration(record.texts):
        return [dataclasses.replace(p, threshold_eur=0.0) for p in penalties]
    return penalties
