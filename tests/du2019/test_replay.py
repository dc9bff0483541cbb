"""Replay hooks of the du2019 claims refuted through a custom ``check``.

Each stored counterexample must re-verify on its own (exact rationals, Arb, or the Clopper-Pearson
bound recomputed from the stored counts plus each stored failing instance re-decided), never by
re-running the search; and a record tampered so that it is no longer a counterexample must not
replay.
"""
from __future__ import annotations

import copy
import json
from fractions import Fraction
from types import SimpleNamespace

import numpy as np
import pytest

from proofcheck import Verdict, engine
from proofcheck.codec import decode, encode
from proofcheck.context import BUDGETS, Budget, Context
from proofcheck.probabilistic import replay_chunk_instance
from proofcheck.registry import load
from proofcheck.store import CounterexampleStore

RERAN = "re-ran the claim's procedure"


def _set_values(**values):
    def tamper(rec):
        rec["values"].update({k: encode(v) for k, v in values.items()})
    return tamper


def _no_failures(rec):
    rec["extra"]["rate"]["failures"] = 0


def _benign_instance(rec):
    """lemma2.5@whp (found at m = 1): a stored initialisation replaced by w(0)^T x = y, a = 1, which
    meets R' < R (u(0) = y, so R' = 0) and the conclusion (lambda_min(H(0)) = 1 >= 1/4)."""
    assert rec["values"]["m"] == 1
    rec["extra"]["instances"][0] = {"s": encode([rec["values"]["y"]]), "a": encode([1])}


def _benign_initialisation(rec):
    """lemma2.5: m = 4 (sqrt(m) = 2), all active, a = (1, -1, 1, -1): u(0) = 0, so with the stored small
    label R' = |y| < R, and lambda_min(H(0)) = 1 >= 1/4: no longer a counterexample."""
    rec["values"].update(s=encode([1, 1, 1, 1]), a=encode([1, -1, 1, -1]))


def _no_instances(rec):
    rec["extra"]["instances"] = []


def _drop_dataset(rec):
    """A damaged (or older-format) record: the replay answers "no" with the reason instead of raising."""
    del rec["values"]["dataset"]


# claim id -> tamperings that each leave a record that is no longer a counterexample
TAMPER = {
    "du2019.init": [_set_values(y=2)],  # outside |y| <= C
    "du2019.lemma2.2.s1": [_set_values(delta_p=Fraction(1, 100))],
    "du2019.lemma2.2.s2": [_set_values(n=1)],  # one pair: n^2 delta' = delta
    "du2019.lemma2.3": [_set_values(m=64), _drop_dataset],  # not the regenerated setting
    "du2019.lemma2.3.s1": [_set_values(s=0, R=1)],
    "du2019.lemma2.3.s4@sqrt_2pi_delta": [_set_values(m=1)],
    "du2019.lemma2.4.s2": [_set_values(t=0)],
    "du2019.lemma2.4.s3": [_set_values(t=0)],
    "du2019.lemma2.5": [_benign_initialisation, _set_values(y=5)],
    "du2019.lemma2.5@whp": [_no_failures, _benign_instance, _set_values(y=5)],
}


@pytest.fixture(scope="module")
def registry():
    return load()


@pytest.mark.parametrize("claim_id", sorted(TAMPER))
def test_replay_reverifies_and_rejects_tampering(claim_id, registry, tmp_path):
    claim = registry.get(claim_id)
    assert claim.replay is not None or claim.check is None  # a procedure's hook, or the engine's own replay
    store = CounterexampleStore(tmp_path)
    result = engine.check(claim_id, "quick", 0, store=store, registry=registry)
    assert result.verdict is Verdict.REFUTED, result.evidence
    rows = engine.replay(claim_id, store=store, registry=registry)
    assert rows
    for row in rows:
        assert row["refutes"] is True, row["how"]
        assert not row["how"].startswith(RERAN)
        assert row["margin"] is None or row["margin"] <= 0  # 0 refutes a strict relation (|s| < R at s = -R)

    original = store.load(claim_id)
    for k, tamper in enumerate(TAMPER[claim_id]):
        bad = copy.deepcopy(original[0])
        tamper(bad)
        bad_store = CounterexampleStore(tmp_path / f"tampered{k}")
        bad_store.root.mkdir(parents=True)
        bad_store._file(claim_id).write_text(json.dumps(bad) + "\n", encoding="utf-8")
        rows = engine.replay(claim_id, store=bad_store, registry=registry)
        assert len(rows) == 1
        assert rows[0]["refutes"] is False, (k, rows[0]["how"])
        assert not rows[0]["how"].startswith(RERAN)


