"""The JSON contract, checked on what the engine actually computes.

For EVERY claim of an audit: ``0 <= satisfied <= examples`` (examples = instances tried, satisfied =
those meeting every hypothesis), ``decided_by`` one of the engine's layers, every counterexample
labelled ``found_by`` search / decision / witness, the verdict one of :class:`Verdict`, margins finite
or null, and a ``frontier`` (on refuted claims with constants) of the documented shape. The CI
version audits a mix that exercises every layer (planted claims, park2019 Thm 3.4's lines, du2019's
init and Lemma 2.4); the full quick audit of everything is marked slow.
"""
from __future__ import annotations

import json
import math
import subprocess
import sys
from fractions import Fraction

import pytest
import sympy
from hypothesis import strategies as st

from proofcheck import Claim, Condition, Outcome, Variable
from proofcheck.model.claim import Source
from proofcheck.decide.engine import ROUNDING, check
from proofcheck.model.verdict import DECIDED_BY, FOUND_BY, Verdict

from conftest import planted_env

VERDICTS = {v.value for v in Verdict}
STATUSES = {"bracketed", "refuted-throughout", "holds-throughout", "undecided", "skipped"}


def _audit(ids, tmp_path, budget="quick"):
    out = tmp_path / "audit.json"
    p = subprocess.run([sys.executable, "-m", "proofcheck", "audit", *ids, "--budget", budget, "--jobs", "2",
                        "--seed", "0", "--format", "json", "-o", str(out), "--store", str(tmp_path / "store")],
                       capture_output=True, text=True, env=planted_env(), timeout=1200, cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    return json.loads(out.read_text())


def _check_contract(report):
    assert report["tool"] == "proofcheck" and isinstance(report["seed"], int)
    assert report["claims"], "the audit checked no claim"
    for c in report["claims"]:
        cid = c["id"]
        assert c["verdict"] in VERDICTS, cid
        assert c["decided_by"] in DECIDED_BY, (cid, c["decided_by"])
        assert isinstance(c["examples"], int) and isinstance(c["satisfied"], int), cid
        assert 0 <= c["satisfied"] <= c["examples"], (cid, c["satisfied"], c["examples"])
        for key in ("margin", "relative_margin"):
            assert c[key] is None or math.isfinite(c[key]), (cid, key)
        if c["verdict"] == "refuted":
            ce = c["counterexample"]
            assert isinstance(ce, dict) and ce.get("found_by") in FOUND_BY, (cid, ce)
        if c["verdict"] == "proved" and c["decided_by"] == "decision":
            assert c["examples"] == 0, cid  # a proof tries no instance
        if c.get("frontier") is not None:
            assert c["verdict"] == "refuted", cid
            for name, f in c["frontier"].items():
                _check_frontier(cid, name, f)


def _check_frontier(cid, name, f):
    assert f["name"] == name and f["status"] in STATUSES, (cid, f)
    assert isinstance(f["summary"], str) and f["summary"], cid
    if f["status"] == "skipped":
        return
    values = [Fraction(p["value"]) for p in f["points"]]
    assert values == sorted(values), cid
    lo, hi = (Fraction(x) for x in f["range"])
    assert all(lo <= v <= hi for v in values), cid
    for p in f["points"]:
        assert p["verdict"] in VERDICTS and 0 <= p["satisfied"] <= p["examples"], (cid, p)
    assert "monoton" in f["assumption"]
    by_value = {Fraction(p["value"]): p["verdict"] for p in f["points"]}
    if f["status"] == "bracketed":
        assert by_value[Fraction(f["refuted"]["bound"])] == "refuted", cid
        assert by_value[Fraction(f["holds"]["bound"])] not in ("refuted", "error", "ill-formed"), cid
    elif f["status"] == "refuted-throughout":
        assert set(by_value.values()) <= {"refuted", "error", "ill-formed"}, cid


def test_contract_on_a_mixed_quick_audit(tmp_path):
    report = _audit(["planted", "park2019.thm3.4", "du2019.init", "du2019.lemma2.4"], tmp_path)
    _check_contract(report)
    ids = {c["id"] for c in report["claims"]}
    assert {"planted.coin_false", "park2019.thm3.4.s5", "du2019.lemma2.4.s1"} <= ids
    coin = next(c for c in report["claims"] if c["id"] == "planted.coin_false")
    assert coin["verdict"] == "refuted" and set(coin["frontier"]) == {"delta", "rate"}


@pytest.mark.slow
def test_contract_on_the_full_quick_audit(tmp_path):
    _check_contract(_audit([], tmp_path))


# ---------------------------------------------------------------- where the numbers are made consistent
SRC = Source("test", "here")
X = sympy.Symbol("x", real=True)


def _procedure(examples, satisfied):
    return Claim(id="contracttest.counts", title="counts", source=SRC, statement="-",
                 check=lambda ctx: Outcome(Verdict.SURVIVED, "no violation", examples, satisfied, 0.5),
                 refutes=False, procedure_reason="a test of the engine's counts")


def test_satisfied_never_exceeds_examples():
    r = check(_procedure(3, 10), "quick", 0)
    assert r.satisfied == 10 and r.examples == 10 and r.details["draws"] == 3
    assert any("satisfied <= examples" in n for n in r.notes)
    r = check(_procedure(7, 5), "quick", 0)
    assert (r.examples, r.satisfied) == (7, 5) and "draws" not in r.details


def _noisy(value, sides=None):
    cond = Condition("conclusion", margin=lambda env: value, sides=(lambda env: sides) if sides else None)
    return Claim(id="contracttest.noisy", title="float noise", source=SRC, statement="-",
                 variables=[Variable("x", st.floats(0, 1), lo=0, hi=1)], conclusion=cond)


def test_float_noise_of_a_survived_claim_is_shown_as_zero():
    r = check(_noisy(-1e-17), "quick", 0)
    assert r.verdict is Verdict.SURVIVED  # a float lead without a rigorous twin is no refutation
    assert r.margin == 0.0 and r.details["margin_float"] == -1e-17
    assert any("within rounding" in n for n in r.notes)
    assert "least margin 0 within rounding" in r.evidence and "-1e-17 " not in r.evidence.split("(float")[0]


def test_float_noise_of_a_procedure_is_said_in_its_evidence():
    claim = Claim(id="contracttest.noise", title="noise", source=SRC, statement="-",
                  check=lambda ctx: Outcome(Verdict.SURVIVED, "least margin -2e-15", 5, 5, -2e-15),
                  refutes=False, procedure_reason="a test of the engine's rounding rule")
    r = check(claim, "quick", 0)
    assert r.margin == 0.0 and r.details["margin_float"] == -2e-15
    assert "float rounding around 0" in r.evidence


def test_a_real_float_violation_is_not_hidden():
    r = check(_noisy(-0.25, sides=(1.25, 1.0)), "quick", 0)
    assert r.verdict is Verdict.SURVIVED and r.margin == -0.25
    assert r.relative_margin == pytest.approx(-0.2)
    assert "margin_float" not in r.details
    assert 0.25 > ROUNDING * 1.25


def test_relative_margin_of_a_refuted_relation():
    claim = Claim(id="contracttest.rel", title="x <= 1/2 on [0, 1]", source=SRC, statement=r"x\le\tfrac12",
                  variables=[Variable("x", st.floats(0, 1), lo=0, hi=1)], conclusion=sympy.Le(X, sympy.Rational(1, 2)))
    r = check(claim, "quick", 0)
    assert r.verdict is Verdict.REFUTED
    lhs, rhs = r.details["sides"]["lhs"], r.details["sides"]["rhs"]
    assert rhs == 0.5 and lhs > 0.5
    assert r.relative_margin == pytest.approx(r.margin / max(abs(lhs), abs(rhs)))
    assert -1 <= r.relative_margin < 0


def test_declared_sides_override_an_encoding():
    # the statement compares a and 1/2; the relation encodes it squared (a^2 <= 1/4 on a >= 0)
    a = sympy.Symbol("a", real=True)
    cond = Condition("conclusion", relation=sympy.Le(a ** 2, sympy.Rational(1, 4)),
                     sides=lambda env: (env.a, 0.5))
    claim = Claim(id="contracttest.squared", title="a <= 1/2, squared", source=SRC, statement=r"a\le\tfrac12",
                  variables=[Variable("a", st.floats(0, 1), lo=0, hi=1)], conclusion=cond)
    r = check(claim, "quick", 0)
    assert r.verdict is Verdict.REFUTED
    lhs = r.details["sides"]["lhs"]
    assert r.details["sides"]["rhs"] == 0.5 and lhs > 0.5
    # the margin a reviewer reads is the printed gap 1/2 - a, not the squared 1/4 - a^2
    assert r.margin == pytest.approx(0.5 - lhs) and r.details["encoded_margin"] == pytest.approx(0.25 - lhs ** 2)
    assert r.relative_margin == pytest.approx((0.5 - lhs) / lhs)


def test_declared_sides_of_an_equality_keep_the_failing_sign():
    # sin(phi)-like equality a = 1/2 encoded as (a - 1/2)^2 <= 0: the gap is |a - 1/2|, negative when it fails
    a = sympy.Symbol("a", real=True)
    cond = Condition("conclusion", relation=sympy.Le((a - sympy.Rational(1, 2)) ** 2, 0), sides=lambda env: (env.a, 0.5))
    claim = Claim(id="contracttest.equal", title="a = 1/2", source=SRC, statement=r"a=\tfrac12",
                  variables=[Variable("a", st.floats(0, 1), lo=0, hi=1)], conclusion=cond)
    r = check(claim, "quick", 0)
    assert r.verdict is Verdict.REFUTED and r.margin < 0
    assert r.margin == pytest.approx(-abs(r.details["sides"]["lhs"] - 0.5))
