"""Interval certification of x <= 2 sin x on [0, 2/pi]: with the monotonicity rule vs plain bisection.

Plain Arb bisection can never close the box touching the tight point x = 0 (the enclosure of
2 sin x - x on [0, e] always dips below 0), so it runs until its box cap and answers nothing; the
monotonicity rule closes it at once. Prints both times, the boxes used and the ratio, measured in
one run.

    python benchmarks/bench_certify.py [--cap 20000] [--repeat 3]
"""
from __future__ import annotations

import argparse
import time

import sympy
from hypothesis import strategies as st

from proofcheck.decide.certify import certify_interval, decide_polynomial
from proofcheck.model.claim import Claim, Source, Variable
from proofcheck.decide.context import BUDGETS, Context


def _ctx(conclusion, variables):
    claim = Claim(id="bench.certify.c", title="bench", source=Source("bench", "benchmarks/bench_certify.py"),
                  statement="", variables=variables, conclusion=conclusion)
    return Context(claim, {}, BUDGETS["default"], seed=0)


def _time(fn, repeat):
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cap", type=int, default=20000, help="box cap for plain bisection")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()

    x = sympy.Symbol("x", real=True)
    var = Variable("x", st.floats(0, 0.6366), lo=0, hi=sympy.Rational(2) / sympy.pi)
    ctx = _ctx(sympy.Le(x, 2 * sympy.sin(x)), [var])

    t_rule, out_rule = _time(lambda: certify_interval(ctx, time_limit=600), args.repeat)
    t_naive, out_naive = _time(
        lambda: certify_interval(ctx, max_boxes=args.cap, time_limit=600, monotonicity=False), 1)

    print("x <= 2 sin x on [0, 2/pi]")
    print(f"  monotonicity rule : {t_rule * 1e3:9.2f} ms  verdict {out_rule.verdict.value if out_rule else 'none'}"
          f"  boxes {out_rule.examples if out_rule else '-'}")
    print(f"  plain bisection   : {t_naive * 1e3:9.2f} ms  verdict {out_naive.verdict.value if out_naive else 'none (cap reached)'}"
          f"  boxes {args.cap} (cap)")
    print(f"  ratio plain/rule  : {t_naive / t_rule:9.1f}x  (and plain bisection decides nothing)")

    # The exact layer on the float-hostile identity, for scale.
    big = 10**8
    ident = _ctx(sympy.Ge((x + big) ** 2 - x**2 - 2 * big * x - big**2, 0), [Variable("x", st.floats())])
    t_z3, out_z3 = _time(lambda: decide_polynomial(ident), args.repeat)
    print(f"z3 nlsat on (x+1e8)^2 - x^2 - 2e8 x - 1e16 >= 0: {t_z3 * 1e3:.2f} ms, "
          f"verdict {out_z3.verdict.value if out_z3 else 'none'}")


if __name__ == "__main__":
    main()