def test_replay_first_step_uses_the_hook(registry, tmp_path):
    """A second run on the same store answers from the stored record, re-verified by the hook."""
    store = CounterexampleStore(tmp_path)
    engine.check("du2019.lemma2.5@whp", "quick", 0, store=store, registry=registry)
    again = engine.check("du2019.lemma2.5@whp", "quick", 1, store=store, registry=registry)
    assert again.verdict is Verdict.REFUTED
    assert again.evidence.startswith("stored counterexample (found by witness) re-verified (recomputed")


def test_rate_replay_uses_current_constants(registry, tmp_path):
    """The allowed rate comes from the constants, not the record: a record found at delta = 0.1 whose
    constants are changed to delta = 0.9 no longer refutes (45/100 failures, CP bound below 0.9)."""
    claim_id = "du2019.lemma2.5@whp"
    store = CounterexampleStore(tmp_path)
    engine.check(claim_id, "quick", 0, store=store, registry=registry)
    rec = store.load(claim_id)[0]
    rec["constants"]["delta"] = encode(0.9)
    bad_store = CounterexampleStore(tmp_path / "other")
    bad_store.root.mkdir(parents=True)
    bad_store._file(claim_id).write_text(json.dumps(rec) + "\n", encoding="utf-8")
    (row,) = engine.replay(claim_id, store=bad_store, registry=registry)
    assert row["refutes"] is False, row["how"]


# ---------------------------------------------------------------- claims that survive at the defaults
# Constants under which each check refutes (small widths, a large step), at the quick budget with more
# trials where the default count is too small for a Clopper-Pearson refutation.
MORE_TRIALS = Budget("quick", examples=60, trials=2000, seconds=20)
FORCED = {
    "du2019.thm2.1": ({"delta": 0.1, "K": 0.0001}, MORE_TRIALS),
    "du2019.thm3.1": ({"delta": 0.1, "K": 0.0005, "eta_c": 8}, MORE_TRIALS),
    "du2019.lemma2.5:repaired": ({"c": 100, "K": 0.01}, MORE_TRIALS),
}


def _chunk_of(claim_id, ctx_constants, rec):
    """The claim's own run_chunk for a record (to find a trial of the stored chunk that does not fail)."""
    from lemmas.du2019 import lemma_2_5, thm_2_1, thm_3_1

    D = decode(rec["values"]["dataset"])
    m = rec["values"]["m"]
    if claim_id == "du2019.thm2.1":
        return thm_2_1.decay_chunk(D, m, 0.5, 12.0, 0.5, False)
    if claim_id == "du2019.thm3.1":
        eta_ = float(decode(rec["values"]["eta"]))
        return thm_3_1.gd_chunk(D, m, eta_, 0.5, int(np.ceil(8 / (eta_ * 0.5 / 2))))
    ctx = SimpleNamespace(constants=ctx_constants)
    lam0, R, _, T = lemma_2_5._repaired_setting(ctx)
    return lemma_2_5.repaired_chunk(D, m, lam0, R, T)


@pytest.mark.parametrize("claim_id", sorted(FORCED))
def test_forced_refutations_replay(claim_id, registry, tmp_path):
    overrides, budget = FORCED[claim_id]
    claim = registry.get(claim_id)
    assert claim.replay is not None
    store = CounterexampleStore(tmp_path)
    result = engine.check(claim_id, budget, 0, overrides=overrides, store=store, registry=registry)
    assert result.verdict is Verdict.REFUTED, result.evidence
    (row,) = engine.replay(claim_id, store=store, registry=registry)
    assert row["refutes"] is True, row["how"]
    assert "stored" in row["how"] and "re-verified" in row["how"]

    rec = store.load(claim_id)[0]
    tampered = []
    bad = copy.deepcopy(rec)
    _no_failures(bad)
    tampered.append(bad)
    bad = copy.deepcopy(rec)
    bad["extra"]["instances"] = []
    tampered.append(bad)
    if claim_id in ("du2019.thm2.1", "du2019.thm3.1", "du2019.lemma2.5:repaired"):
        inst = rec["extra"]["instances"][0]
        constants = {k: decode(v, exact=True) for k, v in rec["constants"].items()}
        run, cache = _chunk_of(claim_id, constants, rec), {}
        inst_exact = decode(inst, exact=True)
        ok = [k for k in range(inst_exact["batch"])
              if not replay_chunk_instance({**inst_exact, "index": k}, run, cache)[0]]
        assert ok, "every trial of the stored chunk fails"
        bad = copy.deepcopy(rec)
        bad["extra"]["instances"][0]["index"] = ok[0]  # a trial of the same chunk that does not fail
        tampered.append(bad)
    if claim_id in ("du2019.thm2.1", "du2019.thm3.1"):
        bad = copy.deepcopy(rec)
        bad["values"]["m"] = rec["values"]["m"] - 1  # below the proven width
        tampered.append(bad)
    for k, bad in enumerate(tampered):
        bad_store = CounterexampleStore(tmp_path / f"tampered{k}")
        bad_store.root.mkdir(parents=True)
        bad_store._file(claim_id).write_text(json.dumps(bad) + "\n", encoding="utf-8")
        (row,) = engine.replay(claim_id, store=bad_store, registry=registry)
        assert row["refutes"] is False, (k, row["how"])


