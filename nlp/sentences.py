"""Fast rule-based French sentence splitter for contract text.

Why not spaCy's parser: CCAP text is full of "art. 9.2", "n° 12", "1 500,00 €" and hard
line wraps from PDFs, which statistical splitters break on; rules are faster and stable.
"""

from __future__ import annotations

import re

from nlp.normalize.text import fold

# Words after which a dot does not end a sentence (folded, without the dot).
_ABBREVIATIONS = frozenset({
    "art", "arts", "n", "no", "nos", "m", "mm", "mme", "mmes", "mlle", "me", "dr", "pr", "cf",
    "p", "pp", "ex", "al", "min", "max", "env", "ref", "refs", "tel", "fax", "av", "bd", "st",
    "ste", "vol", "chap", "sect", "annexe", "app", "approx", "ca", "cad", "c-a-d", "i.e", "e.g",
    "etc", "fig", "hab", "mgr", "sieur", "nb", "obs", "op", "cit", "vs", "sté", "ets", "cie",
})
_BULLET = re.compile(r"^\s*(?:[-•*–—▪►o]\s|\(?[a-z]\)\s|\d{1,2}°|\(?\d{1,2}\)\s|[ivx]{1,4}\)\s|\d{1,2}\.\s(?!\d))")
_HEADING = re.compile(
    r"^\s*(?:#{1,6}\s|article\s+\d|art\.?\s*\d|chapitre\s|titre\s|section\s|annexe\s|"
    r"\d{1,2}(?:\.\s?\d{1,2}){0,4}\.?\s*[-–—:)]?\s*[A-ZÀÂÉÈÊÎÔÛÇ]|[IVXLC]{1,6}\s*[-–.:)]\s)",
    re.IGNORECASE,
)
_HEADING_NUMBER = re.compile(r"^\s*(?:#{1,6}\s*)?(?:(?:article|art\.?)\s*)?[\dIVXivx]+(?:\s?\.\s?\d+)*\.?\s*[-–—:.)]?\s*", re.IGNORECASE)
_PROSE_START = re.compile(
    r"^(?:le|la|les|l'|l’|un|une|en|lorsque|lorsqu|tout|toute|toutes|tous|par|il|elle|ils|si|dans|pour|"
    r"conform[ée]ment|sauf|aucun|aucune|chaque|ce|cette|ces|au|aux|du|des|de)\b",
    re.IGNORECASE,
)
_GLUED_END = re.compile(r"(?<=[a-zàâéèêëîïôöùûüç]{3})\.(?=[A-ZÀÂÉÈÊÎÔÛÇ](?:[a-zàâéèêëîïôöùûüç]{2}|\s))")
_TERMINAL = re.compile(r"[.!?;:]\s*[\"')\]»]*\s*$")
_INLINE_END = re.compile(r"[.!?](?:[\"')\]»]+)?(?=\s+[\"'(«]?[A-ZÀÂÉÈÊËÎÏÔÖÙÛÜÇ0-9])")


def _is_table_row(line: str) -> bool:
    return " | " in line


def _is_wrapped_paragraph(line: str) -> bool:
    """'9.7.1 Le montant total des pénalités … ne peut' goes on on the next line."""
    number = _HEADING_NUMBER.match(line)
    rest = line[number.end():] if number else line
    if re.search(r"[.:]\s+\S", rest):
        return True  # "7.3 Plafond. Par dérogation … des pénalités" runs on
    return bool(_PROSE_START.match(rest)) and len(rest.split()) > 5


def _continues_across_blank(lines: list[str], i: int) -> bool:
    """A blank line between a line without final punctuation and a line starting in lower
    case is a page break inside a sentence (PDF pages), not a paragraph break."""
    prev_i = i
    while prev_i >= 0 and not lines[prev_i].strip():
        prev_i -= 1
    next_i = i + 1
    while next_i < len(lines) and not lines[next_i].strip():
        next_i += 1
    if prev_i < 0 or next_i >= len(lines) or next_i - prev_i > 4:
        return False
    prev, nxt = lines[prev_i], lines[next_i].lstrip()
    return (
        not _TERMINAL.search(prev)
        and not _is_table_row(prev)
        and not _is_table_row(nxt)
        and not _HEADING.match(prev)
        and nxt[:1].islower()
        and not _BULLET.match(nxt)
    )


