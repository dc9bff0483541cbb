"""The verdicts the park2019 audit reaches (quick budget, seed 0), so that a regression fails.

Each expected verdict was reached by computation (see lemmas/park2019); a weakened engine or a
broken lemma module changes it. Refutations are re-verified here from the stored record.
"""
from __future__ import annotations

import json
from fractions import Fraction

import numpy as np
import pytest

from proofcheck import Verdict, engine
from proofcheck.codec import decode
from proofcheck.registry import load
from proofcheck.store import CounterexampleStore

P = "park2019."

EXPECTED = {
    # statement-level: undefined symbols / a quantity in a role it cannot have
    "eq2.1": Verdict.REFUTED,
    "eq2.1@sum_to_n": Verdict.REFUTED,
    "eq2.1:repaired": Verdict.PROVED,
    "thm2.3": Verdict.ILL_FORMED,
    "thm2.3@alpha=d": Verdict.SURVIVED,
    "thm2.3@phi_range=closed": Verdict.VACUOUS,
    "thm3.4": Verdict.ILL_FORMED,
    "thm3.4@L=m_max.L_ex=m_ex": Verdict.VACUOUS,
    "thm3.4@L=m_max.L_ex=m_ex.n=1": Verdict.SURVIVED,
    "thm3.4.induct": Verdict.REFUTED,
    "thm3.4.s1": Verdict.REFUTED,
    "thm3.4.s1@no_boundary_mass": Verdict.PROVED,
    "thm3.4.s2": Verdict.SURVIVED,
    "thm3.4.s3": Verdict.PROVED,
    "thm3.4.s4": Verdict.SURVIVED,
    "thm3.4.s5": Verdict.PROVED,
    "thm3.4.s6": Verdict.PROVED,
    "thm3.4.s6@lambda=eigen": Verdict.REFUTED,
    "thm3.4.s7": Verdict.CERTIFIED,
    "thm3.4.s7@phi_le_pi_over_2": Verdict.CERTIFIED,
    "thm3.4.s8": Verdict.REFUTED,
    "thm3.4.s8:repaired": Verdict.PROVED,
    "thm3.4.s8@phi=max_angle:repaired": Verdict.REFUTED,
    "thm3.4.s9": Verdict.PROVED,
    "thm3.4.s10": Verdict.REFUTED,
    "thm3.4.s10@eta_in_theorem_range": Verdict.PROVED,
    "thm3.4.s10:repaired": Verdict.PROVED,
    "thm3.4.s11": Verdict.ILL_FORMED,
    "thm3.4.s11@L_ex=m_ex": Verdict.REFUTED,
    "thm3.4.s11@L_ex=m_ex:repaired": Verdict.PROVED,
    "thm3.5": Verdict.ILL_FORMED,
    "thm3.5@constant": Verdict.REFUTED,
    "thm3.5@function": Verdict.SURVIVED,
    "thm3.5.s1": Verdict.SURVIVED,
    "thm3.5.s1@singular": Verdict.REFUTED,
    "thm3.5.s2": Verdict.SURVIVED,
    "thm3.5.s3": Verdict.PROVED,
    "thm3.5.s4": Verdict.PROVED,
    "thm3.5.s5": Verdict.PROVED,
    "thm3.5.s6": Verdict.PROVED,
    "thm3.5.same": Verdict.SURVIVED,
}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return CounterexampleStore(tmp_path_factory.mktemp("park2019_store"))


@pytest.fixture(scope="module")
def results(store):
    reg = load()
    return {cid: engine.check(P + cid, "quick", 0, store=store, registry=reg) for cid in EXPECTED}


def test_every_claims_md_id_is_registered():
    ids = {c.id for c in load().select(["park2019"])}
    for base in ["eq2.1", "thm2.3", "thm3.4", "thm3.4.induct", "thm3.5", "thm3.5.same"] + \
            [f"thm3.4.s{i}" for i in range(1, 12)] + [f"thm3.5.s{i}" for i in range(1, 7)]:
        assert P + base in ids, base
    assert {P + k for k in EXPECTED} == ids, "a registered park2019 claim has no expected verdict here"


@pytest.mark.parametrize("cid", sorted(EXPECTED))
def test_verdict(results, cid):
    r = results[cid]
    assert r.verdict is EXPECTED[cid], f"{cid}: {r.verdict.value}: {r.evidence}"


