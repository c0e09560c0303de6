"""Length-preserving text folding, so that regexes run on folded text give offsets
valid in the original text."""

from __future__ import annotations

import unicodedata

# Typographic characters French documents use where ASCII would do.
_CHAR_MAP = {
    "\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'",
    "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " ", "\t": " ",
    "\u2013": "-", "\u2014": "-", "\u2011": "-", "\u2010": "-", "\u2212": "-",
    "\u00ab": '"', "\u00bb": '"', "\u201c": '"', "\u201d": '"',
    "\u0153": "o", "\u0152": "O",  # œ is folded to one char to keep offsets
    "\u00e6": "a", "\u00c6": "A",
}


def fold_char(ch: str) -> str:
    mapped = _CHAR_MAP.get(ch)
    if mapped is not None:
        return mapped
    if ord(ch) < 128:
        return ch
    base = unicodedata.normalize("NFD", ch)[0]
    return base if len(base) == 1 else ch


class _FoldTable(dict[int, str]):
    """`fold_char` for str.translate, each character worked out once (the NLP folds every text
    it reads, character by character otherwise)."""

    def __missing__(self, code: int) -> str:
        folded = fold_char(chr(code))
        self[code] = folded
        return folded


_FOLD_TABLE = _FoldTable()


def fold(text: str) -> str:
    """Lower-case, accent-free, same length as `text` (offsets stay valid)."""
    return text.translate(_FOLD_TABLE).lower()


def squash(text: str) -> str:
    """Fold and collapse whitespace: for comparisons, not for offsets."""
    return " ".join(fold(text).split())
