"""Written acts: reading the correspondence and linking letters to an incident."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections import defaultdict
from collections.abc import Sequence

from api.services.monitoring.clauses import numbered_parts
from api.services.monitoring.directory import ContractDirectory
from api.services.monitoring.records import (
    _ATTACHMENT_OPTIONS,
    ACTING_KINDS,
    ANSWER_KINDS,
    LETTER_LINK_THRESHOLD,
    AnalysedDocument,
    _Contract,
    _Letter,
    _Linked,
)
from ingest.parse import parse_bytes
from models.compliance import (
    normalise_article,
)
from models.domain.types import (
    CONTRACT_KINDS,
    Correspondence,
    ParsedDocument,
)
from nlp.correspondence import read_correspondence
from nlp.linking import (
    find_sirets,
    fold,
)
from nlp.similarity import SimilarityIndex


def _letter_contract(doc: AnalysedDocument, corr: Correspondence, directory: ContractDirectory) -> str | None:
    direct = directory.known_ref(doc.contract_ref)
    if direct:
        return direct
    head = f"{corr.subject or ''}\n{doc.parsed.text[:4000]}"
    refs = directory.refs_in(head)
    if len(refs) == 1:
        return refs[0]
    for ref in corr.contract_refs:
        known = directory.known_ref(ref)
        if known:
            return known
    by_siret = directory.with_sirets(set(corr.sirets) | set(find_sirets(doc.parsed.text)))
    if len(by_siret) == 1:
        return by_siret[0]
    named = directory.named_in(head)
    return named[0] if len(named) == 1 else None

_KIND_WORDS = (
    ("mise_en_demeure", r"mise en demeure|met(?:s)? en demeure"),
    ("decision_resiliation", r"decision de resiliation|resiliation pour faute|est resilie"),
    ("notification_penalites", r"notification (?:de|des) penalites|decompte (?:des penalites|de resiliation)|"
                               r"application de penalites|notifie l'application"),
    ("invitation_observations", r"presenter (?:vos|ses) observations|penalites envisagees"),
    ("pv_constat", r"proces-verbal de constat|pv de constat|constat contradictoire"),
    ("relance", r"\brelance\b"),
)


def _letter_kind(doc: AnalysedDocument, corr: Correspondence) -> str:
    """C's kind; a letter C could not place (« autre ») is read from its subject and title."""
    kind = doc.analysis.kind
    if kind != "autre":
        return kind
    head = fold(f"{corr.subject or ''}\n{doc.parsed.text[:300]}")
    for candidate, pattern in _KIND_WORDS:
        if re.search(pattern, head):
            return candidate
    # the contradictory step before penalties (CCAG 2021 art. 14.1.1 FCS/PI/TIC, 19.2.4 Travaux,
    # FACTS §2.2 [S]) is often written in the body of a plain e-mail: a penalty the buyer intends
    # to apply, and the titulaire invited to send observations
    if corr.direction != "entrant":
        body = fold(doc.parsed.text[:4000])
        if _OBSERVATIONS.search(body) and _INTENDED_PENALTY.search(body):
            return "invitation_observations"
    return kind


_OBSERVATIONS = re.compile(r"(?:presenter|adresser|transmettre|faire part de|formuler|faire valoir) (?:vos|ses|leurs|des) "
                           r"observations")
_INTENDED_PENALTY = re.compile(r"envisage[a-z]* (?:de vous appliquer |d'appliquer |l'application d')?(?:une|la|les|des) "
                               r"penalite|penalites? envisagees?|penalites? (?:que nous|que la [a-z]+) envisage")


def _with_attachments(parsed: ParsedDocument) -> ParsedDocument:
    """An e-mail whose act is in an attached PDF (« veuillez trouver ci-joint la décision »)
    is read together with its attachments: the e-mail is the act's proof of sending."""
    if not parsed.attachments:
        return parsed
    texts = [parsed.text]
    for attachment in parsed.attachments:
        child = parse_bytes(attachment.data, filename=attachment.filename, options=_ATTACHMENT_OPTIONS)
        if child.text:
            texts.append(child.text)
    return dataclasses.replace(parsed, text="\n\n".join(texts))


