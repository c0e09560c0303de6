"""The incident log: clear French errors, idempotent re-import by incident id."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from api.services.incident_log import IncidentLogError, import_incidents
from api.services.portfolio import load_portfolio_metadata
from models.db import tables as t

HEADER = "id,reported_on,contract_ref,service,description,occurred_on,resolved_on\n"


@pytest.fixture
def with_contract(store):
    load_portfolio_metadata(store, {"contracts": [{"ref": "2025-NET-01", "title": "Nettoyage des locaux"}]})
    return store


def test_missing_column_is_refused_with_the_expected_header(store):
    data = b"id,reported_on,service,description\nI-1,2025-01-02,Achats,retard\n"
    with pytest.raises(IncidentLogError) as err:
        import_incidents(store, data=data, filename="incidents.csv")
    assert "colonne(s) manquante(s)" in str(err.value) and "contract_ref" in str(err.value)


def test_bad_date_rejects_the_line_only(with_contract):
    data = (HEADER + "I-1,2025-01-02,2025-NET-01,Écoles,Bureaux non nettoyés,2025-01-02,\n"
            + "I-2,le 3 janvier,2025-NET-01,Écoles,Vitres sales,2025-01-03,\n").encode()
    result = import_incidents(with_contract, data=data, filename="incidents.csv")
    assert result.created == 1
    assert len(result.errors) == 1 and "Ligne 3" in result.errors[0] and "date illisible" in result.errors[0]


def test_unknown_contract_is_kept_and_flagged(with_contract):
    data = (HEADER + "I-9,02/01/2025,2099-XXX-1,Écoles,Société Propreté Plus absente,02/01/2025,\n").encode()
    result = import_incidents(with_contract, data=data, filename="incidents.csv")
    assert result.created == 1
    assert "inconnu" in result.warnings[0]
    with with_contract.sessions() as session:
        row = session.query(t.IncidentRow).one()
        assert row.contract_id is None and row.contract_ref_raw == "2099-XXX-1"


def test_reimport_is_idempotent_and_updates_changed_lines(with_contract):
    data = (HEADER + "I-1,2025-01-02,2025-NET-01,Écoles,Bureaux non nettoyés,2025-01-02,\n").encode()
    import_incidents(with_contract, data=data, filename="incidents.csv")
    again = import_incidents(with_contract, data=data, filename="incidents.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    changed = data.replace(b"2025-01-02,\n", b"2025-01-02,2025-01-05\n")
    third = import_incidents(with_contract, data=changed, filename="incidents.csv")
    assert third.updated == 1
    with with_contract.sessions() as session:
        assert session.query(t.IncidentRow).count() == 1


def test_semicolon_csv_in_windows_1252_and_xlsx_are_read(with_contract):
    csv_1252 = (HEADER.replace(",", ";") + "I-5;2025-02-01;2025-NET-01;Crèche;Sols non lavés;2025-02-01;\n").encode("cp1252")
    assert import_incidents(with_contract, data=csv_1252, filename="journal.csv").created == 1
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER.strip().split(","))
    ws.append(["I-6", "2025-02-03", "2025-NET-01", "Mairie", "Poubelles non vidées", "2025-02-03", None])
    buf = io.BytesIO()
    wb.save(buf)
    assert import_incidents(with_contract, data=buf.getvalue(), filename="journal.xlsx").created == 1


def test_a_services_own_french_headers_are_understood(with_contract):
    """The log as a service keeps it: accents, « N° », « de l' », another column order."""
    wb = Workbook()
    ws = wb.active
    ws.append(["N° incident", "Date de l'incident", "Référence marché", "Service déclarant", "Libellé",
               "Date de signalement", "Date de résolution"])
    ws.append(["JRN-7", "2025-03-04", "2025-NET-01", "Écoles", "Sanitaires non nettoyés", "05/03/2025", None])
    buf = io.BytesIO()
    wb.save(buf)
    result = import_incidents(with_contract, data=buf.getvalue(), filename="journal.xlsx")
    assert (result.created, result.errors) == (1, [])
    with with_contract.sessions() as session:
        row = session.query(t.IncidentRow).one()
        assert (row.ext_id, row.description, row.service) == ("JRN-7", "Sanitaires non nettoyés", "Écoles")
        assert row.occurred_on.isoformat() == "2025-03-04" and row.reported_on.isoformat() == "2025-03-05"
        assert row.contract_id is not None


def test_two_columns_naming_the_same_field_are_refused(store):
    data = ("N° incident,Identifiant,reported_on,contract_ref,service,description,occurred_on,resolved_on\n"
            "1,A,2025-01-02,X,Achats,retard,2025-01-02,\n").encode()
    with pytest.raises(IncidentLogError) as err:
        import_incidents(store, data=data, filename="incidents.csv")
    assert "ambigu" in str(err.value) and "« N° incident »" in str(err.value)
