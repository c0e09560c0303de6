"""French formatting of amounts and numbers, article-number normalisation."""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal

__all__ = ["round_cents", "format_eur", "format_number", "format_date", "normalise_article"]


def round_cents(value: float) -> float:
    """Commercial rounding to the cent (half up), avoiding binary-float surprises."""
    return float(Decimal(repr(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _group(integer: str) -> str:
    sign = "-" if integer.startswith("-") else ""
    digits = integer.lstrip("-")
    groups: list[str] = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    return sign + " ".join(groups)


def format_eur(value: float) -> str:
    """12400.0 → '12 400,00 €'."""
    text = f"{round_cents(value):.2f}"
    integer, cents = text.split(".")
    return f"{_group(integer)},{cents} €"


def format_number(value: float, max_decimals: int = 2) -> str:
    """1000 → '1 000'; 3.5 → '3,5'; 0.25 → '0,25'."""
    if abs(value - round(value)) < 1e-9:
        return _group(str(int(round(value))))
    text = f"{value:.{max_decimals}f}".rstrip("0").rstrip(".")
    integer, _, decimals = text.partition(".")
    return f"{_group(integer)},{decimals}" if decimals else _group(integer)


def format_date(d: dt.date) -> str:
    """date → '05/09/2025'."""
    return d.strftime("%d/%m/%Y")


_ARTICLE_PREFIX = re.compile(r"^\s*(?:art(?:icle)?\.?\s*)", re.IGNORECASE)


def normalise_article(article: str | None) -> str | None:
    """'Article 14. 1. 3.' → '14.1.3'; None stays None."""
    if article is None:
        return None
    text = _ARTICLE_PREFIX.sub("", article)
    text = re.sub(r"\s+", "", text).strip(".")
    return text or None