def test_footnote_replay_needs_a_dataset_in_the_hypothesis(registry):
    from proofcheck.ml import datasets as ds

    claim = registry.get("du2019.footnote")
    ctx = Context(claim, claim.constant_defaults(), BUDGETS["quick"], 0)
    ok, margin, how = claim.replay(ctx, {"values": {"dataset": encode(ds.orthonormal(2))}})
    assert ok is False and margin == pytest.approx(0.5)
    twin = ds.orthonormal(1)
    twin = type(twin)(np.vstack([twin.X, twin.X]), np.zeros(2), twin.C, "parallel", twin.X_exact * 2)
    ok, _, how = claim.replay(ctx, {"values": {"dataset": encode(twin)}})
    assert ok is False and "parallel" in how


# ---------------------------------------------------------------- duA: declared probabilistic refutations
def _probabilistic_counts(rec):
    rec["extra"]["probabilistic"]["failures"] = 0


@pytest.mark.parametrize("claim_id,overrides,benign", [("du2019.lemma2.2", {"K": 1}, {"K": 256}),
                                                       ("du2019.lemma2.3:repaired", {"K": Fraction(1, 10)}, {"K": 256}),
                                                       ("du2019.lemma2.3", {}, {"delta": 0.99})])
def test_declared_probabilistic_refutations_replay_from_seeds(claim_id, overrides, benign, registry, tmp_path):
    """A refutation of a declared probabilistic claim replays by recomputing its exact law or re-drawing
    its chunks from the stored seeds; a tampered count changes nothing (the recomputed counts decide); a
    setting that is not the regenerated one, or changed constants, do not refute."""
    store = CounterexampleStore(tmp_path)
    result = engine.check(claim_id, "quick", 0, overrides=overrides, store=store, registry=registry)
    assert result.verdict is Verdict.REFUTED, result.evidence
    (row,) = engine.replay(claim_id, store=store, registry=registry)
    assert row["refutes"] is True, row["how"]
    assert row["how"].startswith(("recomputed", "re-simulated from seed"))
    rec = store.load(claim_id)[0]
    cases = []
    bad = copy.deepcopy(rec)
    _probabilistic_counts(bad)
    cases.append((bad, True))  # counts are never trusted: the re-simulation decides
    bad = copy.deepcopy(rec)
    bad["extra"]["probabilistic"]["setting"] = 99
    cases.append((bad, False))
    bad = copy.deepcopy(rec)
    bad["constants"].update({k: encode(v) for k, v in benign.items()})
    cases.append((bad, False))  # the printed width (or a delta of 0.99): no longer a refutation
    for k, (bad, refutes) in enumerate(cases):
        bad_store = CounterexampleStore(tmp_path / f"tampered{k}")
        bad_store.root.mkdir(parents=True)
        bad_store._file(claim_id).write_text(json.dumps(bad) + "\n", encoding="utf-8")
        (row,) = engine.replay(claim_id, store=bad_store, registry=registry)
        assert row["refutes"] is refutes, (k, row["how"])


@pytest.mark.parametrize("claim_id,overrides", [("du2019.lemma2.2.s3", {"c_f": 15}),
                                                ("du2019.lemma2.3.s3", {"c3": 3}),
                                                ("du2019.lemma2.3.s2", {"c2": 1})])
def test_declared_deterministic_refutations_replay(claim_id, overrides, registry, tmp_path):
    store = CounterexampleStore(tmp_path)
    result = engine.check(claim_id, "quick", 0, overrides=overrides, store=store, registry=registry)
    assert result.verdict is Verdict.REFUTED, result.evidence
    rows = engine.replay(claim_id, store=store, registry=registry)
    assert rows and all(r["refutes"] for r in rows), rows
