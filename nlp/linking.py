"""Small text helpers shared by the letter and incident readers.

They find the things a contract manager uses to tie a letter or an incident to a contract:
dates, times, euro amounts, contract / order references, SIRETs, cited articles, and a
TF-IDF similarity between short French texts. Pure functions, no spaCy: these run on every
incident of a portfolio and must stay cheap.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence

from nlp.normalize import find_amounts as _find_amounts
from nlp.normalize import parse_amount as _parse_amount
from nlp.normalize import parse_number

MONTHS: dict[str, int] = {
    "janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
    "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12,
    "janv": 1, "fev": 2, "avr": 4, "juil": 7, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}

@functools.lru_cache(maxsize=1 << 16)  # pure; called millions of times per portfolio scan
def fold(text: str | None) -> str:
    """Lower-case, accent-free, apostrophes unified: the form every comparison uses."""
    if not text:
        return ""
    return text.translate(_FOLD_TABLE).lower()


class _FoldTable(dict[int, str]):
    """Each character's folded form (compatibility decomposition without its combining marks),
    worked out the first time it is met. Folding character by character is folding the text:
    the decomposition of a string is that of its characters, and the marks the canonical
    reordering would move are all dropped."""

    def __missing__(self, code: int) -> str:
        char = {"’": "'", "\u00a0": " ", "\u202f": " "}.get(chr(code), chr(code))
        folded = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        self[code] = folded
        return folded


_FOLD_TABLE = _FoldTable()


def words_to_int(words: str) -> int | None:
    """« quarante-huit » → 48, « quinze (15) » → 15, « 15 » → 15; None when not a number."""
    value = parse_number(words.strip())
    return int(value) if value is not None and float(value).is_integer() else None


# ---------------------------------------------------------------------------- dates

_MONTH_RE = (
    r"(janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[uû]t|septembre|octobre|novembre|"
    r"d[ée]cembre|janv\.?|f[ée]v\.?|avr\.?|juil\.?|sept\.?|oct\.?|nov\.?|d[ée]c\.?)"
)
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})[/.](\d{1,2})[/.](\d{4}|\d{2})\b")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
# « les 7, 8, 9 et 11 juillet 2025 », « du 23 au 25 septembre 2024 », « 1er juillet 2024 »
_TEXT_DATE = re.compile(
    r"\b((?:\d{1,2}(?:er)?\s*(?:,|et|au|-|à)\s*)*)(\d{1,2})(?:er)?\s+" + _MONTH_RE + r"\s+(\d{4})\b",
    re.IGNORECASE,
)


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


_SHORT_NUMERIC = re.compile(r"(?<![\d/.])(\d{1,2})/(\d{1,2})(?![\d/]|\.\d)")
_SHORT_TEXT = re.compile(
    r"\b((?:\d{1,2}(?:er)?\s*(?:,|et|au|-|à)\s*)*)(\d{1,2})(?:er)?\s+" + _MONTH_RE + r"(?!\s+\d{4})\b",
    re.IGNORECASE,
)


def _near(year_of: dt.date, month: int, day: int) -> dt.date | None:
    """The date with this day and month closest to `year_of` (a log written in early January
    speaks of « 28/12 » of the year before)."""
    options = [d for d in (_safe_date(year_of.year + k, month, day) for k in (-1, 0, 1)) if d]
    return min(options, key=lambda d: abs((d - year_of).days)) if options else None


def find_dates(text: str, *, default_year: dt.date | None = None) -> list[tuple[dt.date, int, int]]:
    """Every date written in `text`, with its character span, in text order.

    Enumerations (« les 7, 8 et 9 juillet 2025 ») give one entry per day, all with the span
    of the whole enumeration. With `default_year` (the day a log line was written), dates
    without a year (« le 16/01 », « le 3 mars ») are placed in the nearest year.
    """
    found: list[tuple[dt.date, int, int]] = []
    if default_year is not None:
        for m in _SHORT_NUMERIC.finditer(text):
            day = _near(default_year, int(m.group(2)), int(m.group(1)))
            if day:
                found.append((day, m.start(), m.end()))
        for m in _SHORT_TEXT.finditer(text):
            month = MONTHS.get(fold(m.group(3)).rstrip("."))
            if month is None:
                continue
            leading = [int(x) for x in re.findall(r"\d{1,2}", m.group(1) or "")]
            for d in leading + [int(m.group(2))]:
                day = _near(default_year, month, d)
                if day:
                    found.append((day, m.start(1) if leading else m.start(2), m.end()))
    for m in _NUMERIC_DATE.finditer(text):
        year = int(m.group(3))
        if year < 100:
            year += 2000
        day = _safe_date(year, int(m.group(2)), int(m.group(1)))
        if day:
            found.append((day, m.start(), m.end()))
    for m in _ISO_DATE.finditer(text):
        day = _safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if day:
            found.append((day, m.start(), m.end()))
    for m in _TEXT_DATE.finditer(text):
        month = MONTHS.get(fold(m.group(3)).rstrip("."))
        if month is None:
            continue
        year = int(m.group(4))
        leading = [int(x) for x in re.findall(r"\d{1,2}", m.group(1) or "")]
        for d in leading + [int(m.group(2))]:
            day = _safe_date(year, month, d)
            if day:
                found.append((day, m.start(1) if leading else m.start(2), m.end()))
    found.sort(key=lambda item: (item[1], item[0]))
    return found


_TIME = re.compile(r"\b(\d{1,2})\s*(?:h|H|:)\s*(\d{2})?\b")


def find_times(text: str) -> list[tuple[int, int, int]]:
    """(minutes since midnight, start, end) for « 08h10 », « 9 h », « 11:30 »."""
    out: list[tuple[int, int, int]] = []
    for m in _TIME.finditer(text):
        hours = int(m.group(1))
        minutes = int(m.group(2) or 0)
        if hours > 23 or minutes > 59:
            continue
        # « 48 h » is a duration, and « 3 h 30 » after a parenthesis is too: callers filter.
        out.append((hours * 60 + minutes, m.start(), m.end()))
    return out


# ---------------------------------------------------------------------------- amounts

def parse_amount(raw: str) -> float | None:
    return _parse_amount(raw)


def find_amounts(text: str) -> list[tuple[float, int, int]]:
    """Euro amounts (« 12 400,00 € HT », « 1 500 euros »), with spans (B's normaliser)."""
    return _find_amounts(text)


# ---------------------------------------------------------------------------- references

_CONTRACT_REF = re.compile(
    r"(?:march[ée]|accord[- ]cadre|contrat|convention)\s*(?:public\s*)?(?:subs[ée]quent\s*)?"
    r"(?:de\s+(?:travaux|services|fournitures|prestations(?:\s+intellectuelles)?|ma[iî]trise d'[œo]e?uvre)\s+)?"
    r"(?:n[°o º]\.?\s*|num[ée]ro\s*|r[ée]f[ée]rence\s*|:\s*)?"
    r"([A-Z0-9][A-Z0-9/_.-]*\d[A-Z0-9/_.-]*[A-Z0-9])",
    re.IGNORECASE,
)
# A reference of the « 2024-FCS-012 » family standing alone (subject lines, brackets).
_BARE_REF = re.compile(r"\b((?:19|20)\d{2}[-_/][A-Z]{1,6}[-_/]\d{1,4}[A-Z]?)\b")


@functools.lru_cache(maxsize=1 << 14)  # pure; compared against every known ref per lookup
def ref_key(ref: str | None) -> str:
    """Comparison key of a reference: upper-case letters and digits only."""
    return re.sub(r"[^A-Z0-9]", "", fold(ref).upper()) if ref else ""


def find_contract_refs(text: str) -> list[str]:
    refs: list[str] = []
    for m in _CONTRACT_REF.finditer(text):
        candidate = m.group(1).rstrip(".-/")
        if re.fullmatch(r"\d{1,2}[/.]\d{1,2}[/.]\d{2,4}", candidate):
            continue  # « contrat du 12/03/2024 » is a date
        if sum(c.isdigit() for c in candidate) >= 2 and candidate not in refs:
            refs.append(candidate)
    for m in _BARE_REF.finditer(text):
        if m.group(1) not in refs:
            refs.append(m.group(1))
    return refs


_SEPARATORS = re.compile(r"[\s_/.-]")  # exactly the separators the ref patterns allow


@functools.lru_cache(maxsize=1 << 14)  # one compiled pattern per ref: re's own cache holds only 512
def _known_ref_pattern(ref: str) -> re.Pattern[str] | None:
    """The ref written with free separators (2024-FCS-012 = 2024 FCS 012); None without a letter or digit."""
    chars = re.sub(r"[^A-Za-z0-9]", "", ref)
    if not chars:
        return None
    pattern = r"[\s_/.-]?".join(re.escape(ch) for ch in chars)
    return re.compile(r"(?<![A-Za-z0-9])" + pattern + r"(?![0-9])", re.IGNORECASE)


class RefFinder:
    """The known contract references written in a text (separators free), for texts read by the thousand (every
    incident and letter of a scan against every contract of the portfolio).

    Same hits, in the same (list) order: a reference written in a text leaves each of its
    digit runs in the text once separators are removed. References are indexed by their
    rarest run (« 0107 » rather than the year « 2023 » that hundreds share), so a text costs a
    few dictionary lookups and a handful of searches, not one search per reference.
    """

    def __init__(self, known: Sequence[str]) -> None:
        self._known = list(known)
        self._by_digits: dict[str, list[int]] = {}
        self._always: list[int] = []  # no digit: tried on every text
        runs = [set(re.findall(r"[0-9]+", re.sub(r"[^A-Za-z0-9]", "", ref))) for ref in self._known]
        frequency = Counter(run for ref_runs in runs for run in ref_runs)
        for position, ref_runs in enumerate(runs):
            if not re.search(r"[A-Za-z0-9]", self._known[position]):
                continue  # nothing to look for (its pattern is compiled on first use only)
            if ref_runs:
                rarest = min(ref_runs, key=lambda run: (frequency[run], -len(run), run))
                self._by_digits.setdefault(rarest, []).append(position)
            else:
                self._always.append(position)
        self._lengths = sorted({len(d) for d in self._by_digits})

    def find(self, text: str) -> list[str]:
        candidates = set(self._always)
        if self._by_digits:
            for run in re.findall(r"[0-9]+", _SEPARATORS.sub("", text)):
                for size in self._lengths:
                    for start in range(len(run) - size + 1):
                        candidates.update(self._by_digits.get(run[start:start + size], ()))
        hits = []
        for position in sorted(candidates):
            ref = self._known[position]
            pattern = _known_ref_pattern(ref)
            if pattern is not None and pattern.search(text):
                hits.append(ref)
        return hits


class NameFinder:
    """Which of many names a text mentions as whole words of its folded form (« Propreté
    Armor » in « relancé PROPRETE ARMOR ce matin »), for thousands of texts against thousands
    of names.

    Every word of a name found as whole words is a whole word of the text; so names are
    indexed by their rarest word (« berthier », not the « ateliers » many share), and a name is
    searched for only when the text has all its words.
    """

    def __init__(self, keys: Sequence[str]) -> None:
        """`keys`: the folded names, as the caller wants them matched (stripped or not)."""
        self._keys = list(keys)
        self._words = [frozenset(_WORD.findall(key)) for key in self._keys]
        frequency = Counter(word for words in self._words for word in words)
        self._by_word: dict[str, list[int]] = {}
        self._always: list[int] = []  # a key without letters or digits
        for position, (key, words) in enumerate(zip(self._keys, self._words)):
            if words:
                rarest = min(words, key=lambda w: (frequency[w], w))
                self._by_word.setdefault(rarest, []).append(position)
            elif key:
                self._always.append(position)
        self._indexed = frozenset(self._by_word)

    def mentioned(self, text: str) -> list[int]:
        """Positions (in `keys` order) of the names the text mentions."""
        folded = fold(text)
        words = set(_WORD.findall(folded))
        candidates = set(self._always)
        for word in words & self._indexed:
            for position in self._by_word[word]:
                if self._words[position] <= words:
                    candidates.add(position)
        return [p for p in sorted(candidates) if _whole_word(self._keys[p]).search(folded)]


_WORD = re.compile(r"[a-z0-9]+")


@functools.lru_cache(maxsize=1 << 14)  # one compiled pattern per name: re's own cache holds only 512
def _whole_word(key: str) -> re.Pattern[str]:
    return re.compile(r"(?<![a-z0-9])" + re.escape(key) + r"(?![a-z0-9])")


_ORDER_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("BC", re.compile(
        r"\b(?:bons?\s+de\s+commande|BC|commande)\s*(?:n[°oº]\.?\s*)?([A-Z0-9][A-Z0-9/_.-]*\d[A-Z0-9]*)",
        re.IGNORECASE)),
    ("OS", re.compile(
        r"\b(?:ordres?\s+de\s+service|OS)\s*(?:n[°oº]\.?\s*)?(\d+[A-Z0-9/_.-]*)", re.IGNORECASE)),
    ("ticket", re.compile(r"\btickets?\s*(?:n[°oº]\.?\s*)?([A-Z0-9][A-Z0-9/_.-]*\d)", re.IGNORECASE)),
)


