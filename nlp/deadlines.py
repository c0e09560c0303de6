"""Deadlines: every délai or durée written as a number of time units counted from or
before an event (time limits to act, payment times, contract and guarantee durations,
offer validity).

The normalisers find the durations (numbers in words, « trente (30) jours », day types);
this module keeps those that are time limits, finds the event they run from (« à compter
de », « suivant », « après », « avant »), makes an implied object explicit (« à compter de
sa notification » → « notification du marché ») and names the party that must act.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from models.domain.types import Clause, Deadline, ParsedDocument, Party, Span
from nlp.normalize.durations import Duration, find_durations
from nlp.normalize.text import fold
from nlp.obligations import (
    _BULLET,
    Aliases,
    _article,
    _is_subject,
    buyer_aliases,
    party_mentions,
    subject_party,
)
from nlp.pipeline import SentenceFacts, document_sentences

# Words before a duration that make it a time limit or a term (folded text, 45 chars).
_LIMIT_BEFORE = re.compile(
    r"\b(delai|duree|periode|validite|garanti[e]?|dans|sous|pendant|au moins|au plus tard|"
    r"au maximum|maximum|maximal|minimum|ramene|porte|fixee?|est de|sont de|dispose|disposent|"
    r"preavis|reconduit|reconductible|prolonge|inferieure? a|moins de|au plus|conclue?s? pour|passee? pour|reconduite? pour)\b"
)
_LIMIT_AFTER = re.compile(
    r"^\s*(?:\)\s*)?(?:calendaires?|ouvres?|ouvrables?|francs?|pleins?|consecutifs?)?\s*,?\s*"
    r"(a compter|a partir|suivant|qui suivent|qui suit|apres|avant|a l'avance|au plus tard|des (?:la|le|l')|"
    r"courant)"
)
_NOT_A_LIMIT = re.compile(
    r"(de retard|par (?:jour|heure|semaine|mois|periode|tranche)|superieure? a|au-dela d[e']|en deca|"
    r"toute (?:heure|journee)|d'indisponibilite|de fonctionnement|heures? (?:ouvrees|ouvrables) de|entre \d|"
    r"de \d+ ?h(?:\s*\d\d)?\s*(?:a|-)\s*\d|exceder|depasser|cumulee?)"
)
_CLOCK_TIME = re.compile(r"\d{1,2}\s*h\s*\d{2}|\d{1,2}\s*h\b(?=\s*(?:a|-|et)\s*\d)")
# « le jour ouvré suivant sa notification »: one unit, unwritten
_NEXT_UNIT = re.compile(
    r"\b(?:le|au plus tard le|des le)\s+(?P<unit>jour|mois)\s*(?P<dt>ouvre|ouvrable|calendaire)?\s+"
    r"(?=suivant|qui suit)"
)
# « sous huitaine », « dans la quinzaine »: 8 and 15 days in French usage
_HUITAINE = re.compile(r"\b(?:sous|dans la|dans une|d'une)\s+(huitaine|quinzaine)\b")
_CONTRACT_TERM = re.compile(
    r"\b(marche|accord-cadre|contrat|convention)\b.{0,40}\b(conclu|passe|prend effet|dure|duree|court)\b|"
    r"duree (?:du|de l'|initiale du|globale du) (?:marche|accord-cadre|contrat)|reconductible|reconduit"
)
_PAYMENT = re.compile(r"\b(paiement|payee?s?|sommes dues|acomptes?|verse(?:e|es|s)?|mandatement|solde|reglement des factures)\b")
# The buyer must accept within the time (« … que si son acceptation lui est notifiée dans un délai de … »)
_OFFER_ACCEPTANCE = re.compile(r"\bacceptation\b[^.;]{0,40}\bnotifiee?s?\b|\bnotifi\w*\s+(?:de\s+)?(?:l'|son\s+|leur\s+)?acceptation")
# … whereas an offer's validity binds the one who made it: « l'offre est valable 120 jours »,
# « le candidat reste engagé par son offre pendant … », « le délai de validité des offres est de … »
_OFFER_VALIDITY = re.compile(
    r"\boffres?\s+(?:est|sont|reste|restent|demeure|demeurent)\s+valables?|\bvalidite\s+(?:des|de\s+l'|de\s+son|de\s+leur)\s*offres?|"
    r"\b(?:reste|restent|demeure|demeurent|est|sont)\s+(?:engage|lie|tenu)e?s?\s+par\s+(?:son|sa|ses|leur|leurs|l')\s*offres?|"
    r"\bmaint(?:ient|iennent|enir)\s+(?:son|sa|leur|ses|leurs)\s+offres?"
)
_OFFER = re.compile(r"\b(offres?)\b")
_EXECUTION = re.compile(r"\bdelai (?:d'execution|de livraison|de realisation|d'intervention|de garantie)|\bgarantie\b|garanti\b")
# the party put in charge by another's act: « l'acheteur invite le titulaire à présenter… »
_DIRECTED = re.compile(
    r"\b(?:invite|invitent|met en demeure|mettent en demeure|demande a|enjoint a|somme)\s+(?:le |la |l')?"
    r"(?P<who>titulaire|prestataire|fournisseur|entrepreneur|acheteur|pouvoir adjudicateur)\b"
)

_CONTRACT_NOUNS = (
    ("accord-cadre", "de l'accord-cadre"), ("mise en demeure", "de la mise en demeure"),
    ("bon de commande", "du bon de commande"), ("ordre de service", "de l'ordre de service"),
    ("decision", "de la décision"), ("avenant", "de l'avenant"), ("contrat", "du contrat"),
    ("marche", "du marché"), ("commande", "de la commande"),
)
_GENERIC_NOUNS = frozenset({
    "délai", "jour", "heure", "semaine", "mois", "an", "année", "titulaire", "acheteur", "date",
    "durée", "cas", "échéant", "article", "pénalité", "compter", "fois", "moment", "période",
    "prestataire", "fournisseur", "pouvoir", "adjudicateur", "maître", "œuvre", "ouvrage", "frais",
    "défaut", "effet", "titre", "compte", "application", "disposition", "stipulation", "condition",
})


def _is_limit(folded: str, start: int, end: int) -> bool:
    before = folded[max(0, start - 45):start]
    after = folded[end:end + 40]
    window = folded[max(0, start - 25):end + 25]
    if _CLOCK_TIME.match(folded[start:end + 4]):
        return False
    if end < len(folded) and folded[end:end + 1].isdigit():
        return False  # « 8h00 » is a time of day
    anchored = bool(_LIMIT_AFTER.match(after))
    if _NOT_A_LIMIT.search(window) and not anchored:
        return False
    return anchored or bool(_LIMIT_BEFORE.search(before))


# A row prices something when it names a penalty or an amount of money, or a rate of a value per
# unit (« 0,5 % du montant par jour »); a percentage in a level's definition (« plus de 20 % des
# valideurs hors service ») is no price.
_MONEY = re.compile(r"€|\beur\b|\beuros?\b|penalit|\bht\b|\bttc\b")
_PRICED_PERCENT = re.compile(
    r"%\s*(?:(?:du|de\s+la|de\s+l'|des)\s+(?:montant|valeur|prix|redevance|remuneration|marche|commande|facture|"
    r"forfait|abonnement)|(?:\|\s*)?(?:par|/)\s*(?:jour|heure|semaine|mois|h\b|j\b))"
)
# a cell that is only a rate (« 5 % » under a « Réfaction » header) prices the row too
_RATE_CELL = re.compile(r"(?:^|\|)\s*\d+(?:[,.]\d+)?\s*%\s*(?:ht|ttc)?\s*(?=\||$)")


def _table_row_durations(text: str, folded: str) -> list[tuple[Duration, int, int]]:
    """A row of a table of time limits (« Intervention urgente | 4 heures | appel »): a cell
    that is only a duration is a time limit, unless the row prices something (penalty rows
    are the penalty extractor's)."""
    if _MONEY.search(folded) or _PRICED_PERCENT.search(folded) or _RATE_CELL.search(folded):
        return []
    out: list[tuple[Duration, int, int]] = []
    pos = 0
    for cell in text.split(" | "):
        cell_folded = folded[pos:pos + len(cell)]
        for duration, start, end in find_durations(cell):
            rest = cell_folded[end:].strip(" .")
            if not cell_folded[:start].strip() and (not rest or _LIMIT_AFTER.match(cell_folded[end:])
                                                    or rest in ("maximum", "max", "au plus tard")
                                                    or re.fullmatch(r"(?:ouvre|ouvrable|calendaire)e?s?", rest)):
                out.append((duration, pos + start, pos + end))
        pos += len(cell) + 3
    return out


_DAYS_ABBREVIATED = re.compile(
    r"(?<![\w.,])(?P<n>\d{1,3})\s?(?:j|jrs?)\.?(?=[\s,;)]|$)(?:\s+(?P<dt>ouvres?|ouvrables?|calendaires?)\b)?"
)


def abbreviated_durations(folded: str) -> list[tuple[Duration, int, int]]:
    """« sous 30 j », « 5 jrs ouvrés »: days written short, which the normalisers leave aside."""
    out: list[tuple[Duration, int, int]] = []
    for m in _DAYS_ABBREVIATED.finditer(folded):
        word = m.group("dt") or ""
        day_type = "ouvrable" if word.startswith("ouvrable") else "ouvre" if word.startswith("ouvre") else \
            "calendaire" if word.startswith("calendaire") else None
        out.append((Duration(float(m.group("n")), "jour", day_type), m.start(), m.end()))  # type: ignore[arg-type]
    return out


def implicit_durations(folded: str) -> list[tuple[Duration, int, int]]:
    """Time limits of one unit written without a number."""
    out: list[tuple[Duration, int, int]] = []
    for m in _HUITAINE.finditer(folded):
        out.append((Duration(8 if m.group(1) == "huitaine" else 15, "jour", None), m.start(1), m.end(1)))
    for m in _NEXT_UNIT.finditer(folded):
        unit = m.group("unit") or "jour"
        day_type = {"ouvre": "ouvre", "ouvrable": "ouvrable", "calendaire": "calendaire"}.get(m.group("dt") or "")
        out.append((Duration(1, "mois" if unit == "mois" else "jour", day_type), m.start(), m.end()))  # type: ignore[arg-type]
    return out


_FEMININE_DET = frozenset({"la", "une", "toute", "cette"})
_MASCULINE_DET = frozenset({"le", "un", "tout", "ce", "cet"})
_FEMININE_END = ("tion", "sion", "té", "ure", "ance", "ence", "ade", "ée", "ette", "ie", "ise", "elle", "ale", "ine")


def _last_noun(facts: SentenceFacts, before: int, plural: bool) -> tuple[str, bool] | None:
    """The last noun before `before` of the wanted number, with its gender (True = feminine)."""
    best: tuple[str, bool] | None = None
    for i, (tok, lemma, pos, off) in enumerate(zip(facts.tokens, facts.lemmas, facts.pos, facts.offsets)):
        if off >= before:
            break
        if pos != "NOUN" or lemma.lower() in _GENERIC_NOUNS or len(lemma) < 3:
            continue
        is_plural = tok.lower().endswith(("s", "x")) and not lemma.lower().endswith(("s", "x"))
        if plural == is_plural:
            det = facts.tokens[i - 1].lower() if i > 0 else ""
            feminine = det in _FEMININE_DET or (det not in _MASCULINE_DET and lemma.lower().endswith(_FEMININE_END))
            best = (lemma.lower(), feminine)
    return best


def _with_article(noun: str, plural: bool, feminine: bool = False) -> str:
    if plural:
        return f"des {noun}s" if not noun.endswith(("s", "x")) else f"des {noun}"
    if noun[0] in "aeiouyéèêhâîô":
        return f"de l'{noun}"
    return f"de la {noun}" if feminine else f"du {noun}"


def _contract_noun(folded_before: str, folded_doc_head: str) -> str:
    """What « sa notification » belongs to: the closest notifiable act named before it."""
    best, best_key = None, (-1, 0)
    for word, phrase in _CONTRACT_NOUNS:
        at = folded_before.rfind(word)
        # the closest mention wins; « bon de commande » beats the « commande » inside it
        key = (at + len(word), len(word)) if at >= 0 else (-1, 0)
        if key > best_key:
            best, best_key = phrase, key
    if best is not None:
        return best
    return "de l'accord-cadre" if "accord-cadre" in folded_doc_head else "du marché"


# Markers of the starting event, and where its description stops (folded text).
_MARKER = re.compile(
    r"\b(?:a compter|a partir|a dater)\s+(?:du|de la|de l'|des|de)\s*|\b(?:suivant|qui suit|qui suivent|apres|avant|courant a compter de)\s+"
    r"|\bdes\s+(?=la\b|le\b|l'|sa\b|son\b|leur\b|reception|notification|signature|constat)"
    # « L'accord-cadre prend effet à sa notification pour une durée de 36 mois »
    r"|\bprend(?:ra|nent)? effet\s+(?:a compter de\s+|des\s+|a\s+)"
)
_EVENT_STOP = re.compile(
    r"[,;:.()\[\]]|\s(?:pour|sous|sauf|sans|faute|lorsque|si|afin|dans|a peine|jusqu|et (?:au|a|le|la|dans|en|a)|"
    r"qui|dont|ou|pendant|restee?s?|conformement|au moyen|le cas)\b"
)
_LEADING = re.compile(
    r"^(?:(?:la|le|les|une?|du|de la|des|de|chaque|toutes?|tous|cette|cet|ces|ce)\s+|l'\s*|d'\s*|de l'\s*)+"
)
_DATE_PREFIX = re.compile(r"^date\s+(?:de\s+(?:la\s+|l')?|d'|du\s+|des\s+)")
_DATE_SET_BY = re.compile(r"^date\s+(?:fixee|prevue|indiquee|mentionnee)\s+(?:par|dans|a)\s+")
_DEMONSTRATIVE = re.compile(r"^(?:ce|cet|cette|ces)\s+(?:meme\s+|memes\s+)?")
_POSSESSIVE = re.compile(r"^(?:sa|son|leur|leurs)\s+(?:date\s+(?:de\s+|d'))?")
_VERB_EVENTS = {"avoir pris connaissance": "prise de connaissance", "en avoir pris connaissance": "prise de connaissance",
                "avoir recu": "réception", "en avoir ete informe": "information"}


def _event_after(text: str, folded: str, at: int) -> tuple[str, str] | None:
    """(original, folded) description of the event starting at `at`, cut at its end."""
    rest = folded[at:at + 160]
    stop = _EVENT_STOP.search(rest)
    end = at + (stop.start() if stop else len(rest))
    words = text[at:end].split()[:9]
    chunk = " ".join(words).strip(" '\"«»")
    return (chunk, fold(chunk)) if chunk else None


def _strip(chunk: str, pattern: re.Pattern[str]) -> str:
    folded = fold(chunk)
    m = pattern.match(folded)
    return chunk[m.end():] if m else chunk


_CONTRACT_EVENTS = frozenset({"notification", "signature", "conclusion", "reception", "emission", "remise",
                              "transmission", "envoi"})


def find_deadline_anchor(facts: SentenceFacts, dur_start: int, dur_end: int, folded_doc_head: str,
                         previous_anchor: str | None = None, previous_text: str | None = None) -> str | None:
    """The event the time runs from, implied objects made explicit."""
    text = re.sub(r"\s", " ", facts.text)  # PDF line breaks inside « à\ncompter de »
    folded = fold(text)
    marker = None
    for m in _MARKER.finditer(folded, dur_end):
        if m.start() - dur_end <= 60:
            marker = m
        break
    if marker is None:
        # « dans un délai de 15 jours à compter de … » may also be written before the number
        for m in _MARKER.finditer(folded):
            if m.end() <= dur_start and (folded[m.start():m.start() + 9] in ("a compter", "a partir ", "prend eff")
                                         or folded.startswith("apres", m.start()) and dur_start - m.end() < 80):
                marker = m
    if marker is None:
        return _object_of_advance(text, folded, dur_start, dur_end)
    clause_event = _event_of_clause(text, folded, marker.end())
    if clause_event:
        return clause_event
    found = _event_after(text, folded, marker.end())
    if found is None:
        return None
    chunk, _ = found
    for verb, event in _VERB_EVENTS.items():
        if fold(chunk).startswith(verb):
            return event
    chunk = _strip(chunk, _DATE_SET_BY)
    possessive = _POSSESSIVE.match(fold(chunk))
    demonstrative = _DEMONSTRATIVE.match(fold(chunk))
    chunk = _strip(_strip(chunk, _POSSESSIVE), _DEMONSTRATIVE)
    chunk = _strip(chunk, _LEADING)
    chunk = _strip(chunk, _DATE_PREFIX)
    chunk = _strip(chunk, _LEADING).strip()
    if not chunk:
        return None
    # « sa date de réception par le titulaire »: who receives is not part of the event
    chunk = re.split(r"\s+par\s+(?:le|la|l'|les)\b", chunk)[0]
    head = fold(chunk.split()[0])
    context = fold(previous_text or "") + " " + folded[:dur_start]
    if len(chunk.split()) == 1 and head in _CONTRACT_EVENTS and (not possessive or fold(possessive.group(0)).startswith(("sa", "son"))):
        # « à compter de sa notification », « à compter de la date de notification »: of the contract
        # (or of the order / formal notice just named)
        named = any(word in context for word, _ in _CONTRACT_NOUNS)
        if head in ("notification", "signature", "conclusion") or (possessive and named and
                                                                    _last_noun(facts, dur_start, False) is None):
            return f"{chunk} {_contract_noun(context, folded_doc_head)}"
    if possessive:
        owner = fold(possessive.group(0)).split()[0]
        if len(chunk.split()) == 1:
            plural = owner.startswith("leur")
            noun = _last_noun(facts, dur_start, plural)
            if noun:
                return f"{chunk} {_with_article(noun[0], plural, noun[1])}"
    if demonstrative and previous_anchor and fold(chunk.split()[-1]) in fold(previous_anchor):
        return previous_anchor  # « ce même signalement » is the one just named
    return chunk


# « le jour où le différend est apparu » -> « apparition du différend »
_EVENT_CLAUSE = re.compile(
    r"^(?:la\s+|le\s+)?(?:jour|date)\s+(?:ou|a laquelle|auquel)\s+(?P<det>le|la|l'|les|ces|ce|cet|cette)\s*"
    r"(?P<noun>[a-z'-]+(?:\s+(?:de|d')\s*[a-z'-]+)?)\s+(?:est|sont|a ete|ont ete|s'est|se sont)\s+(?P<verb>[a-z]+)"
)
_NOMINAL = {
    "apparu": "apparition", "survenu": "survenance", "constate": "constat", "acheve": "achèvement",
    "notifie": "notification", "recu": "réception", "signe": "signature", "expire": "expiration",
    "produit": "survenance", "decouvert": "découverte", "informe": "information",
}


def _event_of_clause(text: str, folded: str, at: int) -> str | None:
    m = _EVENT_CLAUSE.match(folded[at:at + 160])
    if not m:
        return None
    participle = re.sub(r"(?:es|e|s)$", "", m.group("verb"))
    nominal = _NOMINAL.get(m.group("verb")) or _NOMINAL.get(participle) or _NOMINAL.get(participle + "e")
    if nominal is None:
        return None
    noun = text[at + m.start("noun"): at + m.end("noun")]
    if m.group("det") in ("les", "ces"):
        return f"{nominal} des {noun}"
    if fold(noun)[0] in "aeiouyh":
        return f"{nominal} de l'{noun}"
    feminine = m.group("det") in ("la", "cette")
    return f"{nominal} {'de la' if feminine else 'du'} {noun}"


_ACT = re.compile(
    r"(?P<who>l'acheteur|le pouvoir adjudicateur|le maitre d'ouvrage|le maitre d'o(?:e)?uvre|l'administration)\s+"
    r"(?:l'|le |la )?(?:invite|met en demeure|mets en demeure)\b"
)


_OBJECT_START = re.compile(r"\b(?:de|d')\s*(?:toute?|chaque|la|le|l'|les|du|des)\s*")
_EACH_EVENT = re.compile(
    r"\b(?:signale|signalent|declare|declarent|notifie|notifient|traite|traitent|"
    r"corrige|corrigent|informe|informent)\s+(?:[a-z']+\s+){0,3}?(?:de\s+)?"
    r"(?:chaque|toute?|tous les|toutes les)\s+"
)


def _last_match(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    found = None
    for found in pattern.finditer(text):  # noqa: B007 - we want the last one
        pass
    return found


def _act_anchor(folded: str, dur_start: int) -> str | None:
    """« l'acheteur invite le titulaire à présenter ses observations dans un délai de 15 jours »:
    the time runs from the buyer's act itself."""
    m = _last_match(_ACT, folded[:dur_start])
    if m is None:
        return None
    who = {"l'acheteur": "de l'acheteur", "le pouvoir adjudicateur": "du pouvoir adjudicateur",
           "le maitre d'ouvrage": "du maître d'ouvrage", "l'administration": "de l'administration"}.get(
        m.group("who"), "du maître d'œuvre")
    act = "invitation" if "invite" in m.group(0) else "mise en demeure"
    return f"{act} {who}"


def _object_of_advance(text: str, folded: str, dur_start: int, dur_end: int) -> str | None:
    """« informe de toute intervention au moins 5 jours à l'avance »: the event is the object."""
    in_advance = re.match(r"\s*(?:\)\s*)?(?:calendaires?|ouvres?|ouvrables?)?\s*a l'avance", folded[dur_end:dur_end + 40])
    if in_advance:
        m = _last_match(_OBJECT_START, folded[:dur_start])
    else:
        # « signale chaque journée d'intempéries … dans un délai de 5 jours »: each event starts its own time
        m = _last_match(_EACH_EVENT, folded[:dur_start])
    if m is None:
        return None
    found = _event_after(text, folded, m.end())
    if found is None:
        return None
    chunk = re.split(r"\s+(?:au moins|au plus tard|dans|a l'avance)\b", found[0])[0]
    return chunk.strip() or None


def deadline_party(facts: SentenceFacts, previous: Party | None, anchor: str | None,
                   aliases: Aliases = ()) -> tuple[Party | None, bool]:
    """(party that must act, whether a rule named it rather than a default). `aliases` are the
    buyer's own acronyms in the document (« Le SMAV notifie sa décision dans un délai de … »)."""
    folded = fold(facts.text)
    if _CONTRACT_TERM.search(folded) and not party_mentions(folded[:40], aliases):
        return None, True
    if _PAYMENT.search(folded):
        return "acheteur", True
    if _OFFER.search(folded):
        if _OFFER_ACCEPTANCE.search(folded):
            return "acheteur", True
        if _OFFER_VALIDITY.search(folded):
            return "titulaire", True  # the candidate stays bound by its offer for that time
        if "titulaire" not in folded:
            return "acheteur", True
    directed = _DIRECTED.search(folded)
    if directed:
        return ("acheteur" if directed.group("who") in ("acheteur", "pouvoir adjudicateur") else "titulaire"), True
    if anchor and "mise en demeure" in fold(anchor):
        # a mise en demeure is addressed to the titulaire: the time it gives is theirs
        return "titulaire", True
    party, _ = subject_party(facts, previous, aliases)
    if party is not None:
        return party, True
    if previous is not None and _BULLET.match(facts.text):
        return previous, True  # a list item continues its lead-in (« Le titulaire s'engage à : - … »)
    if _EXECUTION.search(folded):
        return "titulaire", True
    mentions = party_mentions(folded, aliases)
    # a party named as an agent or object (« les devis demandés par le maître d'ouvrage ») is not the actor
    actors = [m for k, m in enumerate(mentions) if _is_subject(folded, mentions, k)]
    if actors:
        return actors[0][0], True
    # a time limit in a contract document binds the titulaire unless it says otherwise
    return "titulaire", False


REVIEW_BELOW = 0.6


def _confidence(duration: Duration, anchor: str | None, party: Party | None, term: bool) -> float:
    score = 0.6
    score += 0.2 if anchor else 0.0
    score += 0.15 if (party is not None or term) else 0.0
    score += 0.05 if duration.day_type else 0.0
    return round(min(score, 1.0), 3)


def extract_deadlines(parsed: ParsedDocument, clauses: Sequence[Clause], *,
                      sentences: Sequence[SentenceFacts] | None = None) -> list[Deadline]:
    """Every time limit or term of the document, with its source sentence."""
    facts_list = list(sentences) if sentences is not None else document_sentences(parsed.text)
    doc_head = fold(parsed.text[:4000])
    aliases = buyer_aliases(parsed.text)
    out: list[Deadline] = []
    previous: Party | None = None
    previous_anchor: str | None = None
    previous_clause: str | None = None
    previous_text: str | None = None
    for facts in facts_list:
        folded = fold(re.sub(r"\s", " ", facts.text))
        if " | " in facts.text and len(facts.text) > 300:
            continue  # a long flattened table row: penalties' business, not a deadline sentence
        article = _article(clauses, facts.start)
        if article != previous_clause:
            previous_anchor, previous_clause = None, article
        sentence_party, _ = subject_party(facts, previous, aliases)
        if " | " in facts.text:
            found = _table_row_durations(facts.text, folded)
        else:
            found = [d for d in find_durations(facts.text) + abbreviated_durations(folded)
                     if _is_limit(folded, d[1], d[2])]
        found += implicit_durations(folded)
        for duration, start, end in sorted(found, key=lambda d: d[1]):
            anchor = (find_deadline_anchor(facts, start, end, doc_head, previous_anchor, previous_text)
                      or _act_anchor(folded, start))
            party, party_sure = deadline_party(facts, previous, anchor, aliases)
            term = bool(_CONTRACT_TERM.search(folded))
            confidence = _confidence(duration, anchor, party if party_sure else None, term)
            out.append(Deadline(
                article=article,
                page=parsed.page_at(facts.start),
                quote=facts.text.strip(),
                duration=duration.value,
                unit=duration.unit,
                day_type=duration.day_type,
                anchor=anchor,
                party=party,
                span=Span(page=parsed.page_at(facts.start + start), start=facts.start + start,
                          end=facts.start + end),
                confidence=confidence,
                # a defaulted party is a guess: show it « à vérifier »
                needs_review=confidence < REVIEW_BELOW or not party_sure,
            ))
            if anchor:
                previous_anchor = anchor
        if sentence_party is not None:
            previous = sentence_party
        previous_text = facts.text
    return _grid_anchors(out, facts_list, clauses, doc_head)


# « Les délais courent à compter de l'ouverture du ticket » under (or over) a grid of délais:
# the event every row of the grid counts from
_RUNS_FROM = re.compile(r"\bdelais?\b[^.;]{0,40}?\b(?:courent|court|sont decomptes|se decomptent|partent)\b")


def _grid_anchors(deadlines: list[Deadline], facts_list: Sequence[SentenceFacts], clauses: Sequence[Clause],
                  doc_head: str) -> list[Deadline]:
    if not any(d.anchor is None and " | " in d.quote for d in deadlines):
        return deadlines
    anchors: dict[str | None, str] = {}
    for facts in facts_list:
        folded = fold(re.sub(r"\s", " ", facts.text))
        m = _RUNS_FROM.search(folded)
        if m is None or " | " in facts.text:
            continue
        anchor = find_deadline_anchor(facts, m.start(), m.end(), doc_head)
        article = _article(clauses, facts.start)
        if anchor and article not in anchors:
            anchors[article] = anchor
    return [replace(d, anchor=anchors[d.article], confidence=round(min(1.0, d.confidence + 0.2), 3))
            if d.anchor is None and " | " in d.quote and d.article in anchors else d for d in deadlines]
