"""Due dates: the day a clause's time limit ends, prolongations, and why an incident is no breach."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from collections.abc import Sequence

from api.services.monitoring.clauses import _acronyms, numbered_parts
from api.services.monitoring.grid import hours_in_row, level_hours, row_label
from api.services.monitoring.letters import _formal_notice_day, has_word
from api.services.monitoring.records import ACTING_KINDS, ANSWER_KINDS, _Contract, _Letter, _Linked
from models.compliance import (
    add_duration,
    normalise_article,
)
from models.compliance.ccag_rules import default_rule_for_quote
from models.compliance.fmt import format_date, format_number
from models.domain.types import (
    ContractInfo,
    Deadline,
    DurationUnit,
    Penalty,
)
from nlp.linking import (
    find_dates,
    fold,
    words_to_int,
)
from nlp.similarity import char_similarities, stem_similarities

# ------------------------------------------------------------------ dates the clause counts from

_ANCHORS: tuple[tuple[str, str], ...] = (
    # « dans les 15 jours suivant la fin de chaque trimestre civil »: a periodic deliverable
    (r"\bfin (?:de chaque|de chacun des|du|de la|de l'|de sa|de son)\s?(?:trimestre|semestre|mois|annee)", "period_end"),
    (r"rejet|refus|ajourn", "rejected_on"),
    (r"mise en demeure", "mise_en_demeure"),
    (r"reception|achevement", "reception_on"),
    (r"signalement|demande d'intervention|appel|declaration de l'incident|ticket", "reported_on"),
    (r"\bdemande\b|\bappel\b|sollicitation", "requested_on"),
    (r"bon de commande|commande", "order_on"),
    (r"ordre de service", "order_on"),
    (r"notification (?:du marche|de l'accord|du contrat)|notification$", "contract_notified"),
)

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
        if what == "period_end":
            day = _period_end_for(folded, facts.period_end)
            if day:
                return day, "fin de la période le"
            continue  # no period in the log: another event of the anchor may be dated
        if what == "reported_on":
            day = facts.reported_on or (facts.outage_start.date() if facts.outage_start else None) or inc.occurred_on
            return day, "signalement le"
        value = getattr(facts, what)
        if value:
            label = {"rejected_on": "rejet le", "reception_on": "réception le", "order_on": "commande notifiée le",
                     "requested_on": "demande du"}.get(what, "")
            if what == "order_on" and pattern == "ordre de service":
                label = "ordre de service du"
            return value, label
    return _named_event_day(anchor_text, linked)


def _named_event_day(anchor_text: str, linked: _Linked) -> tuple[dt.date | None, str]:
    """The event a time limit runs from, when the log names it with its date: anchor
    « suivant la réunion » and log « compte rendu de la réunion du 10/09/2025 »."""
    description = linked.incident.description
    folded = fold(description)
    # staff write « notifié 3/2 », « signalé lun. 12/5 9h »: a day without its year is placed
    # near the day the line was written
    written = linked.incident.reported_on or linked.incident.occurred_on
    for noun in re.findall(r"[a-z]{5,}", fold(anchor_text)):
        if noun in _ANCHOR_FILLERS:
            continue
        for m in _event_pattern(noun).finditer(folded):
            following = [d for d, start, _e in find_dates(description[m.end(): m.end() + 40], default_year=written)
                         if start <= 12]
            if following:
                return following[0], f"{description[m.start():m.end()]} du"
    return None, ""


# Months a period of each length ends in: a quarterly deliverable's period ends in March, June,
# September or December; the log's period must be one of the clause's (« 3e trimestre », not « août »).
_PERIOD_END_MONTHS = {"trimestre": (3, 6, 9, 12), "semestre": (6, 12), "annee": (12,)}


def _period_end_for(folded_anchor: str, period_end: dt.date | None) -> dt.date | None:
    """The end of the period the log speaks of, when it is a period of the kind the clause counts
    from: a quarter for « fin de chaque trimestre », a month for « fin de chaque mois »."""
    if period_end is None:
        return None
    m = re.search(r"(trimestre|semestre|mois|annee)", folded_anchor)
    months = _PERIOD_END_MONTHS.get(m.group(1)) if m else None
    if months is not None and period_end.month not in months:
        return None
    if (period_end + dt.timedelta(days=1)).day != 1:
        return None  # not the last day of a month: no calendar period ends there
    return period_end


# How a log names the event an anchor word means: a meeting (« réunion », « séance », « comité »)
# is « le cotech du 17/6 », « le copil du 3/3 ».
_MEETING = ("reunio", "seance", "comite", "cotech", "copil", "coproj")
_EVENT_SHORTHAND = {noun: _MEETING for noun in ("reunion", "reunions", "seance", "seances", "comite", "comites")}

@functools.lru_cache(maxsize=1024)  # a few hundred anchor words in a whole portfolio
def _event_pattern(noun: str) -> re.Pattern[str]:
    names = "|".join(re.escape(n) for n in (noun[:6], *_EVENT_SHORTHAND.get(noun, ())))
    return re.compile(r"\b(?:" + names + r")[a-z]*\b")


_ANCHOR_FILLERS = frozenset("compter suivant partir apres avant celle celui chaque cette fin date jour".split())


def _referenced_deadlines(penalty: Penalty, record: _Contract) -> list[Deadline]:
    """Deadlines of the article a clause points to (« dans le délai fixé à l'article 6.2 »)."""
    out = []
    folded = fold(penalty.quote)
    # « au point 5.2 »: CCAPs whose headings carry no « Article » word cite their points
    for m in re.finditer(r"(?:articles?|points?)\s+(\d+(?:\.\d+)*)", folded):
        number = m.group(1)
        if _CCAG_AFTER.match(folded, m.end()):
            continue  # « par dérogation à l'article 19.2.3 du CCAG-Travaux »: not a time limit of this contract
        for deadline in record.deadlines:
            article = normalise_article(deadline.article) or ""
            if article == number or article.startswith(number + "."):
                out.append(deadline)
    return out


_CCAG_AFTER = re.compile(r"[\s,]*(?:du|de l'|des)\s*(?:ccag|cahier des clauses administratives generales)")

# A penalty for late completion of the whole contract (« retard dans l'achèvement des travaux »)
# and the contract's execution period (« l'ensemble des travaux est exécuté dans un délai de 18
# semaines à compter de l'ordre de service de démarrage »): the same time limit in other words.
_COMPLETION_PENALTY = re.compile(
    r"achevement|retard (?:dans |d')(?:l')?execution|delai (?:global )?d'execution|fin des travaux|"
    r"retard (?:de|dans la) (?:fin|terminaison)")
_EXECUTION_TERM = re.compile(
    r"(?:travaux|prestations) (?:sont|est|seront|sera) (?:executee?s?|acheve(?:e?s?)|realisee?s?|terminee?s?)|"
    r"delai (?:global )?d'execution|ordre de service (?:[a-z']+ ){0,3}(?:demarrage|commencement|debut)|"
    r"achevement des travaux")
_SIMILAR_MIN = 0.15


def _deadline_affinity(acronyms: set[str], completion: bool, deadline: Deadline,
                       clause: str = "", log: str = "") -> tuple[float, str]:
    """What ties a clause to a time limit beyond shared words: the deliverable's acronym both
    name (« retard de remise du DOE » and « le titulaire remet le DOE sous 30 jours »), or a
    completion penalty and the contract's execution period, the SLA grid row of the level the
    clause names, the numbered part (« phase 2 ») the log and the time limit both name.
    `acronyms`, `completion`: the clause's acronyms and whether it prices late completion;
    `clause`, `log`: the clause and the log line, folded. Returns (bonus, why in French); a time
    limit of another numbered part is pushed down."""
    numbered = numbered_parts(log)
    if numbered:
        theirs = numbered_parts(fold(deadline.quote))
        for noun, numbers in numbered.items():
            if noun in theirs and numbers & theirs[noun]:
                return 0.2, f"« {noun} {min(numbers & theirs[noun])} » commun au journal et au délai"
            if noun in theirs:
                return -0.2, ""  # the time limit of another phase (« phase 1 » for a « phase 2 » report)
    shared = sorted(acronyms & _acronyms(deadline.quote)) if acronyms else []
    if shared:
        return 0.2, f"sigle « {shared[0]} » commun à la clause et au délai"
    if completion and _EXECUTION_TERM.search(fold(f"{deadline.quote} {deadline.anchor or ''}")):
        return 0.2, "pénalité de retard d'achèvement et délai d'exécution du marché"
    level = _grid_level(deadline.quote)
    if level and has_word(clause, level):
        # « dépassement du délai de rétablissement d'une panne majeure » and the SLA grid's
        # row « Majeure | … | 2 jours ouvrés »: the clause prices that level's time limit
        return 0.2, f"niveau « {level} » de la grille de service"
    return 0.0, ""


def _grid_level(quote: str) -> str | None:
    """The level a table row names in its first cell (« Majeure | … | 2 jours ouvrés »), folded;
    None for a sentence or a cell too long to be a level's name."""
    if "|" not in quote:
        return None
    first = fold(quote.split("|", 1)[0]).strip()
    return first if 3 <= len(first) <= 30 and len(first.split()) <= 3 else None


def _similar_deadline(linked: _Linked, record: _Contract, *, note: bool = True) -> Deadline | None:
    """The time limit a clause that cites none means: the contract's deadline that reads most
    like the incident and the clause, and whose starting event the log dates."""
    pool = [d for d in record.deadlines if d.party != "acheteur" and d.unit in ("heure", "jour", "semaine", "mois")]
    if not pool:
        return None
    query = f"{linked.incident.description} {linked.penalty.quote if linked.penalty else ''}"
    texts = [f"{d.quote} {d.anchor or ''}" for d in pool]
    sims = [(a + b) / 2 for a, b in zip(char_similarities(query, texts), stem_similarities(query, texts))]
    clause = linked.penalty.quote if linked.penalty else ""
    acronyms, completion = _acronyms(clause), bool(_COMPLETION_PENALTY.search(fold(clause)))
    log = fold(linked.incident.description)
    affinities = [_deadline_affinity(acronyms, completion, d, fold(clause), log) for d in pool]
    ranked = sorted(((sim + bonus, index) for index, (sim, (bonus, _w)) in enumerate(zip(sims, affinities))),
                    reverse=True)
    for score, index in ranked[:3]:
        deadline = pool[index]
        if score >= _SIMILAR_MIN and _anchor_day(deadline.anchor or deadline.quote, linked, record.info)[0]:
            why = affinities[index][1] or "proximité de texte"
            if note:
                linked.reviews.append(f"délai rattaché à la clause par {why} (art. {deadline.article}) : à vérifier")
            return deadline
    return None


# The contract's own delivery / execution time limit: what the CCAG default delay penalty runs
# after (FCS 2009 art. 14.1.1 [T]: penalties run « le lendemain du jour où le délai contractuel
# d'exécution des prestations est expiré »).
_EXECUTION_WORDS = re.compile(r"\blivr|\bexecut|\bachev|\bremis|\bremet|\bremise\b|\breali[sz]")


def _execution_deadline(linked: _Linked, record: _Contract) -> Deadline | None:
    """The time limit the CCAG default delay penalty means: the CCAP points to no article, so
    it is the contract's own delivery or execution period whose starting event the log dates
    (« BC notifié le 2/9 » and « livraison sous 7 jours à compter de la notification du bon de
    commande »). Day-counted limits first (the formula counts days of delay); the one reading
    most like the log line wins, and the finding says which was used."""
    pool = [d for d in record.deadlines if d.party != "acheteur" and d.unit in ("jour", "semaine", "mois")]
    pool = pool or [d for d in record.deadlines if d.party != "acheteur" and d.unit == "heure"]
    dated = [d for d in pool if _anchor_day(d.anchor or d.quote, linked, record.info)[0] is not None]
    if not dated:
        return None
    texts = [f"{d.quote} {d.anchor or ''}" for d in dated]
    query = linked.incident.description
    sims = [(a + b) / 2 for a, b in zip(char_similarities(query, texts), stem_similarities(query, texts))]
    scored = [(sim + (0.2 if _EXECUTION_WORDS.search(fold(d.quote)) else 0.0), -i) for i, (sim, d)
              in enumerate(zip(sims, dated))]
    best = dated[-max(scored)[1]]
    linked.reviews.append(f"pénalité par défaut du CCAG comptée à partir du délai d'exécution de l'art. "
                          f"{best.article} du marché : à vérifier")
    return best


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
    sims = char_similarities(penalty.quote, [d.quote for d in deadlines])
    return deadlines[max(range(len(deadlines)), key=lambda i: sims[i])]


def _due_and_penalty(linked: _Linked, record: _Contract,
                     grants: Sequence[_Letter] = ()) -> tuple[dt.date | None, Penalty, str]:
    """Last day of the time limit, the clause to compute with, and how the day was found.
    `grants`: the contract's orders of service and amendments granting a prolongation; one that
    prolongs the very article whose time limit sets the due date applies to this incident."""
    facts, penalty = linked.facts, linked.penalty
    assert penalty is not None
    referenced = _referenced_deadlines(penalty, record)
    if not penalty.started_unit_counts and re.search(
            r"(heure|journee|jour|semaine|mois)s? (commencee|entamee)", fold(penalty.quote)):
        # safety net: the clause says a started unit counts in full even if the flag was missed
        penalty = dataclasses.replace(penalty, started_unit_counts=True)
    if penalty.unit == "heure":
        if facts.limit_at is not None and facts.performed_at is not None:
            # the log writes the clock limit itself (« heure limite 7h00 »): the late time runs
            # from it, and the clause's free time is already inside that limit
            cleared = dataclasses.replace(penalty, grace_duration=None, grace_unit=None)
            return None, cleared, f"heure limite {facts.limit_at.strftime('%H h %M')} (journal)"
        text = ""
        if not penalty.grace_duration:
            # « dépassement du délai de rétablissement fixé à l'article 4.2.1 »: the free
            # time is the hour limit of that article that reads most like the clause
            hours = [d for d in referenced if d.unit == "heure"] or [
                d for d in record.deadlines if d.unit == "heure" and _same_sentence(d, penalty)]
            label = row_label(penalty.quote)
            grid = level_hours(label, record.texts) if label and not hours else None
            own_hours = hours_in_row(penalty.quote) if not hours and grid is None else None
            if hours:
                chosen = _closest_deadline(penalty, hours)
                penalty = dataclasses.replace(penalty, grace_duration=chosen.duration, grace_unit="heure")
            elif grid is not None and label:
                # an SLA grid: the level's time is in another table of the contract
                penalty = dataclasses.replace(penalty, grace_duration=grid, grace_unit="heure")
                text = f"délai du niveau « {label} » : {format_number(grid)} h (grille du contrat)"
            elif own_hours is not None:
                penalty = dataclasses.replace(penalty, grace_duration=own_hours, grace_unit="heure")
                text = f"délai de {format_number(own_hours)} h écrit dans la clause"
            elif re.search(r"depassement|au-dela|retard", fold(penalty.quote)):
                linked.reviews.append("délai applicable à cette clause horaire non trouvé : heures comptées "
                                      "depuis le début de l'incident, à vérifier")
        return None, penalty, text
    if penalty.unit == "occurrence" or penalty.basis in ("fixed", "percent"):
        return None, penalty, ""
    if facts.postponed_to and any(h.code == "demande_acheteur" for h in facts.not_breach_hints):
        return facts.postponed_to, penalty, f"date reportée à la demande de l'acheteur : {format_date(facts.postponed_to)}"
    if facts.due_on:
        # the log's date is the original one (« au lieu du 25/8 prévu »): an order of service
        # prolonging the time limit it comes from still moves it
        if grants and not facts.due_includes_extension:
            days_referenced = [d for d in referenced if d.unit != "heure"]
            source = (_closest_deadline(penalty, days_referenced) if days_referenced
                      else _similar_deadline(linked, record, note=False))
            if source is not None:
                _add_cited_extensions(linked, source, grants)
        return facts.due_on, penalty, f"échéance du {format_date(facts.due_on)} (journal)"
    if "mise en demeure" in fold(penalty.quote):
        # « après mise en demeure restée sans effet à l'expiration du délai qu'elle fixe »: the
        # time is the one the mise en demeure gave, counted from its date
        notice, given = _formal_notice_day(linked), _notice_time(linked)
        if notice and given:
            due = add_duration(notice, given[0], given[1])
            return due, penalty, (f"mise en demeure du {format_date(notice)} + {format_number(given[0])} "
                                  f"{_UNIT_FR[given[1]]} = {format_date(due)}")
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
    if timed:
        deadline: Deadline | None = _closest_deadline(penalty, timed)
    elif linked.clause_path is None and default_rule_for_quote(penalty.quote) is not None:
        deadline = _execution_deadline(linked, record)
    else:
        deadline = _similar_deadline(linked, record)
    if deadline is not None:
        day, label = _anchor_day(deadline.anchor, linked, record.info) if deadline.anchor else (None, "")
        if day is None:
            day, label = _anchor_day(deadline.quote, linked, record.info)
        if day:
            due = add_duration(day, deadline.duration, deadline.unit, deadline.day_type)
            _add_cited_extensions(linked, deadline, grants)
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


_FORMAL_GRANTS = ("ordre_de_service", "avenant")


def granting_acts(letters: Sequence[_Letter]) -> list[_Letter]:
    """The buyer's orders of service and amendments that grant a prolongation of some time limit."""
    return [lt for lt in letters if lt.kind in _FORMAL_GRANTS and lt.corr.granted_extension_days
            and lt.corr.direction != "entrant"]


def _add_cited_extensions(linked: _Linked, deadline: Deadline, grants: Sequence[_Letter]) -> None:
    """« Le délai d'exécution fixé à l'article 4.1 du CCAP est prolongé de 10 jours » (an OS or an
    avenant) moves the due date of every incident whose time limit is that of article 4.1, even
    when the act names neither the incident's day nor its words: a prolongation stops the
    penalties for the days it grants (FACTS §2.4 [T], FCS 2009 art. 13.3)."""
    article = normalise_article(deadline.article)
    if not article:
        return
    for letter in grants:
        if article not in letter.cited_articles or letter in linked.extensions:
            continue
        # an act prolonging the delivery time of one order (« BC 26-014 ») leaves the others alone
        orders = {k for k in letter.order_keys if not k.startswith(("OS:", "AVENANT:"))}
        if orders and not orders & linked.order_keys:
            continue
        # nor does one prolonging « la phase 3 » move the time limit of phase 2 under the same article
        if _other_parts(numbered_parts(linked.folded_description), numbered_parts(letter.folded_text)):
            continue
        linked.extensions.append(letter)


def _other_parts(ours: dict[str, frozenset[int]], theirs: dict[str, frozenset[int]]) -> bool:
    """Both name numbered parts of the same kind, and none in common."""
    return any(noun in theirs and not numbers & theirs[noun] for noun, numbers in ours.items())


# ------------------------------------------------------------------ breach decision

def _extension_days(linked: _Linked) -> tuple[int, str]:
    """Days granted for this incident's deadline: orders of service and amendments add up
    (each grants its own days); other letters only recall a prolongation, so count once."""
    if linked.facts.due_includes_extension:
        return 0, ""  # the log's due date already carries it
    # a penalty letter or an answer only recalls a prolongation granted elsewhere, for any of
    # the contract's deadlines: it grants nothing to this one
    granting = [lt for lt in linked.extensions if lt.kind not in ACTING_KINDS | ANSWER_KINDS]
    formal = {lt.path: lt for lt in granting if lt.kind in ("ordre_de_service", "avenant")}
    if formal:
        days = sum(lt.corr.granted_extension_days or 0 for lt in formal.values())
        return days, ", ".join(sorted(formal))
    if granting:
        best = max(granting, key=lambda lt: lt.corr.granted_extension_days or 0)
        return best.corr.granted_extension_days or 0, best.path
    return 0, ""

def _not_breach_reason(linked: _Linked, penalty: Penalty | None, due: dt.date | None = None) -> str | None:
    """Why the incident is no breach, in French, or None. `due`: the due date found for it,
    when one was (the computation then decides whether a prolongation covers the delay)."""
    facts = linked.facts
    for hint in facts.not_breach_hints:
        if hint.code == "demande_acheteur" and facts.postponed_to and facts.performed_on \
                and facts.performed_on > facts.postponed_to:
            continue  # postponed at the buyer's request, but late even on the new date
        if hint.code in ("demande_acheteur", "defaillance_acheteur"):
            return hint.reason
        if hint.code == "prolongation":
            reason = _covered_by_prolongation(linked, due)
            if reason:
                return reason
        if hint.code == "absence_justifiee":
            reason = _excused_absence(linked, penalty)
            if reason:
                return reason
        if hint.code == "intemperies":
            days, source = _extension_days(linked)
            if days and (due is None or not (facts.performed_on or facts.never_performed)):
                # with a due date, the computation adds the days and counts any delay left
                return f"Arrêt pour intempéries couvert par la prolongation de {days} jours accordée ({source})."
            if facts.failing_type in ("autre", "retard") and facts.due_on is None:
                return hint.reason
    if facts.limit_at and facts.performed_at and facts.performed_at <= facts.limit_at:
        return (f"Exécution à {facts.performed_at.strftime('%H h %M')}, avant l'heure limite de "
                f"{facts.limit_at.strftime('%H h %M')} : pas de manquement.")
    if penalty is not None and penalty.unit == "heure" and facts.outage_hours is not None and penalty.grace_duration:
        grace = penalty.grace_duration * (24 if penalty.grace_unit == "jour" else 1)
        if facts.outage_hours <= grace + 1e-9:
            return (f"Durée de l'incident ({format_number(facts.outage_hours)} h) dans le délai de "
                    f"rétablissement de {format_number(grace)} h : pas de manquement.")
    return None


def _covered_by_prolongation(linked: _Linked, due: dt.date | None) -> str | None:
    """The log says a prolongation covers the delay (« prolongation accordée par OS n° 4 »): no
    breach when an order of service or an amendment granting days is tied to the incident and no
    due date was found to count from (an interruption, not a late completion). Time extensions
    stop penalties (FACTS §2.4 [T]). Without such an act in the file, the breach stays, to be checked."""
    facts = linked.facts
    formal = {lt.path: lt for lt in linked.extensions if lt.kind in _FORMAL_GRANTS}
    days = sum(lt.corr.granted_extension_days or 0 for lt in formal.values())
    if not days:
        linked.reviews.append("prolongation de délai mentionnée au journal, mais aucun ordre de service ni avenant "
                              "l'accordant n'est rattaché à l'incident : joindre l'acte ou vérifier")
        return None
    if due is not None and (facts.performed_on or facts.never_performed):
        return None  # the computation adds the granted days to the due date and counts what remains
    return (f"Retard couvert par la prolongation de {days} jours accordée ({', '.join(sorted(formal))}) : "
            "pas de manquement.")


# A clause that penalises only an absence not justified in writing beforehand (« sans
# justification écrite préalable », « sauf excuse écrite adressée la veille »): the clause
# itself makes a prior written notice an excuse.
_WRITTEN_EXCUSE_CLAUSE = re.compile(
    r"(?:\b(?:sans|sauf|hors|non)\s|\ba defaut d(?:e\s|')|\ben l'absence d(?:e\s|'))(?:[a-z']+\s){0,4}?"
    r"(?:justifi|justificatif|excus|motif|avert|prevenu|prevenant|inform|signal)[a-z]*\s"
    r"(?:[a-z'0-9()]+\s){0,5}?(?:par\s)?(?:ecrit|courrier|courriel|lettre|mail)")
_PRIOR_IN_CLAUSE = re.compile(r"prealab|au prealable|a l'avance|\bavant\b|la veille")
_WRITTEN_IN_LOG = re.compile(r"\b(?:par (?:un |une )?(?:courrier|courriel|ecrit|lettre|mail|e-mail|message ecrit))\b")
_PRIOR_IN_LOG = re.compile(r"\bau prealable\b|\ba l'avance\b|\bla veille\b|\bprealablement\b")
_NOTICE_HOURS = re.compile(r"(\d{1,3})\s?(?:\(\d{1,3}\)\s?)?(heures?|h|jours?)\s(?:au moins\s)?(?:avant|a l'avance)")


def _excused_absence(linked: _Linked, penalty: Penalty | None) -> str | None:
    """An absence the log says was announced in writing beforehand is no breach only when the
    clause penalises solely an absence « sans justification écrite préalable » and the log shows
    a written notice dated before the meeting (and early enough when the clause sets a notice
    time). Otherwise the penalty stands, with a note for the contract manager."""
    if penalty is None or penalty.trigger != "absence":
        return None
    clause = fold(penalty.quote)
    where = f"art. {penalty.article}" if penalty.article else "la clause"
    if not _WRITTEN_EXCUSE_CLAUSE.search(clause):
        linked.reviews.append(f"absence annoncée au journal, mais {where} ne prévoit aucune excuse par "
                              "justification écrite : pénalité maintenue, à vérifier")
        return None
    folded = linked.folded_description
    written = _WRITTEN_IN_LOG.search(folded)
    meeting = linked.incident.occurred_on
    notice_day = None
    if written:
        following = [d for d, start, _e in find_dates(linked.incident.description[written.end(): written.end() + 40])
                     if start <= 6]
        notice_day = following[0] if following else None
    beforehand = bool(notice_day and meeting and notice_day < meeting) or bool(
        written and notice_day is None and _PRIOR_IN_LOG.search(folded))
    if not written or not beforehand:
        linked.reviews.append(f"absence annoncée au journal : vérifier qu'une justification écrite a été reçue "
                              f"avant la réunion ({where} n'exonère que dans ce cas)")
        return None
    notice = _NOTICE_HOURS.search(clause)
    if notice and _PRIOR_IN_CLAUSE.search(clause):
        needed_days = int(notice.group(1)) / (24 if notice.group(2).startswith("h") else 1)
        if notice_day is None or meeting is None or (meeting - notice_day).days < needed_days:
            linked.reviews.append(f"absence annoncée par écrit : vérifier qu'elle l'a été dans le délai de "
                                  f"prévenance de {where}")
            return None
    said = f"courrier du {format_date(notice_day)}" if notice_day else "écrit préalable"
    return (f"Absence justifiée par écrit avant la réunion ({said}) : {where} ne pénalise que l'absence sans "
            "justification écrite préalable, pas de manquement.")


_NOTICE_TIME = re.compile(r"\bdelai (?:de |d'un |d'une )?(\d{1,3}|[a-z]+(?: \(\d{1,3}\))?) ?(h|heures?|jours?|semaines?)\b")


def _notice_time(linked: _Linked) -> tuple[float, DurationUnit] | None:
    """The time a mise en demeure gave: the linked letter's, else the log's words next to it
    (« malgré la mise en demeure du 10/06 (délai de 48 h) »)."""
    for letter, _score in linked.actions:
        if letter.kind == "mise_en_demeure" and letter.corr.deadline_days:
            return float(letter.corr.deadline_days), "jour"
    folded = fold(linked.incident.description)
    at = folded.find("mise en demeure")
    if at < 0:
        return None
    m = _NOTICE_TIME.search(folded[at: at + 80])
    if not m:
        return None
    raw = m.group(1)
    inside = re.search(r"\((\d{1,3})\)", raw)
    value = int(inside.group(1)) if inside else words_to_int(raw)
    if not value:
        return None
    unit = m.group(2)
    kind: DurationUnit = "heure" if unit.startswith("h") else "semaine" if unit.startswith("s") else "jour"
    return float(value), kind
