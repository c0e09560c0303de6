"""The deadlines calendar (« Échéances »): every dated obligation of a contract file.

Pure: the caller gathers one `ContractFile` per contract (its metadata, the deadlines and
obligations extracted from its contract documents, its dated letters) and passes `as_of`.

Where dates come from, and how sure they are (`verified`):
- contract end: notification + duration, months « de quantième en quantième » (CCAG-FCS
  2009 art. 3.2.3 [T]); confirmed when a contract clause counts the duration from the
  notification, otherwise « à vérifier » (the duration may run from another event);
- the contract's own délais anchored on an event Vigie has a date for: the notification of
  the contract, a bon de commande or an ordre de service in the file, the end of each month
  or quarter (recurring reports). Days are counted by `add_duration` (FCS 2009 art. 3.2 [T]);
- CCAG time limits only from `ccag_rules` (FACTS.md [T]/[S]; [U] → verified=False):
  réclamation window and the buyer's answer (FCS 2009 art. 37 [T], Travaux 2009 art. 50 [T]),
  décompte de résiliation (FCS 2009 art. 34.5 [T]), 15-day invitation to comment (2021 [S]),
  observations on a bon de commande / ordre de service (FCS 2009 art. 3.7, 3.8 [T]);
- the time a letter gives (mise en demeure, invitation to comment): its `deadline_days`.
A recurring obligation whose text gives no computable date is listed undated, never guessed.
Time limits for the buyer are not extended past weekends (conservative, as in `engine`).
"""

from __future__ import annotations

import calendar as _stdcal
import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Literal

from models.compliance.calendar import DAY_TYPE_LABELS, add_duration, add_months, next_working_day
from models.compliance.ccag_rules import CcagRule, ccag_defaults, normalise_ccag, resolve_version
from models.compliance.fmt import format_date, format_number
from models.domain.types import ContractInfo, Deadline, DurationUnit, Obligation, Party

__all__ = [
    "DueKind",
    "DueStatus",
    "DueItem",
    "SourcedDeadline",
    "SourcedObligation",
    "DatedLetter",
    "ContractFile",
    "DUE_KIND_LABELS",
    "DUE_STATUS_LABELS",
    "SCHEDULE_RULES_VERSION",
    "contract_schedule",
    "contract_term_items",
    "anchored_deadline_items",
    "letter_items",
    "recurring_items",
    "due_status",
    "select_window",
    "sort_for_display",
    "with_status",
]

DueKind = Literal["livraison", "rapport", "reconduction", "fin_marche", "garantie", "reclamation",
                  "observations", "decompte", "mise_en_demeure", "autre"]
DueStatus = Literal["a_venir", "en_retard", "echu", "fait", "non_date"]

DUE_KIND_LABELS: dict[str, str] = {
    "livraison": "Livraison / exécution", "rapport": "Rapport", "reconduction": "Reconduction",
    "fin_marche": "Fin du marché", "garantie": "Garantie", "reclamation": "Réclamation",
    "observations": "Observations", "decompte": "Décompte", "mise_en_demeure": "Mise en demeure",
    "autre": "Autre échéance",
}
DUE_STATUS_LABELS: dict[str, str] = {
    "a_venir": "à venir", "en_retard": "dépassée (exécution à vérifier)", "echu": "délai clos",
    "fait": "acte au dossier", "non_date": "date non calculable",
}

# Kinds whose date is a window that simply closes (a term, a right to act that lapses):
# once passed they are « échus », not « en retard ».
_LAPSING: frozenset[str] = frozenset({"fin_marche", "garantie", "reclamation", "observations"})

SCHEDULE_RULES_VERSION = "vigie.schedule.v1"


@dataclass(frozen=True)
class DueItem:
    due: dt.date | None  # None: a recurring obligation whose date the text does not give
    kind: DueKind
    contract_ref: str | None
    label_fr: str
    source_path: str | None
    source_article: str | None
    source_quote: str
    computation_fr: str
    verified: bool
    status: DueStatus
    party: Party | None = None  # who must act by `due` (None: a term, nobody acts)
    review_reason: str | None = None  # French, set when not verified
    rule: str = ""  # id of the CCAG rule or of the contract clause rule used
    done_by: str | None = None  # the buyer's act in the file that meets this item (status « fait »)


@dataclass(frozen=True)
class SourcedDeadline:
    path: str
    deadline: Deadline


@dataclass(frozen=True)
class SourcedObligation:
    path: str
    obligation: Obligation


@dataclass(frozen=True)
class DatedLetter:
    """A letter, order or PV of the file, as far as the calendar needs it."""

    path: str
    kind: str  # DocumentKind
    date: dt.date | None
    direction: str | None = None  # entrant / sortant / interne
    deadline_days: int | None = None  # time the letter gives, in days
    subject: str | None = None
    # True when the letter's date is its receipt (e-mail, dated acknowledgement): time limits
    # run from notification (FCS 2009 art. 2 [T]), which is otherwise unknown
    received_on_date: bool = False


@dataclass(frozen=True)
class ContractFile:
    contract: ContractInfo
    deadlines: tuple[SourcedDeadline, ...] = ()
    obligations: tuple[SourcedObligation, ...] = ()
    letters: tuple[DatedLetter, ...] = ()
    # (path, article, text) of the contract's clauses, for clauses no extractor itemises (reconduction)
    texts: tuple[tuple[str, str | None, str], ...] = ()


# ------------------------------------------------------------------ helpers

@lru_cache(maxsize=8192)  # the same quotes are folded once per order letter
def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower().replace("’", "'"))
    return "".join(c for c in text if not unicodedata.combining(c))


def due_status(due: dt.date | None, kind: str, as_of: dt.date) -> DueStatus:
    """à venir until the due day inclusive (it ends at midnight, FCS 2009 3.2.2 [T]); after
    it, a lapsing window is « échu » and anything else « en retard »."""
    if due is None:
        return "non_date"
    if due >= as_of:
        return "a_venir"
    return "echu" if kind in _LAPSING else "en_retard"


