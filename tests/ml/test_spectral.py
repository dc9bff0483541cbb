"""Spectral certificates (proofcheck.ml.spectral): float spectra by kind, exact LDL^T decisions with
witnesses, Rayleigh-quotient bounds from both sides, Arb enclosures of lambda_min."""
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from proofcheck.ml.spectral import (certify_psd, lam_max, lam_min, lambda_min_enclosure, sigma_sq_bounds,
                                    spectral_norm_at_most, sym_lam_max_lower, sym_upper_certified)
from proofcheck.model.num import fraction_to_arb


def test_lam_kinds():
    M = np.array([[0.0, 2.0], [0.0, 0.0]])
    assert lam_max(M, "singular") == pytest.approx(2.0)
    assert lam_max(M, "eigen") == pytest.approx(0.0)
    assert lam_max(M, "sym") == pytest.approx(1.0)
    assert lam_min(M, "singular") == pytest.approx(0.0)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(-4, 4), min_size=9, max_size=9), st.integers(-3, 3))
def test_certify_psd_matches_eigenvalues(entries, shift):
    A = np.array(entries).reshape(3, 3)
    M = A @ A.T + shift * np.eye(3, dtype=int)  # integer symmetric; PSD iff lambda_min >= 0
    Mq = [[Fraction(int(x)) for x in row] for row in M]
    cert = certify_psd(Mq)
    lmin = np.linalg.eigvalsh(M.astype(float))[0]
    if cert.psd:
        assert lmin >= -1e-9
    else:
        assert lmin < 1e-9
        x = cert.witness
        val = sum(x[i] * Mq[i][j] * x[j] for i in range(3) for j in range(3))
        assert val == cert.value and val < 0


def test_certify_psd_semidefinite_and_zero_pivots():
    assert certify_psd([[1, 1], [1, 1]]).psd
    assert certify_psd([[0, 0], [0, 0]]).psd
    c = certify_psd([[0, 1], [1, 0]])
    assert not c.psd and c.value < 0
    with pytest.raises(Exception, match="square"):
        certify_psd([[1, 0]])


def test_symmetric_part_bounds_bracket_the_eigenvalue():
    M = [[Fraction(1), Fraction(1, 2)], [Fraction(1, 2), Fraction(1)]]  # eigenvalues 1/2, 3/2
    lo, hi = sym_lam_max_lower(M), sym_upper_certified([M])
    assert lo <= Fraction(3, 2) <= hi and hi - lo < Fraction(1, 10**6)


def test_sigma_sq_bounds_bracket_the_singular_value():
    lo, hi = sigma_sq_bounds([[0, 2], [0, 0]])  # sigma_max = 2
    assert lo <= 4 <= hi and lo > Fraction(39, 10)


def test_spectral_norm_at_most_is_exact():
    W = [[Fraction(3, 5), Fraction(0)], [Fraction(0), Fraction(4, 5)]]
    assert spectral_norm_at_most(W, Fraction(4, 5))
    assert not spectral_norm_at_most(W, Fraction(4, 5) - Fraction(1, 10**9))
    assert not spectral_norm_at_most(W, -1)


def test_lambda_min_enclosure_brackets_the_float_value():
    H = [[Fraction(2), Fraction(1)], [Fraction(1), Fraction(2)]]  # lambda_min = 1
    lo, hi = lambda_min_enclosure([[fraction_to_arb(x) for x in row] for row in H])
    assert lo <= 1 <= hi and hi - lo < Fraction(1, 10**6)
