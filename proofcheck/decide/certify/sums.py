"""Sums and products over a symbolic number of terms: decided for every ``n`` of the declared range,
or checked exactly up to a stated ``n``.

A claim whose sympy conditions hold a ``sympy.Sum``/``sympy.Product`` with a bound that is an integer
variable ``n`` (``lo``, optionally ``hi``: its declared range), possibly over arbitrary families
``a(i)`` (:class:`proofcheck.model.claim.Family`), is decided here, never by unrolling it at a small
``n`` unsaid:

1. **for every n** -- the margin's sums are put in a normal form (linear in the summand: a term free
   of the index is multiplied by the number of terms, the rest summed by sympy, bound indices renamed
   canonically so equal sums cancel) and simplified; a margin that is then a number >= 0 (> 0 for a
   strict relation), free of every variable and family, is ``proved`` for every ``n`` in the range
   and every choice of the families (a sympy identity);
2. otherwise **instances** -- at ``n = lo, lo + 1, ...`` and doubling (while the unrolled sums stay
   small), with the other scalar variables and the family terms drawn as exact rationals in their
   bounds, the margin is evaluated exactly (Arb where it is irrational). A negative one is a
   counterexample (it replays through :func:`replay_instance`); none found is ``survived``, the
   evidence naming the ``n`` reached.
"""
from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, Mapping

import sympy

from proofcheck.model.claim import Claim, Outcome
from proofcheck.model.num import Enclosure, enclose_expr, exact_compare, to_sympy
from proofcheck.model.verdict import Verdict

#: the most terms an unrolled instance may have (n ** nesting depth): the instance ladder stops there
MAX_TERMS = 4096
#: consecutive n checked from the range's lower end, then doubling
CONSECUTIVE = 8
#: draws of the other variables and the families at each n
DRAWS = 3
#: where a variable or family has no bound, its values are drawn from [-DEFAULT_SPAN, DEFAULT_SPAN]
DEFAULT_SPAN = 10


def range_variables(claim: Claim) -> list[Any]:
    """The integer variables that bound a sum or product of the claim's sympy conditions."""
    bounds: set[str] = set()
    for cond in claim.sympy_conditions():
        for node in cond.relation.atoms(sympy.Sum, sympy.Product):
            for _, lo, hi in node.limits:
                bounds |= {s.name for s in lo.free_symbols | hi.free_symbols}  # sympy keeps limits as sympy objects
    return [v for v in claim.variables if v.integer and v.name in bounds]


def decide_sums(ctx) -> Outcome:
    claim = ctx.claim
    ranges = range_variables(claim)
    constants = {sympy.Symbol(k, real=True): v for k, v in ctx.constant_values.sympy.items()}
    conclusion = claim.conclusion.margin_expr.xreplace(constants)
    where = ", ".join(_range_text(v) for v in ranges)
    closed = _closed_form(conclusion)
    if closed.is_number and not closed.has(sympy.Sum, sympy.Product) and not claim.hypotheses:
        holds = closed > 0 if claim.conclusion.strict else closed >= 0
        if holds:
            return Outcome(Verdict.PROVED, f"sympy identity for every {where}: the sums' normal form makes the "
                           f"margin {closed}", decided_by="decision", details={"closed_margin": str(closed)})
    return _instances(ctx, ranges, constants, closed)


def _range_text(var) -> str:
    return f"{var.name} >= {var.lo}" + (f" and <= {var.hi}" if var.hi is not None else "")


def _closed_form(expr: sympy.Expr) -> sympy.Expr:
    return sympy.simplify(_canonical(_normal(expr)))


def _normal(expr: sympy.Basic) -> sympy.Basic:
    """Sums expanded linearly, innermost first (a term free of the index times the number of terms)."""
    if isinstance(expr, sympy.Sum):
        body = _normal(expr.function)
        for limit in expr.limits:
            body = _linear_sum(body, limit)
        return body
    if not expr.args:
        return expr
    return expr.func(*[_normal(a) for a in expr.args])


def _linear_sum(body: sympy.Expr, limit) -> sympy.Expr:
    index, lo, hi = limit
    total = sympy.Integer(0)
    for term in sympy.Add.make_args(sympy.expand(body)):
        free, bound = term.as_independent(index, as_Add=False)
        total += free * (hi - lo + 1) if bound == 1 else free * sympy.Sum(bound, limit).doit()
    return total


def _canonical(expr: sympy.Basic, depth: int = 0) -> sympy.Basic:
    """Bound indices renamed by nesting depth, so that the same sum written with i and with j is one."""
    if isinstance(expr, (sympy.Sum, sympy.Product)):
        body, limits = expr.function, []
        for index, lo, hi in expr.limits:
            k = sympy.Symbol(f"_k{depth}", integer=True)
            body, depth = body.xreplace({index: k}), depth + 1
            limits.append((k, lo, hi))
        return expr.func(_canonical(body, depth), *limits)
    if not expr.args:
        return expr
    return expr.func(*[_canonical(a, depth) for a in expr.args])


# ---------------------------------------------------------------- instances
def _ladder(var, depth: int) -> list[int]:
    lo = int(var.lo if var.lo is not None else 1)
    top = int(var.hi) if var.hi is not None else None
    out, n = [], lo
    while n ** depth <= MAX_TERMS and (top is None or n <= top):
        out.append(n)
        n = n + 1 if n < lo + CONSECUTIVE else 2 * n
    return out


