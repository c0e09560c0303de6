"""The incident log of the operational services: CSV or XLSX, idempotent by incident id."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select

from api.services.store import Store
from models.db import tables as t

REQUIRED = ("id", "reported_on", "contract_ref", "service", "description", "occurred_on", "resolved_on")
# French headers a service may use in its own spreadsheet.
HEADER_ALIASES = {
    "identifiant": "id", "n°": "id", "numero": "id", "date_signalement": "reported_on",
    "signale_le": "reported_on", "marche": "contract_ref", "reference_marche": "contract_ref",
    "date_incident": "occurred_on", "survenu_le": "occurred_on", "resolu_le": "resolved_on",
    "date_resolution": "resolved_on",
}


class IncidentLogError(ValueError):
    """The whole file is unusable (wrong header, unreadable): nothing is imported."""


@dataclass
class IncidentImport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)  # one per rejected line, in French
    warnings: list[str] = field(default_factory=list)


def parse_date(value: str) -> dt.date | None:
    value = (value or "").strip()
    if not value:
        return None
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?", value)
    if m:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    m = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", value)
    if m:
        return dt.date(int(m[3]), int(m[2]), int(m[1]))
    raise ValueError(value)


def read_rows(data: bytes, filename: str) -> list[dict[str, str]]:
    if filename.lower().endswith((".xlsx", ".xlsm")):
        return _xlsx_rows(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252")
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    _check_header(reader.fieldnames or [])
    return [{_norm(k): (v or "") for k, v in row.items() if k} for row in reader]


def _xlsx_rows(data: bytes) -> list[dict[str, str]]:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    if not rows:
        raise IncidentLogError("Le classeur est vide : aucune ligne d'incident.")
    header = [str(h or "") for h in rows[0]]
    _check_header(header)
    keys = [_norm(h) for h in header]
    out = []
    for row in rows[1:]:
        if all(v in (None, "") for v in row):
            continue
        out.append({k: _cell(v) for k, v in zip(keys, row, strict=False)})
    return out


def _cell(value: object) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


def _norm(name: str) -> str:
    key = name.strip().lower().replace(" ", "_")
    return HEADER_ALIASES.get(key, key)


def _check_header(fieldnames: Sequence[str]) -> None:
    present = {_norm(f) for f in fieldnames if f}
    missing = [c for c in REQUIRED if c not in present]
    if missing:
        raise IncidentLogError(
            "En-tête du journal des incidents incorrect : colonne(s) manquante(s) "
            + ", ".join(missing) + ". Colonnes attendues : " + ",".join(REQUIRED) + "."
        )


def import_incidents(store: Store, *, data: bytes, filename: str) -> IncidentImport:
    rows = read_rows(data, filename)
    result = IncidentImport()
    with store.sessions.begin() as session:
        contracts = {c.ref: c.id for c in session.scalars(select(t.Contract))}
        for line, row in enumerate(rows, start=2):
            ext_id = row.get("id", "").strip()
            if not ext_id:
                result.errors.append(f"Ligne {line} : identifiant d'incident vide, ligne ignorée.")
                continue
            try:
                dates = {k: parse_date(row.get(k, "")) for k in ("reported_on", "occurred_on", "resolved_on")}
            except ValueError as exc:
                result.errors.append(
                    f"Ligne {line} ({ext_id}) : date illisible « {exc} » (formats acceptés : AAAA-MM-JJ ou JJ/MM/AAAA)."
                )
                continue
            ref = row.get("contract_ref", "").strip() or None
            if ref and ref not in contracts:
                result.warnings.append(
                    f"Ligne {line} ({ext_id}) : marché « {ref} » inconnu ; le rattachement sera recherché d'après la description."
                )
            values = dict(reported_on=dates["reported_on"], contract_ref_raw=ref,
                          contract_id=contracts.get(ref) if ref else None,
                          service=row.get("service", "").strip(), description=row.get("description", "").strip(),
                          occurred_on=dates["occurred_on"], resolved_on=dates["resolved_on"], source=filename)
            existing = session.scalar(select(t.IncidentRow).where(t.IncidentRow.ext_id == ext_id))
            if existing is None:
                session.add(t.IncidentRow(ext_id=ext_id, **values))
                result.created += 1
            elif any(getattr(existing, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(existing, k, v)
                result.updated += 1
            else:
                result.unchanged += 1
    return result
