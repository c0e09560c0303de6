"""Incident → penalty clause of its contract, and how many times it applies."""

from __future__ import annotations

import functools
import re

from api.services.monitoring.records import MIN_CLAUSE_SCORE, _Contract, _Linked
from models.compliance import (
    PenaltyRegime,
    effective_regime,
    normalise_article,
)
from models.domain.types import (
    Penalty,
)
from nlp.incidents import IncidentFacts
from nlp.linking import (
    fold,
    words_to_int,
)
from nlp.similarity import char_similarities, stem_similarities

# ------------------------------------------------------------------ incident → clause

_COMPATIBLE = {
    "retard": {"document", "non_conformite"},
    "document": {"retard"},
    "non_conformite": {"retard"},
    "indisponibilite": {"retard"},
}


# « reliquat … livré seulement le 24/2 », « livrés le 30/4 »: an order delivered on a later day
_DELIVERED = re.compile(r"\blivr(?:e|ee|es|ees|aison)\b")


def _failing_type(linked: _Linked) -> str:
    """The failing the clause must price: the log reader's, except that a line it could not place
    which records an order (« BC 25-0107 ») and the day it was delivered reads as a late delivery
    (whether it was late is decided by the contract's deadline, not here), and one that times an
    interruption from its start to its restoration reads as an unavailability."""
    facts = linked.facts
    if facts.failing_type != "autre":
        return facts.failing_type
    if facts.performed_on is not None and facts.order_refs and _DELIVERED.search(linked.folded_description):
        return "retard"
    if facts.outage_hours is not None:
        return "indisponibilite"  # « HS … appel 14h10, rétabli 23h40 »: an interruption the log times
    return facts.failing_type


def _link_clause(linked: _Linked, record: _Contract, regime: PenaltyRegime) -> None:
    failing_type = _failing_type(linked)
    if failing_type != linked.facts.failing_type:
        # said, so that a line about something else (damaged goods…) is not silently cleared
        linked.reviews.append({"retard": "manquement lu comme un retard de livraison (commande et date de livraison "
                                         "au journal) : à vérifier",
                               "indisponibilite": "manquement lu comme une interruption de service (heures de "
                                                  "début et de rétablissement au journal) : à vérifier",
                               }.get(failing_type, "type de manquement déduit : à vérifier"))
    candidates: list[tuple[Penalty, str | None]] = [(p, path) for p, path in record.penalties]
    seen: set[tuple[str | None, str]] = set()
    unique: list[tuple[Penalty, str | None]] = []
    for p, path in candidates:
        key = (normalise_article(p.article), fold(p.quote))
        if key not in seen:
            seen.add(key)
            unique.append((p, path))
    no_delay_clause = not any(p.trigger == "retard" for p, _ in unique)
    unread = ", ".join(record.unread)
    if failing_type == "retard" and no_delay_clause and not record.applies_ccag and unread:
        # a document of the contract's folder was not read as a contract document: its delay
        # clause may be there, so the CCAG default would be a guess
        linked.reviews.append(f"pièce du marché non analysée comme pièce contractuelle ({unread}) : pénalité "
                              "de retard du CCAP peut-être non lue, pénalité par défaut du CCAG non appliquée")
    elif failing_type == "retard" and (record.applies_ccag or no_delay_clause):
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
    described = expand_abbreviations(linked.incident.description)
    sims = [(a + b) / 2 for a, b in zip(char_similarities(described, quotes),
                                        stem_similarities(described, quotes))]
    cited = {a.split(" ")[-1] for a in facts.articles_cited}
    acronyms = _acronyms(linked.incident.description)
    parts = numbered_parts(linked.folded_description)
    best: tuple[float, Penalty, str | None] | None = None
    for (penalty, path), sim in zip(unique, sims):
        score = sim
        if penalty.trigger == failing_type:
            score += 0.15
        elif penalty.trigger in _COMPATIBLE.get(failing_type, set()):
            score += 0.05
        if penalty.unit == "heure" and (facts.outage_hours is not None or facts.limit_at is not None):
            score += 0.1
        if penalty.unit == "occurrence" and counted_units(penalty, linked.incident.description):
            score += 0.25  # the log counts the very thing the clause prices (« 12 bacs », « par bac »)
        if penalty.unit in ("jour", "jour_ouvre", "jour_ouvrable") and facts.due_on is not None:
            score += 0.1  # the log gives a due date: a clause counted in days fits
        if parts and _priced_part(penalty) in parts:
            score += 0.15  # « du montant HT de la phase concernée » and the log's « phase 2 »
        if acronyms & _acronyms(penalty.quote):
            score += 0.2  # « APD », « DOE », « P1 » named by both: the same deliverable or level
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

# Shorthand of logs kept by operating staff, in the words a CCAP uses (« CR du cotech » and
# « tout compte rendu transmis après le délai »); whole words only, case ignored. The meeting's
# own name (« cotech », « copil ») is left as written: a clause about a meeting (an absence) is
# not a clause about its minutes.
_ABBREVIATIONS = {"cr": "compte rendu", "c.r.": "compte rendu", "rdv": "rendez-vous", "reu": "réunion",
                  "réu": "réunion", "reu.": "réunion", "réu.": "réunion", "liv.": "livraison"}
_ABBREVIATION = re.compile(r"\b(?:c\.r\.|cr\b|rdv\b|r[ée]u\b\.?|liv\.)", re.IGNORECASE)


