import pytest
from ingest_builders import pdf_with_merged_cells_and_a_framed_note, pdf_with_table

from ingest.options import ParseOptions
from ingest.parse import parse_bytes
from ingest.parsers.pdf_tables import Segment, find_grids


def _box(x0: float, y0: float, x1: float, y1: float) -> list[Segment]:
    return [Segment(True, y0, x0, x1), Segment(True, y1, x0, x1), Segment(False, x0, y0, y1),
            Segment(False, x1, y0, y1)]


def test_a_single_frame_is_not_a_table() -> None:
    assert find_grids(_box(100, 100, 300, 150)) == []


def test_two_separate_tables_are_found_top_first() -> None:
    low = _box(100, 100, 300, 150) + [Segment(False, 200, 100, 150)]
    high = _box(100, 500, 300, 600) + [Segment(True, 550, 100, 300)]
    grids = find_grids(low + high)
    assert [len(g.ys) - 1 for g in grids] == [2, 1]
    assert [len(g.xs) - 1 for g in grids] == [1, 2]


def test_missing_inner_rule_merges_cells() -> None:
    # three columns, the rule between the first two stops halfway: the upper row spans two columns
    segments = _box(0, 0, 300, 100) + [Segment(True, 50, 0, 300), Segment(False, 100, 0, 50),
                                       Segment(False, 200, 0, 100)]
    (grid,) = find_grids(segments)
    top_row, bottom_row = grid.cells
    assert top_row[0] == (0, 50, 200, 100) and top_row[1] is None
    assert bottom_row[0] == (0, 0, 100, 50) and bottom_row[1] == (100, 0, 200, 50)


@pytest.mark.parametrize("engine", ["pdfium", "pdfplumber"])
def test_both_engines_read_the_same_table(engine: str) -> None:
    doc = parse_bytes(pdf_with_table(), filename="t.pdf", options=ParseOptions(pdf_table_engine=engine))
    (table,) = doc.tables
    assert table.rows == (("Manquement", "Montant"), ("Retard de livraison", "80 € par jour"),
                          ("Rapport mensuel absent", "120 € par rapport"))


def test_row_span_and_framed_note_in_a_real_pdf() -> None:
    doc = parse_bytes(pdf_with_merged_cells_and_a_framed_note(), filename="p.pdf", options=ParseOptions())
    assert doc.status == "parsed"
    (table,) = doc.tables
    assert table.rows[1] == ("Intervention", "urgente", "200 € par heure")
    assert table.rows[2] == ("", "normale", "60 € par jour ouvré")
    lines = doc.text.split("\n")
    assert lines[0] == "Article 6 - Pénalités d'intervention"
    assert "Toute heure commencée est due." in lines
    assert lines[-1] == "Article 7 - Résiliation"
    assert doc.text.index("100 € par rapport") < doc.text.index("Toute heure commencée")


@pytest.mark.parametrize("make", [pdf_with_table, pdf_with_merged_cells_and_a_framed_note])
def test_table_reading_loses_and_duplicates_no_character(make) -> None:  # type: ignore[no-untyped-def]
    from collections import Counter

    import pypdfium2 as pdfium

    data = make()
    raw = "".join(pdfium.PdfDocument(data)[0].get_textpage().get_text_range().split())
    doc = parse_bytes(data, filename="t.pdf", options=ParseOptions())
    ours = "".join(doc.text.replace(" | ", "").split())
    assert doc.tables and Counter(ours) == Counter(raw)


def test_page_frame_and_layout_rules_are_not_tables() -> None:
    from ingest_builders import framed_letter_pdf

    doc = parse_bytes(framed_letter_pdf(), filename="lettre.pdf", options=ParseOptions())
    assert doc.tables == ()
    assert "Monsieur le gérant,\nVous voudrez bien reprendre\nle chantier sous huit jours." in doc.text
