"""The spaCy pipeline and its components, on hand-built Docs; learned-model manifests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from spacy.tokens import Doc

from nlp import learned
from nlp.pipeline import (
    CUES_COMPONENT,
    DURATION_SPANS,
    DURATIONS_COMPONENT,
    ObligationCues,
    analyse_sentences,
    get_pipeline,
)


@pytest.fixture(scope="module")
def nlp():  # type: ignore[no-untyped-def]
    return get_pipeline()


def hand_built(nlp, words: list[str], pos: list[str], lemmas: list[str], morphs: list[str]) -> Doc:  # type: ignore[no-untyped-def]
    return Doc(nlp.vocab, words=words, pos=pos, lemmas=lemmas, morphs=morphs)


def test_pipeline_is_built_once_and_skips_the_parser(nlp) -> None:  # type: ignore[no-untyped-def]
    assert get_pipeline() is nlp
    assert "parser" not in nlp.pipe_names and "ner" not in nlp.pipe_names
    assert nlp.pipe_names[-2:] == [CUES_COMPONENT, DURATIONS_COMPONENT]
    meta = nlp.get_pipe_meta(CUES_COMPONENT)
    assert "token.morph" in meta.requires and "doc._.vigie_cues" in meta.assigns


def test_cue_component_on_a_hand_built_doc(nlp) -> None:  # type: ignore[no-untyped-def]
    doc = hand_built(
        nlp,
        ["Le", "titulaire", "remet", "le", "rapport", "et", "peut", "le", "compléter"],
        ["DET", "NOUN", "VERB", "DET", "NOUN", "CCONJ", "VERB", "PRON", "VERB"],
        ["le", "titulaire", "remettre", "le", "rapport", "et", "pouvoir", "le", "compléter"],
        ["", "", "Mood=Ind|Number=Sing|Person=3|Tense=Pres|VerbForm=Fin", "", "", "",
         "Mood=Ind|Number=Sing|Person=3|Tense=Pres|VerbForm=Fin", "", "VerbForm=Inf"],
    )
    doc = ObligationCues()(doc)
    assert [(c.kind, c.lemma, c.index) for c in doc._.vigie_cues] == [
        ("present", "remettre", 2), ("option", "pouvoir", 6)]


def test_engagement_and_passive_cues_on_hand_built_docs(nlp) -> None:  # type: ignore[no-untyped-def]
    engage = hand_built(nlp, ["Il", "s'", "engage", "à", "livrer"], ["PRON", "PRON", "VERB", "ADP", "VERB"],
                        ["il", "se", "engager", "à", "livrer"],
                        ["", "", "Mood=Ind|Person=3|Tense=Pres", "", "VerbForm=Inf"])
    passive = hand_built(nlp, ["Les", "lots", "sont", "livrés"], ["DET", "NOUN", "AUX", "VERB"],
                         ["le", "lot", "être", "livrer"],
                         ["", "", "Mood=Ind|Person=3|Tense=Pres", "VerbForm=Part"])
    assert [c.kind for c in ObligationCues()(engage)._.vigie_cues] == ["engagement"]
    assert "passive" in [c.kind for c in ObligationCues()(passive)._.vigie_cues]


def test_duration_component_lays_spans(nlp) -> None:  # type: ignore[no-untyped-def]
    doc = nlp("Le titulaire livre sous quinze (15) jours calendaires.")
    assert [(s.text, s.label_) for s in doc.spans[DURATION_SPANS]] == [("quinze (15) jours calendaires", "jour")]


def test_batches_in_memory_zone_return_plain_facts() -> None:
    triples = [(0, 40, "Le titulaire transmet le planning."), (41, 80, "L'acheteur peut refuser.")]
    facts = list(analyse_sentences(triples, batch_size=1))
    assert [f.start for f in facts] == [0, 41]
    assert [c.kind for c in facts[0].cues] == ["present"]
    assert facts[1].cues[0].kind == "option"
    assert facts[0].offsets[2] == facts[0].text.index("transmet")


# --------------------------------------------------------------------------- learned models

def tiny_spec(data: Path, version: str = "1") -> learned.ModelSpec:
    return learned.ModelSpec(
        name="tiny",
        version=version,
        data_files=(data,),
        build=lambda: Pipeline([("v", TfidfVectorizer()), ("c", LogisticRegression())]),
        load_examples=lambda files: learned.read_jsonl(files, "text", "label"),
    )


def write_examples(path: Path, extra: str = "") -> None:
    rows = [{"text": f"retard de livraison {i} {extra}", "label": "retard"} for i in range(4)]
    rows += [{"text": f"facture payée {i} {extra}", "label": "paiement"} for i in range(4)]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")


def test_manifest_records_provenance_and_is_reused(tmp_path: Path) -> None:
    data = tmp_path / "ex.jsonl"
    write_examples(data)
    first = learned.load_or_train(tiny_spec(data), cache_dir=tmp_path / "cache")
    assert first.retrained
    manifest = json.loads((tmp_path / "cache" / "tiny" / "manifest.json").read_text())
    assert manifest["data_sha256"] == learned.data_sha256([data])
    assert manifest["versions"]["scikit-learn"] == learned.library_versions()["scikit-learn"]
    assert manifest["metrics"]["folds"] >= 2 and 0.0 <= manifest["metrics"]["accuracy"] <= 1.0
    assert manifest["created_at"]
    again = learned.load_or_train(tiny_spec(data), cache_dir=tmp_path / "cache")
    assert not again.retrained
    assert again.pipeline.predict(["retard de livraison"])[0] == "retard"


def test_retrains_when_data_or_library_versions_change(tmp_path: Path) -> None:
    data = tmp_path / "ex.jsonl"
    write_examples(data)
    cache = tmp_path / "cache"
    learned.load_or_train(tiny_spec(data), cache_dir=cache)
    write_examples(data, extra="modifié")
    assert learned.load_or_train(tiny_spec(data), cache_dir=cache).retrained
    manifest_path = cache / "tiny" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["versions"]["scikit-learn"] = "0.0.1"
    manifest_path.write_text(json.dumps(manifest))
    assert learned.load_or_train(tiny_spec(data), cache_dir=cache).retrained


def test_corrupt_artifact_is_rebuilt(tmp_path: Path) -> None:
    data = tmp_path / "ex.jsonl"
    write_examples(data)
    cache = tmp_path / "cache"
    learned.load_or_train(tiny_spec(data), cache_dir=cache)
    (cache / "tiny" / "model.joblib").write_bytes(b"not a model")
    assert learned.load_or_train(tiny_spec(data), cache_dir=cache).retrained


def test_default_dir_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("VIGIE_MODEL_DIR", str(tmp_path))
    assert learned.default_model_dir() == tmp_path
    monkeypatch.delenv("VIGIE_MODEL_DIR")
    assert learned.default_model_dir().parts[-3:] == (".cache", "vigie", "models")


def test_document_sentences_drop_a_heading_glued_to_its_sentence() -> None:
    from nlp.pipeline import document_sentences

    text = "Préambule.\n4.2 – Réunions de chantier\nLe titulaire assiste à chaque réunion."
    facts = document_sentences(text)
    assert facts[-1].text == "Le titulaire assiste à chaque réunion."
    assert all("chantier\n" not in f.text for f in facts)
    assert all(text[f.start:f.end] == f.text for f in facts)