def _merge_children(documents: Sequence[AnalysedDocument]) -> list[AnalysedDocument]:
    """Attachments stored as their own documents (« mail.eml#decision.pdf ») are read as part
    of the e-mail that carried them: the e-mail's date and path are the act's proof of sending.
    A carried act (a decision) gives its kind to a carrier that is only a cover note."""
    by_path = {d.path: d for d in documents}
    children: dict[str, list[AnalysedDocument]] = defaultdict(list)
    for doc in documents:
        parent = doc.path.split("#", 1)[0]
        if "#" in doc.path and parent in by_path:
            children[parent].append(doc)
    merged = []
    for doc in documents:
        if "#" in doc.path and doc.path.split("#", 1)[0] in by_path:
            continue
        kids = children.get(doc.path, [])
        if kids and not doc.parsed.attachments:
            text = "\n\n".join([doc.parsed.text, *(k.parsed.text for k in kids)])
            analysis = doc.analysis
            acting = [k.analysis.kind for k in kids if k.analysis.kind in ACTING_KINDS]
            if analysis.kind not in ACTING_KINDS and acting:
                analysis = dataclasses.replace(analysis, kind=acting[0], correspondence=None)
            doc = dataclasses.replace(doc, parsed=dataclasses.replace(doc.parsed, text=text),
                                      analysis=dataclasses.replace(analysis, correspondence=None))
        merged.append(doc)
    return merged


def _build_letters(documents: Sequence[AnalysedDocument], directory: ContractDirectory) -> list[_Letter]:
    letters = []
    for doc in _merge_children(documents):
        if doc.analysis.kind in CONTRACT_KINDS or doc.path.startswith("contracts/"):
            continue  # a contract document read as a letter (SPEC layout) is never a written act
        parsed = _with_attachments(doc.parsed)
        corr = doc.analysis.correspondence
        if corr is None or parsed is not doc.parsed:
            corr = read_correspondence(parsed, doc.analysis.kind)
        doc = dataclasses.replace(doc, parsed=parsed)
        kind = _letter_kind(doc, corr)
        ref = _letter_contract(doc, corr, directory)
        letters.append(_Letter(doc.path, kind, corr, parsed.text, ref))
        if ref and corr.subject:
            directory.contracts[ref].profile.append(corr.subject)
    letters.sort(key=lambda letter: (letter.corr.date or dt.date.max, letter.path))
    return letters

# ------------------------------------------------------------------ incident → letters

_TYPE_WORDS = {
    "retard": ("retard", "delai", "livraison", "achevement"),
    "indisponibilite": ("indisponib", "panne", "retablissement", "interruption"),
    "absence": ("absence", "reunion", "comite"),
    "non_conformite": ("non-conform", "non conform", "rejet", "montage", "constat", "remplacement"),
    "document": ("rapport", "bilan", "dossier", "doe", "document", "fiche"),
    "securite": ("securite", "protection", "violation", "donnees", "garde-corps"),
    "social": ("travail dissimule", "social"),
}

_WEATHER_WORDS = re.compile(r"intemperie|neige|orage|pluie|gel\b|vent|canicule|tempete")

_MENTIONED_KIND = {"mise en demeure": "mise_en_demeure", "pv de constat": "pv_constat",
                   "proces-verbal de constat": "pv_constat", "penalites notifiees": "notification_penalites",
                   "invitation a presenter": "invitation_observations"}
_ACT_MENTION = re.compile(
    r"(mise en demeure|pv de constat|proces-verbal de constat|penalites notifiees|invitation a presenter)"
    r"[^.;]{0,40}?(?:(le jour meme)|(?:le|du) (\d{1,2}/\d{1,2}(?:/\d{4})?)\b)")


# The log says the buyer acted in writing (« mise en demeure adressée le jour même », « PV de
# constat », « pénalités notifiées le … »); a relance is not such an act.
_LOGGED_ACT = re.compile(
    r"(?<!sans )(?<!pas de )(?<!aucune )(?<!aucun )\b(mise en demeure (?:adressee|envoyee|notifiee|faite|transmise|"
    r"(?:du|le) \d)|"
    r"(?:pv|proces-verbal) de constat|penalites (?:notifiees|appliquees)|decision de resiliation|"
    r"invitation a presenter (?:ses|des) observations)")


