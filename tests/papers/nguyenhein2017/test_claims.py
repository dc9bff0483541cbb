"""The verdicts the nguyenhein2017 audit reaches at the test budget, seed 0 (computed by
lemmas/nguyenhein2017), and the certified critical points behind its refutations."""
from __future__ import annotations

import pytest

from proofcheck import Verdict
from proofcheck.store.codec import decode

P = "nguyenhein2017."

EXPECTED = {
    "eq1": Verdict.REFUTED,                     # the outer sum printed to L, not N
    "assumption3.2.l2": Verdict.PROVED,
    "assumption3.2.independent_count": Verdict.SURVIVED,
    "thm3.4": Verdict.SURVIVED,
    "thm3.4@relu": Verdict.REFUTED,             # a unit off on every input: an exact critical point
    "thm3.4@rank_deficient": Verdict.REFUTED,   # W = 0 with tanh: an exact critical point
    "thm3.8": Verdict.ILL_FORMED,               # the notes print no conclusion
}


@pytest.mark.parametrize("suffix", sorted(EXPECTED))
def test_verdict(proofcheck_check, suffix):
    r = proofcheck_check(P + suffix)
    assert r.verdict is EXPECTED[suffix], (r.evidence, r.notes)
    if r.verdict is Verdict.REFUTED:
        assert r.counterexample and r.counterexample["found_by"] == "search"
    if r.verdict is Verdict.SURVIVED:
        assert 0 < r.satisfied <= r.examples


@pytest.mark.parametrize("suffix", ["thm3.4@relu", "thm3.4@rank_deficient"])
def test_the_critical_point_is_certified_and_not_full_rank_only_where_allowed(proofcheck_check, suffix):
    cp = decode(proofcheck_check(P + suffix).counterexample["values"]["cp"])
    assert cp.certificate is not None and cp.check_certificate()  # re-checked from scratch
    assert cp.loss().lo > cp.problem.global_min_upper().hi      # certainly not a global minimum
    if suffix == "thm3.4@relu":
        assert cp.full_column_rank() is True                    # the ReLU reading keeps full rank
    else:
        assert cp.full_column_rank() is False                   # the theorem's hypothesis is what fails


def test_independent_count_is_tight_at_extra_zero_and_fails_below(proofcheck_check):
    assert proofcheck_check(P + "assumption3.2.independent_count", extra=0).verdict is Verdict.SURVIVED
    assert proofcheck_check(P + "assumption3.2.independent_count", extra=-1).verdict is Verdict.REFUTED


def test_theorem_3_4_certifies_critical_points_of_wide_networks(proofcheck_check):
    # the search includes one-hidden-layer networks with N = 3, 4 points and widths up to N + 1; BFGS on the loss
    # reaches the zero-loss manifold, certified by interpolation, and the evidence counts them
    r = proofcheck_check(P + "thm3.4")
    wide = {k: v for k, v in r.details["tally"].items() if k.startswith(("N=3 ", "N=4 ")) and "not" not in k}
    assert sum(wide.values()) > 0, r.details["tally"]
    assert "N=3 interpolation" in r.evidence or "N=4 interpolation" in r.evidence
