"""Where a refuted claim starts to hold: bisect one constant (or one bounded scalar variable).

``proofcheck frontier ID NAME [--range LO:HI]`` asks the engine -- ``engine.check`` with the
constant overridden, or with the variable fixed to one value -- at exact rational points of a range
and bisects between a point where the claim is refuted and one where it is not. Every point's
verdict is computed by the engine with the same rigour as any check (a refutation is a re-verified
counterexample at that value); the *interval* statements ("refuted for delta' >= 47/50, no
counterexample for delta' <= 29/32") extend the verdicts at the probed points to the values
between them, which assumes the verdict is monotone in the parameter. That assumption is stated in
every result, and probes that contradict it (more than one switch between refuted and not refuted)
are reported as ``monotone: false``.

A constant is overridden exactly like ``check --set`` (its ``positive``/``below``/``integer`` rules
apply); a variable is fixed to one value by a copy of the claim whose variable has the domain
``lo = hi = value`` (the search draws only that value and the engine's domain checks reject any
other), so a refutation found there is a counterexample of the claim itself at that value. A claim
decided by its own procedure reads constants but not a restricted variable domain: only its
constants can be bisected. Points of a float variable are dyadic rationals (exact as floats).

The audit bisects, for every refuted claim, each of its constants, or what the encoder names in
``Claim(extra={"frontier": ...})``: a name, a list of names, or ``{name: "LO:HI" or None}`` (a
variable whose domain states no bounds needs its range there), within :data:`AUDIT_PLAN`.

``frontier --format json`` prints one frontier dict; in the audit JSON, ``Result.frontier`` (key
``frontier`` of a claim, present only for refuted claims with constants) maps each bisected name to
its frontier dict, ``{name: frontier}``; a name the audit could not run has only ``name``,
``status: "skipped"``, ``summary`` (why) and empty ``points``. A frontier dict::

    {"claim": str, "name": str, "kind": "constant" | "variable",
     "range": [lo, hi],                   # exact rationals as strings ("47/50", "3")
     "range_note": str | None,            # a float variable's ends moved inward to floats, if they were
     "printed": str | None,               # the constant's printed value (None for a variable)
     "status": "bracketed"                # both a refuted and a not-refuted point were found
             | "refuted-throughout"       # every probe refuted
             | "holds-throughout"         # no probe refuted
             | "undecided",               # errors at the probes left nothing to compare
     "monotone": bool,                    # False: the probes switch more than once (see "switches")
     "switches": int,                     # changes between refuted / not refuted along the sorted probes
     "refuted": {"side": "above" | "below", "bound": str, "float": float, "verdict": "refuted",
                 "evidence": str, "found_by": str | None, "margin": float | None,
                 "relative_margin": float | None, "at": str | None} | None,   # at: the counterexample's values
     "holds": {"side": "above" | "below", "bound": str, "float": float, "verdict": str,
               "evidence": str, "examples": int, "satisfied": int} | None,
     "width": str | None,                 # |refuted bound - holds bound|, exact: how sharp the frontier is
     "refuted_share": float | None,       # fraction of the range on the refuted side of the bound
     "holds_share": float | None,         # fraction of the range on the not-refuted side
     "printed_side": "refuted" | "holds" | "between" | "outside" | None,  # where the printed value lies
     "holds_interval": {"range": [lo, hi], "verdict": str, "decided_by": str, "evidence": str,
                        "examples": int, "satisfied": int},   # variables only, when bracketed: the
                                          # not-refuted side searched as a whole (variable drawn over it)
     "assumption": str,                   # the monotonicity assumption, in words
     "summary": str,                      # one line a reviewer reads
     "points": [{"value": str, "float": float, "verdict": str, "decided_by": str,
                 "examples": int, "satisfied": int, "budget": str, "evidence": str}],  # sorted by value
     "budget": str, "seed": int, "steps": int, "seconds": float, "stopped": str | None}

``"side": "above"`` with ``"bound": "47/50"`` on ``refuted`` reads "refuted for NAME >= 47/50";
``holds`` with ``"side": "below"`` and ``"bound": "29/32"`` reads "no refutation for NAME <= 29/32"
(its ``verdict`` says which: survived, proved, certified, inconclusive, vacuous).
"""
from __future__ import annotations

import dataclasses
import math
import time
from fractions import Fraction
from typing import Any, Callable, Mapping

import sympy
from hypothesis import strategies as st

from proofcheck.model.claim import Claim, Variable
from proofcheck.decide.context import budget_named
from proofcheck.model.verdict import Result, Verdict
from proofcheck.decide.engine import UsageError, check, constants_with, parse_value
from proofcheck.model.num import exact_compare
from proofcheck.store.readable import fmt_float, number_of, values_text
from proofcheck.model.registry import did_you_mean, load, module_of
from proofcheck.interfaces.cluster import Job, Session, time_limit
from proofcheck.interfaces.worker import RelayStore, claim_named

