"""Issue 11, case by case: bad inputs and faults a careful user tries, each one a test.

No code from input; values bounded; domains checked at the edges; a store that never loses or
invents a counterexample and never breaks a run; errors before work; processes end with their
parent; exit codes as documented in the README ("What you can rely on").
"""
import importlib
import json
import math
import os
import signal
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path

import pytest
import sympy
from hypothesis import strategies as st

import planted
from conftest import planted_env
from proofcheck import Claim, Condition, Constant, Source, Variable, Verdict
from proofcheck.model.claim import Witness
from proofcheck.store.codec import CodecError, decode, encode
from proofcheck.decide.context import BUDGETS, Context
from proofcheck.decide.engine import UsageError, check, parse_sets, parse_value, replay
from proofcheck.model.num import Enclosure
from proofcheck.model.parse import NumberSyntaxError, literal_fraction, parse_number, to_text
from proofcheck.model.registry import Registry
from proofcheck.store.counterexamples import CounterexampleStore

SRC = Source("t", "tests/engine/test_hardening.py")
PLANTED = Registry()
PLANTED.add_module(planted)


def pcheck(claim_id, *args, **kw):
    return check(claim_id, *args, registry=PLANTED, **kw)


def preplay(claim_id, store):
    return replay(claim_id, store=store, registry=PLANTED)


def cli(*args, env=None, cwd=None, timeout=300):
    return subprocess.run([sys.executable, "-m", "proofcheck", *args], capture_output=True, text=True,
                          env=env or planted_env(), cwd=cwd, timeout=timeout)


def sh(command, cwd=None, timeout=300):
    return subprocess.run(["bash", "-c", f"{shlex_quote(sys.executable)} -m proofcheck {command}"],
                          capture_output=True, text=True, env=planted_env(), cwd=cwd, timeout=timeout)


def shlex_quote(s):
    import shlex

    return shlex.quote(s)


def one_line_error(proc, code=2):
    assert proc.returncode == code, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    lines = [l for l in proc.stderr.splitlines() if l.strip()]
    assert len(lines) == 1, proc.stderr
    return lines[0]


class Warnings(list):
    def __call__(self, message):
        self.append(message)


def a_store(tmp_path, name="store"):
    warnings = Warnings()
    return CounterexampleStore(tmp_path / name, warn=warnings), warnings


# ====================================================================== security: input runs as code
def test_set_value_is_never_run_as_code(tmp_path):
    marker = tmp_path / "pwned"
    proc = cli("check", "planted.step", "--set", f"c=__import__('os').system('touch {marker}')",
               "--store", str(tmp_path / "s"))
    line = one_line_error(proc)
    assert "cannot parse" in line and not marker.exists()


@pytest.mark.parametrize("text", ["__import__('os')", "exec('1')", "lambda: 1", "(1).__class__", "x+1", "pi()",
                                  "sqrt", "Integer(3)", "1;2", "[1]", "2 3", "1e", "--", "sin(1,2)"])
def test_the_grammar_accepts_numbers_only(text):
    with pytest.raises(UsageError):
        parse_value(text)


@pytest.mark.parametrize("text, value", [
    ("1/4", Fraction(1, 4)), ("0.1", Fraction(1, 10)), ("1e-3", Fraction(1, 1000)), ("-2.5e2", -250),
    ("2^3^2", 512), ("2**-2", Fraction(1, 4)), ("-2**2", -4), ("(1+2)*3/4", Fraction(9, 4)), (".5", Fraction(1, 2)),
    ("2/pi", 2 / sympy.pi), ("sqrt(2)", sympy.sqrt(2)), ("e", sympy.E), ("log(2)", sympy.log(2)),
    ("exp(1)", sympy.E), ("cos(0)", 1), ("abs(-3)", 3),
])
def test_the_grammar_builds_exact_values(text, value):
    got = parse_number(text)
    assert got == value and (not isinstance(got, sympy.Basic) or sympy.simplify(got - value) == 0)


