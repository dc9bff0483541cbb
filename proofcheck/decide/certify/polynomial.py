"""Exact decision of polynomial (and rational, square-root) claims with z3's nlsat.

nlsat is a complete decision procedure for the first-order theory of real closed fields, so
``domain ∧ hypotheses ∧ ¬conclusion`` being unsatisfiable *is* a proof over the reals. A
satisfying model is only a lead: it is converted to exact rationals and re-verified with exact
sympy arithmetic (Arb where a square root remains) before the claim is called refuted.

Encoding (each step keeps the reals' meaning exactly):

* a sympy ``Float`` or float constant is the decimal it prints as (``0.1`` is 1/10);
* ``b**(-n)`` becomes an auxiliary ``d`` with ``d * b**n == 1`` (so ``b != 0``);
* ``b**(p/q)`` becomes ``r**p`` with ``r >= 0, r**q == b`` (the real principal root, ``b >= 0``);
* ``|e|`` becomes ``a >= 0, a**2 == e**2``; ``Max``/``Min`` become ``m >= each, m == one of them``.

The auxiliary constraints say "the statement is defined here". A hypothesis that is undefined at a
point (a zero denominator, a root of a negative number) does not hold there, so such points are
excluded; an undefined *conclusion* does not hold either: a point where every hypothesis holds and
the conclusion is undefined stops a proof and is reported (``x = 0 => 1/x >= 5`` is not proved).
A bound ``lo``/``hi`` that is not algebraic (``2/pi``) is relaxed to a rational outer bound: a
proof over the larger box is a proof over the stated one, and a model is re-checked against the
exact bound before it refutes anything.
"""
from __future__ import annotations

import itertools
from fractions import Fraction
from typing import Any

import sympy
import z3

from proofcheck.model.claim import Outcome
from proofcheck.model.num import NumericError, arb_eval, arb_endpoints, literal_fraction, to_fraction
from proofcheck.model.verdict import Verdict
from proofcheck.decide.certify.exact import (ExactClaim, Unsupported, fresh_z3, guarded, exact_claim, exact_sign, exact_value,
                    holds_exactly, safe_float, to_sympy_rational)
from proofcheck.decide.search import verify

#: z3 time limit (seconds) per query, by budget name.
TIMEOUTS = {"quick": 5.0, "default": 10.0, "deep": 30.0}
MAX_ROOT_INDEX = 16
MAX_POWER = 512
_AUX = itertools.count(1)


class _Builder:
    """sympy -> z3, collecting the side constraints that say where the statement is defined."""

    def __init__(self, zvars: dict[str, Any]):
        self.zvars = zvars
        self.side: list[Any] = []
        self.excluded: set[str] = set()
        self.aux = 0
        self.cache: dict[sympy.Basic, Any] = {}
        # Where the statement is defined: (condition, number of side constraints before it, what).
        # The side constraints before it define the inner terms it is built from.
        self.defined: list[tuple[Any, int, str]] = []

    def fresh(self, what: str):
        # One counter for all builders: two auxiliaries must never share a z3 name.
        self.aux += 1
        return z3.Real(f"__{what}{next(_AUX)}")

    @staticmethod
    def rational(q) -> Any:
        q = sympy.Rational(q)
        return z3.RealVal(f"{int(q.p)}/{int(q.q)}")

    def power(self, b, n: int):
        if n > MAX_POWER:
            raise Unsupported(f"power {n} too large")
        out, base = None, b
        while n:  # exponentiation by squaring keeps the term small
            if n & 1:
                out = base if out is None else out * base
            n >>= 1
            if n:
                base = base * base
        return out if out is not None else z3.RealVal(1)

    def reciprocal(self, b):
        self.defined.append((b != 0, len(self.side), "a zero denominator"))
        d = self.fresh("inv")
        self.side.append(d * b == 1)
        self.excluded.add("a zero denominator")
        return d

    def __call__(self, e: sympy.Basic):
        if e in self.cache:
            return self.cache[e]
        out = self._tr(e)
        self.cache[e] = out
        return out

    def _tr(self, e: sympy.Basic):
        if e.is_Symbol:
            if e.name not in self.zvars:
                raise Unsupported(f"unknown symbol {e}")
            return self.zvars[e.name]
        if e.is_Rational:
            return self.rational(e)
        if e.is_Float:  # a literal: the decimal it prints as (0.1 is 1/10)
            return self.rational(sympy.Rational(literal_fraction(e)))
        if e.is_Add:
            terms = [self(a) for a in e.args]
            out = terms[0]
            for t in terms[1:]:
                out = out + t
            return out
        if e.is_Mul:
            factors = [self(a) for a in e.args]
            out = factors[0]
            for f in factors[1:]:
                out = out * f
            return out
        if e.is_Pow:
            base, ex = e.args
            if not ex.is_Rational:
                raise Unsupported(f"non-rational exponent in {e}")
            b = self(base)
            p, q = int(ex.p), int(ex.q)
            if q != 1:
                if q > MAX_ROOT_INDEX:
                    raise Unsupported(f"root of index {q}")
                self.defined.append((b >= 0, len(self.side), "a root of a negative number"))
                r = self.fresh("root")
                self.side += [r >= 0, self.power(r, q) == b]
                self.excluded.add("a root of a negative number")
                b = r
            if p == 0:
                return z3.RealVal(1)
            if p > 0:
                return self.power(b, p)
            return self.reciprocal(self.power(b, -p))
        if isinstance(e, sympy.Abs):
            a = self(e.args[0])
            r = self.fresh("abs")
            self.side += [r >= 0, r * r == a * a]
            return r
        if isinstance(e, (sympy.Max, sympy.Min)):
            parts = [self(a) for a in e.args]
            m = self.fresh("max" if isinstance(e, sympy.Max) else "min")
            if isinstance(e, sympy.Max):
                self.side += [m >= p for p in parts]
            else:
                self.side += [m <= p for p in parts]
            self.side.append(z3.Or(*[m == p for p in parts]))
            return m
        raise Unsupported(f"{type(e).__name__} is not polynomial/rational/algebraic: {e}")


