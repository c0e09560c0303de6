"""Read a letter, e-mail, PV or order: who wrote it to whom, when, about which contract and
order, which articles it cites, the time limit it sets and the extension it grants.

`read_correspondence` never guesses a date it cannot read: fields it cannot find stay None
or empty, and the monitoring service treats such letters with lower confidence.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import math
import re

from models.domain.types import Correspondence, Direction, ParsedDocument
from nlp.linking import (
    find_amounts,
    find_articles,
    find_contract_refs,
    find_dates,
    find_order_refs,
    find_sirets,
    fold,
    ref_key,
    words_to_int,
)

# Kinds the buyer writes, and kinds the titulaire writes (DocumentKind values).
BUYER_KINDS = frozenset({
    "mise_en_demeure", "notification_penalites", "invitation_observations", "relance",
    "pv_constat", "ordre_de_service", "bon_de_commande", "decision_resiliation", "avenant",
    "pv_reception",
})
TITULAIRE_KINDS = frozenset({"reclamation", "contestation", "courrier_titulaire"})

# « Fait à X, le 2 septembre 2024 », « Saint-Aubin, le 3 décembre 2024 », « Le 12/12/2025 »
# (a place of at most a few words then a comma, or the line opening on « Le »: a date inside a
# sentence, « sonde étalonnée le 01/09/2025 », is not the letter's date)
_PLACE_DATE = re.compile(r"(?:^|\n)[ \t>*#_]*(?:(?:fait\s+)?(?:[àa]\s+)?[^\n,:;()]{1,50},\s*)?le\s+"
                         r"(?=\d|1er|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)", re.IGNORECASE)
_HEADER_DATE = re.compile(r"^\s*(?:date|envoy[ée]\s+le|sent)\s*:\s*(.+)$", re.IGNORECASE | re.MULTILINE)
_SUBJECT = re.compile(r"^\s*(?:objet|subject|sujet)\s*:\s*(.+)$", re.IGNORECASE | re.MULTILINE)
_FROM = re.compile(r"^\s*(?:de|from|exp[ée]diteur)\s*:\s*(.+)$", re.IGNORECASE | re.MULTILINE)
_TO = re.compile(r"^\s*(?:[àa]|to|destinataire)\s*:\s*(.+)$", re.IGNORECASE | re.MULTILINE)

# « dans un délai de quinze (15) jours », « sous huit jours », « délai de 48 heures »
_DEADLINE = re.compile(
    r"(?:d[ée]lai\s+(?:maximal\s+|suppl[ée]mentaire\s+)?(?:de\s+|d'un\s+)?|sous\s+|dans\s+les\s+)"
    r"([a-zà-ÿ -]+?\s*\(\s*\d+\s*\)|\d+|[a-zà-ÿ-]+(?:[ -][a-zà-ÿ]+)?)\s+"
    r"(jours?|heures?|semaines?|mois)",
    re.IGNORECASE,
)
# A granted extension: « prolongé de huit (8) jours », « prolongation de 8 jours est accordée »
_EXTENSION = re.compile(
    r"(?:prolong[ée]e?s?|report[ée]e?s?|prorog[ée]e?s?|prolongation|report|prorogation)\s+"
    r"(?:du\s+d[ée]lai\s+(?:d'ex[ée]cution\s+)?)?de\s+"
    r"([a-zà-ÿ -]+?\s*\(\s*\d+\s*\)|\d+|[a-zà-ÿ-]+)\s+(jours?|semaines?)",
    re.IGNORECASE,
)
_FAILING_WORDS = (
    "retard", "livr", "indisponib", "panne", "absence", "absent", "violation", "manquement",
    "constat", "non conform", "rejet", "intemperie", "defaillance", "expir", "attendu", "echeance",
    "n'a pas", "n'ont pas", "pas ete", "toujours pas", "au plus tard", "aucun", "meconnaissance",
    "non-respect", "non respect", "inexecution", "depasse", "initial", "intemperie", "neige", "orage",
    "pluie", "gel", "vent", "arret", "non realis", "non effectu", "pas ete effectu", "non fait",
    "pas effectu", "arrive", "intervention", "incident", "non evacu", "non enlev", "malgre", "achev",
    "reception",
)


# « locaux non nettoyés », « bennes non bâchées », « pénalités … pour »: a failing named by a
# negated participle, or penalties listed by day
_NOT_DONE = re.compile(r"\bnon [a-z]+(?:e|es|s)\b|\bpenalit")


def _number(raw: str) -> int | None:
    inside = re.search(r"\((\s*\d+\s*)\)", raw)
    if inside:
        return int(inside.group(1))
    return words_to_int(raw)


def _header_date(parsed: ParsedDocument) -> dt.date | None:
    raw = parsed.metadata.get("date") or parsed.metadata.get("Date")
    if raw:
        try:
            return dt.datetime.fromisoformat(raw.strip()).date()
        except ValueError:
            pass
        try:
            return email.utils.parsedate_to_datetime(raw).date()
        except (TypeError, ValueError, IndexError):
            found = find_dates(raw)
            if found:
                return found[0][0]
    return None


def letter_date(parsed: ParsedDocument) -> dt.date | None:
    """The date of the letter: e-mail header, then « lieu, le … » / « Fait à …, le … », then a
    « Date : » line, then the first date of the letterhead (first lines)."""
    from_header = _header_date(parsed)
    if from_header:
        return from_header
    text = parsed.text
    # « Fait à … le … » is the signature date and wins over a place-date in the heading.
    fait = re.search(r"fait\s+[àa][^\n]{0,80}?le\s+", text, re.IGNORECASE)
    if fait:
        found = find_dates(text[fait.end(): fait.end() + 40])
        if found and found[0][1] == 0:
            return found[0][0]
    for m in _PLACE_DATE.finditer(text[:3000]):
        found = find_dates(text[m.end(): m.end() + 40])
        if found and found[0][1] <= 12:
            return found[0][0]
    header = _HEADER_DATE.search(text[:2000])
    if header:
        try:
            return email.utils.parsedate_to_datetime(header.group(1).strip()).date()
        except (TypeError, ValueError, IndexError):
            found = find_dates(header.group(1))
            if found:
                return found[0][0]
    head = text[:400]
    found = find_dates(head)
    return found[0][0] if found else None


def _first_line(raw: str | None) -> str | None:
    if not raw:
        return None
    line = raw.strip().splitlines()[0].strip() if raw.strip() else ""
    return line or None


def _sender_recipient(parsed: ParsedDocument) -> tuple[str | None, str | None]:
    meta = {k.lower(): v for k, v in parsed.metadata.items()}
    sender = meta.get("from")
    recipient = meta.get("to")
    text = parsed.text
    if not sender:
        m = _FROM.search(text[:1500])
        sender = m.group(1).strip() if m else None
    if not recipient:
        m = _TO.search(text[:1500])
        recipient = m.group(1).strip() if m else None
    if not sender:
        sender = _first_line(text)
    if not recipient:
        # a postal letter: the address block sits between the date line and « Objet »
        subject = _SUBJECT.search(text[:3000])
        date_line = _PLACE_DATE.search(text[:3000])
        if subject and date_line and date_line.end() < subject.start():
            block = text[date_line.end(): subject.start()].split("\n")[1:]
            lines = [ln.strip() for ln in block if ln.strip() and not re.match(
                r"(lettre|lrar|recommand|courriel)", fold(ln.strip()))]
            recipient = lines[0] if lines else None
    return sender, recipient


def _direction(kind: str, sender: str | None, text: str) -> Direction | None:
    if kind in BUYER_KINDS:
        return "sortant"
    if kind in TITULAIRE_KINDS:
        return "entrant"
    folded = fold(text[:3000])
    if "le titulaire" in folded and re.search(r"\bnous (contestons|accusons|reconnaissons|vous demandons)", folded):
        return "entrant"
    if re.search(r"je vous (mets en demeure|invite|notifie|informe)", folded):
        return "sortant"
    return None


def _failing_dates(text: str, own_date: dt.date | None) -> tuple[dt.date, ...]:
    out: list[dt.date] = []
    # « les bennes laissées le 5 mai »: a day without its year is placed near the letter's date
    for day, start, end in find_dates(text, default_year=own_date):
        if day == own_date:
            continue
        window = fold(text[max(0, start - 150): end + 150])
        failing = any(word in window for word in _FAILING_WORDS) or bool(_NOT_DONE.search(window))
        if failing and day not in out:
            out.append(day)
    return tuple(out)


def _deadline_days(text: str) -> int | None:
    for m in _DEADLINE.finditer(text):
        before = fold(text[max(0, m.start() - 120): m.start()])
        # a time limit the letter sets: « je vous mets en demeure … dans un délai de »,
        # « je vous invite … dans un délai de »; skip clauses quoted from the contract
        if not re.search(r"(demeure|invite|vous disposez|vous avez|observations|je vous|nous vous)", before):
            continue
        value = _number(m.group(1))
        if value is None:
            continue
        unit = fold(m.group(2))
        if unit.startswith("heure"):
            return math.ceil(value / 24)
        if unit.startswith("semaine"):
            return value * 7
        if unit.startswith("mois"):
            return value * 30
        return value
    return None


def _granted_extension(text: str, direction: Direction | None, kind: str) -> int | None:
    if direction == "entrant" or kind in TITULAIRE_KINDS:
        return None  # the titulaire asks; only the buyer grants
    for m in _EXTENSION.finditer(text):
        sentence_start = max(text.rfind(".", 0, m.start()), text.rfind("\n", 0, m.start()))
        sentence = fold(text[sentence_start + 1: m.end() + 80])
        if re.search(r"\b(demand|sollicit|souhait|refus|rejet)", sentence):
            continue
        value = _number(m.group(1))
        if value is None:
            continue
        return value * 7 if fold(m.group(2)).startswith("semaine") else value
    return None


def _contract_refs(text: str) -> tuple[str, ...]:
    # « bon de commande n° 2024-BC-017 » looks like a contract number: keep orders apart
    order_keys = {ref_key(o.partition(" ")[2]) for o in find_order_refs(text)}
    return tuple(r for r in find_contract_refs(text) if ref_key(r) not in order_keys)


def read_correspondence(parsed: ParsedDocument, kind: str) -> Correspondence:
    """What a piece of correspondence says, for linking it to incidents and contracts."""
    text = parsed.text or ""
    subject = parsed.metadata.get("subject") or parsed.metadata.get("Subject")
    if not subject:
        m = _SUBJECT.search(text[:3000])
        subject = m.group(1).strip() if m else None
    date = letter_date(parsed)
    sender, recipient = _sender_recipient(parsed)
    direction = _direction(kind, sender, text)
    whole = f"{subject or ''}\n{text}"
    amounts: list[float] = []
    for value, _s, _e in find_amounts(text):
        if value not in amounts:
            amounts.append(value)
    return Correspondence(
        kind=kind,
        date=date,
        direction=direction,
        sender=sender,
        recipient=recipient,
        subject=subject,
        contract_refs=_contract_refs(whole),
        sirets=tuple(find_sirets(text)),
        order_refs=tuple(find_order_refs(whole)),
        articles_cited=tuple(find_articles(text)),
        failing_dates=_failing_dates(text, date),
        deadline_days=_deadline_days(text),
        amounts_eur=tuple(amounts),
        granted_extension_days=_granted_extension(text, direction, kind),
    )
