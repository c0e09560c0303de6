"""French contract analysis: kinds, clauses, penalties, deadlines, obligations, letters.

The product calls `nlp.analyze.analyze_document`. It is re-exported lazily here so that
importing a small helper (`nlp.normalize`) does not load spaCy and scikit-learn.
"""

from __future__ import annotations

from typing import Any

__all__ = ["analyze_document", "classify_kind"]


def __getattr__(name: str) -> Any:
    if name == "analyze_document":
        from nlp.analyze import analyze_document

        return analyze_document
    if name == "classify_kind":
        from nlp.kinds import classify_kind

        return classify_kind
    raise AttributeError(name)