@pytest.mark.parametrize("cid", sorted(k for k, v in EXPECTED.items() if v is Verdict.REFUTED))
def test_refutations_carry_a_replayable_counterexample(results, store, cid):
    r = results[cid]
    assert r.counterexample is not None and r.counterexample.get("verified_by")
    assert store.load(P + cid), "the counterexample was not saved"
    json.dumps(r.counterexample)  # JSON-ready


def test_ill_formed_names_the_undefined_symbols(results):
    assert set(results["thm2.3"].details["undefined"]) == {"alpha"}
    assert set(results["thm3.4"].details["undefined"]) == {"L", "L_ex", "m_min"}
    assert set(results["thm3.4.s11"].details["undefined"]) == {"L_ex"}
    assert results["thm3.5"].details["undefined"] == ["m_ex"]


def test_s11_counterexample_has_b_below_one(results):
    """The hand analysis: with b = c, eta <= a/(2b^2) gives eta b <= a/(2b), so a refutation needs b < 1."""
    vals = {k: decode(v, exact=True) for k, v in results["thm3.4.s11@L_ex=m_ex"].counterexample["values"].items()}
    b = vals["L"] + 4 * vals["alpha"] + 14 * vals["m_ex"]
    a = vals["m_min"] - 10 * vals["m_ex"]
    eta = vals["eta"]
    assert b < 1
    assert eta <= a / (2 * b * b)
    assert 1 - eta * a + eta**2 * b > 1 - eta * a / 2


def test_s1_counterexample_replays_exactly(results):
    from proofcheck.ml.networks import gradient_three_sum_exact, population_gradient_exact

    vals = {k: decode(v, exact=True) for k, v in results["thm3.4.s1"].counterexample["values"].items()}
    dist, W, Ws = vals["dist"], vals["W"], vals["W_star"]
    G = population_gradient_exact(dist, W, Ws, reading="appendix")
    G3 = gradient_three_sum_exact(dist, W, Ws)
    assert any(Fraction(a) != Fraction(b) for a, b in zip(np.ravel(G), np.ravel(G3)))
    # and the culprit is an atom on a teacher hyperplane
    assert any(sum(Fraction(x) * Fraction(w) for x, w in zip(z, Ws[:, j])) == 0
               for z in dist.atoms_q for j in range(Ws.shape[1]))


def test_induct_counterexample_replays_exactly(results):
    from proofcheck.ml import linalg_exact as X
    from proofcheck.ml.networks import gd_step_exact

    vals = {k: decode(v, exact=True) for k, v in results["thm3.4.induct"].counterexample["values"].items()}
    dist, W, Ws, eta = vals["dist"], vals["W"], vals["W_star"], vals["eta"]
    before = {X.cos_sq_angle(X.fvec(W[:, i]), X.fvec(Ws[:, i])) for i in range(W.shape[1])}
    assert len(before) == 1
    W1 = gd_step_exact(dist, W, Ws, eta)
    after = {X.cos_sq_angle(X.fvec(W1[:, i]), X.fvec(Ws[:, i])) for i in range(W.shape[1])}
    assert len(after) > 1


def test_vacuity_margin_is_negative_and_plotted(results):
    r = results["thm3.4@L=m_max.L_ex=m_ex"]
    assert r.margin is not None and r.margin < 0
    plot = r.details["plots"][0]
    assert plot["series"] and len(plot["series"][0]["x"]) <= 200


def test_same_seed_same_verdicts(store):
    a = engine.check(P + "thm3.4.induct", "quick", 3, store=None)
    b = engine.check(P + "thm3.4.induct", "quick", 3, store=None)
    assert a.verdict is b.verdict and a.counterexample == b.counterexample


@pytest.mark.parametrize("cid", ["thm2.3@alpha=d", "thm3.4@L=m_max.L_ex=m_ex.n=1"])
def test_one_neuron_checks_at_default_budget(cid):
    """More instances (including weights parallel to the target) must stay finite Arb balls."""
    r = engine.check(P + cid, "default", 0, store=None)
    assert r.verdict is Verdict.SURVIVED, r.evidence
    assert r.margin is not None and r.margin > 0
