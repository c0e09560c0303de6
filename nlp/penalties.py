"""Penalty clauses of a contract document: what failing, how much, per what unit, and
the cap / exoneration threshold / CCAG derogation the same document applies to them.

Read from prose sentences and from table rows (penalty grids, SLA tiers: one Penalty per
row). Only sentences that set an amount or a formula for a failing are penalties; a cap,
threshold or derogation provision is attached to the penalties it expressly covers:
- the articles it names ("au titre des articles 9.1, 9.2 et 9.5"),
- "le présent article (N)": the top-level article N,
- otherwise the nearest enclosing clause holding penalties (the provision's own clause,
  then its parents), else the whole document.
Unclear readings keep needs_review=True with a French reason; nothing is guessed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from models.domain.types import (
    CapScope,
    Clause,
    DurationUnit,
    ParsedDocument,
    Penalty,
    PenaltyTrigger,
    PenaltyUnit,
    Span,
)
from nlp.ccag_refs import derogated_articles, find_derogations
from nlp.normalize.amounts import find_amounts, find_fractions, find_percents
from nlp.normalize.durations import find_durations
from nlp.normalize.numbers import parse_decimal
from nlp.normalize.text import fold
from nlp.sentences import sentence_spans
from nlp.structure import article_at, normalize_article

# Scanned pages read "1 OOO €" or "2OO €": a letter o inside a number just before a
# currency is a zero. Same length as the input, so offsets into the raw text still hold.
_OCR_NUMBER = re.compile(r"(?<![\w.,])(?=[\do]{0,2}\d)[\do]{1,3}(?:[ .\u00a0\u202f][\do]{3})*(?=\s*(?:€|euros?\b))")


# « cent cinquante (150) euros »: the figure in brackets before the currency word
_BRACKETED_FIGURE = re.compile(r"\((\d[\d .,\u00a0\u202f]*)\)(\s*(?:€|euros?\b))")


def _fold(text: str) -> str:
    """fold() plus the OCR zero repair above, for every reading done in this module."""
    folded = _BRACKETED_FIGURE.sub(lambda m: f" {m.group(1)} {m.group(2)}", fold(text))
    return _OCR_NUMBER.sub(lambda m: m.group(0).replace("o", "0"), folded)


# ---------------------------------------------------------------------------------------
# vocabulary (folded text)

_PENALTY_CUE = re.compile(
    r"penalit|retenues?\s+(?:pour\s+retard|journaliere|de\s+\d|d'un\s+montant)|sanctions?\s+pecuniaire|"
    r"(?:titulaire|prestataire|entrepreneur|fournisseur)\s+(?:est|sera)\s+redevable\s+d'une\s+(?:somme|indemnite)|"
    r"sanctionne\w*\s+par\s+(?:une|un)\s+(?:somme|montant|retenue|abattement)|"
    r"indemnites?\s+(?:forfaitaires?\s+)?(?:de|pour)\s+retard(?!\s+de\s+paiement)"
)
_FORMULA = re.compile(
    r"\bp\s*=\s*\(?\s*v\s*[x×*.]\s*r\s*\)?\s*/\s*(?P<den>\d{1,3}(?:[ .]\d{3})+|\d+)"
    r"|\bp\s*=\s*\(?\s*v\s*[x×*.]\s*r\s*[x×*.]\s*(?P<num>\d+(?:[,.]\d+)?)\s*\)?\s*/\s*(?P<den2>\d{1,3}(?:[ .]\d{3})+|\d+)"
)
# Context just before a number that makes it a cap or a threshold, not the penalty.
_CAP_FAR = re.compile(
    r"(?:plafon\w*|limite[es]?|dans\s+la\s+limite\s+(?:de|d'un\s+montant\s+de))\s*"
    r"(?:(?:a|de|d'un\s+montant\s+de|un\s+montant\s+de|la\s+somme\s+de)\s+)?(?:[\w',]+\s+){0,8}$"
)
_CAP_NEAR = re.compile(
    r"(?:ne\s+(?:peut|peuvent|pourra|pourront|saurait|sauraient|doit|doivent)\s+(?:pas\s+)?(?:exceder|depasser|"
    r"etre\s+superieur\w*\s+a)|(?:ne|n')\s*(?:depass|exced)\w*\s+(?:pas\s+)?|sans\s+(?:depasser|exceder)|"
    r"exced\w*|depass\w*|superieur\w*\s+a|inferieur\w*\s+a|maximum\s+(?:de)?|au\s+plus|seuil\s+de|franchise\s+de)\s*"
    r"(?:(?:a|de|d'un\s+montant\s+de|un\s+montant\s+de|la\s+somme\s+de|le\s+montant\s+de)\s+)?$"
)


# « le seuil d'exonération prévu à l'article 14.1.3 du CCAG-FCS est ramené à 300 € »
_THRESHOLD_SET = re.compile(
    r"(?:seuil|franchise|exoneration)[^;€]{0,120}?\b(?:fixe|ramene|abaisse|porte|releve|reduit|limite)e?s?\s+a\s*$"
)


def _is_cap_context(before: str) -> bool:
    """A number is a cap or threshold when a cap word governs it (far) or a comparison
    verb stands right before it (near): "plafonné, pour chaque commande, à 10 %",
    "excède 500 €" -- but not "lorsque le retard excède 10 jours, une pénalité de 500 €"."""
    return bool(_CAP_FAR.search(before) or _CAP_NEAR.search(before) or _THRESHOLD_SET.search(before))


# Headings of an article whose sub-items are penalties even when they never say
# « pénalité »; a « retenue de garantie » is a holdback, not a penalty.
_PENALTY_HEADING = re.compile(r"penalit|sanctions?\s+pecuniaires?|\bretenues?\b(?!\s+de\s+garantie)|\brefactions?\b")
_THRESHOLD = re.compile(
    r"exonere|exoneration|franchise|seuil\s+de\s+declenchement|ne\s+depasse\s+pas|"
    r"ne\s+sont\s+(?:appliquees|dues|exigibles|exigees)\s+que\s+(?:si|lorsque|lorsqu'|au-dela)|"
    r"(?:au-dela|a\s+partir)\s+d'un\s+montant\s+(?:cumule|total|global)"
)
_NO_THRESHOLD = re.compile(
    r"n'est\s+pas\s+exonere|ne\s+sont\s+pas\s+exoneres|aucune\s+(?:exoneration|franchise)|"
    r"sans\s+(?:exoneration|franchise|seuil)|des\s+le\s+premier\s+euro|pas\s+de\s+(?:franchise|seuil|exoneration)|"
    r"ne\s+beneficie\s+(?:pas|d'aucune)\s+(?:de\s+l')?exoneration|"
    r"exoneration[^.;]{0,100}(?:ne\s+s'applique\s+pas|n'est\s+pas\s+applicable|est\s+supprimee|ne\s+joue\s+pas)|"
    r"(?:supprim\w*|renonc\w*\s+a)\s+(?:l'|a\s+l')?exoneration|"
    r"sans\s+(?:que\s+(?:le\s+)?\w+\s+(?:ne\s+)?puisse\s+)?(?:se\s+prevaloir|beneficier)\s+de\s+l'exoneration"
)
_CAP = re.compile(r"plafonn|ne\s+(?:peut|peuvent|pourra|pourront|saurait|sauraient|doit|doivent)\s+(?:pas\s+)?(?:exceder|depasser|etre\s+superieur)|dans\s+la\s+limite\s+de\s+\d|limitee?s?\s+a\s+\d")
_MAY_EXCEED = re.compile(r"(?<!ne\s)(?:peut|peuvent|pourra|pourront)\s+(?:pas\s+)?(?:exceder|depasser)\s+(?:le\s+(?:plafond|seuil)\s+de\s+)?$")
_NO_CAP = re.compile(r"n'est\s+pas\s+plafonn|ne\s+sont\s+pas\s+plafonn|sans\s+plafon|aucun\s+plafond|"
                     r"(?<!ne\s)(?:peut|peuvent|pourra|pourront)\s+(?:exceder|depasser)")
_FORMAL_NOTICE = re.compile(
    r"(?:apres|suivant|suite\s+a|a\s+l'issue\s+d[e'u]|consecutive(?:ment)?\s+a|a\s+compter\s+de\s+la\s+reception\s+d'|"
    r"a\s+compter\s+de|dans\s+le\s+delai\s+(?:fixe|imparti)\s+par)\s*(?:une\s+|la\s+|sa\s+)?"
    r"(?:\w+\s+){0,5}mise\s+en\s+demeure|mise\s+en\s+demeure\s+(?:prealable\s+)?(?:restee|demeuree)\s+(?:sans\s+effet|infructueuse)|"
    r"\bsur\s+(?:simple\s+)?mise\s+en\s+demeure|\bmise?s?\s+en\s+demeure\s+(?:de|d')\s*(?:\w+\s+){0,3}(?:et\s+)?(?:reste|restee)s?\s+sans|"
    r"\b(?:titulaire|prestataire|entrepreneur|fournisseur)[,\s]+(?:prealablement\s+|dument\s+)?mis\s+en\s+demeure"
)
_ARTICLES_NAMED = re.compile(
    r"(?:au\s+titre\s+(?:de\s+l'|des\s+|du\s+)|(?:prevues?|visees?|definies?|fixees?|mentionnees?)\s+(?:aux\s+|a\s+l')|"
    r"en\s+application\s+(?:de\s+l'|des\s+)|\bdes\s+)articles?\s+"
    r"(?P<list>\d{1,3}(?:\.\d{1,3}){0,4}(?:\s*(?:,|et|a)\s*\d{1,3}(?:\.\d{1,3}){0,4})*)"
)
# « l'article 11.1 du présent CCAP déroge … »: the provision speaks of that article only
_THIS_DOCUMENT_ARTICLE = re.compile(
    r"\barticles?\s+(?P<list>\d{1,3}(?:\.\d{1,3}){0,4}(?:\s*(?:,|et|a)\s*\d{1,3}(?:\.\d{1,3}){0,4})*)\s+"
    r"du\s+present\s+(?:ccap|cahier|document|marche|accord-cadre|contrat)"
)
_PRESENT_ARTICLE = re.compile(r"(?:du|au|le)\s+present\s+article(?:\s+(?P<num>\d{1,3}(?:\.\d{1,3})*))?")

# Triggers, tested in this order on the failing's description (first match wins).
_TRIGGERS: tuple[tuple[PenaltyTrigger, re.Pattern[str]], ...] = (
    ("securite", re.compile(
        # a worker without the clearance the job requires (« technicien dépourvu de l'habilitation électrique »)
        r"habilitations?\s+(?:\w+\s+){0,2}(?:electri|securite|requise|necessaire|reglementaire|adaptee|valide)|"
        r"(?:sans|depourvu\w*\s+d[e']?|defaut\s+d'|absence\s+d'|non\s+titulaire\s+d[e']?)\s*(?:l'|d'|de\s+l'|de\s+son\s+|des\s+)?habilitations?|"
        r"non\s+habilite\w*\s+(?:a\s+intervenir|electriquement|a\s+travailler)|titres?\s+d'habilitation|"
        r"equipements?\s+de\s+protection\s+individuelle|\bepi\b|"
        r"hygiene|protection\s+sanitaire|mesures?\s+sanitaires|bionettoyage|chaine\s+du\s+froid|(?:mesures?|regles?)\s+de\s+confinement|risque\s+infectieux|asepsie|(?:regles?|consignes?|obligations?|prescriptions?|mesures?|manquements?|incidents?|failles?|plan|"
        r"coordonnateur)\s+(?:\w+\s+){0,3}(?:de\s+)?securite|violation\s+de\s+(?:donnees|la\s+confidentialite)|"
        r"donnees\s+a\s+caractere\s+personnel|confidentialite|rgpd|cybersecurite|incident\s+de\s+securite")),
    ("social", re.compile(
        r"travail\s+(?:dissimule|illegal)|obligations?\s+sociales|droit\s+du\s+travail|l\.?\s?8221|l\.?\s?8222|"
        r"declarations?\s+sociales|urssaf|salarie\w*\s+detache|detachement|salaries?\s+non\s+declares?|"
        r"(?:emploi|travail)\s+(?:\w+\s+){0,4}non\s+declare|inspection\s+du\s+travail|travailleurs?\s+non\s+declares?")),
    ("indisponibilite", re.compile(
        r"retablissement|\bretablie?s?\b|indisponibilit|interruption\s+(?:du|de|des)\s+service|disponibilite|panne|coupure|"
        r"remise\s+en\s+service|arret\s+(?:du|de)\s+service|temps\s+de\s+(?:reponse|retablissement)")),
    ("absence", re.compile(
        r"absence\s+(?:\w+\s+){0,5}(?:a|aux|au|en)\s+(?:une?\s+|la\s+|les\s+|chaque\s+)?(?:reunion|comite|visite|"
        r"convocation|seance|rendez-vous|point|revue)|absent\w*\s+(?:a|aux|au|lors)\s+(?:d'une?\s+|la\s+|les\s+)?(?:reunion|comite|visite|seance)|"
        r"non[- ]participation|non[- ]presentation|par\s+absence|"
        r"absence\s+non\s+(?:excusee|justifiee)|"
        # « qui ne se fait pas représenter à une réunion de chantier », « par réunion manquée »
        r"ne\s+se\s+fait\s+pas\s+represent\w*\s+(?:a|aux|lors)|non[- ]represente\w*\s+(?:a|aux|lors)|"
        r"reunions?\s+manquees?|ne\s+(?:se\s+presente|participe)\s+pas\s+(?:a|aux)\s+(?:la\s+|une\s+|les\s+)?"
        r"(?:reunion|comite|visite|seance)")),
    ("non_conformite", re.compile(
        r"non[- ]conform|rejet|rejete|non[- ]remplacement|ne\s+(?:sont|est)\s+pas\s+remplace|ne\s+remplace\s+pas|"
        r"defaut\s+de\s+remplacement|"
        r"sans\s+(?:le|la|l')\s*(?:montage|mise\s+en\s+place|installation|mise\s+en\s+service)|defaut\s+de\s+montage|"
        r"sans\s+(?:etre\s+|avoir\s+ete\s+)?(?:monte|installe|assemble|mis\s+en\s+service)|non\s+(?:monte|installe|assemble)|"
        r"(?:repas|produits?|articles?|quantites?|colis|fournitures?|equipements?)\s+manquants?|"
        r"malfacon|defectu|non[- ]respect\s+des\s+(?:specifications|prescriptions\s+techniques)|qualite|"
        r"incomplet|refus|manquant\w*\s+(?:a|lors\s+de)\s+la\s+livraison")),
    ("document", re.compile(
        r"rapports?\s+(?:mensuel|trimestriel|annuel|semestriel|hebdomadaire|d'activite|d'intervention|de\s+visite|"
        r"de\s+suivi)|comptes?[- ]rendus?|\bdoe\b|dossier\s+des\s+ouvrages|bilan|documents?(?!\s+d'etudes?)|attestations?|(?<!au\s)(?<!prevue\s)(?<!selon\s\w\w\s)planning|"
        r"justificatifs?|tableau\s+de\s+bord|reporting|releves?|plans?\s+d'execution|plans?\s+de\s+prevention|ppsps|"
        r"plan\s+d'assurance\s+qualite|\bpaq\b|notes?\s+de\s+calcul|pieces?\s+(?:justificatives|"
        r"demandees)|contrat\s+de\s+sous-traitance|certificats?|\bdiuo\b|dossier\s+d'intervention|fiches?\s+d'intervention")),
    ("retard", re.compile(
        r"retard|tardi|depass\w*|hors\s+delai|au-dela\s+(?:du|de\s+la|des|de\s+l')\s*(?:delai|date|heure)|"
        r"apres\s+(?:le|la|l')\s*(?:delai|date|heure|echeance)|non[- ]respect\s+(?:du|des)\s+(?:delais?|dates?|horaires?)")),
)

# How a time unit is named once a penalty runs "per" it: "jours ouvrés de retard",
# "pénalité journalière", "heure d'indisponibilité". Bare "30 jours calendaires" is a
# deadline, not a unit, except in the definition of R in a formula (_R_UNITS).
_UNIT_PATTERNS: tuple[tuple[PenaltyUnit, re.Pattern[str]], ...] = (
    ("jour_ouvrable", re.compile(r"(?:jours?|journees?)\s+ouvrables?\s+de\s+retard")),
    ("jour_ouvre", re.compile(r"(?:jours?\s+ouvres|journees?\s+ouvrees)\s+de\s+retard")),
    ("heure", re.compile(r"heures?\s+(?:de\s+)?(?:retard|depassement|d'indisponibilite|d'interruption|d'arret)|"
                         r"(?:penalite|retenue|somme|indemnite)s?\s+(?:forfaitaires?\s+)?horaires?")),
    ("semaine", re.compile(r"semaines?\s+de\s+retard|(?:penalite|retenue|somme|indemnite)s?\s+(?:forfaitaires?\s+)?hebdomadaires?")),
    ("mois", re.compile(r"mois\s+de\s+retard|(?:penalite|retenue|somme|indemnite)s?\s+(?:forfaitaires?\s+)?mensuelles?")),
    ("jour", re.compile(r"(?:jours?|journees?)\s+(?:calendaires?\s+)?de\s+retard|"
                        r"(?:penalite|retenue|somme|indemnite)s?\s+(?:forfaitaires?\s+)?(?:journalieres?|quotidiennes?)")),
)
_R_UNITS: tuple[tuple[PenaltyUnit, re.Pattern[str]], ...] = (
    ("jour_ouvrable", re.compile(r"jours?\s+ouvrables?")),
    ("jour_ouvre", re.compile(r"jours?\s+ouvres")),
    ("heure", re.compile(r"heures?")),
    ("semaine", re.compile(r"semaines?")),
    ("mois", re.compile(r"\bmois\b")),
    ("jour", re.compile(r"jours?")),
)
# "par absence", "par rapport non remis", "par manquement", "par livraison concernée"...
_NOT_OCCURRENCE_NOUNS = frozenset({
    "application", "derogation", "reference", "le", "la", "les", "l'acheteur", "ailleurs", "consequent",
    "tranche", "avenant", "voie", "lettre", "courrier", "ordre", "decision", "dela", "exemple", "suite",
    "defaut", "titulaire", "cent", "mille", "an", "annee", "ans", "un", "une", "des", "du", "de", "l'", "personne",
})
_STARTED = re.compile(r"(?:toute?|chaque)\s+(?:heure|journee|jour|semaine|mois|fraction\s+d'heure)s?\s+(?:de\s+retard\s+)?(?:commencee?|entamee?)")
_GRACE = re.compile(
    r"(?:au-dela|au\s+dela|a\s+l'expiration|apres\s+(?:l'expiration\s+)?(?:d'un|du)\s+(?:delai|temps)|passe\s+un\s+delai)"
    r"\s*(?:d'une?|du|de)?\s*(?:delai|temps|franchise)?\s*(?:de\s+(?:franchise\s+de\s+|retablissement\s+de\s+|tolerance\s+de\s+)?)?"
)
# what may stand between "au-delà" and the duration: « d'une franchise de », « d'un délai de grâce d' »
_GRACE_LEAD = re.compile(
    r"^\s*(?:d'une?|du|de\s+la|de|d')?\s*(?:(?:delai|temps|franchise|periode|duree)\s*)?"
    r"(?:(?:de\s+)?(?:grace|franchise|tolerance|retablissement|carence)\s*)?(?:de|d')?\s*$"
)
_VALUE_BASE = re.compile(
    r"(?:\bv\s+(?:est|represente|designe|correspond\s+a|=)\s+(?:le|la|l')?\s*|\b(?:du|de\s+la|de\s+l')\s+)"
    r"(?P<base>(?:montant|valeur|prix|redevance|remuneration)[^,;.()]{0,90}?)"
    r"(?=\s*(?:,|;|\.|\)|\bet\s+r\b|\bpar\b|\bdans\b|\bpour\b|\best\b|\bsont\b|\bsera\b|\bseront\b|\bqui\b|"
    r"\blui\b|\ben\s+cas\b|\bappliqu|\bdes\s+lors|\bsi\b|$))"
)
_ANAPHORA = re.compile(
    r"^(?:cette|ces|la|ladite|chaque)\s+penalit|^(?:son|leur)\s+montant|^(?:elle|elles)\s+(?:est|sont|s'eleve)|"
    r"^le\s+montant\s+(?:de\s+)?(?:cette|la|ladite|celle-ci|chaque)\b|^celles?-ci\s|^(?:son|leur)\s+taux"
)


# ---------------------------------------------------------------------------------------
# candidate units: prose sentences and table rows

@dataclass
class _Unit:
    start: int
    end: int
    quote: str
    body: str  # folded text holding the amount / formula
    raw: str  # the same text unfolded (same length as body): for value_base as written
    describe: str  # folded text describing the failing (row cells, sentence, intro)
    unit_hint: str = ""  # folded header of the amount column
    is_row: bool = False
    context: str = ""  # folded header row and the text just before the table
    uncued: bool = False  # a rate in a penalties article, without the word "pénalité"


def _clean_quote(raw: str) -> str:
    return " ".join(raw.split())


_LEADING_NUMBER = re.compile(
    r"^\s*(?:article\s+|art\.\s*)?(\d{1,2}(?:\.\d{1,2}){0,4})\.?\s*[-–—:)]?\s+(?=\S)", re.IGNORECASE
)
_MD_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")
_MONEY_HEADER = re.compile(r"€|euro|montant|penalit")
# "100 par jour calendaire" under a header "Pénalité (en euros HT)"
_HEADER_CURRENCY_NUMBER = re.compile(
    r"^(\d{1,3}(?:[ .\u00a0\u202f]\d{3})*(?:,\d+)?|\d+(?:,\d+)?)(\s+(?:(?:HT|TTC|H\.T\.|T\.T\.C\.)\s+)?(?:par|pour\s+chaque)\s|\s*/\s*[a-zA-Z])",
    re.IGNORECASE,
)
_BARE_NUMBER = re.compile(r"^\d{1,3}(?:[ .\u00a0\u202f]\d{3})*(?:,\d+)?$|^\d+(?:,\d+)?$")


def _table_units(text: str) -> list[_Unit]:
    """One unit per data row of each ' | ' table (header rows and price lists are skipped later)."""
    units: list[_Unit] = []
    pos = 0
    header: list[str] | None = None
    header_raw: list[str] = []
    in_table = False
    table_start = 0
    for line in text.split("\n"):
        start = pos
        pos += len(line) + 1
        if _MD_SEPARATOR.match(line):
            continue  # "|---|---|" under a markdown header row (before the " | " test: it has no spaces)
        if " | " not in line:
            in_table = False
            header = None
            continue
        row = line.strip()
        if row.startswith("|") and row.endswith("|"):
            row = f" {row[1:-1]} "  # markdown "| a | b |"; A's rows may start with an empty cell
        else:
            row = line
        cells = [c.strip() for c in row.split(" | ")]
        if in_table and header and len(header) == len(cells):
            # "Pénalité (€ HT par jour)" over a bare "150": the currency is in the header
            cells = [f"{c} €" if _MONEY_HEADER.search(header[i]) and _BARE_NUMBER.match(c)
                     else _HEADER_CURRENCY_NUMBER.sub(r"\1 €\2", c, count=1) if _MONEY_HEADER.search(header[i])
                     else c
                     for i, c in enumerate(cells)]
        folded_cells = [_fold(c) for c in cells]
        has_value = any(_has_value(c) for c in folded_cells)
        if not in_table:
            in_table = True
            table_start = start
            if not has_value:
                header, header_raw = folded_cells, cells
                continue
        if not has_value:
            continue
        value_idx = [i for i, c in enumerate(folded_cells) if _has_value(c)]
        describe = " ".join(c for i, c in enumerate(folded_cells) if i not in value_idx)
        unit_hint = ""
        if header and len(header) == len(cells):
            unit_hint = " ".join(header[i] for i in value_idx)
        lead = len(line) - len(line.lstrip())
        units.append(_Unit(
            start=start + lead, end=start + len(line.rstrip()),
            quote=_clean_quote(" ".join(c for c in cells if c)),
            body=" ".join(folded_cells[i] for i in value_idx) + " " + unit_hint,
            raw=" ".join(cells[i] for i in value_idx) + " " + (" ".join(header_raw[i] for i in value_idx) if unit_hint else ""),
            describe=describe, unit_hint=unit_hint, is_row=True,
            context=" ".join(header or []) + " " + _line_before(text, table_start),
        ))
    return units


def _line_before(text: str, offset: int) -> str:
    """The folded line just before a table (its caption or introducing sentence), across
    the blank line markdown puts between a paragraph and its table."""
    before = text[:offset].rstrip().rsplit("\n", 1)[-1]
    return _fold(before[-300:])


def _split_enumerations(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Cut "… 100 € par jour de retard ; 50 € par absence …" at the semicolons when every
    part sets its own amount: one penalty per part."""
    out: list[tuple[int, int]] = []
    for s, e in spans:
        folded = _fold(text[s:e])
        cuts = [s + m.end() for m in re.finditer(r";\s*", folded)]
        bounds = [s, *cuts, e]
        parts = list(zip(bounds, bounds[1:], strict=False))
        if len(parts) > 1 and all(_penalty_amounts(_fold(text[a:b])) for a, b in parts):
            out.extend((a, b - len(text[a:b]) + len(text[a:b].rstrip())) for a, b in parts)
        else:
            out.append((s, e))
    return out


