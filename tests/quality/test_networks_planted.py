"""Quality: planted claims about networks and input distributions, decided through the structured search.

The claims quantify over :class:`proofcheck.ml.strategies.Network` instances (exact atoms, teacher,
student); a scalar search cannot even state them. The false ones carry a wrong factor or a wrong
structural fact about the block matrices ``B_klm`` of Def. 3.1 (Park 2019) and must be refuted by the
search (``found_by: search``), with a counterexample shrunk to ``n <= 2``; the true ones must never be
refuted, whatever the seed. A weakened strategy (one neuron only) must miss the structural falsehood:
the finding rests on the structure the strategy draws.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from proofcheck import Claim, Source
from proofcheck.store.codec import decode
from proofcheck.decide.engine import check
from lemmas.park2019 import model as Q
from proofcheck.ml import spectral as SP
from proofcheck.ml.networks import block_matrix_exact
from proofcheck.ml.strategies import networks
from proofcheck.model.registry import Registry
from proofcheck.model.verdict import Verdict

SRC = Source("planted", "tests/quality/test_networks_planted.py", "planted claims with a known truth value")


def _second_moment(net) -> Fraction:
    """E|z|^2, exactly."""
    return sum((p * sum(x * x for x in z) for z, p in zip(net.dist.atoms_q, net.dist.weights_q)), Fraction(0))


def _norm_bound_margin(factor: Fraction):
    """factor * E|z|^2 / n - sigma_max(B_000), enclosed (sigma_max between a test vector and Frobenius)."""
    def margin(env):
        from proofcheck.model.num import Enclosure, fraction_to_arb

        net = env.net
        B = block_matrix_exact(net.dist, net.W, net.W_star, 0, 0, 0)
        lo_sq, hi_sq = SP.sigma_sq_bounds(B)
        bound = fraction_to_arb(factor * _second_moment(net) / net.n)
        return Enclosure(Enclosure.of(bound - fraction_to_arb(hi_sq).sqrt()).lo,
                         Enclosure.of(bound - fraction_to_arb(lo_sq).sqrt()).hi)
    return margin


def _asymmetry(klm):
    def margin(env):
        B = block_matrix_exact(env.net.dist, env.net.W, env.net.W_star, *klm)
        return -Q.max_abs(np.asarray(B, dtype=object) - np.asarray(B, dtype=object).T)
    return margin


def _claim(cid, title, strategy, conclusion):
    return Claim(id=cid, title=title, source=SRC, statement=title,
                 variables=[Q.network_variable(strategy)], conclusion=conclusion, cost=0.5)


NETS = networks(k=(2, 3), n=(1, 2, 3), angle="free")
PLANTED = [
    # |B_000| <= E|z|^2 / n: each block is (1/n^2) E[zz^T 1{..}] <= (1/n^2) E[zz^T], and n blocks per row
    _claim("plantednet.b000_norm_true", "|B_000|_oper <= E|z|^2 / n", NETS,
           Q.exact_condition("E|z|^2/n - |B_000|", _norm_bound_margin(Fraction(1)))),
    # the wrong factor 1/2: false for n = 1 with every atom on the positive side of w = w*
    _claim("plantednet.b000_norm_half", "|B_000|_oper <= E|z|^2 / (2n) (wrong factor)", NETS,
           Q.exact_condition("E|z|^2/(2n) - |B_000|", _norm_bound_margin(Fraction(1, 2)))),
    # B_000 is symmetric (block (i, j) and (j, i) integrate the same region): true
    _claim("plantednet.b000_symmetric", "B_000 is symmetric", NETS,
           Q.exact_condition("-max |B_000 - B_000^T|", _asymmetry((0, 0, 0)))),
    # B_001 is symmetric: false, but only for n >= 2 (for n = 1 its one block is symmetric)
    _claim("plantednet.b001_symmetric", "B_001 is symmetric (false for n >= 2)", NETS,
           Q.exact_condition("-max |B_001 - B_001^T|", _asymmetry((0, 0, 1)))),
    _claim("plantednet.b001_symmetric_n1", "B_001 is symmetric, searched with one neuron only",
           networks(k=(2, 3), n=1, angle="free"), Q.exact_condition("-max |B_001 - B_001^T|", _asymmetry((0, 0, 1)))),
]


@pytest.fixture(scope="module")
def registry():
    reg = Registry()
    for c in PLANTED:
        reg.add_claim(c, __name__)
    return reg


@pytest.mark.parametrize("cid", ["plantednet.b000_norm_half", "plantednet.b001_symmetric"])
def test_planted_false_network_claim_is_refuted_by_search_and_shrunk(registry, cid):
    r = check(cid, "quick", 0, registry=registry)
    assert r.verdict is Verdict.REFUTED, r.evidence
    assert r.counterexample["found_by"] == "search"
    net = decode(r.counterexample["values"]["net"], exact=True)
    assert net.n <= 2
    if cid.endswith("symmetric"):
        assert net.n == 2  # the asymmetry needs two neurons


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("cid", ["plantednet.b000_norm_true", "plantednet.b000_symmetric"])
def test_planted_true_network_claim_is_never_refuted(registry, cid, seed):
    r = check(cid, "quick", seed, registry=registry)
    assert r.verdict is Verdict.SURVIVED, r.evidence
    assert r.satisfied > 0


def test_one_neuron_strategy_misses_the_structural_falsehood(registry):
    """Same statement, strategy restricted to n = 1: no counterexample exists there."""
    r = check("plantednet.b001_symmetric_n1", "quick", 0, registry=registry)
    assert r.verdict is Verdict.SURVIVED, r.evidence
