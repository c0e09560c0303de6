"""Document kind: strong textual cues first, a learned text classifier second.

Rules look at what a reader looks at: the title lines, the « Objet : » line or e-mail
subject, and who writes (the buyer or the titulaire). When a rule fires, its kind wins and
the model only modulates the confidence; when none fires, the model decides with a capped
confidence so that the product shows « à vérifier ». File names are ignored on purpose:
in real files they are `scan_0042.pdf`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import FeatureUnion, Pipeline

from models.domain.types import DOCUMENT_KINDS, ParsedDocument
from nlp.learned import ModelSpec, get_model, read_jsonl
from nlp.normalize.text import fold

Side = Literal["acheteur", "titulaire"]

TRAINING_FILE = Path(__file__).parent / "training" / "kinds.jsonl"
MODEL_TEXT_CHARS = 3000  # the head of a document carries its kind; the rest is noise
TITULAIRE_KINDS = frozenset({"courrier_titulaire", "contestation", "reclamation"})
ACT_KINDS = frozenset({"mise_en_demeure", "notification_penalites", "invitation_observations", "pv_constat",
                       "decision_resiliation", "ordre_de_service", "relance", "reclamation", "contestation"})
MODEL_FLOOR = 0.3  # below this, the model's pick of a formal act is not trusted
RULE_FLOOR = 0.75  # confidence of a fired rule before the model's agreement is added
BODY_RULE_FLOOR = 0.5  # a cue read in the body's sentences is weaker than a title: shown as sure (>= 0.6)
# only when the calibrated model gives that kind at least 0.2
MODEL_SURE = 0.85  # a model-only answer is shown as sure only above this calibrated probability
UNSURE = 0.59  # just under the UI's « à vérifier » threshold (0.6)
MODEL_CAP = 0.7
SIGNATURE_CHARS = 250  # the signature block closes the letter
TITLE_LINES = 25  # cover pages put the buyer, the procedure and logos before the title  # a model-only answer is never fully trusted


# --------------------------------------------------------------------------- model

class TemperatureScaledLogit(ClassifierMixin, BaseEstimator):  # type: ignore[misc]  # sklearn is untyped
    """Logistic regression whose probabilities are rescaled by one temperature.

    With twenty classes and a dozen short examples each, a regularised logistic regression
    ranks well but spreads its probability thin (the right class at 0.2 is typical): the
    confidence shown to users would mean nothing. The temperature is fitted on out-of-fold
    scores of the training set (minimum log-loss), the textbook temperature scaling, so that
    a probability of 0.7 is right about 70 % of the time."""

    def __init__(self, C: float = 30.0, folds: int = 3) -> None:
        self.C = C
        self.folds = folds

    def _logit(self) -> LogisticRegression:
        # newton-cg: a few exact steps, four times faster than lbfgs on these sparse features
        return LogisticRegression(C=self.C, max_iter=3000, class_weight="balanced", solver="newton-cg")

    def fit(self, X, y):  # type: ignore[no-untyped-def]  # sklearn's untyped protocol
        labels = np.asarray(y)
        self.temperature_ = 1.0
        smallest = min(np.unique(labels, return_counts=True)[1])
        if smallest >= 2:
            cv = StratifiedKFold(n_splits=min(self.folds, int(smallest)), shuffle=True, random_state=0)
            scores = cross_val_predict(self._logit(), X, labels, cv=cv, method="decision_function")
            classes = np.unique(labels)
            truth = np.searchsorted(classes, labels)
            grid = np.geomspace(0.02, 2.0, 80)
            losses = [_nll(scores / t, truth) for t in grid]
            self.temperature_ = float(grid[int(np.argmin(losses))])
        self.model_ = self._logit().fit(X, labels)
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        return _softmax(self.model_.decision_function(X) / self.temperature_)

    def predict(self, X: Any) -> np.ndarray:
        return np.asarray(self.classes_[np.argmax(self.predict_proba(X), axis=1)])


def _softmax(scores: np.ndarray) -> np.ndarray:
    shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
    return np.asarray(shifted / shifted.sum(axis=1, keepdims=True))


def _nll(scores: np.ndarray, truth: np.ndarray) -> float:
    probs = _softmax(scores)
    return float(-np.mean(np.log(probs[np.arange(len(truth)), truth] + 1e-12)))


def _build_pipeline() -> Pipeline:
    features = FeatureUnion([
        ("word", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1,
                                 preprocessor=fold, token_pattern=r"(?u)\b\w[\w']+\b")),
        ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True,
                                 min_df=2, preprocessor=fold, max_features=40000)),
    ])
    return Pipeline([
        ("features", features),
        ("clf", TemperatureScaledLogit(C=30.0)),
    ])


KIND_MODEL = ModelSpec(
    name="document_kind",
    version="2",  # 2: temperature-scaled probabilities
    data_files=(TRAINING_FILE,),
    build=_build_pipeline,
    load_examples=lambda files: read_jsonl(files, "text", "kind"),
)


def model_probabilities(text: str, *, cache_dir: Path | None = None) -> dict[str, float]:
    model = get_model(KIND_MODEL, cache_dir=cache_dir).pipeline
    probs = model.predict_proba([text[:MODEL_TEXT_CHARS]])[0]
    return {str(label): float(p) for label, p in zip(model.classes_, probs)}


# --------------------------------------------------------------------------- reading the head

_SUBJECT_RE = re.compile(r"^[ \t>]*(?:objet|subject|sujet)\s*:\s*(.+)$", re.IGNORECASE | re.MULTILINE)
_SALUTATION = re.compile(r"(?i)^(madame|monsieur|mesdames|messieurs|bonjour|cher|chère)\b")
_HEADER_RE = {
    "from": re.compile(r"^[ \t]*(?:de|from|exp[ée]diteur)\s*:\s*(.+)$", re.IGNORECASE | re.MULTILINE),
    "to": re.compile(r"^[ \t]*(?:[àa]|to|destinataire)\s*:\s*(.+)$", re.IGNORECASE | re.MULTILINE),
}


@dataclass(frozen=True)
class Head:
    """The parts of a document's head that decide its kind (all folded)."""

    title: str  # first non-empty lines, before any « Objet »
    subject: str
    sender: str
    recipient: str
    body: str  # first MODEL_TEXT_CHARS characters
    is_letter: bool = False  # a salutation opens the text: a letter or an e-mail
    own: str = ""  # the body without the quoted or forwarded message below it (folded)
    tail: str = ""  # the last lines of the own message, where the signature is (folded)


