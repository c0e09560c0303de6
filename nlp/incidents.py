"""Read one line of an incident log: what failed, the dates that matter and their roles,
orders and their value, outage times, and hints that the incident is not the titulaire's
breach.

The log is written by operational services in free French, so every role is found from the
words just before a date (« échéance du », « livré le », « rejet notifiée … le »), never
from the position of the date in the sentence.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from models.domain.types import Incident, PenaltyTrigger
from nlp.linking import (
    NameFinder,
    find_amounts,
    find_articles,
    find_contract_refs,
    find_dates,
    find_order_refs,
    fold,
    words_to_int,
)

DateRole = str  # due, performed, order, rejection, reported, notified, reception, postponed, other

# Words just before a date that tell what the date is. Checked on accent-folded text; the
# keyword closest to the date wins.
_ROLE_KEYWORDS: tuple[tuple[DateRole, str], ...] = (
    ("due", r"date limite|echeance|attendue?s?|au plus tard|date (?:d'achevement )?contractuelle|"
            r"date initiale|initialement (?:fixee?|prevue?)(?: au| le)?|"
            r"date d'achevement|au lieu du|devai(?:t|ent)|prevue? (?:le|au|pour)|date prevue|"
            r"delai (?:expirant|expire)|expirait|jusqu'au|date butoir|delai contractuel(?: expirant)?(?: le| au)?|"
            r"a livrer (?:pour )?(?:le|au)|programmee? (?:le|au|pour)|terme (?:fixe )?(?:au|le)|"
            r"etai(?:t|ent) (?:fixee?s? )?(?:le|au)"),
    ("performed", r"livr[ee]+s?|livraison (?:recue|effective|complete|realisee)|recue?s?|"
                  r"receptionnee?s?|retabli|retablissement|correctif|remplacement|installee?s?|"
                  r"effectuee?s?|enlevee?s?|remise?s?|acheve(?:s|e|es)?|achevement constate|"
                  r"realisee?s?|terminee?s?|operationnel|mise en conformite|regularisee?|transmise?s?|"
                  r"fournie?s?|montee?s?|arrivee?s?|restauree?|reparee?|resolue?|cloturee?|"
                  r"(?:re)?mise? en service|depannee?|intervention realisee|levee?s?|corrigee?s?"),
    ("order", r"notifiee? le|commandee?s? le|bon de commande [^;:]{0,40} du|emise? le|passee? le|"
              r"ordre de service [^;:]{0,30} du|\bos\b[^;:]{0,12} du|"
              r"(?:ordre de service|\bos\b) (?:de demarrage|de commencement|prescrivant [a-z' ]{0,30})\s?:?"),
    ("rejection", r"rejet(?:e|ee|ees|es)?|refusee?s?|ajournee?s?|"
                  # « refus notifié le 18/11 »: the notice of the refusal, not an order
                  r"(?:rejet|refus|ajournement)[^;,.]{0,30}? notifiee?s?(?: au [a-z]+)? le"),
    ("reported", r"signalee?s?|signalement|declaree?s?|constatee?s?|ouvert"),
    ("notified", r"notifiee? a (?:la |l'|au )(?:communaute|acheteur|collectivite|ville|commune|"
                 r"departement|region|maitre d'ouvrage|pouvoir adjudicateur|service)"),
    ("reception", r"reception (?:des travaux )?(?:du|prononcee)|apres la reception du|"
                  r"operations prealables a la reception"),
    ("postponed", r"reportee? (?:du [^;]{0,20} )?au|decalee? au|repoussee? au"),
    ("requested", r"demande (?:du|de la|de l'|des) [^;,.]{0,40}(?: du| le)|demandee? le|sollicitee? le|"
                  r"appel (?:du|de la|de l')[^;,.]{0,30}(?: du| le)|appele le"),
)
_ROLE_RES = [(role, re.compile(r"\b(?:" + pattern + r")\b")) for role, pattern in _ROLE_KEYWORDS]

# Scores for the kind of failing; the highest wins (ties follow this order).
_FAILING_WORDS: dict[str, tuple[str, ...]] = {
    "securite": ("regles de securite", "consignes de securite", "hygiene et securite",
                 "securite des personnes", "securite des travailleurs", "mise en danger", "garde-corps", "garde corps", "violation de donnees", "donnees a caractere",
                 "sps", "chute", "protections collectives", "epi non porte", "incendie", "amiante",
                 "fuite de donnees", "confidentialite",
                 # drinking-water and hospital works: sanitary protection is the safety rule of the site
                 "non desinfect", "protection sanitaire", "attestation sanitaire", "conformite sanitaire"),
    "social": ("travail dissimule", "urssaf", "non declare", "sans titre de sejour", "detachement"),
    "indisponibilite": ("indisponib", "panne", "inaccessible", "inaccessibilite", "interruption",
                        "coupure", "hors service", "anomalie bloquante", "service retabli",
                        "retablissement", "acces impossible", "acces a", "bloqu", "perte totale", "perte de la",
                        "perte des", "perte du", "inoperant", "non remont", "hors d'usage", "injoignable"),
    "absence": ("absence", "absent", "ni presente", "ni present", "non represente", "pas represente",
                "n'etait pas present", "sans excuse", "aucun representant", "personne de l'entreprise",
                "personne du titulaire", "ne s'est pas presente", "aucun motif", "non excuse"),
    "document": ("rapport", "bilan", "doe", "dossier des ouvrages", "compte rendu", "compte-rendu",
                 "attestation", "planning", "releve", "justificatif", "document", "fiche de donnees",
                 "sans fiche", "sans la fiche", "sans sa fiche"),
    "non_conformite": ("non conforme", "non-conforme", "malfacon", "mauvaise execution", "mal execute",
                       "prestation non realisee", "defaut de nettoyage", "defaut de qualite", "reserves non levees", "rejet", "rejete", "montage non realise",
                       "sans montage", "defectueu", "casse", "endommag", "erreur de livraison",
                       "au lieu de la", "non-conformite", "non conformite", "livree au lieu",
                       "aucun montage", "non monte", "pas monte"),
    "retard": ("retard", "non livre", "aucune livraison", "rien n'est livre", "rien n'a ete livre", "livraison complete", "pas livre", "non intervenue", "echeance", "date limite",
               "non acheve", "achevement", "toujours en place", "au lieu du", "correctif",
               "tardi", "hors delai", "depasse", "attendu", "non remis", "non transmis", "non recu",
               "n'est arrive", "arrivee qu'", "arrive qu'", "en retard", "delai d'intervention", "non evacue",
               "non enleve", "malgre la demande", "malgre la mise en demeure", "non acheve", "pas acheve", "pas termine", "non termine"),
}
_FAILING_ORDER = ("securite", "social", "indisponibilite", "absence", "non_conformite", "document", "retard")

_DOCUMENT_MISSING = re.compile(
    r"\b(rapport|bilan|doe|dossier|compte[- ]rendu|attestation|planning|releve|justificatif|document|"
    r"memoire technique|plan)s?\b[^.;]{0,60}?\b(non|pas|jamais)\s+(remis|transmis|recu|fourni|produit|"
    r"communique|envoye|depose)")

_NEVER_DONE = re.compile(
    r"\b(non|pas|jamais|toujours pas|aucune?|rien n'a|rien n'est|rien n'a ete)\s+(?:encore\s+|ete\s+)?(livre|livree|livres|livrees|livraison|"
    r"remis|remise|transmis|transmise|recu|recue|realise|realisee|acheve|achevee?s?|fourni|fournie?s?|"
    r"effectue|effectuee?s?|installe|installee?s?|retabli)", re.IGNORECASE)

# A service that goes with the delivery (assembly, installation, connection, commissioning) said
# not done while the goods themselves were delivered: the delivery does not conform to the
# contract (« livré mais non installé »), it is not late. A delivery never made stays a delay.
_ACCESSORY = r"(?:montage|assemblage|installation|mise en place|pose|raccordement|mise en service)"
_ACCESSORY_STEMS = ("mont", "assembl", "install", "mise en", "mis en", "pose", "raccord")  # cheap gate
_ACCESSORY_NOT_DONE = re.compile(
    r"\b(?:aucune?|sans|pas de|ni)\s+(?:(?:le|la|l')\s*)?" + _ACCESSORY + r"\b|"
    r"\b" + _ACCESSORY + r"s?\b[^.;,]{0,25}?\b(?:non|pas|jamais)\s+(?:ete\s+|encore\s+)?"
    r"(?:realisee?s?|effectuee?s?|faite?s?|assuree?s?|fait)\b|"
    r"\b(?:non|pas|jamais|ni)\s+(?:ete\s+|encore\s+)?(?:montee?s?|assemblee?s?|installee?s?|posee?s?|"
    r"raccordee?s?|mise?s? en service)\b")
# the goods were delivered (« livrés le 09/10 »), not « non livrés » / « pas été livrés »
_DELIVERED = re.compile(r"(?<!non )(?<!pas )(?<!jamais )(?<!ete )(?<!rien n'est )\blivree?s?\b|"
                        r"\blivraison (?:effectuee|realisee|faite|recue|intervenue)\b|\bont ete livree?s\b|"
                        r"\ba ete livree?\b")

_BUYER_REQUEST = re.compile(r"a la demande (?:de la |de l'|du |des |de )\s*([a-z-]+)")
_CHANGE = re.compile(r"report|decal|repouss|differ|modifi|annul|suspen|ajourn|arret|interromp|fermetur|ferme\b|"
                     r"retardee?s?\b|deplacee?s?\b|avancee?s?\b")
# who asked: these mean the titulaire's side, so the request is no excuse
_SUPPLIER_SIDE = ("titulaire", "entreprise", "fournisseur", "prestataire", "societe", "entrepreneur",
                  "bureau", "editeur", "hebergeur", "cabinet", "groupement", "mandataire", "sous-traitant")
_BUYER_ENTITY = (r"(?:syndicat|collectivite|ville|commune|mairie|communaute|departement|region|acheteur|"
                 r"pouvoir adjudicateur|maitre d'ouvrage|etablissement|direction|service)")
# the public body itself (not « service » or « direction », which a contractor has too)
_BUYER_OWNER = (r"(?:syndicat|collectivite|ville|commune|mairie|communaute|departement|region|acheteur|"
                r"pouvoir adjudicateur|maitre d'ouvrage)\b")
_BUYER_SIDE = (
    r"reseau interne", r"pare-feu (?:du|de la|de l')[^.;]{0,40}(?:communaute|collectivite|ville|commune|interne)",
    r"operationnel cote (?:hebergeur|titulaire|prestataire|editeur)",
    r"imputable a (?:l'acheteur|la collectivite|la communaute|nos services|la ville|la commune)",
    r"du fait de (?:l'acheteur|la collectivite|la communaute|nos services|la ville|la commune)",
    r"absence de l'instructeur", r"(?:validation|decision|reponse|paiement|admission|visa)[^.;]{0,80}"
    r"notifiee? au (?:titulaire|bureau d'etudes|prestataire|fournisseur|cabinet|groupement|maitre d'oeuvre)"
    r"[^.;]{0,60}(?:seulement|au-dela|tardivement|hors delai)",
    r"retard (?:de|du|des) (?:nos services|l'acheteur|la collectivite|la communaute)",
    r"defaillance (?:de|du|des) (?:nos services|l'acheteur|la collectivite|la communaute)",
    r"(?:report|decalage|modification|changement)\w* (?:demande|sollicite)e?s? par (?:le|la|l'|les) ?"
    r"(?:service|direction|mairie|commune|collectivite|ville|acheteur|maitre d'ouvrage|ecole|etablissement|"
    r"utilisateur|college|lycee|directeur|directrice|elus?)",
    r"du fait (?:de la|du|des|de l') ?(?:collectivite|ville|commune|mairie|communaute|departement|region|"
    r"acheteur|maitre d'ouvrage|services? (?:municipaux|communautaires|techniques)|dsi)",
    r"imputable (?:a|aux) (?:la |l'|nos |des )?(?:collectivite|ville|commune|mairie|communaute|acheteur|"
    r"services)",
    r"acces (?:au site )?(?:refuse|impossible) (?:par|du fait de) (?:le|la|l') ?(?:gardien|service|mairie|ville)",
    r"(?:par|sur) (?:decision|ordre|instruction) (?:du|de la|de l') ?" + _BUYER_ENTITY,
    r"(?:ferme|fermee|inaccessible|indisponible) (?:par|a la demande) (?:du|de la|de l'|le |la |l') ?" + _BUYER_ENTITY,
    # the buyer's in-house operator did it (« réparation d'une fuite par la régie du Syndicat »):
    # a régie is the public body's own service, never a contractor
    r"\b(?:par|de) (?:la |sa |notre )regie\b",
    r"\bsans (?:aucun )?lien avec (?:le |la |les |l')?(?:chantier|marche|prestations?|travaux|titulaire|contrat)\b",
    # a failure of the buyer's own equipment (« panne de la pompe … (matériel du Syndicat) »,
    # « coupure électrique de la salle serveurs du Syndicat »)
    r"(?:panne|coupure|defaillance|arret|incident)[^.;]{0,80}?(?:materiel|equipements?|installations?|"
    r"salle (?:des )?serveurs?|serveurs?|reseau (?:interne|electrique|informatique)|alimentation electrique)"
    r" (?:propres? )?(?:du|de la|de l') ?" + _BUYER_OWNER,
    # the buyer's own decision or data came late (« la décision … n'a été notifiée … que le 30/06 »,
    # « les données à fournir par la commune n'ont été transmises que le 26/05 »)
    r"(?:decision|validation|reponse|admission|visa|approbation|accord)(?! de (?:rejet|refus|resiliation|penalit))"
    r"[^.;]{0,80}n'(?:a|ont) ete "
    r"(?:notifiee?s?|transmise?s?|communiquee?s?|rendue?s?|prise?s?)[^.;]{0,80}\bque (?:le|l'|au)",
    r"a (?:fournir|transmettre|remettre|communiquer) par (?:la |le |l'|les |nos )?" + _BUYER_ENTITY +
    r"[^.;]{0,80}n'(?:a|ont) ete [a-z]+[^.;]{0,60}\bque (?:le|l'|au)",
)
# work stopped by an order of the buyer (« travaux suspendus … désamiantage commandé par le CHI »):
# the suspension and whoever ordered it, in the same sentence
_SUSPENDED = re.compile(r"\b(?:suspendu|interrompu|arrete|stoppe)e?s?\b")
# (« commandé par » only for works or measures: « les repas commandés par l'école » is an order)
_ORDERED_BY = re.compile(r"(?:\b(?:travaux|desamiantage|operations?|fouilles|diagnostics?|expertises?|mesures?)"
                         r"[^.;,]{0,20} commandee?s?|\b(?:decidee?s?|ordonnee?s?|imposee?s?|prescrite?s?)) "
                         r"par (?:le |la |l'|les )?([a-z][a-z-]*)")
_BUYER_SIDE_RE = re.compile("|".join(_BUYER_SIDE))
_WEATHER = re.compile(r"intemperie|orage|neige|gel\b|canicule|vent violent|rafales|pluies? (?:superieure|abondant)")

_CLOCK = re.compile(r"(?<![\d(,.])(\d{1,2})\s?[hH:]\s?(\d{2})?(?!\d)")
_DURATION_BEFORE = re.compile(
    r"(delai|pendant|soit|duree|plus de|moins de|au-dela de|superieure? a|inferieure? a|depassement de)"
    r"(?:\s+[a-z'-]+){0,2}?\s*(?:de\s*|d'environ\s*|environ\s*)?\(?$")
_STATED_HOURS = re.compile(
    r"(?:\(|pendant\s+|duree\s+(?:totale\s+)?(?:de\s+)?|soit\s+)(\d{1,3})\s*(?:h|heures?)\s*(?:et\s*)?(\d{2})?")
_COUNT = re.compile(
    r"\b(\d+|deux|trois|quatre|cinq|six|sept|huit|neuf|dix)\s+(absences|reunions|rapports|livraisons|"
    r"manquements|constats|occurrences|fois|comites|documents|bilans)\b")


@dataclass(frozen=True)
class DatedFact:
    role: DateRole
    day: dt.date
    start: int
    end: int


@dataclass(frozen=True)
class NotBreachHint:
    code: str  # demande_acheteur, intemperies, defaillance_acheteur, dans_delai
    reason: str  # French, shown to the user


@dataclass(frozen=True)
class IncidentFacts:
    incident_id: str
    failing_type: PenaltyTrigger
    failing_confidence: float
    dates: tuple[DatedFact, ...] = ()
    due_on: dt.date | None = None
    performed_on: dt.date | None = None
    order_on: dt.date | None = None
    rejected_on: dt.date | None = None
    reported_on: dt.date | None = None  # signalement (ticket), not the log's reported_on
    notified_on: dt.date | None = None  # when the titulaire told the buyer
    reception_on: dt.date | None = None
    postponed_to: dt.date | None = None  # new date of a postponed delivery / service
    requested_on: dt.date | None = None  # the buyer's request the time limit runs from
    stated_delay_days: int | None = None  # « retard de 12 jours » written in the log
    never_performed: bool = False
    order_refs: tuple[str, ...] = ()
    order_value_eur: float | None = None
    contract_refs: tuple[str, ...] = ()
    articles_cited: tuple[str, ...] = ()
    outage_start: dt.datetime | None = None
    outage_end: dt.datetime | None = None
    outage_hours: float | None = None
    # a time-of-day limit written in the log (« heure limite 7h00 », « au lieu de 10h30 ») and
    # the clock time the service was actually delivered or restored
    limit_at: dt.datetime | None = None
    performed_at: dt.datetime | None = None
    occurrences: int = 1
    # the count was not written but read from the places the line lists (« rue A et impasse B non
    # collectées » → 2): right for a clause priced per street, not for one priced per round
    occurrences_from_places: bool = False
    # « échéance au 11/09 après prolongation », « prolongation de l'OS n° 5 incluse »: the
    # logged due date is the extended one, the prolongation must not be added again
    due_includes_extension: bool = False
    supplier_mentions: tuple[str, ...] = ()
    not_breach_hints: tuple[NotBreachHint, ...] = ()
    # last day of the period a periodic deliverable covers (« relevé du 3e trimestre 2025 » →
    # 30/09/2025, « rapport de septembre 2025 » → 30/09/2025): what « dans les 15 jours suivant
    # la fin de chaque trimestre » counts from
    period_end: dt.date | None = None


def _role_of(folded: str, start: int, floor: int) -> DateRole:
    context = folded[max(floor, start - 70): start]
    best: tuple[int, DateRole] | None = None
    for role, pattern in _ROLE_RES:
        for m in pattern.finditer(context):
            if role == "performed" and _NEGATED.search(context[max(0, m.start() - 20): m.start()]):
                continue  # « non livré au 02/10 »: the day it was seen missing, not performed
            if best is None or m.end() > best[0] or (m.end() == best[0] and role in ("notified", "rejection")):
                best = (m.end(), role)
    if best and best[1] == "reported" and _PERFORMANCE_NOUN.search(context[: best[0]]):
        return "performed"  # « achèvement des travaux constaté le », « mise en conformité constatée le »
    return best[1] if best else "other"


# what was established as done when a date is « constaté » right after it
_PERFORMANCE_NOUN = re.compile(
    r"\b(?:achevement|fin des travaux|fin de chantier|mise en conformite|remise en (?:etat|conformite|service)|"
    r"retablissement|correction|"
    r"reprise|levee des reserves)\b[^;,(]{0,70}\bconstatee?s?(?: le)?\s*$")
# an order « reçu(e) par le fournisseur le 02/09 » / « reçu le 06/10 par Hydrochimie »: the day the
# titulaire received the order (its time runs from it), not a delivery the buyer received
_ORDER_RECEIVED_BEFORE = re.compile(r"\brecue?s? par (?!nos |le service|la direction|l'usine|le magasin)"
                                    r"[^;,.]{1,40}? le(?: (?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche))?\s*$")
_ORDER_RECEIVED_AFTER = re.compile(r"^\s*par (?!nos |le service|la direction|l'usine|le magasin|la regie)[a-z]")
_ORDER_NOUN = re.compile(r"\b(?:bon de commande|commande|bc)\b")
_DELIVERY_WORD = re.compile(r"\blivr|\blivraison")


def _order_received(folded: str, start: int, end: int, floor: int) -> bool:
    clause_start = max(floor, folded.rfind(";", 0, start) + 1, folded.rfind(". ", 0, start) + 1)
    before = folded[clause_start:start]
    if not _ORDER_NOUN.search(before) or _DELIVERY_WORD.search(before):
        return False
    if _ORDER_RECEIVED_BEFORE.search(before):
        return True
    return bool(re.search(r"\brecue?s? le\s*$", before) and _ORDER_RECEIVED_AFTER.match(folded[end:end + 40]))


_NEGATED = re.compile(r"(?:\bnon|\bpas|\bjamais|n'est|n'a|n'ont|n'etait|\brien|\baucune?)\s+(?:ete\s+|encore\s+)?$")


_POSTPONED_PAIR = re.compile(r"(?:report|decal|repouss|differ|deplac)\w*\s+(?:du|de)\s*$")


def _dated_facts(text: str, folded: str, written: dt.date | None = None) -> list[DatedFact]:
    facts: list[DatedFact] = []
    previous_end = 0
    previous_start = 0
    for day, start, end in find_dates(text, default_year=written):
        between = folded[previous_end:start] if previous_end < start else ""
        if facts and re.fullmatch(r"\s*(?:au|a)\s+", between) and _POSTPONED_PAIR.search(
                folded[max(0, previous_start - 40): previous_start]):
            # « reportée du 12/06 au 26/06 »: the second date is the new one
            role = "postponed"
        else:
            floor = previous_end if previous_end < start else 0
            role = _role_of(folded, start, floor)
            if role == "performed" and _order_received(folded, start, end, floor):
                role = "order"
        facts.append(DatedFact(role, day, start, end))
        previous_end, previous_start = end, start
    return facts


# « HS » (hors service) and a bare « rétabli(e) »: whole words only, so « rétablissement » (already
# a cue) is not counted twice and no word merely containing « hs » counts
_OUT_OF_SERVICE = re.compile(r"\b(?:hs|retablie?s?)\b")


def _failing_type(folded: str) -> tuple[PenaltyTrigger, float]:
    scores = {kind: sum(map(folded.count, words)) for kind, words in _FAILING_WORDS.items()}
    if "hs" in folded or "retabli" in folded:  # cheap gate: most lines have neither
        scores["indisponibilite"] += len(_OUT_OF_SERVICE.findall(folded))
    if _DOCUMENT_MISSING.search(folded):
        scores["document"] += 2  # « rapport mensuel non transmis »: the failing is the document itself
    if "livr" in folded and any(w in folded for w in _ACCESSORY_STEMS) and _ACCESSORY_NOT_DONE.search(folded) \
            and _DELIVERED.search(folded):
        scores["non_conformite"] += 2  # delivered, but the assembly / installation owed with it not done
    best = max(_FAILING_ORDER, key=lambda k: (scores[k], -_FAILING_ORDER.index(k)))
    total = sum(scores.values())
    if scores[best] == 0:
        return "autre", 0.3
    return best, round(min(1.0, 0.5 + 0.5 * scores[best] / total), 2)  # type: ignore[return-value]


# Words just before a clock time that make it the contractual limit, not an event:
# « heure limite 7h00 », « au lieu de 7h00 », « fin de livraison contractuelle 10h30 ».
_LIMIT_BEFORE = re.compile(
    r"(?:limite|au lieu de|au plus tard|contractuel(?:le)?|attendue?s? (?:a|avant|pour)|prevue?s? (?:a|pour)|"
    r"fin de (?:livraison|creneau|plage))\s*(?:de [a-z' -]{3,30})?\s*:?\s*(?:a|fixee? a)?\s*$")
# (a bare « avant 14h00 » is not a limit: « aucune réponse avant 14h00 » reports a wait)


def _clock_times(text: str, facts: list[DatedFact], default_day: dt.date | None) -> list[tuple[dt.datetime, bool]]:
    """Clock times of the text, each on the latest date written before it, and whether the
    words before it make it a limit rather than an event."""
    folded = fold(text)
    clocks: list[tuple[dt.datetime, bool]] = []
    previous_end = 0
    for m in _CLOCK.finditer(text):
        hours, minutes = int(m.group(1)), int(m.group(2) or 0)
        if hours > 23 or minutes > 59:
            continue
        if re.match(r"\s?\)", text[m.end(): m.end() + 2]) and re.search(r"\(\s*$", text[max(0, m.start() - 2): m.start()]):
            continue  # « (3 h 30) » alone in brackets is a duration
        before = folded[max(previous_end, m.start() - 45): m.start()]
        if _DURATION_BEFORE.search(folded[max(0, m.start() - 40): m.start()]):
            continue  # « délai de 4 h », « pendant 3 h » are durations, not clock times
        day = default_day
        for fact in facts:
            if fact.end <= m.start():
                day = fact.day
        previous_end = m.end()
        if day is None:
            continue
        clocks.append((dt.datetime.combine(day, dt.time(hours, minutes)), bool(_LIMIT_BEFORE.search(before))))
    return clocks


def _outage(text: str, facts: list[DatedFact], default_day: dt.date | None) -> tuple[
        dt.datetime | None, dt.datetime | None, float | None]:
    """First and last event clock times (limits left out), and the hours between them."""
    folded = fold(text)
    clocks = [c for c, is_limit in _clock_times(text, facts, default_day) if not is_limit]
    if len(clocks) < 2:
        return None, None, _stated_hours(folded)
    start, end = clocks[0], clocks[-1]
    if end <= start and end.date() == start.date():
        end += dt.timedelta(days=1)  # « de 22h15 à 06h45 » runs past midnight
    if end <= start:
        return start, None, _stated_hours(folded)
    return start, end, round((end - start).total_seconds() / 3600, 4)


def _limit_and_performed(text: str, facts: list[DatedFact], default_day: dt.date | None) -> tuple[
        dt.datetime | None, dt.datetime | None]:
    """A written time-of-day limit and the one event time it is compared with (« livré à
    9h40 au lieu de 7h00 »); (None, None) unless both are there, once each."""
    clocks = _clock_times(text, facts, default_day)
    limits = [c for c, is_limit in clocks if is_limit]
    events = [c for c, is_limit in clocks if not is_limit]
    if len(limits) != 1 or len(events) != 1:
        return None, None
    return limits[0], events[0]


_EXTENSION_INCLUDED = re.compile(
    r"apres (?:la |sa |le )?(?:prolongation|report|prorogation)|"
    r"(?:prolongation|report|prorogation)[^.;]{0,60}\b(?:inclus|incluse|compris|comprise|integree?|deduite?)\b|"
    r"(?:incluant|y compris|compte tenu de|tenant compte de) (?:la |sa )?prolongation|"
    r"(?:date|echeance|delai) (?:contractuelle? )?(?:prolongee?|reportee?) (?:au|jusqu'au)")


_STATED_DELAY = re.compile(
    r"retard (?:de|d'environ) (\d{1,3}|[a-z-]+(?: \(\d+\))?) jours?|(\d{1,3})\)? jours? (?:calendaires )?de retard")


def _stated_delay(folded: str) -> int | None:
    m = _STATED_DELAY.search(folded)
    if not m:
        return None
    return words_to_int(m.group(1) or m.group(2))


def _stated_hours(folded: str) -> float | None:
    """« (3 h 30) », « pendant 5 heures », « durée de 2 h 15 »: a duration written as such."""
    m = _STATED_HOURS.search(folded)
    if not m:
        return None
    return int(m.group(1)) + int(m.group(2) or 0) / 60


_MONTHS = ("janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout", "septembre", "octobre",
           "novembre", "decembre")
_ORDINALS = {"1er": 1, "1re": 1, "premier": 1, "premiere": 1, "1e": 1, "2e": 2, "2eme": 2, "deuxieme": 2,
             "second": 2, "seconde": 2, "3e": 3, "3eme": 3, "troisieme": 3, "4e": 4, "4eme": 4, "quatrieme": 4}
_QUARTER = re.compile(r"\b(" + "|".join(_ORDINALS) + r")\s+trimestre(?:\s+(?:de\s+|de l'annee\s+)?(\d{4}))?"
                      r"|\bt([1-4])[\s/-]+(\d{4})\b")
_HALF = re.compile(r"\b(" + "|".join(_ORDINALS) + r")\s+semestre(?:\s+(?:de\s+)?(\d{4}))?|\bs([12])[\s/-]+(\d{4})\b")
# a monthly deliverable named by its month (not a date: « le 10 septembre » is a day)
_MONTH_OF = re.compile(r"\b(?:rapport|releve|bilan|compte[- ]rendu|etat|tableau de bord|reporting|facture|"
                       r"situation)s?\b[^.;]{0,30}?\b(?:du mois de|de|d'|du)\s*(" + "|".join(_MONTHS) +
                       r")(?:\s+(\d{4}))?\b")


def _month_end(year: int, month: int) -> dt.date:
    return (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1))


def _period_end(folded: str, written: dt.date | None) -> dt.date | None:
    """End of the quarter, half-year or month a periodic deliverable of the line covers; a
    missing year is the latest one that puts the period before the line was written."""
    def year_of(raw: str | None, last_month: int) -> int | None:
        if raw:
            return int(raw)
        if written is None:
            return None
        return written.year if last_month <= written.month else written.year - 1

    if m := _QUARTER.search(folded):
        quarter = _ORDINALS.get(m.group(1) or "", 0) or int(m.group(3) or 0)
        year = year_of(m.group(2) or m.group(4), 3 * quarter)
        return _month_end(year, 3 * quarter) if year and 1 <= quarter <= 4 else None
    if m := _HALF.search(folded):
        half = _ORDINALS.get(m.group(1) or "", 0) or int(m.group(3) or 0)
        year = year_of(m.group(2) or m.group(4), 6 * half)
        return _month_end(year, 6 * half) if year and half in (1, 2) else None
    if m := _MONTH_OF.search(folded):
        month = _MONTHS.index(m.group(1)) + 1
        year = year_of(m.group(2), month)
        return _month_end(year, month) if year else None
    return None


# Named public places (« rue des Lilas », « impasse du Moulin », « allée B »): collection,
# cleaning and road contracts price a failing per street or place missed. A capital or a
# number must follow, so « remis en place » or « sur place » are no place.
_PLACE_NAMED = re.compile(
    # the lookahead on first letters lets the scan skip most positions (case-blind alternations are slow)
    r"\b(?=[rRiIaAbBcCpPqQsSlLhHeE])(?i:rue|ruelle|impasse|avenue|all[ée]e|boulevard|chemin|place|placette|"
    r"route|quai|square|cours|sentier|passage|lotissement|r[ée]sidence|hameau|lieu-dit|parvis|esplanade|"
    r"promenade)\s+(?:(?i:de\s+la|de\s+l['’]|du|des|de|d['’])\s*)?[A-ZÀ-Ý0-9]")
# the failing said of them all at once: a negated participle in the plural (« non collectées »)
_MISSED_PLURAL = re.compile(r"\b(?:non|pas|jamais)\s+(?:(?:ete|encore)\s+)?[a-z]+es\b")  # on folded text
_SENTENCE_END = re.compile(r"[.;]\s|\n")


def _places_missed(text: str, folded: str) -> int:
    """How many named places one sentence says were all missed (« Rue des Lilas et impasse du
    Moulin non collectées » → 2); 0 unless two or more."""
    if not ("non " in folded or "pas " in folded or "jamais " in folded) or not _MISSED_PLURAL.search(folded):
        return 0  # most lines have no plural negated participle: two cheap checks and out
    counts = [len(_PLACE_NAMED.findall(sentence)) for sentence in _SENTENCE_END.split(text)
              if _MISSED_PLURAL.search(fold(sentence))]
    return max(counts, default=0) if max(counts, default=0) >= 2 else 0


def _occurrences(folded: str, text: str = "") -> tuple[int, bool]:
    """How many times the failing happened, and whether the count is the places the line lists
    (not a number it writes)."""
    m = _COUNT.search(folded)
    if not m:
        places = _places_missed(text, folded)
        return (places, True) if places else (1, False)
    value = words_to_int(m.group(1))
    return (value if value and value < 50 else 1), False


# words an acronym leaves out (« Syndicat mixte des mobilités de l'agglomération … »)
_NAME_STOPWORDS = frozenset(("de", "des", "du", "d", "la", "le", "les", "l", "et", "en", "pour", "sur", "a", "au", "aux"))
# ordinary words, a supplier's after-sales service and the abbreviations of contract documents and
# site roles a log uses (« retard du CRA » is a late activity report), never the buyer
_NOT_ACRONYMS = frozenset(("les", "des", "par", "sur", "pas", "non", "mes", "ses", "son", "sav", "une", "vie",
                           "mai", "est", "ete", "tous", "sans", "avec", "dans", "pour", "mais", "donc", "bien",
                           "cra", "doe", "dce", "bpu", "dqe", "dgd", "med", "ccap", "cctp", "ccag", "sps", "opc",
                           "moe", "moa", "amo", "sla", "gtr", "gti", "pic", "dict", "ppsps", "daact", "dpgf"))


def _buyer_acronyms(name: str) -> tuple[str, ...]:
    """Acronyms a buyer may be called by in a log, folded: the initials of its capitalised words
    (« Syndicat Mixte des mobilités de l'Agglomération Valcourtoise » → smav), of all its
    significant words (→ smmav), and, for a name of five or more significant words, those initials
    with one inner word left out (→ smav, smmv): buyers often drop a word of their name.
    Only acronyms of three letters or more are kept; they are matched as whole words."""
    words = [w for w in re.split(r"[^\w]+", name) if w and fold(w) not in _NAME_STOPWORDS and not w.isdigit()]
    if len(words) < 3:
        return ()
    initials = "".join(fold(w[0]) for w in words)
    found = ["".join(fold(w[0]) for w in words if w[0].isupper()), initials]
    if len(words) >= 5:
        found += [initials[:i] + initials[i + 1:] for i in range(1, len(initials) - 1)]
    return tuple(a for a in dict.fromkeys(found) if len(a) >= 3 and a.isalpha() and a not in _NOT_ACRONYMS)


@dataclass(frozen=True)
class _BuyerCues:
    blamed: re.Pattern[str] | None  # a failing of the buyer's own services, named in full
    acronyms: tuple[str, ...]  # substrings that gate the acronym patterns below
    caused: re.Pattern[str] | None  # « travaux smav », « décision smav », « du fait du smav »
    changed_by: re.Pattern[str] | None  # « annulé par le smav », « reporté par le syndicat »


# the buyer cancelled, postponed or stopped the thing itself (not « demandée par », which starts a clock)
_CHANGED = r"(?:annulee?s?|reportee?s?|suspendue?s?|ajournee?s?|decalee?s?|repoussee?s?|differee?s?)"
_CHANGED_BY_OWNER = re.compile(r"\b" + _CHANGED + r" par (?:le |la |l'|les |nos )?" + _BUYER_OWNER)


# what a buyer's « décision » must have changed for it to excuse the titulaire (« fermé(e) pour inventaire »)
_DECIDED_CHANGE = re.compile(_CHANGE.pattern + r"|\bfermee?s?\b")


@functools.lru_cache(maxsize=64)  # one set of patterns per portfolio's buyers, not one search per buyer and line
def _buyer_cues(buyer_names: tuple[str, ...]) -> _BuyerCues:
    """A failing of one of the buyer's own services or systems (« panne du réseau de la Ville »),
    and the buyer named by its acronym as the cause (« annulé par le smav », « travaux smav »)."""
    keys = [re.escape(k) for k in dict.fromkeys(fold(name) for name in buyer_names) if k]
    blamed = (re.compile(r"(panne|defaillance|erreur|retard|absence)[^.;]{0,60}(?:" + "|".join(keys) + ")")
              if keys else None)
    acronyms = tuple(dict.fromkeys(a for name in buyer_names for a in _buyer_acronyms(name)))
    if not acronyms:
        return _BuyerCues(blamed, (), None, None)
    who = r"(?:" + "|".join(map(re.escape, acronyms)) + r")\b"
    # the buyer's own works or its fault; a « décision » only with a change in the same sentence
    # (checked by the caller), since « décision smav : livraison refusée » is the buyer judging
    caused = re.compile(r"\b(?:(?:travaux|chantier)s? (?:du |de la |de l'|des )?|"
                        r"(?:du fait|faute|defaillance) (?:du |de la |de l'|des )|"
                        r"(?:fermee?s?|interrompue?s?|coupee?s?) par (?:le |la |l'|les )?|"
                        r"(?P<decision>(?:decision|instruction|ordre) (?:du |de la |de l'|des )?))" + who)
    changed_by = re.compile(r"\b" + _CHANGED + r" par (?:le |la |l'|les )?" + who)
    return _BuyerCues(blamed, acronyms, caused, changed_by)


def _buyer_blamed(buyer_names: tuple[str, ...]) -> re.Pattern[str] | None:
    """A failing of one of the buyer's own services or systems, named in full (kept for callers)."""
    return _buyer_cues(buyer_names).blamed


# « (prolongation accordée par OS n° 4) »: the delay is the one an extension covers
_EXTENSION_GRANTED = re.compile(
    r"\b(?:prolongation|prorogation|report)s? (?:de (?:delai|\d+ jours) )?(?:accordee?|octroyee?|consentie?|notifiee?)s?\b|"
    r"\bcouverte?s? par (?:la |une |l')?(?:prolongation|prorogation|os\b|ordre de service|avenant)")
# « absence annoncée par courrier du 29/09 », « absence excusée »: written notice before the meeting
_ABSENCE_EXCUSED = re.compile(
    r"\babsen\w* (?:annoncee?|excusee?|justifiee?|signalee?|prevenue?)s? (?:par (?:courrier|courriel|ecrit|mail|lettre)"
    r"|au prealable|a l'avance|la veille|des le)|\babsence excusee\b")


def _sentence_around(folded: str, at: int) -> str:
    start = max(folded.rfind(". ", 0, at), folded.rfind(";", 0, at)) + 1
    ends = [i for i in (folded.find(". ", at), folded.find(";", at)) if i >= 0]
    return folded[start: min(ends) if ends else len(folded)]


def _hints(folded: str, failing: str, buyer_names: Sequence[str]) -> list[NotBreachHint]:
    hints: list[NotBreachHint] = []
    # a request only excuses when it changed the plan (« reportée … à la demande de la directrice »);
    # « intervention à la demande du service » is what started the clock
    if any(m.group(1) not in _SUPPLIER_SIDE and _CHANGE.search(folded[max(0, m.start() - 80): m.end() + 80])
           for m in _BUYER_REQUEST.finditer(folded)):
        hints.append(NotBreachHint("demande_acheteur", "Report ou modification demandé par l'acheteur ou ses services."))
    if _WEATHER.search(folded):
        hints.append(NotBreachHint("intemperies", "Arrêt pour intempéries : à couvrir par une prolongation de délai."))
    buyer_side = bool(_BUYER_SIDE_RE.search(folded))
    cues = _buyer_cues(tuple(buyer_names))
    if cues.blamed is not None and cues.blamed.search(folded):
        buyer_side = True
    changed_by = " par " in folded and bool(_CHANGED_BY_OWNER.search(folded))
    if cues.acronyms and any(a in folded for a in cues.acronyms):  # cheap gate: the acronym is written
        changed_by = changed_by or bool(cues.changed_by and cues.changed_by.search(folded))
        for m in cues.caused.finditer(folded) if cues.caused else ():
            if m.group("decision") is None or _DECIDED_CHANGE.search(_sentence_around(folded, m.start())):
                buyer_side = True
    if changed_by and not any(h.code == "demande_acheteur" for h in hints):
        hints.append(NotBreachHint("demande_acheteur", "Annulation ou report décidé par l'acheteur lui-même."))
    for sentence in re.split(r"[.;]\s", folded):
        if _SUSPENDED.search(sentence) and any(m.group(1) not in _SUPPLIER_SIDE and not m.group(1).startswith("sous")
                                               for m in _ORDERED_BY.finditer(sentence)):
            buyer_side = True
    if buyer_side:
        hints.append(NotBreachHint("defaillance_acheteur", "Défaillance imputable à l'acheteur, non au titulaire."))
    if _EXTENSION_GRANTED.search(folded):
        hints.append(NotBreachHint("prolongation", "Retard couvert par une prolongation de délai accordée."))
    if failing == "absence" and _ABSENCE_EXCUSED.search(folded):
        hints.append(NotBreachHint("absence_justifiee", "Absence annoncée ou justifiée par écrit à l'avance."))
    if re.search(r"dans le delai (?:de retablissement|contractuel|imparti)|sans depassement", folded):
        hints.append(NotBreachHint("dans_delai", "Rétablissement ou exécution dans le délai contractuel."))
    return hints


class KnownNames:
    """The titulaires' names and aliases to look for in log lines, indexed once: a scan reads
    every line of the log against every name of the portfolio."""

    def __init__(self, names: Sequence[str]) -> None:
        self.names = list(names)
        keys = [fold(name).strip() for name in self.names]
        self._finder = NameFinder([key if len(key) >= 3 else "" for key in keys])  # « SA » alone is no name

    def named_in(self, text: str) -> tuple[str, ...]:
        """The names `text` mentions as whole words, in list order."""
        return tuple(self.names[i] for i in self._finder.mentioned(text))


def _order_value(text: str, order_refs: list[str]) -> float | None:
    """« BC … (tables, 12 400,00 € HT) »: the HT amount written near the order."""
    amounts = find_amounts(text)
    if not amounts:
        return None
    if order_refs:
        first_order = fold(text).find(fold(order_refs[0].split(" ", 1)[1]))
        near = [a for a in amounts if first_order >= 0 and 0 <= a[1] - first_order <= 250]
        if near:
            return near[0][0]
    return amounts[0][0] if len(amounts) == 1 else None


def read_incident(
    incident: Incident,
    *,
    supplier_names: Sequence[str] | KnownNames = (),
    buyer_names: Sequence[str] = (),
) -> IncidentFacts:
    """Structured facts of one incident of the log (description and the log's own dates).

    A scan reading many lines passes its `KnownNames` once built rather than the names."""
    text = incident.description or ""
    folded = fold(text)
    facts = _dated_facts(text, folded, incident.occurred_on or incident.reported_on)
    failing, confidence = _failing_type(folded)

    def first(role: DateRole) -> dt.date | None:
        days = [f.day for f in facts if f.role == role]
        return days[0] if days else None

    def last(role: DateRole) -> dt.date | None:
        days = [f.day for f in facts if f.role == role]
        return days[-1] if days else None

    performed = last("performed")
    never = performed is None and bool(_NEVER_DONE.search(folded)) and incident.resolved_on is None
    if performed is None and incident.resolved_on and failing != "indisponibilite":
        performed = incident.resolved_on
    orders = find_order_refs(text)
    occurrences, from_places = _occurrences(folded, text)
    start, end, hours = _outage(text, facts, incident.occurred_on)
    limit_at, performed_at = _limit_and_performed(text, facts, incident.occurred_on)
    due = first("due")
    order_on = first("order")
    if failing == "autre" and ((due and performed and performed > due)
                               or (orders and order_on and performed and performed > order_on)
                               or (limit_at and performed_at and performed_at > limit_at)):
        failing, confidence = "retard", 0.5  # the line itself shows performance after the limit
    return IncidentFacts(
        incident_id=incident.id,
        failing_type=failing,
        failing_confidence=confidence,
        dates=tuple(facts),
        due_on=first("due"),
        performed_on=performed,
        order_on=first("order"),
        rejected_on=first("rejection"),
        reported_on=first("reported"),
        notified_on=first("notified"),
        reception_on=first("reception"),
        postponed_to=last("postponed"),
        requested_on=first("requested"),
        stated_delay_days=_stated_delay(folded),
        never_performed=never,
        order_refs=tuple(orders),
        order_value_eur=_order_value(text, orders),
        contract_refs=tuple(find_contract_refs(text)),
        articles_cited=tuple(find_articles(text)),
        outage_start=start,
        outage_end=end,
        outage_hours=hours,
        limit_at=limit_at,
        performed_at=performed_at,
        occurrences=occurrences,
        occurrences_from_places=from_places,
        due_includes_extension=bool(_EXTENSION_INCLUDED.search(folded)) and first("due") is not None,
        supplier_mentions=(supplier_names if isinstance(supplier_names, KnownNames)
                           else KnownNames(supplier_names)).named_in(text),
        not_breach_hints=tuple(_hints(folded, failing, buyer_names)),
        period_end=_period_end(folded, incident.reported_on or incident.occurred_on),
    )
