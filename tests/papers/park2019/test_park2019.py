"""The verdicts the park2019 audit reaches (quick budget, seed 0), so that a regression fails.

Each expected verdict was reached by computation (see lemmas/park2019); a weakened engine or a
broken lemma module changes it. Refutations are re-verified here from the stored record.
"""
from __future__ import annotations

import json
from fractions import Fraction

import numpy as np
import pytest

from lemmas.park2019.thm_3_4_readings import REDUCTION_USES
from proofcheck import Verdict
from proofcheck.decide import engine
from proofcheck.store.codec import decode
from proofcheck.model.registry import load
from proofcheck.store.counterexamples import CounterexampleStore

from . import PINNED_BUDGET

P = "park2019."

EXPECTED = {
    # statement-level: undefined symbols / a quantity in a role it cannot have
    "eq2.1": Verdict.REFUTED,
    "eq2.1@sum_to_n": Verdict.REFUTED,
    "eq2.1:repaired": Verdict.SURVIVED,  # integrating a pointwise identity is no engine certificate
    "thm2.3": Verdict.ILL_FORMED,
    "thm2.3@alpha=d": Verdict.SURVIVED,
    "thm2.3@phi_range=closed": Verdict.VACUOUS,
    "thm3.4": Verdict.ILL_FORMED,
    "thm3.4@L=m_max.L_ex=m_ex": Verdict.SURVIVED,  # no certificate over atoms and anisotropic Gaussians
    # vacuous only once the symmetry reduction behind the certificate is a claim in its uses
    "thm3.4@L=m_max.L_ex=m_ex.input=gaussian": Verdict.VACUOUS if REDUCTION_USES else Verdict.SURVIVED,
    "thm3.4@L=m_max.L_ex=m_ex.input=sphere": Verdict.VACUOUS if REDUCTION_USES else Verdict.SURVIVED,
    "thm3.4@L=m_max.L_ex=m_ex.n=1": Verdict.SURVIVED,
    "thm3.4.induct": Verdict.REFUTED,
    "thm3.4.s1": Verdict.REFUTED,
    "thm3.4.s1.pointwise_split": Verdict.PROVED,
    "thm3.4.s1.pointwise_outer": Verdict.PROVED,
    "thm3.4.s1@no_boundary_mass": Verdict.SURVIVED,
    "thm3.4.s2": Verdict.SURVIVED,
    "thm3.4.s3": Verdict.SURVIVED,
    "thm3.4.s3.dropped_pointwise": Verdict.PROVED,
    "thm3.4.s4": Verdict.SURVIVED,
    "thm3.4.s5": Verdict.PROVED,
    "thm3.4.s6": Verdict.PROVED,
    "thm3.4.s6@lambda=eigen": Verdict.REFUTED,
    "thm3.4.s7": Verdict.CERTIFIED,
    "thm3.4.s7@phi_le_pi_over_2": Verdict.CERTIFIED,
    "thm3.4.s8": Verdict.REFUTED,
    "thm3.4.s8:repaired": Verdict.PROVED,
    "thm3.4.s8@phi=max_angle:repaired": Verdict.REFUTED,
    "thm3.4.s8.n_neurons:repaired": Verdict.SURVIVED,  # searched over exact n >= 2 pairs: no certificate for all n
    "thm3.4.s8.n_neurons.plane:repaired": Verdict.PROVED,
    "thm3.4.wedge": Verdict.PROVED,
    "thm3.4.s9": Verdict.SURVIVED,  # its first half (gradient norm <= sum of norms) is searched, not certified
    "thm3.4.s9.chain": Verdict.PROVED,
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
    "thm3.5.s6": Verdict.PROVED,  # a sum over a symbolic n: a sympy identity for every n >= 1
    "thm3.5.same": Verdict.SURVIVED,
}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return CounterexampleStore(tmp_path_factory.mktemp("park2019_store"))


@pytest.fixture(scope="module")
def results(store):
    reg = load()
    return {cid: engine.check(P + cid, PINNED_BUDGET.get(cid, "quick"), 0, store=store, registry=reg)
            for cid in EXPECTED}


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

    net = decode(results["thm3.4.s1"].counterexample["values"]["net"], exact=True)
    G = population_gradient_exact(net.dist, net.W, net.W_star, reading="appendix")
    G3 = gradient_three_sum_exact(net.dist, net.W, net.W_star)
    assert any(Fraction(a) != Fraction(b) for a, b in zip(np.ravel(G), np.ravel(G3)))
    # and the culprit is an atom on a teacher hyperplane, found by the search (its strategy places some there)
    assert net.boundary_gap("W_star") == 0
    assert results["thm3.4.s1"].counterexample["found_by"] == "search"


