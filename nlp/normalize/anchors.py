"""The event a time limit runs from: 'à compter de la notification' -> 'notification'."""

from __future__ import annotations

import re

from nlp.normalize.text import fold

# Markers after which the starting event is named (folded text).
_MARKERS = (
    r"a\s+compter\s+(?:du|de\s+la|de\s+l'|des|de|d')|a\s+partir\s+(?:du|de\s+la|de\s+l'|des|de|d')"
    r"|suivant\s+(?:la|le|l'|les)?|qui\s+(?:suit|suivent)\s+(?:la|le|l'|les)?|apres\s+(?:la|le|l'|les)?"
    r"|avant\s+(?:la|le|l'|les)?|des\s+(?:la|le|l')|courant\s+(?:du|de\s+la|de\s+l'|de)"
    r"|(?:prend|prennent|prendra)\s+effet\s+(?:a\s+compter\s+)?(?:a|au|de|du|des|a\s+la|a\s+l')"
)
_ANCHOR = re.compile(rf"\b(?:{_MARKERS})\s*")
# Where the event's description stops.
_STOP = re.compile(
    r"[,;:.()\[\]]|(?<!fixee)(?<!prevue)(?<!indiquee)(?<!definie)(?<!mentionnee)\s(?:pour|par|sous|sauf|et\s+(?:au|a|le|la|dans)|sans|faute|lorsque|lorsqu'|si|afin|"
    r"dans\s+(?:le|la|les|un|une)|a\s+peine|jusqu'|jusqu|restee|reste|demeuree|qui|adressee|notifiee|envoyee|"
    r"pendant|conformement|selon|le\s+cas\s+echeant|au\s+plus\s+tard|sur\s+simple|"
    # a verb ends the event's noun phrase: "la notification du marché entraîne une pénalité"
    r"entraine\w*|donne\w*|est|sont|sera|seront|doit|doivent|peut|peuvent|vaut|valent|fait|font|ont|a|"
    r"et\s+(?:propose|transmet|remet|informe|adresse|fournit|communique|procede|justifie|notifie)\w*)\b"
)
# Leading words that are not the event: "le jour de la", "la date de", "la date fixée par l'"...
_LEADING = re.compile(
    r"(?:le\s+)?(?:jour|lendemain)\s+(?:de\s+la|de\s+l'|du|des|de|d')\s*"
    r"|(?:la\s+)?date\s+(?:fixee|indiquee|prevue|mentionnee)\s+(?:par|dans|a)\s+(?:la|le|l'|les)?\s*"
    r"|(?:la\s+)?date\s+(?:de\s+la|de\s+l'|du|des|de|d')\s*"
    r"|(?:la|le|l'|les|du|de\s+la|de\s+l'|des|une|un|toute|tout|chaque|toutes\s+les|tous\s+les)\s+"
    r"|l'"
)
_REJECT = re.compile(
    r"^(?:\d|avoir|etre|que\b|qu'|ce\s+qui|lui\b|elle\b|eux\b|celle|celui|cela|l'avance|avance\b|terme\b|"
    r"expiration\s+(?:de\s+)?(?:ce|ce\s+meme|du\s+present)\s+delai)"
)
_POSSESSIVE = re.compile(r"^(?:sa|son)\s+(?:date\s+de\s+)?(notification|signature|conclusion|reception|emission)\b")
# What "sa notification" most likely refers to, when the sentence names it before.
_OWNERS: tuple[tuple[str, str], ...] = (
    (r"mise\s+en\s+demeure", "de la mise en demeure"),
    (r"bon\s+de\s+commande", "du bon de commande"),
    (r"ordre\s+de\s+service", "de l'ordre de service"),
    (r"decision", "de la décision"),
    (r"avenant", "de l'avenant"),
    (r"accord-cadre", "de l'accord-cadre"),
)
_MAX_WORDS = 8


def _owner(before: str) -> str:
    best, best_pos = "du marché", -1
    for pattern, label in _OWNERS:
        for m in re.finditer(pattern, before):
            if m.start() > best_pos:
                best, best_pos = label, m.start()
    return best


def find_anchor(text: str) -> str | None:
    """Short description of the starting event, as written (original accents kept).

    "à compter de la notification du marché" -> "notification du marché";
    "suivant la réception du bon de commande" -> "réception du bon de commande";
    "à compter de sa notification" -> "notification du marché" (or of the mise en demeure,
    order… named earlier in the sentence). None when no event is named.
    """
    folded = fold(text)
    for m in _ANCHOR.finditer(folded):
        start = m.end()
        limit = min(len(folded), start + 200)
        while True:
            lead = _LEADING.match(folded, start, limit)
            if not lead or lead.end() == start:
                break
            start = lead.end()
        stop = _STOP.search(folded, start, limit)
        end = stop.start() if stop else limit
        candidate = folded[start:end].strip()
        if not candidate or _REJECT.match(candidate):
            continue
        possessive = _POSSESSIVE.match(candidate)
        if possessive:
            event = text[start + possessive.start(1):start + possessive.end(1)]
            return f"{event} {_owner(folded[:m.start()])}"
        words = text[start:end].split()[:_MAX_WORDS]
        anchor = " ".join(words).strip(" '\"")
        if anchor:
            return anchor
    return None
