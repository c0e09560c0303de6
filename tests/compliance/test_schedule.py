"""The deadlines calendar on hand-built contract files; every date below was counted by hand.

Calendar facts used (2026): Easter is 5 April, so Ascension is Thursday 14 May and Whit
Monday (lundi de Pentecôte) 25 May; 24 May 2026 is a Sunday, 28 February 2026 a Saturday.
"""

from __future__ import annotations

import datetime as dt

from models.compliance.schedule import (
    ContractFile,
    DatedLetter,
    SourcedDeadline,
    SourcedObligation,
    contract_schedule,
    contract_term_items,
    select_window,
    sort_for_display,
)
from models.domain.types import ContractInfo, Deadline, Obligation, Termination

D = dt.date


def _contract(**kw: object) -> ContractInfo:
    base: dict[str, object] = dict(ref="VL-2026-12", title="Nettoyage des locaux de la médiathèque", ccag="FCS",
                                   ccag_version=2009, amount_ht_eur=84000.0, notified_on=D(2026, 4, 24),
                                   duration_months=24)
    base.update(kw)
    return ContractInfo(**base)  # type: ignore[arg-type]


def _deadline(quote: str, duration: float, unit: str, anchor: str | None, *, article: str = "6.1",
              party: str | None = "titulaire", day_type: str | None = None, review: bool = False) -> SourcedDeadline:
    return SourcedDeadline("contrats/VL-2026-12/ccap.pdf", Deadline(
        article=article, page=2, quote=quote, duration=duration, unit=unit, day_type=day_type,  # type: ignore[arg-type]
        anchor=anchor, party=party, needs_review=review))  # type: ignore[arg-type]


TERM = _deadline("Le présent marché court pendant vingt-quatre mois à compter de la date de sa notification.",
                 24, "mois", "notification du marché", article="2", party=None)


def _only(items, kind):  # type: ignore[no-untyped-def]
    found = [i for i in items if i.kind == kind]
    assert len(found) == 1, found
    return found[0]


# ------------------------------------------------------------------ contract end

def test_contract_end_month_end_and_clause_confirms_it():
    contract = _contract(notified_on=D(2025, 8, 31), duration_months=6)
    term = _deadline("La durée du marché est fixée à six mois à compter de sa notification.", 6, "mois",
                     "notification du marché", party=None)
    item = _only(contract_term_items(ContractFile(contract, deadlines=(term,)), as_of=D(2026, 1, 10)), "fin_marche")
    # 31 August + 6 months: there is no 31 February, so the month's last day (FCS 2009 3.2.3)
    assert item.due == D(2026, 2, 28)
    assert item.verified and item.status == "a_venir"
    assert item.source_quote.startswith("La durée du marché")
    assert "28/02/2026" in item.computation_fr


def test_contract_end_without_a_clause_is_to_be_checked():
    item = _only(contract_term_items(ContractFile(_contract()), as_of=D(2026, 5, 1)), "fin_marche")
    assert item.due == D(2028, 4, 24)
    assert not item.verified
    assert "métadonnées" in (item.review_reason or "")


def test_terminated_contract_ends_on_termination_and_calls_for_the_account():
    contract = _contract(terminated=Termination(on=D(2026, 1, 15), kind="faute", document="courriers/resiliation.pdf"))
    items = contract_term_items(ContractFile(contract, deadlines=(TERM,)), as_of=D(2026, 2, 1))
    end = _only(items, "fin_marche")
    assert end.due == D(2026, 1, 15) and end.status == "echu"
    account = _only(items, "decompte")
    # FCS 2009 art. 34.5: two months after the effective date; a buyer's limit is not extended
    # past the weekend (15 March 2026 is a Sunday)
    assert account.due == D(2026, 3, 15)
    assert account.party == "acheteur" and account.verified and account.status == "a_venir"
    assert "34.5" in account.computation_fr


# ------------------------------------------------------------------ délais from the notification and from orders