#: What the audit spends on frontiers, by audit budget: the points' budget, bisection steps per name,
#: seconds per claim, and seconds for all the audit's frontiers together (wall clock; names not
#: reached say so). Points are checked at the quick budget except in a deep audit.
AUDIT_PLAN = {
    "quick": ("quick", 2, 20.0, 40.0),
    "default": ("quick", 4, 40.0, 90.0),
    "deep": ("default", 10, 600.0, 3600.0),
}

#: At most this many bisection steps (each shrinks the bracket to at most a third or so: 64 steps
#: are far below any printed precision), and, unless told otherwise, at most these seconds of
#: checks for one frontier by the budget of its points.
MAX_STEPS = 64
SECONDS = {"quick": 300.0, "default": 900.0, "deep": 3600.0}

ASSUMPTION = ("the verdicts at the probed points are extended to the values between them, assuming the "
              "verdict is monotone in {name} over the range; {check}")


class FrontierError(ValueError):
    """Bad input for a frontier (unknown name, bad range, nothing to bisect): a usage error."""


# ---------------------------------------------------------------- exact points
def as_fraction(value: Any) -> Fraction:
    """An exact rational from what the number parser returns (int, Fraction, sympy Rational)."""
    if isinstance(value, bool):
        raise FrontierError(f"{value!r} is not a number")
    if isinstance(value, (int, Fraction)):
        return Fraction(value)
    if isinstance(value, float) and math.isfinite(value):
        return Fraction(repr(value))  # a decimal literal means the decimal it prints (0.1 is 1/10)
    try:
        if isinstance(value, sympy.Basic) and value.is_Rational:
            return Fraction(int(value.p), int(value.q))
    except ImportError:  # pragma: no cover
        pass
    raise FrontierError(f"range endpoints must be rational numbers, got {value}")


def parse_range(text: str) -> tuple[Fraction, Fraction]:
    """``LO:HI`` with exact rational ends, each read by the project's number parser."""
    lo_text, sep, hi_text = text.partition(":")
    if not sep or not lo_text.strip() or not hi_text.strip():
        raise FrontierError(f"--range expects LO:HI, got {text!r}")
    try:
        lo, hi = as_fraction(parse_value(lo_text)), as_fraction(parse_value(hi_text))
    except UsageError as exc:
        raise FrontierError(f"--range: {exc}") from None
    if not lo < hi:
        raise FrontierError(f"--range {text!r}: LO must be less than HI")
    return lo, hi


def simplest_between(x: Fraction, y: Fraction) -> Fraction:
    """The rational with the smallest denominator (then numerator) in ``[x, y]`` (Stern-Brocot)."""
    if x > y:
        x, y = y, x
    if x <= 0 <= y:
        return Fraction(0)
    if y < 0:
        return -simplest_between(-y, -x)
    fl = math.floor(x)
    if x == fl:
        return Fraction(fl)
    if fl + 1 <= y:
        return Fraction(fl + 1)
    return fl + 1 / simplest_between(1 / (y - fl), 1 / (x - fl))


def simplest_dyadic_between(x: Fraction, y: Fraction, max_bits: int = 60) -> Fraction | None:
    """The dyadic rational ``j / 2^k`` with the least ``k`` in ``[x, y]`` (exactly a float)."""
    for k in range(max_bits + 1):
        j = math.ceil(x * 2**k)
        q = Fraction(j, 2**k)
        if q <= y:
            return q
    return None


def _inner_dyadic(bound: Any, upward: bool, bits: int = 20) -> Fraction:
    """A rational variable bound as is; an irrational one (``2/pi``) by the nearest dyadic inside."""
    try:
        return as_fraction(bound)
    except FrontierError:
        pass
    f = float(bound)
    scaled = f * 2**bits
    q = Fraction(math.ceil(scaled) if upward else math.floor(scaled), 2**bits)
    while (exact_compare(q, bound) < 0) if upward else (exact_compare(q, bound) > 0):
        q += Fraction(1 if upward else -1, 2**bits)
    return q


