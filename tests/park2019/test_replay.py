"""Claim(replay=...) for the park2019 claims whose custom check refutes.

Every stored counterexample must re-verify on its own (exact Fractions / exact PSD certificates / Arb),
not by re-running the search; a record tampered so that it is no longer a counterexample (or no longer
an instance of the claim) must stop refuting.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from proofcheck import engine
from proofcheck.ml import linalg_exact as X
from proofcheck.codec import decode, encode
from proofcheck.ml.distributions import FiniteAtoms
from proofcheck.registry import load
from proofcheck.store import CounterexampleStore

P = "park2019."
RERAN = "re-ran the claim's procedure"


def _same_weights(vals):
    """The student set equal to the teacher: the loss, its gradient and every angle vanish."""
    vals["W"] = vals["W_star"].copy()


def _drop_boundary_atoms(vals):
    """Keep only the atoms off every hyperplane w_j^T z = 0, w_j*^T z = 0 (s1's trouble is on them)."""
    dist, W, Ws = vals["dist"], vals["W"], vals["W_star"]
    normals = [X.fvec(M[:, j]) for M in (W, Ws) for j in range(W.shape[1])]
    keep = [(a, p) for a, p in zip(dist.atoms_q, dist.weights_q) if X.off_hyperplanes([a], normals)]
    assert keep, "every atom was on a hyperplane"
    vals["dist"] = FiniteAtoms([a for a, _ in keep], [p for _, p in keep])


def _wide_angle(vals):
    """The student moved to angle 2 atan 3 (~143 degrees): the wedge probabilities, hence beta phi, grow."""
    W, Ws = vals["W"], vals["W_star"]
    signs = [1 if X.dot(X.perpendicular(X.fvec(Ws[:, i])), X.fvec(W[:, i])) >= 0 else -1 for i in range(W.shape[1])]
    vals["W"] = X.equal_angle_config(Ws, Fraction(3), signs)


def _scale_c(extra):
    """The certified bound c of x^T B x / |x|^2 raised a hundredfold: still certified, no longer below sigma_max."""
    extra["c"] = 100 * extra["c"]


#: claim -> (what to tamper, values or extra, how)
TAMPER = {
    "eq2.1": ("values", _same_weights),
    "eq2.1@sum_to_n": ("values", _same_weights),
    "thm3.4.s1": ("values", _drop_boundary_atoms),
    "thm3.4.induct": ("values", _same_weights),
    "thm3.4.s6@lambda=eigen": ("extra", _scale_c),
    "thm3.5.s1@singular": ("extra", _scale_c),
    "thm3.5@constant": ("values", _wide_angle),
}


@pytest.fixture(scope="module")
def registry():
    return load()


@pytest.fixture(scope="module")
def stored(registry, tmp_path_factory):
    """One quick seed-0 run of each claim, into its own store."""
    out = {}
    for cid in TAMPER:
        store = CounterexampleStore(tmp_path_factory.mktemp("replay"))
        engine.check(P + cid, "quick", 0, store=store, registry=registry)
        out[cid] = store
    return out


def _tampered(record, part, fn):
    rec = dict(record)
    data = {k: decode(v, exact=True) for k, v in (record.get(part) or {}).items()}
    fn(data)
    rec[part] = {k: encode(v) for k, v in data.items()}
    return rec


def _replay_one(registry, cid, record, tmp_path):
    store = CounterexampleStore(tmp_path)
    store.add(P + cid, record)
    rows = engine.replay(P + cid, store=store, registry=registry)
    assert len(rows) == 1
    return rows[0]


#: every park2019 claim whose custom check has a REFUTED branch (grep -n "Verdict.REFUTED" lemmas/park2019)
REFUTING_CHECKS = ["eq2.1", "eq2.1@sum_to_n", "eq2.1:repaired", "thm2.3@alpha=d", "thm3.4@L=m_max.L_ex=m_ex.n=1",
                   "thm3.4.s1", "thm3.4.s1@no_boundary_mass", "thm3.4.s2", "thm3.4.induct", "thm3.4.s6@lambda=eigen",
                   "thm3.5@constant", "thm3.5.s1", "thm3.5.s1@singular", "thm3.5.s2", "thm3.5.same"]


@pytest.mark.parametrize("cid", REFUTING_CHECKS)
def test_every_refuting_custom_check_has_a_replay(registry, cid):
    claim = registry.get(P + cid)
    assert claim.check is not None and claim.replay is not None


@pytest.mark.parametrize("cid", sorted(TAMPER))
def test_stored_counterexample_replays_on_its_own(registry, stored, cid):
    rows = engine.replay(P + cid, store=stored[cid], registry=registry)
    assert rows, f"{cid}: the quick seed-0 run stored no counterexample"
    for row in rows:
        assert row["refutes"] is True, row["how"]
        assert not row["how"].startswith(RERAN)
        assert row["margin"] is not None and row["margin"] < 0


@pytest.mark.parametrize("cid", sorted(TAMPER))
def test_tampered_record_no_longer_refutes(registry, stored, cid, tmp_path):
    record = stored[cid].load(P + cid)[0]
    part, fn = TAMPER[cid]
    row = _replay_one(registry, cid, _tampered(record, part, fn), tmp_path)
    assert row["refutes"] is False, row["how"]
    # the failing quantity itself was recomputed (not a rejected instance)
    assert not row["how"].startswith("the stored values are not an instance"), row["how"]


@pytest.mark.parametrize("cid", sorted(TAMPER))
def test_record_without_values_does_not_refute(registry, stored, cid, tmp_path):
    record = dict(stored[cid].load(P + cid)[0])
    record["values"] = {k: v for k, v in record["values"].items() if k != "W_star"}
    row = _replay_one(registry, cid, record, tmp_path)
    assert row["refutes"] is False and "W_star" in row["how"]


def test_second_run_replays_the_stored_record(registry, stored):
    r = engine.check(P + "thm3.4.s1", "quick", 5, store=stored["thm3.4.s1"], registry=registry)
    assert r.verdict.value == "refuted"
    assert "replayed from the counterexample store" in r.notes


# ---------------------------------------------------------------- the replays check the hypotheses
def test_boundary_counterexample_is_no_instance_of_the_no_mass_reading(registry, stored, tmp_path):
    """s1's counterexample has an atom on a teacher hyperplane: it refutes s1 but is outside
    s1@no_boundary_mass's hypothesis."""
    record = stored["thm3.4.s1"].load(P + "thm3.4.s1")[0]
    store = CounterexampleStore(tmp_path)
    store.add(P + "thm3.4.s1@no_boundary_mass", record)
    (row,) = engine.replay(P + "thm3.4.s1@no_boundary_mass", store=store, registry=registry)
    assert row["refutes"] is False and "hyperplane w_j*^T z = 0" in row["how"]


def test_printed_model_counterexample_holds_for_the_repaired_model(registry, stored, tmp_path):
    record = stored["eq2.1"].load(P + "eq2.1")[0]
    row = _replay_one(registry, "eq2.1:repaired", record, tmp_path)
    assert row["refutes"] is False and "equals the three-sum" in row["how"]


def test_induct_needs_equal_angles_at_time_t(registry, stored, tmp_path):
    def unequal(vals):
        vals["W"] = vals["W"].copy()
        vals["W"][:, 0] = vals["W"][:, 0] + vals["W_star"][:, 0]  # tilt w_1 towards w_1*: a smaller angle

    record = _tampered(stored["thm3.4.induct"].load(P + "thm3.4.induct")[0], "values", unequal)
    row = _replay_one(registry, "thm3.4.induct", record, tmp_path)
    assert row["refutes"] is False and "not all equal" in row["how"]


def test_singular_needs_a_certified_bound(registry, stored, tmp_path):
    def too_small(extra):
        extra["c"] = extra["c"] / 100

    record = _tampered(stored["thm3.5.s1@singular"].load(P + "thm3.5.s1@singular")[0], "extra", too_small)
    row = _replay_one(registry, "thm3.5.s1@singular", record, tmp_path)
    assert row["refutes"] is False and "not certified" in row["how"]


def test_constant_reading_needs_unit_norm_atoms(registry, stored, tmp_path):
    def doubled(vals):
        d = vals["dist"]
        vals["dist"] = FiniteAtoms([[2 * x for x in a] for a in d.atoms_q], d.weights_q)

    record = _tampered(stored["thm3.5@constant"].load(P + "thm3.5@constant")[0], "values", doubled)
    row = _replay_one(registry, "thm3.5@constant", record, tmp_path)
    assert row["refutes"] is False and "unit norm" in row["how"]


@pytest.mark.parametrize("cid", ["thm3.5.same", "thm3.5.s1", "thm3.5.s2"])
def test_thm35_lines_replay_a_surviving_instance_as_not_refuting(registry, stored, cid, tmp_path):
    """The @constant instance (unit atoms, equal angles) with a rational x: the proof lines hold there."""
    record = dict(stored["thm3.5@constant"].load(P + "thm3.5@constant")[0])
    n = decode(record["values"]["W"], exact=True).shape[1]
    record["values"] = dict(record["values"], x=encode([Fraction(j + 1, 4) for j in range(2 * n)]))
    record.pop("extra", None)
    row = _replay_one(registry, cid, record, tmp_path)
    assert row["refutes"] is False
    assert not row["how"].startswith(RERAN) and not row["how"].startswith("the stored values")


@pytest.mark.parametrize("cid", ["thm2.3@alpha=d", "thm3.4@L=m_max.L_ex=m_ex.n=1"])
def test_one_neuron_replay(registry, cid, tmp_path):
    w_star, w = [Fraction(1), Fraction(0)], [Fraction(9, 10), Fraction(1, 5)]
    ok = {"w": w, "w_star": w_star, "eta": Fraction(1, 100)}
    row = _replay_one(registry, cid, {"values": {k: encode(v) for k, v in ok.items()}, "constants": {}}, tmp_path / "a")
    assert row["refutes"] is False and "not certified negative" in row["how"]
    too_big = dict(ok, eta=Fraction(100))  # far above the statement's step-size bound
    row = _replay_one(registry, cid, {"values": {k: encode(v) for k, v in too_big.items()}, "constants": {}},
                      tmp_path / "b")
    assert row["refutes"] is False and "step-size bound" in row["how"]
    far = dict(ok, w=[Fraction(-1), Fraction(0)])  # |w_0 - w*| = 2 > |w*|
    row = _replay_one(registry, cid, {"values": {k: encode(v) for k, v in far.items()}, "constants": {}},
                      tmp_path / "c")
    assert row["refutes"] is False and "|w_0 - w*| < |w*|" in row["how"]


def test_one_neuron_replay_uses_the_same_margin_as_the_check():
    """A hand-made step far beyond the allowed size overshoots (margin < 0): the shared margin function
    sees it, so the replay's refusal above came from the step-size hypothesis, not from the margin."""
    from lemmas.park2019.thm_2_3 import _one_step_margin

    enc = _one_step_margin([Fraction(9, 10), Fraction(1, 5)], [Fraction(1), Fraction(0)], Fraction(100), Fraction(0))
    assert enc.definitely_negative()
    assert np.isfinite(enc.mid())