def _item(*, due: dt.date | None, kind: DueKind, contract: ContractInfo, label: str, path: str | None,
          article: str | None, quote: str, computation: str, as_of: dt.date, verified: bool = True,
          party: Party | None = None, reason: str | None = None, rule: str = "") -> DueItem:
    return DueItem(due=due, kind=kind, contract_ref=contract.ref, label_fr=label, source_path=path,
                   source_article=article, source_quote=quote, computation_fr=computation,
                   verified=verified and reason is None, status=due_status(due, kind, as_of), party=party,
                   review_reason=reason, rule=rule)


_UNIT_FR = {"heure": ("heure", "heures"), "jour": ("jour", "jours"), "semaine": ("semaine", "semaines"),
            "mois": ("mois", "mois"), "an": ("an", "ans")}


def _duration_fr(value: float, unit: DurationUnit, day_type: str | None = None) -> str:
    one, many = _UNIT_FR[unit]
    words = one if value == 1 else many
    if unit == "jour" and day_type in ("ouvre", "ouvrable"):
        words = DAY_TYPE_LABELS[day_type] if value != 1 else f"jour {'ouvré' if day_type == 'ouvre' else 'ouvrable'}"
    return f"{format_number(value)} {words}"


def _extension_note(start: dt.date, value: float, unit: DurationUnit, day_type: str | None) -> str:
    raw = add_duration(start, value, unit, day_type, extend_to_working_day=False)  # type: ignore[arg-type]
    extended = add_duration(start, value, unit, day_type)  # type: ignore[arg-type]
    if raw == extended:
        return ""
    return (f" ; le {format_date(raw)} étant un samedi, un dimanche ou un jour férié, le délai est prorogé au "
            f"premier jour ouvrable suivant (CCAG-FCS 2009 art. 3.2.4)")


_KIND_PATTERNS: tuple[tuple[DueKind, str], ...] = (
    ("reclamation", r"reclamation"),
    ("observations", r"observations|reserves"),
    ("decompte", r"decompte"),
    ("reconduction", r"reconduct|reconduit"),
    ("garantie", r"garanti"),
    ("rapport", r"\brapports?\b|compte[- ]rendu|comptes[- ]rendus|\bbilans?\b|tableau de bord|\breporting\b"),
    ("livraison", r"livr|\bfourni|\bexecut|\binterven|\brealis|\bremet|\bremis|\bremise|\btransmet|\bpose|"
                  r"\binstall|\bmise en (?:service|place)|\bdeploi|\bachev"),
)


@lru_cache(maxsize=8192)
def _classify(text: str) -> DueKind:
    folded = _fold(text)
    for kind, pattern in _KIND_PATTERNS:
        if re.search(pattern, folded):
            return kind
    return "autre"


def _short(quote: str, limit: int = 110) -> str:
    quote = " ".join(quote.split())
    return quote if len(quote) <= limit else quote[: limit - 1].rstrip() + "…"


def _defaults(contract: ContractInfo) -> tuple[str, object | None]:
    version = resolve_version(contract.ccag, contract.ccag_version, contract.notified_on)
    return (normalise_ccag(contract.ccag) or "", ccag_defaults(contract.ccag, version))


def _rule_reason(rule: CcagRule) -> str | None:
    return None if rule.verified else f"règle non vérifiée dans le texte officiel ({rule.citation}, FACTS.md [U])"


# ------------------------------------------------------------------ contract term, renewals, résiliation

_NOTIFICATION_ANCHOR = re.compile(
    r"^(?:la |l')?(?:date de (?:la )?)?notification(?: (?:du |de l'|de la )(?:present |presente )?"
    r"(?:marche|accord-cadre|contrat|convention))?$")
_TERM_WORDS = re.compile(r"\bduree\b|prend effet|\bconclu|\bcourt\b|\bdure\b")


def _is_bare_notification(anchor: str | None) -> bool:
    """« à compter de la notification » with no object: most likely the contract's, not certainly."""
    return _fold(anchor or "").strip(" .") in ("notification", "la notification", "date de notification",
                                                "la date de notification")


_RECEPTION_ANCHOR = re.compile(
    r"\badmission\b|\breception (?:des|de la|du|de l')\s*(?:prestations?|fournitures?|travaux|ouvrages?|"
    r"materiels?|equipements?|installations?|livraison)|^(?:la |l')?(?:date de (?:la )?)?reception$|"
    r"proces-verbal de reception|\bpv de reception")


def _is_contract_notification(anchor: str | None) -> bool:
    if not anchor:
        return False
    folded = _fold(anchor).strip(" .")
    # a bare « notification » is accepted too, and flagged by the caller (_is_bare_notification)
    return bool(_NOTIFICATION_ANCHOR.match(folded))


def _in_months(deadline: Deadline) -> int | None:
    if deadline.unit == "mois" and deadline.duration == int(deadline.duration):
        return int(deadline.duration)
    if deadline.unit == "an" and deadline.duration * 12 == int(deadline.duration * 12):
        return int(deadline.duration * 12)
    return None


def _term_clause(file: ContractFile, months: int) -> SourcedDeadline | None:
    """A contract clause giving this duration counted from the notification."""
    for sd in file.deadlines:
        d = sd.deadline
        if (_in_months(d) == months and _TERM_WORDS.search(_fold(d.quote)) and "garanti" not in _fold(d.quote)
                and re.search(r"notification", _fold(d.anchor or d.quote))):
            return sd
    return None


