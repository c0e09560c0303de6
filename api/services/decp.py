"""Contract metadata from DECP open data (schema v2: {"marches": {"marche": [...]}})."""

from __future__ import annotations

import datetime as dt
from typing import Any

from models.domain import ContractInfo

CCAG_NAMES = {
    "fournitures courantes et services": "FCS", "travaux": "Travaux", "prestations intellectuelles": "PI",
    "techniques de l'information et de la communication": "TIC", "marchés industriels": "MI",
    "maîtrise d'œuvre": "MOE", "maitrise d'oeuvre": "MOE",
}


def _ccag(value: str | None) -> str | None:
    if not value or value.lower().startswith("pas de"):
        return None
    for name, code in CCAG_NAMES.items():
        if name in value.lower():
            return code
    return value if value in ("FCS", "Travaux", "PI", "TIC", "MI", "MOE") else None


def _records(payload: Any) -> list[dict[str, Any]]:
    if isinstance(payload, dict):
        marches = payload.get("marches", payload)
        if isinstance(marches, dict):
            marches = marches.get("marche", [])
        return [m for m in marches if isinstance(m, dict)]
    return [m for m in payload if isinstance(m, dict)] if isinstance(payload, list) else []


def contracts_from_decp(payload: Any) -> list[tuple[ContractInfo, list[str]]]:
    """Each DECP contract with the SIRETs of its titulaires (after the last modification)."""
    out = []
    for rec in _records(payload):
        if "id" not in rec:
            continue
        amount = rec.get("montant")
        duration = rec.get("dureeMois")
        titulaires = [t.get("titulaire", t) for t in rec.get("titulaires", [])]
        for mod in rec.get("modifications", []) or []:
            m = mod.get("modification", mod)
            amount = m.get("montant", amount)
            duration = m.get("dureeMois", duration)
            if m.get("titulaires"):
                titulaires = [t.get("titulaire", t) for t in m["titulaires"]]
        sirets = [str(t.get("id")) for t in titulaires if t.get("id")]
        notified = rec.get("dateNotification")
        info = ContractInfo(
            ref=str(rec["id"]), title=str(rec.get("objet", "")), ccag=_ccag(rec.get("ccag")),
            ccag_version=None, supplier_siret=sirets[0] if sirets else None,
            amount_ht_eur=float(amount) if amount is not None else None,
            notified_on=dt.date.fromisoformat(notified[:10]) if notified else None,
            duration_months=int(duration) if duration is not None else None,
        )
        out.append((info, sirets))
    return out
