"""The verdicts the du2019 audit reaches at the quick budget, seed 0 (computed by lemmas/du2019).

A weakened engine, a broken dataset/Gram/dynamics module or a changed lemma encoding changes them.
Each refutation carries a counterexample record; each survivor met its hypotheses (satisfied > 0).
"""
from __future__ import annotations

import pytest

from proofcheck import Verdict, engine
from proofcheck.engine import UsageError

D = "du2019."

EXPECTED = {
    "footnote": Verdict.SURVIVED,
    "init": Verdict.REFUTED,
    "init:repaired": Verdict.PROVED,
    "lemma2.2": Verdict.SURVIVED,
    "lemma2.2.s1": Verdict.REFUTED,
    "lemma2.2.s1:repaired": Verdict.SURVIVED,
    "lemma2.2.s2": Verdict.REFUTED,
    "lemma2.2.s2@delta_prime_n2delta": Verdict.REFUTED,
    "lemma2.2.s2:repaired": Verdict.PROVED,
    "lemma2.2.s3": Verdict.PROVED,
    "lemma2.3": Verdict.REFUTED,
    "lemma2.3:repaired": Verdict.SURVIVED,
    "lemma2.3.s1": Verdict.REFUTED,
    "lemma2.3.s1:repaired": Verdict.PROVED,
    "lemma2.3.s2": Verdict.PROVED,
    "lemma2.3.s3": Verdict.SURVIVED,
    "lemma2.3.s4@sqrt_2pi_delta": Verdict.REFUTED,
    "lemma2.3.s4@sqrt_2pi_times_delta": Verdict.SURVIVED,
    "lemma2.4": Verdict.SURVIVED,
    "lemma2.4.s1": Verdict.SURVIVED,
    "lemma2.4.s2": Verdict.REFUTED,
    "lemma2.4.s2:repaired": Verdict.SURVIVED,
    "lemma2.4.s3": Verdict.REFUTED,
    "lemma2.5": Verdict.REFUTED,
    "lemma2.5@whp": Verdict.REFUTED,
    "lemma2.5:repaired": Verdict.SURVIVED,
    "thm2.1": Verdict.SURVIVED,
    "thm2.6": Verdict.SURVIVED,
    "thm3.1": Verdict.SURVIVED,
}


@pytest.fixture(scope="module")
def results():
    return {}


def _check(cid, **overrides):
    return engine.check(D + cid, budget="quick", seed=0, overrides=overrides or None)


def test_every_du2019_claim_is_expected():
    from proofcheck.registry import load

    ids = {c[len(D):] for c in load().claims if c.startswith(D)}
    assert ids == set(EXPECTED)


@pytest.mark.parametrize("cid", sorted(EXPECTED))
def test_quick_verdict(cid):
    r = _check(cid)
    assert r.verdict is EXPECTED[cid], r.evidence
    if r.verdict is Verdict.REFUTED:
        assert r.counterexample is not None
        assert r.counterexample.get("verified_by")
    if r.verdict is Verdict.SURVIVED:
        assert r.satisfied > 0 and r.margin is not None
        if "rate" not in r.details:  # a deterministic survivor: its least margin is non-negative
            assert r.margin >= 0


def test_probabilistic_evidence_states_its_confidence():
    r = _check("lemma2.2")
    assert "99% Clopper-Pearson" in r.evidence
    assert r.details["rate"]["trials"] > 0


def test_the_explicit_width_constant_matters():
    """With K = 1 instead of the printed proof's 256, Lemma 2.2's width is too small and it fails."""
    r = _check("lemma2.2", K=1)
    assert r.verdict is Verdict.REFUTED


def test_markov_reading_with_a_larger_c_still_survives():
    """The sqrt(2 pi) delta reading is Markov's inequality: it holds for any radius (any c)."""
    assert _check("lemma2.3.s4@sqrt_2pi_times_delta", c=1.0).verdict is Verdict.SURVIVED