def test_store_code_is_never_run(tmp_path, capsys):
    """A record with the old ``$sympy`` (eval-only) encoding or an ``$obj`` naming any importable
    function is skipped with a warning during replay and during a plain check; nothing runs."""
    marker = tmp_path / "pwned"
    store, warnings = a_store(tmp_path)
    path = store._file("planted.poly_false")
    path.parent.mkdir(parents=True)
    evil = [{"values": {"a": {"$sympy": f"__import__('os').system('touch {marker}')"}}, "constants": {}},
            {"values": {"a": {"$obj": "os:system", "data": f"touch {marker}"}}, "constants": {}}]
    path.write_text("".join(json.dumps(r) + "\n" for r in evil))
    assert preplay("planted.poly_false", store) == []
    result = pcheck("planted.poly_false", "quick", 0, store=store)
    assert not marker.exists()
    assert result.verdict is Verdict.REFUTED and result.decided_by != "replay"
    assert any(":1: record skipped" in w and "$sympy" in w for w in warnings)
    assert any(":2: record skipped" in w and "not a registered storable class" in w for w in warnings)


def test_irrational_values_are_stored_in_the_grammar_and_read_back():
    for value in (2 / sympy.pi, sympy.sqrt(2) + 1, sympy.exp(Fraction(1, 3)), -sympy.log(3) / 7, sympy.cos(1)):
        data = encode(value)
        assert set(data) == {"$num", "float"}
        assert sympy.simplify(decode(data, exact=True) - value) == 0
    with pytest.raises(NumberSyntaxError):
        to_text(sympy.Symbol("x"))


def test_storable_classes_round_trip_and_others_are_refused():
    from proofcheck.ml.distributions import StandardGaussian

    g = StandardGaussian(3)
    back = decode(encode(g))
    assert type(back) is StandardGaussian and back.to_json() == g.to_json()

    class Unregistered:
        def to_json(self):
            return {}

        @classmethod
        def from_json(cls, d):
            return cls()

    with pytest.raises(ValueError, match="not registered"):
        encode(Unregistered())
    for bad in ({"$obj": "builtins:eval", "data": "1"}, {"$q": "1/0"}, {"$q": "1" * 5000}, {"$q": 3},
                {"$array": [1, 2, 3], "shape": [2]}, {"$array": [1], "shape": [1], "dtype": "object"},
                {"$array": [1], "shape": [1], "dtype": "V8"}, {"$num": "__import__('os')"}, {"$what": 1}):
        with pytest.raises(CodecError):
            decode(bad, exact=True)


# ====================================================================== values
@pytest.mark.parametrize("text, words", [
    ("10**10**10", "too large"), ("1e400", "too large"), ("10**400", "too large"), ("2**2000", "too large"),
    ("1e-400", "too small"), ("2**-2000", "too small"), ("exp(exp(10))", "too large"), ("pi**1000", "too large"),
    ("1e99999999999", "too large"), ("9" * 500, "digits"), ("9" * 5000, "longer than"), ("log(-1)", "not a real"), ("1/0", "division by zero"),
    ("(" * 300 + "1" + ")" * 300, "nested"), ("-" * 900 + "1", "nested"), ("e^e^e^e", "too large"),
])
def test_huge_and_tiny_values_are_one_line_errors(text, words):
    with pytest.raises(UsageError, match=words):
        parse_value(text)


def test_huge_values_exit_2_before_any_work(tmp_path):
    from proofcheck.interfaces.cli import main

    for text in ("10**10**10", "1e400", "10**400", "2**2000", "1e-400"):
        assert main(["check", "planted.step", "--set", f"c={text}", "--store", str(tmp_path)]) == 2
    proc = cli("check", "planted.step", "--set", "c=10**10**10", timeout=60)  # no hang
    assert "too large" in one_line_error(proc)


def test_a_constant_set_twice_is_an_error():
    with pytest.raises(UsageError, match="given twice"):
        parse_sets(["c=1", "c=2"])
    assert "given twice" in one_line_error(cli("check", "planted.step", "--set", "c=1", "--set", "c=2"))


# ====================================================================== domains
def test_a_stored_value_outside_the_domain_never_refutes(tmp_path):
    """phi = 3 lies outside [0, 2/pi]: phi <= 2 sin phi fails there, but it is no counterexample.
    (s7 states the printed end 2/pi as a constant r of its hypothesis phi <= r over phi in [0, pi],
    so the record fails that hypothesis rather than the variable's domain.)"""
    store, _ = a_store(tmp_path)
    store.add("park2019.thm3.4.s7", {"values": {"phi": encode(3.0)}, "constants": {}, "found_by": "search",
                                     "verified_by": "planted by the test", "seed": 0})
    (row,) = replay("park2019.thm3.4.s7", store=store)
    assert row["refutes"] is False and ("outside its domain" in row["how"] or "did not re-verify" in row["how"])
    result = check("park2019.thm3.4.s7", "quick", 0, store=store)
    assert result.verdict is Verdict.CERTIFIED, result.evidence


