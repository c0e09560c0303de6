"""The deadlines calendar (« Échéances ») of the whole portfolio, read from the store.

Gathers, per contract, what `models.compliance.schedule` needs (metadata, the délais and
obligations extracted from its contract documents, its dated letters and orders) and lets
the pure module compute the dates. The digest calls `upcoming`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from api.services.domain_load import all_contracts
from api.services.findings import analysed_documents
from api.services.monitoring import AnalysedDocument
from api.services.store import Store
from models.compliance.fmt import format_date
from models.compliance.schedule import (
    DUE_KIND_LABELS,
    DUE_STATUS_LABELS,
    ContractFile,
    DatedLetter,
    DueItem,
    SourcedDeadline,
    SourcedObligation,
    contract_schedule,
    select_window,
    sort_for_display,
)
from models.domain.types import CONTRACT_KINDS, ContractInfo
from nlp.linking import ref_key

__all__ = ["build_schedule", "upcoming", "digest_section", "contract_files", "group_for_display", "item_json",
           "DEFAULT_LOOKBACK_DAYS", "WEEK_DAYS"]

# overdue items older than this are left to the findings (a calendar is about the near term)
DEFAULT_LOOKBACK_DAYS = 92
# « cette semaine »: the seven days starting today
WEEK_DAYS = 7
# formats whose date is the day the message reached its recipient
_RECEIPT_DATED_FORMATS = frozenset({"eml", "msg"})


def _contract_of(doc: AnalysedDocument, keys: dict[str, str]) -> str | None:
    """The document's contract: its folder or assignment, else the one reference it cites."""
    if doc.contract_ref and ref_key(doc.contract_ref) in keys:
        return keys[ref_key(doc.contract_ref)]
    letter = doc.analysis.correspondence
    cited = {keys[ref_key(r)] for r in (letter.contract_refs if letter else ()) if ref_key(r) in keys}
    return cited.pop() if len(cited) == 1 else None


def _letter(doc: AnalysedDocument) -> DatedLetter | None:
    letter = doc.analysis.correspondence
    if letter is None:
        return None
    kind = doc.analysis.kind if doc.analysis.kind != "autre" else letter.kind
    return DatedLetter(path=doc.path, kind=kind, date=letter.date, direction=letter.direction,
                       deadline_days=letter.deadline_days, subject=letter.subject,
                       received_on_date=doc.parsed.format in _RECEIPT_DATED_FORMATS)


def contract_files(contracts: Sequence[ContractInfo], documents: Sequence[AnalysedDocument]) -> list[ContractFile]:
    """One file per contract: its contract documents' items and its dated letters."""
    keys = {ref_key(c.ref): c.ref for c in contracts}
    deadlines: dict[str, list[SourcedDeadline]] = defaultdict(list)
    obligations: dict[str, list[SourcedObligation]] = defaultdict(list)
    texts: dict[str, list[tuple[str, str | None, str]]] = defaultdict(list)
    letters: dict[str, list[DatedLetter]] = defaultdict(list)
    for doc in documents:
        ref = _contract_of(doc, keys)
        if ref is None:
            continue
        if doc.analysis.kind in CONTRACT_KINDS:
            deadlines[ref].extend(SourcedDeadline(doc.path, d) for d in doc.analysis.deadlines)
            obligations[ref].extend(SourcedObligation(doc.path, o) for o in doc.analysis.obligations)
            texts[ref].extend((doc.path, c.article, c.text) for c in doc.analysis.clauses)
            continue
        letter = _letter(doc)
        if letter is not None:
            letters[ref].append(letter)
    return [ContractFile(contract=c, deadlines=tuple(deadlines[c.ref]), obligations=tuple(obligations[c.ref]),
                         letters=tuple(letters[c.ref]), texts=tuple(texts[c.ref])) for c in contracts]


