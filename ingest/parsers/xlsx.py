"""XLSX workbooks (price schedules, exported incident logs): each sheet as table rows."""

from __future__ import annotations

import datetime as dt
import io

from ingest.assemble import DraftPage, assemble
from ingest.errors import CorruptFileError
from ingest.options import ParseOptions
from ingest.safety import check_zip
from models.domain.types import ParsedDocument

_MAX_ROWS = 100_000


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class XlsxParser:
    name = "xlsx"

    def score(self, fmt: str, data: bytes, filename: str | None) -> int:
        return 100 if fmt == "xlsx" else 0

    def parse(self, data: bytes, *, filename: str, options: ParseOptions) -> ParsedDocument:
        from openpyxl import load_workbook

        check_zip(data, options, "XLSX")
        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - openpyxl raises many types on broken files
            raise CorruptFileError("XLSX", "classeur Excel invalide") from exc
        page = DraftPage(number=1)
        errors: list[str] = []
        try:
            for sheet in workbook.worksheets:
                rows: list[list[str]] = []
                for index, row in enumerate(sheet.iter_rows(values_only=True)):
                    if index >= _MAX_ROWS:
                        errors.append(f"Feuille « {sheet.title} » : seules les {_MAX_ROWS} premières lignes ont été lues.")
                        break
                    cells = [_cell(v) for v in row]
                    while cells and not cells[-1].strip():
                        cells.pop()  # formatted but empty columns on the right
                    rows.append(cells)
                if any(any(c for c in r) for r in rows):
                    page.add_text(f"Feuille : {sheet.title}")
                    page.add_table(rows)
        finally:
            workbook.close()
        return assemble([page], fmt="xlsx", paginated=False, status="partial" if errors else "parsed",
                        errors=errors)
