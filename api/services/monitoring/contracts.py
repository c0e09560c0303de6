"""Incident → contract: the log's reference, checked against the description, else deduced."""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from api.services.monitoring.directory import ContractDirectory
from api.services.monitoring.letters import place_names
from api.services.monitoring.records import (
    AnalysedDocument,
    _Contract,
    _ContractLink,
    _Letter,
    title_words,
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
    find_sirets,
    fold,
    order_key,
)

# ------------------------------------------------------------------ contracts

def _build_contracts(contracts: Sequence[ContractInfo], suppliers: Sequence[SupplierInfo],
                     documents: Sequence[AnalysedDocument]) -> tuple[dict[str, _Contract], ContractDirectory]:
    by_siret = {s.siret: s for s in suppliers if s.siret}
    out: dict[str, _Contract] = {}
    for info in contracts:
        supplier = by_siret.get(info.supplier_siret or "")
        names = [supplier.name, *supplier.aliases] if supplier else []
        out[info.ref] = _Contract(info=info, names=names,
                                  sirets={info.supplier_siret} if info.supplier_siret else set(),
                                  profile=[info.title, *names])
    directory = ContractDirectory(out)
    for doc in documents:
        ref = directory.known_ref(doc.contract_ref)
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
    return out, directory

# ------------------------------------------------------------------ incident → contract

# Words of a company name that do not tell one titulaire from another (« Mobilis Conseil »,
# « Groupe Martin »): only the distinctive word may be recognised under a typo.
_GENERIC_NAME_WORDS = frozenset(
    "societe groupe entreprise entreprises compagnie conseil conseils services service etablissements "
    "cabinet bureau agence atelier ateliers generale france distribution territoires industrie "
    "industries solutions systemes technologies ingenierie environnement batiment travaux "
    "nettoyage transports international".split())


def _deletions(word: str) -> set[str]:
    """The word and every form with one letter removed (deletion neighbourhood)."""
    return {word} | {word[:i] + word[i + 1:] for i in range(len(word))}


def _one_edit(a: str, b: str) -> bool:
    """Exactly one insertion, deletion or substitution between two different words."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i + 1:] == b[i + 1:] if len(a) == len(b) else a[i:] == b[i + 1:]


class TypoNames:
    """The distinctive word of each titulaire's name and aliases (6+ letters), indexed once per
    scan by its deletion neighbourhood, so that a log line writing « billetis » for « Billettis »
    finds its contract with a few dictionary look-ups, never a pass over every name."""

    def __init__(self, directory: ContractDirectory) -> None:
        self._owners: dict[str, list[int]] = defaultdict(list)  # name word → contract positions
        for position, ref in enumerate(directory.refs):
            for name in directory.contracts[ref].names:
                words = [w for w in re.findall(r"[a-z]+", fold(name)) if w not in _GENERIC_NAME_WORDS]
                if words and len(words[0]) >= 6 and position not in self._owners[words[0]][-1:]:
                    self._owners[words[0]].append(position)
        self._keys: dict[str, set[str]] = defaultdict(set)  # deletion key → name words
        for word in self._owners:
            for key in _deletions(word):
                self._keys[key].add(word)
        self._near: dict[str, tuple[str, ...]] = {}  # log word → name words one edit away (a log repeats its words)

    def misspelt_in(self, text: str) -> dict[int, tuple[str, str]]:
        """Contract position → (word written, name word) for each word of `text` one edit away
        from a titulaire's distinctive name word."""
        found: dict[int, tuple[str, str]] = {}
        if not self._keys:
            return found
        for word in set(_LONG_WORD.findall(fold(text))):
            near = self._near.get(word)
            if near is None:
                # the name itself is no typo (the exact name search finds it)
                near = () if word in self._owners else tuple(sorted(
                    n for n in {n for key in _deletions(word) for n in self._keys.get(key, ())} if _one_edit(word, n)))
                self._near[word] = near
            for name_word in near:
                for position in self._owners[name_word]:
                    found.setdefault(position, (word, name_word))
        return found


_LONG_WORD = re.compile(r"[a-z]{6,}")