_MAIL_FORMATS = frozenset({"eml", "msg", "email", "mbox"})


def _meta(parsed: ParsedDocument, key: str) -> str:
    """An e-mail header. PDF and DOCX properties (« subject: (unspecified) », an author that
    is whoever produced the file) say nothing about a letter and are ignored."""
    if parsed.format.lower() not in _MAIL_FORMATS:
        return ""
    for k, v in parsed.metadata.items():
        if k.lower() == key and v:
            return str(v)
    return ""


# scans read « 0bjet », « M1SE EN DEMEURE »: a 0 or 1 glued to letters is a letter
_OCR_ZERO = re.compile(r"(?<=[^\W\d_])0|0(?=[^\W\d_]{2})")
_OCR_ONE = re.compile(r"(?<=[^\W\d_])1(?=[^\W\d_])|(?<=[^\W\d_]{2})1\b")


def _ocr_fix(text: str) -> str:
    return _OCR_ONE.sub("i", _OCR_ZERO.sub("o", text))


def read_head(parsed: ParsedDocument) -> Head:
    text = _ocr_fix(parsed.text[:MODEL_TEXT_CHARS])
    subject = _ocr_fix(_meta(parsed, "subject"))
    if not subject:
        m = _SUBJECT_RE.search(text)
        if m:
            subject = m.group(1)
            # a subject wraps onto the next line until a blank line or the salutation
            following = text[m.end():].split("\n")[1:3]
            for line in following:
                if not line.strip() or re.match(r"(?i)\s*(madame|monsieur|bonjour)", line):
                    break
                subject += " " + line.strip()
    header_part = text[:1200]
    sender = _meta(parsed, "from")
    recipient = _meta(parsed, "to")
    if not sender and (m := _HEADER_RE["from"].search(header_part)):
        sender = m.group(1)
    if not recipient and (m := _HEADER_RE["to"].search(header_part)):
        recipient = m.group(1)
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    title_lines: list[str] = []
    salutation = False
    for line in lines[:TITLE_LINES]:
        if _SALUTATION.match(line):
            salutation = True
            break
        if not _SUBJECT_RE.match(line):
            title_lines.append(line)
    salutation = salutation or any(_SALUTATION.match(ln) for ln in lines[:40])
    return Head(
        title="\n".join(fold(x) for x in title_lines),
        subject=fold(" ".join(subject.split())),
        sender=fold(sender),
        recipient=fold(recipient),
        body=fold(text),
        is_letter=salutation,
        own=own_text(fold(text)),
        tail=_tail(own_text(fold(_ocr_fix(parsed.text)))),
    )