def test_deadline_from_notification_extended_past_sunday_and_whit_monday():
    plan = _deadline("Le titulaire remet son plan de prévention dans les trente jours suivant la notification "
                     "du marché.", 30, "jour", "notification du marché")
    items = contract_schedule(ContractFile(_contract(), deadlines=(TERM, plan)), as_of=D(2026, 5, 20))
    item = next(i for i in items if i.rule == "contrat.delai.notification")
    # 24 April + 30 days = Sunday 24 May; Monday 25 May is Whit Monday → Tuesday 26 May (3.2.4)
    assert item.due == D(2026, 5, 26)
    assert item.verified and item.party == "titulaire" and item.status == "a_venir"
    assert "prorogé" in item.computation_fr
    assert item.source_path == "contrats/VL-2026-12/ccap.pdf" and item.source_article == "6.1"


def test_working_days_from_a_purchase_order_skip_may_holidays():
    delivery = _deadline("Les fournitures sont livrées dans un délai de dix jours ouvrés à compter de la réception "
                         "du bon de commande.", 10, "jour", "réception du bon de commande", day_type="ouvre")
    order = DatedLetter(path="courriers/bc-0417.eml", kind="bon_de_commande", date=D(2026, 4, 30),
                        direction="sortant", received_on_date=True)
    items = contract_schedule(ContractFile(_contract(), deadlines=(TERM, delivery), letters=(order,)),
                              as_of=D(2026, 5, 4))
    item = next(i for i in items if i.rule == "contrat.delai.bon_de_commande")
    # from Thursday 30 April: 1, 8 and 14 May (Ascension) are holidays, weekends skipped → 19 May
    assert item.due == D(2026, 5, 19)
    assert item.kind == "livraison" and item.verified
    assert "bc-0417.eml" in item.computation_fr


def test_two_order_deadlines_or_unknown_receipt_are_to_be_checked():
    normal = _deadline("Les commandes courantes sont livrées sous huit jours à compter du bon de commande.",
                       8, "jour", "bon de commande")
    urgent = _deadline("Les commandes urgentes sont livrées sous quarante-huit heures à compter du bon de commande.",
                       48, "heure", "bon de commande", article="6.2")
    order = DatedLetter(path="courriers/bc-0418.pdf", kind="bon_de_commande", date=D(2026, 6, 1))
    items = [i for i in contract_schedule(ContractFile(_contract(), deadlines=(normal, urgent), letters=(order,)),
                                          as_of=D(2026, 6, 2)) if i.rule == "contrat.delai.bon_de_commande"]
    assert sorted(i.due for i in items) == [D(2026, 6, 3), D(2026, 6, 9)]
    assert all(not i.verified for i in items)
    assert all("plusieurs délais" in (i.review_reason or "") and "réception" in (i.review_reason or "")
               for i in items)


def test_deadline_on_an_event_vigie_has_no_date_for_is_not_listed():
    answer = _deadline("Le titulaire répond dans les cinq jours suivant la demande du service.", 5, "jour",
                       "demande du service")
    items = contract_schedule(ContractFile(_contract(), deadlines=(TERM, answer)), as_of=D(2026, 5, 1))
    assert all("demande du service" not in i.source_quote for i in items)


# ------------------------------------------------------------------ letters

def test_formal_notice_deadline_from_letter_date_is_to_be_checked_when_receipt_unknown():
    letter = DatedLetter(path="courriers/med-2026-03.pdf", kind="mise_en_demeure", date=D(2026, 3, 2),
                         direction="sortant", deadline_days=15, subject="Mise en demeure d'exécuter")
    item = _only(contract_schedule(ContractFile(_contract(), letters=(letter,)), as_of=D(2026, 3, 20)),
                 "mise_en_demeure")
    assert item.due == D(2026, 3, 17)
    assert item.status == "en_retard"
    assert not item.verified and "réception" in (item.review_reason or "")


def test_reclamation_window_fcs_2009_ends_monday_after_saturday():
    letter = DatedLetter(path="courriers/penalites.eml", kind="notification_penalites", date=D(2025, 12, 31),
                         direction="sortant", received_on_date=True)
    item = _only(contract_schedule(ContractFile(_contract(), letters=(letter,)), as_of=D(2026, 3, 20)),
                 "reclamation")
    # 31 December + 2 months = 28 February 2026, a Saturday → Monday 2 March (FCS 2009 37 and 3.2.4)
    assert item.due == D(2026, 3, 2)
    assert item.verified and item.party == "titulaire"
    assert item.status == "echu"  # a window that closed, not something late
    assert "37" in (item.source_article or "")


