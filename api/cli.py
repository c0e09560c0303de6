"""The `vigie` command line (French messages; JSON for `vigie eval`)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from api.settings import Settings, get_settings

if TYPE_CHECKING:
    from api.services.store import Store

app = typer.Typer(help="Vigie : pilotage de l'exécution des marchés publics.", no_args_is_help=True,
                  add_completion=False)
eval_app = typer.Typer(help="Commandes d'évaluation (JSON sur la sortie standard).", no_args_is_help=True)
app.add_typer(eval_app, name="eval")
console = Console(stderr=True)

DEMO_DIR = Path(__file__).resolve().parent.parent / "demo" / "portfolio"


def _store(settings: Settings | None = None):  # type: ignore[no-untyped-def]
    from api.services.store import open_store

    return open_store(settings or get_settings())


def _fail(message: str) -> None:
    console.print(f"[red]Erreur :[/red] {message}")
    raise typer.Exit(code=1)


@app.command("import")
def import_cmd(directory: Annotated[Path, typer.Argument(help="Dossier du portefeuille")],
               as_of: Annotated[str | None, typer.Option("--au", help="Date d'analyse AAAA-MM-JJ "
                                                         "(défaut : celle de portfolio.json, sinon aujourd'hui)")]
               = None) -> None:
    """Importe un portefeuille (un dossier par marché, les courriers, le journal des incidents)."""
    from api.services import indexing
    from api.services.findings import recompute_findings
    from api.services.portfolio import import_portfolio, portfolio_as_of

    if not directory.is_dir():
        _fail(f"dossier introuvable : {directory}")
    store = _store()
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console) as bar:
        task = bar.add_task("Import", total=None)

        def progress(done: int, total: int, name: str) -> None:
            bar.update(task, completed=done, total=total, description=f"Import — {name[-50:]}")

        report = import_portfolio(store, directory, progress=progress)
        bar.update(task, description="Indexation")
        indexing.process_outbox(store)
        day = dt.date.fromisoformat(as_of) if as_of else portfolio_as_of(directory)
        bar.update(task, description=f"Contrôle des manquements au {day.strftime('%d/%m/%Y')}")
        findings = recompute_findings(store, as_of=day)
    console.print(f"[green]{report.documents} pièce(s) traitée(s)[/green], {report.contracts} marché(s).")
    for title, items in (("Doublons", report.duplicates), ("Illisibles", report.failed),
                         ("Lues partiellement", report.partial), ("À rattacher à un marché", report.unassigned),
                         ("Erreurs", report.errors)):
        if items:
            console.print(f"[yellow]{title} ({len(items)}) :[/yellow]")
            for line in items:
                console.print(f"  - {line}")
    unacted = [f for f in findings if f.breach and not f.acted_on]
    console.print(f"Manquements : {sum(f.breach for f in findings)} constaté(s), dont {len(unacted)} "
                  f"non traité(s) par écrit (au {day.strftime('%d/%m/%Y')}).")
    if report.incidents:
        inc = report.incidents
        console.print(f"Incidents : {inc.created} nouveau(x), {inc.updated} mis à jour, {inc.unchanged} inchangé(s).")
        for line in inc.errors + inc.warnings:
            console.print(f"  - {line}")


@app.command()
def search(query: Annotated[str, typer.Argument(help="Recherche, ex. « plafond des pénalités » ccag:FCS")],
           limit: int = 10) -> None:
    """Recherche dans tout le portefeuille."""
    from api.services.indexing import backend_for
    from search import SearchError

    store = _store()
    try:
        results = backend_for(store).search(query, size=limit)
    except SearchError as exc:
        _fail(str(exc))
    table = Table("Score", "Pièce", "Article", "Page", "Extrait")
    for hit in results.hits:
        table.add_row(f"{hit.score:.2f}", hit.path, hit.article or "", str(hit.page or ""), hit.snippet[:120])
    Console().print(table)


@app.command()
def reindex(repair: Annotated[bool, typer.Option("--reparer", help="Réparer les écarts sans tout reconstruire")]
            = False) -> None:
    """Reconstruit l'index de recherche à partir de la base (ou répare les écarts)."""
    from api.services.indexing import reconcile
    from api.services.indexing import reindex as do_reindex

    store = _store()
    if repair:
        report = reconcile(store)
        console.print(f"Index réparé : {len(report.missing)} ajout(s), {len(report.stale)} mise(s) à jour, "
                      f"{len(report.extra)} suppression(s).")
        return
    count = do_reindex(store)
    console.print(f"Index reconstruit : {count} enregistrement(s).")


