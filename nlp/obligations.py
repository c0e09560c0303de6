"""Obligations: sentences whose subject is a party and whose verb imposes a duty.

Rules decide what can be an obligation (a party as subject, a duty verb: « s'engage à »,
« est tenu de », « doit », or a prescriptive 3rd-person present such as « transmet »);
they reject options (« peut »), passives without a named party, definitions and penalty
clauses. A scikit-learn classifier trained on our own sentences (`training/obligations.jsonl`)
gives the confidence; low agreement puts the item « à vérifier ».
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from models.domain.types import Clause, Obligation, ParsedDocument, Party, Span
from nlp.learned import ModelSpec, get_model, read_jsonl
from nlp.normalize.text import fold
from nlp.pipeline import SentenceFacts, document_sentences

# --------------------------------------------------------------------------- parties

# Folded forms (nlp.normalize.fold turns « œ » into « o »: « maître d'œuvre » -> « maitre d'ouvre »).
_TITULAIRE = (
    r"titulaires?|prestataires?|fournisseurs?|entrepreneurs?|cocontractants?|signataires?|"
    r"mandataires?(?! de l'acheteur)|groupement(?: titulaire)?|soumissionnaires?|attributaires?|"
    r"(?:l'|son )entreprise|la societe|le vendeur|le concessionnaire|le sous-traitant"
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


def party_mentions(folded: str) -> list[tuple[Party, int, int]]:
    out: list[tuple[Party, int, int]] = []
    for m in PARTY_RE.finditer(folded):
        out.append(("titulaire" if m.group("t") else "acheteur", m.start(), m.end()))
    return out


def subject_party(facts: SentenceFacts, previous: Party | None) -> tuple[Party | None, int | None]:
    """The party acting in the sentence and the index of its governing cue.

    The subject is the last party named before the first duty-bearing verb; a pronoun
    subject (« Il transmet… ») takes the previous sentence's party; in the passive, the
    agent after « par » is the one who acts.
    """
    folded = fold(facts.text)
    mentions = party_mentions(folded)
    verbs = [c for c in facts.cues if c.kind != "passive"]
    passive = [c for c in facts.cues if c.kind == "passive"]
    if verbs:
        cue = verbs[0]
        at = facts.offsets[cue.index] if cue.index < len(facts.offsets) else len(folded)
        before = [m for m in mentions if m[2] <= at]
        # « Tout différend … fait l'objet, de la part du titulaire, … » still names its actor
        if before:
            return before[-1][0], cue.index
        if _PRONOUN_START.match(folded[:at]) and previous is not None:
            return previous, cue.index
    if passive:
        cue = passive[0]
        at = facts.offsets[cue.index] if cue.index < len(facts.offsets) else 0
        agent = re.compile(rf"\bpar (?:le |la |l'|les )?(?:{_TITULAIRE}|{_ACHETEUR})")
        m = agent.search(folded, at)
        if m:
            return party_mentions(folded[m.start():m.end()])[0][0], cue.index
    return None, None


def last_party(folded: str) -> Party | None:
    mentions = party_mentions(folded)
    return mentions[0][0] if mentions else None


# --------------------------------------------------------------------------- rules

_OPTION = re.compile(r"\b(peut|peuvent|pourra|pourront|a la faculte|se reserve le droit|est autorise)\b")
_PENALTY = re.compile(r"\bpenalite|\bencourt\b|\bretenue de\b|\bpar jour (de|calendaire) de retard")
_DEFINITION = re.compile(r"^\W*(on entend|il faut entendre|est defini|sont definis|designe|signifie)|\bs'entend (de|comme)")
_COND_ONLY = re.compile(r"^\W*(en cas de|si |lorsque|a defaut)")
_DUTY_KINDS = frozenset({"engagement", "tenu", "devoir", "charge"})
_WEAK_PRESENT = frozenset({"être", "avoir", "pouvoir", "sembler", "comprendre", "constituer", "comporter",
                           "correspondre", "concerner", "dépendre", "bénéficier", "entendre", "appliquer",
                           "relever", "porter", "figurer", "prévaloir", "valoir", "courir", "débuter",
                           "commencer", "expirer", "conclure", "varier", "estimer"})


def rule_verdict(facts: SentenceFacts, previous: Party | None) -> tuple[bool, Party | None, str]:
    """(looks like an obligation, acting party, why) from rules alone."""
    folded = fold(facts.text)
    if len(folded) < 25 or " | " in facts.text:
        return False, None, "trop court ou ligne de tableau"
    if _DEFINITION.search(folded):
        return False, None, "définition"
    party, cue_index = subject_party(facts, previous)
    if party is None:
        return False, None, "aucune partie sujet"
    cue = next((c for c in facts.cues if c.index == cue_index), None)
    if cue is None:
        return False, party, "aucun verbe"
    if _PENALTY.search(folded) and cue.kind not in _DUTY_KINDS:
        return False, party, "clause de pénalité"
    if cue.kind == "option" or (_OPTION.search(folded) and cue.kind not in _DUTY_KINDS and cue.kind != "passive"):
        return False, party, "faculté (« peut »)"
    if cue.kind in _DUTY_KINDS:
        return True, party, "verbe d'obligation"
    if cue.kind == "passive":
        return True, party, "passif avec la partie nommée"
    if cue.kind in ("present", "future"):
        if cue.lemma in _WEAK_PRESENT:
            # « demeure seul responsable », « est responsable de » still bind the party
            if re.search(r"\b(responsable|garant|solidaire)\b", folded):
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


def extract_obligations(parsed: ParsedDocument, clauses: Sequence[Clause], *,
                        sentences: Sequence[SentenceFacts] | None = None,
                        cache_dir: Path | None = None) -> list[Obligation]:
    """Every sentence of the document that binds a party, with its source."""
    facts_list = list(sentences) if sentences is not None else document_sentences(parsed.text)
    candidates: list[tuple[SentenceFacts, Party, str]] = []
    previous: Party | None = None
    previous_clause: str | None = None
    for facts in facts_list:
        article = _article(clauses, facts.start)
        top = (article or "").split(".")[0]
        if top != previous_clause:
            previous, previous_clause = None, top  # a pronoun never crosses an article
        is_obligation, party, _why = rule_verdict(facts, previous)
        if party is not None:
            previous = party
        if is_obligation and party is not None:
            candidates.append((facts, party, article or ""))
    scores = model_scores([f.text for f, _, _ in candidates], cache_dir=cache_dir)
    out: list[Obligation] = []
    for (facts, party, article), score in zip(candidates, scores):
        # rules found the party and the verb; the model says how much it reads like a duty
        confidence = round(0.5 + 0.5 * score, 3)
        out.append(Obligation(
            article=article or None,
            page=parsed.page_at(facts.start),
            quote=facts.text.strip(),
            party=party,
            span=Span(page=parsed.page_at(facts.start), start=facts.start, end=facts.end),
            confidence=confidence,
            needs_review=score < REVIEW_BELOW,
        ))
    return out