def test_induct_counterexample_replays_exactly(results):
    from proofcheck.ml import linalg_exact as X
    from proofcheck.ml.networks import gd_step_exact

    vals = {k: decode(v, exact=True) for k, v in results["thm3.4.induct"].counterexample["values"].items()}
    net, eta = vals["net"], vals["eta"]
    assert net.ts.equal_angles()
    W1 = gd_step_exact(net.dist, net.W, net.W_star, eta)
    after = {X.cos_sq_angle(X.fvec(W1[:, i]), X.fvec(net.W_star[:, i])) for i in range(net.n)}
    assert len(after) > 1


def test_refutations_are_found_by_search_or_decision(results):
    """Every park2019 refutation at the default constants comes from the engine's search or a decision
    procedure, none from an instance the encoder chose."""
    for cid, r in results.items():
        if r.verdict is Verdict.REFUTED:
            assert r.counterexample["found_by"] in ("search", "decision"), (cid, r.counterexample["found_by"])


def test_vacuity_is_certified_per_input_family(results):
    """The engine checks the certificate itself (cover by z3, the reduced bound in Arb); the symmetry
    reduction behind it is vacuous only once claims establishing it are in its uses."""
    from lemmas.park2019.thm_3_4_readings import REDUCTION_USES

    for fam in ("gaussian", "sphere"):
        r = results[f"thm3.4@L=m_max.L_ex=m_ex.input={fam}"]
        if REDUCTION_USES:
            assert r.decided_by == "interval" and r.details["emptiness"]["uses"] == REDUCTION_USES, r.evidence
        else:
            assert r.verdict is Verdict.SURVIVED and any("step reduction" in n for n in r.notes), r.notes


def test_the_reduced_bound_is_negative_in_arb():
    """With the reduction granted, the engine's own Arb evaluation of the reduced bound closes it."""
    import dataclasses

    from proofcheck.decide.certify.emptiness import check_emptiness
    from proofcheck.decide.context import BUDGETS, Context
    from proofcheck.model.registry import load

    claim = load().get(P + "thm3.4@L=m_max.L_ex=m_ex.input=gaussian")
    granted = dataclasses.replace(claim.emptiness, uses=("park2019.thm3.4",))
    claim = dataclasses.replace(claim, emptiness=granted, uses=("park2019.thm3.4",))
    out, why = check_emptiness(Context(claim, claim.constant_defaults(), BUDGETS["quick"], 0))
    assert out is not None and out.verdict is Verdict.VACUOUS, why
    # with the printed 10 replaced by 1 the reduced bound 1/2 - c/1 is positive: the bound step fails
    out, why = check_emptiness(Context(claim, dict(claim.constant_defaults(), c_num=1), BUDGETS["quick"], 0))
    assert out is None and "step bound" in why, why


def test_the_general_reading_has_no_certificate(results):
    r = results["thm3.4@L=m_max.L_ex=m_ex"]
    assert r.satisfied == 0 and "no certificate" in r.evidence


def test_same_seed_same_verdicts(store):
    a = engine.check(P + "thm3.4.induct", "quick", 3, store=None)
    b = engine.check(P + "thm3.4.induct", "quick", 3, store=None)
    assert a.verdict is b.verdict and a.counterexample == b.counterexample


@pytest.mark.parametrize("cid", ["thm2.3@alpha=d", "thm3.4@L=m_max.L_ex=m_ex.n=1"])
def test_one_neuron_checks_at_default_budget(cid):
    """More instances (including weights parallel to the target) must stay finite Arb balls."""
    r = engine.check(P + cid, "default", 0, store=None)
    assert r.verdict is Verdict.SURVIVED, r.evidence
    assert r.satisfied > 0 and r.margin is not None and r.margin > -1e-12