def _square_bound_claim(**kw):
    x = Variable("x", st.floats(0, 2 / math.pi), domain="[0, 2/pi]", lo=0, hi=2 / sympy.pi)
    y = Variable("y", st.floats(0, 1), domain="[0, 1]", lo=0, hi=1)
    X, Y = x.symbol, y.symbol
    return Claim(id="t.square_bound", title="x^2 <= 4/pi^2 on [0, 2/pi], y in [0, 1]", source=SRC,
                 statement="x^2 <= 4/pi^2", variables=[x, y], conclusion=sympy.Le(X**2 + 0 * Y, 4 / sympy.pi**2),
                 **kw)


def test_the_float_of_a_domain_end_is_outside_the_exact_domain(tmp_path):
    """fl(2/pi) = 2/pi + 3.9e-17 violates x^2 <= 4/pi^2, but lies outside [0, 2/pi]: no refutation,
    neither from the search (a witness offers it) nor from a stored record."""
    assert Fraction(2 / math.pi) > 0 and sympy.Rational(Fraction(2 / math.pi)) > 2 / sympy.pi
    claim = _square_bound_claim(witnesses=[Witness({"x": 2 / math.pi, "y": 0.5}, "the float of the domain's end")])
    store, _ = a_store(tmp_path)
    result = check(claim, "quick", 0, store=store)
    assert result.verdict is not Verdict.REFUTED, result.evidence
    store.add(claim.id, {"values": {"x": encode(2 / math.pi), "y": encode(0.5)}, "constants": {}, "seed": 0})
    (row,) = replay(claim, store=store)
    assert row["refutes"] is False and "outside its domain" in row["how"]


def test_decimal_literals_are_exact_decimals(tmp_path):
    """x <= 0.1 => 10 x <= 1 holds: 0.1 is 1/10 in a relation, in a Constant and in --set alike."""
    x = Variable("x", st.floats(0, 1), lo=0, hi=1)
    X = x.symbol
    in_relation = Claim(id="t.dec_rel", title="", source=SRC, statement="", variables=[x],
                        hypotheses=[sympy.Le(X, 0.1)], conclusion=sympy.Le(10 * X, 1))
    delta = Constant("delta", 0.1, positive=True)
    as_constant = Claim(id="t.dec_const", title="", source=SRC, statement="", variables=[x], constants=[delta],
                        hypotheses=[sympy.Le(X, delta.symbol)], conclusion=sympy.Le(10 * X, 1))
    # the same through the search only (margin functions), with the float 0.1 offered as a witness
    searched = Claim(id="t.dec_search", title="", source=SRC, statement="", variables=[x], constants=[delta],
                     hypotheses=[Condition("x <= delta", margin=lambda e: e.delta - e.x,
                                           rigorous=lambda e: Enclosure.exact(Fraction(e.delta) - Fraction(e.x)))],
                     conclusion=Condition("10 x <= 1", margin=lambda e: 1 - 10 * e.x,
                                          rigorous=lambda e: Enclosure.exact(1 - 10 * Fraction(e.x))),
                     witnesses=[Witness({"x": 0.1}, "the float 0.1 is slightly above 1/10")])
    assert literal_fraction(0.1) == Fraction(1, 10) and literal_fraction(sympy.Float(0.1)) == Fraction(1, 10)
    store, _ = a_store(tmp_path)
    for claim in (in_relation, as_constant):
        assert check(claim, "quick", 0, store=store).verdict is Verdict.PROVED
    assert check(as_constant, "quick", 0, store=store, overrides={"delta": parse_value("0.1")}).verdict is Verdict.PROVED
    for overrides in (None, {"delta": parse_value("0.1")}):
        r = check(searched, "quick", 0, store=store, overrides=overrides)
        assert r.verdict is Verdict.SURVIVED, r.evidence


