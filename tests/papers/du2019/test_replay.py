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

import numpy as np
import pytest

from proofcheck import Verdict

from proofcheck.decide import engine
from proofcheck.store.codec import encode
from proofcheck.decide.context import BUDGETS, Context
from proofcheck.model.registry import load
from proofcheck.store.counterexamples import CounterexampleStore

RERAN = "re-ran the claim's procedure"


def _set_values(**values):
    def tamper(rec):
        rec["values"].update({k: encode(v) for k, v in values.items()})
    return tamper


def _no_failures(rec):
    rec["extra"]["rate"]["failures"] = 0


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


# ---------------------------------------------------------------- du2019 declared claims (Lemmas 2.4, 2.5, theorems)
def _write(tmp_path, name, claim_id, rec):
    store = CounterexampleStore(tmp_path / name)
    store.root.mkdir(parents=True)
    store._file(claim_id).write_text(json.dumps(rec) + "\n", encoding="utf-8")
    return store


def _benign_flow(rec):
    """lemma2.5: one active neuron with w(0)^T x = 1 = y, a = 1: u(0) = y, so R' = 0 < R, and
    H(t) = 1 >= 1/4 for all t: no longer a counterexample."""
    from lemmas.du2019.dynamics import OneInputFlow

    rec["values"]["init"] = encode(OneInputFlow([1], [1], 1))


DECLARED_TAMPER = {
    "du2019.lemma2.4.s2": [_set_values(t=0)],  # at t = 0 both sides of each inequality are equal
    "du2019.lemma2.4.s3": [_set_values(t=0)],  # nothing has moved at t = 0
    "du2019.lemma2.5": [_benign_flow],
}


@pytest.mark.parametrize("claim_id", sorted(DECLARED_TAMPER))
def test_declared_refutation_replays_exactly_and_rejects_tampering(claim_id, registry, tmp_path):
    """The engine re-verifies the stored instance on the exact flow (Arb/exact) without searching."""
    store = CounterexampleStore(tmp_path)
    result = engine.check(claim_id, "quick", 0, store=store, registry=registry)
    assert result.verdict is Verdict.REFUTED and result.counterexample["found_by"] == "search", result.evidence
    rows = engine.replay(claim_id, store=store, registry=registry)
    assert rows and all(r["refutes"] and r["margin"] < 0 for r in rows), rows
    original = store.load(claim_id)[0]
    for k, tamper in enumerate(DECLARED_TAMPER[claim_id]):
        bad = copy.deepcopy(original)
        tamper(bad)
        (row,) = engine.replay(claim_id, store=_write(tmp_path, f"t{k}", claim_id, bad), registry=registry)
        assert row["refutes"] is False, (k, row["how"])


STATISTICAL = {
    "du2019.lemma2.5@whp": {},
    "du2019.thm2.1": {"K": "1/10000000", "delta": "1/4"},
    "du2019.thm3.1": {"half": "4"},
}


@pytest.mark.parametrize("claim_id", sorted(STATISTICAL))
def test_statistical_refutation_replays_from_seeds(claim_id, registry, tmp_path):
    """Replay re-simulates the stored setting from the run seed: tampered counts are recomputed (and do
    not decide), a label outside |y| <= C or another setting does not refute, nor does a larger delta."""
    overrides = {k: engine.parse_value(v) for k, v in STATISTICAL[claim_id].items()}
    store = CounterexampleStore(tmp_path)
    result = engine.check(claim_id, "quick", 0, overrides=overrides or None, store=store, registry=registry)
    assert result.verdict is Verdict.REFUTED and result.decided_by == "statistics", result.evidence
    (row,) = engine.replay(claim_id, store=store, registry=registry)
    assert row["refutes"] is True and "re-simulated" in row["how"], row["how"]
    rec = store.load(claim_id)[0]

    bad = copy.deepcopy(rec)
    bad["extra"]["probabilistic"]["failures"] = 0
    (row,) = engine.replay(claim_id, store=_write(tmp_path, "counts", claim_id, bad), registry=registry)
    assert row["refutes"] is True and "the record said 0/" in row["how"], row["how"]

    tampered = []
    bad = copy.deepcopy(rec)
    if "y" in bad["values"]:
        bad["values"]["y"] = encode(5)
    else:  # the setting is a dataset: its first label moved outside |y| <= C
        bad["values"]["data"]["data"]["y"][0] = encode(5.0)
    tampered.append(bad)
    bad = copy.deepcopy(rec)
    bad["constants"]["delta"] = encode(Fraction(99, 100))
    tampered.append(bad)
    for k, bad in enumerate(tampered):
        # (a dataset with a label above C is not even read back: the store skips the record with a warning)
        rows = engine.replay(claim_id, store=_write(tmp_path, f"t{k}", claim_id, bad), registry=registry)
        assert not any(row["refutes"] for row in rows), (k, [row["how"] for row in rows])
        assert rows or "data" in bad["values"], k


def test_replay_first_step_answers_from_the_store(registry, tmp_path):
    """A second run on the same store answers from the stored record, re-simulated from its seeds."""
    store = CounterexampleStore(tmp_path)
    engine.check("du2019.lemma2.5@whp", "quick", 0, store=store, registry=registry)
    again = engine.check("du2019.lemma2.5@whp", "quick", 1, store=store, registry=registry)
    assert again.verdict is Verdict.REFUTED and again.decided_by == "replay"
    assert again.evidence.startswith("stored counterexample (found by search) re-verified (re-simulated")


def test_footnote_search_rejects_parallel_inputs(registry):
    """The footnote's hypothesis is exact: a dataset with two parallel inputs is outside it, an
    orthonormal one meets it with lambda_0 = 1/2 certified (no counterexample either way)."""
    from proofcheck.ml import datasets as ds
    from proofcheck.decide.search import verify

    claim = registry.get("du2019.footnote")
    ctx = Context(claim, claim.constant_defaults(), BUDGETS["quick"], 0)
    ok, enc, _ = verify(ctx, {"dataset": ds.orthonormal(2)}, claim.hypotheses, claim.conclusion)
    assert ok is False and enc is not None and enc.lo > 0
    twin = ds.orthonormal(1)
    twin = type(twin)(np.vstack([twin.X, twin.X]), np.zeros(2), twin.C, "parallel", twin.X_exact * 2)
    ok, enc, _ = verify(ctx, {"dataset": twin}, claim.hypotheses, claim.conclusion)
    assert ok is False and enc is None
