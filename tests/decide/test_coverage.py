"""Coverage of undecided verdicts, budgets in counts, and re-verification at irrational constants (issue 17)."""
from __future__ import annotations

import dataclasses

import pytest

from proofcheck.decide.context import BUDGETS
from proofcheck.decide.engine import check
from proofcheck.decide.probability import draws_to_decide
from proofcheck.model.verdict import Verdict

COVERAGE_KEYS = {"examples", "methods", "variables", "ladders", "settings", "stopped_by", "summary"}


def test_survived_carries_coverage_of_what_was_tried(registry):
    r = check("planted.float_trap_numeric", "quick", 0, registry=registry).to_json()
    assert r["verdict"] == "survived"
    cov = r["coverage"]
    assert set(cov) == COVERAGE_KEYS and cov["stopped_by"] == "budget"
    assert cov["examples"] == r["examples"] == sum(cov["methods"].values())
    a = cov["variables"]["a"]
    assert -100 <= a["min"] <= a["max"] <= 100 and a["tried"] == cov["examples"]
    assert cov["summary"].startswith("searched a in [") and f"{cov['examples']} examples" in cov["summary"]


def test_decided_verdicts_carry_no_coverage(registry):
    assert "coverage" not in check("planted.poly_false", "quick", 0, registry=registry).to_json()
    assert "coverage" not in check("planted.sin_tight", "quick", 0, registry=registry).to_json()


def test_probabilistic_coverage_lists_each_setting_with_the_draws_to_decide_it(registry):
    claim = registry.get("planted.coin_at_delta")
    # the optional hook branch `du` adds to Probabilistic; absent or present, the engine reads it
    kind = claim.kind
    described = dataclasses.replace(claim, kind=kind)
    object.__setattr__(described.kind, "describe", lambda values, constants: {"s_half": values["s"] < 0.5})
    try:
        r = check(described, "quick", 0, registry=registry)
    finally:
        object.__delattr__(described.kind, "describe")
    assert r.verdict in (Verdict.INCONCLUSIVE, Verdict.SURVIVED), r.evidence
    cov = r.to_json()["coverage"]
    assert cov["settings"] and sum(s["draws"] for s in cov["settings"]) == cov["methods"]["sampling"]
    for s in cov["settings"]:
        assert set(s) == {"values", "facts", "draws", "failures", "undecided", "draws_to_decide"}
        assert 0 <= s["failures"] <= s["draws"] and s["undecided"] >= 0
        assert s["facts"] == {"s_half": s["values"]["s"] < 0.5}
        assert s["draws_to_decide"] is None or s["draws_to_decide"] >= s["draws"]
    assert "s" in cov["variables"] and "setting(s)" in cov["summary"]


def test_draws_to_decide_grows_as_the_rate_nears_delta():
    far = draws_to_decide(30, 100, 0.1, 0.005)     # rate 0.3 vs delta 0.1: a few dozen draws
    near = draws_to_decide(12, 100, 0.1, 0.005)    # rate 0.12: thousands
    assert far is not None and near is not None and far <= 100 < near
    assert draws_to_decide(10, 100, 0.1, 0.005) is None  # the rate is delta: no number decides it
    assert draws_to_decide(0, 0, 0.1, 0.005) is None


def test_budgets_are_counts_with_a_generous_safety_stop():
    for b in BUDGETS.values():
        assert b.examples > 0 and b.optimiser > 0 and b.ladder > 0
    assert BUDGETS["quick"].optimiser < BUDGETS["default"].optimiser < BUDGETS["deep"].optimiser
    assert BUDGETS["default"].seconds >= 300  # a safety stop, not what decides how far the search goes


@pytest.mark.parametrize("value", ["sqrt(2)", "2/pi", "1.4142"])
def test_an_irrational_constant_is_re_verified_like_its_decimal_neighbour(value):
    """du2019 Lemma 2.2 s1 fails for c_h = 1.4142; at c_h = sqrt(2) or 2/pi it fails too, and the
    rigorous twin must enclose the irrational constant instead of dropping the lead."""
    from proofcheck.decide.engine import parse_sets

    r = check("du2019.lemma2.2.s1", "quick", 0, overrides=parse_sets([f"c_h={value}"]))
    assert r.verdict is Verdict.REFUTED, r.evidence
    assert r.counterexample["found_by"] == "search"