def _tail(own: str) -> str:
    return own.strip()[-SIGNATURE_CHARS:]


# where a reply or a forward starts quoting another message: its acts are not this one's
_QUOTE_START = re.compile(
    r"^\s*-{3,}[^\n]*(message|original|transf|forward)|^\s*le [^\n]{5,120}a ecrit\s?:|^\s*>|"
    r"^\s*(de|from)\s?:", re.MULTILINE)
_HEADER_LINE = re.compile(r"^\s*(de|from|a|to|cc|date|objet|subject|envoye|sent)\s?:", re.MULTILINE)


def own_text(body: str) -> str:
    """The body up to the first quoted message, skipping the e-mail's own header block."""
    start = 0
    for line in body.split("\n"):
        if line.strip() and not _HEADER_LINE.match(line):
            break
        start += len(line) + 1
    m = _QUOTE_START.search(body, start)
    return body[:m.start()] if m else body


# --------------------------------------------------------------------------- who writes

_BUYER_ORG = re.compile(
    r"\b(commune|mairie|ville de|communaute (?:d'agglomeration|de communes|urbaine)|agglomeration|"
    r"communautaire|departement|conseil departemental|region|conseil regional|metropole|"
    r"centre hospitalier|chu\b|hopita|universite|syndicat (?:intercommunal|mixte|departemental)|"
    r"sdis|prefecture|ministere|office public|oph\b|etablissement public|direction de la commande publique|"
    r"direction des achats|service (?:des marches|commande publique|achats)|pouvoir adjudicateur|"
    r"collectivite|le maire|le president|la presidente|\.gouv\.fr|"
    r"@(?:mairie|ville|agglo|cc-|ca-|cu-|departement|cd\d|region|metropole|chu|ch-|hopital|univ|sdis|"
    r"syndicat|smictom|sivom|sivu|oph|cg\d))"
)
_COMPANY = re.compile(
    r"\b(sas|sasu|sarl|eurl|sa|sca|snc|scop)\b|au capital de|siret|rcs\b|\bgerant\b|"
    r"\bsociete\b(?! publique)|\bentreprise\b|\bets\b"
)
_TITULAIRE_VOICE = re.compile(
    r"\bnous (contestons|accusons reception|reconnaissons|sollicitons|vous prions|refusons|"
    r"considerons que|ne pouvons accepter|vous transmettons|vous adressons)|"
    r"\bnotre societe\b|\bnos equipes\b|\bvotre (mise en demeure|courrier|courriel|decision|bon de commande|invitation)\b|"
    r"\bvos penalites\b|"
    # a company speaks of its own staff (« notre conducteur de travaux ne pourra pas assister »)
    r"\bnotre (conducteur de travaux|chef de chantier|chef d'equipe|technicien|intervenant|personnel|agence)\b"
)
_BUYER_VOICE = re.compile(
    r"\bje vous (mets|met) en demeure|\bvous (etes|serez) mis en demeure|\bnous vous mettons en demeure|"
    r"\bje vous (notifie|invite|informe)|\bnous vous (invitons|notifions)|\bvotre societe\b|"
    r"\b(j'envisage|nous envisageons|j'ai l'intention|nous avons l'intention)\b|\bdecide\s*:"
)


# « Monsieur le Maire, » opens a letter written to the buyer
_TO_BUYER_OFFICIAL = re.compile(
    r"(?m)^\s*(madame|monsieur) (le|la) (maire|president|presidente|directeur general des services|"
    r"directrice generale des services|prefet|prefete|vice-president|vice-presidente)\b")
