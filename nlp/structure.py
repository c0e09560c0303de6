"""Article segmentation of French contract documents (CCAP, CCTP, AE, CCAG).

Headings come in many styles: "ARTICLE 9 – PÉNALITÉS", "Article 9.2 : …", "### Article 9.2",
"9.2.1 Anomalie bloquante.", "8.1. Pénalités pour retard", "Art. 11", "IV – …",
"Chapitre 2", markdown "#". A numbered line is only taken as a heading when its number
plausibly follows the current numbering: this keeps "1." list items, dates, amounts and
footnotes inside their article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from models.domain.types import Clause, ParsedDocument, Span
from nlp.normalize.text import fold

_SEP = r"\s*(?:[-–—:.)]\s*)?"
_ARTICLE = re.compile(
    r"^(?:article|art\.?)\s*(?P<num>premier\b|1er\b|\d{1,3}(?:\s?\.\s?\d{1,3}){0,4}|[IVXivx]{1,6}\b)"
    r"\s*\.?" + _SEP + r"(?P<title>.*)$",
    re.IGNORECASE,
)
_NUMBERED = re.compile(
    r"^(?P<num>\d{1,2}(?:\.\s?\d{1,2}){0,4})\.?(?:\s*[-–—:)]\s*|\s+|(?<=\.)(?=[A-ZÀÂÉÈÊÎÔÛÇL]))"
    r"(?P<title>[A-ZÀÂÄÉÈÊËÎÏÔÖÙÛÜÇŒ«\"].*)$"
)
_ROMAN = re.compile(r"^(?P<num>[IVX]{1,5})\s*[-–—.:)]\s*(?P<title>\S.*)$")
# Lettered sections of actes d'engagement: "A. IDENTIFICATION", "B1 – Montant", "D2. La durée…"
_LETTERED = re.compile(r"^(?P<num>[A-H](?:\d{1,2})?)\s*[-–—.:)]\s*(?P<title>\S.*)$")
_CHAPTER = re.compile(
    r"^(?P<kind>chapitre|titre|partie|section)\s+(?P<num>\d{1,2}|[IVXivx]{1,6}|premier|1er|unique)\b"
    + _SEP + r"(?P<title>.*)$",
    re.IGNORECASE,
)
_MARKDOWN = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<rest>.*)$")
_TOC_LINE = re.compile(r"(?:\.{4,}|…{2,}|_{4,})\s*\d+\s*$|\t\d+\s*$")
# "Article 14.1.3 du CCAG" at the start of a line is a citation, not a heading.
_CITATION = re.compile(r"^\s*(?:du|de\s+l['’]|de\s+la|des|bis\b|alin[ée]a)\b|^\s*,", re.IGNORECASE)

_PROSE_START = re.compile(
    r"^(?:le|la|les|l['’]|un|une|en|lorsque|lorsqu['’]|tout|toute|toutes|tous|par|il|elle|ils|si|"
    r"dans|pour|conform[ée]ment|sauf|aucun|aucune|chaque|ce|cette|ces|au|aux|du|des|de)\s*\b",
    re.IGNORECASE,
)
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10}

# clause_type from heading keywords (folded), first match wins.
_TYPES: tuple[tuple[str, str], ...] = (
    ("derogation", "derogations"),
    ("penalit", "penalite"),
    ("resiliation", "resiliation"),
    ("delai", "delai"),
    ("duree", "delai"),
    ("calendrier", "delai"),
    ("differend", "differends"),
    ("litige", "differends"),
    ("paiement", "paiement"),
    ("reglement des comptes", "paiement"),
    ("reglement", "paiement"),
    ("facturation", "paiement"),
    ("avance", "paiement"),
    ("prix", "prix"),
    ("reception", "reception"),
    ("admission", "reception"),
    ("verification", "reception"),
    ("garantie", "garantie"),
    ("assurance", "assurance"),
    ("sous-traitance", "sous_traitance"),
    ("confidentialite", "confidentialite"),
    ("securite", "securite"),
    ("donnees", "confidentialite"),
    ("pieces", "pieces"),
    ("objet", "objet"),
)


def roman_to_int(roman: str) -> int:
    total, prev = 0, 0
    for ch in reversed(roman.upper()):
        value = _ROMAN_VALUES.get(ch, 0)
        total += -value if value < prev else value
        prev = max(prev, value)
    return total


def normalize_article(raw: str) -> str:
    """'9. 2.' -> '9.2', 'premier' -> '1', 'iv' -> 'IV'."""
    s = re.sub(r"\s+", "", raw).strip(".")
    if fold(s) in ("premier", "1er"):
        return "1"
    if re.fullmatch(r"[ivxIVX]+", s):
        return s.upper()
    return re.sub(r"\.+", ".", s)


def clause_type_for(heading: str, text: str = "") -> str | None:
    head = fold(heading)
    for key, kind in _TYPES:
        if key in head:
            return kind
    body = fold(text[:400])
    if "penalite" in body and re.search(r"\d", body):
        return "penalite"
    return None


@dataclass
class _Head:
    start: int  # offset of the heading line
    article: str | None
    numbers: tuple[int, ...] | None  # arabic numbering, None for roman / chapters / bare markdown
    heading: str
    level: int
    kind: str  # article, numbered, roman, chapter, markdown


def _title_of(rest: str, line_iter_next: str | None) -> str:
    """Heading title: the whole rest when short, the first phrase of an inline paragraph
    ("9.2.1 Anomalie bloquante. Le titulaire…"), else empty."""
    rest = rest.strip().strip("*_ ").strip()
    if not rest and line_iter_next is not None:
        nxt = line_iter_next.strip().strip("#*_ ")
        if nxt and len(nxt) <= 100 and not nxt.endswith((".", ";", ":")):
            return nxt
        return ""
    if _PROSE_START.match(rest) and (len(rest.split()) > 7 or rest.endswith((".", ","))):
        return ""  # an inline paragraph ("9.7.1 Le montant total des pénalités …")
    if len(rest) <= 120 and not re.search(r"[.;:]\s+[A-ZÀÂÉÈÊÎÔÛÇ«][a-zàâéèêëîïôöùûüç]+\s+[a-zàâéèêëîïôöùûüç]", rest):
        return rest.rstrip(".: ").strip()
    m = re.match(r"(.{2,90}?)[.:]\s+[A-ZÀÂÉÈÊÎÔÛÇ«]", rest)
    return m.group(1).strip() if m else ""


def _plausible(cur: tuple[int, ...], cand: tuple[int, ...], max_gap: int) -> bool:
    """Does `cand` follow `cur` in a hierarchical numbering (sibling, uncle or child)?"""
    if not cur:
        # an excerpt may start at any explicit "Article N"; bare numbers must start low
        return (max_gap > 3 or cand[0] <= max_gap) and all(c <= 1 for c in cand[1:])
    k = 0
    while k < len(cand) and k < len(cur) and cand[k] == cur[k]:
        k += 1
    if k == len(cand):
        return False  # repeat of the current number or of an ancestor
    if k < len(cur):
        step = cand[k] - cur[k]
        ok = 1 <= step <= max_gap
    else:
        ok = cand[k] <= 3  # a first sub-article may be 0, 1 or skip one or two numbers
    return ok and all(c <= 1 for c in cand[k + 1:])


def _plausible_letter(cur: tuple[int, int], cand: tuple[int, int]) -> bool:
    """A, B, B1, B2, C… : next letter (with no or a first sub-number) or next sub-number."""
    (cl, cs), (nl, ns) = cur, cand
    if nl == cl:
        return 1 <= ns - cs <= 2
    if nl == cl + 1 or (cl == 0 and nl <= 2):
        return ns <= 1
    return False


def _candidates(text: str) -> list[tuple[int, str, str, str | None]]:
    """(offset, kind, cleaned line, next line) for each line that looks like a heading."""
    out: list[tuple[int, str, str, str | None]] = []
    lines = text.split("\n")
    pos = 0
    for i, raw in enumerate(lines):
        start = pos
        pos += len(raw) + 1
        line = raw.strip()
        if not line or " | " in line or _TOC_LINE.search(line) or len(line) > 2000:
            continue
        nxt = next((ln for ln in lines[i + 1:i + 3] if ln.strip()), None)
        out.append((start, "line", line, nxt))
    return out


def _parse_line(line: str) -> tuple[str, str | None, str] | None:
    """(kind, raw number, rest) when `line` has a heading shape."""
    md_level = 0
    m = _MARKDOWN.match(line)
    if m:
        md_level = len(m.group("hashes"))
        line = m.group("rest").strip()
    line = re.sub(r"^\*\*(.+?)\*\*", r"\1", line).strip()
    if (a := _ARTICLE.match(line)) and not _CITATION.match(a.group("title")):
        return ("article", a.group("num"), a.group("title"))
    if c := _CHAPTER.match(line):
        return ("chapter", c.group("num"), line)
    if n := _NUMBERED.match(line):
        return ("numbered", n.group("num"), n.group("title"))
    if r := _ROMAN.match(line):
        if roman_to_int(r.group("num")) <= 30:
            return ("roman", r.group("num"), r.group("title"))
    if (lt := _LETTERED.match(line)) and not lt.group("title").startswith(("-", "–")):
        return ("lettered", lt.group("num"), lt.group("title"))
    if md_level:
        return ("markdown", str(md_level), line)
    return None


def _collect_heads(text: str) -> list[_Head]:
    heads: list[_Head] = []
    cur: tuple[int, ...] = ()
    roman_cur = 0
    letter_cur: tuple[int, int] = (0, 0)  # (letter index from 1, sub-number)
    for start, _, line, nxt in _candidates(text):
        parsed = _parse_line(line)
        if parsed is None:
            continue
        kind, num, rest = parsed
        if kind == "markdown":
            heads.append(_Head(start, None, None, rest.strip("*_ "), int(num or 1), kind))
            continue
        if kind == "chapter":
            heads.append(_Head(start, None, None, rest.strip("*_ "), 0, kind))
            continue
        assert num is not None
        article = normalize_article(num)
        if kind == "lettered":
            letter, sub = ord(num[0]) - ord("A") + 1, int(num[1:] or 0)
            if not _plausible_letter(letter_cur, (letter, sub)):
                continue
            letter_cur = (letter, sub)
            heads.append(_Head(start, num, None, _title_of(rest, nxt), 2 if sub else 1, "lettered"))
            continue
        if kind == "roman" or (kind == "article" and re.fullmatch(r"[IVX]+", article)):
            value = roman_to_int(article)
            if not (1 <= value - roman_cur <= 2 or (kind == "article" and value > roman_cur)):
                continue
            roman_cur = value
            heads.append(_Head(start, article, None, _title_of(rest, nxt), 1, "roman"))
            continue
        numbers = tuple(int(p) for p in article.split("."))
        if kind == "numbered":
            title = rest
            long_prose = len(title) > 120 and not re.match(r".{2,90}?[.:]\s", title)
            if len(numbers) == 1 and (long_prose or len(title) > 150):
                continue  # "1 Le titulaire …" is a list item or a footnote, not an article
        max_gap = 6 if kind == "article" else 3
        in_roman = roman_cur > 0 and numbers[0] == roman_cur and len(numbers) > 1
        if in_roman and (not cur or cur[0] != roman_cur) and _plausible((roman_cur,), numbers, max_gap):
            pass  # "7.1" under "ARTICLE VII": sub-articles restate the roman number
        elif not _plausible(cur, numbers, max_gap):
            # A restart at 1 after a table of contents: drop the TOC headings.
            if numbers[0] == 1 and len(numbers) == 1 and heads and _looks_like_toc(heads, start):
                heads = [h for h in heads if h.numbers is None]
                cur = ()
            else:
                continue
        cur = numbers
        heads.append(_Head(start, article, numbers, _title_of(rest, nxt), len(numbers), kind))
    return heads


def _looks_like_toc(heads: list[_Head], next_start: int) -> bool:
    numbered = [h for h in heads if h.numbers is not None]
    if len(numbered) < 3:
        return False
    starts = [h.start for h in numbered] + [next_start]
    gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    return sum(gaps) / len(gaps) < 120


def _parent_of(article: str, known: set[str]) -> str | None:
    parts = article.split(".")
    for k in range(len(parts) - 1, 0, -1):
        candidate = ".".join(parts[:k])
        if candidate in known:
            return candidate
    return None


def segment_clauses(parsed: ParsedDocument) -> list[Clause]:
    """Clauses in document order; a clause's span covers its sub-articles."""
    text = parsed.text
    heads = _collect_heads(text)
    has_arabic = any(h.numbers is not None for h in heads)
    levels = [0 if (h.kind == "roman" and has_arabic) else h.level for h in heads]
    clauses: list[Clause] = []
    known: set[str] = set()
    types: dict[str, str | None] = {}
    for i, head in enumerate(heads):
        end = len(text)
        for j in range(i + 1, len(heads)):
            if levels[j] <= levels[i]:
                end = heads[j].start
                break
        body = text[head.start:end].rstrip()
        span_end = head.start + len(body)
        parent = _parent_of(head.article, known) if head.numbers and head.article else None
        if parent is None and head.numbers and len(head.numbers) > 1:
            # "7.1" under "ARTICLE VII"
            parent = next((h.article for h in reversed(heads[:i]) if h.kind == "roman" and h.article
                           and roman_to_int(h.article) == head.numbers[0]), None)
        if head.kind == "lettered" and head.article and len(head.article) > 1 and head.article[0] in known:
            parent = head.article[0]
        kind = clause_type_for(head.heading, body)
        inherited = types.get(parent) if parent is not None else None
        if kind is None or (inherited == "penalite" and "penalit" in fold(body)):
            # "9.1" with no title inherits "Résiliation"; "7.2.4 Vérification des décomptes"
            # under "Pénalités" that sets a penalty stays a penalty clause
            kind = inherited or kind
        if head.article:
            known.add(head.article)
            types[head.article] = kind
        clauses.append(
            Clause(
                article=head.article,
                heading=head.heading,
                text=body,
                span=Span(page=parsed.page_at(head.start), start=head.start, end=span_end),
                level=levels[i],
                parent=parent,
                clause_type=kind,
            )
        )
    return clauses


def article_at(clauses: list[Clause], offset: int) -> Clause | None:
    """The most specific clause containing `offset` (deepest, then shortest)."""
    best: Clause | None = None
    for clause in clauses:
        if clause.span.start <= offset < max(clause.span.end, clause.span.start + 1):
            if best is None or (clause.span.end - clause.span.start) < (best.span.end - best.span.start):
                best = clause
    return best
