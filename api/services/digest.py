"""The daily French digest: new unacted breaches and near deadlines, by e-mail and in the API."""

from __future__ import annotations

import datetime as dt
import smtplib
from email.message import EmailMessage
from typing import Any

from sqlalchemy import Row, select

from api.services.monitoring import AnalysedDocument
from api.services.schedule import digest_section
from api.services.store import Store
from models.db import tables as t

NEAR_DAYS = 15


def _eur(value: float | None) -> str:
    if value is None:
        return "montant à déterminer"
    return f"{value:,.2f} €".replace(",", " ").replace(".", ",")


def build_digest(store: Store, *, as_of: dt.date, documents: list[AnalysedDocument] | None = None) -> dict[str, Any]:
    """What the contract manager must look at today. `documents`: the store's analysed documents
    when the caller (the daily scan) has them loaded already."""
    since = dt.datetime.combine(as_of - dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
    f_ = t.FindingRow
    with store.sessions() as session:
        # plain rows, not ORM objects: read-only, and tens of thousands on a large portfolio
        unacted = session.execute(select(f_.incident_ext_id, f_.contract_ref, f_.penalty_eur, f_.act_by, f_.data,
                                         f_.needs_review, f_.first_seen_at)
                                  .where(f_.breach.is_(True), f_.acted_on.is_(False))
                                  .order_by(f_.act_by.is_(None), f_.act_by)).all()
        decided = {r.incident_ext_id for r in session.scalars(select(t.Review).where(t.Review.decision == "ecarte"))}
    rows = [f for f in unacted if f.incident_ext_id not in decided]
    new = [f for f in rows if f.first_seen_at and f.first_seen_at.replace(tzinfo=dt.UTC) >= since]
    near = [f for f in rows if f.act_by and as_of <= f.act_by <= as_of + dt.timedelta(days=NEAR_DAYS)]
    overdue = [f for f in rows if f.act_by and f.act_by < as_of]

    def item(f: Row[Any]) -> dict[str, Any]:
        return {"incident": f.incident_ext_id, "marche": f.contract_ref, "penalite_eur": f.penalty_eur,
                "agir_avant": f.act_by.isoformat() if f.act_by else None,
                "prochaine_etape": (f.data or {}).get("next_step"), "a_verifier": f.needs_review}

    return {"date": as_of.isoformat(), "nouveaux": [item(f) for f in new], "echeances_proches": [item(f) for f in near],
            "en_retard": [item(f) for f in overdue], "total_non_traites": len(rows),
            "enjeu_eur": round(sum(f.penalty_eur or 0 for f in rows), 2),
            **digest_section(store, as_of=as_of, days=NEAR_DAYS, documents=documents)}


def digest_text(digest: dict[str, Any]) -> str:
    lines = [f"Vigie — synthèse du {dt.date.fromisoformat(digest['date']).strftime('%d/%m/%Y')}", "",
             f"Manquements non traités : {digest['total_non_traites']} "
             f"(pénalités en jeu : {_eur(digest['enjeu_eur'])}).", ""]
    for title, key in (("Nouveaux manquements non traités", "nouveaux"),
                       ("À traiter dans les 15 jours", "echeances_proches"),
                       ("Date d'action dépassée", "en_retard")):
        lines.append(f"{title} : {len(digest[key])}")
        for it in digest[key]:
            when = dt.date.fromisoformat(it["agir_avant"]).strftime("%d/%m/%Y") if it["agir_avant"] else "—"
            doubt = " (à vérifier)" if it["a_verifier"] else ""
            lines.append(f"  - {it['incident']} — marché {it['marche'] or 'non rattaché'} — "
                         f"{_eur(it['penalite_eur'])}{doubt} — agir avant le {when}")
            if it["prochaine_etape"]:
                lines.append(f"    {it['prochaine_etape']}")
        lines.append("")
    lines.append(f"Échéances du calendrier dans les {NEAR_DAYS} jours : {len(digest['echeances_a_venir'])}")
    for it in digest["echeances_a_venir"]:
        lines.append(_due_line(it))
    lines.append(f"Échéances dépassées : {len(digest['echeances_depassees'])}")
    for it in digest["echeances_depassees"]:
        lines.append(_due_line(it))
    lines.append("")
    lines.append("Les pénalités non portées au décompte général sont perdues : agissez avant sa signature.")
    return "\n".join(lines)


def _due_line(it: dict[str, Any]) -> str:
    doubt = " (à vérifier)" if it["a_verifier"] else ""
    return f"  - {it['echeance_fr'] or 'non datée'} — marché {it['marche'] or '—'} — {it['libelle']}{doubt}"


def send_daily_digest(store: Store, *, as_of: dt.date,
                      documents: list[AnalysedDocument] | None = None) -> dict[str, Any]:
    digest = build_digest(store, as_of=as_of, documents=documents)
    settings = store.settings
    digest["envoye"] = False
    if settings.smtp_host and settings.digest_recipients:
        msg = EmailMessage()
        msg["Subject"] = f"Vigie : {digest['total_non_traites']} manquement(s) non traité(s)"
        msg["From"] = settings.smtp_sender
        msg["To"] = ", ".join(settings.digest_recipients)
        msg.set_content(digest_text(digest))
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
            smtp.send_message(msg)
        digest["envoye"] = True
    with store.sessions.begin() as session:
        session.add(t.AuditEvent(actor="vigie", action="synthese_quotidienne",
                                 detail={"date": digest["date"], "envoye": digest["envoye"],
                                         "non_traites": digest["total_non_traites"]}))
    return digest
