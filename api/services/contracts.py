"""A contract's effective penalty regime: CCAP clauses plus the CCAG defaults not derogated."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from api.services.documents import load_analysis
from api.services.domain_load import contract_info
from api.services.store import Store
from models.compliance import effective_regime
from models.compliance.regime import LimitValue, PenaltyRegime
from models.db import tables as t
from models.domain import CONTRACT_KINDS, Penalty
from models.domain.codec import to_jsonable


def contract_regime(store: Store, ref: str) -> PenaltyRegime | None:
    with store.sessions() as session:
        contract = session.scalar(select(t.Contract).where(t.Contract.ref == ref))
        if contract is None:
            return None
        penalties: list[Penalty] = []
        derogations: list[tuple[str, str | None]] = []
        applies_ccag = False
        for doc in session.scalars(select(t.Document).where(t.Document.contract_id == contract.id)):
            if doc.kind not in CONTRACT_KINDS:
                continue
            analysis = load_analysis(session, doc.id)
            penalties.extend(analysis.penalties)
            derogations.extend(analysis.derogations)
            applies_ccag = applies_ccag or analysis.applies_ccag_penalties
        return effective_regime(contract_info(contract), penalties, derogations, applies_ccag)


def _limit(limit: LimitValue) -> dict[str, Any]:
    return {"valeur": limit.value, "source": limit.source, "origine": limit.origin, "verifie": limit.verified,
            "a_verifier": limit.note}


def regime_json(regime: PenaltyRegime) -> dict[str, Any]:
    return {
        "resume": regime.describe_fr(),
        "ccag": regime.ccag, "version_ccag": regime.ccag_version,
        "seuil_exoneration_eur": _limit(regime.threshold),
        "plafond_pourcent": _limit(regime.cap),
        "plafond_eur": regime.cap_amount_eur,
        "penalite_ccag_par_defaut": to_jsonable(regime.default_delay) if regime.default_delay else None,
        "verifie": regime.verified,
        "points_a_verifier": list(regime.notes),
    }
