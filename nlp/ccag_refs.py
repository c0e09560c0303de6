"""Which CCAG a contract document refers to, which of its articles the CCAP derogates from,
and whether the CCAG penalty rules are declared applicable.

Sources (shared/domain/FACTS.md): six CCAG families, 2009 and 2021 versions, the 2021 ones
approved by arrêtés du 30 mars 2021 [S]; the CCAP lists its derogations in its last article
(CCAG-FCS 2009 art. 1 and 39) [T]; Travaux 2009 amended in 2014, Travaux 2021 amended by an
arrêté du 30 septembre 2021 [S] -- amendments keep the version of the base text.
"""

from __future__ import annotations

import re
from collections import Counter

from models.domain.types import Clause, ParsedDocument
from nlp.normalize.text import fold
from nlp.sentences import sentence_spans
from nlp.structure import article_at

# Family names as written, on folded text. Order matters: "fournitures courantes et services"
# before a bare "services"; "maitrise d'oeuvre" only next to "ccag" or "clauses administratives".
_FAMILY_PATTERNS: tuple[tuple[str, str], ...] = (
    ("FCS", r"ccag[\s-]*f\.?c\.?s\b|fournitures\s+courantes\s+et\s+(?:de\s+)?services"),
    ("Travaux", r"ccag[\s-]*(?:de\s+)?travaux|marches\s+publics\s+de\s+travaux|ccag[\s-]*t\b"),
    ("PI", r"ccag[\s-]*p\.?i\b|prestations\s+intellectuelles"),
    ("TIC", r"ccag[\s-]*tic\b|techniques\s+de\s+l'information\s+et\s+de\s+la\s+communication"),
    ("MI", r"ccag[\s-]*m\.?i\b|marches\s+(?:publics\s+)?industriels"),
    ("MOE", r"ccag[\s-]*m\.?o\.?e\b|ccag[^.\n]{0,40}maitrise\s+d'oeuvre|clauses\s+administratives\s+generales[^.\n]{0,80}maitrise\s+d'oeuvre"),
)
# A CCAG mention, to tell "prestations intellectuelles" in a CCAG title from the same words
# describing the contract's object.
_CCAG_MENTION = re.compile(r"ccag|clauses\s+administratives\s+generales")
_VERSION_ARRETE = re.compile(r"arrete\s+(?:ministeriel\s+)?du\s+\d{1,2}(?:er)?\s+[a-z]+\s+(20\d\d)")
_VERSION_BARE = re.compile(r"ccag[\s-]*[a-z]*\s*\(?\s*(?:version\s+|de\s+|du\s+)?(2009|2021)\b")
# "CCAG-Travaux du 30 mars 2021": a date right after the family name
_VERSION_DATED = re.compile(r"ccag[\s-]*[a-z]*\s*(?:\(\s*)?(?:issu\s+de\s+l'arrete\s+|approuve\s+)?du\s+\d{1,2}(?:er)?\s+[a-z]+\s+(20\d\d)")


def _version_of_year(year: int) -> int | None:
    if 2009 <= year <= 2014:
        return 2009
    if 2021 <= year <= 2022:
        return 2021
    return None


def detect_ccag(text: str) -> tuple[str | None, int | None, float]:
    """(family, version, confidence) of the CCAG the document refers to.

    Family is the most cited one near a CCAG mention; the version comes from the approving
    arrêté's year or a "CCAG-FCS 2021" style mention near it. No guess when absent.
    """
    folded = fold(text)
    votes: Counter[str] = Counter()
    versions: Counter[int] = Counter()
    for m in _CCAG_MENTION.finditer(folded):
        window = folded[max(0, m.start() - 40):m.end() + 260]
        near = folded[m.start():m.end() + 260]
        for family, pattern in _FAMILY_PATTERNS:
            if re.search(pattern, window):
                votes[family] += 1
                break
        for v in _VERSION_ARRETE.finditer(near):
            version = _version_of_year(int(v.group(1)))
            if version:
                versions[version] += 2
        for v in _VERSION_BARE.finditer(folded[m.start():m.end() + 30]):
            versions[int(v.group(1))] += 1
        for v in _VERSION_DATED.finditer(folded[m.start():m.end() + 60]):
            version = _version_of_year(int(v.group(1)))
            if version:
                versions[version] += 2
    if not votes:
        return None, None, 0.0
    family, count = votes.most_common(1)[0]
    share = count / sum(votes.values())
    version = versions.most_common(1)[0][0] if versions else None
    confidence = min(1.0, 0.5 + 0.1 * count) * share
    if version is None:
        confidence *= 0.8
    return family, version, round(confidence, 2)