# « À l'attention du maître d'œuvre »: written to the buyer's side (its project manager or services)
_FOR_BUYER_SIDE = re.compile(
    r"\ba l'attention (?:du|de la|de l') ?(?:maitre d'(?:oe|\u0153)uvre|maitre d'ouvrage|pouvoir adjudicateur|"
    r"acheteur|service des marches|president|presidente|maire)\b")
_SIGNED_BUYER = re.compile(r"\b(le|la) (maire|presidente?|directeur general des services|directrice generale des services)\b|"
                           r"\bpar delegation\b|\bpour le (maire|president)\b|\bl'adjoint(e)? (au|a la|delegue)")
_SIGNED_TITULAIRE = re.compile(r"\bgerante?\b|\b(sas|sasu|sarl|eurl)\b|\bcharge(e)? d'affaires\b|"
                               r"\b(responsable|directeur|directrice) (commercial|commerciale|d'agence|technique)\b")


def _signature_score(tail: str) -> float:
    """The signature block: who signs is who writes."""
    buyer, titulaire = bool(_SIGNED_BUYER.search(tail)), bool(_SIGNED_TITULAIRE.search(tail))
    return 1.0 if buyer and not titulaire else -1.0 if titulaire and not buyer else 0.0


def _org_score(text: str) -> tuple[int, int]:
    return len(_BUYER_ORG.findall(text)), len(_COMPANY.findall(text))


def sender_side(head: Head) -> Side | None:
    """Who writes: the buyer or the titulaire; None when nothing says it."""
    score = 0.0
    if head.sender:
        buyer, company = _org_score(head.sender)
        score += 2.0 * (buyer > 0) - 2.0 * (company > 0 and buyer == 0)
    if head.recipient:
        buyer, company = _org_score(head.recipient)
        score += -2.0 * (buyer > 0) + 2.0 * (company > 0 and buyer == 0)
    if not head.sender:
        # a postal letter: the letterhead is the first lines
        letterhead = "\n".join(head.title.split("\n")[:3])
        buyer, company = _org_score(letterhead)
        if buyer and not company:
            score += 1.5
        elif company and not buyer:
            score -= 1.5
        # the address block below the letterhead names the recipient
        block = "\n".join(head.title.split("\n")[3:12])
        r_buyer, r_company = _org_score(block)
        if r_buyer and not buyer and not r_company:
            score -= 1.5
    if _TO_BUYER_OFFICIAL.search(head.body) or _FOR_BUYER_SIDE.search(head.body[:1500]):
        score -= 1.0
    score += _signature_score(head.tail)
    score -= 1.0 * min(3, len(_TITULAIRE_VOICE.findall(head.body)))
    score += 1.0 * min(3, len(_BUYER_VOICE.findall(head.body)))
    if score >= 1.0:
        return "acheteur"
    if score <= -1.0:
        return "titulaire"
    return None


# --------------------------------------------------------------------------- rules

# A contract document announces itself in a title line (not in a sentence citing it).
# A title names its piece as a whole segment of the line: first (« CCAP — Marché n° … »), or
# after a separator (« Université de … — CCAP »); « l'article 9 du CCAP » in a sentence does not.
def _acronym_title(letters: str) -> str:
    acronym = r"\.?".join(letters) + r"\.?"
    return rf"^{acronym}\b|\s[-|]\s*{acronym}\s*(?:$|\(|n\W|du marche|de l'accord|[-|](?!\s*art))"


_TITLE_CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("ccap", re.compile(r"cahier des clauses administratives particulieres|" + _acronym_title("ccap"))),
    ("cctp", re.compile(r"cahier des clauses techniques particulieres|" + _acronym_title("cctp"))),
    ("ccag", re.compile(r"^(extraits?\W+(du )?)?(cahier des clauses administratives generales|ccag\b)"
                        r"|portant approbation du cahier des clauses administratives generales")),
    ("ae", re.compile(r"acte d'engagement|^a\.?e\.?$|^a\.?e\.? [-:]|formulaire attri1")),
    ("rc", re.compile(r"reglement (de la |de )?consultation|^r\.?c\.?$")),
    ("bpu", re.compile(r"bordereau (des |de )?prix|^b\.?p\.?u\b|decomposition du prix global|\bdpgf\b|"
                       r"detail quantitatif estimatif|\bdqe\b")),
)
_PIECE_PREFIX = re.compile(r"^([#*_>\s]+|piece\s*n\W*\s*\d+\s*[:\-]\s*|\d+\s*[-.)]\s*)")