def test_reclamation_window_under_fcs_2021_is_unverified():
    letter = DatedLetter(path="courriers/penalites.eml", kind="notification_penalites", date=D(2025, 12, 31),
                         direction="sortant", received_on_date=True)
    contract = _contract(ccag_version=2021)
    item = _only(contract_schedule(ContractFile(contract, letters=(letter,)), as_of=D(2026, 1, 5)), "reclamation")
    assert item.due == D(2026, 3, 2)
    assert not item.verified and "non vérifiée" in (item.review_reason or "")


def test_buyer_answers_a_reclamation_within_two_months_without_extension():
    memo = DatedLetter(path="courriers/memoire.pdf", kind="reclamation", date=D(2025, 11, 30), direction="entrant")
    item = _only(contract_schedule(ContractFile(_contract(), letters=(memo,)), as_of=D(2026, 1, 20)), "reclamation")
    assert item.due == D(2026, 1, 30) and item.party == "acheteur"
    assert item.status == "a_venir" and item.verified


def test_invitation_to_comment_2021_and_order_observations_2009():
    invite = DatedLetter(path="courriers/invitation.eml", kind="invitation_observations", date=D(2026, 3, 2),
                         direction="sortant", received_on_date=True)
    item = _only(contract_schedule(ContractFile(_contract(ccag_version=2021), letters=(invite,)),
                                   as_of=D(2026, 3, 10)), "observations")
    assert item.due == D(2026, 3, 17) and item.verified  # 15 days, CCAG 2021 [S]
    order = DatedLetter(path="courriers/bc-12.eml", kind="bon_de_commande", date=D(2026, 2, 11),
                        received_on_date=True)
    item = _only(contract_schedule(ContractFile(_contract(), letters=(order,)), as_of=D(2026, 3, 10)),
                 "observations")
    # 11 February + 15 days = Thursday 26 February (FCS 2009 art. 3.7), closed by 10 March
    assert item.due == D(2026, 2, 26) and item.verified and item.status == "echu"
    assert item.source_article == "3.7"


# ------------------------------------------------------------------ recurring obligations and renewals

def test_monthly_report_before_the_tenth_of_next_month():
    report = SourcedObligation("contrats/VL-2026-12/cctp.pdf", Obligation(
        article="8", page=5, party="titulaire",
        quote="Le titulaire transmet un rapport mensuel d'activité au plus tard le 10 du mois suivant."))
    contract = _contract(notified_on=D(2026, 1, 15))
    items = [i for i in contract_schedule(ContractFile(contract, obligations=(report,)), as_of=D(2026, 3, 20),
                                          lookback_days=92, horizon_days=30) if i.kind == "rapport"]
    assert [(i.due, i.status) for i in items] == [
        (D(2026, 2, 10), "en_retard"), (D(2026, 3, 10), "en_retard"), (D(2026, 4, 10), "a_venir")]
    assert all(i.verified and i.source_path.endswith("cctp.pdf") for i in items)


def test_before_the_fifth_means_the_fourth_and_fixed_dates_are_not_extended():
    report = SourcedObligation("cctp.pdf", Obligation(
        article="8", page=5, party="titulaire",
        quote="Un tableau de bord mensuel est remis avant le 5 de chaque mois."))
    contract = _contract(notified_on=D(2026, 3, 1))
    items = [i for i in contract_schedule(ContractFile(contract, obligations=(report,)), as_of=D(2026, 4, 1),
                                          horizon_days=30) if i.kind == "rapport"]
    # « avant le 5 » of April 2026 → Saturday 4 April, a date set by the contract: not moved,
    # but flagged since whether such a date moves to Monday is debatable
    assert [(i.due, i.verified) for i in items] == [(D(2026, 3, 4), True), (D(2026, 4, 4), False)]
    assert "samedi" in (items[1].review_reason or "")