def expand_abbreviations(text: str) -> str:
    """`text` with the log's shorthand written out, for comparing it with clauses."""
    return _ABBREVIATION.sub(lambda m: _ABBREVIATIONS[m.group(0).lower()], text)


_PRICED_PART = re.compile(r"\b(phase|tranche|lot|etape|jalon)\b")


def _priced_part(penalty: Penalty) -> str | None:
    """The part of the contract a ratio clause is priced on (« montant HT de la phase
    concernée » → « phase »), if any."""
    if penalty.basis not in ("ratio_per_unit", "percent"):
        return None
    m = _PRICED_PART.search(fold(f"{penalty.value_base or ''} {penalty.quote}"))
    return m.group(1) if m else None


def _occurrences(penalty: Penalty, description: str, facts: IncidentFacts) -> tuple[int, str | None]:
    """How many times a per-occurrence clause applies, and why to check it when in doubt: the
    count the log gives for the clause's own unit (« 40 € par repas non conforme » and « 12 repas
    non conformes »), else the log's own count."""
    if penalty.unit != "occurrence":
        return facts.occurrences, None
    counted = counted_units(penalty, description)
    if counted is not None:
        return counted, None
    if facts.occurrences > 1 and facts.occurrences_from_places and not _priced_per_place(penalty):
        # « rue A et impasse B non collectées » counts two streets: right for a clause priced per
        # street, not for one priced per round or per day
        return facts.occurrences, (f"nombre d'occurrences ({facts.occurrences}) déduit des lieux énumérés au "
                                   "journal : à vérifier selon l'unité de la clause")
    return facts.occurrences, None


_NOT_UNITS = ("jour", "heure", "semaine", "mois", "application", "exemple", "derogation", "ailleurs", "les", "des",
              "une", "son", "leur", "lettre", "courrier", "voie", "suite", "rapport")


# Nouns of the places a log line lists (« rue des Lilas et impasse du Moulin »): a clause priced
# per one of them is counted by the places listed.
_PLACE_UNITS = frozenset("rue voie impasse allee avenue boulevard chemin place quai route site adresse point".split())


def _priced_per_place(penalty: Penalty) -> bool:
    """The clause is priced per street, road, site… (« 250 € par rue non collectée »)."""
    return any(n in _PLACE_UNITS for n in _unit_nouns(penalty.quote))


@functools.lru_cache(maxsize=1 << 12)  # a contract's few clauses, read for each of its incidents
def _unit_nouns(quote: str) -> tuple[str, ...]:
    """What the clause prices, by its « par / pour chaque / chaque <nom> »."""
    return tuple(n for n in re.findall(r"\b(?:par|pour chaque|chaque) ([a-z]{3,})", fold(quote)) if n not in _NOT_UNITS)


def counted_units(penalty: Penalty, description: str) -> int | None:
    """The count the log line gives of the thing the clause prices (« par bac » and « 12 bacs
    laissés »), or None when it gives none."""
    folded = fold(description)
    for noun in _unit_nouns(penalty.quote):
        # « bac » / « 12 bacs »; longer nouns lose their last letter: « local » / « 3 locaux »
        stem = re.escape(noun) + r"s?\b" if len(noun) <= 4 else re.escape(noun[:min(5, len(noun) - 1)])
        m = re.search(r"\b(\d{1,4}|[a-z]+(?:-[a-z]+)?)\s+(?:[a-z]+\s+)?" + stem, folded)
        if m:
            value = words_to_int(m.group(1))
            if value and 1 <= value <= 1000:
                return value
    return None



# Capitals that name no deliverable or level: amounts, documents of every contract, parties.
_GENERIC_ACRONYMS = frozenset("HT TTC TVA CCAP CCAG CCTP AE RC BPU DQE OS BC PV CE SA SAS SARL EUR".split())


def _acronyms(text: str) -> set[str]:
    """Short all-capital words (« APD », « DOE », « P1 »): distinctive names of deliverables
    and service levels, shared by a log line and the clause about it."""
    return {w for w in re.findall(r"\b[A-Z][A-Z0-9]{1,5}\b", text) if w not in _GENERIC_ACRONYMS}


# Numbered parts of a contract a time limit or a log line names: « phase 2 », « phases 2 et 3 »,
# « tranche optionnelle 1 » is left out (no number right after the noun).
_PART_NOUN = re.compile(r"phase|tranche|lot|etape|jalon")
_PART = re.compile(r"\b(phase|tranche|lot|etape|jalon)s?\s+(?:n[o°]\s*)?(\d{1,2}(?:\s*(?:,|et|a|à|-)\s*\d{1,2})*)\b")


@functools.lru_cache(maxsize=1 << 14)  # the same log lines and letter subjects, again and again
def numbered_parts(folded: str) -> dict[str, frozenset[int]]:
    """Part noun → the numbers named with it (« phases 2 et 3 » → {phase: {2, 3}}, « phases 1 à
    3 » → {1, 2, 3}), in folded text."""
    if not _PART_NOUN.search(folded):
        return {}
    out: dict[str, set[int]] = {}
    for m in _PART.finditer(folded):
        numbers = [int(n) for n in re.findall(r"\d+", m.group(2))]
        if re.search(r"\d\s*(?:a|à|-)\s*\d", m.group(2)) and len(numbers) == 2 and numbers[0] < numbers[1] <= 30:
            numbers = list(range(numbers[0], numbers[1] + 1))
        out.setdefault(m.group(1), set()).update(numbers)
    return {noun: frozenset(numbers) for noun, numbers in out.items()}