# A line after one ending on a preposition or an article continues a sentence wrapped by the
# PDF layout (« … exigée par l'article 5 du » / « CCAP. »): it cites a document, it is no title.
_DANGLING_END = re.compile(r"\b(?:du|de|des|d'|le|la|les|l'|au|aux|a|et|ou|en|par|pour|sur|dans|son|sa|ses|"
                           r"leur|leurs|ce|cet|cette|un|une)\s*$")


def contract_kind_from_title(head: Head) -> str | None:
    if head.is_letter:  # a letter citing a CCAP is not a CCAP
        return None
    previous = ""
    for raw in head.title.split("\n"):
        wrapped, previous = bool(_DANGLING_END.search(previous)), raw.strip()
        if wrapped:
            continue
        line = _PIECE_PREFIX.sub("", raw.strip())
        if len(line) > 160 or line.startswith(("objet", "vu ", "conformement")):
            continue
        for kind, pattern in _TITLE_CUES:
            if pattern.search(line):
                return kind
    return None


_PENALTY = r"penalit"


def _has(pattern: str, *texts: str) -> bool:
    return any(re.search(pattern, t) for t in texts if t)


_CITATION_LINE = re.compile(r"^(vu|considerant|apres avoir|sur (la )?proposition)\b")


def buyer_act_kind(head: Head) -> str | None:
    """The buyer's written acts, recognised from the subject and title lines."""
    # an arrêté's « Vu le courrier invitant le titulaire … » cites earlier acts, it is not one
    head = replace(head, title="\n".join(ln for ln in head.title.split("\n") if not _CITATION_LINE.match(ln)))
    top = head.subject + "\n" + head.title
    if _has(r"proces-verbal de constat|pv de constat|constat (contradictoire|d'huissier|de non|d'anomalie)"
            r"|proces-verbal de constatation|^constat\b", head.title, head.subject):
        return "pv_constat"
    if _has(r"(proces-verbal|pv) (de reception|d'admission|d'ajournement|de rejet|de refaction|"
            r"des operations prealables|de verification)", top):
        return "pv_reception"
    if _has(r"^(ordre de service|os n)|\bordre de service n\W", head.title, head.subject):
        return "ordre_de_service"
    if _has(r"^avenant\b|\bavenant n\W|modification n\W\s*\d+ du marche|^modification du marche( public)? n\W|\bexe\s?10\b", head.title, head.subject):
        return "avenant"
    if _has(r"decompte", top) and _has(_PENALTY + r"|resiliation", top):
        return "notification_penalites"
    if _has(r"mise en demeure|mettons en demeure|mets en demeure", head.subject, head.title) \
            and not _has(r"votre mise en demeure|reponse|decision de resiliation|prononc|arrete", top):
        return "mise_en_demeure"
    if _has(r"resiliation", top) and _has(r"decision|arrete|notification|prononc|resiliation (pour|du|de l)", top):
        return "decision_resiliation"
    if _has(r"observations", top) and _has(_PENALTY + r"|invitation|contradictoire", top) \
            or _has(r"penalites? (envisagee|susceptible)|intention d'appliquer|projet d'application|"
                    r"procedure contradictoire|(information|courrier|avis) prealable|prealable a l'application", top):
        return "invitation_observations"
    if _has(_PENALTY, top) and _has(r"notification|notifi|decision|application|applique|retenue|"
                                    r"inflige|titre de recette", top):
        return "notification_penalites"
    if _has(r"^bon de commande|^bc n\W|\bbon de commande n\W", head.title) \
            and (not head.subject or not head.is_letter):
        return "bon_de_commande"
    if _has(r"\b(relance|rappel)\b", head.subject):
        return "relance"
    return None