def test_quarterly_review_days_after_quarter_end_and_undated_periodic_obligation():
    quarterly = _deadline("Le titulaire transmet un bilan trimestriel dans les quinze jours suivant la fin de chaque "
                          "trimestre.", 15, "jour", "fin de chaque trimestre")
    annual = SourcedObligation("cctp.pdf", Obligation(article="9", page=6, party="titulaire",
                                                      quote="Le titulaire remet un rapport annuel d'activité."))
    register = SourcedObligation("cctp.pdf", Obligation(article="10", page=6, party="titulaire",
                                                        quote="Le titulaire tient un registre mensuel des passages."))
    contract = _contract(notified_on=D(2026, 1, 15))
    items = contract_schedule(ContractFile(contract, deadlines=(quarterly,), obligations=(annual, register)),
                              as_of=D(2026, 4, 1), horizon_days=30)
    dated = [i for i in items if i.rule == "contrat.periodique" and i.due is not None]
    assert [i.due for i in dated] == [D(2026, 4, 15)]
    # a yearly report with no date rule is listed undated; keeping a register hands nothing in
    undated = [i for i in items if i.due is None]
    assert len(undated) == 1 and undated[0].status == "non_date" and not undated[0].verified
    assert "rapport annuel" in undated[0].source_quote


def test_renewals_from_the_reconduction_clause_on_a_leap_day():
    contract = _contract(notified_on=D(2024, 2, 29), duration_months=48)
    term = _deadline("Le marché est conclu pour une durée initiale de douze mois à compter de sa notification.",
                     12, "mois", "notification du marché", article="3", party=None)
    text = ("Le marché est conclu pour une durée initiale de douze mois à compter de sa notification. "
            "Il est reconductible tacitement trois fois par périodes successives de douze mois. "
            "L'acheteur peut notifier sa décision de ne pas reconduire au plus tard trois mois avant "
            "l'échéance.")
    file = ContractFile(contract, deadlines=(term,), texts=(("ccap.pdf", "3", text),))
    items = [i for i in contract_schedule(file, as_of=D(2025, 1, 1)) if i.kind == "reconduction"]
    terms = [i.due for i in items if i.party is None]
    # 29 February 2024 + 12 months: no 29 February 2025 → 28 February 2025
    assert terms == [D(2025, 2, 28), D(2026, 2, 28), D(2027, 2, 28)]
    # the notice clause in the same sentence group is the buyer's: three months earlier
    notices = [i.due for i in items if i.party == "acheteur"]
    assert notices == [D(2024, 11, 28), D(2025, 11, 28), D(2026, 11, 28)]
    # the metadata's 48 months are not confirmed by a clause (12 months + renewals): said so
    end = _only(contract_schedule(file, as_of=D(2025, 1, 1)), "fin_marche")
    assert end.due == D(2028, 2, 29) and not end.verified and "reconductible" in end.label_fr


def test_renewal_notice_in_days_and_unrelated_days_before_ignored():
    contract = _contract(notified_on=D(2026, 1, 5), duration_months=24)
    term = _deadline("Le marché est conclu pour une durée d'un an à compter de sa notification.", 1, "an",
                     "notification du marché", article="3", party=None)
    text = ("Le titulaire prévient le service 8 jours avant toute intervention. Le marché est reconduit une fois "
            "pour une période d'un an, sauf dénonciation par l'acheteur 60 jours avant l'échéance.")
    items = contract_schedule(ContractFile(contract, deadlines=(term,), texts=(("ae.pdf", "3", text),)),
                              as_of=D(2026, 9, 1))
    renewal = sorted((i.due, i.party) for i in items if i.kind == "reconduction")
    # 5 January 2027 is the term; 60 days earlier is 6 November 2026
    assert renewal == [(D(2026, 11, 6), "acheteur"), (D(2027, 1, 5), None)]


# ------------------------------------------------------------------ window and order

