"""Obligations: sentences whose subject is a party and whose verb imposes a duty.

Rules decide what can be an obligation (a party as subject, a duty verb: « s'engage à »,
« est tenu de », « doit », or a prescriptive 3rd-person present such as « transmet »);
they reject options (« peut »), passives without a named party, definitions and penalty
clauses. A scikit-learn classifier trained on our own sentences (`training/obligations.jsonl`)
gives the confidence; low agreement puts the item « à vérifier ».
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from models.domain.types import Clause, Obligation, ParsedDocument, Party, Span
from nlp.learned import ModelSpec, get_model, read_jsonl
from nlp.normalize.text import fold
from nlp.pipeline import Cue, SentenceFacts, document_sentences

# --------------------------------------------------------------------------- parties

# Folded forms (nlp.normalize.fold turns « œ » into « o »: « maître d'œuvre » -> « maitre d'ouvre »).
_TITULAIRE = (
    r"titulaires?|prestataires?|fournisseurs?|entrepreneurs?|cocontractants?|signataires?|"
    r"mandataires?(?! de l'acheteur)|groupement(?: titulaire)?|soumissionnaires?|attributaires?|"
    r"(?:l'|son )entreprise|la societe|le vendeur|le concessionnaire"
)
_ACHETEUR = (
    r"acheteurs?|pouvoir adjudicateur|maitres? d'ouvrage|maitres? d'o(?:e|)uvre|la collectivite|"
    r"l'administration|la personne publique|l'entite adjudicatrice|le representant du pouvoir adjudicateur|"
    r"la commune|le departement|la region|la metropole|la communaute(?: d'agglomeration| de communes)?|"
    r"l'etablissement|le syndicat|la ville|l'universite|le centre hospitalier|l'agglomeration|"
    r"le conducteur d'operation|le service prescripteur|le service gestionnaire|la maitrise d'ouvrage"
)
PARTY_RE = re.compile(rf"\b(?P<t>{_TITULAIRE})\b|(?P<a>{_ACHETEUR})\b")
_PRONOUN_START = re.compile(
    r"^\W*(?:(?:article\s+)?\d+(?:\.\d+)*\.?\s*[-:)]?\s+)?(?:[a-z ,'-]{0,60},\s*)?(il|ils|elle|celui-ci|ce dernier)\s"
)

# A document's own name for its buyer (« Le SMAV notifie… »): folded acronyms, see buyer_aliases().
Aliases = tuple[str, ...]


@functools.lru_cache(maxsize=64)
def _party_re(aliases: Aliases) -> re.Pattern[str]:
    if not aliases:
        return PARTY_RE
    # « smav » but not the « smav » of the contract number « SMAV-24-P02 »
    named = "|".join(re.escape(a) for a in aliases)
    return re.compile(rf"\b(?P<t>{_TITULAIRE})\b|(?P<a>{_ACHETEUR}|\b(?:{named})(?![\w-]))\b")


def party_mentions(folded: str, aliases: Aliases = ()) -> list[tuple[Party, int, int]]:
    out: list[tuple[Party, int, int]] = []
    for m in _party_re(aliases).finditer(folded):
        out.append(("titulaire" if m.group("t") else "acheteur", m.start(), m.end()))
    return out


# --------------------------------------------------------------------------- the buyer's own name

# Heads of a public buyer's name (folded): « Syndicat mixte des mobilités … », « Communauté de communes … »
_BUYER_HEAD = (
    r"syndicat|communaute|commune|ville|departement|conseil\s+(?:departemental|regional)|region|metropole|"
    r"etablissement|centre\s+hospitalier|office|agence|universite|institut|chambre|caisse|regie|"
    r"groupement\s+hospitalier|service\s+departemental|etat|ministere|prefecture|assistance\s+publique"
)
# labels that introduce the buyer in an acte d'engagement or a title page
_BUYER_LABEL = r"pouvoir\s+adjudicateur|acheteur|maitre\s+d'ouvrage|entite\s+adjudicatrice|personne\s+publique|collectivite"
_TITULAIRE_LABEL = re.compile(r"\b(?:titulaire|prestataire|fournisseur|mandataire|cotraitant|sous-traitant|candidat|"
                              r"raison\s+sociale|societe|sarl|sas|eurl|sasu)\b")  # a line naming the titulaire
_DECLARED = re.compile(r"\((?P<acr>[A-Z][A-Z0-9&]{1,9})\)")  # « … valcourtoise (SMAV) »
_LEADING_ACRONYM = re.compile(r"^\W*(?P<acr>[A-Z][A-Z0-9&]{1,9})\s*[–—-]\s+(?P<name>.+)$", re.M)  # « SMAV – Syndicat … »
_BUYER_BEFORE = re.compile(rf"(?:\b(?:{_BUYER_LABEL})\s*:|^\W*(?:{_BUYER_HEAD})\b|\b(?:le|la|l')\s*(?:{_BUYER_HEAD})\b)")
# « Le SMAV procède… », « La CCPO valide… »: an all-capital subject right after its article
_CAPITAL_SUBJECT = re.compile(r"(?:^|[\s(«\"])(?:Le|La|L'|L’)\s*(?P<acr>[A-Z][A-Z0-9&]{1,9})\s+(?:(?:ne|n'|se|s'|lui|leur|en|y)\s*)*[a-zà-ÿ]{3,}")
# « Pouvoir adjudicateur : Valcourt Habitat, office public … »: the name as the parties' block writes it
_LABELLED_NAME = re.compile(rf"\b(?:{_BUYER_LABEL})\s*:\s*(?P<name>[^,;:()\n–—«»\"]{{3,70}})")
# « … (ci-après dénommé « le Syndicat ») », « ci-après « Valcourt Habitat » »
_SHORT_NAME = re.compile(r"\bci-apres\s+(?:(?:denomme|designe|appele|nomme)e?s?\s+)?[«\"]\s*(?P<name>[^»\"\n]{2,40}?)\s*[»\"]")
_DETERMINER = re.compile(r"^(?:le|la|les|l')\s*")
# Acronyms of documents, procedures and bodies that are no party to the contract
_NOT_BUYER = frozenset({
    "ccag", "ccap", "cctp", "ccp", "ccat", "ae", "attri", "bpu", "dpgf", "dqe", "dce", "rc", "os", "pv", "tva", "ht",
    "ttc", "rib", "siret", "siren", "pme", "doe", "diuo", "ppsps", "paq", "sla", "gtr", "gti", "pgc", "csps", "sps",
    "opc", "moe", "moa", "amo", "dgd", "dume", "boamp", "joue", "ugap", "cgct", "urssaf", "rgpd", "cnil", "insee",
    "dsp", "vsr", "epi", "sav", "tma", "pse", "vrd", "bet", "ao", "afnor", "nf", "iso", "en", "cee", "ue", "pdf",
    "dgfip", "cpv", "sie", "pca", "pra", "cr", "ot", "bc", "bl", "ar", "lrar", "med", "mise", "art", "tic",
    "fcs", "pi", "mi", "tx", "opr", "dict", "dt", "ssi", "erp", "ipc", "ici", "bt", "tp", "smic", "hors",
    # third parties a CCAP names as acting (networks, inspection bodies, agencies)
    "enedis", "grdf", "rte", "sncf", "apave", "socotec", "dekra", "cstb", "anssi", "ademe", "dreal", "ddt", "cofrac",
})


_TITULAIRE_NAMED = re.compile(
    r"\b(?:titulaire|prestataire|fournisseur|mandataire|co-?traitant|sous-traitant|raison\s+sociale|denomination|"
    r"candidat|entreprise|societe)\s*(?::|\bdenommee?\b|\bsuivante\b)?\s*(?P<name>[^,;\n]{1,80})"
)


def _titulaire_words(text: str) -> set[str]:
    """Folded words that name the titulaire (« Titulaire : Billettis SAS, … », « la société ACME »)."""
    words: set[str] = set()
    for m in _TITULAIRE_NAMED.finditer(fold(text)):
        if ":" in m.group(0) or re.search(r"societe|entreprise|denomm", m.group(0)):
            words.update(re.findall(r"[a-z0-9&]+", m.group("name"))[:6])
    return words


@functools.lru_cache(maxsize=256)
def buyer_aliases(text: str) -> Aliases:
    """The buyer's acronyms as this document writes them (folded): declared after its name
    (« Syndicat mixte … (SMAV) », « SMAV – Syndicat mixte … ») or used as an all-capital subject
    (« Le SMAV procède au paiement ») that is neither a document's acronym nor the titulaire's name."""
    found: list[str] = []
    not_ours = _titulaire_words(text)

    def keep(acronym: str) -> None:
        folded = fold(acronym)
        if folded not in _NOT_BUYER and folded not in not_ours and folded not in found and not folded.isdigit():
            found.append(folded)

    for m in _DECLARED.finditer(text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        before = fold(text[max(line_start, m.start() - 160):m.start()])
        if _BUYER_BEFORE.search(before) and not _TITULAIRE_LABEL.search(before):
            keep(m.group("acr"))
    for m in _LEADING_ACRONYM.finditer(text):
        if re.match(rf"\W*(?:{_BUYER_HEAD})\b", fold(m.group("name"))):
            keep(m.group("acr"))
    for m in _CAPITAL_SUBJECT.finditer(text):
        keep(m.group("acr"))
    folded_text = fold(text)
    for m in _LABELLED_NAME.finditer(folded_text):
        raw = text[m.start("name"):m.end("name")].strip()
        name = _DETERMINER.sub("", m.group("name").strip())
        # a proper name (capitalised, no figures), short enough to be written again as a subject
        if raw[:1].isupper() and not re.search(r"\d", name) and 1 <= len(name.split()) <= 6 and name not in found:
            found.append(name)
    for m in _SHORT_NAME.finditer(folded_text):
        line_start = folded_text.rfind("\n", 0, m.start()) + 1
        before = folded_text[max(line_start, m.start() - 200):m.start()]
        name = _DETERMINER.sub("", m.group("name").strip())
        if (_BUYER_BEFORE.search(before) and not _TITULAIRE_LABEL.search(before) and name not in found
                and not PARTY_RE.fullmatch(m.group("name").strip()) and len(name) >= 2):
            found.append(name)
    return tuple(found)


_SUBORDINATE = re.compile(
    r"^\W*(?:(?:article\s+)?\d+(?:\.\d+)*\.?\s*[-:)]?\s+)?"
    r"(?:lorsque|lorsqu'|si |s'il|s'ils|quand|des que|des lors que|au cas ou|dans le cas ou|en cas d|a defaut|"
    r"pour (?:beneficier|obtenir)|afin d)"
)
_FIRST_PERSON = re.compile(r"\b(je|nous|le soussigne|la soussignee|les soussignes)\b|\bm'$")
# « Acheteur : Commune de … », « SMAV – Syndicat mixte … » are heading labels, not subjects
_LABEL = re.compile(r"\s*(?::|[–—-]\s)")
_ON_BEHALF = re.compile(rf"\bde la part (?:du |de la |de l'|des )(?P<who>{_TITULAIRE}|{_ACHETEUR})")
_AGENT = re.compile(rf"\bpar (?:le |la |l'|les )?(?:(?!la societe)(?:{_TITULAIRE})|(?:{_ACHETEUR}))")


def _flat(text: str) -> str:
    """Folded, every whitespace a plain space: same length, so offsets stay valid."""
    return re.sub(r"\s", " ", fold(text))


_NOT_SUBJECT_BEFORE = frozenset({
    "a", "au", "aux", "de", "du", "des", "d", "par", "pour", "avec", "entre", "envers", "aupres", "sur",
    "contre", "chez", "vers", "sans", "que", "dont", "l", "informe", "invite", "avise", "previent",
})


def _is_subject(folded: str, mentions: list[tuple[Party, int, int]], k: int) -> bool:
    """A party named after a preposition or a participle (« réunissant l'acheteur ») is not
    the subject; a coordinated one (« l'acheteur et le titulaire ») shares its partner's role."""
    start = mentions[k][1]
    words = re.findall(r"[a-z]+", folded[max(0, start - 40):start])
    while words and words[-1] in ("le", "la", "les", "l", "son", "sa", "leur", "ce", "cet", "cette", "seul"):
        words.pop()
    if not words:
        return True
    word = words[-1]
    if word in ("et", "ou") and k > 0:
        return _is_subject(folded, mentions, k - 1)
    return word not in _NOT_SUBJECT_BEFORE and not word.endswith("ant")


_AFTER_SUBJECT = re.compile(
    rf"(?:{_TITULAIRE}|{_ACHETEUR})\s+(?:(?:ne|n'|lui|leur|les|l'|en|y|se|s')\s*)*(?P<verb>[a-z]{{3,}}(?:e|ent))\b"
)


@functools.lru_cache(maxsize=64)
def _after_subject_re(aliases: Aliases) -> re.Pattern[str]:
    if not aliases:
        return _AFTER_SUBJECT
    named = "|".join(re.escape(a) for a in aliases)
    return re.compile(
        rf"(?:{_TITULAIRE}|{_ACHETEUR}|\b(?:{named})(?![\w-]))\s+(?:(?:ne|n'|lui|leur|les|l'|en|y|se|s')\s*)*"
        rf"(?P<verb>[a-z]{{3,}}(?:e|ent))\b"
    )


@functools.lru_cache(maxsize=64)
def _agent_re(aliases: Aliases) -> re.Pattern[str]:
    if not aliases:
        return _AGENT
    named = "|".join(re.escape(a) for a in aliases)
    return re.compile(rf"\bpar (?:le |la |l'|les )?(?:(?!la societe)(?:{_TITULAIRE})|(?:{_ACHETEUR})|(?:{named})(?![\w-]))")
_ADJECTIVES_AFTER_PARTY = frozenset({
    "unique", "public", "publique", "principale", "responsable", "concerne", "interesse", "suivante",
    "meme", "titulaire", "defaillante", "retenue", "sortante", "entrante", "pressentie", "mandataire",
    "solidaire", "conjointe", "seule", "precitee", "susvisee", "contractante", "adjudicatrice", "elle-meme",
})


def _fallback_cue(facts: SentenceFacts, folded: str, after: int, aliases: Aliases = ()) -> Cue | None:
    """The small tagger misses some verbs (« l'acheteur prolonge le délai »): a word in -e/-ent
    right after a party (clitics allowed) is read as its present-tense verb."""
    for m in _after_subject_re(aliases).finditer(folded, after):
        word = m.group("verb")
        if word in _ADJECTIVES_AFTER_PARTY:
            continue
        at = m.start("verb")
        lemma = word[:-3] + "er" if word.endswith("ent") else word[:-1] + "er"
        for i, off in enumerate(facts.offsets):
            if off == at:
                return Cue("present", lemma, i)
    return None


def _verb_cues(facts: SentenceFacts, folded: str, aliases: Aliases = ()) -> tuple[list[Cue], int]:
    """Duty-bearing cues of the main clause, skipping a leading « Lorsque …, » clause."""
    verbs = [c for c in facts.cues if c.kind != "passive"]
    clause_start = 0
    if _SUBORDINATE.match(folded):
        comma = folded.find(", ")
        if comma > 0:
            main = [c for c in verbs if c.index < len(facts.offsets) and facts.offsets[c.index] > comma]
            if not main:
                fallback = _fallback_cue(facts, folded, comma + 2, aliases)
                main = [fallback] if fallback else []
            if main:
                return main, comma + 2
    if not verbs:
        fallback = _fallback_cue(facts, folded, 0, aliases)
        verbs = [fallback] if fallback else []
    return verbs, clause_start


def subject_party(facts: SentenceFacts, previous: Party | None,
                  aliases: Aliases = ()) -> tuple[Party | None, int | None]:
    """The party acting in the sentence and the index of its governing cue.

    The subject is the last party named before the first duty-bearing verb of the main
    clause; a pronoun subject (« Il transmet… ») takes the party named in the leading
    subordinate clause or the previous sentence's; in the passive, the agent after « par »
    is the one who acts; « de la part du titulaire » names the actor too. `aliases` are the
    buyer's own acronyms in this document (buyer_aliases).
    """
    folded = _flat(facts.text)
    mentions = [m for m in party_mentions(folded, aliases) if not _LABEL.match(folded, m[2])]
    verbs, clause_start = _verb_cues(facts, folded, aliases)
    passive = [c for c in facts.cues if c.kind == "passive"]
    if verbs:
        cue = verbs[0]
        at = facts.offsets[cue.index] if cue.index < len(facts.offsets) else len(folded)
        before = [k for k, m in enumerate(mentions) if clause_start <= m[1] and m[2] <= at]
        subjects = [k for k in before if _is_subject(folded, mentions, k)]
        if subjects:
            return mentions[subjects[-1]][0], cue.index
        head = folded[clause_start:at]
        if cue.kind == "engagement" and _FIRST_PERSON.search(head):
            return "titulaire", cue.index  # « je m'engage » in an acte d'engagement: the candidate speaks
        if _PRONOUN_START.match(head) or re.match(r"\s*(il|ils|elle)\s", head):
            in_subordinate = [m for m in mentions if m[2] <= clause_start]
            if in_subordinate:
                return in_subordinate[-1][0], cue.index
            if previous is not None:
                return previous, cue.index
        on_behalf = _ON_BEHALF.search(folded)
        if on_behalf:
            return party_mentions(on_behalf.group("who"))[0][0] if party_mentions(on_behalf.group("who")) else None, cue.index
    if passive:
        cue = passive[0]
        at = facts.offsets[cue.index] if cue.index < len(facts.offsets) else 0
        m = _agent_re(aliases).search(folded, at)
        if m:
            return party_mentions(folded[m.start():m.end()], aliases)[0][0], cue.index
    return None, None


def last_party(folded: str) -> Party | None:
    mentions = party_mentions(folded)
    return mentions[0][0] if mentions else None


# --------------------------------------------------------------------------- rules

_OPTION = re.compile(r"\b(peut|peuvent|pourra|pourront|a la faculte|se reserve le droit|est autorise)\b")
# penalty clauses are extracted as penalties; the procedure before applying them is a duty
_PENALTY = re.compile(r"\bpenalit|\bencour(?:t|ent|ra)\b|\bretenue de\b")
_PENALTY_PROCEDURE = re.compile(r"\bavant (?:toute application|d'appliquer|l'application|de prononcer)|\binvite\b")
_DEFINITION = re.compile(
    r"^\W*(on entend|il faut entendre|est defini|sont definis|(?:[\d.]+\s+)?il s'agit d)|\bs'entend (de|comme)|"
    r"\b(le terme|l'expression|la mention|le mot|la notion)\b.{0,60}\b(designe|signifie|vise)\b"
)
_COND_ONLY = re.compile(r"^\W*(en cas de|si |lorsque|a defaut)")
_DUTY_KINDS = frozenset({"engagement", "tenu", "devoir", "charge", "prohibition"})
_WEAK_PRESENT = frozenset({"être", "avoir", "pouvoir", "sembler", "comprendre", "constituer", "comporter",
                           "correspondre", "concerner", "dépendre", "bénéficier", "entendre", "appliquer",
                           "relever", "porter", "figurer", "prévaloir", "valoir", "courir", "débuter",
                           "commencer", "expirer", "conclure", "varier", "estimer"})


_WEAK_FOLDED = frozenset(fold(v) for v in _WEAK_PRESENT | {
    "disposer", "renoncer", "accepter", "céder", "reconnaître", "affirmer", "certifier", "attester",
})


# « ne peut prétendre à… » denies a right rather than imposing a duty
_CLAIM_VERBS = frozenset({"pretendre", "reclamer", "prevaloir", "beneficier", "obtenir", "percevoir",
                          "exiger", "invoquer", "demander"})


def rule_verdict(facts: SentenceFacts, previous: Party | None,
                 aliases: Aliases = ()) -> tuple[bool, Party | None, str]:
    """(looks like an obligation, acting party, why) from rules alone."""
    folded = _flat(facts.text)
    if len(folded) < 25 or " | " in facts.text:
        return False, None, "trop court ou ligne de tableau"
    if _DEFINITION.search(folded):
        return False, None, "définition"
    party, cue_index = subject_party(facts, previous, aliases)
    if party is None:
        return False, None, "aucune partie sujet"
    cue = next((c for c in facts.cues if c.index == cue_index), None)
    if cue is None and cue_index is not None:
        cue = _fallback_cue(facts, folded, 0, aliases)
    if cue is None:
        return False, party, "aucun verbe"
    if _PENALTY.search(folded) and not _PENALTY_PROCEDURE.search(folded) and cue.kind not in _DUTY_KINDS:
        return False, party, "clause de pénalité"
    at = facts.offsets[cue.index] if cue.index < len(facts.offsets) else 0
    # an option in a leading « Si … ne peut … » clause does not make the main verb optional
    if cue.kind == "option" or (_OPTION.search(folded, max(0, at - 25)) and cue.kind not in _DUTY_KINDS
                                and cue.kind != "passive"):
        return False, party, "faculté (« peut »)"
    if cue.kind == "prohibition" and any(
        fold(lemma) in _CLAIM_VERBS for lemma in facts.lemmas[cue.index + 1:cue.index + 4]
    ):
        return False, party, "absence de droit (« ne peut prétendre »)"
    if cue.kind in _DUTY_KINDS:
        return True, party, "verbe d'obligation"
    if cue.kind == "passive":
        return True, party, "passif avec la partie nommée"
    if cue.kind in ("present", "future"):
        if fold(cue.lemma) in _WEAK_FOLDED:
            # « demeure seul responsable », « est responsable de » still bind the party
            if re.search(r"\b(responsable|garant|solidaire|a (?:la|sa) charge)\b", folded):
                return True, party, "responsabilité"
            return False, party, "verbe d'état"
        return True, party, "présent prescriptif"
    return False, party, "aucun verbe d'obligation"


# --------------------------------------------------------------------------- learned model

TRAINING_FILE = Path(__file__).parent / "training" / "obligations.jsonl"


def _build_pipeline() -> Pipeline:
    features = FeatureUnion([
        ("word", TfidfVectorizer(ngram_range=(1, 3), sublinear_tf=True, preprocessor=fold,
                                 token_pattern=r"(?u)\b\w[\w']*\b")),
        ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True,
                                 preprocessor=fold, min_df=2)),
    ])
    return Pipeline([("features", features), ("clf", LogisticRegression(C=4.0, max_iter=2000))])


OBLIGATION_MODEL = ModelSpec(
    name="obligation_sentence",
    version="1",
    data_files=(TRAINING_FILE,),
    build=_build_pipeline,
    load_examples=lambda files: read_jsonl(files, "text", "label"),
)


def model_scores(texts: Sequence[str], *, cache_dir: Path | None = None) -> list[float]:
    """Probability that each sentence states an obligation, from the learned model."""
    if not texts:
        return []
    model = get_model(OBLIGATION_MODEL, cache_dir=cache_dir).pipeline
    classes = list(model.classes_)
    positive = classes.index("obligation")
    return [float(p[positive]) for p in model.predict_proba(list(texts))]


# --------------------------------------------------------------------------- extraction

REVIEW_BELOW = 0.3  # the model disagrees clearly with the rules


def _article(clauses: Sequence[Clause], offset: int) -> str | None:
    from nlp.structure import article_at

    clause = article_at(list(clauses), offset)
    return clause.article if clause is not None else None


_BULLET = re.compile(r"^\s*(?:[-•*–—▪►]\s|\(?[a-z]\)\s|\d{1,2}°\s?|\(?\d{1,2}\)\s)")


def _list_end(facts_list: Sequence[SentenceFacts], i: int) -> int:
    """End of the lead-in (ending with « : ») or list item just before sentence `i`."""
    prev = facts_list[i - 1] if i > 0 else None
    if prev is None:
        return -1
    if prev.text.rstrip().endswith(":") or _BULLET.match(prev.text):
        return prev.end
    return -1


def extract_obligations(parsed: ParsedDocument, clauses: Sequence[Clause], *,
                        sentences: Sequence[SentenceFacts] | None = None,
                        cache_dir: Path | None = None) -> list[Obligation]:
    """Every sentence of the document that binds a party, with its source."""
    facts_list = list(sentences) if sentences is not None else document_sentences(parsed.text)
    aliases = buyer_aliases(parsed.text)
    previous: Party | None = None
    previous_clause: str | None = None
    candidates: list[tuple[int, int, Party, str]] = []  # start, end, party, article
    for i, facts in enumerate(facts_list):
        article = _article(clauses, facts.start)
        top = (article or "").split(".")[0]
        if top != previous_clause:
            previous, previous_clause = None, top  # a pronoun never crosses an article
        is_obligation, party, _why = rule_verdict(facts, previous, aliases)
        if (candidates and _BULLET.match(facts.text) and candidates[-1][1] == _list_end(facts_list, i)
                and not is_obligation):
            # « Le titulaire s'engage à : - fournir… ; - remettre… »: an item without its own
            # subject belongs to the lead-in
            start, _end, party_of_list, art = candidates[-1]
            candidates[-1] = (start, facts.end, party_of_list, art)
            continue
        if party is not None:
            previous = party
        if is_obligation and party is not None:
            candidates.append((facts.start, facts.end, party, article or ""))
    texts = [parsed.text[start:end] for start, end, _, _ in candidates]
    scores = model_scores(texts, cache_dir=cache_dir)
    out: list[Obligation] = []
    for (start, end, party, article), text, score in zip(candidates, texts, scores):
        # rules found the party and the verb; the model says how much it reads like a duty
        confidence = round(0.5 + 0.5 * score, 3)
        out.append(Obligation(
            article=article or None,
            page=parsed.page_at(start),
            quote=text.strip(),
            party=party,
            span=Span(page=parsed.page_at(start), start=start, end=end),
            confidence=confidence,
            needs_review=score < REVIEW_BELOW,
        ))
    return out