def contract_term_items(file: ContractFile, *, as_of: dt.date) -> list[DueItem]:
    """End of the contract (or its résiliation) and the décompte de résiliation it calls for."""
    c = file.contract
    items: list[DueItem] = []
    if c.terminated is not None:
        items.append(_item(
            due=c.terminated.on, kind="fin_marche", contract=c,
            label=f"Fin du marché par résiliation ({_TERMINATION_FR.get(c.terminated.kind, 'autre motif')})",
            path=c.terminated.document, article=None, quote="",
            computation=f"date d'effet de la résiliation enregistrée au dossier : {format_date(c.terminated.on)}",
            as_of=as_of))
        name, defaults = _defaults(c)
        rule = getattr(defaults, "termination_account", None)
        if isinstance(rule, CcagRule) and rule.value is not None and rule.unit is not None:
            due = add_duration(c.terminated.on, rule.value, rule.unit, extend_to_working_day=False)
            items.append(_item(
                due=due, kind="decompte", contract=c, party="acheteur",
                label="Notifier le décompte de résiliation au titulaire",
                path=c.terminated.document, article=rule.article, quote=rule.summary_fr,
                computation=(f"date d'effet {format_date(c.terminated.on)} + {_duration_fr(rule.value, rule.unit)} "
                             f"({rule.citation}) = {format_date(due)} (date limite non prorogée : délai de "
                             "l'acheteur compté au plus court)"),
                as_of=as_of, reason=_rule_reason(rule), rule=rule.id))
        return items
    if c.notified_on is None or c.duration_months is None:
        return items
    end = add_months(c.notified_on, c.duration_months)
    clause = _term_clause(file, c.duration_months)
    computation = (f"notification le {format_date(c.notified_on)} + {c.duration_months} mois, de quantième en "
                   f"quantième (CCAG-FCS 2009 art. 3.2.3) = {format_date(end)}")
    reason = None
    if clause is None:
        reason = ("durée du marché lue dans les métadonnées ; aucune clause trouvée la faisant courir de la "
                  "notification (vérifier le point de départ et les reconductions éventuelles)")
    renewals = _renewal_items(file, as_of=as_of)
    label = "Fin du marché (terme de la durée)"
    if renewals:
        label += " — marché reconductible : voir les échéances de reconduction"
    items.append(_item(
        due=end, kind="fin_marche", contract=c, label=label,
        path=clause.path if clause else None, article=clause.deadline.article if clause else None,
        quote=clause.deadline.quote if clause else "", computation=computation, as_of=as_of, reason=reason,
        rule="contrat.duree"))
    items.extend(renewals)
    return items


_TERMINATION_FR = {"faute": "pour faute", "interet_general": "pour motif d'intérêt général", "autre": "autre motif"}
_WORD_NUMBERS = {"un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "douze": 12,
                 "dix-huit": 18, "vingt-quatre": 24, "trente-six": 36, "quarante-huit": 48}
_NUMBER = r"(\d{1,3}|une?|deux|trois|quatre|cinq|six|douze|dix-huit|vingt-quatre|trente-six|quarante-huit)(?:\s*\(\d{1,2}\))?"
_RENEW_COUNT = re.compile(rf"\b{_NUMBER}\s+fois\b")
_RENEW_PERIOD = re.compile(rf"\bperiodes?\s+(?:successives?\s+)?(?:de|d')\s*{_NUMBER}\s+(mois|ans?)\b")
_RENEW_NOTICE = re.compile(
    rf"\b{_NUMBER}\s+(mois|jours?)\s+(?:calendaires\s+)?(?:au moins\s+|au plus tard\s+)?avant\s+"
    r"(?:la |l')?(?:date (?:d'|de (?:l')?|de la )?)?(?:echeance|expiration|terme|fin|anniversaire)")


def _number(text: str) -> int:
    return int(text) if text.isdigit() else _WORD_NUMBERS[text]


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.;])\s+|\n+", text) if s.strip()]


def _renewal_items(file: ContractFile, *, as_of: dt.date) -> list[DueItem]:
    """Renewal dates from the contract's own reconduction clause (period, count, notice).

    The initial term must come from a clause counting it from the notification: renewal
    dates are never built on the metadata duration alone (it may include the renewals).
    """
    c = file.contract
    assert c.notified_on is not None
    found: tuple[str, str | None, str, int, int | None, tuple[int, DurationUnit] | None] | None = None
    for path, article, text in (*file.texts, *((sd.path, sd.deadline.article, sd.deadline.quote)
                                               for sd in file.deadlines)):
        for sentence in _sentences(text):
            folded = _fold(sentence)
            if not re.search(r"reconduc|reconduit", folded):
                continue
            period_m = _RENEW_PERIOD.search(folded)
            if period_m is None:
                continue
            months = _number(period_m.group(1)) * (12 if period_m.group(2).startswith("an") else 1)
            count_m = _RENEW_COUNT.search(folded)
            # the notice may sit in the next sentence of the same clause
            notice_m = _RENEW_NOTICE.search(folded) or _RENEW_NOTICE.search(_fold(text))
            notice: tuple[int, DurationUnit] | None = (
                (_number(notice_m.group(1)), "mois" if notice_m.group(2) == "mois" else "jour") if notice_m else None)
            found = (path, article, " ".join(sentence.split()), months,
                     _number(count_m.group(1)) if count_m else None, notice)
            break
        if found:
            break
    if found is None:
        return []
    path, article, quote, period, count, notice = found
    initial = _initial_term(file)
    if initial is None or count is None:
        missing = "durée initiale comptée de la notification" if initial is None else "nombre de reconductions"
        return [_item(due=None, kind="reconduction", contract=c, label="Reconduction du marché",
                      path=path, article=article, quote=quote,
                      computation=f"clause de reconduction lue, mais {missing} introuvable : dates non calculées",
                      as_of=as_of, reason=f"{missing} non identifié(e) dans les pièces", rule="contrat.reconduction")]
    out: list[DueItem] = []
    for n in range(count):
        months = initial + n * period
        anniversary = add_months(c.notified_on, months)
        out.append(_item(
            due=anniversary, kind="reconduction", contract=c,
            label=f"Terme de la période en cours : reconduction n° {n + 1} sur {count}",
            path=path, article=article, quote=quote, as_of=as_of, rule="contrat.reconduction",
            computation=(f"notification le {format_date(c.notified_on)} + {months} mois (durée initiale {initial} "
                         f"mois, puis périodes de {period} mois ; de quantième en quantième, CCAG-FCS 2009 art. 3.2.3)"
                         f" = {format_date(anniversary)}")))
        if notice is not None:
            value, unit = notice
            decide_by = (add_months(anniversary, -value) if unit == "mois"
                         else anniversary - dt.timedelta(days=value))
            out.append(_item(
                due=decide_by, kind="reconduction", contract=c, party="acheteur",
                label=f"Décider et notifier la reconduction n° {n + 1} ou la non-reconduction",
                path=path, article=article, quote=quote, as_of=as_of, rule="contrat.reconduction.preavis",
                computation=(f"terme {format_date(anniversary)} − {_duration_fr(value, unit)} de préavis (clause du "
                             f"marché) = {format_date(decide_by)} (date limite non prorogée)")))
    return out


