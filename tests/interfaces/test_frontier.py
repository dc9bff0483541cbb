"""``proofcheck frontier``: exact points, bisection with the engine, its report, and bad input.

The claims below are built here so the frontier's location is known from mathematics, not from a
stored answer: ``x^2 <= c`` on ``x in [0, 1]`` holds exactly for ``c >= 1``; ``d x <= 1/2`` holds for
``d <= 1/2``; ``(c - 1)(c - 2) x >= 0`` fails only for ``1 < c < 2`` (not monotone in ``c``).
"""
from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction

import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

from proofcheck import Claim, Condition, Constant, Variable
from proofcheck.model.claim import Source
from proofcheck.store.codec import decode
from proofcheck.interfaces.frontier import (FrontierError, as_fraction, fix_variable, for_result, frontier, parse_range,
                                 simplest_between, simplest_dyadic_between, target_for)
from proofcheck.decide.engine import check
from proofcheck.model.registry import Registry
from proofcheck.model.verdict import Verdict

from conftest import planted_env

SRC = Source("test", "here")
X, D, C = sympy.Symbol("x", real=True), sympy.Symbol("d", real=True), sympy.Symbol("c", real=True)
x_var = Variable("x", st.floats(0, 1), lo=0, hi=1)

square = Claim(id="frontiertest.square", title="x^2 <= c on [0, 1]", source=SRC, statement=r"x^2\le c",
               variables=[x_var], conclusion=sympy.Le(X ** 2, C),
               constants=[Constant("c", Fraction(1, 2), "bound", positive=True)])
scaled = Claim(id="frontiertest.scaled", title="d x <= 1/2 on [0, 1]^2", source=SRC, statement=r"dx\le\tfrac12",
               variables=[x_var, Variable("d", st.floats(0, 1), lo=0, hi=1)],
               conclusion=sympy.Le(D * X, sympy.Rational(1, 2)))
window = Claim(id="frontiertest.window", title="(c-1)(c-2) x >= 0", source=SRC, statement=r"(c-1)(c-2)x\ge0",
               variables=[x_var], conclusion=sympy.Ge((C - 1) * (C - 2) * X, 0),
               constants=[Constant("c", Fraction(3, 2), "a parameter")])


def registry():
    reg = Registry()
    for c in (square, scaled, window):
        reg.add_claim(c, __name__)
    return reg


# ---------------------------------------------------------------- exact points
fractions = st.fractions(min_value=-50, max_value=50, max_denominator=200)