def test_window_and_display_order():
    letters = (
        DatedLetter(path="a.eml", kind="mise_en_demeure", date=D(2026, 3, 2), deadline_days=8, received_on_date=True),
        DatedLetter(path="b.eml", kind="mise_en_demeure", date=D(2026, 3, 20), deadline_days=8, received_on_date=True),
        DatedLetter(path="c.eml", kind="mise_en_demeure", date=D(2025, 6, 2), deadline_days=8, received_on_date=True),
        DatedLetter(path="d.eml", kind="mise_en_demeure", date=D(2026, 6, 2), deadline_days=8, received_on_date=True),
    )
    items = contract_schedule(ContractFile(_contract(), letters=letters), as_of=D(2026, 3, 25))
    shown = sort_for_display(select_window(items, as_of=D(2026, 3, 25), horizon_days=30, lookback_days=92))
    # 2 March + 8 = 10 March (overdue, first); 20 March + 8 = Saturday 28 → Monday 30 March;
    # June 2025 is too old for the calendar, June 2026 beyond the horizon
    assert [(i.due, i.status) for i in shown] == [(D(2026, 3, 10), "en_retard"), (D(2026, 3, 30), "a_venir")]


def test_a_delay_from_the_notification_about_annual_documents_is_not_periodic():
    data = _deadline("L'acheteur communique au titulaire les bilans annuels de fréquentation dans les dix jours "
                     "suivant la notification du marché.", 10, "jour", "notification du marché", party="acheteur")
    items = contract_schedule(ContractFile(_contract(), deadlines=(TERM, data)), as_of=D(2026, 4, 27))
    listed = [i for i in items if "fréquentation" in i.source_quote]
    # 24 April + 10 days = Monday 4 May; one dated line for the buyer, no undated « périodique » one
    assert [(i.due, i.party) for i in listed] == [(D(2026, 5, 4), "acheteur")]


def test_guarantee_end_from_the_reception_report_is_a_term_to_check():
    guarantee = _deadline("Les matériels sont garantis pendant une durée de douze mois à compter de leur admission.",
                          12, "mois", "admission", party=None)
    pv = DatedLetter(path="courriers/pv-reception-lot2.pdf", kind="pv_reception", date=D(2025, 5, 9))
    item = _only(contract_schedule(ContractFile(_contract(), deadlines=(TERM, guarantee), letters=(pv,)),
                                   as_of=D(2026, 5, 4)), "garantie")
    # 9 May 2025 + 12 months = Saturday 9 May 2026: a term, not moved to Monday
    assert item.due == D(2026, 5, 9) and item.status == "a_venir"
    assert not item.verified and "PV" in (item.review_reason or "")


def test_bare_notification_is_assumed_to_be_the_contracts_and_said_so():
    insurance = _deadline("Le titulaire produit ses attestations d'assurance dans les quinze jours suivant la "
                          "notification.", 15, "jour", "notification")
    item = next(i for i in contract_schedule(ContractFile(_contract(), deadlines=(TERM, insurance)),
                                             as_of=D(2026, 5, 1)) if "assurance" in i.source_quote)
    assert item.due == D(2026, 5, 11)  # 24 April + 15 = Saturday 9 May → Monday 11 May
    assert not item.verified and "supposée" in (item.review_reason or "")


def test_clause_time_after_a_formal_notice_applies_when_the_letter_gives_none():
    clause = _deadline("Le titulaire dispose d'un délai de huit jours à compter de la réception de la mise en "
                       "demeure pour remédier au manquement.", 8, "jour", "réception de la mise en demeure")
    silent = DatedLetter(path="courriers/med-juin.eml", kind="mise_en_demeure", date=D(2026, 6, 3),
                         received_on_date=True)
    explicit = DatedLetter(path="courriers/med-juillet.eml", kind="mise_en_demeure", date=D(2026, 7, 1),
                           deadline_days=20, received_on_date=True)
    items = [i for i in contract_schedule(ContractFile(_contract(), deadlines=(TERM, clause),
                                                       letters=(silent, explicit)), as_of=D(2026, 6, 5),
                                          horizon_days=60) if i.kind == "mise_en_demeure"]
    # June: the CCAP's 8 days → 11 June; July: the letter's own 20 days → Tuesday 21 July
    assert sorted((i.due, i.rule) for i in items) == [
        (D(2026, 6, 11), "contrat.delai.mise_en_demeure"), (D(2026, 7, 21), "courrier.mise_en_demeure")]
    assert all(i.verified for i in items)