def test_a_float_domain_bound_that_is_not_its_decimal_is_ill_formed(tmp_path):
    x = Variable("x", st.floats(0, math.pi / 2), lo=0, hi=math.pi / 2)
    c = Claim(id="t.float_bound", title="", source=SRC, statement="", variables=[x],
              conclusion=sympy.Le(sympy.sin(x.symbol), 1))
    r = check(c, "quick", 0, store=None)
    assert r.verdict is Verdict.ILL_FORMED and "hi=1.5707963267948966" in " ".join(r.notes)
    ok = Variable("x", st.floats(0, 1.5), lo=0, hi=1.5)  # 1.5 is exactly the decimal it prints as
    c2 = Claim(id="t.float_bound_ok", title="", source=SRC, statement="", variables=[ok],
               conclusion=sympy.Le(sympy.sin(ok.symbol), 1))
    assert check(c2, "quick", 0).verdict is Verdict.CERTIFIED
    computed = Claim(id="t.float_literal", title="", source=SRC, statement="", variables=[ok],
                     conclusion=sympy.Le(ok.symbol, math.pi / 2))  # a computed float inside a relation
    r = check(computed, "quick", 0)
    assert r.verdict is Verdict.ILL_FORMED and "computed float" in " ".join(r.notes)


def test_an_undefined_conclusion_does_not_hold():
    """x = 0 => 1/x >= 5: the hypotheses are met only where the conclusion is undefined."""
    x = Variable("x", st.floats(-1, 1), lo=-1, hi=1)
    X = x.symbol
    c = Claim(id="t.undefined", title="", source=SRC, statement="", variables=[x],
              hypotheses=[sympy.Ge(X, 0), sympy.Le(X, 0)], conclusion=sympy.Ge(1 / X, 5))
    r = check(c, "quick", 0)
    assert r.verdict is not Verdict.PROVED and "undefined" in r.evidence, r.evidence
    assert r.details.get("undefined_at") == {"x": "0"}
    # a defined conclusion with a denominator is still proved
    d = Claim(id="t.defined", title="", source=SRC, statement="", variables=[x],
              hypotheses=[sympy.Ge(X, Fraction(1, 2))], conclusion=sympy.Le(1 / X, 2))
    assert check(d, "quick", 0).verdict is Verdict.PROVED


def test_an_overflow_in_a_margin_is_an_undefined_example():
    x = Variable("x", st.floats(0, 1000), lo=0, hi=1000)
    c = Claim(id="t.overflow", title="", source=SRC, statement="", variables=[x],
              conclusion=Condition("exp(x) >= 0", margin=lambda e: math.exp(e.x)),
              witnesses=[Witness({"x": 800.0}, "math.exp overflows")])
    r = check(c, "quick", 0)
    assert r.verdict is Verdict.SURVIVED and any("undefined" in n for n in r.notes), (r.verdict, r.evidence)


def _float_only_hypothesis_claim():
    """x + 1 >= 1 + 2^-60 => x >= 2^-60 (true for every real x). At x = 2^-70 the hypothesis holds in
    floats (1 + 2^-70 rounds to 1, as does 1 + 2^-60) but not exactly; the conclusion fails both ways."""
    tiny = Fraction(1, 2**60)
    x = Variable("x", st.just(2.0**-70), lo=0, hi=1)
    return Claim(id="t.float_hypothesis", title="", source=SRC, statement="", variables=[x],
                 hypotheses=[Condition("x + 1 >= 1 + 2^-60", margin=lambda e: (e.x + 1.0) - (1.0 + 2.0**-60),
                                       rigorous=lambda e: Enclosure.exact(Fraction(e.x) + 1 - (1 + tiny)))],
                 conclusion=Condition("x >= 2^-60", margin=lambda e: e.x - 2.0**-60,
                                      rigorous=lambda e: Enclosure.exact(Fraction(e.x) - tiny)))


def test_a_lead_whose_hypotheses_hold_only_in_floats_is_no_counterexample():
    """Catches a search that skips re-checking a lead's hypotheses exactly."""
    from proofcheck.decide.search import verify

    claim = _float_only_hypothesis_claim()
    ctx = Context(claim, {}, BUDGETS["quick"], 0)
    (h,), c = claim.hypotheses, claim.conclusion
    assert h.evaluate(ctx.env({"x": 2.0**-70})) >= 0 > c.evaluate(ctx.env({"x": 2.0**-70}))  # a float lead
    ok, _, _ = verify(ctx, {"x": 2.0**-70}, claim.hypotheses, claim.conclusion)
    assert ok is False
    r = check(claim, "quick", 0)
    assert r.verdict is Verdict.SURVIVED and r.counterexample is None, r.evidence
    assert any("could not be re-verified" in n for n in r.notes)