def test_same_seed_same_result():
    a, b = _check("lemma2.3.s4@sqrt_2pi_delta"), _check("lemma2.3.s4@sqrt_2pi_delta")
    assert a.evidence == b.evidence and a.counterexample == b.counterexample


def test_the_flow_check_can_refute_below_the_width():
    """Theorem 2.1 with a width constant 10^6 times too small (m = 1) at delta = 1/4: the decay for all t
    fails whenever the one neuron is (or ends) inactive, more often than delta; refuted by the engine's
    family-wise sampling, each failing draw re-decided exactly."""
    r = _check("thm2.1", K="1/1000000", delta="1/4")
    assert r.verdict is Verdict.REFUTED, r.evidence
    assert r.decided_by == "statistics" and r.counterexample["found_by"] in ("search", "witness")
    assert r.counterexample["values"]["m"] == 1


# A printed constant tightened is refuted, loosened it is not (each computed by the engine):
TIGHTENED = [
    # s1: the identity d/dt ||y-u||^2 = -2 r^T H r; any other factor is refuted exactly (at t = 0)
    ("lemma2.4.s1", {"two": "5/2"}, Verdict.REFUTED),
    ("lemma2.4.s1", {"coef": "9/10"}, Verdict.SURVIVED),  # a weaker inequality than the printed one
    # s2: rate 1 (printed) is refuted; 1/2 (the repair) survives; 3/5 is refuted again
    ("lemma2.4.s2", {"rate": "1/2"}, Verdict.SURVIVED),
    ("lemma2.4.s2:repaired", {"rate": "3/5"}, Verdict.REFUTED),
    # s3: factor 1 (printed) is refuted; the statement's 2 survives
    ("lemma2.4.s3", {"factor": "2"}, Verdict.SURVIVED),
    # Thm 3.1: (1 - 4 eta lambda_0)^k decays faster than GD can (~(1 - eta/2)^2k at H ~ 1/2): refuted;
    # (1 - eta lambda_0/8)^k is looser than the printed 1/2 and holds
    ("thm3.1", {"half": "4"}, Verdict.REFUTED),
    ("thm3.1", {"half": "1/4"}, Verdict.SURVIVED),
    # Thm 2.6: both layers decay at 2u'(0) ~ 2 = 4 lambda_0; a rate 5 lambda_0 fails at t = 0, exactly
    ("thm2.6", {"rate": "5"}, Verdict.REFUTED),
    # Lemma 2.5@whp: R' with 2/1000 instead of 2 makes R' < R at almost every draw at m = 1
    ("lemma2.5@whp", {"R_factor": "1/1000"}, Verdict.REFUTED),
    # Thm 2.1 on one input decays at 2 H(inf) ~ 1 = 2 lambda_0: rate 19/10 still holds at the width
    ("thm2.1", {"rate": "19/10"}, Verdict.SURVIVED),
]


@pytest.mark.parametrize("cid, overrides, verdict", TIGHTENED, ids=[f"{c}-{o}" for c, o, _ in TIGHTENED])
def test_printed_constants_tightened_and_loosened(cid, overrides, verdict):
    r = _check(cid, **overrides)
    assert r.verdict is verdict, r.evidence


def test_set_changes_what_the_theorems_check():
    """--set of a width constant changes the width the engine draws (the setting it checks)."""
    a, b = _check("thm2.1"), _check("thm2.1", K=8)
    assert a.details and b.details
    assert "m=41722" in a.evidence and "m=83444" in b.evidence


def test_a_delta_outside_the_unit_interval_is_a_clear_error():
    # rejected as a usage error before any work (the CLI prints it in one line and exits 2)
    with pytest.raises(UsageError, match="delta must be less than 1"):
        _check("thm2.1", delta=2)
    with pytest.raises(UsageError, match="delta must be positive"):
        _check("thm2.1", delta=0)
