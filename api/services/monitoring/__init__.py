"""Execution monitoring: one finding per logged incident.

For each incident: find its contract (the log's reference when the description agrees,
else the supplier's name, alias or SIRET and the words of the description), the penalty
clause it engages, the buyer's written acts about it and any granted prolongation, then let
`models.compliance` count the days, compute the penalty and apply the contract's threshold
and cap in `occurred_on` order.

Legal rules live in `models.compliance`; this package only links facts together. When a
link is weak the finding says so (`needs_review`, `review_reason` in French) rather than
inventing a number.

| module | job |
|---|---|
| `records.py` | shared records (`AnalysedDocument`, contract, letter, incident link) and constants |
| `directory.py` | the portfolio's contracts indexed once per scan (references, names, SIRETs, title words) |
| `contracts.py` | incident → contract |
| `letters.py` | reading letters, linking written acts to an incident |
| `clauses.py` | incident → penalty clause, occurrence count |
| `due.py` | due dates, prolongations, reasons why an incident is no breach |
| `grid.py` | free hours of an SLA level (the contract's grid or the penalty row) |
| `values.py` | V of a ratio clause priced on one element (the acte d'engagement's breakdown) |
| `compose.py` | the public entry point and the findings |
"""

from api.services.monitoring.compose import evaluate_portfolio, findings_to_eval_json
from api.services.monitoring.records import (
    ACTING_KINDS,
    ANSWER_KINDS,
    LETTER_LINK_THRESHOLD,
    MIN_CLAUSE_SCORE,
    MONITORING_VERSION,
    AnalysedDocument,
)

__all__ = [
    "ACTING_KINDS", "ANSWER_KINDS", "LETTER_LINK_THRESHOLD", "MIN_CLAUSE_SCORE", "MONITORING_VERSION",
    "AnalysedDocument", "evaluate_portfolio", "findings_to_eval_json",
]
