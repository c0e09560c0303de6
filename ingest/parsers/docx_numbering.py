"""Render Word's automatic list numbers (« Article 9 », « 9.2 », « a) ») as literal text.

In a DOCX the number of an auto-numbered heading is not in the text at all: without this, every
« ARTICLE 9 – PÉNALITÉS » built with a numbered style would lose its article number."""

from __future__ import annotations

import re
from typing import Any

from docx.oxml.ns import qn

_LEVEL_REF = re.compile(r"%([1-9])")
_ROMAN = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
          (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))


def _roman(n: int) -> str:
    out = []
    for value, letters in _ROMAN:
        while n >= value:
            out.append(letters)
            n -= value
    return "".join(out)


def _letters(n: int) -> str:
    # Word repeats the letter past z: 27 → "aa"
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def format_number(n: int, fmt: str) -> str:
    if fmt == "upperRoman":
        return _roman(n)
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt == "upperLetter":
        return _letters(n).upper()
    if fmt == "lowerLetter":
        return _letters(n)
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "none":
        return ""
    return str(n)


def _val(element: Any, tag: str, default: str | None = None) -> str | None:
    found = element.find(qn(tag)) if element is not None else None
    return found.get(qn("w:val")) if found is not None else default


class Numbering:
    """Counters for each list; call `label(paragraph_element, style)` in document order."""

    def __init__(self, document: Any) -> None:
        self._levels: dict[str, dict[int, tuple[int, str, str]]] = {}  # abstractId → ilvl → (start, fmt, text)
        self._num_to_abstract: dict[str, str] = {}
        self._start_override: dict[tuple[str, int], int] = {}
        self._counters: dict[str, dict[int, int]] = {}
        self._legal: set[tuple[str, int]] = set()  # levels with w:isLgl: referenced numbers in decimal
        self._seen_nums: set[str] = set()
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        for abstract in root.findall(qn("w:abstractNum")):
            levels: dict[int, tuple[int, str, str]] = {}
            for lvl in abstract.findall(qn("w:lvl")):
                ilvl = int(lvl.get(qn("w:ilvl"), "0"))
                levels[ilvl] = (int(_val(lvl, "w:start", "1") or 1), _val(lvl, "w:numFmt", "decimal") or "decimal",
                                _val(lvl, "w:lvlText", "") or "")
                if lvl.find(qn("w:isLgl")) is not None:
                    self._legal.add((abstract.get(qn("w:abstractNumId")), ilvl))
            self._levels[abstract.get(qn("w:abstractNumId"))] = levels
        for num in root.findall(qn("w:num")):
            num_id = num.get(qn("w:numId"))
            abstract_id = _val(num, "w:abstractNumId")
            if num_id and abstract_id is not None:
                self._num_to_abstract[num_id] = abstract_id
                for override in num.findall(qn("w:lvlOverride")):
                    start = _val(override, "w:startOverride")
                    if start is not None:
                        self._start_override[(num_id, int(override.get(qn("w:ilvl"), "0")))] = int(start)

    @staticmethod
    def _num_pr(p: Any, style: Any) -> tuple[str, int] | None:
        ppr = p.find(qn("w:pPr"))
        num_pr = ppr.find(qn("w:numPr")) if ppr is not None else None
        if num_pr is not None:
            num_id = _val(num_pr, "w:numId")
            return (num_id, int(_val(num_pr, "w:ilvl", "0") or 0)) if num_id else None
        seen = 0
        while style is not None and seen < 20:  # numbering inherited from the paragraph style chain
            s_ppr = style.element.find(qn("w:pPr"))
            s_num = s_ppr.find(qn("w:numPr")) if s_ppr is not None else None
            if s_num is not None and _val(s_num, "w:numId"):
                return _val(s_num, "w:numId") or "", int(_val(s_num, "w:ilvl", "0") or 0)
            style, seen = style.base_style, seen + 1
        return None

    def label(self, p: Any, style: Any) -> str | None:
        found = self._num_pr(p, style)
        if found is None:
            return None
        num_id, ilvl = found
        abstract_id = self._num_to_abstract.get(num_id)
        levels = self._levels.get(abstract_id or "")
        if num_id == "0" or not levels or ilvl not in levels:
            return None
        counters = self._counters.setdefault(abstract_id or "", {})
        if num_id not in self._seen_nums:
            # Lists sharing an abstract definition continue each other's numbering, unless the
            # new list restarts a level with w:startOverride.
            self._seen_nums.add(num_id)
            for (override_num, level), value in self._start_override.items():
                if override_num == num_id:
                    counters[level] = value - 1
                    for deeper in [k for k in counters if k > level]:
                        del counters[deeper]
        start = levels[ilvl][0]
        counters[ilvl] = counters.get(ilvl, start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        _, fmt, text = levels[ilvl]
        if fmt == "bullet":
            return "-"
        legal = (abstract_id or "", ilvl) in self._legal

        def level_value(match: re.Match[str]) -> str:
            level = int(match.group(1)) - 1
            level_start, level_fmt, _ = levels.get(level, (1, "decimal", ""))
            return format_number(counters.get(level, level_start), "decimal" if legal else level_fmt)

        return _LEVEL_REF.sub(level_value, text).strip() or None