def _sentence_units(text: str, in_penalty_clause: Callable[[int], bool]) -> list[_Unit]:
    spans = _split_enumerations(
        text, _rejoin_wrapped(text, [(s, e) for s, e in sentence_spans(text) if " | " not in text[s:e]]))
    units: list[_Unit] = []
    for i, (s, e) in enumerate(spans):
        folded = _fold(text[s:e])
        if not _has_value(folded):
            continue
        if _EXAMPLE.match(folded):
            continue  # "Exemple : pour 10 jours de retard, la pénalité est de 500 €"
        intro = _list_intro(text, spans, i) if _BULLET_START.match(folded) else ""
        cued = _PENALTY_CUE.search(folded) or _FORMULA.search(folded) or _PENALTY_CUE.search(intro)
        # "Absence aux réunions : 150 € par absence" in an article headed "Pénalités"
        uncued_rate = False
        if not cued:
            if not in_penalty_clause(s):
                continue
            if not _AMOUNT_PER_UNIT.search(folded):
                if not (_penalty_percents(folded) or _penalty_fractions(folded)):
                    continue
                uncued_rate = True  # "une réfaction de 5 % de la redevance" under "Pénalités"
        qs, qe = s, e
        describe = folded
        if (_ANAPHORA.match(folded) or _FORMULA.match(folded.strip())) and i > 0:
            # "Cette pénalité est de …" / "P = V × R / 1 000" : the failing is in the sentence before
            qs = spans[i - 1][0]
            describe = _fold(text[qs:s]) + " " + folded
        elif intro:
            describe = folded + " " + intro
        elif _LEANS_BACK.match(folded) and i > 0:
            # "A défaut de l'avoir produit …": the failing is named in the sentence before
            describe = folded + " " + _fold(text[spans[i - 1][0]:spans[i - 1][1]])
        if i + 1 < len(spans):
            ns, ne = spans[i + 1]
            following = _fold(text[ns:ne])
            if _ANAPHORA.match(following) and not _has_value(following):
                qe = ne  # "Cette pénalité s'applique pour chaque jour de retard."
                folded = _fold(text[s:qe])
                describe = describe + " " + following
        units.append(_Unit(start=qs, end=qe, quote=_clean_quote(text[qs:qe]), body=_fold(text[s:qe]),
                           raw=text[s:qe], describe=describe, uncued=uncued_rate))
    return units