def _initial_term(file: ContractFile) -> int | None:
    for sd in file.deadlines:
        d = sd.deadline
        folded = _fold(d.quote)
        if _in_months(d) and _TERM_WORDS.search(folded) and re.search(r"notification", _fold(d.anchor or d.quote)):
            return _in_months(d)
    return None


# ------------------------------------------------------------------ contract délais anchored on known events

_ORDER_ANCHORS: tuple[tuple[str, str, str], ...] = (
    (r"\bbons? de commande\b|^(?:la |l')?(?:notification |reception |emission |date )?(?:de (?:la |l')?)?commande\b",
     "bon_de_commande", "bon de commande"),
    (r"\bordres? de service\b", "ordre_de_service", "ordre de service"),
    (r"\bmise en demeure\b", "mise_en_demeure", "mise en demeure"),
)
# (indefinite, definite, « de » forms) of each act, for the French sentences
_ACT_WORDS = {
    "bon_de_commande": ("un bon de commande", "le bon de commande", "du bon de commande"),
    "ordre_de_service": ("un ordre de service", "l'ordre de service", "de l'ordre de service"),
    "mise_en_demeure": ("une mise en demeure", "la mise en demeure", "de la mise en demeure"),
}


@lru_cache(maxsize=4096)
def _order_kind(anchor: str | None) -> tuple[str, str] | None:
    if not anchor:
        return None
    folded = _fold(anchor).strip()
    for pattern, kind, name in _ORDER_ANCHORS:
        if re.search(pattern, folded):
            return kind, name
    return None


def _deadline_label(d: Deadline, kind: DueKind, event: str) -> str:
    who = {"titulaire": "Titulaire", "acheteur": "Acheteur"}.get(d.party or "", "Échéance")
    return f"{who} : {DUE_KIND_LABELS[kind].lower()} — {_duration_fr(d.duration, d.unit, d.day_type)} après {event}"


def anchored_deadline_items(file: ContractFile, *, as_of: dt.date) -> list[DueItem]:
    """The contract's délais that run from the notification or from a bon de commande / OS of the file."""
    c = file.contract
    items: list[DueItem] = []
    order_deadlines: dict[str, list[SourcedDeadline]] = {}
    for sd in file.deadlines:
        d = sd.deadline
        folded_quote = _fold(d.quote)
        if (_TERM_WORDS.search(folded_quote) and d.unit in ("mois", "an") and d.party is None
                and re.search(r"\b(?:marche|accord-cadre|contrat)\b", folded_quote) and "garanti" not in folded_quote):
            continue  # the contract's duration: see contract_term_items
        if re.search(r"reconduc|reconduit", folded_quote):
            continue  # renewals have their own reader
        order = _order_kind(d.anchor)
        if order is not None:
            order_deadlines.setdefault(order[0], []).append(sd)
            continue
        if _RECEPTION_ANCHOR.search(_fold(d.anchor or "")) and _classify(d.quote) == "garantie":
            order_deadlines.setdefault("pv_reception", []).append(sd)
            continue
        if not _is_contract_notification(d.anchor) or c.notified_on is None:
            continue  # periodic ones (« fin de chaque mois ») are recurring_items' business
        kind = _classify(d.quote)
        due = add_duration(c.notified_on, d.duration, d.unit, d.day_type)
        items.append(_item(
            due=due, kind=kind, contract=c, party=d.party, label=_deadline_label(d, kind, "la notification du marché"),
            path=sd.path, article=d.article, quote=d.quote,
            computation=(f"notification le {format_date(c.notified_on)} + "
                         f"{_duration_fr(d.duration, d.unit, d.day_type)}{_counting(d.unit)} = {format_date(due)}"
                         f"{_extension_note(c.notified_on, d.duration, d.unit, d.day_type)}"),
            as_of=as_of, reason="; ".join(r for r in (
                "délai extrait avec une confiance faible" if d.needs_review else None,
                "« notification » sans précision : supposée être celle du marché" if _is_bare_notification(d.anchor)
                else None) if r) or None,
            rule="contrat.delai.notification"))
    for order_kind, deadlines in order_deadlines.items():
        letters = [lt for lt in file.letters if lt.kind == order_kind and lt.date is not None
                   # a mise en demeure stating its own time limit is read by letter_items
                   and not (order_kind == "mise_en_demeure" and lt.deadline_days)]
        # two délais of the same nature from the same act (« commandes courantes » / « urgentes »):
        # which one applies depends on the order, not on the calendar
        per_kind: dict[str, int] = {}
        for sd in deadlines:
            per_kind[_classify(sd.deadline.quote)] = per_kind.get(_classify(sd.deadline.quote), 0) + 1
        for letter in letters:
            assert letter.date is not None
            for sd in deadlines:
                several = per_kind[_classify(sd.deadline.quote)] > 1
                items.append(_guarantee_item(c, sd, letter, as_of) if order_kind == "pv_reception"
                             else _order_item(c, sd, letter, several, as_of))
    return items


