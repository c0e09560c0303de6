"""Learned models: a whole scikit-learn Pipeline persisted beside a manifest.

The manifest records what the artifact was built from (library versions, SHA-256 of the
training file, cross-validation metrics, creation time). At load time a manifest that does
not match the running libraries or the current training data triggers a retrain, so an
upgrade of scikit-learn or an edit of a training file can never serve a stale model.
Artifacts live in a cache directory (never in git): argument, else `VIGIE_MODEL_DIR`,
else `~/.cache/vigie/models`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import platform
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib
import numpy
import scipy
import sklearn
from sklearn.model_selection import StratifiedKFold, cross_validate
from sklearn.pipeline import Pipeline

log = logging.getLogger(__name__)

MANIFEST_FORMAT = 1
_MODEL_FILE = "model.joblib"
_MANIFEST_FILE = "manifest.json"


@dataclass(frozen=True)
class ModelSpec:
    """What it takes to (re)build one model.

    `version` is bumped by hand when `build` or the feature code changes in a way the
    data hash cannot see.
    """

    name: str
    version: str
    data_files: tuple[Path, ...]
    build: Callable[[], Pipeline]
    load_examples: Callable[[Sequence[Path]], tuple[list[str], list[str]]]


@dataclass(frozen=True)
class LoadedModel:
    pipeline: Pipeline
    manifest: dict[str, Any]
    retrained: bool


def default_model_dir() -> Path:
    env = os.environ.get("VIGIE_MODEL_DIR")
    if env:
        return Path(env)
    return Path.home() / ".cache" / "vigie" / "models"


def library_versions() -> dict[str, str]:
    return {
        "python": platform.python_version(),
        "scikit-learn": sklearn.__version__,
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "joblib": joblib.__version__,
    }


def data_sha256(files: Sequence[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(files, key=lambda p: p.name):
        digest.update(path.name.encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def expected_identity(spec: ModelSpec) -> dict[str, Any]:
    """The manifest fields that must match for an artifact to be reused."""
    return {
        "format": MANIFEST_FORMAT,
        "name": spec.name,
        "spec_version": spec.version,
        "versions": library_versions(),
        "data_sha256": data_sha256(spec.data_files),
    }


def manifest_matches(manifest: dict[str, Any], spec: ModelSpec) -> bool:
    identity = expected_identity(spec)
    return all(manifest.get(key) == value for key, value in identity.items())


def cross_validation_metrics(spec: ModelSpec, texts: list[str], labels: list[str]) -> dict[str, Any]:
    smallest = min(labels.count(label) for label in set(labels))
    folds = max(2, min(5, smallest))
    if smallest < 2:
        return {"folds": 0, "note": "classe trop petite pour une validation croisée"}
    scores = cross_validate(
        spec.build(), texts, labels,
        cv=StratifiedKFold(n_splits=folds, shuffle=True, random_state=0),
        scoring=("accuracy", "f1_macro"),
    )
    return {
        "folds": folds,
        "accuracy": round(float(scores["test_accuracy"].mean()), 4),
        "f1_macro": round(float(scores["test_f1_macro"].mean()), 4),
    }


def train(spec: ModelSpec, *, with_metrics: bool = True) -> tuple[Pipeline, dict[str, Any]]:
    texts, labels = spec.load_examples(spec.data_files)
    metrics = cross_validation_metrics(spec, texts, labels) if with_metrics else {}
    pipeline = spec.build()
    pipeline.fit(texts, labels)
    manifest = {
        **expected_identity(spec),
        "n_examples": len(texts),
        "labels": sorted(set(labels)),
        "metrics": metrics,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    return pipeline, manifest


def _write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def save(pipeline: Pipeline, manifest: dict[str, Any], directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    # model first, manifest last: a crash in between leaves no manifest, hence a retrain
    _write_atomic(directory / _MODEL_FILE, lambda p: joblib.dump(pipeline, p))
    def write_manifest(path: Path) -> None:
        path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")

    _write_atomic(directory / _MANIFEST_FILE, write_manifest)


def read_manifest(directory: Path) -> dict[str, Any] | None:
    try:
        loaded = json.loads((directory / _MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return loaded if isinstance(loaded, dict) else None


def load_or_train(spec: ModelSpec, *, cache_dir: Path | None = None) -> LoadedModel:
    """Load the cached artifact when its manifest matches, else retrain and store it."""
    directory = (cache_dir or default_model_dir()) / spec.name
    manifest = read_manifest(directory)
    if manifest is not None and manifest_matches(manifest, spec):
        try:
            # our own artifact, written by `save` into the model cache directory
            pipeline = joblib.load(directory / _MODEL_FILE)
            return LoadedModel(pipeline, manifest, retrained=False)
        except Exception as exc:  # corrupt or truncated file: rebuild rather than fail
            log.warning("modèle %s illisible (%s) : réentraînement", spec.name, exc)
    elif manifest is not None:
        log.info("manifeste du modèle %s périmé : réentraînement", spec.name)
    pipeline, manifest = train(spec)
    try:
        save(pipeline, manifest, directory)
    except OSError as exc:  # read-only cache: serve the fresh model anyway
        log.warning("impossible d'enregistrer le modèle %s : %s", spec.name, exc)
    return LoadedModel(pipeline, manifest, retrained=True)


_process_cache: dict[tuple[str, str], LoadedModel] = {}
_lock = threading.Lock()


def get_model(spec: ModelSpec, *, cache_dir: Path | None = None) -> LoadedModel:
    """Once per process: heavy models are loaded once per worker, not per document."""
    key = (spec.name, str(cache_dir or default_model_dir()))
    with _lock:
        if key not in _process_cache:
            _process_cache[key] = load_or_train(spec, cache_dir=cache_dir)
        return _process_cache[key]


def read_jsonl(files: Sequence[Path], text_key: str, label_key: str) -> tuple[list[str], list[str]]:
    texts: list[str] = []
    labels: list[str] = []
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            texts.append(str(row[text_key]))
            labels.append(str(row[label_key]))
    return texts, labels
