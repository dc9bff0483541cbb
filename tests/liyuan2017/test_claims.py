"""The verdicts the liyuan2017 audit reaches at the test budget, seed 0 (computed by lemmas/liyuan2017),
and for the explicit constants: a tightened constant refuted, the stated one not."""
from __future__ import annotations

from fractions import Fraction

import pytest

from proofcheck import Verdict, engine

P = "liyuan2017."

EXPECTED = {
    "def.one_point": Verdict.ILL_FORMED,          # x* x: two vectors juxtaposed
    "def.one_point@difference": Verdict.REFUTED,  # fails at x = x*, where both sides are 0
    "def.one_point:repaired": Verdict.PROVED,
    "def.f_A": Verdict.REFUTED,                   # |e_i - w_i| does not vanish at W = W*
    "def.f_A@plus": Verdict.PROVED,
    "def.f_A_i": Verdict.PROVED,
    "def.A.trace": Verdict.REFUTED,
    "def.A.trace@plus": Verdict.PROVED,
    "def.A_i.trace@plus": Verdict.PROVED,
    "phase2": Verdict.SURVIVED,
    "phase2@prelu": Verdict.SURVIVED,
    "phase1": Verdict.SURVIVED,            # the existential form, over its declared candidates
    "phase1@explicit": Verdict.SURVIVED,   # the encoding's gamma, C, eta (refuted at --budget deep)
    "no_way_back": Verdict.SURVIVED,
    "main": Verdict.SURVIVED,
    "main@random_init": Verdict.SURVIVED,
}


@pytest.mark.parametrize("suffix", sorted(EXPECTED))
def test_verdict(proofcheck_check, suffix):
    r = proofcheck_check(P + suffix)
    assert r.verdict is EXPECTED[suffix], (r.evidence, r.notes)
    if r.verdict is Verdict.REFUTED:
        assert r.counterexample and r.counterexample["found_by"] in ("search", "decision")
    if r.verdict is Verdict.SURVIVED:
        assert 0 < r.satisfied <= r.examples


def test_refutations_of_the_definitions_are_exact_models(proofcheck_check):
    r = proofcheck_check(P + "def.one_point@difference")
    # the z3 model is the point x = x*, where <-grad f, x* - x> = 0 = delta |x* - x|^2
    v = r.counterexample["values"]
    assert v["x0"] == v["xs0"] and v["x1"] == v["xs1"]


@pytest.mark.slow
def test_phase2_gamma_too_large_is_refuted():
    # at gamma = 2 the teacher and student can be far apart; the ratio <-grad L, W* - W>/|W* - W|^2
    # drops below delta = 1/20 (near 0 it is at least (pi - 2)/(4 pi) ~ 0.09 > 1/20); the default
    # budget's search finds it, the quick one's 30 draws need not
    r = engine.check(P + "phase2", "default", 0, overrides={"gamma": Fraction(2)})
    assert r.verdict is Verdict.REFUTED


@pytest.mark.slow
def test_phase2_delta_above_the_hessian_bound_is_refuted():
    # the Hessian at W = W* = 0 has smallest eigenvalue (pi - 2)/(4 pi) ~ 0.0908: delta = 1/5 fails
    r = engine.check(P + "phase2", "default", 0, overrides={"delta": Fraction(1, 5)})
    assert r.verdict is Verdict.REFUTED


def test_too_few_steps_is_refuted(proofcheck_check):
    # K = 4 gives T = 185 steps: the error contracts by about (1 - eta 0.09) per step, too little
    assert proofcheck_check(P + "main@random_init", K=4).verdict is Verdict.REFUTED