def _guarantee_item(c: ContractInfo, sd: SourcedDeadline, letter: DatedLetter, as_of: dt.date) -> DueItem:
    """End of a guarantee the contract counts from admission / réception, from a PV in the file.

    A guarantee period is a term, not a time limit to act: not moved past a weekend.
    """
    d = sd.deadline
    assert letter.date is not None
    due = add_duration(letter.date, d.duration, d.unit, d.day_type, extend_to_working_day=False)
    return _item(
        due=due, kind="garantie", contract=c, party=None,
        label=f"Fin de la garantie ({_duration_fr(d.duration, d.unit, d.day_type)} après le PV du "
              f"{format_date(letter.date)}) : signaler les défauts avant cette date",
        path=sd.path, article=d.article, quote=d.quote,
        computation=(f"PV du {format_date(letter.date)} ({letter.path}) + "
                     f"{_duration_fr(d.duration, d.unit, d.day_type)} = {format_date(due)} (terme, non prorogé)"),
        as_of=as_of, reason=("date d'admission ou de réception supposée égale à la date du PV (vérifier la date "
                             "d'effet de la décision)"), rule="contrat.garantie")


# « à compter de la date fixée par l'ordre de service »: the start is a date written in the act
_SET_BY_ACT = re.compile(r"\bdate (?:fixee|indiquee|prevue|mentionnee|prescrite|precisee) (?:par|dans|a)\b")


def _counting(unit: str) -> str:
    if unit == "heure":
        return " (heures comptées depuis l'acte, heure inconnue : arrondies au jour entier, sans report)"
    return ", à compter du lendemain (CCAG-FCS 2009 art. 3.2.1)"


def _order_item(c: ContractInfo, sd: SourcedDeadline, letter: DatedLetter, several: bool,
                as_of: dt.date) -> DueItem:
    d = sd.deadline
    assert letter.date is not None
    _, the_act, of_act = _ACT_WORDS[letter.kind]
    kind: DueKind = "mise_en_demeure" if letter.kind == "mise_en_demeure" else _classify(d.quote)
    due = add_duration(letter.date, d.duration, d.unit, d.day_type)
    reasons = []
    if several:
        reasons.append(f"plusieurs délais du marché courent à compter {of_act} : retenir celui qui s'applique "
                       "à ce cas")
    if not letter.received_on_date:
        reasons.append(f"date de réception {of_act} inconnue : délai compté depuis sa date d'émission")
    if _SET_BY_ACT.search(_fold(d.quote)):
        reasons.append(f"le délai court de la date fixée par {the_act}, qui peut être postérieure à sa date : "
                       "la relire")
    if d.needs_review:
        reasons.append("délai extrait avec une confiance faible")
    return _item(
        due=due, kind=kind, contract=c, party=d.party,
        label=_deadline_label(d, kind, f"{the_act} du {format_date(letter.date)}"),
        path=sd.path, article=d.article, quote=d.quote,
        computation=(f"{the_act[0].upper() + the_act[1:]} du {format_date(letter.date)} ({letter.path}) + "
                     f"{_duration_fr(d.duration, d.unit, d.day_type)}{_counting(d.unit)} = {format_date(due)}"
                     f"{_extension_note(letter.date, d.duration, d.unit, d.day_type)}"),
        as_of=as_of, reason="; ".join(reasons) or None, rule=f"contrat.delai.{letter.kind}")


# ------------------------------------------------------------------ letters: mise en demeure, observations, réclamation

def _received_reason(letter: DatedLetter, what: str) -> str | None:
    if letter.received_on_date:
        return None
    return f"date de réception {what} inconnue : délai compté depuis la date du courrier"


def letter_items(file: ContractFile, *, as_of: dt.date) -> list[DueItem]:
    c = file.contract
    name, defaults = _defaults(c)
    items: list[DueItem] = []
    own_observations = {kind for kind in ("bon_de_commande", "ordre_de_service")
                        if _contract_sets_observations(file, kind)}
    for letter in file.letters:
        if letter.date is None:
            continue
        day = letter.date
        if letter.kind == "mise_en_demeure":
            items.extend(_days_given(c, letter, "mise_en_demeure", "Fin du délai fixé par la mise en demeure",
                                     "de la mise en demeure", as_of,
                                     minimum=getattr(defaults, "formal_notice_min_days", None)))
        elif letter.kind == "invitation_observations":
            items.extend(_observations(c, letter, defaults, as_of))
        elif letter.kind in ("bon_de_commande", "ordre_de_service") and letter.kind not in own_observations:
            items.extend(_order_observations(c, letter, name, defaults, as_of))
        elif letter.kind in ("notification_penalites", "decision_resiliation") and letter.direction != "entrant":
            rule = getattr(defaults, "reclamation_window", None)
            if isinstance(rule, CcagRule) and rule.value is not None and rule.unit is not None:
                due = add_duration(day, rule.value, rule.unit)
                reasons = [r for r in (_rule_reason(rule), _received_reason(letter, "du courrier par le titulaire"))
                           if r]
                items.append(_item(
                    due=due, kind="reclamation", contract=c, party="titulaire",
                    label="Fin du délai de réclamation du titulaire (forclusion)",
                    path=letter.path, article=rule.article, quote=rule.summary_fr,
                    computation=(f"différend né du courrier du {format_date(day)} + "
                                 f"{_duration_fr(rule.value, rule.unit)} ({rule.citation}) = {format_date(due)}"
                                 f"{_extension_note(day, rule.value, rule.unit, None)} ; au-delà, une réclamation "
                                 "sur ce différend est forclose"),
                    as_of=as_of, reason="; ".join(reasons) or None, rule=rule.id))
        elif letter.kind == "reclamation" and letter.direction != "sortant":
            rule = getattr(defaults, "reclamation_answer", None)
            if isinstance(rule, CcagRule) and rule.value is not None and rule.unit is not None:
                due = add_duration(day, rule.value, rule.unit, extend_to_working_day=False)
                items.append(_item(
                    due=due, kind="reclamation", contract=c, party="acheteur",
                    label="Répondre au mémoire en réclamation (le silence vaut rejet)",
                    path=letter.path, article=rule.article, quote=rule.summary_fr,
                    computation=(f"mémoire daté du {format_date(day)} + {_duration_fr(rule.value, rule.unit)} "
                                 f"({rule.citation}) = {format_date(due)} (date limite non prorogée : délai de "
                                 "l'acheteur compté au plus court, depuis la date du mémoire)"),
                    as_of=as_of, reason=_rule_reason(rule), rule=rule.id))
        elif letter.direction == "sortant" and letter.deadline_days:
            items.extend(_days_given(c, letter, "autre", "Fin du délai fixé par le courrier", "du courrier", as_of))
    return items


