"""One reader of the store format, one replay of a stored record, and a witness's reason that
reaches the record and the report (issue 20, item 3)."""
from __future__ import annotations

import ast
import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import sympy
from hypothesis import strategies as st

import proofcheck
from proofcheck import Claim, Condition, Variable
from proofcheck.decide import engine
from proofcheck.decide.engine import check, replay
from proofcheck.model.claim import Source, Witness
from proofcheck.model.num import Enclosure
from proofcheck.model.verdict import Verdict
from proofcheck.report import render, to_json
from proofcheck.store.codec import (array_record, decode_as_written, decode_value, encode, stored_array,
                                    stored_number, stored_object)
from proofcheck.store.counterexamples import CounterexampleStore

SRC = Source(document="test", location="here")
TAGS = {"$q", "$num", "$array", "$obj", "$sympy"}


def test_only_the_codec_names_the_store_format():
    """No module but the codec reads (or writes) a tag of the store format."""
    root = Path(proofcheck.__file__).parent
    found = []
    for path in sorted(root.rglob("*.py")):
        if path.relative_to(root).as_posix() == "store/codec.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and node.value in TAGS:
                found.append(f"{path.relative_to(root)}:{node.lineno} {node.value}")
    assert not found, found


def test_the_decoders_keep_numbers_as_written_or_exact():
    third, tenth = encode(Fraction(1, 3)), encode(0.1)
    assert decode_value(third) == Fraction(1, 3) and decode_value(tenth) == Fraction(0.1)
    assert decode_as_written(tenth) == 0.1 and isinstance(decode_as_written(tenth), float)
    assert decode_as_written(third) == Fraction(1, 3)
    two_over_pi = encode(2 / sympy.pi)
    assert decode_value(two_over_pi) == 2 / sympy.pi and decode_as_written(two_over_pi) == 2 / sympy.pi
    arr = decode_value(encode(np.array([0.5, 0.25])))
    assert arr.dtype == np.float64 and arr.tolist() == [0.5, 0.25]  # arrays as stored


def test_the_readers_for_people_say_what_a_stored_value_is():
    q = stored_number(encode(Fraction(2, 6)))
    assert q.rational == Fraction(1, 3) and q.text == "1/3"
    bad = stored_number({"$q": "1/0"})
    assert bad.rational is None and bad.text == "1/0"
    irr = stored_number(encode(2 / sympy.pi))
    assert irr.rational is None and abs(irr.approx - 2 / np.pi) < 1e-15
    flat, shape = stored_array(array_record([1, 2, 3, 4], (2, 2)))
    assert flat == [1, 2, 3, 4] and shape == (2, 2)
    assert stored_number(7) is None and stored_array({"x": 1}) is None and stored_object([1]) is None


def _witness_claim(claim_id="t.codec.witness"):
    """A conclusion by margin functions (not a relation z3 would decide first), refuted by its witness."""
    x = Variable("x", st.fractions(0, 1), lo=0, hi=1)
    half = Condition("x <= 1/2", margin=lambda e: 0.5 - e.x, rigorous=lambda e: Enclosure.exact(Fraction(1, 2) - e.x),
                     sides=lambda e: (e.x, 0.5))
    return Claim(id=claim_id, title="", source=SRC, statement="x <= 1/2", variables=[x], conclusion=half,
                 witnesses=[Witness({"x": Fraction(3, 4)}, "the textbook's three quarters")])


def test_a_witness_reason_reaches_the_record_the_store_and_the_report(tmp_path):
    store = CounterexampleStore(tmp_path)
    claim = _witness_claim()
    r = check(claim, "quick", 0, store=store, replay_first=False)
    assert r.verdict is Verdict.REFUTED and r.counterexample["found_by"] == "witness"
    assert r.counterexample["why"] == "the textbook's three quarters"
    (stored,) = store.load(claim.id)
    assert stored["why"] == "the textbook's three quarters"
    (row,) = replay(claim, store=store)
    assert row["refutes"] and row["record"]["why"] == "the textbook's three quarters"
    again = check(claim, "quick", 0, store=store)  # replayed first: the stored record keeps its reason
    assert again.decided_by == "replay" and again.counterexample["why"] == "the textbook's three quarters"
    report = {"tool": "proofcheck", "version": "t", "seed": 0, "budget": "quick", "claims": [r.to_json()]}
    assert json.loads(to_json(report))["claims"][0]["counterexample"]["why"] == "the textbook's three quarters"
    assert "the textbook&#39;s three quarters" in render(report, "html")


def test_a_found_counterexample_is_not_decoded_again_for_its_sides(monkeypatch):
    calls = []
    monkeypatch.setattr(engine, "decode_value", lambda data: calls.append(data) or decode_value(data))
    r = check(_witness_claim("t.codec.sides"), "quick", 0, store=None)
    assert r.verdict is Verdict.REFUTED and r.details["sides"]["lhs"] == 0.75, r.details
    assert not calls
