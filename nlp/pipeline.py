"""The spaCy French pipeline, built once per process, with Vigie's own components.

`fr_core_news_sm` gives lemmas, POS and morphology (mood, tense, person) that the
obligation rules need: « transmet » and « remet » are prescriptive only as 3rd-person
present indicative verbs, « peut » is an option, « sont remplacés » a passive. The
dependency parser and NER are disabled: the subject (a party) is found by rules on the
sentence head, which is faster and steadier on contract prose than the small parser.
Durations are found by the French normalisers (`nlp.normalize`); the component only lays
them on the Doc as spans so that one pass feeds both extractors.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import spacy
from spacy.language import Language
from spacy.tokens import Doc, MorphAnalysis, Span

from nlp.normalize.durations import Duration, find_durations

MODEL_PACKAGE = "fr_core_news_sm"
DISABLED = ("parser", "ner")
# spaCy forbids dots in factory names, so "vigie.obligation_cues.v1" is spelt with underscores
CUES_COMPONENT = "vigie_obligation_cues_v1"
DURATIONS_COMPONENT = "vigie_deadlines_v1"
DURATION_SPANS = "vigie_durations"

# lemmas (folded accents kept as spaCy gives them) of verbs whose 3rd-person present
# states a duty in contract prose; anything else in the present is still a weaker cue
PRESCRIPTIVE_LEMMAS = frozenset({
    "transmettre", "remettre", "procéder", "notifier", "remplacer", "livrer", "exécuter",
    "assurer", "informer", "adresser", "fournir", "communiquer", "justifier", "respecter",
    "garantir", "signaler", "aviser", "prévenir", "désigner", "produire", "mettre", "réaliser",
    "effectuer", "établir", "tenir", "participer", "présenter", "reprendre", "enlever",
    "évacuer", "corriger", "rétablir", "intervenir", "réparer", "restituer", "détruire",
    "conserver", "déclarer", "souscrire", "veiller", "accuser", "apporter", "organiser",
    "prendre", "remédier", "inviter", "prononcer", "payer", "verser", "régler", "envoyer",
    "répondre", "traiter", "héberger", "sauvegarder", "maintenir", "former", "contrôler",
    "vérifier", "indiquer", "joindre", "déposer", "faire", "supporter", "valider",
})


# The small tagger sometimes reads a 3rd-person present as an adjective or a noun
# (« convoque », « diffuse »): these written forms are recognised as a fallback.
_EXTRA_ER_VERBS = ("convoquer", "diffuser", "alerter", "archiver", "contacter", "documenter",
                   "emballer", "étiqueter", "installer", "nettoyer", "planifier", "renseigner",
                   "actualiser", "accompagner", "préparer", "rédiger", "retourner", "signer", "tester")
_IRREGULAR_FORMS = {
    "remet": "remettre", "transmet": "transmettre", "met": "mettre", "produit": "produire",
    "fournit": "fournir", "établit": "établir", "rétablit": "rétablir", "prend": "prendre",
    "reprend": "reprendre", "intervient": "intervenir", "tient": "tenir", "maintient": "maintenir",
    "fait": "faire", "répond": "répondre", "détruit": "détruire", "garantit": "garantir",
    "souscrit": "souscrire", "prévient": "prévenir", "remplit": "remplir", "conduit": "conduire",
}


def _present_forms() -> dict[str, str]:
    forms = {}
    for lemma in (*PRESCRIPTIVE_LEMMAS, *_EXTRA_ER_VERBS):
        if lemma.endswith("er"):
            stem = lemma[:-2]
            # procéder -> procède, compléter -> complète: the last é opens before a mute e
            opened = re.sub(r"é([^aeiouyéèê]+)$", r"è\1", stem)
            for base in {stem, opened}:
                forms[base + "e"] = lemma
                forms[base + "ent"] = lemma
    forms.update(_IRREGULAR_FORMS)
    forms.update({form + "nt" if form.endswith("e") else form: lemma for form, lemma in list(_IRREGULAR_FORMS.items())})
    return forms


PRESENT_FORMS = _present_forms()
_DETERMINERS = frozenset({"le", "la", "les", "l'", "l’", "un", "une", "des", "du", "de", "ce", "cette",
                          "chaque", "toute", "tout", "sa", "son", "ses", "leur", "leurs", "au", "aux"})


@dataclass(frozen=True)
class Cue:
    """One verbal cue in a sentence: what kind, which lemma, where (token index)."""

    kind: str  # engagement | tenu | devoir | charge | option | prohibition | passive | present | future
    lemma: str
    index: int


if not Doc.has_extension("vigie_cues"):
    Doc.set_extension("vigie_cues", default=())


def _feat(morph: MorphAnalysis, name: str) -> list[str]:
    return list(morph.get(name, []))


def _previous(doc: Doc, i: int, n: int = 2) -> list[str]:
    return [t.lower_ for t in doc[max(0, i - n):i]]


def find_cues(doc: Doc) -> tuple[Cue, ...]:
    cues: list[Cue] = []
    for tok in doc:
        lemma = tok.lemma_.lower()
        lower = tok.lower_
        prev = _previous(doc, tok.i)
        morph = tok.morph
        if (lemma == "engager" or lower.startswith("engage")) and any(p in ("s'", "s’", "se", "m'", "m’", "me", "nous") for p in prev):
            cues.append(Cue("engagement", lemma, tok.i))
        elif lower in ("tenu", "tenue", "tenus", "tenues", "chargé", "chargée", "chargés", "chargées") and any(
            p in ("est", "sont", "sera", "seront", "demeure", "reste") for p in prev
        ):
            cues.append(Cue("tenu", "tenir", tok.i))
        elif lemma == "devoir" and tok.pos_ in ("VERB", "AUX") and "Ind" in _feat(morph, "Mood"):
            cues.append(Cue("devoir", lemma, tok.i))
        elif lower in ("incombe", "incombent", "appartient"):
            cues.append(Cue("charge", lemma, tok.i))
        elif lemma == "pouvoir" and tok.pos_ in ("VERB", "AUX"):
            # « ne peut sous-traiter » forbids: a duty not to act, unlike « peut »
            negated = any(p in ("ne", "n'", "n’") for p in prev)
            cues.append(Cue("prohibition" if negated else "option", lemma, tok.i))
        elif tok.pos_ == "VERB" and "Part" in _feat(morph, "VerbForm") and any(
            p in ("est", "sont", "sera", "seront", "être") for p in prev
        ):
            cues.append(Cue("passive", lemma, tok.i))
        elif tok.pos_ == "AUX" and lemma in ("être", "avoir") and any(
            "Part" in _feat(t.morph, "VerbForm") for t in doc[tok.i + 1:tok.i + 3]
        ):
            continue  # « est tenu », « sont remplacés »: the participle carries the cue
        elif lower in ("fait", "font") and tok.i + 1 < len(doc) and doc[tok.i + 1].lower_ in ("l'", "l’", "l'objet"):
            cues.append(Cue("present", "faire", tok.i))  # « fait l'objet de »: tagged as a participle
        elif lower in PRESENT_FORMS and (
            # « invite » tagged as a participle is still a present: participles never end in -e
            not {"Inf", "Part"} & set(_feat(morph, "VerbForm")) or lower.endswith(("e", "ent"))
        ) and (
            tok.i > 0 and doc[tok.i - 1].lower_ not in _DETERMINERS
        ):
            cues.append(Cue("present", PRESENT_FORMS[lower], tok.i))
        elif tok.pos_ in ("VERB", "AUX") and "Ind" in _feat(morph, "Mood") and "3" in _feat(morph, "Person"):
            tense = _feat(morph, "Tense")
            if "Pres" in tense:
                cues.append(Cue("present", lemma, tok.i))
            elif "Fut" in tense:
                cues.append(Cue("future", lemma, tok.i))
    return tuple(cues)


@Language.factory(
    CUES_COMPONENT,
    requires=["token.lemma", "token.pos", "token.morph"],
    assigns=["doc._.vigie_cues"],
)
def make_obligation_cues(nlp: Language, name: str) -> ObligationCues:
    return ObligationCues()


class ObligationCues:
    """Marks the verbal cues of duty, option and passive voice on each Doc."""

    def __call__(self, doc: Doc) -> Doc:
        doc._.vigie_cues = find_cues(doc)
        return doc


@Language.factory(DURATIONS_COMPONENT, requires=[], assigns=["doc.spans"])
def make_duration_spans(nlp: Language, name: str) -> DurationSpans:
    return DurationSpans()


class DurationSpans:
    """Lays the normalised durations on the Doc as a span group (label = unit)."""

    def __call__(self, doc: Doc) -> Doc:
        spans: list[Span] = []
        for duration, start, end in find_durations(doc.text):
            span = doc.char_span(start, end, label=duration.unit, alignment_mode="expand")
            if span is not None:
                spans.append(span)
        doc.spans[DURATION_SPANS] = spans
        return doc


def durations_of(doc: Doc) -> list[tuple[Duration, int, int]]:
    """Durations as the normalisers read them, with character offsets in the Doc."""
    return find_durations(doc.text)


_lock = threading.Lock()
_nlp: Language | None = None


def build_pipeline() -> Language:
    """A fresh pipeline (tests); the product uses `get_pipeline`."""
    nlp = spacy.load(MODEL_PACKAGE, disable=list(DISABLED))
    nlp.add_pipe(CUES_COMPONENT, last=True)
    nlp.add_pipe(DURATIONS_COMPONENT, last=True)
    return nlp


def get_pipeline() -> Language:
    """The process-wide pipeline, built on first use."""
    global _nlp
    with _lock:
        if _nlp is None:
            _nlp = build_pipeline()
        return _nlp


@dataclass(frozen=True)
class SentenceFacts:
    """What the pipeline learnt about one sentence, detached from spaCy objects so that
    it survives `memory_zone` and can be shared by the extractors."""

    start: int
    end: int
    text: str
    cues: tuple[Cue, ...]
    lemmas: tuple[str, ...]
    tokens: tuple[str, ...]
    pos: tuple[str, ...] = ()
    offsets: tuple[int, ...] = ()  # each token's character offset inside `text`


def analyse_sentences(texts: Iterable[tuple[int, int, str]], *, batch_size: int = 64) -> Iterator[SentenceFacts]:
    """Run the pipeline over (start, end, text) sentences in batches, releasing spaCy's
    per-batch strings and vocab entries afterwards (long-lived workers stay flat)."""
    nlp = get_pipeline()
    items = list(texts)
    for i in range(0, len(items), batch_size):
        batch = items[i:i + batch_size]
        with nlp.memory_zone():
            docs = nlp.pipe((t for _, _, t in batch), batch_size=batch_size)
            out = [
                SentenceFacts(s, e, t, doc._.vigie_cues, tuple(tok.lemma_ for tok in doc),
                              tuple(tok.text for tok in doc), tuple(tok.pos_ for tok in doc),
                              tuple(tok.idx for tok in doc))
                for (s, e, t), doc in zip(batch, docs)
            ]
        yield from out


def document_sentences(text: str, *, max_chars: int = 1200) -> list[SentenceFacts]:
    """Every sentence of a document through the pipeline. Over-long "sentences" (a table
    flattened into one line) are cut so the tagger's cost stays linear."""
    from nlp.sentences import sentence_spans  # B's splitter: rules tuned for contract text

    triples = []
    for start, end in sentence_spans(text):
        end = min(end, start + max_chars)
        heading = _HEADING_LINE.match(text, start, end)
        if heading and heading.end() < end and text[heading.end():end].strip():
            start = heading.end()  # « 12.2 – Résiliation\nEn cas de… »: the quote is the sentence
        chunk = text[start:end]
        if chunk.strip():
            triples.append((start, end, chunk))
    return list(analyse_sentences(triples))


# a numbered heading line glued to the sentence under it (no final punctuation, short); a line
# the next one continues in lower case is an inline paragraph wrapped by the PDF layout
# (« 6.1 Le titulaire se fait représenter … hebdomadaire » / « de chantier. »), not a heading
_HEADING_LINE = re.compile(
    r"[ \t]*(?:(?:article|art\.?)\s+)?\d+(?:\.\d+)*\.?\s*[-–—:.)]?[ \t]+[^\n]{0,110}(?<![.;:,])[ \t]*\n\s*"
    r"(?!(?-i:[a-zà-ÿœ(]))",
    re.IGNORECASE,
)
