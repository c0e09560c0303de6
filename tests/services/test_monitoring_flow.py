"""The monitoring loop a contract manager relies on: findings, reviews, digest e-mail."""

from __future__ import annotations

import datetime as dt
import json
import socket
from email import message_from_bytes
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from api.services.digest import send_daily_digest
from api.services.findings import recompute_findings, record_review, reviews_by_incident
from api.services.portfolio import import_portfolio
from api.services.store import open_store
from api.settings import Settings

PORTFOLIO = Path(__file__).resolve().parent.parent / "fixtures" / "portfolio_b"
AS_OF = dt.date.fromisoformat(json.loads((PORTFOLIO / "portfolio.json").read_text("utf-8"))["as_of"])


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    settings = Settings(data_dir=tmp_path_factory.mktemp("flow"))
    store = open_store(settings)
    import_portfolio(store, PORTFOLIO)
    yield store
    store.close()


def test_review_decisions_survive_recomputation(loaded):
    findings = recompute_findings(loaded, as_of=AS_OF)
    target = next(f for f in findings if f.breach)
    record_review(loaded, incident=target.incident, decision="ecarte", reason="Retard imputable à la cuisine centrale",
                  reviewer="c.martin")
    recompute_findings(loaded, as_of=AS_OF)
    review = reviews_by_incident(loaded)[target.incident]
    assert review.decision == "ecarte" and review.reviewer == "c.martin"


def test_dismissing_without_a_reason_is_refused(loaded):
    with pytest.raises(ValueError, match="motif"):
        record_review(loaded, incident="SA-01", decision="ecarte", reason=" ", reviewer="c.martin")


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd hook name)
        self.messages.append(envelope.content)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_daily_digest_is_sent_by_smtp_in_french(loaded):
    inbox = _Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings = loaded.settings.model_copy(update={
            "smtp_host": "127.0.0.1", "smtp_port": port,
            "digest_recipients": ["marches@commune.example"]})
        store = open_store(settings)
        findings = recompute_findings(store, as_of=AS_OF)
        digest = send_daily_digest(store, as_of=AS_OF)
    finally:
        controller.stop()
    unacted = [f for f in findings if f.breach and not f.acted_on]
    assert digest["envoye"] is True
    assert len(inbox.messages) == 1
    mail = message_from_bytes(inbox.messages[0])
    body = mail.get_payload(decode=True).decode("utf-8")
    assert "manquement" in mail["Subject"]
    assert "Manquements non traités" in body and "décompte général" in body
    assert "Échéances du calendrier" in body
    # Dismissed incidents are not pushed to the buyer again.
    dismissed = set(r for r, v in reviews_by_incident(store).items() if v.decision == "ecarte")
    assert digest["total_non_traites"] == len([f for f in unacted if f.incident not in dismissed])