@dataclass
class ContractEvidence:
    """What the whole log and the correspondence say about the contracts, gathered once per
    scan: each incident is then scored against every contract with array arithmetic."""

    directory: ContractDirectory
    service_counts: dict[str, np.ndarray]  # folded service → logged references per contract
    order_contracts: dict[str, set[int]]  # order key → contracts whose letters carry it
    typo_names: TypoNames | None = None  # titulaires' names written with one typo

    @classmethod
    def gather(cls, incidents: Sequence[Incident], letters: Sequence[_Letter],
               directory: ContractDirectory) -> ContractEvidence:
        size = len(directory.refs)
        counts: dict[str, np.ndarray] = {}
        for inc in incidents:
            ref = directory.known_ref(inc.contract_ref)
            if ref:
                service = fold(inc.service)
                if service not in counts:
                    counts[service] = np.zeros(size)
                counts[service][directory.position[ref]] += 1
        orders: dict[str, set[int]] = defaultdict(set)
        for lt in letters:
            if lt.contract_ref in directory.position:
                for o in lt.corr.order_refs:
                    orders[order_key(o)].add(directory.position[lt.contract_ref])
        return cls(directory, counts, dict(orders), TypoNames(directory))


@dataclass
class Signals:
    """What in an incident's description names a contract (titulaire, SIRET, reference, order),
    with the score each adds, in the order they are added."""

    why: dict[int, list[str]]  # contract position → reasons
    bonuses: list[tuple[int, float]]  # (contract position, weight)

    @classmethod
    def read(cls, inc: Incident, facts: IncidentFacts, evidence: ContractEvidence) -> Signals:
        directory = evidence.directory
        why: dict[int, list[str]] = defaultdict(list)
        bonuses: list[tuple[int, float]] = []
        found = (
            (directory.named_in(inc.description), 0.8, "titulaire nommé dans la description"),
            (directory.with_sirets(find_sirets(inc.description)), 0.8, "SIRET du titulaire"),
            (directory.refs_in(inc.description), 0.8, "référence citée dans la description"),
        )
        for refs, weight, reason in found:
            for ref in refs:
                position = directory.position[ref]
                bonuses.append((position, weight))
                why[position].append(reason)
        if evidence.typo_names is not None:
            for position, (written, name) in sorted(evidence.typo_names.misspelt_in(inc.description).items()):
                if position not in why:
                    # a weaker sign than the exact name: the words of the line must agree too
                    bonuses.append((position, 0.5))
                    why[position].append(f"titulaire reconnu malgré l'orthographe « {written} » (« {name} »)")
        ordered = sorted({i for o in facts.order_refs for i in evidence.order_contracts.get(order_key(o), ())})
        for position in ordered:
            bonuses.append((position, 0.5))
            why[position].append("bon de commande ou ticket retrouvé dans la correspondance du marché")
        return cls(dict(why), bonuses)


def log_confirmed(inc: Incident, signals: Signals, evidence: ContractEvidence) -> bool:
    """The log's reference is a contract of the portfolio and the description names it too: the
    link needs no comparison with the other contracts' texts."""
    logged = evidence.directory.known_ref(inc.contract_ref)
    return logged is not None and bool(signals.why.get(evidence.directory.position[logged]))


@dataclass
class _Scores:
    values: np.ndarray  # one score per contract, in portfolio order
    why: dict[int, list[str]]  # the signals naming a contract, when any

    def of(self, position: int) -> tuple[float, list[str]]:
        return float(self.values[position]), self.why.get(position, [])


def _contract_scores(inc: Incident, evidence: ContractEvidence, signals: Signals,
                     similarities: Sequence[float] | np.ndarray) -> _Scores:
    """Each contract's score for this incident: text similarity to the contract's profile,
    plus the signals that name it, plus the share of the reporting service's incidents
    logged under it."""
    directory = evidence.directory
    scores = 0.6 * np.asarray(similarities, dtype=float)
    for position, weight in signals.bonuses:
        scores[position] += weight
    counts = evidence.service_counts.get(fold(inc.service))
    if counts is not None:
        own_logged = directory.known_ref(inc.contract_ref)
        if own_logged and counts[directory.position[own_logged]] > 0:
            counts = counts.copy()
            counts[directory.position[own_logged]] -= 1  # leave the incident's own (possibly wrong) reference out
        total = counts.sum()
        if total:
            scores += 0.3 * counts / total
    return _Scores(scores, signals.why)


def _best_two(values: np.ndarray) -> tuple[int, int | None]:
    """The best contract and the runner-up; on a tie the first in portfolio order wins."""
    best = int(np.argmax(values))
    if len(values) < 2:
        return best, None
    rest = values.copy()
    rest[best] = -np.inf
    return best, int(np.argmax(rest))