# ---------------------------------------------------------------- printed constants
#: (claim, constant, tightened value -> refuted, loosened value -> not refuted, why)
CONSTANTS = [
    ("thm3.4.s5", "c_W", Fraction(19, 10), Fraction(21, 10), "W = 2 W* meets |W - W*| <= |W*| with |W| = 2|W*|"),
    ("thm3.4.s6", "c5", Fraction(49, 10), 6, "b_klm = m_ex phi makes the coefficients 1 + 2 + 1 + 1 = 5 exact"),
    ("thm3.4.s7", "c_sin", 1, 2, "phi > sin phi for phi > 0; 2 sin phi >= phi on [0, 2/pi]"),
    ("thm3.4.s9.chain", "c_mex", Fraction(99, 10), 10, "the chain gives exactly 2 + 4 + 2 + 2 = 10 m_ex: the printed 14 is loose"),
    ("thm3.4.s9.chain", "c_alpha", Fraction(39, 10), 5, "|B_101||W| <= alpha phi 2|W*| <= 4 alpha |d| is attained"),
    ("thm3.4.s11@L_ex=m_ex:repaired", "c_rate", Fraction(3, 4), Fraction(1, 4),
     "eta = a/(2 b^2) gives eta^2 b^2 = eta a / 2 exactly"),
    ("thm3.4.s11@L_ex=m_ex:repaired", "c_step", 1, 3, "a smaller 2 in eta <= a/(2b^2) allows eta^2 b^2 > eta a/2"),
    ("thm3.5.s3", "half", Fraction(49, 100), Fraction(3, 5), "AM-GM is tight at a = b"),
    ("thm3.5.s6", "half", Fraction(2, 5), Fraction(1, 2), "(1/n^2) sum (a_i + a_j) c = 2c/n: only c = 1/2 gives 1/n"),
]


@pytest.mark.parametrize("cid,name,tight,loose,why", CONSTANTS)
def test_tightened_constant_refuted_loosened_not(cid, name, tight, loose, why):
    r = engine.check(P + cid, "quick", 0, overrides={name: tight}, store=None)
    assert r.verdict is Verdict.REFUTED, f"{why}: {r.evidence}"
    assert r.constants[name] == tight
    r = engine.check(P + cid, "quick", 0, overrides={name: loose}, store=None)
    assert r.verdict in (Verdict.PROVED, Verdict.CERTIFIED), f"{why}: {r.evidence}"


def test_step_size_range_of_s7_is_a_constant():
    """phi <= 2 sin phi fails beyond 1.895...: the printed range end 2/pi moved to 5/2 is refuted there."""
    r = engine.check(P + "thm3.4.s7", "quick", 0, overrides={"r": Fraction(5, 2)}, store=None)
    assert r.verdict is Verdict.REFUTED
    assert decode(r.counterexample["values"]["phi"], exact=True) > Fraction(189, 100)


def test_vacuity_certificate_depends_on_the_printed_10():
    """With m_min(0) - 1 m_ex the Gaussian bound 1/2 - 1/pi is positive: no certificate, no vacuity."""
    r = engine.check(P + "thm3.4@L=m_max.L_ex=m_ex.input=gaussian", "quick", 0, overrides={"c_num": 1}, store=None)
    assert r.verdict is Verdict.SURVIVED, r.evidence


def test_one_neuron_rate_constant_is_checked():
    """Claiming four times the printed rate fails at the labelled witness w || w* (theta = 0)."""
    r = engine.check(P + "thm2.3@alpha=d", "quick", 0, overrides={"c_rate": 2}, store=None)
    assert r.verdict is Verdict.REFUTED and r.counterexample["found_by"] == "witness"


def test_every_printed_constant_is_listed():
    claims = {c.id: c for c in load().select(["park2019"])}
    names = {cid: {c.name for c in claims[P + cid].constants} for cid in
             ("thm3.4", "thm3.4.s11", "thm2.3", "thm3.4.s6", "thm3.4.s7", "thm3.4.s9.chain", "thm3.5.s3", "thm3.5.s6")}
    assert {"c_num", "c_ex", "c_alpha", "c_step", "c_rate"} <= names["thm3.4"] and names["thm3.4"] <= names["thm3.4.s11"]
    assert {"c_step", "c_alpha", "c_rate"} <= names["thm2.3"]
    assert {"c5", "c_W"} <= names["thm3.4.s6"] and {"c_sin", "r"} <= names["thm3.4.s7"]
    assert {"c_alpha", "c_mex"} <= names["thm3.4.s9.chain"] and names["thm3.5.s3"] == names["thm3.5.s6"] == {"half"}