def test_day_of_each_month_before_notification_is_skipped():
    report = SourcedObligation("cctp.pdf", Obligation(
        article="8", page=5, party="titulaire", quote="Le relevé mensuel des consommations est transmis le 10 de "
                                                      "chaque mois."))
    items = [i for i in contract_schedule(ContractFile(_contract(notified_on=D(2026, 3, 15)), obligations=(report,)),
                                          as_of=D(2026, 4, 1), horizon_days=30) if i.rule == "contrat.periodique"]
    assert [i.due for i in items] == [D(2026, 4, 10)]  # not 10 March, before the notification


def test_end_of_each_month_deliverable_and_periodic_states_are_not_deadlines():
    statement = SourcedObligation("ccap.pdf", Obligation(
        article="11", page=4, party="titulaire",
        quote="L'entrepreneur adresse à la fin de chaque mois son projet de décompte mensuel au maître d'œuvre."))
    availability = SourcedObligation("ccap.pdf", Obligation(
        article="12", page=4, party="titulaire", quote="Le titulaire garantit une disponibilité mensuelle de 99 %."))
    items = contract_schedule(ContractFile(_contract(notified_on=D(2026, 1, 15)),
                                           obligations=(statement, availability)),
                              as_of=D(2026, 3, 20), horizon_days=30)
    periodic = [i for i in items if i.rule == "contrat.periodique"]
    # last days of January, February, March (31 January 2026 is a Saturday: flagged)
    assert [(i.due, i.verified) for i in periodic] == [
        (D(2026, 1, 31), False), (D(2026, 2, 28), False), (D(2026, 3, 31), True)]
    assert all("décompte" in i.source_quote and "« à la fin de chaque mois »" in i.computation_fr for i in periodic)


def test_contract_clause_on_order_observations_replaces_the_ccag_default():
    own = _deadline("Le titulaire formule ses observations sur un bon de commande dans les dix jours de sa "
                    "réception.", 10, "jour", "réception du bon de commande")
    delivery = _deadline("La livraison intervient dans les vingt jours suivant le bon de commande.", 20, "jour",
                         "bon de commande", article="6.2")
    order = DatedLetter(path="bc-77.eml", kind="bon_de_commande", date=D(2026, 6, 1), received_on_date=True)
    items = contract_schedule(ContractFile(_contract(), deadlines=(TERM, own, delivery), letters=(order,)),
                              as_of=D(2026, 6, 2))
    observations = [i for i in items if i.kind == "observations"]
    assert [(i.due, i.rule) for i in observations] == [(D(2026, 6, 11), "contrat.delai.bon_de_commande")]
    # one observations délai and one delivery délai: not « several » of a kind, so both verified
    assert all(i.verified for i in items if i.rule == "contrat.delai.bon_de_commande")


def test_buyer_acts_in_the_file_close_its_items():
    contract = _contract(terminated=Termination(on=D(2026, 1, 15), kind="faute"))
    account = DatedLetter(path="courriers/decompte-resiliation.pdf", kind="autre", date=D(2026, 2, 20),
                          direction="sortant", subject="Décompte de résiliation du marché VL-2026-12")
    memo = DatedLetter(path="courriers/memoire.pdf", kind="reclamation", date=D(2026, 2, 2), direction="entrant")
    items = contract_schedule(ContractFile(contract, letters=(account, memo)), as_of=D(2026, 4, 10))
    decompte = _only(items, "decompte")
    assert decompte.status == "fait" and decompte.done_by == "courriers/decompte-resiliation.pdf"
    # no answer to the mémoire in the file: 2 February + 2 months = 2 April, passed; the buyer's
    # silence now counts as a rejection (FCS 2009 37.3): a closed window, not a late act
    answer = next(i for i in items if i.kind == "reclamation" and i.party == "acheteur")
    assert answer.due == D(2026, 4, 2) and answer.status == "echu" and answer.done_by is None
    reply = DatedLetter(path="courriers/reponse-memoire.eml", kind="autre", date=D(2026, 3, 10), direction="sortant",
                        subject="Réponse à votre mémoire en réclamation")
    items = contract_schedule(ContractFile(contract, letters=(account, memo, reply)), as_of=D(2026, 4, 10))
    answer = next(i for i in items if i.kind == "reclamation" and i.party == "acheteur")
    assert answer.status == "fait" and answer.done_by == "courriers/reponse-memoire.eml"


