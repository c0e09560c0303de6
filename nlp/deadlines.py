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

from models.domain.types import Clause, Deadline, ParsedDocument, Party, Span
from nlp.normalize.anchors import find_anchor
from nlp.normalize.durations import Duration, find_durations
from nlp.normalize.text import fold
from nlp.obligations import _article, party_mentions, subject_party
from nlp.pipeline import SentenceFacts, document_sentences

# Words around a duration that make it a time limit or a term (folded text).
_LIMIT_BEFORE = re.compile(
    r"(delai|duree|periode|validite|garanti|dans les|dans un|sous|pendant|au moins|au plus tard|"
    r"au maximum|maximum|minimum|ramene a|porte a|fixe a|est de|sont de|d'au moins|inferieure? a|"
    r"dispose d'|disposent d'|preavis|reconduit|reconductible|prolonge|un|une|de|d')\s*$"
)
_LIMIT_AFTER = re.compile(
    r"^\s*(?:\)\s*)?(?:calendaires?|ouvres?|ouvrables?|francs?|pleins?|consecutifs?)?\s*,?\s*"
    r"(a compter|a partir|suivant|qui suivent|qui suit|apres|avant|a l'avance|au plus tard|des (?:la|le|l')|"
    r"de (?:la|sa|son|leur) |du |courant)"
)
_NOT_A_LIMIT = re.compile(
    r"(de retard|par (?:jour|heure|semaine|mois)|superieure? a|au-dela d[e']|en deca|toute (?:heure|journee)|"
    r"d'indisponibilite|de fonctionnement|heures? (?:ouvrees|ouvrables) de|entre \d|de \d+ ?h)"
)
_CLOCK_TIME = re.compile(r"\d{1,2}\s*h\s*\d{2}|\d{1,2}\s*h\b(?=\s*(?:a|-|et)\s*\d)")
_CONTRACT_TERM = re.compile(
    r"\b(marche|accord-cadre|contrat|convention)\b.{0,40}\b(conclu|passe|prend effet|dure|duree)|"
    r"duree (?:du|de l'|initiale du|globale du) (?:marche|accord-cadre|contrat)|reconductible|reconduit"
)
_PAYMENT = re.compile(r"\b(paiement|payee?s?|sommes dues|acomptes?|verse(?:e|es|s)?|mandatement|solde|reglement des factures)\b")
_OFFER = re.compile(r"\b(offres?|acceptation lui est notifiee|validite des offres)\b")
_EXECUTION = re.compile(r"\bdelai (?:d'execution|de livraison|de realisation|d'intervention|de garantie)|\bgarantie\b|garanti\b")

# implied objects: « sa notification » is the contract's, « son signalement » the thing's
_POSSESSIVE = re.compile(r"\b(sa|son|leur)\s+([a-z'-]+(?:\s+de\s+[a-z'-]+)?)")
_CONTRACT_NOUN = re.compile(r"\b(accord-cadre|marche|bon de commande|contrat|commande)\b")
_GENERIC_NOUNS = frozenset({
    "délai", "jour", "heure", "semaine", "mois", "an", "année", "titulaire", "acheteur", "date",
    "durée", "cas", "échéant", "article", "pénalité", "compter", "fois", "moment", "période",
    "prestataire", "fournisseur", "pouvoir", "adjudicateur", "maître", "œuvre", "ouvrage", "frais",
})


def _is_limit(folded: str, start: int, end: int) -> bool:
    before = folded[max(0, start - 40):start]
    after = folded[end:end + 40]
    window = folded[max(0, start - 25):end + 25]
    if _CLOCK_TIME.match(folded[start:end + 4]):
        return False
    if end < len(folded) and folded[end:end + 1].isdigit():
        return False  # « 8h00 » is a time of day
    if _NOT_A_LIMIT.search(window) and not re.search(r"a compter|suivant|apres|avant", after[:25]):
        return False
    return bool(_LIMIT_BEFORE.search(before) or _LIMIT_AFTER.match(after))


def _contract_noun(folded_sentence: str, folded_doc_head: str) -> str:
    m = _CONTRACT_NOUN.search(folded_sentence)
    word = m.group(1) if m else ("accord-cadre" if "accord-cadre" in folded_doc_head else "marche")
    return {"accord-cadre": "de l'accord-cadre", "bon de commande": "du bon de commande",
            "contrat": "du contrat", "commande": "de la commande"}.get(word, "du marché")


_FEMININE_DET = frozenset({"la", "une", "toute", "cette", "chaque_f"})
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


def find_deadline_anchor(facts: SentenceFacts, dur_end: int, folded_doc_head: str) -> str | None:
    """The event the time runs from, implied objects made explicit."""
    text = facts.text
    folded = fold(text)
    tail = text[dur_end:]
    anchor = find_anchor(tail) or find_anchor(text)
    marker = re.search(r"(a compter|a partir|suivant|apres|avant|des)\s+(?:de\s+|du\s+)?(sa|son|leur)\s+([a-z'-]+)", folded[dur_end:])
    if marker:
        event = text[dur_end + marker.start(3): dur_end + marker.end(3)]
        owner = marker.group(2)
        if fold(event) in ("notification", "signature", "conclusion", "entree", "prise") and owner != "leur":
            return f"{event} {_contract_noun(folded[:dur_end], folded_doc_head)}"
        plural = owner == "leur"
        found = _last_noun(facts, dur_end, plural)
        if found:
            return f"{event} {_with_article(found[0], plural, found[1])}"
        return event
    if anchor and re.fullmatch(r"\s*(notification|signature) du march[eé]\s*", anchor):
        # B's normaliser says « du marché » for a possessive: an accord-cadre says so itself
        noun = _contract_noun(folded, folded_doc_head)
        return f"{anchor.split()[0]} {noun}"
    if anchor is None:
        # « au moins cinq jours ouvrés à l'avance » / « avant chaque comité »: the event is the object
        m = re.search(r"\bavant (?:chaque |la |le |l'|les |toute |tout )?([a-z'-]+(?: [a-z'-]+){0,3})", folded[dur_end:])
        if m:
            return text[dur_end + m.start(1): dur_end + m.end(1)]
    return anchor


def deadline_party(facts: SentenceFacts, previous: Party | None) -> Party | None:
    folded = fold(facts.text)
    if _CONTRACT_TERM.search(folded) and not party_mentions(folded[:40]):
        return None
    if _PAYMENT.search(folded):
        return "acheteur"
    if _OFFER.search(folded) and "titulaire" not in folded:
        return "acheteur"
    party, _ = subject_party(facts, previous)
    if party is not None:
        return party
    if _EXECUTION.search(folded):
        return "titulaire"
    mentions = party_mentions(folded)
    return mentions[0][0] if mentions else None


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
    out: list[Deadline] = []
    previous: Party | None = None
    for facts in facts_list:
        folded = fold(facts.text)
        if " | " in facts.text and len(facts.text) > 300:
            continue  # a long flattened table row: penalties' business, not a deadline sentence
        sentence_party, _ = subject_party(facts, previous)
        for duration, start, end in find_durations(facts.text):
            if not _is_limit(folded, start, end):
                continue
            anchor = find_deadline_anchor(facts, end, doc_head)
            party = deadline_party(facts, previous)
            term = bool(_CONTRACT_TERM.search(folded))
            confidence = _confidence(duration, anchor, party, term)
            out.append(Deadline(
                article=_article(clauses, facts.start),
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
                needs_review=confidence < REVIEW_BELOW,
            ))
        if sentence_party is not None:
            previous = sentence_party
    return out
