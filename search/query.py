"""Backend-neutral query structure and its parser (pure functions, no server).

Syntax a contract manager may type (French and English operator words):

    pénalités retard                    words: every word counts, more matched words rank higher
    "résiliation pour faute"            exact phrase (French stemming still applies)
    plafond ET pénalités                explicit AND (also AND, &&)
    réversibilité OU transfert          OR (also OR, ||)
    pénalités SAUF absence              NOT (also NOT, -mot)
    (retard OU absence) type:penalite   grouping and field filters
    fournisseur:"Mobilier Éducatif"     supplier filter (full name or a phrase of it)
    ccag:FCS  contrat:2024-FCS-012  piece:ccap  article:9.2
    annee:2023..2025  annee:>=2024  date:2024-01..2024-06  date:15/03/2024

Unbalanced quotes or parentheses are tolerated (closed at the end) and reported in
`Query.warnings` (French), because a user's typo should not cost them their results.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from search.errors import QuerySyntaxError

# French and English field names → canonical record field.
FIELD_ALIASES: dict[str, str] = {
    "type": "clause_type", "type_clause": "clause_type", "clause": "clause_type", "clause_type": "clause_type",
    "fournisseur": "supplier", "titulaire": "supplier", "societe": "supplier", "société": "supplier",
    "supplier": "supplier",
    "siret": "supplier_siret", "supplier_siret": "supplier_siret",
    "ccag": "ccag",
    "contrat": "contract_ref", "marche": "contract_ref", "marché": "contract_ref", "ref": "contract_ref",
    "contract": "contract_ref", "contract_ref": "contract_ref",
    "piece": "doc_kind", "pièce": "doc_kind", "doc": "doc_kind", "nature": "doc_kind", "kind": "doc_kind",
    "doc_kind": "doc_kind",
    "annee": "year", "année": "year", "year": "year",
    "date": "date",
    "article": "article", "art": "article",
    "chemin": "path", "fichier": "path", "path": "path",
    "niveau": "record_type", "record_type": "record_type",
    "document": "document_id", "document_id": "document_id",
    "titre": "heading", "intitule": "heading", "intitulé": "heading", "heading": "heading",
    "texte": "text", "text": "text",
}
# Fields matched as analysed text (phrase), not as exact keys.
TEXT_FIELDS = frozenset({"heading", "text"})
RANGE_FIELDS = frozenset({"year", "date"})


@dataclass(frozen=True)
class Term:
    text: str


@dataclass(frozen=True)
class Phrase:
    text: str


@dataclass(frozen=True)
class FieldMatch:
    """Exact value of a keyword field, or a phrase inside a text field (heading, text)."""

    field: str
    value: str


@dataclass(frozen=True)
class Range:
    """Inclusive integer range; `date` bounds are YYYYMMDD numbers."""

    field: str
    low: int | None
    high: int | None


@dataclass(frozen=True)
class And:
    items: tuple[Node, ...]
    # True for juxtaposed words (« pénalités retard »): free-text parts become "should"
    # clauses with a minimum to match, so that one missing word does not hide a clause.
    implicit: bool = False


@dataclass(frozen=True)
class Or:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    item: Node


Node = Term | Phrase | FieldMatch | Range | And | Or | Not


@dataclass(frozen=True)
class Query:
    root: Node | None  # None: match everything (filters and facets only)
    text: str = ""
    warnings: tuple[str, ...] = ()


_TOKEN = re.compile(
    r"""\s*(?:
        (?P<lpar>\()|(?P<rpar>\))|
        (?P<field>[^\W\d][\w]*):(?P<fvalue>"[^"]*"?|[^\s()]*)|
        (?P<phrase>"[^"]*"?)|
        (?P<word>[^\s()"]+)
    )""",
    re.VERBOSE | re.UNICODE,
)
_AND = {"AND", "ET", "&&"}
_OR = {"OR", "OU", "||"}
_NOT = {"NOT", "SAUF"}


def _date_bound(text: str, high: bool) -> int:
    """'2024' / '2024-03' / '2024-03-15' / '15/03/2024' → YYYYMMDD (open end for partial dates)."""
    text = text.strip()
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    if m:
        return int(m.group(3)) * 10000 + int(m.group(2)) * 100 + int(m.group(1))
    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", text)
    if not m:
        raise QuerySyntaxError(f"Date illisible « {text} » : écrivez AAAA, AAAA-MM, AAAA-MM-JJ ou JJ/MM/AAAA.")
    year, month, day = int(m.group(1)), m.group(2), m.group(3)
    if month is None:
        return year * 10000 + (9999 if high else 0)
    if day is None:
        return year * 10000 + int(month) * 100 + (99 if high else 0)
    return year * 10000 + int(month) * 100 + int(day)


def _int_bound(field: str, text: str, high: bool) -> int:
    if field == "date":
        return _date_bound(text, high)
    if not re.fullmatch(r"\d{4}", text.strip()):
        raise QuerySyntaxError(f"Année illisible « {text} » : écrivez une année sur quatre chiffres.")
    return int(text)


def parse_range(field: str, value: str) -> Range:
    """`2023..2025`, `>=2024`, `<2025`, `2024` (a single year or date = that whole period)."""
    value = value.strip()
    if ".." in value:
        start, _, end = value.partition("..")
        return Range(field, _int_bound(field, start, False) if start else None,
                     _int_bound(field, end, True) if end else None)
    m = re.fullmatch(r"(>=|<=|>|<)(.+)", value)
    if m:
        op, bound = m.groups()
        if op in (">=", ">"):
            low = _int_bound(field, bound, op == ">")
            return Range(field, low + (1 if op == ">" else 0), None)
        top = _int_bound(field, bound, op == "<=")
        return Range(field, None, top - (1 if op == "<" else 0))
    return Range(field, _int_bound(field, value, False), _int_bound(field, value, True))


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens: list[tuple[str, str, str]] = []  # (kind, value, field)
        self.warnings: list[str] = []
        self._lex(text)
        self.pos = 0

    def _lex(self, text: str) -> None:
        for m in _TOKEN.finditer(text):
            if m.group("lpar"):
                self.tokens.append(("lpar", "(", ""))
            elif m.group("rpar"):
                self.tokens.append(("rpar", ")", ""))
            elif m.group("field") is not None:
                name, value = m.group("field"), m.group("fvalue")
                canonical = FIELD_ALIASES.get(name.lower())
                if canonical is None or not value:
                    # not a field we know ("http:", "art.:"): keep it as plain words
                    self.tokens.append(("word", m.group(0).strip(), ""))
                    continue
                if value.startswith('"'):
                    if len(value) == 1 or not value.endswith('"'):
                        self.warnings.append("Guillemet non fermé : la fin de la requête est prise comme une expression.")
                    value = value.strip('"')
                self.tokens.append(("field", value, canonical))
            elif m.group("phrase") is not None:
                raw = m.group("phrase")
                if len(raw) == 1 or not raw.endswith('"'):
                    self.warnings.append("Guillemet non fermé : la fin de la requête est prise comme une expression.")
                self.tokens.append(("phrase", raw.strip('"'), ""))
            elif m.group("word"):
                self.tokens.append(("word", m.group("word"), ""))

    def peek(self) -> tuple[str, str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _is_op(self, words: set[str]) -> bool:
        tok = self.peek()
        return tok is not None and tok[0] == "word" and tok[1] in words

    def parse(self) -> Node | None:
        node = self.parse_or()
        while self.peek() is not None:  # stray ")" : skip and go on
            self.warnings.append("Parenthèse fermante en trop ignorée.")
            self.pos += 1
            more = self.parse_or()
            node = _combine(node, more)
        return node

    def parse_or(self) -> Node | None:
        items = [self.parse_and()]
        while self._is_op(_OR):
            self.pos += 1
            items.append(self.parse_and())
        present = [i for i in items if i is not None]
        if not present:
            return None
        return present[0] if len(present) == 1 else Or(tuple(present))

    def parse_and(self) -> Node | None:
        items: list[Node] = []
        explicit = False
        while True:
            tok = self.peek()
            if tok is None or tok[0] == "rpar" or self._is_op(_OR):
                break
            if self._is_op(_AND):
                explicit = True
                self.pos += 1
                continue
            node = self.parse_unary()
            if node is not None:
                items.append(node)
        if not items:
            return None
        if len(items) == 1:
            return items[0]
        return And(tuple(items), implicit=not explicit)

    def parse_unary(self) -> Node | None:
        if self._is_op(_NOT):
            self.pos += 1
            inner = self.parse_unary()
            return Not(inner) if inner is not None else None
        tok = self.peek()
        assert tok is not None
        kind, value, field = tok
        if kind == "word" and value.startswith("-") and len(value) > 1:
            self.pos += 1
            return Not(Term(value[1:]))
        if kind == "word" and value.startswith("+") and len(value) > 1:
            self.pos += 1
            return Term(value[1:])
        return self.parse_atom()

    def parse_atom(self) -> Node | None:
        kind, value, field = self.tokens[self.pos]
        self.pos += 1
        if kind == "lpar":
            node = self.parse_or()
            if self.peek() is not None and self.peek()[0] == "rpar":  # type: ignore[index]
                self.pos += 1
            else:
                self.warnings.append("Parenthèse non fermée : fermée en fin de requête.")
            return node
        if kind == "rpar":
            self.warnings.append("Parenthèse fermante en trop ignorée.")
            return None
        if kind == "phrase":
            return Phrase(value) if value.strip() else None
        if kind == "field":
            if field in RANGE_FIELDS:
                return parse_range(field, value)
            return FieldMatch(field, value)
        return Term(value)


def _combine(left: Node | None, right: Node | None) -> Node | None:
    if left is None:
        return right
    if right is None:
        return left
    return And((left, right), implicit=True)


def parse_query(q: str) -> Query:
    """Parse what the user typed into a `Query` (raises QuerySyntaxError on unreadable dates)."""
    parser = _Parser(q or "")
    root = parser.parse()
    return Query(root=root, text=q or "", warnings=tuple(dict.fromkeys(parser.warnings)))


def free_text(node: Node | None) -> list[str]:
    """The positive words and phrases of a query (for highlighting)."""
    if node is None:
        return []
    if isinstance(node, (Term, Phrase)):
        return [node.text]
    if isinstance(node, FieldMatch) and node.field in TEXT_FIELDS:
        return [node.value]
    if isinstance(node, (And, Or)):
        return [t for item in node.items for t in free_text(item)]
    return []


def is_filter(node: Node) -> bool:
    """True for nodes that only restrict (exact fields, ranges, OR of those): they never score."""
    if isinstance(node, Range):
        return True
    if isinstance(node, FieldMatch):
        return node.field not in TEXT_FIELDS
    if isinstance(node, Or):
        return all(is_filter(i) for i in node.items)
    return False


def loose_words(node: Node | None) -> list[str]:
    """The juxtaposed words of the query's main group (« plafond pénalités »): engines rescore
    their top results by how close these words stand in the text."""
    if isinstance(node, And):
        if node.implicit:
            words = [i.text for i in node.items if isinstance(i, Term)]
            if len(words) >= 2:
                return words
        for item in node.items:
            if isinstance(item, And):
                found = loose_words(item)
                if found:
                    return found
    return []