def find_order_refs(text: str) -> list[str]:
    """« BC 2024-BC-017 », « bon de commande n° 24-041 », « OS n° 3 », « ticket 24-0087 »,
    normalised as « BC 24-041 », « OS 3 », « ticket 24-0087 »."""
    out: list[str] = []
    for label, pattern in _ORDER_PATTERNS:
        for m in pattern.finditer(text):
            ident = m.group(1).rstrip(".-/")
            if re.fullmatch(r"\d{1,2}[/.]\d{1,2}[/.]\d{2,4}", ident):
                continue
            ref = f"{label} {ident}"
            if ref not in out:
                out.append(ref)
    return out


def order_key(ref: str) -> str:
    """« BC 2024-BC-017 » and « BC n° 2024-BC-017 » share a key; so do « BC 24-041 » forms."""
    label, _, ident = ref.partition(" ")
    return label.upper() + ":" + ref_key(ident)


_SIRET = re.compile(r"(?<!\d)(\d{3}[ \u00a0]?\d{3}[ \u00a0]?\d{3}[ \u00a0]?\d{5})(?!\d)")


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 1:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


def find_sirets(text: str) -> list[str]:
    out = []
    for m in _SIRET.finditer(text):
        digits = re.sub(r"\D", "", m.group(1))
        if len(digits) == 14 and luhn_ok(digits) and digits not in out:
            out.append(digits)
    return out


