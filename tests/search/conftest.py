"""Search test fixtures: a real OpenSearch node (session scope) and the backend factories.

OpenSearch comes from VIGIE_OPENSEARCH_URL when set, else from tools/search-node (started here
when java and mvn are present). Without either the OpenSearch tests are skipped, except under
CI=true, where a missing node is a failure: CI must run the same suite on both engines.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from search.embedded import EmbeddedBackend
from search.records import SearchRecord

ROOT = Path(__file__).resolve().parents[2]
NODE_DIR = ROOT / "tools" / "search-node"


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"OpenSearch requis en CI : {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    """A port whose neighbour +100 (the node's transport port) is free too."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        if port + 100 > 65535:
            continue
        try:
            with socket.socket() as s:
                s.bind(("127.0.0.1", port + 100))
        except OSError:
            continue
        return port
    raise RuntimeError("aucun port libre pour le nœud OpenSearch de test")


@pytest.fixture(scope="session")
def opensearch_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = os.environ.get("VIGIE_OPENSEARCH_URL")
    if url:
        yield url
        return
    if not (shutil.which("java") and shutil.which("mvn")):
        _unavailable("OpenSearch indisponible : VIGIE_OPENSEARCH_URL absent et java/mvn introuvables "
                     "pour démarrer tools/search-node")
    port = _free_port()
    env = dict(os.environ, VIGIE_SEARCH_NODE_STATE=str(tmp_path_factory.mktemp("search-node")))
    started = subprocess.run([str(NODE_DIR / "run.sh"), str(port)], env=env, capture_output=True, text=True,
                             timeout=900)
    if started.returncode != 0:
        _unavailable(f"le nœud OpenSearch n'a pas démarré : {started.stderr.strip()[-2000:]}")
    try:
        yield started.stdout.strip().splitlines()[-1]
    finally:
        subprocess.run([str(NODE_DIR / "stop.sh"), str(port)], env=env, capture_output=True, timeout=60)


# Elasticsearch joins the suite only when a server is given; otherwise its adapter is checked on
# the requests it builds (test_dsl.py).
ENGINES = ["embedded", pytest.param("opensearch", marks=pytest.mark.opensearch)] + (
    ["elasticsearch"] if os.environ.get("VIGIE_ELASTICSEARCH_URL") else []
)


@pytest.fixture(params=ENGINES)
def make_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], object]]:
    """Factory of empty backends of the parametrised kind (each call: a fresh index)."""
    created: list[object] = []

    def factory() -> object:
        if request.param == "embedded":
            backend: object = EmbeddedBackend(tmp_path / f"ix-{len(created)}")
        elif request.param == "elasticsearch":
            from search.elasticsearch_backend import ElasticsearchBackend

            url = os.environ["VIGIE_ELASTICSEARCH_URL"]
            backend = ElasticsearchBackend(url, f"test-{uuid.uuid4().hex[:10]}")
        else:
            from search.opensearch_backend import OpenSearchBackend

            url = request.getfixturevalue("opensearch_url")
            backend = OpenSearchBackend(url, f"test-{uuid.uuid4().hex[:10]}")
        created.append(backend)
        return backend

    yield factory
    for backend in created:
        drop = getattr(backend, "drop", None)
        if drop is not None:
            drop()
        backend.close()  # type: ignore[attr-defined]


# -- a small hand-written portfolio (three buyers' styles, invented text) -----------------------


def clause(id: str, **kw: object) -> SearchRecord:
    base: dict[str, object] = {"record_type": "clause", "document_id": f"doc-{kw.get('contract_ref', 'x')}"}
    base.update(kw)
    return SearchRecord(id=id, **base)  # type: ignore[arg-type]


RECORDS: tuple[SearchRecord, ...] = (
    clause("voirie-7", path="contrats/VOI-2023-11/ccap.pdf", contract_ref="VOI-2023-11",
           supplier="Routes et Enrobés de l'Ouest", supplier_siret="11122233300014", ccag="Travaux",
           doc_kind="ccap", clause_type="penalite", year=2023, article="7.3", page=12,
           heading="Pénalités pour retard d'exécution",
           text="Par dérogation à l'article 19.2.1 du CCAG, tout retard dans l'achèvement des travaux "
                "donne lieu à une pénalité journalière de 400 € HT, sans mise en demeure préalable."),
    clause("voirie-8", path="contrats/VOI-2023-11/ccap.pdf", contract_ref="VOI-2023-11",
           supplier="Routes et Enrobés de l'Ouest", ccag="Travaux", doc_kind="ccap",
           clause_type="penalite", year=2023, article="7.6", page=13, heading="Plafonnement",
           text="Le montant cumulé des pénalités est plafonné à 5 % du montant total du marché."),
    clause("info-12", path="contrats/INF-2024-02/CCAP.docx", contract_ref="INF-2024-02",
           supplier="Nuagique SAS", supplier_siret="55566677700021", ccag="TIC", doc_kind="ccap",
           clause_type="fin_contrat", year=2024, article="12", heading="Réversibilité",
           text="À l'échéance, le prestataire restitue les données dans un format ouvert et assiste "
                "l'administration pendant la phase de transfert vers le nouveau prestataire."),
    clause("info-13", path="contrats/INF-2024-02/CCAP.docx", contract_ref="INF-2024-02",
           supplier="Nuagique SAS", ccag="TIC", doc_kind="ccap", clause_type="resiliation", year=2024,
           article="13.2", heading="Résiliation pour faute du titulaire",
           text="Lorsque le titulaire manque gravement à ses obligations, la personne publique peut "
                "résilier le marché à ses frais et risques après une mise en demeure restée sans effet."),
    clause("info-5", path="contrats/INF-2024-02/CCAP.docx", contract_ref="INF-2024-02",
           supplier="Nuagique SAS", ccag="TIC", doc_kind="ccap", clause_type="paiement", year=2024,
           article="5.1", heading="Modalités de règlement",
           text="Le délai global de paiement des factures est fixé à trente jours. La réversibilité "
                "éventuelle est facturée selon le bordereau < 2 000 € HT & hors options."),
    clause("fourn-9", path="contrats/FOU-2022-07/cahier_admin.txt", contract_ref="FOU-2022-07",
           supplier="Papeteries Réunies", ccag="FCS", doc_kind="ccap", clause_type="penalite", year=2022,
           article="9", heading="Retards de livraison",
           text="Si les fournitures ne sont pas livrées dans le délai contractuel, le titulaire subit "
                "une pénalité égale à 1/1000 du montant de la commande par jour calendaire de retard.",
           date="2022-03-15"),
    clause("fourn-ae", path="contrats/FOU-2022-07/acte.pdf", contract_ref="FOU-2022-07",
           supplier="Papeteries Réunies", ccag="FCS", doc_kind="ae", year=2022, article="3",
           heading="Durée", page=2,
           text="Le marché est conclu pour une durée de douze mois reconductible trois fois.",
           date="2022-01-10"),
    SearchRecord(id="lettre-1", record_type="document", path="courriers/2024-05-02.eml",
                 document_id="lettre-1", contract_ref="INF-2024-02", supplier="Nuagique SAS",
                 doc_kind="mise_en_demeure", year=2024, date="2024-05-02",
                 text="Nous vous mettons en demeure de rétablir le service sous quarante-huit heures."),
)


@pytest.fixture
def corpus() -> tuple[SearchRecord, ...]:
    return RECORDS
