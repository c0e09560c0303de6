"""French normalisers: the numbers, amounts, fractions, durations and dates a contract
manager reads in CCAPs and letters must come out exactly."""

import datetime as dt

import pytest

from nlp.normalize import (
    Duration,
    find_amounts,
    find_anchor,
    find_dates,
    find_durations,
    find_fractions,
    parse_amount,
    parse_date,
    parse_duration,
    parse_fraction,
    parse_number_words,
    parse_percent,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("trente", 30),
        ("quarante-huit", 48),
        ("mille cinq cents", 1500),
        ("trente (30)", 30),
        ("15 (quinze)", 15),
        ("vingt et un", 21),
        ("soixante-dix", 70),
        ("quatre-vingt-dix-neuf", 99),
        ("quatre-vingts", 80),
        ("deux cent cinquante", 250),
        ("trois mille", 3000),
        ("Quinze", 15),
        ("douze", 12),
        ("45", 45),
    ],
)
def test_number_words(text: str, expected: int) -> None:
    assert parse_number_words(text) == expected


def test_number_words_disagreeing_restatement_is_not_guessed() -> None:
    assert parse_number_words("trente (40)") is None
    assert parse_number_words("pénalité") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 500,00 € HT", 1500.0),
        ("1\u202f500,00\u00a0€", 1500.0),
        ("1.500 euros", 1500.0),
        ("mille euros", 1000.0),
        ("150 € (cent cinquante euros)", 150.0),
        ("deux cents euros (200 €)", 200.0),
        ("une somme de 75,50 EUR TTC", 75.5),
        ("un montant de 12 000 € hors taxes", 12000.0),
        ("1,2 M€", 1_200_000.0),
    ],
)
def test_parse_amount(text: str, expected: float) -> None:
    assert parse_amount(text) == pytest.approx(expected)


def test_amount_absent_or_not_money() -> None:
    assert parse_amount("article 9.2 du CCAP, 30 jours") is None


def test_find_amounts_spans_and_article_numbers_not_glued() -> None:
    text = "Retard de remise prévu à l'article 4.2.2 800 € HT par jour ; plafond 5 000 €."
    found = find_amounts(text)
    assert [v for v, _, _ in found] == [800.0, 5000.0]
    value, start, end = found[0]
    assert text[start:end].startswith("800 €")


def test_find_amounts_restatement_is_one_amount() -> None:
    text = "une pénalité de 300 € (trois cents euros) par jour"
    found = find_amounts(text)
    assert len(found) == 1
    assert text[found[0][1]:found[0][2]] == "300 € (trois cents euros)"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("10 %", 10.0), ("5,5\u00a0%", 5.5), ("dix pour cent", 10.0), ("huit (8) %", 8.0), ("plafonnées à 5% du montant", 5.0)],
)
def test_parse_percent(text: str, expected: float) -> None:
    assert parse_percent(text) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1/1000e", 0.001),
        ("1/1 000", 0.001),
        ("un millième", 0.001),
        ("1/3 000", 1 / 3000),
        ("un trois-millième", 1 / 3000),
        ("pénalité journalière de 1/3000ème du montant", 1 / 3000),
        ("deux millièmes", 0.002),
        ("un cinq-centième", 1 / 500),
        ("0,5 ‰ du montant", 0.0005),
        ("deux pour mille", None),
    ],
)
def test_parse_fraction(text: str, expected: float | None) -> None:
    if expected is None:
        assert parse_fraction(text) is None  # per-mille in words: not read, no guess
    else:
        assert parse_fraction(text) == pytest.approx(expected)


