from ingest_builders import docx_from_xml, numbered_paragraph

from ingest.options import ParseOptions
from ingest.parse import parse_bytes
from ingest.parsers.docx_numbering import format_number

ARTICLES = (
    '<w:abstractNum w:abstractNumId="0">'
    '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="upperRoman"/><w:lvlText w:val="TITRE %1 -"/></w:lvl>'
    '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:isLgl/>'
    '<w:lvlText w:val="Article %1.%2"/></w:lvl>'
    '<w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="%3)"/></w:lvl>'
    "</w:abstractNum>"
    '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>'
    '<w:num w:numId="2"><w:abstractNumId w:val="0"/>'
    '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>'
)


def test_multilevel_legal_numbering_and_restart() -> None:
    body = "".join([
        numbered_paragraph("Dispositions générales", 1, 0),
        numbered_paragraph("Objet", 1, 1),
        numbered_paragraph("Durée", 1, 1),
        numbered_paragraph("tranche ferme", 1, 2),
        numbered_paragraph("tranche optionnelle", 1, 2),
        numbered_paragraph("Exécution", 1, 0),
        numbered_paragraph("Pénalités", 1, 1),
        "<w:p><w:r><w:t>Texte libre sans numéro.</w:t></w:r></w:p>",
        numbered_paragraph("Annexe financière", 2, 0),
    ])
    doc = parse_bytes(docx_from_xml(body, ARTICLES), filename="ccap.docx", options=ParseOptions())
    assert doc.text.split("\n") == [
        "TITRE I - Dispositions générales",
        "Article 1.1 Objet",  # isLgl: the Roman title number is written 1 inside the article number
        "Article 1.2 Durée",
        "a) tranche ferme",
        "b) tranche optionnelle",
        "TITRE II - Exécution",
        "Article 2.1 Pénalités",
        "Texte libre sans numéro.",
        "TITRE I - Annexe financière",  # second list restarts at 1
    ]


def test_number_formats() -> None:
    assert [format_number(n, "upperRoman") for n in (4, 9, 14, 40)] == ["IV", "IX", "XIV", "XL"]
    assert [format_number(n, "lowerLetter") for n in (1, 26, 27)] == ["a", "z", "aa"]
    assert format_number(7, "decimalZero") == "07"


def test_revisions_hidden_text_and_non_breaking_hyphens() -> None:
    body = (
        "<w:p><w:r><w:t>Marché n° 2026</w:t></w:r><w:r><w:noBreakHyphen/><w:t>VO</w:t><w:noBreakHyphen/>"
        "<w:t>03 : délai de </w:t></w:r>"
        '<w:del w:id="1" w:author="a"><w:r><w:delText>dix</w:delText></w:r></w:del>'
        '<w:ins w:id="2" w:author="a"><w:r><w:t>quinze</w:t></w:r></w:ins>'
        "<w:r><w:t xml:space=\"preserve\"> jours</w:t></w:r>"
        "<w:r><w:rPr><w:vanish/></w:rPr><w:t> [note de rédaction à supprimer]</w:t></w:r>"
        "<w:r><w:t>.</w:t></w:r></w:p>"
    )
    doc = parse_bytes(docx_from_xml(body, ""), filename="ccap.docx", options=ParseOptions())
    assert doc.text == "Marché n° 2026-VO-03 : délai de quinze jours."
