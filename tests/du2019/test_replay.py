"""Replay hooks of the du2019 claims refuted through a custom ``check``.

Each stored counterexample must re-verify on its own (exact rationals, Arb, or the Clopper-Pearson
bound recomputed from the stored counts plus each stored failing instance re-decided), never by
re-running the search; and a record tampered so that it is no longer a counterexample must not
replay.
"""
from __future__ import annotations

import copy
import json

import pytest

from proofcheck import Verdict, engine
from proofcheck.codec import encode
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


def _huge_radius(rec):
    rec["values"]["R"] = encode(10.0)


# claim id -> tamperings that each leave a record that is no longer a counterexample
TAMPER = {
    "du2019.init": [_set_values(n=0, y=[])],
    "du2019.lemma2.2.s1": [_set_values(delta=0.01)],
    "du2019.lemma2.2.s2": [_set_values(delta=0.01), _set_values(cos=0.5)],  # n = 1 has cosine 1 only
    "du2019.lemma2.3": [_no_failures, _no_instances, _huge_radius],
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
    assert claim.replay is not None
    store = CounterexampleStore(tmp_path)
    result = engine.check(claim_id, "quick", 0, store=store, registry=registry)
    assert result.verdict is Verdict.REFUTED, result.evidence
    rows = engine.replay(claim_id, store=store, registry=registry)
    assert rows
    for row in rows:
        assert row["refutes"] is True, row["how"]
        assert not row["how"].startswith(RERAN)
        assert row["margin"] is None or row["margin"] < 0

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
    assert again.evidence.startswith("stored counterexample re-verified (recomputed")


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