def test_framework_agreement_notification_counts_but_a_subsequent_contracts_does_not():
    kickoff = _deadline("Le titulaire organise une réunion de lancement dans les dix jours suivant la notification "
                        "de l'accord-cadre.", 10, "jour", "notification de l'accord-cadre")
    order = _deadline("Le titulaire livre dans les vingt jours suivant la notification du marché subséquent.",
                      20, "jour", "notification du marché subséquent", article="6.3")
    items = [i for i in contract_schedule(ContractFile(_contract(), deadlines=(TERM, kickoff, order)),
                                          as_of=D(2026, 4, 27)) if i.rule == "contrat.delai.notification"]
    assert [(i.due, i.source_article) for i in items] == [(D(2026, 5, 4), "6.1")]


def test_letters_giving_less_than_the_ccag_minimum_are_counted_to_the_minimum_and_flagged():
    works = _contract(ccag="Travaux", ccag_version=2009)
    notice = DatedLetter(path="med.eml", kind="mise_en_demeure", date=D(2026, 3, 2), deadline_days=8,
                         received_on_date=True)
    item = _only(contract_schedule(ContractFile(works, letters=(notice,)), as_of=D(2026, 3, 5)), "mise_en_demeure")
    # Travaux 2009 art. 48.1: at least 15 days → 2 March + 15 = 17 March, not 10 March
    assert item.due == D(2026, 3, 17) and not item.verified and "48.1" in (item.review_reason or "")
    invite = DatedLetter(path="invitation.eml", kind="invitation_observations", date=D(2026, 3, 2), deadline_days=10,
                         received_on_date=True)
    item = _only(contract_schedule(ContractFile(_contract(ccag_version=2021), letters=(invite,)),
                                   as_of=D(2026, 3, 5)), "observations")
    assert item.due == D(2026, 3, 17) and not item.verified and "15 jours" in (item.review_reason or "")
    enough = DatedLetter(path="invitation2.eml", kind="invitation_observations", date=D(2026, 3, 2),
                         deadline_days=21, received_on_date=True)
    item = _only(contract_schedule(ContractFile(_contract(ccag_version=2021), letters=(enough,)),
                                   as_of=D(2026, 3, 5)), "observations")
    assert item.due == D(2026, 3, 23) and item.verified


def test_delay_from_the_date_set_by_a_service_order_is_to_be_checked():
    works = _deadline("Les travaux sont exécutés dans un délai de huit semaines à compter de la date fixée par "
                      "l'ordre de service prescrivant leur démarrage.", 8, "semaine", "ordre de service")
    start = DatedLetter(path="os-01-demarrage.eml", kind="ordre_de_service", date=D(2026, 6, 1), received_on_date=True)
    item = next(i for i in contract_schedule(ContractFile(_contract(), deadlines=(TERM, works), letters=(start,)),
                                             as_of=D(2026, 6, 2)) if i.rule == "contrat.delai.ordre_de_service")
    assert item.due == D(2026, 7, 27)  # 1 June + 56 days = Monday 27 July
    assert not item.verified and "date fixée" in (item.review_reason or "")


def test_hours_from_an_order_are_rounded_to_the_day_and_not_extended():
    urgent = _deadline("Les dépannages urgents sont réalisés sous vingt-quatre heures à compter du bon de commande.",
                       24, "heure", "bon de commande")
    order = DatedLetter(path="bc-urgent.eml", kind="bon_de_commande", date=D(2026, 5, 29), received_on_date=True)
    item = next(i for i in contract_schedule(ContractFile(_contract(), deadlines=(TERM, urgent), letters=(order,)),
                                             as_of=D(2026, 5, 29)) if i.rule == "contrat.delai.bon_de_commande")
    # Friday 29 May + 24 h → Saturday 30 May, not moved to Monday
    assert item.due == D(2026, 5, 30) and "arrondies" in item.computation_fr and item.verified