@app.command()
def breaches(as_of: Annotated[str | None, typer.Option(help="Date d'analyse AAAA-MM-JJ")] = None,
             csv_path: Annotated[Path | None, typer.Option("--csv", help="Export CSV")] = None,
             xlsx_path: Annotated[Path | None, typer.Option("--xlsx", help="Export Excel")] = None) -> None:
    """Recalcule et affiche les manquements (non traités en premier)."""
    from api.services.exports import findings_table, write_csv, write_xlsx
    from api.services.findings import recompute_findings

    store = _store()
    day = dt.date.fromisoformat(as_of) if as_of else dt.date.today()
    findings = recompute_findings(store, as_of=day)
    header, rows = findings_table(findings)
    table = Table(*header)
    for row in rows:
        table.add_row(*[str(v) for v in row])
    Console().print(table)
    if csv_path:
        write_csv(csv_path, header, rows)
    if xlsx_path:
        write_xlsx(xlsx_path, header, rows)


@app.command()
def serve(host: str | None = None, port: int | None = None,
          worker: Annotated[bool, typer.Option(help="Démarrer aussi le worker de tâches")] = True) -> None:
    """Démarre l'interface web et l'API (et le worker de tâches en arrière-plan)."""
    import uvicorn

    settings = get_settings()
    _store(settings).close()  # migrate before anything starts
    proc = None
    if worker:
        proc = subprocess.Popen([sys.executable, "-m", "celery", "-A", "api.worker", "worker", "-B",
                                 "--loglevel=INFO", "--concurrency=1", "--pool=solo",
                                 "-s", str(settings.data_dir / "celerybeat-schedule")], env=os.environ.copy())
    try:
        uvicorn.run("api.app:create_app", factory=True, host=host or settings.host, port=port or settings.port)
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=20)


@app.command()
def demo(serve_after: Annotated[bool, typer.Option("--serve/--no-serve")] = True) -> None:
    """Charge le portefeuille de démonstration puis démarre Vigie sur http://127.0.0.1:8000."""
    import_cmd(DEMO_DIR)
    if serve_after:
        serve()


def _run_eval(portfolio: Path, produce: Callable[[Store], dict[str, Any]]) -> None:
    """Import the portfolio into a fresh, temporary store with the product's pipeline, then print
    `produce(store)` as JSON. A failure is one French line on stderr and a non-zero exit (SPEC §2)."""
    from api.services.portfolio import import_portfolio

    if not portfolio.is_dir():
        print(f"portefeuille introuvable : {portfolio}", file=sys.stderr)
        raise typer.Exit(code=2)
    with tempfile.TemporaryDirectory(prefix="vigie-eval-") as tmp:
        settings = get_settings(data_dir=Path(tmp), database_url=None,
                                index_prefix=f"vigie-eval-{Path(tmp).name.lower()}")
        store = _store(settings)
        try:
            import_portfolio(store, portfolio)
            payload = produce(store)
        except Exception as exc:  # noqa: BLE001 (the evaluation contract wants one line, not a traceback)
            print(f"échec de l'évaluation : {type(exc).__name__}: {exc}".replace("\n", " "), file=sys.stderr)
            raise typer.Exit(code=1) from exc
        finally:
            store.close()
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=1) + "\n")


@eval_app.command("extract")
def eval_extract(portfolio: Path) -> None:
    """Pièces, types, pénalités, délais et obligations (SPEC §2)."""
    from api.services.evaluation import extract_json

    _run_eval(portfolio, extract_json)


@eval_app.command("breaches")
def eval_breaches(portfolio: Path) -> None:
    """Un constat par incident (SPEC §2)."""
    from api.services.evaluation import breaches_json

    _run_eval(portfolio, lambda store: breaches_json(store, portfolio))


@eval_app.command("evidence")
def eval_evidence(portfolio: Path) -> None:
    """Preuves proposées pour chaque réclamation ou contestation (SPEC §2)."""
    from api.services.evaluation import evidence_json

    _run_eval(portfolio, lambda store: evidence_json(store, portfolio))


@eval_app.command("exclusion")
def eval_exclusion(portfolio: Path) -> None:
    """Dossier d'exclusion L2141-7 de chaque titulaire (SPEC §2)."""
    from api.services.evaluation import exclusion_json

    _run_eval(portfolio, lambda store: exclusion_json(store, portfolio))


@eval_app.command("search")
def eval_search(portfolio: Path, queries: Annotated[Path, typer.Option("--queries")]) -> None:
    """Les 10 premiers résultats de chaque requête (SPEC §2)."""
    from api.services.evaluation import search_json

    try:
        items = [q["query"] for q in json.loads(queries.read_text("utf-8"))]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        print(f"fichier de requêtes illisible ({queries}) : attendu [{{\"query\": \"…\"}}] — {exc}", file=sys.stderr)
        raise typer.Exit(code=2) from exc
    _run_eval(portfolio, lambda store: search_json(store, items))


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