_CONTEST = re.compile(
    r"contest|ne (pouvons|saurions) (pas )?accepter|\brefusons\b|non fondee|pas fondee|injustifi|"
    r"pas justifiee|(remise|annulation|abandon|retrait|reversement) (gracieuse )?(des|de ces|de la|de cette) penalit|"
    r"renoncer a (son|leur|cette|ces)|y renoncer|desaccord|pas d'accord|"
    r"annuler (cette|ces|la|les) (retenue|penalit|sanction)|\ba tort\b|reconsiderer (votre|cette|sa) (position|decision)|"
    r"ne pas (nous )?appliquer (ces|les|cette|la) penalit|\bn'existe (donc )?pas\b|"
    r"\bne (nous )?(est|sont) (donc |nullement |aucunement )?pas imputables?\b|\bsans fondement\b|"
    r"\b(abandonner|annuler|retirer|lever|renoncer a) (ces|les|cette|la|vos|votre) (penalit|sanction|retenue)"
)
# what a titulaire can dispute: a sanction the buyer imposed or announced
_DISPUTED = re.compile(r"penalit|retenue|mise en demeure|resiliation|refaction|ajournement|rejet|sanction")
# a formal claim: the mémoire en réclamation of the CCAG's dispute clause (GLOSSARY « réclamation »)
_CLAIM = re.compile(
    r"memoire (en|de) reclamation|reclamation chiffree|"
    r"(adressons|presentons|formulons|formons|deposons|transmettons|vaut)\b[^.\n]{0,60}\breclamation|"
    r"\bnotre differend\b|\bce differend\b|\ble differend (qui|relatif|portant)"
)


def titulaire_letter_kind(head: Head) -> str | None:
    own = head.own or head.body
    if _has(r"memoire (en|de) reclamation|\breclamation\b|\bdifferend\b", head.subject, head.title) \
            or _CLAIM.search(own):
        return "reclamation"
    if _CONTEST.search(head.subject) or (_CONTEST.search(own) and _DISPUTED.search(own + " " + head.subject)):
        return "contestation"
    if head.is_letter or head.sender or head.subject:
        return "courrier_titulaire"
    return None  # a certificate or a form the titulaire produced is not a letter: let the model say


# a reminder in the body of a buyer's mail that carries no formal act
_REMINDER = re.compile(
    r"\b(nous restons|je reste|restons) dans l'attente|sauf erreur de notre part|\btoujours pas (recu|livre|transmis|parvenu)|"
    r"\bn'avons (toujours )?pas (encore )?recu|\bme permets de vous relancer|\bvous relanc|\bdans les meilleurs delais\b|"
    r"\btoujours rien (recu|eu)|\bje n'ai toujours (rien|pas)|\bou en etes-vous|\bne nous (est|sont) (toujours )?pas (encore )?parvenu|"
    r"\b(devai(en)?t|etai(en)?t attendue?s?|etai(en)?t prevue?s?)\b[^?]{0,200}\b(pouvez|pourriez|merci de|quand|quelle date)"
)
_SANCTION = re.compile(r"mise en demeure|mettons en demeure|mets en demeure|penalit|resiliation|frais et risques")

