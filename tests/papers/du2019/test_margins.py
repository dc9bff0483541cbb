"""The margins lemmas 2.2 and 2.3 write once over ``env.num`` (``rigorous=RERUN_ON_BALLS``): re-run on Arb
balls at exact values they enclose the exact margin, an irrational constant included, and a ball that
cannot decide a branch leaves the point undecided."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import sympy

from lemmas.du2019 import width_lemma22
from lemmas.du2019.lemma_2_2 import lemma2_2_s2, lemma2_2_s3
from lemmas.du2019.lemma_2_3 import WIDTH_CAP, _width_hypothesis
from proofcheck.ml import du_strategies as dst
from proofcheck.ml import gram
from proofcheck.model.claim import Env, enclosure_of_condition
from proofcheck.model.num import Enclosure


def _s2(n, e, c_h=2, delta=Fraction(1, 10)):
    return enclosure_of_condition(lemma2_2_s2.conclusion, Env({"n": n, "delta": delta, "e": e, "c_h": c_h, "c_u": 4}))


def test_s2_union_bound_budget_on_balls():
    # e = 2, n = 2: delta - n^2 (n^2 delta) = -15 delta = -3/2 (the radius part is positive there)
    enc = _s2(2, 2)
    assert enc.definitely_negative() and enc.lo <= Fraction(-3, 2) <= enc.hi


def test_s2_radius_with_an_irrational_c_h_is_enclosed():
    # e = -2, n = 1: delta' = delta, the budget is 0 and the radius part is (4 - 5 sqrt 2) sqrt(log 10) < 0
    enc = _s2(1, -2, c_h=5 * sympy.sqrt(2))
    exact = Fraction(str(sympy.N((4 - 5 * sympy.sqrt(2)) * sympy.sqrt(sympy.log(10)), 40)))
    assert enc.definitely_negative() and enc.lo <= exact <= enc.hi
    # c_h = sqrt(2) < c_u: the radius holds, and the budget d (1 - n^(2+e)) is an exact 0 on balls at n = 1
    assert _s2(1, -2, c_h=sympy.sqrt(2)) == Enclosure.exact(0)


def test_s2_undecided_where_the_ball_straddles_delta_prime_1():
    # e = 1, n = 10, delta = 1/10: delta' = 1 exactly, which a ball cannot tell from either side
    assert _s2(10, 1) is None


@pytest.mark.parametrize("entry, margin", [(Fraction(1), Fraction(0)), (Fraction(9, 8), Fraction(-1, 8)),
                                           (Fraction(-3, 8), Fraction(5, 8))])
def test_s3_entries_within_the_radius_are_exact_on_balls(entry, margin):
    U = np.array([[float(entry), 0.125], [0.125, -0.25]])
    enc = enclosure_of_condition(lemma2_2_s3.hypotheses[0], Env({"U": U}))
    assert enc.lo == enc.hi == margin


@pytest.mark.parametrize("K", [256, 10**6])
def test_width_hypothesis_on_balls_has_the_sign_of_the_ceiling(K):
    """WIDTH_CAP - K n^2 log(n/delta)/lambda_0^2 >= 0 iff ceil(K n^2 log(n/delta)/lambda_0^2) <= WIDTH_CAP."""
    for D in (dst.dataset_of([[1]], [0]), dst.dataset_of([[1, 0], [0, 1]], [0, 0]),
              dst.dataset_of([[1, 0, 0], [0, 1, 0], [0, 0, 1]], [0, 0, 0])):
        enc = enclosure_of_condition(_width_hypothesis, Env({"dataset": D, "K": K, "delta": Fraction(1, 10)}))
        lo, _ = gram.lambda0_enclosure(D.gram_exact())
        fits = width_lemma22(D.n, float(lo), 0.1, K) <= WIDTH_CAP
        assert enc.definitely_holds() is fits and enc.definitely_negative() is (not fits)