_ARTICLE = re.compile(
    r"\b(?:articles?|art\.)\s+((?:\d+(?:\.\d+)*(?!\d|er\b|\s*:)(?:\s*[a-z]\))?(?:\s*(?:,|et)\s*)?)+)"
    r"(?:\s*(?:du|de\s+l'|des|de\s+son|de\s+sa)\s*(CCAP|CCAG(?:[- ][A-Za-zé]+)?|CCTP|AE|acte d'engagement|"
    r"r[èe]glement|RGPD|code))?",
    re.IGNORECASE,
)


def find_articles(text: str) -> list[str]:
    """« article 9.2 du CCAP » → « CCAP 9.2 »; « art. 14.1.3 du CCAG-FCS » → « CCAG-FCS 14.1.3 »;
    an article without its document stays bare (« 9.2 »)."""
    out: list[str] = []
    for m in _ARTICLE.finditer(text.replace("’", "'")):
        doc = (m.group(2) or "").strip()
        doc = re.sub(r"\s+", "-", doc.upper()) if doc.upper().startswith("CCAG") else doc.upper()
        if doc == "ACTE D'ENGAGEMENT":
            doc = "AE"
        for number in re.findall(r"\d+(?:\.\d+)*", m.group(1)):
            item = f"{doc} {number}".strip()
            if item not in out:
                out.append(item)
    return out


# ---------------------------------------------------------------------------- words

_STOP = frozenset(
    "le la les de du des un une et en au aux a par pour dans sur est sont qui que ne pas se sa son ses "
    "ce cette ces il elle ils leur leurs avec sans plus tout toute tous toutes lors apres avant entre "
    "chaque donne lieu encourt une ou si cas the".split())


def stems(text: str) -> list[str]:
    """Crude French stems: accent-folded words of 4+ letters cut to 6 characters
    (« livraison », « livré » and « livrée » meet on « livr »-words; « rétablissement » on « retabl »)."""
    return [w[:6] for w in re.findall(r"[a-z]{4,}", fold(text)) if w not in _STOP]