# The act a buyer's letter performs, read in its own body (not in a quoted message).
_MED_ACT = re.compile(
    r"\b(je|nous) vous (mets|mettons) en demeure|\bvous met en demeure|\bmet en demeure (la societe|le titulaire|l'entreprise)|"
    r"(?<!ete )(?<!avait ete )\b(etes|est|sont) (mise?s?) en demeure d"
)
_RESIL_ACT = re.compile(
    r"\b(prononcant|prononce|portant|decide|decidons) (la )?resiliation|\b(est|sera) resilie\b[^.]{0,40}\b(a compter|a effet|aux torts)|"
    r"\bresilie aux torts|\b(ai|avons) decide de resilier"
)
_PENALTY_ENVISAGED = re.compile(
    r"envisag\w*[^.]{0,80}penalit|penalit[^.]{0,80}envisag|susceptibles? d'entrainer[^.]{0,60}penalit|"
    r"intention d'appliquer|projet d'application|penalit\w*[^.]{0,60}(pourrai(en)?t|seront susceptibles d')"
)
_INVITE_REPLY = re.compile(
    r"observations|explications|faire valoir|vos remarques|\bvotre position\b|faire part|procedure contradictoire|"
    r"contradictoire"
)
_PENALTY_DECIDED = re.compile(
    r"\b(ai|avons) decide d'appliquer|\bj'applique\b|\bnous appliquons\b|\bvous notifi\w* (l'application|les penalit|la penalit)|"
    r"\btitre de recettes?\b|\b(inflige|infligeons)\b|\ben consequence\b[^.]{0,120}\b(appliqu|retenu|deduit)|"
    r"penalit[^.]{0,80}\b(est|sont) (donc |ainsi )?(appliquee|retenue|infligee)s?\b(?! (par|en cas|pour chaque|a compter))"
)
# the letter that decides cites the earlier invitation and the titulaire's answer
_PAST_INVITATION = re.compile(
    r"\b(ai|avons) invite|\b(avez|avait) ete invitee?s?|\bvos observations (du|recues|en date|ne)|"
    r"\b(votre|vos) (reponse|observations|courrier) (du|en date du|recue?s? le)|\bdans votre reponse\b"
)
_PENALTY_RETAINED = re.compile(r"\b(sera|seront) (deduite?s?|retenue?s?|precomptee?s?|imputee?s?)\b|\bretenue sur\b")


def _announces_penalty(head: Head) -> bool:
    own = head.own or head.body
    return bool(_PENALTY_ENVISAGED.search(own) and _INVITE_REPLY.search(own)
                and not _PENALTY_DECIDED.search(own) and not _PAST_INVITATION.search(own))


def buyer_body_kind(head: Head) -> str | None:
    """A buyer's letter or e-mail without a telling subject: the act its own body performs.
    A letter that only mentions an act (« vu la mise en demeure du … ») does not perform it."""
    own = head.own or head.body
    # a mise en demeure threatens a résiliation (« à défaut, une décision portant résiliation… »);
    # a résiliation only cites the mise en demeure in the past: the present summons decides
    if _MED_ACT.search(own):
        return "mise_en_demeure"
    if _RESIL_ACT.search(own):
        return "decision_resiliation"
    has_penalty = "penalit" in own or "penalit" in head.subject
    if has_penalty and _PENALTY_DECIDED.search(own + "\n" + head.subject):
        return "notification_penalites"
    if _announces_penalty(head):
        return "invitation_observations"
    if has_penalty and _PENALTY_RETAINED.search(own):
        return "notification_penalites"
    if (head.is_letter or head.sender) and _REMINDER.search(own) and not _SANCTION.search(own):
        return "relance"
    return None


# A numbered article or clause opens the body of a regulated document (« Article 9 —
# Pénalités », « 9.1 Par dérogation… »): its title ends there, and what the articles say
# about penalties is the content of a contract, not the act of notifying them.
_ARTICLE_LINE = re.compile(r"^[#*_\s]*(?:article|art\.)\s*\d+(?:er)?\b|^[#*_\s]*\d{1,2}(?:\.\d{1,2})+\.?\s")


def _title_before_articles(head: Head) -> Head:
    lines = head.title.split("\n")
    cut = next((i for i, line in enumerate(lines) if _ARTICLE_LINE.match(line)), len(lines))
    return replace(head, title="\n".join(lines[:cut]))


_ARTICLE_HEADING = re.compile(r"(?m)^[#*_\s]*(?:article|art\.)\s*\d+(?:er)?\s*(?:[-:.)]|$)")
# an arrêté or a decision is also cut in articles, after its « Vu … » and « Arrête / Décide »
_ACT_PREAMBLE = re.compile(r"(?m)^[#*_\s]*(?:vu|considerant|arrete|decide|decidons|arretons)\b")
# a penalty priced in the text itself (« pénalité de 300 € HT par jour »), not one a CCTP
# sends to the CCAP (« pénalités prévues au CCAP »)
_PRICES_FAILINGS = re.compile(r"penalit[^.\n]{0,120}(?:€|\beuros?\b|\d\s?%)|(?:€|\beuros?\b)[^.\n]{0,80}penalit")