def test_the_same_seed_gives_the_same_examples_whatever_else_is_loaded(tmp_path, monkeypatch):
    """Hypothesis would draw numeric literals harvested from every loaded local module."""
    from proofcheck.decide.search import run_search

    seen = []

    def margin(env):
        seen.append(env.x)
        return 1.0

    c = Claim(id="t.literals", title="", source=SRC, statement="",
              variables=[Variable("x", st.floats(-1e3, 1e3), lo=-1000, hi=1000)],
              conclusion=Condition("c", margin=margin))

    def examples():
        seen.clear()
        run_search(Context(c, {}, BUDGETS["default"], 5), polish=False)
        return list(seen)

    before = examples()
    literals = [123.456, 654.321, -777.125, 999.75, 3.25, 0.5]
    (tmp_path / "unrelated_lemma_module.py").write_text("".join(f"C{i} = {v!r}\n" for i, v in enumerate(literals)))
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.import_module("unrelated_lemma_module")
    after = examples()
    assert len(before) > 100 and before == after
    assert not set(after) & set(literals[:5])


# ====================================================================== the store
def _refuting_record(a=1.5):
    return {"values": {"a": encode(a)}, "constants": {}, "found_by": "search", "verified_by": "test", "seed": 0,
            "margin": -1.0}


def test_a_truncated_last_line_never_swallows_the_next_record(tmp_path):
    store, warnings = a_store(tmp_path)
    store.add("planted.poly_false", _refuting_record(1.5))
    with open(store._file("planted.poly_false"), "ab") as fh:
        fh.write(b'{"values": {"a": {"$q": "3/')  # a kill during a write
    store.add("planted.poly_false", _refuting_record(2.0))
    got = store.load("planted.poly_false")
    assert [decode(r["values"]["a"], exact=True) for r in got] == [Fraction(3, 2), 2]
    assert any(":2: record skipped" in w for w in warnings)
    assert all(row["refutes"] for row in preplay("planted.poly_false", store))


@pytest.mark.parametrize("bad, why", [
    (b"\xff\xfe not utf-8", "not UTF-8"),
    (b"[1, 2, 3]", "not a record"),
    (b'{"values": {"a": {"$q": "1/0"}}, "constants": {}}', "zero denominator"),
    (b'{"values": 3}', "wrong type"),
    (b'{"values": {"a": {"$q": "3/2"}}, "constants": {}, "seed": "x"}', "wrong type"),
    (b'"just a string"', "not a record"),
    (b"[" * 100000, "nested too deeply"),
    (b'{"values": {"a": ' + b"1" * 5000 + b"}}", "not readable JSON"),
    (b'{"values": {"a": 1e999}, "constants": {}}', "not finite"),
])
def test_a_bad_record_is_skipped_with_file_and_line_and_never_changes_the_verdict(tmp_path, bad, why):
    store, warnings = a_store(tmp_path)
    path = store._file("planted.poly_false")
    path.parent.mkdir(parents=True)
    path.write_bytes(bad + b"\n" + json.dumps(_refuting_record()).encode() + b"\n")
    r = pcheck("planted.poly_false", "quick", 0, store=store)
    assert r.verdict is Verdict.REFUTED and r.decided_by == "replay", r.evidence
    assert len(warnings) == 1 and f"{path}:1: record skipped" in warnings[0] and why in warnings[0], warnings
    assert [row["refutes"] for row in preplay("planted.poly_false", store)] == [True]


def test_a_store_of_bad_lines_only_gives_the_verdict_of_an_empty_store(tmp_path):
    store, _ = a_store(tmp_path)
    path = store._file("planted.poly_false")
    path.parent.mkdir(parents=True)
    path.write_bytes(b"[1, 2, 3]\n\xff\n")
    empty, _ = a_store(tmp_path, "empty")
    a, b = (pcheck("planted.poly_false", "quick", 3, store=s) for s in (store, empty))
    assert (a.verdict, a.evidence, a.counterexample) == (b.verdict, b.evidence, b.counterexample)


