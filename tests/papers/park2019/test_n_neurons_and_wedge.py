"""The n-neuron line of s8 and the wedge step of Thm 3.4's Gaussian/sphere certificate are claims the
engine decides (lemmas/park2019/thm_3_4_n_neurons.py), and the certificate names the wedge step."""
from __future__ import annotations

from proofcheck import Verdict
from proofcheck.model.registry import load

P = "park2019.thm3.4."


def test_n_neuron_line_proved_in_plane_coordinates(proofcheck_check):
    # per neuron |w_i - w_i*|^2 - sin^2(phi)|w_i*|^2 = (s_i - r_i cos phi)^2 >= 0: z3 proves the sum (n <= 4)
    r = proofcheck_check(P + "s8.n_neurons.plane:repaired")
    assert r.verdict is Verdict.PROVED, r.evidence


def test_n_neuron_line_searched_over_exact_pairs(proofcheck_check):
    # the same inequality summed over n >= 2 neurons of exact teacher-student pairs: true, so it survives,
    # and the search met its hypothesis (|W - W*| < |W*|) on exact instances
    r = proofcheck_check(P + "s8.n_neurons:repaired")
    assert r.verdict is Verdict.SURVIVED, r.evidence
    assert r.satisfied > 0


def test_wedge_inclusion_proved_at_the_certificates_angle(proofcheck_check):
    # for every direction of w_i* one of the four thin wedges at a perpendicular of w_j* fits R(w_i, w_i*)
    assert proofcheck_check(P + "wedge").verdict is Verdict.PROVED


def test_wedge_inclusion_fails_for_a_wide_wedge(proofcheck_check):
    # a quarter-plane wedge (t_0 = 1, phi_0 = pi/2) does not fit beside w_i* at 120 degrees: z3's model refutes
    r = proofcheck_check(P + "wedge", t_0=1)
    assert r.verdict is Verdict.REFUTED and r.counterexample is not None


def test_certificate_uses_the_wedge_claim():
    reg = load()
    for fam in ("gaussian", "sphere"):
        claim = next(c for c in reg.select(["park2019"]) if c.id == f"park2019.thm3.4@L=m_max.L_ex=m_ex.input={fam}")
        assert P + "wedge" in claim.uses
