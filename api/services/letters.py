"""Letter drafts for the buyer to edit and sign: mise en demeure, invitation to comment on penalties.

Contents follow FACTS.md (never memory):
- §3.3 [T]/[S] — what a valid mise en demeure contains (the EXE14 model's eight points):
  buyer, titulaire with SIRET, contract, dated failings with the stipulations breached, what to
  do and the deadline, the sanction envisaged (mandatory: FCS 2009 art. 32.2 [T]), the
  invitation to present observations [T], date and signature.
- §2.2 [S] — CCAG 2021: before applying delay penalties the buyer invites the titulaire in
  writing to present its observations within 15 days, stating the amount, the delays and
  the deadline (FCS/PI/TIC 14.1.1, Travaux 19.2.4, MOE 16.2.4, MI 15.1.1).
Wherever data is missing the draft says « [à vérifier] » instead of inventing it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.services.store import Store
from models.compliance.calendar import add_duration
from models.compliance.fmt import format_date, format_eur
from models.db import tables as t
from models.domain import Finding
from models.domain.codec import from_jsonable

CHECK = "[à vérifier]"

# Time proposed to remedy: Travaux 2009 art. 48.1 [T] forbids less than 15 days from notification
# (save défense / urgence); 15 calendar days is proposed everywhere, for the buyer to adjust.
DEFAULT_REMEDY_DAYS = 15
# CCAG 2021 contradictory step before penalties: 15 days to present observations [S] (FACTS §2.2).
OBSERVATIONS_DAYS = 15

# Résiliation pour faute, by CCAG and version: only [T]/[S] rows of FACTS.md §1.
RESILIATION_FAUTE_ARTICLE: dict[tuple[str, int], str] = {
    ("FCS", 2009): "32",  # [T]
    ("FCS", 2021): "41",  # [S]
    ("TRAVAUX", 2009): "46.3",  # [T]
    ("PI", 2021): "39",  # [S]
}
# Article of the 2021 contradictory step before penalties [S] (FACTS §2.2).
OBSERVATIONS_ARTICLE_2021: dict[str, str] = {
    "FCS": "14.1.1", "PI": "14.1.1", "TIC": "14.1.1", "TRAVAUX": "19.2.4", "MOE": "16.2.4", "MI": "15.1.1",
}


def _ccag_label(contract: t.Contract) -> str:
    if not contract.ccag:
        return f"CCAG {CHECK}"
    return f"CCAG-{contract.ccag}" + (f" {contract.ccag_version}" if contract.ccag_version else "")


def _finding(session: Session, incident_id: str) -> Finding | None:
    """The last computed finding of the incident (None before the first scan)."""
    row = session.scalar(select(t.FindingRow).where(t.FindingRow.incident_ext_id == incident_id))
    return from_jsonable(Finding, row.data) if row is not None and row.data else None


def _party_block(contract: t.Contract | None) -> list[str]:
    buyer = contract.buyer if contract else None
    supplier = contract.supplier if contract else None
    lines = [f"Acheteur : {buyer.name if buyer else CHECK}"
             + (f" (SIRET {buyer.siret})" if buyer and buyer.siret else ""),
             "Service chargé de l'exécution : [à compléter]", ""]
    if supplier:
        lines.append(f"Destinataire : {supplier.name} — SIRET {supplier.siret or CHECK}")
    else:
        lines.append(f"Destinataire : titulaire du marché {CHECK} — SIRET {CHECK}")
    lines += ["Adresse : [adresse figurant au marché ou siège social — à compléter] "
              "(en cas de groupement : au mandataire)", ""]
    return lines


def _contract_line(contract: t.Contract | None, ref: str | None) -> str:
    if contract is None:
        return f"Marché n° {ref or CHECK} {CHECK}"
    parts = [f"Marché n° {contract.ref}"]
    parts.append(f"« {contract.title} »" if contract.title else f"objet {CHECK}")
    parts.append(f"notifié le {format_date(contract.notified_on)}" if contract.notified_on
                 else f"date de notification {CHECK}")
    return ", ".join(parts) + f" ({_ccag_label(contract)})"


def _failing_line(incident: t.IncidentRow, finding: Finding | None) -> str:
    when = format_date(incident.occurred_on) if incident.occurred_on else f"date {CHECK}"
    line = f"- le {when} : {incident.description.strip().rstrip('.')}"
    if finding and finding.clause_article:
        line += f" — stipulation méconnue : article {finding.clause_article}"
        if finding.clause_path:
            line += f" ({finding.clause_path.rsplit('/', 1)[-1]})"
    else:
        line += f" — stipulation méconnue : article {CHECK}"
    line += f" [incident {incident.ext_id}]"
    return line


def draft_mise_en_demeure(store: Store, incident_id: str, *, today: dt.date | None = None,
                          remedy_days: int = DEFAULT_REMEDY_DAYS) -> str:
    """French draft of a mise en demeure (EXE14 contents, FACTS §3.3) for one logged incident."""
    today = today or dt.date.today()
    with store.sessions() as session:
        incident = session.scalar(select(t.IncidentRow).where(t.IncidentRow.ext_id == incident_id))
        if incident is None:
            raise LookupError(f"Incident {incident_id} introuvable.")
        finding = _finding(session, incident_id)
        ref = (finding.contract_ref if finding else None) or incident.contract_ref_raw
        contract = session.scalar(select(t.Contract).where(t.Contract.ref == ref)) if ref else None
        checks: list[str] = []
        if finding is None:
            checks.append("manquement non encore analysé par Vigie : lancez le contrôle des manquements")
        elif not finding.breach:
            checks.append("Vigie n'a pas retenu de manquement pour cet incident : "
                          + (finding.computation or "vérifiez avant tout envoi"))
        elif finding.needs_review and finding.review_reason:
            checks.append(finding.review_reason)
        if contract is None:
            checks.append("marché non identifié")
        if incident.resolved_on is not None:
            # a mise en demeure sets a time to perform (FCS 2009 32.2 [T]): pointless once performed
            checks.append(f"prestation exécutée le {format_date(incident.resolved_on)} selon le journal : une mise "
                          "en demeure n'a d'objet que pour ce qui reste à exécuter")
        if finding and finding.action_documents:
            checks.append("acte(s) de l'acheteur déjà au dossier pour cet incident : "
                          + ", ".join(finding.action_documents))
        if contract is not None and (contract.ccag or "").lower() == "travaux" and remedy_days < 15:
            # Travaux 2009 art. 48.1 [T]: not less than 15 days, save défense or urgence
            checks.append("délai inférieur à 15 jours : le CCAG-Travaux 2009 (art. 48.1) l'interdit sauf "
                          "défense ou urgence" + ("" if contract.ccag_version == 2009 else
                                                  " ; règle de la version 2021 à vérifier"))
        due = add_duration(today, remedy_days, "jour")
        sanction_article = None
        if contract is not None and contract.ccag and contract.ccag_version:
            sanction_article = RESILIATION_FAUTE_ARTICLE.get((contract.ccag.upper(), contract.ccag_version))
        resiliation = ("la résiliation du marché pour faute du titulaire"
                       + (f" (article {sanction_article} du {_ccag_label(contract)})" if sanction_article and contract
                          else f" (article du CCAG applicable {CHECK})"))
        penalty = ""
        if finding and finding.breach and finding.penalty_eur is not None:
            penalty = (f"- l'application des pénalités prévues à l'article {finding.clause_article or CHECK}, "
                       f"soit à ce jour {format_eur(finding.penalty_eur)} HT ({finding.computation});")
        lines = [
            *_party_block(contract),
            "Lettre recommandée avec accusé de réception (ou remise contre récépissé)",
            "",
            "Objet : MISE EN DEMEURE",
            _contract_line(contract, ref),
            "",
            "Madame, Monsieur,",
            "",
            "Les manquements suivants aux stipulations du marché ont été constatés :",
            _failing_line(incident, finding),
            "",
            f"En conséquence, je vous mets en demeure de remédier à ces manquements et d'exécuter les "
            f"prestations dues conformément au marché dans un délai de {remedy_days} jours calendaires à compter "
            f"de la notification de la présente, soit au plus tard le {format_date(due)} pour une notification "
            f"le {format_date(today)} (date à ajuster à la date de réception).",
            "",
            "À défaut d'exécution dans ce délai, j'envisage de prononcer les sanctions suivantes :",
            *([penalty] if penalty else []),
            f"- {resiliation}, le cas échéant aux frais et risques du titulaire si les pièces particulières "
            "du marché le prévoient.",
            "",
            f"Je vous invite à présenter vos observations dans ce même délai ({remedy_days} jours).",
            "",
            f"Fait à [lieu], le {format_date(today)}",
            "",
            "[Nom, qualité et signature du représentant du pouvoir adjudicateur ou de son délégataire]",
        ]
        if checks:
            lines += ["", "À VÉRIFIER AVANT ENVOI :", *(f"- {c}" for c in checks)]
    return "\n".join(lines) + "\n"


def draft_invitation_observations(store: Store, incident_ids: Sequence[str], *,
                                  today: dt.date | None = None) -> str:
    """French draft of the CCAG 2021 letter inviting the titulaire to comment, within 15 days,
    on the penalties envisaged (FACTS §2.2 [S]), with the computation of each finding."""
    if not incident_ids:
        raise ValueError("Choisissez au moins un incident.")
    today = today or dt.date.today()
    with store.sessions() as session:
        findings: list[tuple[t.IncidentRow, Finding | None]] = []
        for inc_id in incident_ids:
            incident = session.scalar(select(t.IncidentRow).where(t.IncidentRow.ext_id == inc_id))
            if incident is None:
                raise LookupError(f"Incident {inc_id} introuvable.")
            findings.append((incident, _finding(session, inc_id)))
        refs = {f.contract_ref for _, f in findings if f and f.contract_ref}
        if len(refs) > 1:
            raise ValueError("Les incidents choisis relèvent de marchés différents : un courrier par marché.")
        ref = next(iter(refs), None) or findings[0][0].contract_ref_raw
        contract = session.scalar(select(t.Contract).where(t.Contract.ref == ref)) if ref else None
        checks: list[str] = []
        rows: list[str] = []
        total = 0.0
        for incident, finding in findings:
            if finding is None or not finding.breach:
                checks.append(f"incident {incident.ext_id} : aucun manquement retenu par Vigie")
                continue
            amount = finding.penalty_eur
            if amount is None:
                checks.append(f"incident {incident.ext_id} : montant non calculé")
            else:
                total += amount
            delay = f", {finding.days_late} jour(s) de retard" if finding.days_late else ""
            rows.append(f"- incident du {format_date(incident.occurred_on) if incident.occurred_on else CHECK}"
                        f" ({incident.ext_id}) : {incident.description.strip().rstrip('.')}{delay} — article "
                        f"{finding.clause_article or CHECK} — "
                        f"{format_eur(amount) + ' HT' if amount is not None else CHECK}"
                        + (f"\n  Calcul : {finding.computation}" if finding.computation else ""))
            if finding.needs_review and finding.review_reason:
                checks.append(f"incident {incident.ext_id} : {finding.review_reason}")
        article = None
        if contract is not None and contract.ccag:
            if contract.ccag_version == 2021:
                article = OBSERVATIONS_ARTICLE_2021.get(contract.ccag.upper())
            else:
                checks.append(f"le marché se réfère au {_ccag_label(contract)} : l'étape contradictoire de 15 jours "
                              "est celle des CCAG 2021 — vérifier ce que prévoit le CCAP")
        due = add_duration(today, OBSERVATIONS_DAYS, "jour")
        basis = (f"Conformément à l'article {article} du {_ccag_label(contract)}" if article and contract
                 else f"Conformément au CCAG applicable {CHECK}")
        lines = [
            *_party_block(contract),
            "Objet : information préalable à l'application de pénalités — invitation à présenter vos observations",
            _contract_line(contract, ref),
            "",
            "Madame, Monsieur,",
            "",
            "J'envisage de vous appliquer les pénalités suivantes, au titre des retards et manquements "
            "constatés :",
            *rows,
            "",
            f"Montant total envisagé : {format_eur(total)} HT (montants calculés après application du seuil "
            "d'exonération et du plafond du marché, voir le détail du calcul).",
            "",
            f"{basis}, je vous invite à me faire part de vos observations par écrit dans un délai de "
            f"{OBSERVATIONS_DAYS} jours à compter de la réception de la présente, soit au plus tard le "
            f"{format_date(due)} pour une réception le {format_date(today)}.",
            "",
            f"Fait à [lieu], le {format_date(today)}",
            "",
            "[Nom, qualité et signature du représentant de l'acheteur]",
        ]
        if checks:
            lines += ["", "À VÉRIFIER AVANT ENVOI :", *(f"- {c}" for c in checks)]
    return "\n".join(lines) + "\n"