def _relation(margin, strict: bool, negate: bool):
    if negate:
        return margin <= 0 if strict else margin < 0
    return margin > 0 if strict else margin >= 0


def _z3_vars(ec: ExactClaim) -> dict[str, Any]:
    return {v.name: (z3.Int(v.name) if v.integer else z3.Real(v.name)) for v in ec.variables}


def _domain(ec: ExactClaim, zvars, build: _Builder) -> tuple[list[Any], list[str], list[str]]:
    """Bound constraints, their description, and the bounds that had to be relaxed."""
    cons, desc, relaxed = [], [], []
    for v in ec.variables:
        x = zvars[v.name]
        parts = []
        for side, bound in (("lo", ec.lo[v.name]), ("hi", ec.hi[v.name])):
            if bound is None:
                parts.append("-oo" if side == "lo" else "+oo")
                continue
            parts.append(str(bound))
            try:
                sub = _Builder(build.zvars)  # exact when algebraic (3/4, sqrt(2), ...)
                zb = sub(bound)
                extra = sub.side
            except Unsupported:
                # Transcendental bound: relax outward to a rational (sound for a proof; a model
                # is re-checked against the exact bound).
                lo_q, hi_q = arb_endpoints(arb_eval(bound, {}, 128))
                zb = _Builder.rational(to_sympy_rational(lo_q if side == "lo" else hi_q))
                extra = []
                relaxed.append(f"{v.name} {'>=' if side == 'lo' else '<='} {bound}")
            build.side.extend(extra)
            cons.append(x >= zb if side == "lo" else x <= zb)
        kind = "integer" if v.integer else "real"
        desc.append(f"{v.name} ∈ [{parts[0]}, {parts[1]}] ({kind})")
    return cons, desc, relaxed


def _solver(ec: ExactClaim, timeout: float):
    s = z3.Solver() if any(v.integer for v in ec.variables) else z3.SolverFor("QF_NRA")
    s.set("timeout", max(1, int(timeout * 1000)))
    return s