def _contract_structure(head: Head) -> bool:
    """A document cut in numbered articles that prices failings, with no letter, header or act
    preamble: the body of a CCAP even when its title does not name it (« Cahier des charges »)."""
    if head.is_letter or head.sender or head.subject or _ACT_PREAMBLE.search(head.body):
        return False
    return len(_ARTICLE_HEADING.findall(head.body)) >= 3 and bool(_PRICES_FAILINGS.search(head.body))


def rule_kind(head: Head) -> tuple[str | None, Side | None, bool]:
    """(kind, side, from_body): from_body tells a cue read in sentences from one read in a title."""
    side = sender_side(head)
    contract = contract_kind_from_title(head)
    if contract is not None:
        return contract, side, False
    if side == "titulaire":
        return titulaire_letter_kind(head), side, True
    if side != "acheteur" and (_has(r"(?m)^memoire\b[^\n]{0,40}\breclamation", head.title)
                               or _has(r"^memoire\b[^\n]{0,40}\breclamation", head.subject)):
        # a mémoire en réclamation names itself and only the titulaire writes one; the buyer's
        # « réponse à votre mémoire » is not one
        return "reclamation", "titulaire", False
    # the first title lines say what the document is; deeper lines may only cite other acts
    act = buyer_act_kind(replace(head, title="\n".join(head.title.split("\n")[:3]))) \
        or buyer_act_kind(_title_before_articles(head))
    if act == "notification_penalites" and _announces_penalty(head) \
            and not _has(r"notifi|decision|decompte|titre de recette", head.subject, head.title):
        # « Objet : pénalités de retard » over a body that only announces them and asks for observations
        return "invitation_observations", side, True
    if act is not None:
        return act, side, False
    if side == "acheteur" and _has(r"\breponse a (votre|vos)\b", head.subject):
        return "autre", side, False
    if _contract_structure(head):
        # read from the structure, not a title: shown « à vérifier » unless the model agrees
        return "ccap", side, True
    return buyer_body_kind(head), side, True


# --------------------------------------------------------------------------- entry point

def classify_kind(parsed: ParsedDocument, *, filename: str | None = None,
                  cache_dir: Path | None = None) -> tuple[str, float]:
    """(kind, confidence) of a parsed document. `filename` is accepted for the record but
    deliberately not used: names carry no meaning in real files."""
    del filename
    head = read_head(parsed)
    if not head.body.strip():
        return "autre", 0.0
    probs = _probs_cached(head.body, cache_dir)
    kind, side, from_body = rule_kind(head)
    if kind is not None:
        floor = BODY_RULE_FLOOR if from_body else RULE_FLOOR
        return kind, round(floor + (1 - floor) * probs.get(kind, 0.0), 3)
    if side == "acheteur":
        # the buyer does not write the titulaire's letters: keep only kinds it can send, without
        # renormalising (mass the model gave to a titulaire's letter is doubt, not support for
        # the runner-up: renormalised, a 0.08 « notification » became 0.35 and a formal act)
        probs = {k: p for k, p in probs.items() if k not in TITULAIRE_KINDS}
    best = max(probs, key=lambda k: probs[k])
    if best not in DOCUMENT_KINDS:
        return "autre", 0.0
    if probs[best] < MODEL_FLOOR and best in ACT_KINDS:
        # a weak guess must not turn a letter into a formal act: acts drive the breach
        # findings (« acted on »), so an unrecognised letter stays « autre », à vérifier
        return "autre", round(min(UNSURE, probs.get("autre", 0.0)), 3)
    # no rule saw what the document is: even a calibrated 0.8 is wrong one time in ten (cross-
    # validation), and a wrong sure kind is the worst outcome, so only a very sure model passes
    confidence = MODEL_CAP if probs[best] >= MODEL_SURE else min(UNSURE, probs[best])
    return best, round(confidence, 3)


def _probs_cached(body: str, cache_dir: Path | None) -> dict[str, float]:
    return dict(_probs(body, str(cache_dir) if cache_dir else ""))


@lru_cache(maxsize=256)
def _probs(body: str, cache_dir: str) -> tuple[tuple[str, float], ...]:
    return tuple(model_probabilities(body, cache_dir=Path(cache_dir) if cache_dir else None).items())