def test_an_unwritable_store_is_said_once_and_the_run_goes_on(tmp_path):
    (tmp_path / "file").write_text("not a folder")
    warnings = Warnings()
    store = CounterexampleStore(tmp_path / "file" / "store", warn=warnings)
    results = [pcheck(cid, "quick", 0, store=store) for cid in ("planted.poly_false", "planted.step")]
    assert [r.verdict for r in results] == [Verdict.REFUTED, Verdict.REFUTED]
    assert results[0].counterexample["values"]["a"]
    said = [w for w in warnings if "cannot be written" in w]
    assert len(set(said)) == 1


def test_a_read_only_store_keeps_the_audit_going(tmp_path, monkeypatch):
    """Permission errors (a read-only store) behave like any failed write: said, then go on."""
    import proofcheck.store.counterexamples as store_module

    real_open = os.open

    def deny(path, flags, *a):
        if str(path).startswith(str(tmp_path / "ro")) and flags & (os.O_WRONLY | os.O_RDWR):
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags, *a)

    monkeypatch.setattr(store_module.os, "open", deny)
    warnings = Warnings()
    store = CounterexampleStore(tmp_path / "ro", warn=warnings)
    from proofcheck.interfaces.audit import audit

    results = audit([PLANTED.get("planted.poly_false"), PLANTED.get("planted.step")], "quick", 0, store=store)
    assert [r.verdict.value for r in results] == ["refuted", "refuted"]
    assert any("Permission denied" in w for w in warnings)


def test_store_pointing_at_a_file_is_a_usage_error(tmp_path):
    (tmp_path / "f").write_text("x")
    for cmd in ("audit", "check"):
        line = one_line_error(cli(cmd, "planted.step", "--store", str(tmp_path / "f")))
        assert "not a folder" in line