def _shorter_than(days: int, minimum: object | None) -> tuple[int, str | None]:
    """(days to count, reason) when a letter gives less time than a CCAG minimum: the CCAG's
    time is counted, since acting earlier would expose the act (unless the CCAP derogates)."""
    if not isinstance(minimum, CcagRule) or minimum.value is None or days >= minimum.value:
        return days, None
    return int(minimum.value), (f"le courrier n'accorde que {days} jours, moins que le minimum de "
                                f"{format_number(minimum.value)} jours ({minimum.citation}) : échéance reportée à ce "
                                "minimum (sauf dérogation du CCAP ou urgence)")


def _days_given(c: ContractInfo, letter: DatedLetter, kind: DueKind, label: str, what: str,
                as_of: dt.date, *, minimum: object | None = None) -> list[DueItem]:
    if not letter.deadline_days or letter.date is None:
        return []
    days, short = _shorter_than(letter.deadline_days, minimum)
    due = add_duration(letter.date, days, "jour")
    reasons = [r for r in (short, _received_reason(letter, what)) if r]
    return [_item(
        due=due, kind=kind, contract=c, party="titulaire", label=label, path=letter.path, article=None,
        quote=letter.subject or "",
        computation=(f"courrier du {format_date(letter.date)} + {days} jours, à compter du lendemain "
                     f"(CCAG-FCS 2009 art. 3.2.1) = {format_date(due)}"
                     f"{_extension_note(letter.date, days, 'jour', None)}"),
        as_of=as_of, reason="; ".join(reasons) or None, rule=f"courrier.{kind}")]


def _observations(c: ContractInfo, letter: DatedLetter, defaults: object | None, as_of: dt.date) -> list[DueItem]:
    assert letter.date is not None
    rule = getattr(defaults, "observations_before_penalties", None)
    article: str | None = None
    if letter.deadline_days:
        days, rule_reason = _shorter_than(letter.deadline_days, rule)
        source, rule_id = "délai fixé par le courrier", "courrier.observations"
        if rule_reason and isinstance(rule, CcagRule):
            source, rule_id, article = rule.citation, rule.id, rule.article
    elif isinstance(rule, CcagRule) and rule.value is not None:
        days, source, rule_id, rule_reason = int(rule.value), rule.citation, rule.id, _rule_reason(rule)
        article = rule.article
    else:
        return []
    due = add_duration(letter.date, days, "jour")
    reasons = [r for r in (rule_reason, _received_reason(letter, "de l'invitation")) if r]
    return [_item(
        due=due, kind="observations", contract=c, party="titulaire",
        label="Fin du délai d'observations du titulaire (pénalités notifiables le lendemain)",
        path=letter.path, article=article,
        quote=letter.subject or (rule.summary_fr if isinstance(rule, CcagRule) else ""),
        computation=(f"invitation du {format_date(letter.date)} + {days} jours ({source}) = {format_date(due)}"
                     f"{_extension_note(letter.date, days, 'jour', None)}"),
        as_of=as_of, reason="; ".join(reasons) or None, rule=rule_id)]


# FACTS.md §8 [T]: FCS 2009 art. 3.7 (bon de commande) and 3.8 (ordre de service): the titulaire's
# observations within 15 days « sous peine de forclusion ». Read only in CCAG-FCS 2009.
_ORDER_OBSERVATIONS = {"bon_de_commande": "3.7", "ordre_de_service": "3.8"}


def _contract_sets_observations(file: ContractFile, order_kind: str) -> bool:
    """The contract's own clause on observations about this kind of order governs (it is listed
    by anchored_deadline_items): no CCAG default line beside it."""
    for sd in file.deadlines:
        order = _order_kind(sd.deadline.anchor)
        if order is not None and order[0] == order_kind and _classify(sd.deadline.quote) == "observations":
            return True
    return False


def _order_observations(c: ContractInfo, letter: DatedLetter, ccag: str, defaults: object | None,
                        as_of: dt.date) -> list[DueItem]:
    assert letter.date is not None
    version = getattr(defaults, "version", None)
    if ccag != "FCS":
        return []  # no fact read for the other CCAG: nothing to compute
    article = _ORDER_OBSERVATIONS[letter.kind]
    name = "bon de commande" if letter.kind == "bon_de_commande" else "ordre de service"
    due = add_duration(letter.date, 15, "jour")
    reasons = []
    if version != 2009:
        reasons.append(f"règle lue dans le CCAG-FCS 2009 (art. {article}) ; à confirmer pour la version du marché")
    received = _received_reason(letter, f"du {name}")
    if received:
        reasons.append(received)
    return [_item(
        due=due, kind="observations", contract=c, party="titulaire",
        label=f"Fin du délai d'observations du titulaire sur le {name} (forclusion)",
        path=letter.path, article=article, quote=letter.subject or "",
        computation=(f"{name} du {format_date(letter.date)} + 15 jours (CCAG-FCS 2009 art. {article}) = "
                     f"{format_date(due)}{_extension_note(letter.date, 15, 'jour', None)}"),
        as_of=as_of, reason="; ".join(reasons) or None, rule=f"ccag.FCS.2009.{letter.kind}.observations.{article}")]


# ------------------------------------------------------------------ recurring obligations

_PERIODIC = re.compile(
    r"\bmensuel(?:le)?s?\b|\bchaque mois\b|\btous les mois\b|\btrimestriel(?:le)?s?\b|\bchaque trimestre\b|"
    r"\bannuel(?:le)?s?\b|\bchaque annee\b|\bhebdomadaire|\bchaque semaine\b|\bsemestriel")
