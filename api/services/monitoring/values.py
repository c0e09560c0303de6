"""The value V a ratio penalty is computed on, when it is the price of one element of the
contract (« 1/1000 du montant HT de l'élément de mission concerné ») and the acte
d'engagement breaks the price down by element (« APD – Avant-projet définitif | 24 600,00 € »).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from models.domain.types import Penalty
from nlp.linking import fold

# a value base that is the price of a part of the contract, not of an order
_ELEMENT_BASE = re.compile(r"element|phase|tranche|mission")
# (the amount starts at its first digit: « 84 000 € » is not read as « 000 € »)
_AMOUNT = r"(?<![\d,.])(?<!\d[  ])(\d{1,3}(?:[  .]\d{3})*(?:,\d{1,2})?)\s*(?:€|eur\b|euros)"
_GENERIC = frozenset("HT TTC TVA CCAP CCAG CCTP AE RC BPU DQE OS BC PV CE SA SAS SARL EUR".split())


def wants_element_value(penalty: Penalty) -> bool:
    """A ratio clause priced on one element; a base that also names the whole contract (the
    CCAG-Travaux 2009 « marché, tranche ou bon de commande ») is left to the engine."""
    base = fold(penalty.value_base or "")
    return penalty.basis == "ratio_per_unit" and bool(_ELEMENT_BASE.search(base)) and "marche" not in base


def _labels(description: str) -> list[str]:
    """Names of contract elements in a log line, in order: acronyms (« APD »), « phase 2 »."""
    found: list[tuple[int, str]] = [(m.start(), m.group(0)) for m in re.finditer(r"\b[A-Z][A-Z0-9]{1,5}\b", description)
                                    if m.group(0) not in _GENERIC]
    found += [(m.start(), m.group(0)) for m in re.finditer(r"\b(?:phase|tranche) \d{1,2}\b", description, re.IGNORECASE)]
    return [label for _start, label in sorted(found)]


def _price_of(label: str, texts: Sequence[str]) -> float | None:
    """The one amount written right after `label` in the contract texts, else None."""
    pattern = re.compile(r"(?<![A-Za-z0-9])" + re.escape(label) + r"(?![A-Za-z0-9])[^€\n|]{0,60}\|?[^€\n\d]{0,5}"
                         + _AMOUNT, re.IGNORECASE)
    values = set()
    for text in texts:
        for m in pattern.finditer(text):
            raw = re.sub(r"[  .]", "", m.group(1)).replace(",", ".")
            values.add(float(raw))
    return values.pop() if len(values) == 1 else None


def element_value(description: str, texts: Sequence[str]) -> tuple[float, str] | None:
    """(price, element) of the first element the log line names that the contract prices."""
    for label in _labels(description):
        price = _price_of(label, texts)
        if price is not None:
            return price, label
    return None