def _depth(expr: sympy.Basic) -> int:
    return max([len(s.limits) + _depth(s.function) for s in expr.atoms(sympy.Sum, sympy.Product)] or [0])


def _rational_bound(bound, default: Fraction, inward: int) -> Fraction:
    """A rational at or inside a declared bound (``inward`` +1 rounds a lower bound up, -1 an upper one down)."""
    if bound is None:
        return default
    value = sympy.nsimplify(bound) if isinstance(bound, float) else to_sympy(bound)
    if value.is_Rational:
        return Fraction(int(value.p), int(value.q))
    rounded = sympy.ceiling(value * 64) if inward > 0 else sympy.floor(value * 64)
    return Fraction(int(rounded), 64)


def _draw(rng, lo, hi, integer: bool) -> Fraction:
    low = _rational_bound(lo, Fraction(-DEFAULT_SPAN), +1)
    high = _rational_bound(hi, low + 2 * DEFAULT_SPAN, -1)
    if integer:
        return Fraction(int(rng.integers(math.ceil(low), math.floor(high) + 1)))
    return low + (high - low) * Fraction(int(rng.integers(0, 65)), 64)


def _in_family(family, term: Fraction) -> bool:
    return ((family.lo is None or exact_compare(term, family.lo) >= 0)
            and (family.hi is None or exact_compare(term, family.hi) <= 0))


def _instances(ctx, ranges, constants, closed) -> Outcome:
    claim = ctx.claim
    others = [v for v in claim.variables if v is not ranges[0]]
    depth = max(1, _depth(claim.conclusion.relation))
    ladder = _ladder(ranges[0], depth)
    tried = met = 0
    for n in ladder:
        for _ in range(DRAWS):
            values: dict[str, Any] = {ranges[0].name: n}
            values.update({v.name: _draw(ctx.rng, v.lo, v.hi, v.integer) for v in others})
            values.update({f.name: [_draw(ctx.rng, f.lo, f.hi, False) for _ in range(n)] for f in claim.families})
            ctx.coverage.saw({k: v for k, v in values.items() if not isinstance(v, list)}, "sums: exact instances")
            tried += 1
            ok, margin, how = replay_instance(ctx, values, constants)
            met += margin is not None
            if ok:
                rec = ctx.record_counterexample(values, margin, how, found_by="search")
                return Outcome(Verdict.REFUTED, f"counterexample at {ranges[0].name} = {n}, re-verified ({how})",
                               examples=tried, satisfied=met, margin=margin, counterexample=rec, decided_by="search")
    reached = ladder[-1] if ladder else None
    return Outcome(Verdict.SURVIVED, f"not decided for every {_range_text(ranges[0])}: the sums' normal form leaves "
                   f"the margin {closed}; no counterexample in {tried} exact instances at {ranges[0].name} = "
                   f"{', '.join(map(str, ladder))} ({ranges[0].name} reached {reached}; larger n not checked)",
                   examples=tried, satisfied=met, decided_by="search",
                   details={"reached": {ranges[0].name: reached}})


def replay_instance(ctx, values: Mapping[str, Any], constants=None) -> tuple[bool, float | None, str]:
    """(refutes, margin, how) of one instance: every sum unrolled at the stored n, the margin exact.
    A margin of None means a hypothesis is not met (or the instance is malformed)."""
    claim = ctx.claim
    if constants is None:
        constants = {sympy.Symbol(k, real=True): v for k, v in ctx.constant_values.sympy.items()}
    subs = dict(constants)
    for v in claim.variables:
        if v.name not in values or not v.in_domain(values[v.name]):
            return False, None, f"no value of {v.name} in its domain"
        subs[v.symbol] = sympy.Rational(Fraction(values[v.name]).numerator, Fraction(values[v.name]).denominator)
    families = {}
    for f in claim.families:
        terms = values.get(f.name)
        n = max(int(values[r.name]) for r in range_variables(claim))
        if not isinstance(terms, (list, tuple)) or len(terms) < n:
            return False, None, f"the family {f.name} needs {n} terms"
        terms = [Fraction(t) for t in terms]
        if not all(_in_family(f, t) for t in terms):
            return False, None, f"a term of the family {f.name} lies outside its bounds"
        families[f.function] = [sympy.Rational(t.numerator, t.denominator) for t in terms]

    def exact(expr):
        expr = expr.xreplace(subs).doit()
        for fn, terms in families.items():
            expr = expr.replace(lambda e: e.func == fn, lambda e: terms[int(e.args[0]) - 1])
        if expr.is_Rational:
            return Enclosure.exact(Fraction(int(expr.p), int(expr.q)))
        return enclose_expr(expr, {}, lambda e: e.definitely_holds(False) or e.definitely_negative(False))

    for h in claim.hypotheses:
        if not exact(h.margin_expr).definitely_holds(h.strict):
            return False, None, "a hypothesis is not met"
    enc = exact(claim.conclusion.margin_expr)
    how = "exact rational arithmetic" if enc.is_exact else f"Arb ball arithmetic: margin in {enc}"
    return enc.definitely_negative(claim.conclusion.strict), enc.mid(), how