_FIXED_DAY = re.compile(
    r"\b(?P<how>avant le|au plus tard le|au plus tard au|pour le|le)\s+(?P<day>\d{1,2})(?:er)?\s+"
    r"(?:du mois\s+(?P<next>suivant)|de chaque mois|du mois)")
_PERIOD_END_ANCHOR = re.compile(r"\bfin (?:de chaque|du|de la|de chaque|de l')\s*(?P<p>mois|trimestre)\b")
_DELIVERABLE = re.compile(
    r"\b(?:remet|remettent|transmet|transmettent|adresse|adressent|fournit|fournissent|produit|produisent|"
    r"communique|communiquent|envoie|envoient|depose|deposent)\b|\brapports?\b|compte[- ]rendu|\bbilans?\b|"
    r"\breleves?\b|tableau de bord|\bprojet de decompte|\bstatistiques?\b")
_PERIOD_END_DAY = re.compile(r"\b(?:a la fin de chaque|en fin de|a la fin du|le dernier jour (?:calendaire )?de chaque)\s+"
                             r"(?P<p>mois|trimestre)\b")
_MONTHLY = re.compile(r"\bmensuel(?:le)?s?\b|\bchaque mois\b|\btous les mois\b|\bdu mois\b")
_QUARTERLY = re.compile(r"\btrimestriel(?:le)?s?\b|\bchaque trimestre\b")


def _period_ends(start: dt.date, last: dt.date, months: int) -> Iterable[dt.date]:
    """Last day of each period of `months` months (calendar months / quarters) from `start`'s."""
    month0 = (start.month - 1) // months * months  # quarters are civil quarters
    year = start.year
    while True:
        end_month = month0 + months  # 1-based month of the period's last month
        y, m = year + (end_month - 1) // 12, (end_month - 1) % 12 + 1
        end = dt.date(y, m, _stdcal.monthrange(y, m)[1])
        if end > last:
            return
        yield end
        month0 += months


def recurring_items(file: ContractFile, *, as_of: dt.date, lookback_days: int, horizon_days: int) -> list[DueItem]:
    """Monthly / quarterly obligations with a computable rule, occurrences inside the window;
    the others listed once, undated."""
    c = file.contract
    lo, hi = as_of - dt.timedelta(days=lookback_days), as_of + dt.timedelta(days=horizon_days)
    start = c.notified_on
    end = c.terminated.on if c.terminated else (add_months(c.notified_on, c.duration_months)
                                                 if c.notified_on and c.duration_months else None)
    sources: list[tuple[str, str | None, str, Party | None, Deadline | None]] = []
    for sd in file.deadlines:
        sources.append((sd.path, sd.deadline.article, sd.deadline.quote, sd.deadline.party, sd.deadline))
    for so in file.obligations:
        sources.append((so.path, so.obligation.article, so.obligation.quote, so.obligation.party, None))
    items: list[DueItem] = []
    # a délai counted from a dated event is not periodic, whatever its words (« les rapports
    # annuels du délégataire sont transmis dans les 15 jours de la notification »)
    seen: set[str] = {" ".join(_fold(sd.deadline.quote).split()) for sd in file.deadlines
                      if _is_contract_notification(sd.deadline.anchor) or _order_kind(sd.deadline.anchor)}
    for path, article, quote, party, deadline in sources:
        folded = _fold(quote)
        if not _PERIODIC.search(folded) or re.search(r"reconduc|reconduit|factur|paiement|payee?s?\b", folded):
            continue
        if deadline is None and not _DELIVERABLE.search(folded):
            continue  # a periodic state or meeting (« taux de disponibilité mensuel »), nothing to hand in
        key = " ".join(folded.split())
        if key in seen:
            continue
        seen.add(key)
        kind = _classify(quote)
        occurrences = _occurrences(quote, deadline, start, end, lo, hi)
        if occurrences is None or start is None:
            items.append(_item(
                due=None, kind=kind, contract=c, party=party, label=f"Obligation périodique : {_short(quote, 80)}",
                path=path, article=article, quote=quote,
                computation="la clause ne fixe pas de date calculable : échéances non calculées",
                as_of=as_of, reason="périodicité sans date calculable (ou marché sans date de notification)",
                rule="contrat.periodique"))
            continue
        for due, period_end, how in occurrences:
            # whether a date set by the contract moves like a time limit (FCS 2009 3.2.4) is debatable
            off_day = ("date fixée tombant un samedi, un dimanche ou un jour férié : report au jour ouvrable "
                       "suivant discutable" if next_working_day(due) != due else None)
            low = "délai extrait avec une confiance faible" if deadline is not None and deadline.needs_review else None
            items.append(_item(
                due=due, kind=kind, contract=c, party=party or "titulaire",
                label=f"{DUE_KIND_LABELS[kind]} périodique — période close le {format_date(period_end)}",
                path=path, article=article, quote=quote, computation=how, as_of=as_of,
                reason="; ".join(r for r in (low, off_day if "non prorogée" in how else None) if r) or None,
                rule="contrat.periodique"))
    return items


def _as_written(quote: str, folded: str, match: re.Match[str]) -> str:
    """The matched words as the contract writes them (folding keeps lengths for French text)."""
    return quote[match.start():match.end()] if len(quote) == len(folded) else match.group(0)


