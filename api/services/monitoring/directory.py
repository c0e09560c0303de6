"""The portfolio's contracts indexed once per scan: every incident and every letter is looked
up by reference, titulaire name, SIRET and title words without a pass over all contracts."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from api.services.monitoring.records import _Contract, title_words
from nlp.linking import NameFinder, RefFinder, fold, ref_key


class ContractDirectory:
    """Lookups over `contracts` (kept in their order: the first contract wins a tie, as a
    scan in order would)."""

    def __init__(self, contracts: dict[str, _Contract]) -> None:
        self.contracts = contracts
        self.refs = list(contracts)
        self.position = {ref: i for i, ref in enumerate(self.refs)}
        self._by_key: dict[str, str] = {}
        for ref in self.refs:
            self._by_key.setdefault(ref_key(ref), ref)
        self._ref_finder = RefFinder(self.refs)
        owners: list[int] = []
        keys: list[str] = []
        for i, ref in enumerate(self.refs):
            for name in contracts[ref].names:
                if len(name) >= 3:  # « SA », « 3D » alone would match everywhere
                    keys.append(fold(name))
                    owners.append(i)
        self._names = NameFinder(keys)
        self._name_owner = owners
        self._by_siret: dict[str, list[int]] = {}
        by_title_word: dict[str, list[int]] = {}
        for i, ref in enumerate(self.refs):
            for siret in contracts[ref].sirets:
                self._by_siret.setdefault(siret, []).append(i)
            for word in title_words(contracts[ref].info.title):
                by_title_word.setdefault(word, []).append(i)
        # a common title word (« repas ») names hundreds of contracts: counted with arrays
        self._by_title_word = {w: np.array(ids, dtype=np.int64) for w, ids in by_title_word.items()}

    def known_ref(self, ref: str | None) -> str | None:
        """The portfolio's reference written in `ref`: same characters (separators free), or
        written inside it (« Marché 2023/045 lot 1 »)."""
        if not ref:
            return None
        known = self._by_key.get(ref_key(ref))
        if known is not None:
            return known
        inside = self._ref_finder.find(ref)
        return inside[0] if len(inside) == 1 else None

    def refs_in(self, text: str) -> list[str]:
        """The portfolio's references written in `text`, in portfolio order."""
        return self._ref_finder.find(text)

    def named_in(self, text: str) -> list[str]:
        """Contracts whose titulaire (name or alias) `text` names, in portfolio order."""
        found = sorted({self._name_owner[k] for k in self._names.mentioned(text)})
        return [self.refs[i] for i in found]

    def with_sirets(self, sirets: Iterable[str]) -> list[str]:
        """Contracts whose titulaire has one of `sirets`, in portfolio order."""
        found = sorted({i for s in sirets for i in self._by_siret.get(s, ())})
        return [self.refs[i] for i in found]

    def best_title_match(self, words: Iterable[str], excluded: str) -> tuple[str, int] | None:
        """The contract (other than `excluded`) whose title shares the most of `words`, with how
        many, when no other contract shares as many; None on a tie or when none shares any."""
        hits = [self._by_title_word[w] for w in set(words) if w in self._by_title_word]
        if not hits:
            return None
        counts = np.bincount(np.concatenate(hits), minlength=len(self.refs))
        counts[self.position[excluded]] = 0
        top = int(counts.max())
        if top == 0:
            return None
        tied = np.flatnonzero(counts == top)
        return (self.refs[int(tied[0])], top) if len(tied) == 1 else None