_CONNECTOR_END = re.compile(
    r"(?:\b(?:de|du|des|la|le|les|l'|l’|d'|d’|à|a|au|aux|et|ou|en|par|pour|sur|sous|dans|avec|un|une|est|sont|"
    r"qui|que|dont|son|sa|ses|leur|leurs|ce|cette|ces|n°)|[,'’(-])\s*$",
    re.IGNORECASE,
)


def _full_width(lines: list[str]) -> int:
    """Typical length of a wrapped line (PDF text): lines much shorter end a paragraph."""
    lengths = sorted(len(ln.rstrip()) for ln in lines if ln.strip())
    if len(lengths) < 5:
        return 10_000
    return lengths[int(len(lengths) * 0.9)]


def _ends_short_paragraph(line: str, nxt: str, width: int) -> bool:
    """'Titulaire : Atelier Trajectoires' then 'Marché n° …': a short line without a trailing
    connector, followed by a capitalised line, ends its paragraph even without a full stop."""
    first = nxt.lstrip()[:1]
    return (
        bool(first) and (first.isupper() or first.isdigit())
        and len(line.rstrip()) < 0.6 * width
        and not _CONNECTOR_END.search(line)
    )


def _line_breaks(text: str) -> list[int]:
    """Offsets where a line break ends a sentence."""
    cuts: list[int] = []
    lines = text.split("\n")
    width = _full_width(lines)
    pos = 0
    for i, line in enumerate(lines[:-1]):
        end = pos + len(line)
        nxt = lines[i + 1]
        stripped = line.strip()
        if not stripped or not nxt.strip():
            if not _continues_across_blank(lines, i):
                cuts.append(end)
        elif (
            _TERMINAL.search(line)
            or _is_table_row(line)
            or _is_table_row(nxt)
            or _BULLET.match(nxt)
            or _HEADING.match(nxt) and not _BULLET.match(line)
            or _HEADING.match(line) and len(stripped) < 120 and not _is_wrapped_paragraph(line)
            or _ends_short_paragraph(line, nxt, width)
        ):
            cuts.append(end)
        pos = end + 1
    return cuts


def _inline_breaks(text: str, start: int, end: int) -> list[int]:
    cuts: list[int] = []
    segment = text[start:end]
    if _is_table_row(segment):
        return cuts
    for m in _INLINE_END.finditer(segment):
        dot = m.start()
        if segment[dot] == ".":
            before = re.search(r"([\w°.-]+)$", segment[:dot])
            word = fold(before.group(1)) if before else ""
            if word in _ABBREVIATIONS or word.rstrip(".") in _ABBREVIATIONS:
                continue
            if len(word) == 1 and word.isalpha() and before and before.group(1).isupper():
                continue  # initial: "J. Martin"
            if re.fullmatch(r"\d{1,2}", word) and re.match(r"\s+\d", segment[m.end():]):
                continue  # "article 9. 2." style numbers
        cuts.append(start + m.end())
    # "…en fait la demande.A défaut de …": a missing space after the full stop (OCR, Légifrance)
    for m in _GLUED_END.finditer(segment):
        cuts.append(start + m.end())
    return sorted(set(cuts))


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, whitespace trimmed, in order. A table row line
    (cells joined by " | ") is one sentence."""
    bounds = [0, *_line_breaks(text), len(text)]
    spans: list[tuple[int, int]] = []
    for a, b in zip(bounds, bounds[1:], strict=False):
        cuts = [a, *_inline_breaks(text, a, b), b]
        for s, e in zip(cuts, cuts[1:], strict=False):
            while s < e and text[s].isspace():
                s += 1
            while e > s and text[e - 1].isspace():
                e -= 1
            if e > s:
                spans.append((s, e))
    return spans


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]