_ART_NUM = r"\d{1,3}(?:\s?\.\s?\d{1,3}){0,4}"
_ART_LIST = rf"{_ART_NUM}(?:\s*(?:,|et|ou)\s*(?:l'article\s+)?{_ART_NUM})*"
# "par dérogation à l'article 14.1.3 du CCAG", "déroge aux articles 14.1.2 et 14.1.3 du CCAG-TIC"
_DEROG_CCAG = re.compile(
    rf"(?:par\s+derogation|derogeant|deroge(?:nt)?|il\s+est\s+deroge|derogation)\s+(?:a\s+l'|aux\s+|a\s+la\s+|au\s+)?"
    rf"(?:stipulations?\s+de\s+l'|dispositions?\s+de\s+l')?(?:articles?|art\.)\s+(?P<ccag>{_ART_LIST})"
    rf"(?:\s+(?:et\s+suivants|alinea\s+\d+))?\s+du\s+(?:present\s+)?"
    rf"(?:ccag|cahier\s+des\s+clauses\s+administratives\s+generales)"
)
# "l'article 9.6 du présent CCAP déroge à …", "Article 8.3 du CCAP : déroge à …"
_CCAP_ART = re.compile(rf"(?:articles?|art\.)\s+(?P<ccap>{_ART_LIST})\s+(?:du\s+(?:present\s+)?(?:ccap|cahier|marche|document))")
# Table rows or list lines: "9.6 | 14.1.3" in a derogation article
_ROW_PAIR = re.compile(rf"^\W*(?:article\s+)?(?P<a>{_ART_NUM})\W+(?:article\s+)?(?P<b>{_ART_NUM})\W*$")


def _split_list(raw: str) -> list[str]:
    return [re.sub(r"\s+", "", a).strip(".") for a in re.findall(_ART_NUM, raw)]


def derogated_articles(folded_sentence: str) -> list[str]:
    """CCAG articles a (folded) sentence says it derogates from, in order."""
    out: list[str] = []
    for m in _DEROG_CCAG.finditer(folded_sentence):
        out.extend(_split_list(m.group("ccag")))
    return out


# "Article 9.2 : dérogation à l'article 14.1.1 du CCAG" at the head of a derogation list line
_LEAD_CCAP_ART = re.compile(rf"^\W*(?:l')?(?:articles?|art\.)\s+(?P<ccap>{_ART_LIST})\s*(?:[:,–—-]|\bdu\s+ccap|\bderoge)")


def _ccag_column_first(folded: str, row_start: int) -> bool:
    """In a derogation table, is the CCAG article in the first column? Read from the
    header row (the last ' | ' line without digits); CCAP first when unknown."""
    for line in reversed(folded[:row_start].split("\n")[-20:]):
        if " | " in line and not re.search(r"\d", line):
            cells = line.split(" | ")
            return "ccag" in cells[0] and "ccap" not in cells[0]
    return False


def find_derogations(parsed: ParsedDocument, clauses: list[Clause]) -> list[tuple[str, str | None]]:
    """(CCAG article derogated from, CCAP article that derogates) in document order.

    The CCAP article is the one the sentence names ("l'article 9.6 du présent CCAP déroge…"),
    else the article the sentence stands in -- unless that is the derogation list itself.
    """
    text = parsed.text
    folded = fold(text)
    found: list[tuple[str, str | None]] = []
    for start, end in sentence_spans(text):
        sentence = folded[start:end]
        clause = article_at(clauses, start)
        in_list = clause is not None and clause.clause_type == "derogations"
        for m in _DEROG_CCAG.finditer(sentence):
            named = _CCAP_ART.search(sentence[:m.start()]) or _CCAP_ART.search(sentence[m.end():])
            lead = _LEAD_CCAP_ART.match(sentence) if in_list and m.start() > 0 else None
            if named:
                ccap_articles: list[str | None] = list(_split_list(named.group("ccap")))
            elif lead:
                ccap_articles = list(_split_list(lead.group("ccap")))
            elif clause is not None and not in_list:
                ccap_articles = [clause.article]
            else:
                ccap_articles = [None]
            for ccag in _split_list(m.group("ccag")):
                for ccap in ccap_articles:
                    found.append((ccag, ccap))
        if in_list and not _DEROG_CCAG.search(sentence) and " | " in text[start:end]:
            cells = [c.strip() for c in text[start:end].split(" | ")]
            row = _ROW_PAIR.match(" | ".join(fold(c) for c in cells))
            if row:
                a, b = re.sub(r"\s", "", row.group("a")), re.sub(r"\s", "", row.group("b"))
                found.append((a, b) if _ccag_column_first(folded, start) else (b, a))
    seen: set[tuple[str, str | None]] = set()
    unique = []
    for pair in found:
        if pair not in seen:
            seen.add(pair)
            unique.append(pair)
    return unique


_APPLIES = re.compile(
    r"s'appliqu|applicables?|application|appliquee?s?|calculee?s?|conformement|sont\s+celles|est\s+celle|"
    r"(?:prevue?s?|fixee?s?|definie?s?|regie?s?)\s+(?:a|au|aux|par)|dans\s+les\s+conditions|selon\s+les\s+modalites"
)
_APPLIES_NOT = re.compile(
    r"par\s+derogation|deroge|ne\s+s'appliqu|ne\s+sont\s+pas\s+applicables|n'est\s+pas\s+applicable|"
    r"observations|contradictoire|invite|resiliation|deduites?|exonere|exoneration|plafonn|procedure|"
    r"exceder|depasser|montant\s+total"
)


def applies_ccag_penalties(text: str) -> bool:
    """True when the document declares the CCAG penalty rules applicable
    ("les pénalités du CCAG s'appliquent", "conformément à l'article 14.1 du CCAG")."""
    folded = fold(text)
    for start, end in sentence_spans(folded):
        sentence = folded[start:end]
        if "penalit" not in sentence or "ccag" not in sentence:
            continue
        penalty = sentence.find("penalit")
        if _APPLIES.search(sentence) and not _APPLIES_NOT.search(sentence) and penalty < sentence.rfind("ccag"):
            return True
    return False
