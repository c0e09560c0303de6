"""Due dates: the day a clause's time limit ends, prolongations, and why an incident is no breach."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Sequence

from api.services.monitoring.grid import hours_in_row, level_hours, row_label
from api.services.monitoring.letters import _formal_notice_day
from api.services.monitoring.records import ACTING_KINDS, ANSWER_KINDS, _Contract, _Linked
from models.compliance import (
    add_duration,
    normalise_article,
)
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
    sims = [(a + b) / 2 for a, b in zip(char_similarities(query, texts), stem_similarities(query, texts))]
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
    sims = char_similarities(penalty.quote, [d.quote for d in deadlines])
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
    if facts.limit_at and facts.performed_at and facts.performed_at <= facts.limit_at:
        return (f"Exécution à {facts.performed_at.strftime('%H h %M')}, avant l'heure limite de "
                f"{facts.limit_at.strftime('%H h %M')} : pas de manquement.")
    if penalty is not None and penalty.unit == "heure" and facts.outage_hours is not None and penalty.grace_duration:
        grace = penalty.grace_duration * (24 if penalty.grace_unit == "jour" else 1)
        if facts.outage_hours <= grace + 1e-9:
            return (f"Durée de l'incident ({format_number(facts.outage_hours)} h) dans le délai de "
                    f"rétablissement de {format_number(grace)} h : pas de manquement.")
    return None


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
