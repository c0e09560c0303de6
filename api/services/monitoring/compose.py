"""Findings: the linking's facts handed to models.compliance, then assembled into one Finding per incident."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from api.services.monitoring.clauses import _link_clause, _occurrences
from api.services.monitoring.contracts import (
    ContractEvidence,
    Signals,
    _build_contracts,
    _link_contract,
    log_confirmed,
    regime_penalties,
)
from api.services.monitoring.due import _due_and_penalty, _extension_days, _not_breach_reason, granting_acts
from api.services.monitoring.letters import (
    _build_letters,
    _formal_notice_day,
    _letter_body,
    _letters_by_contract,
    _link_letters,
    _logged_act,
)
from api.services.monitoring.records import (
    MONITORING_VERSION,
    AnalysedDocument,
    _Contract,
    _Letter,
    _Linked,
)
from api.services.monitoring.values import element_value, wants_element_value
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
)
from models.compliance.fmt import format_date, format_number
from models.domain.types import (
    ActionKind,
    ContractInfo,
    Finding,
    Incident,
    Penalty,
    SupplierInfo,
)
from nlp.incidents import KnownNames, read_incident
from nlp.linking import find_amounts, fold
from nlp.similarity import SimilarityIndex, TextAnalysis

_CHUNK = 1000  # incidents scored against every contract at once


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
    with _collector_paused():
        return _evaluate(contracts, suppliers, documents, incidents, as_of)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while a scan runs: the scan allocates millions of
    short-lived, acyclic objects, and each full collection would walk the whole loaded portfolio
    again (≈ 8 % of a 50,000-incident scan, measured with bench/daily_scan.py). Nothing is lost:
    reference counting frees the scan's garbage as usual, and the collector resumes afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _evaluate(contracts: list[ContractInfo], suppliers: list[SupplierInfo], documents: list[AnalysedDocument],
              incidents: list[Incident], as_of: dt.date) -> list[Finding]:
    records, directory = _build_contracts(contracts, suppliers, documents)
    letters = _build_letters(documents, directory)
    evidence = ContractEvidence.gather(incidents, letters, directory)
    supplier_names = KnownNames([n for s in suppliers for n in (s.name, *s.aliases)])
    buyer_names = sorted({c.buyer_name for c in contracts if c.buyer_name})
    # the regime that limits amounts; the CCAG default delay penalty is fetched per incident
    # (_link_clause) so that its caveats only reach findings that use it
    regimes = {ref: effective_regime(r.info, regime_penalties(r), r.derogations, False)
               for ref, r in records.items()}

    # every description is analysed once, for both indexes; contract scores come by chunks of
    # the log (one matrix product per chunk rather than per incident, bounded memory)
    descriptions = [i.description for i in incidents]
    analysis = TextAnalysis(descriptions)
    index = SimilarityIndex([_letter_body(lt) for lt in letters], descriptions, analysis=analysis)
    profiles = SimilarityIndex([" ".join(r.profile) for r in records.values()], descriptions, analysis=analysis)
    letter_groups = _letters_by_contract(letters)
    # the orders of service and amendments each contract's due dates may be prolonged by
    grants = {ref: granting_acts([lt for _, lt in group if lt.corr.date is None or lt.corr.date <= as_of])
              for ref, group in letter_groups.items() if ref is not None}
    linked_all: list[_Linked] = []
    pending: list[list[tuple[_Letter, float]]] = []
    for start in range(0, len(incidents), _CHUNK):
        chunk = incidents[start:start + _CHUNK]
        facts_of = [read_incident(inc, supplier_names=supplier_names, buyer_names=buyer_names) for inc in chunk]
        signals_of = [Signals.read(inc, facts, evidence) for inc, facts in zip(chunk, facts_of)]
        # a log reference the description confirms needs no comparison with every contract
        compared = [i for i, (inc, signals) in enumerate(zip(chunk, signals_of))
                    if not log_confirmed(inc, signals, evidence)]
        matrix = profiles.similarity_matrix([chunk[i].description for i in compared])
        profile_sims: list[np.ndarray | None] = [None] * len(chunk)
        for row, i in enumerate(compared):
            profile_sims[i] = matrix[row]
        for inc, facts, signals, sims in zip(chunk, facts_of, signals_of, profile_sims):
            link = _link_contract(inc, evidence, signals, sims, failing_type=facts.failing_type)
            linked = _Linked(inc, facts, link)
            if link.reason and link.source != "deduit":
                linked.reviews.append(link.reason)
            near: list[tuple[_Letter, float]] = []
            if link.ref is not None and link.ref in records:
                record = records[link.ref]
                _link_clause(linked, record, regimes[record.info.ref])
                near = _link_letters(linked, record, as_of, letter_groups.get(record.info.ref, []), index)
            linked_all.append(linked)
            pending.append(near)
    return _compute_findings(linked_all, records, regimes, as_of, grants, pending)


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
                      regimes: dict[str, PenaltyRegime], as_of: dt.date,
                      grants: dict[str, list[_Letter]] | None = None,
                      pending: list[list[tuple[_Letter, float]]] | None = None) -> list[Finding]:
    """`grants`: each contract's prolonging acts; `pending`: per incident, the letters that
    scored just under the link threshold but state an amount (confirmed once the penalty is known)."""
    drafts: list[_Draft] = []
    per_contract: dict[str, list[tuple[_Draft, ContractPenaltyItem]]] = defaultdict(list)
    grants = grants or {}
    for position, linked in enumerate(linked_all):
        inc, facts = linked.incident, linked.facts
        record = records.get(linked.link.ref or "")
        draft = _Draft(linked)
        drafts.append(draft)
        if not linked.actions:
            logged_act = _logged_act(inc.description)
            if logged_act:
                linked.reviews.append(f"acte de l'acheteur mentionné au journal (« {logged_act} ») mais absent "
                                      "du dossier : joindre le document")
        due, penalty, due_text = (_due_and_penalty(linked, record, grants.get(record.info.ref, ()))
                                  if record is not None and linked.penalty else (None, None, ""))
        reason = _not_breach_reason(linked, penalty, due)
        if reason:
            # caveats about the clause do not concern an incident that is no breach
            linked.reviews[:] = [r for r in linked.reviews
                                 if not r.startswith(("clause de pénalité", "aucune clause de pénalité", "acte de"))]
            draft.breach, draft.computation, draft.rule = False, reason, "monitoring.non_manquement"
            continue
        if linked.link.ref is None and linked.penalty is None:
            # a breach is a failing to a contract's obligation: with no contract identified (the
            # buyer's own equipment, another supplier's warranty…) none can be established; the
            # line is left for the contract manager to attach, not counted as an unacted breach
            draft.breach, draft.rule = False, "monitoring.marche_non_identifie"
            draft.computation = ("Aucun marché identifié pour cet incident : manquement contractuel non établi.")
            linked.reviews.append("incident sans marché : le rattacher à un marché s'il en relève, sinon "
                                  "aucune suite contractuelle")
            continue
        if record is None or penalty is None:
            draft.computation = "Manquement relevé ; aucune clause de pénalité rattachée."
            linked.reviews.append("montant non calculé : marché ou clause non identifié")
            continue
        extension, source = _extension_days(linked)
        if extension and source and due is not None:
            due_text = f"{due_text} ; prolongation de {extension} jours accordée ({source})".strip(" ;")
        if facts.due_includes_extension and due is not None:
            due_text = f"{due_text} (prolongation déjà comprise dans l'échéance du journal)".strip()
        value = facts.order_value_eur
        late_part = _late_part_value(linked, penalty)
        if late_part is not None and late_part != value:
            value = late_part
            linked.reviews.append(f"valeur V limitée au reliquat livré en retard ({format_number(late_part)} € HT, "
                                  "journal) : à vérifier")
        if value is None and wants_element_value(penalty):
            element = element_value(inc.description, record.texts)
            if element is not None:
                value = element[0]
                linked.reviews.append(f"valeur V lue dans les pièces du marché pour l'élément « {element[1]} » "
                                      f"({format_number(element[0])} € HT) : à vérifier")
        occurrences, doubt = _occurrences(penalty, inc.description, facts)
        if doubt:
            linked.reviews.append(doubt)
        breach_facts = BreachFacts(
            due=due, performed=None if facts.never_performed else facts.performed_on, as_of=as_of,
            extension_days=extension or 0, outage_hours=facts.outage_hours,
            due_at=facts.limit_at, performed_at=facts.performed_at,
            occurrences=occurrences,
            value_eur=value, order_value_eur=facts.order_value_eur,
            formal_notice_on=_formal_notice_day(linked))
        comp = compute_penalty(penalty, breach_facts, contract=record.info)
        if comp.days_late == 0 and due is not None:
            draft.breach, draft.rule = False, comp.rule
            draft.computation = (f"{due_text + ' ; ' if due_text else ''}{comp.computation} : exécution dans le "
                                 f"délai{' prolongé' if extension else ''}, pas de manquement.")
            continue
        draft.penalty, draft.comp, draft.computation = penalty, comp, due_text
        if pending and pending[position]:
            _confirm_by_amount(linked, pending[position], comp.amount_eur)
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


# « 8 200 € livrés le 10/2, reliquat de 4 100 € HT livré le 24/2 »: the part delivered late
_LATE_PART = re.compile(r"\b(?:reliquat|solde|reste|complement)\s+(?:de\s+|d'un montant de\s+|:\s*)?"
                        r"(\d[\d\s.,]*\d|\d)\s*(?:€|eur\b|euros?\b)")


def _late_part_value(linked: _Linked, penalty: Penalty) -> float | None:
    """V of a clause priced on the late part only (CCAG-FCS 2009 art. 14.1.1 [T]: « V est la
    valeur … de la partie des prestations en retard »), when the log gives the remainder's
    amount; None otherwise (V stays the order's value)."""
    if penalty.basis != "ratio_per_unit" or "retard" not in fold(penalty.value_base or ""):
        return None
    m = _LATE_PART.search(linked.folded_description)
    amounts = find_amounts(m.group(0)) if m else []
    return amounts[0][0] if amounts else None


def _confirm_by_amount(linked: _Linked, near: list[tuple[_Letter, float]], amount: float | None) -> None:
    """A penalty letter that names the incident's order or day and states the very amount
    computed for it (« je vous notifie la pénalité de 360 € HT relative au bon de commande
    25-0871 ») is the act about this incident, even if its wording scored under the threshold."""
    if not amount:
        return
    rate = linked.penalty.amount_eur if linked.penalty else None
    for letter, score in near:
        if rate is not None and abs(amount - rate) < 0.01 and not linked.order_keys & letter.order_keys:
            continue  # one unit's rate (« 200 € par livraison ») may be another failing's amount
        if any(abs(a - amount) < 0.01 for a in letter.corr.amounts_eur) and \
                all(letter.path != lt.path for lt, _ in linked.actions):
            linked.actions.append((letter, score))
    linked.actions.sort(key=lambda pair: (pair[0].corr.date or dt.date.max, pair[0].path))


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