def build_schedule(store: Store, *, as_of: dt.date, horizon_days: int = 30,
                   lookback_days: int = DEFAULT_LOOKBACK_DAYS,
                   documents: list[AnalysedDocument] | None = None) -> list[DueItem]:
    """Due items of every contract from `lookback_days` before `as_of` to `horizon_days` after,
    plus undated recurring obligations; overdue first, then by date. `documents`: the store's
    analysed documents when the caller has them loaded already."""
    if horizon_days < 0 or lookback_days < 0:
        raise ValueError("L'horizon et le recul doivent être des nombres de jours positifs.")
    with store.sessions() as session:
        contracts = all_contracts(session)
    files = contract_files(contracts, documents if documents is not None else analysed_documents(store))
    items: list[DueItem] = []
    for file in files:
        items.extend(contract_schedule(file, as_of=as_of, lookback_days=lookback_days, horizon_days=horizon_days))
    return sort_for_display(select_window(items, as_of=as_of, horizon_days=horizon_days,
                                          lookback_days=lookback_days))


def upcoming(store: Store, *, as_of: dt.date, days: int, include_overdue: bool = False,
             documents: list[AnalysedDocument] | None = None) -> list[DueItem]:
    """Dated items falling due from `as_of` to `as_of + days` (for the digest), optionally
    preceded by the overdue ones."""
    items = build_schedule(store, as_of=as_of, horizon_days=days, documents=documents)
    wanted = {"a_venir", "en_retard"} if include_overdue else {"a_venir"}
    return [i for i in items if i.due is not None and i.status in wanted]


GROUPS: tuple[tuple[str, str], ...] = (
    ("en_retard", "En retard"),
    ("semaine", "Cette semaine (7 prochains jours)"),
    ("plus_tard", "Plus tard"),
    ("clos", "Délais clos ou actes déjà au dossier"),
    ("non_date", "Obligations périodiques sans date calculable"),
)


def _group(item: DueItem, as_of: dt.date) -> str:
    if item.status == "a_venir" and item.due is not None:
        return "semaine" if item.due < as_of + dt.timedelta(days=WEEK_DAYS) else "plus_tard"
    return {"en_retard": "en_retard", "echu": "clos", "fait": "clos"}.get(item.status, "non_date")


def group_for_display(items: Sequence[DueItem], as_of: dt.date) -> list[tuple[str, str, list[DueItem]]]:
    """(key, French title, items) in page order: overdue, this week, later, closed, undated."""
    grouped: dict[str, list[DueItem]] = defaultdict(list)
    for item in items:
        grouped[_group(item, as_of)].append(item)
    return [(key, title, grouped[key]) for key, title in GROUPS]


def item_json(item: DueItem, as_of: dt.date) -> dict[str, object]:
    """One item with French keys, as the API returns it."""
    return {
        "echeance": item.due.isoformat() if item.due else None,
        "echeance_fr": format_date(item.due) if item.due else None,
        "jours_restants": (item.due - as_of).days if item.due else None,
        "type": item.kind,
        "type_libelle": DUE_KIND_LABELS[item.kind],
        "marche": item.contract_ref,
        "libelle": item.label_fr,
        "partie": item.party,
        "statut": item.status,
        "statut_libelle": DUE_STATUS_LABELS[item.status],
        "groupe": _group(item, as_of),
        "verifie": item.verified,
        "a_verifier": not item.verified,
        "motif_a_verifier": item.review_reason,
        "calcul": item.computation_fr,
        "source": {"piece": item.source_path, "article": item.source_article, "extrait": item.source_quote},
        "regle": item.rule,
        "acte_au_dossier": item.done_by,
    }


def digest_section(store: Store, *, as_of: dt.date, days: int,
                   documents: list[AnalysedDocument] | None = None) -> dict[str, list[dict[str, object]]]:
    """For the daily digest: items falling due within `days`, and those already overdue."""
    items = upcoming(store, as_of=as_of, days=days, include_overdue=True, documents=documents)
    return {
        "echeances_a_venir": [item_json(i, as_of) for i in items if i.status == "a_venir"],
        "echeances_depassees": [item_json(i, as_of) for i in items if i.status == "en_retard"],
    }
