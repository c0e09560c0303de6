"""French text helpers shared by every backend, so that they analyse text the same way.

Analysis chain (embedded and OpenSearch/Elasticsearch alike): split on non-letters (which also
splits elisions: « l'exécution » → « l », « exécution »), lowercase, drop function words,
fold accents, then stem. Folding before stemming makes « penalites » typed without accents
meet « pénalités » in the text.
"""

from __future__ import annotations

import re
import unicodedata

# Function words that carry no meaning in a clause search (folded forms). Kept short on
# purpose: « non », « sans », « hors » change the meaning of a clause and are not listed.
STOPWORDS: tuple[str, ...] = (
    "a", "au", "aux", "c", "ce", "ces", "cet", "cette", "d", "dans", "de", "des", "du", "elle",
    "en", "est", "et", "il", "j", "l", "la", "le", "les", "leur", "leurs", "lui", "m", "n", "ne",
    "on", "ou", "par", "pour", "qu", "que", "qui", "s", "sa", "se", "ses", "son", "sont", "sur",
    "t", "un", "une", "y",
)
_STOP = frozenset(STOPWORDS)
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def fold(text: str) -> str:
    """Lowercase and strip accents: « Équipements » → « equipements »."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("œ", "oe").replace("æ", "ae")


def keyword(value: str) -> str:
    """Normalised exact-match key for filters (case, accents and spacing ignored)."""
    return " ".join(fold(value).split())


def article_key(value: str) -> str:
    """« Article 9. 2. » / « art. 9.2 » / « 9.2 » → « 9.2 » (how numbers are compared)."""
    key = keyword(value)
    key = re.sub(r"^(article|art\.?)\s*", "", key)
    key = re.sub(r"\s*\.\s*", ".", key).strip(". ")
    return key


def field_key(field: str, value: str) -> str:
    return article_key(value) if field == "article" else keyword(value)


def words(text: str) -> list[str]:
    """Words as the analysers split them."""
    return _WORD.findall(text)


def content_words(text: str) -> list[str]:
    """Words that survive the stopword filter (used to size minimum-should-match)."""
    return [w for w in words(text) if fold(w) not in _STOP]


# Words indexed with each document kind, so that « acte d'engagement » or « CCAP » in a query
# favours clauses of that kind of document (codes are models.domain.types.DocumentKind).
DOC_KIND_LABELS: dict[str, str] = {
    "ccap": "CCAP cahier des clauses administratives particulières",
    "ae": "AE acte d'engagement",
    "cctp": "CCTP cahier des clauses techniques particulières",
    "rc": "RC règlement de la consultation",
    "ccag": "CCAG cahier des clauses administratives générales",
    "bpu": "BPU bordereau des prix unitaires",
    "mise_en_demeure": "mise en demeure",
    "notification_penalites": "notification des pénalités",
    "invitation_observations": "invitation à présenter des observations",
    "reclamation": "réclamation mémoire en réclamation",
    "contestation": "contestation",
    "courrier_titulaire": "courrier du titulaire",
    "relance": "relance",
    "pv_reception": "procès-verbal PV de réception",
    "pv_constat": "procès-verbal PV de constat",
    "ordre_de_service": "ordre de service OS",
    "bon_de_commande": "bon de commande",
    "avenant": "avenant",
    "decision_resiliation": "décision de résiliation",
    "autre": "",
}


# Word families of contract French that the stemmers (Snowball, light_french) leave apart:
# noun vs participle (« plafond » / « plafonnées », « résiliation » / « résilié »). A query word
# of a family also searches its relatives, in every backend. Folded forms; no cross-meaning
# synonyms (« règlement » also means a regulation, so it is not tied to « paiement »).
WORD_FAMILIES: tuple[tuple[str, ...], ...] = (
    ("plafond", "plafonne", "plafonnee", "plafonnees", "plafonnes", "plafonnement", "plafonner"),
    ("resiliation", "resilier", "resilie", "resiliee", "resilies", "resiliees"),
    ("paiement", "payer", "paye", "payee", "payees", "payes"),
    ("livraison", "livrer", "livre", "livree", "livrees", "livres"),
    ("execution", "executer", "execute", "executee", "executees", "executes"),
    ("reception", "receptionner", "receptionne", "receptionnee", "receptionnees"),
    ("reversibilite", "reversible"),
    ("indisponibilite", "indisponible"),
    ("disponibilite", "disponible"),
    ("reconduction", "reconduire", "reconduit", "reconductible"),
    ("modification", "modifier", "modifie", "modifiee"),
    ("prolongation", "prolonger", "prolonge", "prolongee"),
    ("notification", "notifier", "notifie", "notifiee"),
    ("facturation", "facturer", "facture", "facturee"),
    ("exoneration", "exonerer", "exonere", "exoneree"),
    ("garantie", "garantir", "garanti"),
    ("suspension", "suspendre", "suspendu", "suspendue"),
    ("remplacement", "remplacer", "remplace", "remplacee"),
    ("rejet", "rejeter", "rejete", "rejetee", "rejetees", "rejetes"),
    ("sous-traitance", "sous-traitant", "sous-traitants", "sous-traiter", "sous-traite"),
    ("indemnite", "indemnisation", "indemniser", "indemnise"),
    ("interruption", "interrompre", "interrompu", "interrompue"),
    ("admission", "admis", "admise", "admettre"),
    ("absence", "absent", "absente", "absents"),
    ("transmission", "transmettre", "transmis", "transmise"),
    ("remise", "remettre", "remis"),
    ("confidentialite", "confidentiel", "confidentielle", "confidentielles", "confidentiels"),
    ("ajournement", "ajourner", "ajourne", "ajournee"),
    ("validation", "valider", "valide", "validee"),
    ("verification", "verifier", "verifie", "verifiee"),
)
_FAMILY: dict[str, tuple[str, ...]] = {w: fam for fam in WORD_FAMILIES for w in fam}


_ELIDED = re.compile(r"^(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu)['’]", re.IGNORECASE)


def relatives(word: str) -> tuple[str, ...]:
    """The word's family (itself first), or just the word: « plafond » → plafond, plafonné...

    An elided article is not part of the word: « d'exonération » belongs to « exonération »'s family."""
    key = _ELIDED.sub("", fold(word))
    family = _FAMILY.get(key) or (_FAMILY.get(key[:-1]) if key.endswith(("s", "x")) else None)
    if not family:
        return (word,)
    return (word,) + tuple(w for w in family if w != key)
