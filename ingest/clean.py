"""Pure text cleaning applied to every extracted text before offsets are computed.

Order matters: line endings and pdfium's hyphen marker first, NFKC next (ligatures, no-break
spaces), then hyphenation repair, then control characters and blank-line runs.
"""

from __future__ import annotations

import re
import unicodedata

# pdfium replaces a hyphen that ends a line by U+FFFE and glues both halves ("exé\ufffecution");
# some builds emit STX (\x02) instead. Both mean "hyphen found at a line break".
_BREAK_MARK = "\ufffe"

# Compound words whose hyphen must survive a line break (« sous-traitant », « ci-dessous »).
# A fragment listed here keeps its hyphen; anything else is treated as typographic hyphenation.
_KEEP_LEFT = frozenset(
    {"sous", "non", "vis", "à", "demi", "mi", "ex", "vice", "arrière", "contre", "porte",
     "grand", "grande", "grands", "maître", "maîtres", "quasi", "avant", "après", "peut"}
)
# Numbers in words (« cent cinquante-cinq euros ») must keep their hyphens for amount parsing.
_NUMBER_WORDS = frozenset(
    {"un", "une", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix", "onze", "douze",
     "treize", "quatorze", "quinze", "seize", "vingt", "vingts", "trente", "quarante", "cinquante", "soixante",
     "cent", "cents", "mille", "et"}
)
_KEEP_RIGHT = frozenset(
    {"ci", "là", "même", "mêmes", "être", "dire", "vis", "t", "il", "elle", "ils", "elles", "on",
     "dessous", "dessus", "delà", "dedans", "dehors", "après", "avant", "contre", "joint", "jointe",
     "joints", "jointes", "inclus", "incluse", "traitant", "traitants", "traitante", "traitance",
     "conformité", "conformités", "respect", "exécution", "paiement", "reconduction"}
)

_WORD = r"[^\W\d_]"  # a letter, accents included
_HYPHEN_NEWLINE = re.compile(rf"({_WORD}+)-[ \t]*\n[ \t]*({_WORD}+)")
_MARKED = re.compile(rf"(\w+){_BREAK_MARK}[ \t]*\n?[ \t]*(\w+)")
# "2024-\nFCS-012", "CCAG-\nFCS": references broken at a line end keep their hyphen.
_REF_BREAK = re.compile(r"([0-9A-ZÀ-Ý]+)-[ \t]*\n[ \t]*(?=[0-9A-ZÀ-Ý])")
_HYPHENATED = re.compile(rf"{_WORD}+-{_WORD}+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\u200b\u200c\u200d\u2060\ufeff\ufffe\uffff]")
_SOFT_BREAK = re.compile(r"\u00ad[ \t]*\n[ \t]*")
_TRAILING_SPACE = re.compile(r"[ \t]+\n")
_BLANK_RUN = re.compile(r"\n{3,}")
# Word's Symbol/Wingdings bullets come out of PDFs as private-use code points.
_NB_HYPHENS = str.maketrans({"\u2010": "-", "\u2011": "-", "\t": " ", "\uf0b7": "•", "\uf0a7": "•",
                             "\uf0d8": "•", "\uf076": "•", "\uf0a8": "•", "\uf02d": "-",
                             "\u2044": "/",  # NFKC writes « ½ » as 1⁄2
                             # one apostrophe for every rule downstream: « d’exécution » = « d'exécution »
                             "\u2019": "'", "\u2018": "'", "\u02bc": "'"})


def _joiner(text: str):  # type: ignore[no-untyped-def]
    """Build the replacement function; words seen elsewhere in the same text decide first."""
    seen: list[set[str]] = []  # computed on the first break only: most texts have none

    def join(match: re.Match[str]) -> str:
        left, right = match.group(1), match.group(2)
        if not right[:1].isalpha() or not left[-1:].isalpha():
            return f"{left}-{right}"
        if not seen:
            seen.append({w.lower() for w in _HYPHENATED.findall(text)})
        if f"{left}-{right}".lower() in seen[0]:
            return f"{left}-{right}"
        if right[:1].isupper() and left[-1:].islower():
            return f"{left}-{right}"  # « Saint-\nÉtienne », « Jean-\nMoulin »
        if left.lower() in _KEEP_LEFT or right.lower() in _KEEP_RIGHT:
            return f"{left}-{right}"
        if left.lower() in _NUMBER_WORDS and right.lower() in _NUMBER_WORDS:
            return f"{left}-{right}"
        return f"{left}{right}"

    return join


def clean_text(text: str) -> str:
    """Normalise extracted text: line endings, NFKC, hyphenation, control characters."""
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x0c", "\n")
    text = text.replace("\x02", _BREAK_MARK)
    # NFKC would turn the ordinal « º » of « nº » into « o »: French writes « n° ».
    text = text.replace("nº", "n°").replace("Nº", "N°")
    text = unicodedata.normalize("NFKC", text).translate(_NB_HYPHENS)
    # A soft hyphen at a line end is a typographic break; elsewhere it is invisible.
    if "\u00ad" in text:
        text = _SOFT_BREAK.sub(_BREAK_MARK, text).replace("\u00ad", "")
    join = _joiner(text)
    if _BREAK_MARK in text:
        text = _MARKED.sub(join, text)
    if "-" in text:
        text = _HYPHEN_NEWLINE.sub(join, text)
        text = _REF_BREAK.sub(r"\1-", text)
    text = _CONTROL.sub("", text)
    text = _TRAILING_SPACE.sub("\n", text)
    text = _BLANK_RUN.sub("\n\n", text)
    return text.strip()


def normalise_line_key(line: str) -> str:
    """Key used to recognise running headers/footers: digits folded, spaces collapsed, case folded,
    so « Page 3/5 » and « Page 4/5 » give the same key."""
    key = re.sub(r"\d+", "#", line.casefold())
    return re.sub(r"\s+", " ", key).strip(" \t-–—|")