def _logged_act(description: str) -> str | None:
    m = _LOGGED_ACT.search(fold(description))
    return m.group(1) if m else None


def _letter_score(linked: _Linked, letter: _Letter, record: _Contract,
                  matched_dates: dict[dt.date, str], sim: float) -> float:
    inc, facts, corr = linked.incident, linked.facts, letter.corr
    score = 0.0
    inc_orders, letter_orders = linked.order_keys, letter.order_keys
    if inc_orders and letter_orders:
        score += 0.5 if inc_orders & letter_orders else -0.5
    if linked.penalty is not None and linked.penalty.article:
        article = normalise_article(linked.penalty.article)
        cited = letter.cited_articles
        sharing = record.clauses_per_article[article] or 1
        if article in cited:
            score += 0.4 / sharing
        elif cited & record.penalty_articles:
            score -= 0.3
    same_days = bool(linked.days & letter.failing_days)
    if same_days:
        score += 0.3
        # a letter listing several failings names each by its day and its place (« la panne du
        # 3 novembre au collège Les Tilleuls »): the same day and the same place name it
        places = place_names(inc.description, record.names)
        if letter.kind == "pv_constat":
            # a PV de constat is drawn up on site: the site may be only in the log's service column
            # (« Usine de Fontbelle »); the buyer's own name (its town, in every letterhead) is no site
            buyer = fold(record.info.buyer_name or "")
            places |= {w for w in place_names(inc.service or "", record.names) if w not in buyer}
        places |= site_names(inc.description)
        if letter.kind == "pv_constat":
            places |= site_names(inc.service or "")
        if any(has_word(letter.folded_text, w) for w in places):
            score += 0.3
    elif corr.failing_dates and not (inc_orders & letter_orders):
        score -= 0.2  # the letter describes failings on other days
    if (not same_days and not (inc_orders & letter_orders) and corr.date and inc.occurred_on
            and (corr.date - inc.occurred_on).days > 120):
        score -= 0.2  # a letter written months later, naming neither the order nor the days
    if any(w in letter.folded_head for w in _TYPE_WORDS.get(facts.failing_type, ())):
        score += 0.2
    ours = _log_parts(linked)
    if ours:
        # the letter's subject names the part it is about (« pénalités de retard (phase 2) »)
        theirs = numbered_parts(letter.folded_head)
        if any(noun in theirs for noun in ours):
            score += 0.2 if _same_part(linked, letter) else -0.2
    if corr.granted_extension_days and facts.due_on and facts.due_on in letter.text_dates:
        score += 0.3  # the prolongation moves the very deadline the incident says was missed
    if corr.granted_extension_days and any(h.code == "intemperies" for h in facts.not_breach_hints) \
            and _WEATHER_WORDS.search(letter.folded_text):
        score += 0.3
    if facts.order_value_eur and facts.order_value_eur in corr.amounts_eur:
        score += 0.2
    # the log itself says an act was sent on a day (« mise en demeure adressée le jour même »)
    for said, kind in _acts_mentioned(linked):
        if said and corr.date == said:
            # the log names this very act: its kind and its day
            score += 0.6 if letter.kind == kind else 0.4
    # a letter answering or following up another letter already tied to this incident
    for day, path in matched_dates.items():
        if path != letter.path and day != corr.date and (day.strftime("%d/%m/%Y") in letter.folded_text
                                                         or _long_date(day) in letter.folded_text):
            score += 0.4
            break
    return score + 0.5 * sim


def _acts_mentioned(linked: _Linked) -> list[tuple[dt.date | None, str | None]]:
    """The acts the log line says were sent (« mise en demeure du 10/06 »): their day and kind."""
    inc = linked.incident
    out: list[tuple[dt.date | None, str | None]] = []
    for m in _ACT_MENTION.finditer(linked.folded_description):
        said = inc.occurred_on if m.group(2) else _parse_numeric(m.group(3), inc.occurred_on or inc.reported_on)
        out.append((said, _MENTIONED_KIND.get(m.group(1))))
    return out