def test_partial_results_go_beside_the_store_and_two_audits_do_not_share_them(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    proc = cli("audit", "planted.poly_false", "--budget", "quick", "--seed", "0", "--store",
               str(tmp_path / "elsewhere" / "store"), "-o", str(tmp_path / "r.md"), cwd=work)
    assert proc.returncode == 0, proc.stderr
    assert not (work / ".proofcheck").exists()
    (line,) = (tmp_path / "elsewhere" / "last-audit.jsonl").read_text().splitlines()
    assert json.loads(line)["id"] == "planted.poly_false"

    from proofcheck.interfaces.cli.audit import PartialResults
    from proofcheck.model.verdict import Result

    store = CounterexampleStore(tmp_path / "two" / "store")
    with PartialResults(store) as first, PartialResults(store) as second:
        assert first.path != second.path and first.path.name == "last-audit.jsonl"
        for i in range(50):
            first.add(Result(id=f"a.{i}", verdict=Verdict.PROVED, evidence="x" * 5000))
            second.add(Result(id=f"b.{i}", verdict=Verdict.PROVED, evidence="y" * 5000))
    for partial, prefix in ((first, "a."), (second, "b.")):
        ids = [json.loads(l)["id"] for l in partial.path.read_text().splitlines()]
        assert ids == [f"{prefix}{i}" for i in range(50)]


def test_a_read_only_working_folder_does_not_block_an_audit(tmp_path):
    (tmp_path / "file").write_text("x")  # a store whose folder cannot be created: nothing can be written
    proc = cli("audit", "planted.poly_false", "--budget", "quick", "--seed", "0", "--store",
               str(tmp_path / "file" / "store"), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["claims"][0]["verdict"] == "refuted"
    assert "cannot write the partial results" in proc.stderr and "cannot be written" in proc.stderr


# ====================================================================== errors before work, processes, exit codes
@pytest.mark.parametrize("output", ["missing/folder/r.md", "/dev/full", "."])
def test_outputs_are_checked_before_the_audit_starts(tmp_path, output):
    out = output if output.startswith("/") else str(tmp_path / output)
    proc = cli("audit", "planted.poly_false", "--budget", "quick", "-o", out, "--store", str(tmp_path / "s"))
    line = one_line_error(proc)
    assert "cannot write" in line and "seed" not in proc.stderr  # nothing ran


def test_workers_end_with_their_parent(tmp_path):
    env = planted_env()
    env["PLANTED_STALL"] = "1"
    proc = subprocess.Popen([sys.executable, "-m", "proofcheck", "audit", "planted.stall", "planted.poly_false",
                             "planted.step", "--jobs", "2", "--budget", "quick", "--seed", "0", "--store", "s"],
                            cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def children():  # every descendant: the fork server, and the worker processes forked from it
        parents = {}
        for d in Path("/proc").iterdir():
            try:
                if d.name.isdigit():
                    parents[int(d.name)] = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
        out, todo = [], [proc.pid]
        while todo:
            p = todo.pop()
            kids = [c for c, parent in parents.items() if parent == p]
            out += kids
            todo += kids
        return out

    if not Path("/proc").is_dir():
        pytest.skip("needs /proc")
    deadline = time.monotonic() + 120
    while not (tmp_path / "s" / "planted.stall.jsonl").exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    workers = children()
    assert len(workers) >= 3, f"the audit started no worker processes ({workers})"  # fork server + 2 workers
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 60
    alive = workers
    while alive and time.monotonic() < deadline:
        time.sleep(0.2)
        alive = [w for w in alive if Path(f"/proc/{w}").exists()
                 and "Z" not in (Path(f"/proc/{w}/stat").read_text().rsplit(")", 1)[1].split()[:1] or ["Z"])]
    for w in alive:  # never leave them behind, even when the test fails
        os.kill(w, signal.SIGKILL)
    assert not alive, f"workers {alive} outlived their parent"


def test_replay_exits_non_zero_when_no_record_still_refutes(tmp_path):
    store = tmp_path / "s"
    s = CounterexampleStore(store)
    s.add("planted.poly_false", _refuting_record(0.5))  # 0.25 <= 0.5: no longer refutes
    proc = cli("replay", "planted.poly_false", "--store", str(store))
    assert proc.returncode == 1 and "does NOT refute" in proc.stdout and "none of the 1" in proc.stdout
    s.add("planted.poly_false", _refuting_record(1.5))
    proc = cli("replay", "planted.poly_false", "--store", str(store))
    assert proc.returncode == 0 and "still refutes" in proc.stdout
    proc = cli("replay", "planted.poly_true", "--store", str(store))
    assert proc.returncode == 1


def test_a_closed_pipe_or_stdout_or_stderr(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "proofcheck", "list"], env=planted_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # the reader is gone before the first line is written
    err = proc.stderr.read().decode()
    proc.wait(timeout=120)
    assert proc.returncode == 141 and "error" not in err and "Traceback" not in err, err
    head = subprocess.run(["bash", "-c", f"set -o pipefail; {shlex_quote(sys.executable)} -m proofcheck list | head -1"],
                          capture_output=True, text=True, env=planted_env(), timeout=300)
    assert head.returncode in (0, 141) and len(head.stdout.splitlines()) == 1 and head.stderr == "", head.stderr
    closed = sh("list >&-")
    assert closed.returncode == 2 and "standard output is closed" in closed.stderr and "Traceback" not in closed.stderr
    no_err = sh(f"check planted.step --budget quick --seed 1 --format json --store {shlex_quote(str(tmp_path))} 2>&-")
    assert no_err.returncode == 0
    assert json.loads(no_err.stdout)["claims"][0]["id"] == "planted.step"  # progress never lands on stdout


def test_a_lemma_package_that_cannot_load_is_named(tmp_path):
    env = planted_env()
    env["PROOFCHECK_LEMMAS"] = "no_such_lemma_package"
    line = one_line_error(cli("list", env=env))
    assert "PROOFCHECK_LEMMAS" in line and "no_such_lemma_package" in line
    pkg = tmp_path / "raising_lemmas"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("raise RuntimeError('broken on purpose')\n")
    env["PROOFCHECK_LEMMAS"] = "raising_lemmas"
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), env["PYTHONPATH"]])
    line = one_line_error(cli("list", env=env))
    assert "PROOFCHECK_LEMMAS" in line and "raising_lemmas" in line and "broken on purpose" in line


def test_an_empty_id_is_an_error_for_audit_as_for_check():
    assert "empty claim id" in one_line_error(cli("audit", ""))
    one_line_error(cli("check", ""))