def _occurrences(quote: str, deadline: Deadline | None, start: dt.date | None, end: dt.date | None,
                 lo: dt.date, hi: dt.date) -> list[tuple[dt.date, dt.date, str]] | None:
    """(due, end of the period, French computation) in [lo, hi], or None when the text gives no rule."""
    if start is None:
        return None
    folded = _fold(quote)
    last = min(d for d in (end, hi + dt.timedelta(days=31)) if d is not None)
    out: list[tuple[dt.date, dt.date, str]] = []
    fixed = _FIXED_DAY.search(folded)
    anchor = _PERIOD_END_ANCHOR.search(_fold(deadline.anchor or "")) if deadline is not None else None
    if fixed and _MONTHLY.search(folded):
        day_no = int(fixed.group("day"))
        strict = fixed.group("how") == "avant le"
        for period_end in _period_ends(start, last, 1):
            y, m = (period_end + dt.timedelta(days=1)).year, (period_end + dt.timedelta(days=1)).month
            if not fixed.group("next"):
                y, m = period_end.year, period_end.month
                if dt.date(y, m, 1) < dt.date(start.year, start.month, 1):
                    continue
            day = min(day_no, _stdcal.monthrange(y, m)[1])
            due = dt.date(y, m, day) - dt.timedelta(days=1 if strict else 0)
            if due <= start:
                continue  # the contract was not yet notified
            how = (f"« {_as_written(quote, folded, fixed)} » : {'veille du ' if strict else ''}{day_no} du mois "
                   f"{'suivant la période' if fixed.group('next') else 'de la période'} = {format_date(due)} "
                   "(date fixée par le marché, non prorogée)")
            if next_working_day(due) != due:
                how += f" ; le {format_date(due)} est un samedi, un dimanche ou un jour férié"
            out.append((due, period_end, how))
    elif deadline is not None and anchor is not None and deadline.unit in ("jour", "semaine", "mois"):
        months = 1 if anchor.group("p") == "mois" else 3
        for period_end in _period_ends(start, last, months):
            due = add_duration(period_end, deadline.duration, deadline.unit, deadline.day_type)
            how = (f"fin de période le {format_date(period_end)} + "
                   f"{_duration_fr(deadline.duration, deadline.unit, deadline.day_type)}, à compter du lendemain "
                   f"(CCAG-FCS 2009 art. 3.2.1) = {format_date(due)}"
                   f"{_extension_note(period_end, deadline.duration, deadline.unit, deadline.day_type)}")
            out.append((due, period_end, how))
    elif (end_day := _PERIOD_END_DAY.search(folded)) is not None:
        months = 1 if end_day.group("p") == "mois" else 3
        for period_end in _period_ends(start, last, months):
            how = (f"« {_as_written(quote, folded, end_day)} » : dernier jour de la période = {format_date(period_end)} "
                   "(date fixée par le marché, non prorogée)")
            if next_working_day(period_end) != period_end:
                how += f" ; le {format_date(period_end)} est un samedi, un dimanche ou un jour férié"
            out.append((period_end, period_end, how))
    else:
        return None
    return [o for o in out if lo <= o[0] <= hi]


# ------------------------------------------------------------------ whole file, window, order

def contract_schedule(file: ContractFile, *, as_of: dt.date, lookback_days: int = 92,
                      horizon_days: int = 30) -> list[DueItem]:
    """Every due item of one contract file (recurring ones generated inside the window only)."""
    items = [
        *contract_term_items(file, as_of=as_of),
        *anchored_deadline_items(file, as_of=as_of),
        *letter_items(file, as_of=as_of),
        *recurring_items(file, as_of=as_of, lookback_days=lookback_days, horizon_days=horizon_days),
    ]
    return [_mark_done(i, file) for i in _dedupe(items)]


# The buyer's own acts the file can show (« the décompte was sent »); the titulaire's
# performance is not visible in letters, so its items stay « en retard » until checked.
_DONE_BY: dict[str, tuple[str, frozenset[str], str]] = {
    # rule prefix → (subject pattern, letter kinds that are the act, what the act is from)
    "termination_account": (r"decompte", frozenset({"notification_penalites"}), "terminated"),
    "reclamation_answer": (r"reclamation|memoire", frozenset(), "event"),
}


def _mark_done(item: DueItem, file: ContractFile) -> DueItem:
    if item.party != "acheteur" or item.due is None:
        return item
    for key, (pattern, kinds, since) in _DONE_BY.items():
        if key not in item.rule:
            continue
        start = (file.contract.terminated.on if since == "terminated" and file.contract.terminated
                 else next((lt.date for lt in file.letters if lt.path == item.source_path), None))
        if start is None:
            return item
        for letter in sorted(file.letters, key=lambda lt: lt.date or dt.date.max):
            if (letter.date is None or letter.date < start or letter.direction == "entrant"
                    or letter.path == item.source_path):
                continue
            subject = _fold(letter.subject or "")
            if letter.kind in kinds or re.search(pattern, subject):
                return replace(item, status="fait", done_by=letter.path,
                               computation_fr=f"{item.computation_fr} ; acte au dossier : {letter.path} du "
                                              f"{format_date(letter.date)}")
    return item


def _dedupe(items: Sequence[DueItem]) -> list[DueItem]:
    """The same clause read in two documents (AE and CCAP) gives one line."""
    out: list[DueItem] = []
    seen: set[tuple[object, ...]] = set()
    for item in items:
        key = (item.contract_ref, item.due, item.kind, item.party, item.rule,
               item.source_path if item.rule.startswith(("courrier", "ccag")) else None,
               item.label_fr)
        if key in seen:
            continue
        seen.add(key)
        out.append(item)
    return out


def select_window(items: Iterable[DueItem], *, as_of: dt.date, horizon_days: int,
                  lookback_days: int = 92) -> list[DueItem]:
    """Items due from `lookback_days` before `as_of` to `horizon_days` after it, plus undated ones."""
    lo, hi = as_of - dt.timedelta(days=lookback_days), as_of + dt.timedelta(days=horizon_days)
    return [i for i in items if i.due is None or lo <= i.due <= hi]


_STATUS_ORDER = {"en_retard": 0, "a_venir": 1, "echu": 2, "fait": 3, "non_date": 4}


def sort_for_display(items: Iterable[DueItem]) -> list[DueItem]:
    """Overdue first (oldest first), then upcoming by date, closed windows, undated last."""
    return sorted(items, key=lambda i: (_STATUS_ORDER[i.status], i.due or dt.date.max, i.contract_ref or "",
                                        i.label_fr))


def with_status(items: Iterable[DueItem], as_of: dt.date) -> list[DueItem]:
    """Statuses recomputed for another day (items are built once, shown on several days)."""
    return [i if i.done_by else replace(i, status=due_status(i.due, i.kind, as_of)) for i in items]