def test_fraction_is_not_a_date() -> None:
    assert parse_fraction("le 15/07/2024") is None
    assert find_fractions("P = V x R / 1000") == []  # a formula, read by the penalty extractor


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30 jours calendaires", Duration(30, "jour", "calendaire")),
        ("quarante-huit (48) heures", Duration(48, "heure", None)),
        ("cinq jours ouvrés", Duration(5, "jour", "ouvre")),
        ("3 jours ouvrables", Duration(3, "jour", "ouvrable")),
        ("dix semaines", Duration(10, "semaine", None)),
        ("deux (2) mois", Duration(2, "mois", None)),
        ("un an", Duration(1, "an", None)),
        ("quatre ans", Duration(4, "an", None)),
        ("dans un délai de 4 h", Duration(4, "heure", None)),
        ("15 jours", Duration(15, "jour", None)),
    ],
)
def test_parse_duration(text: str, expected: Duration) -> None:
    assert parse_duration(text) == expected


def test_find_durations_several_with_spans() -> None:
    text = "livraison sous 8 jours ouvrés, puis mise en service dans les deux mois"
    found = find_durations(text)
    assert [d for d, _, _ in found] == [Duration(8, "jour", "ouvre"), Duration(2, "mois", None)]
    assert text[found[0][1]:found[0][2]] == "8 jours ouvrés"


def test_duration_ignores_article_numbers() -> None:
    assert parse_duration("l'article 9.2 du CCAP") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("le 1er juillet 2025", dt.date(2025, 7, 1)),
        ("15/07/2024", dt.date(2024, 7, 15)),
        ("2024-07-15", dt.date(2024, 7, 15)),
        ("Paris, le 3 février 2026", dt.date(2026, 2, 3)),
        ("le 12 Décembre 2025", dt.date(2025, 12, 12)),
        ("livré le 04.11.24", dt.date(2024, 11, 4)),
    ],
)
def test_parse_date(text: str, expected: dt.date) -> None:
    assert parse_date(text) == expected


def test_invalid_dates_are_rejected() -> None:
    assert parse_date("le 31/02/2025") is None
    assert parse_date("article 9.2.1") is None


def test_find_dates_in_order() -> None:
    text = "Commande du 2 septembre 2024, livrée le 17/01/2025."
    assert [d for d, _, _ in find_dates(text)] == [dt.date(2024, 9, 2), dt.date(2025, 1, 17)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("dans un délai de 30 jours à compter de la notification du marché.", "notification du marché"),
        ("sous 10 jours suivant la réception du bon de commande, sauf urgence", "réception du bon de commande"),
        ("dans les 15 jours à compter de sa notification", "notification du marché"),
        ("au plus tard 5 jours ouvrés après la réception des travaux", "réception des travaux"),
        ("dans un délai de deux mois à compter de la date de réception de la facture", "réception de la facture"),
        ("le compte rendu est diffusé dans les 3 jours ouvrés suivant la réunion.", "réunion"),
        ("sous 24 heures après la prise de connaissance de l'incident", "prise de connaissance de l'incident"),
        ("dix semaines à compter de la date fixée par l'ordre de service de démarrage", "ordre de service de démarrage"),
        ("garantie d'un an à compter de la date d'admission des fournitures", "admission des fournitures"),
        ("après une mise en demeure restée sans effet pendant huit jours", "mise en demeure"),
        ("L'accord-cadre dure deux ans à compter de sa date de notification.", "notification de l'accord-cadre"),
        ("Le défaut de plan dans le mois qui suit la notification du marché entraîne une pénalité.", "notification du marché"),
        ("il prévient le service sous deux jours suivant la commande et propose une solution.", "commande"),
        ("Le marché prend effet à sa notification pour une durée de deux ans.", "notification du marché"),
        (
            "six semaines à compter de la date de démarrage fixée par l'ordre de service n° 1.",
            "démarrage fixée par l'ordre de service n° 1",
        ),
        (
            "Une mise en demeure fixe un délai de quinze jours à compter de sa notification.",
            "notification de la mise en demeure",
        ),
    ],
)
def test_find_anchor(text: str, expected: str) -> None:
    assert find_anchor(text) == expected


def test_anchor_absent() -> None:
    assert find_anchor("Le titulaire livre les fournitures en bon état.") is None
    assert find_anchor("Le planning est transmis cinq jours à l'avance.") is None
    assert find_anchor("Le paiement intervient après avoir constaté le service fait.") is None