def _letter_body(letter: _Letter) -> str:
    return f"{letter.corr.subject or ''} {letter.text[:3000]}"


def _parse_numeric(raw: str, written: dt.date | None = None) -> dt.date | None:
    """« 17/06/2025 », or « 17/04 » in the year of the log line (the year before when that
    would put the act after the line was written)."""
    parts = raw.split("/")
    try:
        d, m = int(parts[0]), int(parts[1])
        if len(parts) > 2:
            return dt.date(int(parts[2]), m, d)
        if written is None:
            return None
        day = dt.date(written.year, m, d)
        return day if day <= written + dt.timedelta(days=31) else dt.date(written.year - 1, m, d)
    except (ValueError, IndexError):
        return None


_MONTHS_FR = ("janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout", "septembre",
              "octobre", "novembre", "decembre")


def _long_date(day: dt.date) -> str:
    return f"{day.day if day.day > 1 else '1er'} {_MONTHS_FR[day.month - 1]} {day.year}"


def _letters_by_contract(letters: Sequence[_Letter]) -> dict[str | None, list[tuple[int, _Letter]]]:
    """(position, letter) of each contract's letters, in the letters' order: built once per
    scan so that an incident looks only at its own contract's letters."""
    groups: dict[str | None, list[tuple[int, _Letter]]] = {}
    for position, letter in enumerate(letters):
        groups.setdefault(letter.contract_ref, []).append((position, letter))
    return groups


# Acts that state the penalty they apply or intend: one that scores a little under the
# threshold is kept aside, and tied to the incident if it states the amount computed for it.
_AMOUNT_ACTS = frozenset({"notification_penalites", "invitation_observations"})
_NEAR_MARGIN = 0.2


def _link_letters(linked: _Linked, record: _Contract, as_of: dt.date,
                  own_letters: Sequence[tuple[int, _Letter]], index: SimilarityIndex) -> list[tuple[_Letter, float]]:
    """Tie to the incident the letters of its contract (`own_letters`: position in `index`,
    letter) that are about it: the acts, the answers, the prolongations. Returns the penalty
    letters just under the threshold that name the incident's order or day and state an amount
    (see compose._confirm_by_amount)."""
    inc = linked.incident
    start = inc.occurred_on or inc.reported_on
    matched_dates: dict[dt.date, str] = {}
    near: list[tuple[_Letter, float]] = []
    sims = index.similarities_to(inc.description, [position for position, _ in own_letters])
    for (_position, letter), sim in zip(own_letters, sims):
        day = letter.corr.date
        grants = bool(letter.corr.granted_extension_days) and letter.corr.direction != "entrant"
        if day is not None and day > as_of:
            continue
        # a letter written before the failing cannot answer it; a prolongation can precede it
        before = day is not None and start is not None and day < start
        if before and _named_in_log(linked, letter):
            before = False  # « malgré la mise en demeure du 10/06 »: the log says it is about this failing
        if before and not grants:
            continue
        score = _letter_score(linked, letter, record, matched_dates, sim)
        if score < LETTER_LINK_THRESHOLD:
            if (score >= LETTER_LINK_THRESHOLD - _NEAR_MARGIN and not before and letter.kind in _AMOUNT_ACTS
                    and letter.corr.amounts_eur and _names_incident(linked, letter)):
                near.append((letter, score))
            continue
        if letter.corr.date and not before and letter.kind in ACTING_KINDS | ANSWER_KINDS:
            # later letters that cite this one (« vos observations du 26 septembre ») follow it up
            matched_dates[letter.corr.date] = letter.path
        if before:
            pass  # only the prolongation it grants matters
        elif letter.kind in ACTING_KINDS:
            linked.actions.append((letter, score))
        elif letter.kind in ANSWER_KINDS:
            linked.answers.append(letter)
        if grants:
            linked.extensions.append(letter)
    return near

def _names_incident(linked: _Linked, letter: _Letter) -> bool:
    """The letter carries the incident's order or ticket number, or names its day and cites the
    very clause engaged (a letter listing several failings of the contract does not)."""
    if linked.order_keys & letter.order_keys:
        return True
    article = normalise_article(linked.penalty.article) if linked.penalty and linked.penalty.article else None
    if article is None or article not in letter.cited_articles:
        return False
    # its day, or the numbered part both name (« décision d'application de pénalités (phase 2) »)
    return bool(linked.days & letter.failing_days) or _same_part(linked, letter)