def _link_contract(inc: Incident, evidence: ContractEvidence, signals: Signals,
                   similarities: Sequence[float] | np.ndarray | None,
                   failing_type: str | None = None) -> _ContractLink:
    """The incident's contract. `similarities` (description × every contract's profile) may be
    None only when `log_confirmed` holds: the log then wins whatever the texts say.
    `failing_type`: what the log line describes (« retard », « absence »…), when read."""
    directory = evidence.directory
    if not directory.refs:
        return _ContractLink(inc.contract_ref, "journal" if inc.contract_ref else "inconnu", 0.3,
                             "aucun marché connu dans le portefeuille")
    if similarities is None:
        logged = directory.known_ref(inc.contract_ref)
        assert logged is not None and log_confirmed(inc, signals, evidence)
        return _ContractLink(logged, "journal", 0.95)
    scores = _contract_scores(inc, evidence, signals, similarities)
    best_at, runner_at = _best_two(scores.values)
    best_ref = directory.refs[best_at]
    best, best_why = scores.of(best_at)
    runner = scores.of(runner_at)[0] if runner_at is not None else 0.0
    logged = directory.known_ref(inc.contract_ref)
    if logged:
        own, own_why = scores.of(directory.position[logged])
        # the log wins unless the description names another contract's titulaire / reference
        # and says nothing of the logged one's
        strong_other = best_ref != logged and best_why and not own_why and best - own >= 0.6
        if strong_other:
            return _ContractLink(best_ref, "corrige", min(0.95, 0.5 + (best - own) / 2),
                                 f"référence du journal {inc.contract_ref} corrigée en {best_ref} "
                                 f"({', '.join(best_why)})")
        # or it speaks of another contract's object in that contract's own words, and of
        # nothing in the logged one's title
        # Proper names (« réservoir de la Garenne ») are left out: a site hosts several contracts
        # (the works on a reservoir, the software supervising it), so they do not tell which one.
        words = title_words(inc.description) - place_names(inc.description)
        if not own_why and not words & title_words(directory.contracts[logged].info.title):
            other = _only_title_match(words, logged, directory)
            if other is not None and not _prices_failing(directory.contracts[other], failing_type) \
                    and _prices_failing(directory.contracts[logged], failing_type):
                other = None  # only the logged contract has a penalty for this kind of failing
            if other is not None:
                theirs = words & title_words(directory.contracts[other].info.title)
                return _ContractLink(other, "corrige", 0.6,
                                     f"référence du journal {inc.contract_ref} corrigée en {other} : la "
                                     f"description parle de l'objet de ce marché ({', '.join(sorted(theirs))})")
        return _ContractLink(logged, "journal", 0.95 if own_why or own >= best else 0.8)
    margin = best - runner
    if best < 0.35 or margin < 0.15:
        runner_ref = directory.refs[runner_at] if runner_at is not None else best_ref
        reason = ("marché non identifié : aucune référence, aucun titulaire reconnu dans la description"
                  if best < 0.35 else f"marché incertain entre {best_ref} et {runner_ref}")
        if best >= 0.35:
            return _ContractLink(best_ref, "corrige" if inc.contract_ref else "deduit", 0.4, reason)
        return _ContractLink(None, "inconnu", 0.0, reason)
    confidence = round(min(0.95, 0.5 + margin / 2), 2)
    why = ", ".join(best_why) or "mots de la description proches de ce marché"
    if inc.contract_ref:
        return _ContractLink(best_ref, "corrige", confidence,
                             f"référence du journal « {inc.contract_ref} » inconnue, corrigée en {best_ref} ({why})")
    return _ContractLink(best_ref, "deduit", confidence, f"marché déduit : {why}")


def _prices_failing(record: _Contract, failing_type: str | None) -> bool:
    """The contract has a penalty clause for this kind of failing (an unknown kind: assume so)."""
    if failing_type in (None, "autre"):
        return True
    return any(p.trigger == failing_type for p, _ in record.penalties)


def _only_title_match(words: frozenset[str], logged: str, directory: ContractDirectory) -> str | None:
    """The one other contract whose title shares most (two or more) of the description's words."""
    best = directory.best_title_match(words, excluded=logged)
    return best[0] if best is not None and best[1] >= 2 else None


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
