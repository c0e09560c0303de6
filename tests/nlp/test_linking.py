"""The portfolio-wide finders give exactly what the one-by-one scans gave.

The daily scan looks for every contract reference and every titulaire's name in every log
line and letter; the indexed finders must not lose or add a single hit, or an incident would
be tied to another contract."""

from __future__ import annotations

import random
import re

from nlp.linking import NameFinder, RefFinder, fold

REFS = ["2024-FCS-012", "M24/0031", "AC-2023-0107", "2023000700", "2024-FCS-0120", "LOT-A", "24-041",
        "2022-TRX-7", "AO 2025 03", "2025/03"]
WORDS = ["marché", "n°", "retard", "livraison", "du", "le", "12/03/2024", "lot", "1", "2024", "FCS", "012",
         "0120", "-", "/", "commande", "BC-2024-00312", "Propreté", "Armor", "SAS", "M24", "0031", "ac",
         "2023", "0107", "2023000700", "20230007001", "24", "041", "A", "AO", "2025", "03", "7", "TRX"]


def _texts(rng: random.Random, count: int) -> list[str]:
    seps = [" ", "-", "/", ".", "_", "", " \u00a0", "\n", ", "]
    texts = []
    for _ in range(count):
        n = rng.randrange(1, 14)
        texts.append("".join(rng.choice(WORDS) + rng.choice(seps) for _ in range(n)))
    texts += [f"Objet : marché n° {ref}" for ref in REFS] + [f"({ref.lower()})" for ref in REFS]
    return texts


def find_known_refs(text: str, known: list[str]) -> list[str]:
    """The definition: every reference tried on the text, its characters with one optional
    separator between them, not glued to another letter or digit."""
    hits = []
    for ref in known:
        chars = re.sub(r"[^A-Za-z0-9]", "", ref)
        pattern = r"[\s_/.-]?".join(re.escape(ch) for ch in chars)
        if chars and re.search(r"(?<![A-Za-z0-9])" + pattern + r"(?![0-9])", text, re.IGNORECASE):
            hits.append(ref)
    return hits


def test_ref_finder_gives_the_same_hits_as_the_scan_over_every_reference() -> None:
    rng = random.Random(7)
    finder = RefFinder(REFS)
    for text in _texts(rng, 3000):
        assert finder.find(text) == find_known_refs(text, REFS), text


def test_ref_finder_finds_a_reference_written_with_other_separators() -> None:
    finder = RefFinder(REFS)
    assert finder.find("Réf. 2024 FCS 012 – pénalités") == ["2024-FCS-012"]
    assert finder.find("marché 2024-FCS-0120 lot 2") == ["2024-FCS-0120"]  # not its shorter neighbour
    assert finder.find("aucune référence ici") == []


NAMES = ["Propreté Armor SAS", "PROPRETÉ ARMOR", "Sodilec", "Jardins de Loire", "L'Atelier 3D", "ab",
         "(Groupe) Vauban", "Numéris Conseil", "Armor", "3D Print"]


def _old_mentions(text: str, keys: list[str]) -> list[int]:
    folded = fold(text)
    return [i for i, k in enumerate(keys)
            if re.search(r"(?<![a-z0-9])" + re.escape(k) + r"(?![a-z0-9])", folded)]


def test_name_finder_gives_the_same_names_as_one_search_per_name() -> None:
    rng = random.Random(11)
    keys = [fold(n) for n in NAMES]
    finder = NameFinder(keys)
    vocabulary = ["propreté", "PROPRETE", "armor", "Armor,", "SAS", "sodilec", "Sodilec-Nord", "jardins", "de",
                  "Loire", "l'atelier", "L’Atelier", "3D", "3d", "print", "(groupe)", "vauban", "numéris",
                  "conseil", "retard", "ab", "abc", "x"]
    for _ in range(3000):
        text = " ".join(rng.choice(vocabulary) for _ in range(rng.randrange(1, 10)))
        assert finder.mentioned(text) == _old_mentions(text, keys), text


def test_name_finder_matches_whole_words_only() -> None:
    finder = NameFinder([fold("Sodilec"), fold("Jardins de Loire")])
    assert finder.mentioned("Relance SODILEC ce matin") == [0]
    assert finder.mentioned("Relance Sodilec-Nord") == [0]  # a hyphen ends a word
    assert finder.mentioned("Sodilecs") == []
    assert finder.mentioned("les jardins de Loire-Atlantique") == [1]


def _fold_by_definition(text: str) -> str:
    import unicodedata

    text = text.replace("’", "'").replace("\u00a0", " ").replace("\u202f", " ")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).lower()


def test_fold_character_by_character_equals_folding_the_whole_text() -> None:
    rng = random.Random(3)
    pool = [chr(c) for c in [*range(32, 0x370), 0x2019, 0xA0, 0x202F, 0x1E9E, 0xFB01, 0x2460, 0xAC00, 0x130,
                             0x3A3, 0x1F600, 0x4E2D, 0x2126, 0x212B, 0x1EC7, 0x0F73]]
    for _ in range(20000):
        text = "".join(rng.choice(pool) for _ in range(rng.randrange(0, 30)))
        assert fold(text) == _fold_by_definition(text), repr(text)
    assert fold("Pénalité de l’article 14 — « délai »") == "penalite de l'article 14 — « delai »"
