"""Stored park2019 counterexamples replay on their own through the engine's re-verification.

The claims are declared (variables, hypotheses, conclusion with an exact/Arb twin), so a stored record
is re-verified by the engine itself: the values must lie in the variables' exact domains, every
hypothesis must certainly hold and the conclusion must certainly fail. A record tampered so that it
is no longer a counterexample (or no longer an instance of the claim) must stop refuting.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from proofcheck.decide import engine
from proofcheck.store.codec import decode, encode
from proofcheck.ml import linalg_exact as X
from lemmas.park2019 import model as Q
from proofcheck.ml.distributions import FiniteAtoms
from proofcheck.ml.strategies import Network, TeacherStudent
from proofcheck.model.registry import load
from proofcheck.store.counterexamples import CounterexampleStore

from . import PINNED_BUDGET

P = "park2019."


def _off_hyperplanes(atom, normals) -> bool:
    """True when ``atom`` lies on no hyperplane ``a^T z = 0`` of ``normals`` (exact)."""
    return all(X.dot(X.fvec(a), X.fvec(atom)) != 0 for a in normals)


def _net(vals) -> Network:
    return vals["net"]


def _same_weights(vals):
    """The student set equal to the teacher and one unit atom off every teacher hyperplane: the loss,
    its gradient, every angle and every thin-wedge matrix vanish."""
    from proofcheck.ml.linalg_exact import rational_unit_vector

    net = _net(vals)
    normals = [list(net.W_star[:, j]) for j in range(net.n)]
    # equal coordinates first; unequal ones for a teacher such as (-1, 1, 0) that is normal to all of those
    candidates = (t for m in range(2, 50) for t in ([Fraction(1, m)] * (net.k - 1),
                                                     [Fraction(1, m + i) for i in range(net.k - 1)]))
    atom = next(a for a in map(rational_unit_vector, candidates) if _off_hyperplanes(a, normals))
    vals["net"] = Network(FiniteAtoms([atom], [1]), TeacherStudent(net.W_star, net.W_star))


def _drop_boundary_atoms(vals):
    """Keep only the atoms off every hyperplane w_j^T z = 0, w_j*^T z = 0 (s1's trouble is on them)."""
    net = _net(vals)
    normals = [X.fvec(M[:, j]) for M in (net.W, net.W_star) for j in range(net.n)]
    keep = [(a, p) for a, p in zip(net.dist.atoms_q, net.dist.weights_q) if _off_hyperplanes(a, normals)]
    assert keep, "every atom was on a hyperplane"
    vals["net"] = Network(FiniteAtoms([a for a, _ in keep], [p for _, p in keep]), net.ts)


def _wide_angle(vals):
    """One unit atom off every teacher hyperplane and the student at angle 2 atan 3 (~143 degrees): the
    wedge probabilities (beta phi) grow to 1 while the lower bound of m_ex stays small."""
    _same_weights(vals)
    net = _net(vals)
    Ws = net.W_star
    vals["net"] = Network(net.dist, TeacherStudent(X.equal_angle_config(Ws, Fraction(3), [1] * net.n), Ws))


#: claim -> how to tamper its stored values so that it is no longer a counterexample
TAMPER = {
    "eq2.1": _same_weights,
    "eq2.1@sum_to_n": _same_weights,
    "thm3.4.s1": _drop_boundary_atoms,
    "thm3.4.induct": _same_weights,
    "thm3.4.s6@lambda=eigen": _same_weights,
    "thm3.5.s1@singular": _same_weights,
    "thm3.5@constant": _wide_angle,
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
        engine.check(P + cid, PINNED_BUDGET.get(cid, "quick"), 0, store=store, registry=registry)
        out[cid] = store
    return out


def _tampered(record, fn):
    rec = dict(record)
    data = {k: decode(v, exact=True) for k, v in (record.get("values") or {}).items()}
    fn(data)
    rec["values"] = {k: encode(v) for k, v in data.items()}
    return rec


def _replay_one(registry, cid, record, tmp_path):
    store = CounterexampleStore(tmp_path)
    store.add(P + cid, record)
    rows = engine.replay(P + cid, store=store, registry=registry)
    assert len(rows) == 1
    return rows[0]


def test_no_park2019_claim_is_a_procedure(registry):
    procs = [c.id for c in registry.select(["park2019"]) if c.check is not None]
    assert procs == []


@pytest.mark.parametrize("cid", sorted(TAMPER))
def test_stored_counterexample_replays_on_its_own(registry, stored, cid):
    rows = engine.replay(P + cid, store=stored[cid], registry=registry)
    assert rows, f"{cid}: the quick seed-0 run stored no counterexample"
    for row in rows:
        assert row["refutes"] is True, row["how"]
        assert row["record"]["found_by"] == "search"
        assert row["margin"] is not None and row["margin"] < 0


@pytest.mark.parametrize("cid", sorted(TAMPER))
def test_tampered_record_no_longer_refutes(registry, stored, cid, tmp_path):
    record = stored[cid].load(P + cid)[0]
    row = _replay_one(registry, cid, _tampered(record, TAMPER[cid]), tmp_path)
    assert row["refutes"] is False, row["how"]


@pytest.mark.parametrize("cid", sorted(TAMPER))
def test_record_without_values_does_not_refute(registry, stored, cid, tmp_path):
    record = dict(stored[cid].load(P + cid)[0])
    record["values"] = {k: v for k, v in record["values"].items() if k != "net"}
    row = _replay_one(registry, cid, record, tmp_path)
    assert row["refutes"] is False and "net" in row["how"]


def test_second_run_replays_the_stored_record(registry, stored):
    r = engine.check(P + "thm3.4.s1", "quick", 5, store=stored["thm3.4.s1"], registry=registry)
    assert r.verdict.value == "refuted" and r.decided_by == "replay"
    assert r.counterexample["found_by"] == "search"


# ---------------------------------------------------------------- the replays check the hypotheses
def test_boundary_counterexample_is_no_instance_of_the_no_mass_reading(registry, stored, tmp_path):
    """s1's counterexample has an atom on a teacher hyperplane: it refutes s1 but is outside
    s1@no_boundary_mass's hypothesis."""
    record = stored["thm3.4.s1"].load(P + "thm3.4.s1")[0]
    net = decode(record["values"]["net"], exact=True)
    assert net.boundary_gap("W_star") == 0 and net.boundary_gap("W") > 0
    row = _replay_one(registry, "thm3.4.s1@no_boundary_mass", record, tmp_path)
    assert row["refutes"] is False


def test_printed_model_counterexample_holds_for_the_repaired_model(registry, stored, tmp_path):
    record = stored["eq2.1"].load(P + "eq2.1")[0]
    row = _replay_one(registry, "eq2.1:repaired", record, tmp_path)
    assert row["refutes"] is False


def test_induct_needs_equal_angles_at_time_t(registry, stored, tmp_path):
    def unequal(vals):
        net = _net(vals)
        W = net.W.copy()
        W[:, 0] = X.perpendicular(X.fvec(net.W_star[:, 0]))  # w_1 at a right angle to w_1*, the others not
        vals["net"] = Network(net.dist, TeacherStudent(W, net.W_star))

    record = _tampered(stored["thm3.4.induct"].load(P + "thm3.4.induct")[0], unequal)
    assert not decode(record["values"]["net"], exact=True).ts.equal_angles()
    row = _replay_one(registry, "thm3.4.induct", record, tmp_path)
    assert row["refutes"] is False


def test_constant_reading_needs_unit_norm_atoms(registry, stored, tmp_path):
    def doubled(vals):
        net = _net(vals)
        vals["net"] = Network(FiniteAtoms([[2 * x for x in a] for a in net.dist.atoms_q], net.dist.weights_q), net.ts)

    record = _tampered(stored["thm3.5@constant"].load(P + "thm3.5@constant")[0], doubled)
    row = _replay_one(registry, "thm3.5@constant", record, tmp_path)
    assert row["refutes"] is False


@pytest.mark.parametrize("cid", ["thm3.5.same", "thm3.5.s1", "thm3.5.s2"])
def test_thm35_lines_replay_a_surviving_instance_as_not_refuting(registry, stored, cid, tmp_path):
    """The @constant instance (unit atoms, equal angles) with a rational x: the proof lines hold there."""
    record = dict(stored["thm3.5@constant"].load(P + "thm3.5@constant")[0])
    record["values"] = dict(record["values"], x=encode([Fraction(j + 1, 4) for j in range(6)]), klm=0)
    row = _replay_one(registry, cid, record, tmp_path)
    assert row["refutes"] is False


@pytest.mark.parametrize("cid", ["thm2.3@alpha=d", "thm3.4@L=m_max.L_ex=m_ex.n=1"])
def test_one_neuron_replay(registry, cid, tmp_path):
    w_star, w = [Fraction(1), Fraction(0)], [Fraction(9, 10), Fraction(1, 5)]
    ok = {"w": w, "w_star": w_star, "eta": Fraction(1, 100)}
    row = _replay_one(registry, cid, {"values": {k: encode(v) for k, v in ok.items()}, "constants": {}}, tmp_path / "a")
    assert row["refutes"] is False
    too_big = dict(ok, eta=Fraction(1, 2))  # above the statement's step-size bound (~0.19 at most)
    row = _replay_one(registry, cid, {"values": {k: encode(v) for k, v in too_big.items()}, "constants": {}},
                      tmp_path / "b")
    assert row["refutes"] is False
    far = dict(ok, w=[Fraction(-1), Fraction(0)])  # |w_0 - w*| = 2 > |w*|
    row = _replay_one(registry, cid, {"values": {k: encode(v) for k, v in far.items()}, "constants": {}},
                      tmp_path / "c")
    assert row["refutes"] is False


def test_one_neuron_margin_sees_an_overshoot():
    """A hand-made step far beyond the allowed size overshoots (margin < 0): the shared margin function
    sees it, so the replay's refusal above came from the step-size hypothesis, not from the margin."""
    enc = Q.gaussian_one_step_margin([Fraction(9, 10), Fraction(1, 5)], [Fraction(1), Fraction(0)], Fraction(100),
                                     Fraction(0), Fraction(1, 2))
    assert enc.definitely_negative()
    assert np.isfinite(enc.mid())