def show(q: Fraction) -> str:
    """``47/50 (0.94)``: exact, with a decimal for reading."""
    if q.denominator == 1 and abs(q.numerator) < 10**15:
        return str(q.numerator)
    if len(str(q)) > 15:  # a long exact fraction (or a 300-digit integer): its magnitude reads better
        try:
            return fmt_float(float(q))
        except OverflowError:
            return number_of(q.numerator // q.denominator).text
    return f"{q} ({float(q):.4g})"


# ---------------------------------------------------------------- what is bisected
@dataclasses.dataclass
class Target:
    claim: Claim
    name: str
    kind: str                 # "constant" | "variable"
    lo: Fraction
    hi: Fraction
    integer: bool = False
    printed: Any = None       # a constant's printed value
    dyadic: bool = False      # a float variable: points must be exact floats
    note: str = ""            # how the range was adjusted, if it was

    def between(self, a: Fraction, b: Fraction) -> Fraction | None:
        """A point strictly between ``a`` and ``b``, in their middle third where possible, and simple."""
        a, b = min(a, b), max(a, b)
        if self.integer:
            lo, hi = math.floor(a) + 1, math.ceil(b) - 1
            return Fraction((lo + hi) // 2) if lo <= hi else None
        third = (b - a) / 3
        if self.dyadic:
            q = simplest_dyadic_between(a + third, b - third)
            return q if q is not None and a < q < b else None
        return simplest_between(a + third, b - third)

    def claim_at(self, value: Fraction) -> tuple[Claim, dict[str, Any]]:
        """The claim to check at ``value`` and the constant overrides."""
        if self.kind == "constant":
            v: Any = value.numerator if value.denominator == 1 else value
            return self.claim, {self.name: v}
        return fix_variable(self.claim, self.name, value), {}


def restrict_variable(claim: Claim, name: str, lo: Fraction, hi: Fraction) -> Claim:
    """A copy of ``claim`` whose variable ``name`` ranges over ``[lo, hi]`` only (drawn uniformly by
    Hypothesis there; the original domain predicate is kept), for a search over a whole side."""
    variables = []
    for var in claim.variables:
        if var.name == name:
            if var.integer:
                strategy = st.integers(int(lo), int(hi))
                exact = (sympy.Integer(int(lo)), sympy.Integer(int(hi)))
            else:
                strategy = st.floats(float(lo), float(hi))
                exact = (sympy.Rational(lo.numerator, lo.denominator), sympy.Rational(hi.numerator, hi.denominator))
            var = dataclasses.replace(var, strategy=strategy, lo=exact[0], hi=exact[1],
                                      domain=f"{lo} <= {name} <= {hi} (restricted by the frontier)")
        variables.append(var)
    witnesses = [w for w in claim.witnesses if name in w.values and _inside(w.values[name], lo, hi)]
    return dataclasses.replace(claim, variables=variables, witnesses=witnesses)


def _inside(v: Any, lo: Fraction, hi: Fraction) -> bool:
    try:
        return lo <= Fraction(v) <= hi
    except (TypeError, ValueError):
        return False


def fix_variable(claim: Claim, name: str, value: Fraction) -> Claim:
    """A copy of ``claim`` whose variable ``name`` has the one-point domain ``{value}``."""
    variables = []
    for var in claim.variables:
        if var.name == name:
            drawn = int(value) if var.integer else float(value)
            if Fraction(drawn) != value:
                raise FrontierError(f"{name} = {value} is not exactly representable as a float")
            exact = sympy.Integer(int(value)) if var.integer else sympy.Rational(value.numerator, value.denominator)
            var = dataclasses.replace(var, strategy=st.just(drawn), lo=exact, hi=exact,
                                      domain=f"{name} = {value} (fixed by the frontier)")
        variables.append(var)
    witnesses = [w for w in claim.witnesses
                 if name in w.values and _equals(w.values[name], value)]
    return dataclasses.replace(claim, variables=variables, witnesses=witnesses)


def _equals(v: Any, q: Fraction) -> bool:
    try:
        return Fraction(v) == q
    except (TypeError, ValueError):
        return False


def target_for(claim: Claim, name: str, range_: tuple[Any, Any] | None = None) -> Target:
    """Validate ``name`` (a constant, or a bounded scalar variable) and the range; raise FrontierError."""
    constants = {c.name: c for c in claim.constants}
    variables = {v.name: v for v in claim.variables}
    if name in constants:
        spec = constants[name]
        printed = spec.value
        if range_ is None:
            lo, hi = _default_constant_range(spec)
        else:
            lo, hi = (as_fraction(x) for x in range_)
        if not lo < hi:
            raise FrontierError(f"empty range {lo}:{hi} (LO must be less than HI)")
        for end in (lo, hi):
            try:
                constants_with(claim, {name: end.numerator if end.denominator == 1 else end})
            except UsageError as exc:
                raise FrontierError(f"range endpoint {end}: {exc}") from None
        return Target(claim, name, "constant", lo, hi, integer=spec.integer, printed=printed)
    if name in variables and range_ is None:
        range_ = names_for(claim).get(name) if _declared(claim, name) else None  # the encoder's range
    if name in variables:
        var = variables[name]
        if claim.check is not None:
            raise FrontierError(f"claim {claim.id} is decided by its own procedure, which does not read a "
                                f"restricted domain of {name!r}; bisect one of its constants instead"
                                + (f" ({', '.join(constants)})" if constants else " (it has none)"))
        if range_ is None:
            if var.lo is None or var.hi is None:
                raise FrontierError(f"variable {name!r} of {claim.id} is not bounded; give --range LO:HI")
            lo, hi = _inner_dyadic(var.lo, True), _inner_dyadic(var.hi, False)
            if var.integer:
                lo, hi = Fraction(math.ceil(lo)), Fraction(math.floor(hi))
        else:
            lo, hi = (as_fraction(x) for x in range_)
        if not lo < hi:
            raise FrontierError(f"empty range {lo}:{hi} (LO must be less than HI)")
        for end in (lo, hi):
            if var.integer and end.denominator != 1:
                raise FrontierError(f"variable {name!r} is an integer; range endpoint {end} is not")
            if not var.in_domain(int(end) if var.integer else end):
                raise FrontierError(f"range endpoint {end} is outside the domain of {name!r}"
                                    + (f" ({var.domain})" if var.domain else ""))
        note = ""
        if not var.integer and (Fraction(float(lo)) != lo or Fraction(float(hi)) != hi):
            # a float variable takes float values: the ends move inward to the nearest floats
            new_lo, new_hi = _float_inside(lo, True), _float_inside(hi, False)
            note = (f"the range's ends were moved inward to the nearest floats ({name} is drawn as a float): "
                    f"[{lo}, {hi}] -> [{float(new_lo)!r}, {float(new_hi)!r}]")
            lo, hi = new_lo, new_hi
            if not lo < hi:
                raise FrontierError(f"the range holds no two floats of {name!r}")
        return Target(claim, name, "variable", lo, hi, integer=var.integer, dyadic=not var.integer, note=note)
    can = bisectable(claim)
    raise FrontierError(f"claim {claim.id} has no constant or variable {name!r}"
                        + did_you_mean(name, [n for n, _ in can])
                        + (f" (it can bisect: {'; '.join(f'{n}, {what}' for n, what in can)})" if can
                           else " (it has nothing to bisect)"))


def _declared(claim: Claim, name: str) -> bool:
    chosen = claim.extra.get("frontier") if isinstance(claim.extra, dict) else None
    return isinstance(chosen, Mapping) and name in chosen


def bisectable(claim: Claim) -> list[tuple[str, str]]:
    """What ``proofcheck frontier ID NAME`` can bisect for a claim, each with its default range in
    words: every constant, and every scalar variable that has stated bounds or a range the encoder
    declared (``Claim(extra={"frontier": {name: "LO:HI"}})``); any other scalar variable needs
    ``--range``. A claim decided by its own procedure bisects only its constants."""
    out = []
    for c in claim.constants:
        out.append((c.name, f"a constant, printed {c.value}"))
    if claim.check is not None:
        return out
    declared = names_for(claim)
    for v in claim.variables:
        if v.name in declared and _declared(claim, v.name) and declared[v.name] is not None:
            lo, hi = declared[v.name]
            out.append((v.name, f"a variable, declared range [{show(Fraction(lo))}, {show(Fraction(hi))}]"))
        elif v.lo is not None and v.hi is not None:
            out.append((v.name, f"a variable, its stated domain {v.domain or ''}".rstrip()))
        elif _scalar_variable(v):
            out.append((v.name, "a variable: give --range LO:HI"))
    return out


def _float_inside(q: Fraction, upward: bool) -> Fraction:
    """The float nearest ``q`` on the inner side (``upward``: the least float >= q)."""
    f = float(q)
    if upward and Fraction(f) < q:
        f = math.nextafter(f, math.inf)
    if not upward and Fraction(f) > q:
        f = math.nextafter(f, -math.inf)
    return Fraction(f)


def _scalar_variable(v: Variable) -> bool:
    return v.integer or v.lo is not None or v.hi is not None


def _default_constant_range(spec) -> tuple[Fraction, Fraction]:
    """From an eighth to eight times the printed value (integers rounded outward), inside its rules."""
    try:
        v = as_fraction(spec.value)
    except FrontierError:
        v = Fraction(float(spec.value)).limit_denominator(10**6)  # the default range's ends are rationals
    if v > 0:  # simple ends: the simplest rationals in [v/10, v/8] and [8v, 10v]
        lo, hi = simplest_between(v / 10, v / 8), simplest_between(8 * v, 10 * v)
    elif v < 0:
        lo, hi = simplest_between(10 * v, 8 * v), simplest_between(v / 8, v / 10)
    else:
        lo, hi = Fraction(-1), Fraction(1)
    if spec.positive and lo <= 0:
        lo = Fraction(1, 8)
    if spec.below is not None:
        below = as_fraction(spec.below)
        if hi >= below:
            gap = below - max(v, lo)
            hi = simplest_between(below - gap / 8, below - gap / 16)
    if spec.integer:
        lo, hi = Fraction(max(math.floor(lo), 1 if spec.positive else math.floor(lo))), Fraction(math.ceil(hi))
    return lo, hi


# ---------------------------------------------------------------- the bisection
def _side(r: Result) -> str | None:
    """R: refuted; N: not refuted (a verdict computed without a counterexample); None: no verdict."""
    if r.verdict is Verdict.REFUTED:
        return "R"
    if r.verdict in (Verdict.ERROR, Verdict.ILL_FORMED):
        return None
    return "N"


def frontier(claim_or_id: Claim | str, name: str, range_: tuple[Any, Any] | None = None,
             budget: str = "quick", seed: int = 0, steps: int = 6, seconds: float | None = None,
             store=None, registry=None, progress: Callable[[str], None] | None = None,
             known: Mapping[Fraction, Result] | None = None, known_budget: str = "") -> dict[str, Any]:
    """Bisect ``name`` of a claim with the engine; returns the dict described in the module docstring.

    ``steps`` bounds the bisection steps after the first probes (the range's ends and the printed
    value), at most :data:`MAX_STEPS`; ``seconds`` stops it early (default :data:`SECONDS` of the
    budget), said in ``stopped``. ``known`` holds results already computed at some values, at
    ``known_budget`` (the audit passes its own result at the printed value)."""
    if seconds is None:
        seconds = SECONDS.get(budget, SECONDS["default"])
    steps = min(steps, MAX_STEPS)

    registry = registry or load()
    claim = registry.get(claim_or_id) if isinstance(claim_or_id, str) else claim_or_id
    tgt = target_for(claim, name, range_)
    started = time.monotonic()
    results: dict[Fraction, Result] = {}
    budgets: dict[Fraction, str] = {}
    for v, r in (known or {}).items():
        q = as_fraction(v)
        if tgt.lo <= q <= tgt.hi:
            results[q], budgets[q] = r, known_budget or budget
    stopped: list[str] = []

    def out_of_time() -> bool:
        if seconds is not None and time.monotonic() - started > seconds:
            if not stopped:
                stopped.append(f"time cap of {seconds:g} s reached")
            return True
        return False

    def probe(v: Fraction) -> Result:
        if v in results:
            return results[v]
        c, overrides = tgt.claim_at(v)
        r = check(c, budget, seed, overrides=overrides, store=store, registry=registry)
        results[v], budgets[v] = r, budget
        if progress is not None:
            progress(f"{claim.id}: {name} = {show(v)}: {r.verdict.value}")
        return r

    first = [tgt.lo, tgt.hi]
    if tgt.printed is not None:
        try:
            p = as_fraction(tgt.printed)
        except FrontierError:
            p = None
        if p is not None and tgt.lo < p < tgt.hi:
            first.insert(1, p)
    for v in first:
        if out_of_time():
            break
        probe(v)

    used = 0
    while used < steps and not out_of_time():
        pair = _bracket(results, tgt)
        if pair is None:
            break
        mid = tgt.between(*pair)
        if mid is None or mid in results:
            break
        probe(mid)
        used += 1
    if used >= steps and _bracket(results, tgt) is not None:
        stopped.append(f"step limit of {steps} reached")
    out = _describe(tgt, results, budgets, budget, seed, used, time.monotonic() - started,
                    "; ".join(stopped) or None)
    if tgt.kind == "variable" and out["status"] == "bracketed" and not out_of_time():
        _search_the_holding_side(tgt, out, budget, seed, store, registry, progress)
        out["seconds"] = round(time.monotonic() - started, 3)
    return out


def _search_the_holding_side(tgt: Target, out: dict, budget: str, seed: int, store, registry, progress) -> None:
    """For a variable, the not-refuted side is searched as a whole (the variable drawn over the whole
    interval, not fixed): "no counterexample for NAME <= h" is then what was searched, not only an
    extension of the probes. A counterexample found there contradicts monotonicity and is reported."""
    h = Fraction(out["holds"]["bound"])
    lo, hi = (tgt.lo, h) if out["holds"]["side"] == "below" else (h, tgt.hi)
    if lo == hi:
        return
    r = check(restrict_variable(tgt.claim, tgt.name, lo, hi), budget, seed, store=store, registry=registry)
    if progress is not None:
        progress(f"{tgt.claim.id}: {tgt.name} in [{show(lo)}, {show(hi)}]: {r.verdict.value}")
    out["holds_interval"] = {"range": [str(lo), str(hi)], "verdict": r.verdict.value, "decided_by": r.decided_by,
                             "evidence": r.evidence, "examples": int(r.examples), "satisfied": int(r.satisfied)}
    if r.verdict is Verdict.REFUTED:
        out["monotone"] = False
        out["assumption"] = ASSUMPTION.format(
            name=tgt.name, check=f"the search over the whole of [{lo}, {hi}] CONTRADICTS it: {r.evidence}")
    out["summary"] = summary(out)


def _bracket(results: Mapping[Fraction, Result], tgt: Target) -> tuple[Fraction, Fraction] | None:
    """The adjacent (refuted, not refuted) pair of probes to split next: the one nearest the printed
    value, else the first; None when there is no switch."""
    pts = [(v, _side(r)) for v, r in sorted(results.items()) if _side(r) is not None]
    pairs = [(a, b) for (a, sa), (b, sb) in zip(pts, pts[1:]) if sa != sb]
    splittable = [(a, b) for a, b in pairs if tgt.between(a, b) is not None]
    if not splittable:
        return None
    try:
        p = as_fraction(tgt.printed) if tgt.printed is not None else None
    except FrontierError:
        p = None
    if p is not None:
        return min(splittable, key=lambda ab: min(abs(ab[0] - p), abs(ab[1] - p)))
    return splittable[0]


def _describe(tgt: Target, results: Mapping[Fraction, Result], budgets: Mapping[Fraction, str], budget: str,
              seed: int, steps: int, seconds: float, stopped: str | None) -> dict[str, Any]:
    name = tgt.name
    pts = sorted(results.items())
    sides = [(v, _side(r)) for v, r in pts if _side(r) is not None]
    switches = sum(1 for (_, a), (_, b) in zip(sides, sides[1:]) if a != b)
    points = [{"value": str(v), "float": float(v), "verdict": r.verdict.value, "decided_by": r.decided_by,
               "examples": int(r.examples), "satisfied": int(r.satisfied), "budget": budgets.get(v, budget),
               "evidence": r.evidence} for v, r in pts]
    refuted = holds = None
    width = refuted_share = holds_share = None
    if not sides:
        status = "undecided"
    elif all(s == "R" for _, s in sides):
        status = "refuted-throughout"
    elif all(s == "N" for _, s in sides):
        status = "holds-throughout"
    else:
        status = "bracketed"
    printed = None
    if tgt.printed is not None:
        try:
            printed = as_fraction(tgt.printed)
        except FrontierError:
            printed = None
    if status == "bracketed":
        # the switch nearest the printed value (or the first): its two sides give the bounds
        pairs = [(a, b, sa) for (a, sa), (b, sb) in zip(sides, sides[1:]) if sa != sb]
        if printed is not None:
            a, b, sa = min(pairs, key=lambda t: min(abs(t[0] - printed), abs(t[1] - printed)))
        else:
            a, b, sa = pairs[0]
        r_at, h_at = (a, b) if sa == "R" else (b, a)
        r_side = "below" if r_at < h_at else "above"
        h_side = "above" if r_side == "below" else "below"
        rr, hr = results[r_at], results[h_at]
        refuted = {"side": r_side, "bound": str(r_at), "float": float(r_at), "verdict": rr.verdict.value,
                   "evidence": rr.evidence,
                   "found_by": (rr.counterexample or {}).get("found_by") if rr.counterexample else None,
                   "margin": rr.margin, "relative_margin": rr.relative_margin,
                   "at": _values_brief(rr.counterexample)}
        holds = {"side": h_side, "bound": str(h_at), "float": float(h_at), "verdict": hr.verdict.value,
                 "evidence": hr.evidence, "examples": int(hr.examples), "satisfied": int(hr.satisfied)}
        width = str(abs(r_at - h_at))
        span = tgt.hi - tgt.lo
        r_len = (tgt.hi - r_at) if r_side == "above" else (r_at - tgt.lo)
        h_len = (h_at - tgt.lo) if h_side == "below" else (tgt.hi - h_at)
        refuted_share, holds_share = float(r_len / span), float(h_len / span)
    printed_side = None
    if printed is not None:
        if not tgt.lo <= printed <= tgt.hi:
            printed_side = "outside"
        elif status == "refuted-throughout":
            printed_side = "refuted"
        elif status == "holds-throughout":
            printed_side = "holds"
        elif status == "bracketed":
            r_at, h_at = Fraction(refuted["bound"]), Fraction(holds["bound"])
            if (printed >= r_at) if refuted["side"] == "above" else (printed <= r_at):
                printed_side = "refuted"
            elif (printed <= h_at) if holds["side"] == "below" else (printed >= h_at):
                printed_side = "holds"
            else:
                printed_side = "between"
    check_text = ("the probes are consistent with it" if switches <= 1 else
                  f"the probes CONTRADICT it: the verdict switches {switches} times along the range")
    out = {
        "claim": tgt.claim.id, "name": name, "kind": tgt.kind,
        "range": [str(tgt.lo), str(tgt.hi)], "range_note": tgt.note or None,
        "printed": None if tgt.printed is None else _text(tgt.printed),
        "status": status, "monotone": switches <= 1, "switches": switches,
        "refuted": refuted, "holds": holds, "width": width,
        "refuted_share": refuted_share, "holds_share": holds_share, "printed_side": printed_side,
        "assumption": ASSUMPTION.format(name=name, check=check_text),
        "points": points, "budget": budget, "seed": seed, "steps": steps, "seconds": round(seconds, 3),
        "stopped": stopped,
    }
    out["summary"] = summary(out)
    return out


def _values_brief(record: Mapping[str, Any] | None) -> str | None:
    """The counterexample's values in one short line, as people read them."""
    if not isinstance(record, Mapping) or not isinstance(record.get("values"), Mapping):
        return None
    return values_text(record["values"], limit=200)


def _text(v: Any) -> str:
    try:
        return str(as_fraction(v))
    except FrontierError:
        return str(v)


def summary(f: Mapping[str, Any]) -> str:
    """One line: "refuted for delta' >= 47/50 (0.94) (...); no counterexample for delta' <= ..."."""
    name, status = f["name"], f["status"]
    lo, hi = Fraction(f["range"][0]), Fraction(f["range"][1])
    where = f"{name} in [{show(lo)}, {show(hi)}]"
    n = len(f["points"])
    if status == "undecided":
        return f"no verdict at the {n} probes of {where} (errors); nothing to bisect"
    if status == "refuted-throughout":
        return f"refuted at every probe of {where} ({n} probes): no value found where it holds"
    if status == "holds-throughout":
        verdicts = sorted({p["verdict"] for p in f["points"] if p["verdict"] not in ("error", "ill-formed")})
        return f"not refuted at any probe of {where} ({n} probes: {', '.join(verdicts)})"
    r, h = f["refuted"], f["holds"]
    rel = ">=" if r["side"] == "above" else "<="
    hrel = "<=" if h["side"] == "below" else ">="
    ev = (f"a counterexample found by {r['found_by']}, re-verified" if r.get("found_by")
          else f"{r['verdict']}: {r['evidence'][:80]}")
    side = f.get("holds_interval")
    if side is not None and side["verdict"] != "refuted":
        held = (f"no counterexample over the whole side {name} {hrel} {show(Fraction(h['bound']))} in "
                f"{side['examples']} examples" if side["verdict"] == "survived" else
                f"{side['verdict']} over the whole side {name} {hrel} {show(Fraction(h['bound']))}")
    elif side is not None:
        held = f"yet a counterexample for {name} {hrel} {show(Fraction(h['bound']))} was found by the side's search"
    elif h["verdict"] == "survived":
        held = f"no counterexample for {name} {hrel} {show(Fraction(h['bound']))} in {h['examples']} examples"
    else:
        held = f"{h['verdict']} for {name} {hrel} {show(Fraction(h['bound']))}"
    text = f"refuted for {name} {rel} {show(Fraction(r['bound']))} ({ev}); {held}"
    if not f["monotone"]:
        text += f" (NOT monotone: {f['switches']} switches among the probes)"
    else:
        text += " (assuming monotonicity between the probes)"
    return text


def text_report(f: Mapping[str, Any]) -> str:
    """The human-readable form printed by ``proofcheck frontier``."""
    lo, hi = (show(Fraction(x)) for x in f["range"])
    lines = [f"{f['claim']}: frontier in {f['kind']} {f['name']} over [{lo}, {hi}]"
             + (f", printed value {show(Fraction(f['printed']))}" if f.get("printed") is not None else "")
             + f" (budget {f['budget']}, seed {f['seed']}, {len(f['points'])} checks, {f['seconds']:.1f} s)",
             f"  {f['summary']}"]
    if f.get("refuted"):
        r = f["refuted"]
        lines.append(f"  refuted end {show(Fraction(r['bound']))}: {r['evidence']}"
                     + (f"; at {r['at']}" if r.get("at") else ""))
    if f.get("holds"):
        h = f["holds"]
        lines.append(f"  {h['verdict']} end {show(Fraction(h['bound']))}: {h['evidence']}")
    if f.get("holds_interval"):
        hi_ = f["holds_interval"]
        lines.append(f"  whole side [{show(Fraction(hi_['range'][0]))}, {show(Fraction(hi_['range'][1]))}] "
                     f"searched: {hi_['verdict']}: {hi_['evidence']}")
    if f.get("width") is not None:
        lines.append(f"  frontier between {show(Fraction(f['holds']['bound']))} and "
                     f"{show(Fraction(f['refuted']['bound']))} (width {show(Fraction(f['width']))})")
    lines.append(f"  assumption: {f['assumption']}")
    if f.get("range_note"):
        lines.append(f"  note: {f['range_note']}")
    if f.get("stopped"):
        lines.append(f"  stopped: {f['stopped']}")
    lines.append("  probes:")
    for p in f["points"]:
        lines.append(f"    {f['name']} = {show(Fraction(p['value']))}: {p['verdict']} "
                     f"[{p['decided_by']}, {p['satisfied']}/{p['examples']}, budget {p['budget']}]")
    return "\n".join(lines)


# ---------------------------------------------------------------- the audit's frontiers
def names_for(claim: Claim) -> dict[str, tuple[Fraction, Fraction] | None]:
    """What the audit bisects for a refuted claim, each with its range (None: the default).

    ``Claim(extra={"frontier": ...})`` lets the encoder say: a name, a list of names, or a dict
    ``{name: "LO:HI" or None}`` (a variable without stated bounds needs its range here); without it,
    every constant in order."""
    chosen = claim.extra.get("frontier") if isinstance(claim.extra, dict) else None
    if not chosen:
        return {c.name: None for c in claim.constants}
    if isinstance(chosen, str):
        return {chosen: None}
    if isinstance(chosen, Mapping):
        out = {}
        for name, rng in chosen.items():
            try:
                out[name] = parse_range(rng) if isinstance(rng, str) else None
            except FrontierError:
                out[name] = None  # reported when the audit tries it
        return out
    return {name: None for name in chosen}


def _skipped(name: str, why: str) -> dict[str, Any]:
    return {"name": name, "status": "skipped", "summary": f"not run: {why}", "points": []}


def for_result(claim: Claim, result: Result, audit_budget: str, seed: int, store=None, registry=None,
               deadline: float | None = None) -> dict | None:
    """The frontier(s) an audit attaches to one refuted result: ``{name: frontier dict}`` within the
    plan's steps and time caps (the audit's own result is reused at the printed value); ``deadline``
    (``time.time()``) ends the audit's frontiers as a whole."""
    if result.verdict is not Verdict.REFUTED:
        return None
    names = names_for(claim)
    if not names:
        return None
    point_budget, steps, cap, _ = AUDIT_PLAN.get(audit_budget, AUDIT_PLAN["default"])
    started = time.monotonic()
    out: dict[str, Any] = {}
    for name, rng in names.items():
        left = cap - (time.monotonic() - started)
        if deadline is not None:
            left = min(left, deadline - time.time())
        if left <= 0:
            out[name] = _skipped(name, "the audit's time for frontiers was spent" if deadline is not None
                                 and deadline <= time.time() else
                                 f"the audit's {cap:g} s per claim were spent on the other names")
            continue
        try:
            tgt = target_for(claim, name, rng)
            known = {}
            if tgt.kind == "constant" and tgt.printed is not None and rng is None:
                known[as_fraction(tgt.printed)] = result
            out[name] = frontier(claim, name, rng, budget=point_budget, seed=seed, steps=steps, seconds=left,
                                 store=store, registry=registry, known=known, known_budget=audit_budget)
        except FrontierError as exc:
            out[name] = _skipped(name, str(exc))
        except Exception as exc:  # a frontier is an extra: it never aborts the audit, and says why
            out[name] = _skipped(name, f"{type(exc).__name__}: {exc}")
    return out


def attach_to_audit(results: list[Result], registry, budget: str, seed: int, jobs: int = 1, store=None,
                    progress: Callable[[str], None] | None = None, session=None, scheduler: str | None = None,
                    seconds_limit: float | None = None) -> None:
    """Set ``Result.frontier`` on every refuted result whose claim has constants (or names a frontier).

    Each claim's frontiers are one task on the audit's cluster (``session``, or one started for
    them like :func:`proofcheck.interfaces.audit.audit` does); a claim whose task is stopped (time limit, a
    lost worker) keeps its result without a frontier, and the progress says why."""
    todo = [r for r in results if r.verdict is Verdict.REFUTED and names_for(registry.get(r.id))]
    if not todo:
        return
    point_budget, _, per_claim, total = AUDIT_PLAN.get(budget, AUDIT_PLAN["default"])
    deadline = time.time() + total
    if progress is not None:
        progress(f"frontier: bisecting {len(todo)} refuted claim(s) with constants (at most {total:g} s)")
    by_id = {r.id: r for r in todo}
    root = str(store.root.resolve()) if store is not None else ""
    jobs_ = [Job(f"frontier-{r.id}", r.id, claim_frontier,
                 (r.id, module_of(registry.get(r.id)), r.to_json(), budget, seed, root,
                  store.load(r.id) if store is not None else [], deadline),
                 cost=r.seconds) for r in todo]
    # a frontier's own caps end it first; the hard limit is for a point check that never returns
    limit = seconds_limit if seconds_limit is not None else per_claim + time_limit(budget_named(point_budget).seconds)

    def done(job, value) -> None:
        r = by_id[job.claim]
        if isinstance(value, dict) or value is None:
            r.frontier = value
            _said(progress, r)
        elif progress is not None:
            progress(f"frontier {r.id}: not run ({value.reason}: {value.detail})")

    own = session is None
    if own:
        session = Session(jobs, scheduler, workers_needed=len(todo), store=store, progress=progress)
    try:
        session.run(jobs_, limit, done)
    finally:
        if own:
            session.close()


def _said(progress, r: Result) -> None:
    if progress is not None and r.frontier:
        for name, f in r.frontier.items():
            progress(f"frontier {r.id} {name}: {f.get('summary', '')}")


def claim_frontier(task: str, claim_id: str, module: str | None, result_json: dict[str, Any], budget: str,
                   seed: int, store_root: str, records: list[dict[str, Any]], deadline: float | None):
    """The frontier task of one refuted claim, on a worker."""
    claim, registry = claim_named(claim_id, module)
    store = RelayStore(store_root, {claim_id: records}, task)
    return for_result(claim, Result.from_json(result_json), budget, seed, store=store, registry=registry,
                      deadline=deadline)
