"""Tables for people: findings as rows (CLI, CSV, XLSX), in French."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from models.domain import Finding

HEADER = ["Incident", "Marché", "Manquement", "Traité", "Pénalité (€)", "Jours de retard", "Clause",
          "Pièces d'action", "Agir avant", "Prochaine étape", "À vérifier", "Calcul"]


def findings_table(findings: list[Finding]) -> tuple[list[str], list[list[object]]]:
    def order(f: Finding) -> tuple[bool, dt.date, str]:
        return (not (f.breach and not f.acted_on), f.act_by or dt.date.max, f.incident)

    rows: list[list[object]] = []
    for f in sorted(findings, key=order):
        clause = f"{f.clause_path} art. {f.clause_article}" if f.clause_path else ""
        rows.append([
            f.incident, f.contract_ref or "non rattaché", "oui" if f.breach else "non",
            "oui" if f.acted_on else "non",
            "" if f.penalty_eur is None else f"{f.penalty_eur:.2f}".replace(".", ","),
            "" if f.days_late is None else f.days_late, clause, " ; ".join(f.action_documents),
            f.act_by.strftime("%d/%m/%Y") if f.act_by else "", f.next_step or "",
            (f.review_reason or "oui") if f.needs_review else "", f.computation,
        ])
    return HEADER, rows


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> None:
    # utf-8-sig and ';' so that Excel in French opens it with accents and columns right.
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, delimiter=";")
        writer.writerow(header)
        writer.writerows(rows)


def write_xlsx(path: Path, header: list[str], rows: list[list[object]]) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.create_sheet("Manquements", 0)
    del wb[wb.sheetnames[1]]  # the default empty sheet
    ws.append(header)
    for row in rows:
        ws.append(row)
    wb.save(path)