# Parts that are one deliverable each: a letter about « phase 2 » is about that report. A lot or a
# tranche is a whole contract's worth of failings, so naming it tells nothing of which one.
_DELIVERABLE_PARTS = ("phase", "etape", "jalon")


def _log_parts(linked: _Linked) -> dict[str, frozenset[int]]:
    return {n: v for n, v in numbered_parts(linked.folded_description).items() if n in _DELIVERABLE_PARTS}


def _same_part(linked: _Linked, letter: _Letter) -> bool:
    theirs = numbered_parts(letter.folded_head)
    return any(noun in theirs and numbers & theirs[noun] for noun, numbers in _log_parts(linked).items())


def _formal_notice_day(linked: _Linked) -> dt.date | None:
    """The mise en demeure served about this incident: a linked letter, else the log's word
    (« mise en demeure adressée le jour même / le 17/06/2025 »)."""
    dates = [lt.corr.date for lt, _ in linked.actions if lt.kind == "mise_en_demeure" and lt.corr.date]
    if dates:
        return min(dates)
    for m in _ACT_MENTION.finditer(fold(linked.incident.description)):
        if m.group(1) == "mise en demeure":
            return linked.incident.occurred_on if m.group(2) else _parse_numeric(
                m.group(3), linked.incident.occurred_on or linked.incident.reported_on)
    return None


# Capitalised words that are not places or sites (document and service names).
_NOT_PLACES = frozenset("ticket wi-fi niveau marche lot bon commande service direction mairie".split())


def place_names(description: str, supplier_names: Sequence[str] = ()) -> set[str]:
    """Proper names inside a log line (« collège Les Tilleuls », « quai Jean-Moulin »),
    folded: capitalised words of 4+ letters, not opening a sentence, not all capitals (an
    acronym), not a supplier's name."""
    suppliers = " ".join(fold(n) for n in supplier_names)
    out = set()
    for m in re.finditer(r"(?<=[\w,;:()'’] )([A-ZÀ-Ý][a-zà-ÿ]+(?:-[A-Za-zÀ-ÿ]+)*)", description):
        word = fold(m.group(1))
        if len(word) >= 4 and word not in _NOT_PLACES and word not in suppliers:
            out.add(word)
    return out


# Nouns that introduce a site in operating staff's words, whatever the case they are written in:
# « dépôt sud », « gare routière », « station Hôtel de Ville », « école des Lilas ».
_SITE = re.compile(r"\b(depot|agence|site|gare|station|ecole|college|lycee|creche|gymnase|piscine|stade|"
                   r"mairie annexe|centre technique|usine|reservoir|entrepot|magasin|parking|terminus|pole)"
                   r"\s+((?:de la |de l'|du |des |de |d')?[a-z][a-z'-]{2,})")


def has_word(folded: str, word: str) -> bool:
    """`word` (or phrase) written in `folded` with no letter glued to either end; plain string
    search, so that the many place names of a scan compile no pattern each."""
    start = folded.find(word)
    while start >= 0:
        end = start + len(word)
        if (start == 0 or not ("a" <= folded[start - 1] <= "z")) and (end == len(folded) or not ("a" <= folded[end] <= "z")):
            return True
        start = folded.find(word, start + 1)
    return False


def site_names(text: str) -> set[str]:
    """Sites a log line or its service column names by a site noun and the word after it
    (« dépôt sud » → « depot sud »), folded, lower case or not: the capitalised words that
    `place_names` reads are often missing in operating staff's shorthand."""
    return {f"{m.group(1)} {m.group(2)}" for m in _SITE.finditer(fold(text))}


def _named_in_log(linked: _Linked, letter: _Letter) -> bool:
    """The log line names this act by its kind and its day (« PV de constat du 16/09 »,
    « malgré la mise en demeure du 10/06/2025 »)."""
    return any(said and letter.corr.date == said and letter.kind == kind for said, kind in _acts_mentioned(linked))
