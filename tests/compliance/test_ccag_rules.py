"""The CCAG rule base: every value sourced, statuses honoured."""

import datetime as dt

from models.compliance.ccag_rules import all_rules, ccag_defaults, normalise_ccag, resolve_version


def test_every_rule_is_sourced_and_marked():
    rules = all_rules()
    assert len(rules) > 30
    for rule in rules:
        assert "FACTS.md" in rule.source, rule.id
        assert rule.status in ("T", "S", "U"), rule.id  # [D] alone never makes a rule
        assert rule.summary_fr
        assert rule.verified == (rule.status in ("T", "S"))


def test_unverified_rules_are_the_presumed_ones():
    unverified = {r.id for r in all_rules() if not r.verified}
    assert unverified == {"ccag.FCS.2021.delay_formula.14.1.1", "ccag.FCS.2021.reclamation_window.46"}


def test_2021_procedure_articles():
    assert ccag_defaults("Travaux", 2021).observations_before_penalties.article == "19.2.4"
    assert ccag_defaults("MOE", 2021).observations_before_penalties.article == "16.2.4"
    assert ccag_defaults("MI", 2021).cap.article == "15.2"
    assert ccag_defaults("FCS", 2009).observations_before_penalties is None  # a 2021 novelty


def test_names_and_versions():
    assert normalise_ccag("ccag travaux") == "Travaux"
    assert normalise_ccag("CCAG-MOE") == "MOE"
    assert normalise_ccag("CCTP") is None
    assert resolve_version("FCS", None, dt.date(2021, 3, 31)) == 2009
    assert resolve_version("FCS", None, dt.date(2021, 4, 1)) is None
    assert resolve_version("FCS", 2021, dt.date(2019, 1, 1)) == 2021