def _model_values(model, zvars, ec: ExactClaim, digits: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for v in ec.variables:
        val = model.eval(zvars[v.name], model_completion=True)
        if z3.is_int_value(val):
            out[v.name] = int(val.as_long())
        elif z3.is_rational_value(val):
            out[v.name] = Fraction(int(val.numerator_as_long()), int(val.denominator_as_long()))
        elif z3.is_algebraic_value(val):
            a = val.approx(digits)
            out[v.name] = Fraction(int(a.numerator_as_long()), int(a.denominator_as_long()))
        else:
            raise Unsupported(f"model value {val} of {v.name} is not a number")
    return out


def _completed(ctx, values: dict[str, Any]) -> dict[str, Any] | None:
    """The model with every variable of the claim it leaves free given an in-domain value (0 when
    the domain holds it, else an end of the domain), re-verified by the engine's own rigorous check
    of the whole claim, so that the stored record replays from itself alone; None if that fails."""
    out = dict(values)
    for var in ctx.claim.variables:
        if var.name in out:
            continue
        for candidate in (0, var.lo, var.hi):
            if candidate is None:
                continue
            try:
                value = int(candidate) if var.integer else to_fraction(candidate)
            except (NumericError, TypeError, ValueError):
                continue
            if var.in_domain(value):
                out[var.name] = value
                break
        else:
            return None
    ok, _, _ = verify(ctx, out, ctx.claim.hypotheses, ctx.claim.conclusion)
    return out if ok else None


def _reverify(ec: ExactClaim, values: dict[str, Any]):
    """Exact re-check of a candidate counterexample: (conclusion margin value, description) or None."""
    point = {}
    for v in ec.variables:
        x = values[v.name]
        if v.integer and (not isinstance(x, int)):
            return None
        sx = sympy.Integer(x) if isinstance(x, int) else to_sympy_rational(Fraction(x))
        for side, bound in (("lo", ec.lo[v.name]), ("hi", ec.hi[v.name])):
            if bound is None:
                continue
            s = exact_sign(sx - bound)
            if s is None or (side == "lo" and s < 0) or (side == "hi" and s > 0):
                return None
        point[ec.symbols[v.name]] = sx
    for h in ec.hypotheses:
        if holds_exactly(exact_value(h.margin, point), h.strict) is not True:
            return None
    m = exact_value(ec.conclusion.margin, point)
    if holds_exactly(m, ec.conclusion.strict) is not False:
        return None
    return m


def _undefined_conclusion(ec: ExactClaim, zvars, build: _Builder, dom, hyps, first: int, timeout: float):
    """A point where the domain and hypotheses hold and the conclusion is undefined: ``(what,
    values)``; None when there is none; ``"unknown"`` when z3 cannot tell. One query per condition
    of the conclusion's definedness, with the terms it is built from defined (so the first
    condition that fails at any undefined point is found)."""
    for cond, n_side, what in build.defined[first:]:
        s = _solver(ec, max(1.0, timeout / 2))
        s.add(*dom, *build.side[:n_side], *hyps, z3.Not(cond))
        answer = s.check()
        if answer == z3.unsat:
            continue
        if answer != z3.sat:
            return "unknown"
        try:
            values = _model_values(s.model(), zvars, ec, 30)
        except Unsupported:
            return "unknown"
        return what, values
    return None


def _fmt(values: dict[str, Any]) -> str:
    return ", ".join(f"{k} = {v}" for k, v in values.items())


def decide_polynomial(ctx, timeout: float | None = None) -> Outcome | None:
    """Decide an all-sympy claim whose conditions are polynomial/rational/algebraic, exactly.

    Returns PROVED (nlsat: no counterexample over the reals), VACUOUS (the hypotheses are
    unsatisfiable on the domain), REFUTED (a z3 model re-verified in exact arithmetic), or None
    (not polynomial, unknown, timeout, a model that does not re-verify, or a probabilistic claim
    with a counterexample). Raises only :class:`proofcheck.model.num.NumericError` for a NaN constant
    or bound; anything else odd answers None.
    """
    return guarded("decide_polynomial", ctx, lambda: _decide(ctx, timeout))


def _decide(ctx, timeout: float | None) -> Outcome | None:
    global _AUX
    claim = ctx.claim
    if getattr(claim, "check", None) is not None:
        raise Unsupported("claim has its own procedure")
    fresh_z3()
    _AUX = itertools.count(1)  # auxiliary names, too, start afresh for every decision
    ec = exact_claim(claim, ctx.constant_values)
    if timeout is None:
        timeout = TIMEOUTS.get(getattr(ctx.budget, "name", ""), 10.0)

    zvars = _z3_vars(ec)
    build = _Builder(zvars)
    dom, dom_desc, relaxed = _domain(ec, zvars, build)
    hyps = [_relation(build(h.margin), h.strict, negate=False) for h in ec.hypotheses]
    hyp_side = list(build.side)
    first_conclusion_guard = len(build.defined)
    neg = _relation(build(ec.conclusion.margin), ec.conclusion.strict, negate=True)

    solver = _solver(ec, timeout)
    solver.add(*dom, *build.side, *hyps, neg)
    ctx.progress("z3 nlsat: hypotheses ∧ ¬conclusion")
    answer = solver.check()
    queries = 1
    undefined = ""
    if build.excluded:
        undefined = ("; points where the statement is undefined (" + ", ".join(sorted(build.excluded))
                     + ") are excluded")
    where = "; ".join(dom_desc) if dom_desc else "no variables"
    relax = f"; non-algebraic bounds relaxed to rational outer bounds ({', '.join(relaxed)})" if relaxed else ""
    details = {"method": "z3-nlsat", "domain": dom_desc, "relaxed_bounds": relaxed,
               "undefined_excluded": sorted(build.excluded)}

    if answer == z3.unsat:
        return _proved_or_vacuous(ctx, ec, timeout, zvars, build, dom, hyp_side, hyps, first_conclusion_guard,
                                  queries, details, f"{where}{relax}", undefined)
    if answer != z3.sat:
        ctx.progress(f"z3 nlsat: {answer} ({solver.reason_unknown()})")
        return None
    return _refuted_by_model(ctx, ec, solver.model(), zvars, queries, details, where)


def _proved_or_vacuous(ctx, ec, timeout, zvars, build, dom, hyp_side, hyps, first_conclusion_guard, queries,
                       details, where, undefined) -> Outcome | None:
    """hypotheses and not-conclusion is unsatisfiable: ``vacuous`` when the hypotheses alone are,
    ``survived`` when the conclusion is undefined where every hypothesis holds, else ``proved``."""
    # Are the hypotheses satisfiable at all? If not, the statement holds only vacuously.
    hyp_answer = None
    if ec.hypotheses or dom:
        s2 = _solver(ec, max(1.0, timeout / 2))
        s2.add(*dom, *hyp_side, *hyps)
        hyp_answer = s2.check()
        queries += 1
    if hyp_answer != z3.unsat:
        # No counterexample where the conclusion is defined; but a point where every hypothesis
        # holds and the conclusion is undefined (x = 0 in "x = 0 => 1/x >= 5") is no proof.
        undefined_at = _undefined_conclusion(ec, zvars, build, dom, hyps, first_conclusion_guard, timeout)
        queries += len(build.defined) - first_conclusion_guard
        if undefined_at == "unknown":
            ctx.progress("z3 nlsat: could not decide where the conclusion is defined")
            return None
        if undefined_at is not None:
            what, values = undefined_at
            details["undefined_at"] = {k: str(v) for k, v in values.items()}
            return Outcome(Verdict.SURVIVED,
                           f"not proved: z3 nlsat finds no point where the conclusion is defined and false "
                           f"({where}), but at {_fmt(values)} every hypothesis holds and the conclusion "
                           f"is undefined ({what}); an undefined conclusion does not hold",
                           examples=queries, satisfied=0, margin=None, details=details,
                           notes=[f"the conclusion is undefined at {_fmt(values)} ({what})"])
    if hyp_answer == z3.unsat:
        return Outcome(Verdict.VACUOUS,
                       f"z3 nlsat: the hypotheses are unsatisfiable over the domain ({where}{undefined}), "
                       "so the statement holds only vacuously",
                       examples=queries, satisfied=0, details=details)
    return Outcome(Verdict.PROVED,
                   f"z3 nlsat: hypotheses ∧ ¬conclusion is unsatisfiable over the reals ({where}{undefined})",
                   examples=queries, satisfied=0, margin=None, details=details)


def _refuted_by_model(ctx, ec, model, zvars, queries, details, where) -> Outcome | None:
    """A z3 model of hypotheses and not-conclusion, re-verified in exact rationals (a refutation), or None."""
    claim = ctx.claim
    if getattr(claim, "is_probabilistic", False):
        return None  # one point does not refute a statement that holds with probability 1 - delta
    for digits in (30, 60, 120):
        try:
            values = _model_values(model, zvars, ec, digits)
        except Unsupported:
            return None
        m = _reverify(ec, values)
        if m is not None:
            # Prefer the nearest floats when they refute just as exactly: such a counterexample
            # replays bit for bit even where values are read back as floats.
            try:
                floats = {k: (v if isinstance(v, int) else Fraction(float(v))) for k, v in values.items()}
            except (OverflowError, ValueError):
                floats = values
            if floats != values:
                mf = _reverify(ec, floats)
                if mf is not None:
                    values, m = floats, mf
            values = _completed(ctx, values)
            if values is None:
                ctx.progress("z3 model: a variable it leaves free has no in-domain value to complete it")
                return None
            margin = safe_float(m)
            record = ctx.record_counterexample(values, margin, "exact rational arithmetic (z3 model)",
                                               found_by="decision")
            details["margin_exact"] = str(m)
            return Outcome(Verdict.REFUTED,
                           f"z3 nlsat model {_fmt(values)} re-verified exactly: every hypothesis holds and the "
                           f"conclusion's margin is {m} ({margin:.6g}) {'<= 0' if ec.conclusion.strict else '< 0'} "
                           f"({where})",
                           examples=queries, satisfied=1, margin=margin, counterexample=record, details=details)
        if all(not z3.is_algebraic_value(model.eval(zvars[v.name], model_completion=True)) for v in ec.variables):
            break  # exact rational model that does not re-verify: more digits will not help
    ctx.progress("z3 model did not re-verify exactly")
    return None