@given(fractions, fractions)
def test_simplest_between_is_inside_and_has_the_least_denominator(a, b):
    lo, hi = min(a, b), max(a, b)
    q = simplest_between(lo, hi)
    assert lo <= q <= hi
    for den in range(1, q.denominator):  # no fraction with a smaller denominator lies in [lo, hi]
        k = -(-lo.numerator * den // lo.denominator)  # ceil(lo * den)
        assert Fraction(k, den) > hi


@given(fractions, fractions)
def test_simplest_dyadic_is_an_exact_float_inside(a, b):
    lo, hi = min(a, b), max(a, b)
    q = simplest_dyadic_between(lo, hi)
    if q is not None:
        assert lo <= q <= hi and Fraction(float(q)) == q
        assert q.denominator & (q.denominator - 1) == 0


def test_parse_range_is_exact_and_rejects_bad_input():
    assert parse_range("1/100:999/1000") == (Fraction(1, 100), Fraction(999, 1000))
    assert parse_range("0.25:3") == (Fraction(1, 4), Fraction(3))
    for bad in ("1:0", "1", ":2", "a:b", "2/pi:1", "1:1"):
        with pytest.raises(FrontierError):
            parse_range(bad)
    assert as_fraction(0.1) == Fraction(1, 10)  # a decimal literal is the decimal it prints


# ---------------------------------------------------------------- targets
def test_target_validation():
    with pytest.raises(FrontierError, match="no constant or variable"):
        target_for(square, "nope")
    with pytest.raises(FrontierError, match="positive"):
        target_for(square, "c", (Fraction(0), Fraction(1)))
    with pytest.raises(FrontierError, match="outside the domain"):
        target_for(scaled, "d", (Fraction(0), Fraction(2)))
    t = target_for(scaled, "d", (Fraction(1, 100), Fraction(1, 3)))  # ends moved inward to floats, said
    assert Fraction(1, 100) <= t.lo < Fraction(1, 100) + Fraction(1, 10**15) and t.hi <= Fraction(1, 3)
    assert Fraction(float(t.lo)) == t.lo and Fraction(float(t.hi)) == t.hi and "inward" in t.note
    t = target_for(square, "c")  # default range: around the printed value, inside the constant's rules
    assert 0 < t.lo < Fraction(1, 2) < t.hi


def test_fixed_variable_has_a_one_point_domain():
    fixed = fix_variable(scaled, "d", Fraction(3, 4))
    d = next(v for v in fixed.variables if v.name == "d")
    assert d.in_domain(Fraction(3, 4)) and not d.in_domain(Fraction(1, 2))
    # the copy is refuted (x = 1 gives 3/4 > 1/2) and the counterexample has d = 3/4
    r = check(fixed, "quick", 0, registry=registry())
    assert r.verdict is Verdict.REFUTED
    assert Fraction(decode(r.counterexample["values"]["d"], exact=True)) == Fraction(3, 4)


# ---------------------------------------------------------------- bisection
def test_constant_frontier_brackets_the_true_threshold():
    f = frontier(square, "c", (Fraction(1, 4), Fraction(4)), budget="quick", seed=0, steps=8, registry=registry())
    assert f["status"] == "bracketed" and f["monotone"]
    assert f["refuted"]["side"] == "below" and f["holds"]["side"] == "above"
    r, h = Fraction(f["refuted"]["bound"]), Fraction(f["holds"]["bound"])
    assert r < 1 <= h  # x^2 <= c on [0, 1] holds exactly for c >= 1
    assert f["printed_side"] == "refuted"
    assert f["refuted"]["found_by"] in ("search", "decision", "witness")
    assert "monoton" in f["assumption"] and "refuted for c <=" in f["summary"]
    values = [Fraction(p["value"]) for p in f["points"]]
    assert values == sorted(values) and len(set(values)) == len(values)
    json.dumps(f)  # JSON-ready


def test_variable_frontier_brackets_the_true_threshold():
    f = frontier(scaled, "d", budget="quick", seed=0, steps=8, registry=registry())
    assert f["kind"] == "variable" and f["status"] == "bracketed"
    assert f["refuted"]["side"] == "above"
    r, h = Fraction(f["refuted"]["bound"]), Fraction(f["holds"]["bound"])
    assert h <= Fraction(1, 2) < r
    assert f["refuted_share"] + f["holds_share"] <= 1
    side = f["holds_interval"]  # the holding side searched as a whole, not only at its end
    assert (Fraction(side["range"][0]), Fraction(side["range"][1])) == (Fraction(0), h)
    assert side["verdict"] in ("proved", "certified", "survived") and "whole side" in f["summary"]


def _band_margin(exact):
    def margin(env):
        d, x = (Fraction(env.d), Fraction(env.x)) if exact else (env.d, env.x)
        band = 1 if abs(d - Fraction(1, 7)) < Fraction(1, 20) else 0
        return Fraction(1, 2) - d * x - band if exact else 0.5 - d * x - band
    return margin


band = Claim(id="frontiertest.band", title="d x <= 1/2, except near d = 1/7", source=SRC, statement="-",
             variables=[x_var, Variable("d", st.floats(0, 1), lo=0, hi=1)],
             conclusion=Condition("conclusion", margin=_band_margin(False), rigorous=_band_margin(True)))


def test_a_counterexample_on_the_holding_side_is_reported():
    # fails for d > 1/2 and for |d - 1/7| < 1/20: the probes (0, 1, then dyadics between 1/2 and 1)
    # never land in the band; the search of the whole holding side must find it and say so
    f = frontier(band, "d", budget="quick", seed=0, steps=4, registry=registry())
    assert f["status"] == "bracketed" and f["holds"]["side"] == "below"
    assert all(not (abs(Fraction(p["value"]) - Fraction(1, 7)) < Fraction(1, 20)) for p in f["points"])
    assert f["holds_interval"]["verdict"] == "refuted"
    assert not f["monotone"] and "CONTRADICTS" in f["assumption"]
    assert "counterexample" in f["summary"]


def test_non_monotone_probes_are_reported():
    f = frontier(window, "c", (Fraction(0), Fraction(3)), budget="quick", seed=0, steps=4, registry=registry())
    # probes at 0 and 3 hold, at the printed 3/2 it is refuted: two switches
    assert not f["monotone"] and f["switches"] >= 2
    assert "CONTRADICT" in f["assumption"] and "NOT monotone" in f["summary"]


def test_uniform_ranges_say_so():
    f = frontier(square, "c", (Fraction(2), Fraction(4)), budget="quick", seed=0, steps=3, registry=registry())
    assert f["status"] == "holds-throughout" and f["refuted"] is None
    f = frontier(square, "c", (Fraction(1, 8), Fraction(1, 2)), budget="quick", seed=0, steps=3, registry=registry())
    assert f["status"] == "refuted-throughout" and f["holds"] is None


def test_audit_frontier_reuses_the_audit_result_at_the_printed_value():
    reg = registry()
    result = check(square, "quick", 0, registry=reg)
    assert result.verdict is Verdict.REFUTED
    out = for_result(square, result, "quick", 0, registry=reg)
    f = out["c"]
    printed = [p for p in f["points"] if Fraction(p["value"]) == Fraction(1, 2)]
    assert printed and printed[0]["evidence"] == result.evidence
    survived = check(scaled, "quick", 0, registry=reg)
    assert for_result(scaled, survived, "quick", 0, registry=reg) is None  # no constants: nothing to bisect


def test_the_encoder_names_a_variable_and_its_range_for_the_audit():
    import dataclasses

    from proofcheck.interfaces.frontier import names_for

    named = dataclasses.replace(scaled, extra={"frontier": {"d": "1/4:1"}})
    assert names_for(named) == {"d": (Fraction(1, 4), Fraction(1))}
    assert names_for(square) == {"c": None}
    reg = registry()
    result = check(named, "quick", 0, registry=reg)
    f = for_result(named, result, "quick", 0, registry=reg)["d"]
    assert f["range"] == ["1/4", "1"] and f["status"] == "bracketed"
    assert Fraction(f["holds"]["bound"]) <= Fraction(1, 2) < Fraction(f["refuted"]["bound"])
    bad = dataclasses.replace(scaled, extra={"frontier": ["x", "nope"]})
    out = for_result(bad, result, "quick", 0, registry=reg)
    assert out["nope"]["status"] == "skipped" and "no constant or variable" in out["nope"]["summary"]


# ---------------------------------------------------------------- the command
def _cli(*args):
    return subprocess.run([sys.executable, "-m", "proofcheck", *args], capture_output=True, text=True,
                          env=planted_env(), timeout=300)


@pytest.fixture
def planted_registry(monkeypatch):
    from proofcheck.model.registry import load

    monkeypatch.setenv("PROOFCHECK_LEMMAS", "planted")
    load(refresh=True)
    yield
    monkeypatch.delenv("PROOFCHECK_LEMMAS")
    load(refresh=True)


@pytest.mark.parametrize("args, message", [
    (("planted.step", "nope"), "no constant or variable"),
    (("planted.step", "c", "--range", "2:1"), "LO must be less than HI"),
    (("planted.step", "c", "--range", "0:1"), "positive"),
    (("planted.step", "eta", "--range", "x:1"), "cannot parse"),
    (("planted.step", "eta", "--range", "0:11"), "outside the domain"),
    (("planted.coin_false", "failures"), "no constant or variable"),
    (("planted.stall", "x"), "no constant or variable"),
    (("planted.nothing", "c"), "unknown claim"),
])
def test_bad_input_is_one_line_and_exit_2(args, message, tmp_path, capsys, planted_registry):
    from proofcheck.interfaces.cli import main

    code = main(["frontier", *args, "--store", str(tmp_path)])
    out, err = capsys.readouterr()
    assert code == 2, err
    assert message in err and len(err.strip().splitlines()) == 1
    assert out == ""


def test_command_json_on_a_statistical_procedure(tmp_path):
    # planted.coin_false: a coin failing at rate 3/10 refutes "fails w.p. <= delta" for delta well below 3/10
    p = _cli("frontier", "planted.coin_false", "delta", "--range", "1/20:1/2", "--budget", "quick", "--seed", "0",
             "--steps", "4", "--format", "json", "--store", str(tmp_path))
    assert p.returncode == 0, p.stderr
    f = json.loads(p.stdout)
    assert f["status"] == "bracketed" and f["refuted"]["side"] == "below"
    # sound: the statement is true for delta >= 3/10; powerful: 200 trials at rate 3/10 refute delta = 1/10
    assert Fraction(f["refuted"]["bound"]) < Fraction(3, 10)
    assert Fraction(1, 10) < Fraction(f["holds"]["bound"])


def test_command_text(tmp_path, capsys, planted_registry):
    from proofcheck.interfaces.cli import main

    code = main(["frontier", "planted.step", "c", "--budget", "quick", "--seed", "0", "--steps", "1",
                 "--store", str(tmp_path)])
    out, err = capsys.readouterr()
    assert code == 0, err
    # c is unused by planted.step, so the verdict cannot change with it
    assert "frontier in constant c" in out and "assumption:" in out and "probes:" in out
    assert "seed 0" in err


def test_same_seed_same_frontier():
    runs = []
    for _ in range(2):
        f = frontier(scaled, "d", budget="quick", seed=5, steps=5, registry=registry())
        f.pop("seconds")
        runs.append(f)
    assert runs[0] == runs[1]
