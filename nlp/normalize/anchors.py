"""The event a time limit runs from: 'à compter de la notification' -> 'notification'."""

from __future__ import annotations

import re

from nlp.normalize.text import fold

_MARKERS = (
    r"a\s+compter\s+(?:du|de\s+la|de\s+l'|des|de)|a\s+partir\s+(?:du|de\s+la|de\s+l'|des|de)"
    r"|suivant\s+(?:la|le|l'|les)?|qui\s+suivent\s+(?:la|le|l'|les)|apres\s+(?:la|le|l'|les|reception|notification)?"
    r"|avant\s+(?:la|le|l'|les)?|des\s+(?:la|le|l')|courant\s+(?:du|de\s+la|de\s+l')"
    r"|de\s+la\s+date\s+(?:de\s+la|du|de\s+l'|de)"
)
_ANCHOR = re.compile(rf"\b(?:{_MARKERS})\s*")
# Where the event's description stops.
_STOP = re.compile(
    r"[,;:.()\[\]]|\s(?:pour|par|sous|sauf|et\s+(?:au|a|le|la|dans)|sans|faute|sous\s+peine|lorsque|si|afin|dans\s+le|dans\s+la|a\s+peine|jusqu)\s"
)
_POSSESSIVE = re.compile(r"^(?:sa|son)\s+(notification|signature|conclusion)\b")
_DROP_LEADING = re.compile(r"^(?:la|le|l'|les|du|de\s+la|de\s+l'|des|date\s+de\s+(?:la\s+|l')?)\s*")
_EVENT_WORDS = re.compile(
    r"notification|reception|emission|date|commande|demande|signature|constat|mise\s+en\s+demeure|"
    r"livraison|achevement|demarrage|remise|envoi|transmission|survenance|debut|fin|expiration|"
    r"validation|admission|ordre\s+de\s+service|decouverte|signalement|appel|prise\s+d'effet|facture"
)


def find_anchor(text: str) -> str | None:
    """Short description of the starting event, as written (original accents kept)."""
    folded = fold(text)
    for m in _ANCHOR.finditer(folded):
        start = m.end()
        # "à compter du jour de la réception" -> keep "réception ..."
        rest = folded[start:start + 160]
        stop = _STOP.search(rest)
        chunk_end = start + (stop.start() if stop else len(rest))
        words = text[start:chunk_end].split()[:8]
        candidate = " ".join(words).strip(" '\"")
        cand_f = fold(candidate)
        cand_f = re.sub(r"^(?:jour|lendemain)\s+(?:de\s+la|de\s+l'|du|des|de)\s*", "", cand_f)
        if not _EVENT_WORDS.search(cand_f):
            continue
        offset = len(candidate) - len(cand_f)
        candidate = candidate[offset:] if offset >= 0 else candidate
        pos = _POSSESSIVE.match(cand_f)
        if pos:
            return f"{pos.group(1)} du marché"
        stripped = _DROP_LEADING.sub("", fold(candidate))
        candidate = candidate[len(candidate) - len(stripped):] if stripped else candidate
        return candidate.strip() or None
    return None