def _rejoin_wrapped(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """A line cut mid-sentence ("9.2 Manquement …, après mise en demeure" / "restée sans
    effet : 300 € …") comes back as two sentences when the first line looks like a
    sub-heading; rejoin when the first has no final punctuation and the second goes on
    in lower case on the next line."""
    out: list[tuple[int, int]] = []
    for s, e in spans:
        if out:
            ps, pe = out[-1]
            gap = text[pe:s]
            nxt = text[s:e]
            if (gap.strip() == "" and gap.count("\n") == 1 and nxt[:1].islower()
                    and not re.search(r"[.;:!?»)]\s*$", text[ps:pe]) and not _BULLET_START.match(_fold(nxt))):
                out[-1] = (ps, e)
                continue
        out.append((s, e))
    return out


_EXAMPLE = re.compile(
    r"^\W*(?:\d{1,2}(?:\.\d{1,2})*\.?\s*)?(?:(?:par\s+)?exemples?\b|ex\s*:|a\s+titre\s+d'exemple|illustration)"
)
# "80 € HT par jour", "cent euros (100 €) hors taxes par absence", "150 €/jour"
_AMOUNT_PER_UNIT = re.compile(
    r"(?:€|euros?)\s*\)?\s*(?:h\.?t\.?|t\.?t\.?c\.?|hors\s+taxes?|toutes\s+taxes\s+comprises|nets?)?\s*\)?\s*"
    r"(?:par|/|pour\s+chaque)\s*[a-z]"
)
_LEANS_BACK = re.compile(
    r"^\W*(?:a\s+defaut|faute\s+de|passe\s+ce\s+delai|a\s+l'expiration\s+de\s+ce\s+delai|dans\s+ce\s+cas|"
    r"si\s+tel\s+n'est\s+pas\s+le\s+cas|en\s+cas\s+de\s+manquement\s+a\s+cette\s+obligation|a\s+cet\s+egard)\b"
)
_BULLET_START = re.compile(r"^\s*(?:[-•*–—▪►]|\(?[a-z]\)|\d{1,2}°|\(?\d{1,2}\))\s")


def _list_intro(text: str, spans: list[tuple[int, int]], i: int) -> str:
    """The sentence introducing a bullet list ("Le titulaire encourt les pénalités suivantes :")."""
    j = i - 1
    while j >= 0 and _BULLET_START.match(_fold(text[spans[j][0]:spans[j][1]])) and i - j < 30:
        j -= 1
    if j < 0:
        return ""
    return _fold(text[spans[j][0]:spans[j][1]])


def _has_value(folded: str) -> bool:
    return bool(_penalty_amounts(folded) or _penalty_fractions(folded) or _FORMULA.search(folded)
                or _penalty_percents(folded))


def _outside_caps(folded: str, items: list[tuple[float, int, int]]) -> list[tuple[float, int, int]]:
    return [t for t in items if not _is_cap_context(folded[max(0, t[1] - 70):t[1]])
            and not _THRESHOLD_SET.search(folded[max(0, t[1] - 140):t[1]])]


def _penalty_amounts(folded: str) -> list[tuple[float, int, int]]:
    return _outside_caps(folded, find_amounts(folded))


_FRACTION_OF = re.compile(
    # « un millième (1/1000e) du montant », « (1/1000e) du montant »: the same rate repeated in
    # figures in brackets, or the bracket closing after the figures, stands between rate and value
    r"^\s*(?:e|eme|ieme)?\s*\)?\s*(?:\([^()]{1,30}\)\s*)?(?:\w+\s+){0,3}(?:du|de\s+la|de\s+l'|des|par)\s+(?:\w+\s+){0,2}"
    r"(?:montant|valeur|prix|marche|commande|redevance|remuneration|jour)"
)
# « 0,5/1000e »: the normaliser reads only the digits after the comma
_DECIMAL_NUMERATOR = re.compile(r"(\d+),$")


def _penalty_fractions(folded: str) -> list[tuple[float, int, int]]:
    """Fractions that are rates of a value ("1/1000e du montant"), not "page 4/5"."""
    out: list[tuple[float, int, int]] = []
    for value, start, end in _outside_caps(folded, find_fractions(folded)):
        if not _FRACTION_OF.match(folded[end:end + 80]) or re.search(r"page\s*$", folded[:start]):
            continue
        whole = _DECIMAL_NUMERATOR.search(folded[max(0, start - 6):start])
        if whole:
            num = parse_decimal(f"{whole.group(1)},{folded[start:end].split('/')[0].strip()}")
            den = parse_decimal(folded[start:end].split("/")[1].strip().rstrip("emi").strip())
            if num is None or not den:
                continue
            value, start = num / den, start - len(whole.group(0))
        out.append((value, start, end))
    return out


_PERCENT_OF = re.compile(
    r"^\s*(?:(?:par|/)\s+(?:jour|heure|semaine|mois)\w*\s+(?:\w+\s+){0,3})?(?:du|de\s+la|de\s+l'|des)\s+"
    r"(?:montant|valeur|prix|redevance|remuneration|marche|commande|facture)"
)


def _penalty_percents(folded: str) -> list[tuple[float, int, int]]:
    """Percentages of a value ("10 % du montant TTC", "0,1 % par jour de retard du montant")."""
    return [p for p in _outside_caps(folded, find_percents(folded)) if _PERCENT_OF.match(folded[p[2]:p[2] + 80])]


# ---------------------------------------------------------------------------------------
# reading one unit

@dataclass
class _Reading:
    basis: str
    amount: float | None = None
    ratio: float | None = None
    unit: PenaltyUnit | None = None
    value_base: str | None = None
    reasons: list[str] = field(default_factory=list)


_PER = re.compile(
    r"(?:(?:\bpar|\bpour\s+chaque|\ba\s+chaque|\bchaque)\s+|/\s*)(?:(?:nouvelle?|nouveau)\s+)?"
    r"(?P<noun>[a-z][a-z'-]+)(?P<next>\s+[a-z]+)?"
)
_DAY_WORDS = ("jour", "jours", "journee", "journees")


def _per_unit(text: str) -> PenaltyUnit | None:
    """The unit of the first explicit "par …" / "/ …" / "chaque …" in `text`."""
    for m in _PER.finditer(text):
        noun, nxt = m.group("noun"), (m.group("next") or "").strip()
        if noun in _DAY_WORDS:
            if nxt.startswith("ouvrable"):
                return "jour_ouvrable"
            if nxt.startswith("ouvre"):
                return "jour_ouvre"
            return "jour"
        if noun in ("heure", "heures", "h"):
            return "heure"
        if noun in ("semaine", "semaines"):
            return "semaine"
        if noun == "mois":
            return "mois"
        if noun == "rapport" and nxt in ("a", "au", "aux"):
            continue  # "par rapport à"
        if noun in _NOT_OCCURRENCE_NOUNS or len(noun) < 3:
            continue
        return "occurrence"
    return None


def _unit_of(text: str) -> PenaltyUnit | None:
    """Unit a penalty is counted in: an explicit "par …" first, then wording such as
    "jours ouvrés de retard", "journalière", "R = nombre de jours"."""
    per = _per_unit(text)
    if per is not None:
        return per
    for unit, pattern in _UNIT_PATTERNS:
        if pattern.search(text):
            return unit
    return None


def _r_unit(definition: str) -> PenaltyUnit | None:
    """Unit of R in "R = le nombre de jours ouvrés de retard"."""
    for unit, pattern in _R_UNITS:
        if pattern.search(definition):
            return unit
    return None


def _value_base(folded: str, raw: str) -> str | None:
    """What the rate applies to, as written ("montant hors taxes du bon de commande")."""
    m = _VALUE_BASE.search(folded)
    if not m:
        return None
    source = raw if len(raw) == len(folded) else folded
    return " ".join(source[m.start("base"):m.end("base")].split())


def _read(unit: _Unit, clause_text: str) -> _Reading | None:
    body = unit.body
    formula = _FORMULA.search(body)
    amounts = _penalty_amounts(body)
    fractions = _penalty_fractions(body)
    percents = _penalty_percents(body)
    unit_text = body + " " + unit.unit_hint
    if formula:
        den = parse_decimal(formula.group("den") or formula.group("den2") or "")
        num = parse_decimal(formula.group("num") or "1") or 1.0
        if not den:
            return None
        # R is defined in the same sentence or elsewhere in the clause ("R = le nombre de jours de retard")
        r_def = re.search(r"\br\s*(?:=|:|est|represente|designe|le|correspond\s+au)\s*(?:le\s+)?nombre\s+d[e']\s*[^;.]{0,60}", body)
        if r_def is None:
            r_def = re.search(r"\br\s*(?:=|:|est|represente|designe|le|correspond\s+au)\s*(?:le\s+)?nombre\s+d[e']\s*[^;.]{0,60}",
                              _fold(clause_text))
        reading = _Reading("ratio_per_unit", ratio=num / den)
        reading.unit = _r_unit(r_def.group(0)) if r_def else None
        if reading.unit is None:
            reading.unit = "jour"
            reading.reasons.append("unité de R non précisée : jour calendaire retenu")
        reading.value_base = _value_base(body, unit.raw) or _value_base(_fold(clause_text), clause_text)
        return reading
    if fractions:
        reading = _Reading("ratio_per_unit", ratio=fractions[0][0])
        reading.unit = _unit_of(unit_text[fractions[0][2]:] + " " + unit_text)
        end = fractions[0][2]
        reading.value_base = _value_base(body[end:], unit.raw[end:])
        if reading.unit is None:
            reading.basis = "percent"
            reading.reasons.append("fraction sans unité de temps")
        if len({round(f[0], 9) for f in fractions}) > 1:
            reading.reasons.append("plusieurs taux dans la même clause")
        return reading
    if amounts:
        value, _, end = amounts[0]
        unit_after = _unit_of(unit_text[end:end + 120]) or _unit_of(unit_text)
        reading = _Reading("fixed_per_unit" if unit_after else "fixed", amount=value, unit=unit_after)
        if re.search(r"\bpar\s+(?:quart|demi|tiers|tranche|fraction|periode)\b", unit_text[end:end + 60]):
            # « 50 € par quart d'heure de retard »: no SPEC unit says a quarter of an hour
            reading.reasons.append("unité fractionnaire (quart d'heure, demi-journée, tranche…) : vérifier l'unité")
        if re.search(r"\bpar\s+[^,;.]{1,50}?\s+et\s+par\s+[a-z]", unit_text[end:end + 120]):
            # « 50 € par document manquant et par semaine de retard »: two units multiply
            reading.reasons.append("montant dû par deux unités à la fois (« par … et par … ») : vérifier le calcul")
        if len({a[0] for a in amounts}) > 1:
            reading.reasons.append("plusieurs montants dans la même clause (paliers ou cumul) : vérifier")
        return reading
    if percents:
        value, _, end = percents[0]
        per = _unit_of(body[end:end + 80])
        per_time = per is not None and per != "occurrence"
        reading = _Reading("ratio_per_unit" if per_time else "percent", ratio=value / 100, unit=per)
        reading.value_base = _value_base(body[end:], unit.raw[end:])
        return reading
    return None


def _trigger(describe: str, headings: list[str]) -> PenaltyTrigger | None:
    # The failing's own words first, its bracketed examples after: « Repas non conformes
    # (grammage insuffisant, rupture de la chaîne du froid) » is a non-conformity.
    unbracketed = re.sub(r"\([^()]*\)", " ", describe)
    for text in (unbracketed, describe, *headings):
        for trigger, pattern in _TRIGGERS:
            if pattern.search(text):
                return trigger
    return None


def _grace(body: str) -> tuple[float | None, DurationUnit | None]:
    for m in _GRACE.finditer(body):
        window = body[m.end():m.end() + 40]
        durations = find_durations(window)
        if durations and (durations[0][1] <= 3 or _GRACE_LEAD.match(window[:durations[0][1]])):
            d = durations[0][0]
            return d.value, d.unit
    return None, None


# ---------------------------------------------------------------------------------------
# regime provisions: caps, thresholds, derogations

@dataclass
class _Provision:
    start: int
    cap_percent: float | None = None
    cap_scope: CapScope | None = None
    threshold: float | None = None
    derogates: str | None = None
    articles: tuple[str, ...] | None = None  # explicit scope; None = by position
    top_article: str | None = None  # "le présent article (N)"
    own_unit: int | None = None  # index of the penalty unit the provision sits in
    no_cap: bool = False  # "les pénalités ne sont pas plafonnées"


def _cap_scope(text: str) -> CapScope | None:
    if re.search(r"bon\s+de\s+commande|chaque\s+commande|de\s+la\s+commande|de\s+cette\s+commande", text):
        return "bon_de_commande"
    if re.search(r"marche|accord-cadre|contrat|ensemble\s+des\s+prestations", text):
        return "contrat"
    if re.search(r"prestation|livrable|phase|tranche", text):
        return "prestation"
    return None


_THRESHOLD_BEFORE = re.compile(
    r"(?:exonere\w*|exoneration|franchise|seuil|en\s+deca|jusqu'a|moins\s+de)[^;€]{0,120}$"
)


def _provision_of(folded: str, start: int, in_penalties: bool = False) -> _Provision | None:
    prov = _Provision(start=start)
    if "penalit" not in folded and "exoner" not in folded and "franchise" not in folded and not in_penalties:
        return None  # under a « Pénalités » heading the sentence need not repeat the word
    if _CAP.search(folded):
        for value, ps, pe in find_percents(folded):
            before = folded[max(0, ps - 70):ps]
            if _MAY_EXCEED.search(before[-40:]):
                continue  # "pourra dépasser 10 %, dans la limite de 15 %": 10 is not the cap
            if _is_cap_context(before) or re.search(r"plafonn", folded[:ps]):
                prov.cap_percent = value
                prov.cap_scope = _cap_scope(folded[pe:pe + 120]) or _cap_scope(folded)
                break
    if prov.cap_percent is None and _NO_CAP.search(folded):
        prov.no_cap = True
    if _THRESHOLD.search(folded):
        if _NO_THRESHOLD.search(folded):
            prov.threshold = 0.0
        else:
            # only an amount a threshold word governs: in « 50 € par heure au-delà d'une
            # franchise de deux heures » the 50 € is the penalty and the franchise a time
            amounts = [a for a in find_amounts(folded)
                       if _is_cap_context(folded[max(0, a[1] - 70):a[1]]) or _THRESHOLD_BEFORE.search(folded[max(0, a[1] - 130):a[1]])]
            if amounts:
                prov.threshold = amounts[0][0]
    derogated = derogated_articles(folded)
    if derogated:
        prov.derogates = derogated[0]
    if prov.cap_percent is None and prov.threshold is None and prov.derogates is None and not prov.no_cap:
        return None
    named = _ARTICLES_NAMED.search(folded) or _THIS_DOCUMENT_ARTICLE.search(folded)
    if named:
        prov.articles = _article_list(named.group("list"))
    present = _PRESENT_ARTICLE.search(folded)
    if present:
        prov.top_article = present.group("num") or ""
    return prov


def _article_list(listed: str) -> tuple[str, ...]:
    """"9.1, 9.2 et 9.5" -> (9.1, 9.2, 9.5); "11.1 à 11.5" -> 11.1 … 11.5 (a range of
    sibling articles: only the last number differs)."""
    out: list[str] = []
    for m in re.finditer(r"(?P<a>\d{1,3}(?:\.\d{1,3})*)(?:\s*a\s*(?P<b>\d{1,3}(?:\.\d{1,3})*))?", listed):
        a, b = m.group("a"), m.group("b")
        out.append(a)
        if b is None:
            continue
        pa, pb = a.rsplit(".", 1) if "." in a else ("", a), b.rsplit(".", 1) if "." in b else ("", b)
        if pa[0] == pb[0] and int(pa[1]) < int(pb[1]) <= int(pa[1]) + 50:
            prefix = pa[0] + "." if pa[0] else ""
            out.extend(f"{prefix}{n}" for n in range(int(pa[1]) + 1, int(pb[1]) + 1))
        else:
            out.append(b)
    return tuple(out)


def _covers(prov: _Provision, article: str | None, prov_article: str | None,
            penalty_articles: set[str | None], unit_index: int) -> tuple[bool, int]:
    """Does the provision cover a penalty of `article`? Returns (covers, specificity)."""
    if prov.own_unit is not None:
        return prov.own_unit == unit_index, 100
    if prov.articles is not None:
        hit = article is not None and any(article == a or article.startswith(a + ".") for a in prov.articles)
        return hit, 50
    if prov.top_article is not None:
        target = prov.top_article or (prov_article.split(".")[0] if prov_article else None)
        if target is None:
            return True, 1
        return article is not None and (article == target or article.startswith(target + ".")), 40
    # nearest enclosing clause of the provision that holds penalties
    scope = prov_article
    while scope:
        if any(a is not None and (a == scope or a.startswith(scope + ".")) for a in penalty_articles):
            hit = article is not None and (article == scope or article.startswith(scope + "."))
            return hit, 10 + scope.count(".")
        scope = scope.rsplit(".", 1)[0] if "." in scope else None
    return True, 1


# ---------------------------------------------------------------------------------------

def extract_penalties(parsed: ParsedDocument, clauses: list[Clause]) -> list[Penalty]:
    """Penalties of a contract document, in document order."""
    text = parsed.text
    row_units = _table_units(text)
    by_article: dict[str | None, Clause] = {c.article: c for c in clauses if c.article}

    def in_penalty_clause(offset: int) -> bool:
        return any(_PENALTY_HEADING.search(h) for h in _heading_chain(article_at(clauses, offset), by_article))

    units = sorted(row_units + _sentence_units(text, in_penalty_clause), key=lambda u: u.start)

    drafts: list[tuple[_Unit, Clause | None, _Reading]] = []
    for unit in units:
        clause = article_at(clauses, unit.start)
        if unit.is_row and not _row_in_penalty_context(unit, clause, by_article):
            continue  # a price schedule or a fee table, not a penalty grid
        reading = _read(unit, clause.text if clause else "")
        if reading is None:
            continue
        drafts.append((unit, clause, reading))

    # provisions: every sentence (penalty sentences included, scoped to themselves)
    provisions: list[tuple[_Provision, str | None]] = []
    for s, e in sentence_spans(text):
        folded = _fold(text[s:e])
        prov = _provision_of(folded, s, in_penalty_clause(s))
        if prov is None:
            continue
        own = next((i for i, (u, _, _) in enumerate(drafts) if u.start <= s < u.end), None)
        if own is not None and prov.articles is None and prov.top_article is None:
            prov.own_unit = own
        clause = article_at(clauses, s)
        provisions.append((prov, clause.article if clause else None))
    list_derogations = find_derogations(parsed, clauses)

    penalty_articles = {c.article if c else None for _, c, _ in drafts}
    started = _started_phrases(text, clauses)
    out: list[Penalty] = []
    for index, (unit, clause, reading) in enumerate(drafts):
        article = clause.article if clause else None
        headings = _heading_chain(clause, by_article)
        trigger = _trigger(unit.describe, [*([unit.context[:300]] if unit.is_row else []), *headings, unit.body])
        reasons = list(reading.reasons)
        if unit.uncued:
            reasons.append("taux sans le mot « pénalité » (réfaction ?) : à vérifier")
        if trigger is None:
            trigger = "autre"
            reasons.append("type de manquement non reconnu")
        cap = threshold = derog = None
        cap_scope: CapScope | None = None
        best = {"cap": -1, "threshold": -1, "derog": -1}
        for prov, prov_article in provisions:
            covers, rank = _covers(prov, article, prov_article, penalty_articles, index)
            if not covers:
                continue
            if prov.cap_percent is not None and rank > best["cap"]:
                cap, cap_scope, best["cap"] = prov.cap_percent, prov.cap_scope, rank
            if prov.threshold is not None and rank > best["threshold"]:
                threshold, best["threshold"] = prov.threshold, rank
            if prov.derogates is not None and rank > best["derog"]:
                derog, best["derog"] = prov.derogates, rank
            if prov.no_cap and rank > best["cap"]:
                best["cap"] = rank
                cap, cap_scope = None, None
                reasons.append("le document écarte le plafond des pénalités : aucun plafond ne s'applique")
        if derog is None and article:
            for ccag_art, ccap_art in list_derogations:
                if ccap_art and (article == ccap_art or article.startswith(ccap_art + ".")):
                    derog = ccag_art
                    break
        quote_start = unit.start
        quote = unit.quote
        lead = _LEADING_NUMBER.match(quote)
        if lead and article and normalize_article(lead.group(1)) == article and len(quote) > lead.end():
            # "9.1 Une pénalité de …": the number is the heading, not the clause's words
            quote = quote[lead.end():]
            quote_start = unit.start + (len(text[unit.start:unit.end]) - len(text[unit.start:unit.end].lstrip()))
            quote_start += _LEADING_NUMBER.match(text[quote_start:unit.end]).end()  # type: ignore[union-attr]
        notice = _requires_notice(unit, clause)
        grace_value, grace_unit = _grace(unit.body)
        confidence = 0.9 if not reasons else 0.6
        if unit.is_row:
            confidence -= 0.05
        out.append(Penalty(
            article=article,
            page=parsed.page_at(quote_start),
            quote=quote,
            trigger=trigger,
            basis=reading.basis,  # type: ignore[arg-type]
            amount_eur=reading.amount,
            ratio=reading.ratio,
            unit=reading.unit,
            cap_percent=cap,
            threshold_eur=threshold,
            requires_formal_notice=notice,
            derogates_ccag=derog,
            cap_scope=cap_scope,
            grace_duration=grace_value,
            grace_unit=grace_unit,
            started_unit_counts=_started_counts(unit, reading.unit, article, started),
            value_base=reading.value_base,
            span=Span(page=parsed.page_at(quote_start), start=quote_start, end=unit.end),
            confidence=round(confidence, 2),
            needs_review=bool(reasons),
            review_reason="; ".join(reasons) if reasons else None,
        ))
    return out


_STARTED_UNIT = {"heure": ("heure",), "journee": ("jour", "jour_ouvre", "jour_ouvrable"),
                 "jour": ("jour", "jour_ouvre", "jour_ouvrable"), "semaine": ("semaine",), "mois": ("mois",)}


def _started_phrases(text: str, clauses: list[Clause]) -> list[tuple[str | None, tuple[str, ...]]]:
    """("toute heure commencée est due", …) as (top-level article, units it speaks of)."""
    out: list[tuple[str | None, tuple[str, ...]]] = []
    folded = _fold(text)
    for m in _STARTED.finditer(folded):
        word = re.search(r"heure|journee|jour|semaine|mois", m.group(0))
        clause = article_at(clauses, m.start())
        top = clause.article.split(".")[0] if clause and clause.article else None
        out.append((top, _STARTED_UNIT.get(word.group(0), ()) if word else ()))
    return out


def _started_counts(unit: _Unit, penalty_unit: str | None, article: str | None,
                    started: list[tuple[str | None, tuple[str, ...]]]) -> bool:
    if _STARTED.search(unit.body + " " + unit.describe):
        return True
    top = article.split(".")[0] if article else None
    return any(t == top and penalty_unit in units for t, units in started)


def _row_in_penalty_context(unit: _Unit, clause: Clause | None, by_article: dict[str | None, Clause]) -> bool:
    if _PENALTY_CUE.search(unit.describe + " " + unit.body + " " + unit.context):
        return True
    return any(_PENALTY_HEADING.search(h) for h in _heading_chain(clause, by_article))


def _heading_chain(clause: Clause | None, by_article: dict[str | None, Clause]) -> list[str]:
    chain: list[str] = []
    while clause is not None:
        if clause.heading:
            chain.append(_fold(clause.heading))
        clause = by_article.get(clause.parent) if clause.parent else None
    return chain


def _requires_notice(unit: _Unit, clause: Clause | None) -> bool:
    """True only when the penalty is conditioned on a prior mise en demeure."""
    texts = [unit.body, unit.describe]
    for text in texts:
        for m in _FORMAL_NOTICE.finditer(text):
            if not re.search(r"sans\s+(?:qu'il\s+soit\s+(?:besoin|necessaire)\s+de\s+(?:proceder\s+a\s+)?)?(?:une\s+)?$",
                             text[max(0, m.start() - 60):m.start()]):
                return True
    return False
