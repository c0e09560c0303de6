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
from nlp.linking import fold

REQUIRED = ("id", "reported_on", "contract_ref", "service", "description", "occurred_on", "resolved_on")
# The headers a service writes in its own spreadsheet, once folded by `_norm` (accents, case,
# punctuation and the little words « de », « du », « l' » dropped): « N° incident »,
# « Date de l'incident », « Réf. marché »… Each names one column of the log.
HEADER_ALIASES: dict[str, str] = {
    **dict.fromkeys(("identifiant", "identifiant_incident", "numero", "numero_incident", "num_incident",
                     "ref_incident", "reference_incident", "incident", "numero_fiche", "numero_ticket",
                     "ticket"), "id"),
    **dict.fromkeys(("date_signalement", "signale_le", "date_declaration", "declare_le", "date_saisie",
                     "date_remontee"), "reported_on"),
    **dict.fromkeys(("marche", "reference_marche", "ref_marche", "numero_marche", "num_marche", "contrat",
                     "reference_contrat", "ref_contrat", "numero_contrat"), "contract_ref"),
    **dict.fromkeys(("service_declarant", "service_demandeur", "direction", "direction_service", "declarant",
                     "service_emetteur"), "service"),
    **dict.fromkeys(("descriptif", "libelle", "description_incident", "detail", "details", "constat",
                     "faits", "objet"), "description"),
    **dict.fromkeys(("date_incident", "survenu_le", "date_survenance", "date_faits", "date_evenement",
                     "date_constat"), "occurred_on"),
    **dict.fromkeys(("resolu_le", "date_resolution", "date_cloture", "cloture_le", "date_retablissement",
                     "retabli_le"), "resolved_on"),
}
_LITTLE_WORDS = frozenset({"de", "du", "des", "d", "l", "la", "le", "les"})


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
    """The column a header names: « N° incident » → id, « Date de l'incident » → occurred_on."""
    folded = fold(name).replace("n°", "numero ").replace("nº", "numero ")
    words = [w for w in re.split(r"[^a-z0-9_]+", folded.replace("_", " ")) if w and w not in _LITTLE_WORDS]
    key = "_".join(words)
    return HEADER_ALIASES.get(key, key)


def _check_header(fieldnames: Sequence[str]) -> None:
    named = [(f, _norm(f)) for f in fieldnames if f]
    present = {column for _, column in named}
    missing = [c for c in REQUIRED if c not in present]
    if missing:
        raise IncidentLogError(
            "En-tête du journal des incidents incorrect : colonne(s) manquante(s) "
            + ", ".join(missing) + ". Colonnes attendues : " + ",".join(REQUIRED)
            + " (ou leurs équivalents français : « N° incident », « Date de signalement », « Référence marché », "
            "« Service », « Description », « Date de l'incident », « Date de résolution »)."
        )
    for column in REQUIRED:
        headers = [f for f, c in named if c == column]
        if len(headers) > 1:
            raise IncidentLogError(
                f"En-tête du journal des incidents ambigu : les colonnes {', '.join(f'« {h} »' for h in headers)} "
                f"désignent toutes « {column} ». Renommez ou supprimez l'une d'elles.")


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
