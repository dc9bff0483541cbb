"""Interval certification of one-variable claims: Arb branch-and-bound with a monotonicity rule.

For a claim ``∀x ∈ [lo, hi]: hypotheses(x) ⟹ margin(x) >= 0`` (``> 0`` when strict) whose
conditions are sympy expressions in ``x``, boxes ``[a, b]`` (exact rational ends, or the exact
sympy ends of the domain) are handled as follows:

1. enclose the margin on the box with Arb; a certified lower bound ``>= 0`` (``> 0``) closes it;
2. a hypothesis whose enclosure certainly fails discards the box; one that certainly holds is
   dropped for the box's children; an undecided one forces subdivision;
3. at the box's rational split point, a margin enclosure certainly ``< 0`` (``<= 0`` strict) where
   every hypothesis certainly holds refutes the claim at that exact point;
4. **monotonicity rule**: if the derivative has a certified sign on the box (certified the same
   way, recursively up to the third derivative), the margin's minimum is at an endpoint, whose
   value is decided exactly (sympy for an exact zero such as ``2 sin 0 - 0``, Arb otherwise).

5. a hypothesis strictly monotone on the box (certified sign of its derivative) that fails at
   its better end fails on the whole box; if it holds there with equality only that end counts,
   and the claim is decided at it exactly.

A refutation found at a point that is not a float (``7/3``, ``2/pi``) moves to an adjacent float
when the margin fails there just as certainly, so the stored record replays bit for bit.

Naive enclosures cannot close a box touching a point where the claim is tight (``x <= 2 sin x``
at ``x = 0``: the enclosure of ``2 sin x - x`` on ``[0, e]`` always dips below 0); rule 4 does.
Hypotheses of the form ``x >= c`` / ``x <= c`` (``c`` a number) are folded into the domain so
that a box never has to straddle their boundary.

The monotonicity rule is sound because the derivative is the sympy derivative and its Arb
enclosure over the box is finite only where every operation is smooth (a ``sqrt``/``log`` at 0,
``Abs``/``Max`` kinks and unknown functions give no finite enclosure, so the rule does not fire).
"""
from __future__ import annotations

import heapq
import itertools
import math
import time
from dataclasses import dataclass, field
from fractions import Fraction

import mpmath
import sympy

from proofcheck.model.claim import Outcome
from proofcheck.model.num import Enclosure, NumericError, arb_endpoints, arb_eval, fraction_to_arb
from proofcheck.model.verdict import Verdict
from proofcheck.decide.certify.exact import (ExactCondition, Unsupported, guarded, box_ball, check_arb_supported, enclosure, exact_claim,
                    exact_sign, exact_value, safe_float, to_sympy_rational)

#: Box caps by budget name (the layer answers None, undecided, when the cap is reached).
MAX_BOXES = {"quick": 4000, "default": 20000, "deep": 200000}
PRESPLIT_AFTER = 32  # boxes before looking for interior tight points to split at
# margin' and up to three more derivatives certify the sign of margin' (a tangency of order 4,
# such as cos x >= 1 - x^2/2 at 0, needs all four).
DERIVATIVE_DEPTH = 4


def _log2(q: Fraction) -> int:
    """floor-ish log2 of a positive rational, exact integers only (floats underflow)."""
    return q.numerator.bit_length() - q.denominator.bit_length()


@dataclass
class _Pt:
    """An exact point (sympy number) with a rational enclosure of it and its sign."""

    value: sympy.Basic
    lo: Fraction
    hi: Fraction
    frac: Fraction | None  # the point itself when it is rational

    @classmethod
    def rational(cls, q: Fraction) -> "_Pt":
        return cls(to_sympy_rational(q), q, q, q)

    @classmethod
    def exact(cls, v: sympy.Basic) -> "_Pt":
        if v.is_Rational:
            return cls.rational(Fraction(int(v.p), int(v.q)))
        lo, hi = arb_endpoints(arb_eval(v, {}, 256))
        return cls(v, lo, hi, None)

    def ball(self, prec: int):
        if self.frac is not None:
            return fraction_to_arb(self.frac)
        return arb_eval(self.value, {}, prec)


@dataclass(order=True)
class _Box:
    key: float
    seq: int
    a: _Pt = field(compare=False)
    b: _Pt = field(compare=False)
    open_a: bool = field(compare=False, default=False)
    open_b: bool = field(compare=False, default=False)
    active: tuple[int, ...] = field(compare=False, default=())


class _Stop(Exception):
    def __init__(self, outcome):
        self.outcome = outcome


def certify_interval(ctx, max_boxes: int | None = None, time_limit: float | None = None,
                     monotonicity: bool = True) -> Outcome | None:
    """Certify (CERTIFIED), refute at an exact point (REFUTED) or find the hypotheses never hold
    (VACUOUS) for a one-variable all-sympy claim on a bounded interval; None when undecided.

    ``max_boxes``/``time_limit`` default from the budget; ``monotonicity=False`` is plain
    bisection (for benchmarks). Raises only :class:`proofcheck.model.num.NumericError` for a NaN
    constant or bound.
    """
    return guarded("certify_interval", ctx, lambda: _Certifier(ctx, max_boxes, time_limit, monotonicity).run())


class _Certifier:
    def __init__(self, ctx, max_boxes, time_limit, monotonicity):
        self.ctx = ctx
        claim = ctx.claim
        if getattr(claim, "check", None) is not None:
            raise Unsupported("claim has its own procedure")
        if len(claim.variables) != 1:
            raise Unsupported("interval certification needs exactly one variable")
        ec = exact_claim(claim, ctx.constant_values)
        var = claim.variables[0]
        if var.integer:
            raise Unsupported("integer variable")
        if not ec.variables:
            raise Unsupported("the variable does not occur")
        if ec.lo[var.name] is None or ec.hi[var.name] is None:
            raise Unsupported("the variable needs finite lo and hi")
        for c in ec.conditions:
            check_arb_supported(c.margin)
        check_arb_supported(ec.lo[var.name])
        check_arb_supported(ec.hi[var.name])
        self.var = var
        self.x = ec.symbols[var.name]
        self.ec = ec
        self.probabilistic = bool(getattr(claim, "is_probabilistic", False))
        budget = getattr(getattr(ctx, "budget", None), "name", "default")
        self.max_boxes = max_boxes or MAX_BOXES.get(budget, 20000)
        seconds = getattr(getattr(ctx, "budget", None), "seconds", 60.0)
        self.time_limit = time_limit if time_limit is not None else max(2.0, seconds / 4)
        self.monotonicity = monotonicity
        concl = ec.conclusion
        self.strict = concl.strict
        # The margin and its derivatives (computed when first needed), for the monotonicity rule.
        self._derivs = [concl.margin]
        self.lo_expr, self.hi_expr = ec.lo[var.name], ec.hi[var.name]
        self.hyps: list[ExactCondition] = []
        self.folded: list[str] = []
        self.open_lo = self.open_hi = False
        self.n_boxes = self.n_mono = self.n_discarded = self.n_closed = 0
        self.least: float = math.inf
        self.seq = itertools.count()
        self.presplit: list[str] = []

    # ------------------------------------------------------------ helpers
    def _fold_bounds(self) -> None:
        """Fold hypotheses ``c*x + d >= 0`` (numbers c != 0, d) into the domain's ends."""
        x = self.x
        for h in self.ec.hypotheses:
            m = h.margin
            try:
                c = sympy.diff(m, x)
                d = m.subs(x, 0)
                linear = (not c.free_symbols and not d.free_symbols and c.is_number and d.is_number
                          and sympy.expand(m - c * x - d) == 0)
            except Exception:  # an expression sympy cannot take apart is simply not a bound
                linear = False
            sc = exact_sign(c) if linear else None
            if not linear or not sc:
                self.hyps.append(h)
                continue
            t = -d / c
            if sc > 0:  # x >= t
                s = exact_sign(t - self.lo_expr)
                if s is None:
                    self.hyps.append(h)
                    continue
                if s > 0:
                    self.lo_expr, self.open_lo = t, h.strict
                elif s == 0:
                    self.open_lo = self.open_lo or h.strict
            else:  # x <= t
                s = exact_sign(t - self.hi_expr)
                if s is None:
                    self.hyps.append(h)
                    continue
                if s < 0:
                    self.hi_expr, self.open_hi = t, h.strict
                elif s == 0:
                    self.open_hi = self.open_hi or h.strict
            self.folded.append(h.name)

    def _prec(self, a: _Pt, b: _Pt) -> int:
        w = b.hi - a.lo
        if w <= 0:
            return 64
        bits = -_log2(w)  # working precision grows as boxes shrink
        return 64 if bits <= 30 else min(1024, 64 + bits)

    def _ball(self, box: _Box, prec: int):
        nonneg = box.a.lo >= 0
        nonpos = box.b.hi <= 0
        return box_ball(box.a.ball(prec), box.b.ball(prec), nonnegative=nonneg, nonpositive=nonpos)

    def _enc(self, expr, ball, prec) -> Enclosure | None:
        return enclosure(expr, {self.x: ball}, prec)

    def _point_sign(self, expr, p: _Pt) -> int | None:
        """Exact sign of ``expr`` at an exact point: Arb first, sympy for an exact zero."""
        for prec in (64, 256):
            try:
                e = Enclosure.of(arb_eval(expr, {self.x: p.ball(prec)}, prec))
            except (NumericError, ZeroDivisionError, ValueError, TypeError):
                e = None
            if e is not None and e.certain_sign() is not None:
                return e.certain_sign()
        v = exact_value(expr, {self.x: p.value})
        return None if v is None else exact_sign(v)

    def _point_enclosure(self, expr, p: _Pt) -> Enclosure | None:
        try:
            return Enclosure.of(arb_eval(expr, {self.x: p.ball(128)}, 128))
        except (NumericError, ZeroDivisionError, ValueError, TypeError):
            return None

    def _hyps_hold_at(self, p: _Pt) -> bool:
        for h in self.ec.hypotheses:  # all of them, the folded ones included
            s = self._point_sign(h.margin, p)
            if s is None or s < 0 or (h.strict and s == 0):
                return False
        return True

    def _refute(self, p: _Pt, how: str) -> None:
        """``p`` is in the domain and fails the conclusion: re-check hypotheses, then stop."""
        if not self._hyps_hold_at(p):
            return
        if self.probabilistic:
            raise _Stop(None)  # one point does not refute a statement about probabilities
        if how != "exact":
            p = self._float_point_near(p) or p
        enc = self._point_enclosure(self.ec.conclusion.margin, p)
        margin = 0.0 if how == "exact" or enc is None else safe_float((enc.lo + enc.hi) / 2)
        value = p.frac if p.frac is not None else p.value
        record = self.ctx.record_counterexample(
            {self.var.name: value}, margin,
            "Arb enclosure at an exact point (interval branch-and-bound)"
            if how != "exact" else "exact evaluation at an endpoint (interval branch-and-bound)",
            found_by="interval")
        op = "<= 0" if self.strict else "< 0"
        raise _Stop(Outcome(
            Verdict.REFUTED,
            f"Arb branch-and-bound over {self._domain_text()}: at the exact point "
            f"{self.var.name} = {p.value} every hypothesis certainly holds and the conclusion's margin is "
            + ("exactly 0 (a strict relation fails)" if how == "exact" else
               f"certainly {op} (Arb enclosure {enc})")
            + f"; found after {self.n_boxes} boxes",
            examples=self.n_boxes, satisfied=self.n_closed, margin=margin, counterexample=record,
            details={"method": "arb-branch-and-bound", "point": str(p.value)}))

    def _in_domain(self, q: Fraction) -> bool:
        lo = exact_sign(to_sympy_rational(q) - self.lo_expr)
        hi = exact_sign(self.hi_expr - to_sympy_rational(q))
        if lo is None or hi is None:
            return False
        return (lo > 0 or (lo == 0 and not self.open_lo)) and (hi > 0 or (hi == 0 and not self.open_hi))

    def _float_point_near(self, p: _Pt) -> _Pt | None:
        """A float (dyadic, 53-bit) point next to ``p`` that fails just as certainly, if any.

        A counterexample at a float replays bit for bit even where values are read back as floats
        (``7/3`` or ``2/pi`` would not); it is re-verified from scratch here.
        """
        f = safe_float((p.lo + p.hi) / 2)
        if p.frac is not None and Fraction(f) == p.frac:
            return None
        cands = [f]
        up = down = f
        for _ in range(4):
            up, down = math.nextafter(up, math.inf), math.nextafter(down, -math.inf)
            cands += [up, down]
        for c in cands:
            if not math.isfinite(c):
                continue
            q = Fraction(c)
            if not self._in_domain(q):
                continue
            pt = _Pt.rational(q)
            e = self._point_enclosure(self.ec.conclusion.margin, pt)
            if e is not None and e.definitely_negative(self.strict) and self._hyps_hold_at(pt):
                return pt
        return None

    def _tight_points(self, lo: _Pt, hi: _Pt) -> list[_Pt]:
        """Exact interior points where the margin is exactly 0 and (numerically) stationary.

        Found with mpmath (a heuristic: it only chooses split points), identified as a small
        rational or a rational multiple of pi, and kept only if the margin there is *exactly* 0.
        """
        out: list[_Pt] = []
        try:
            f = sympy.lambdify(self.x, self.deriv(0), "mpmath")
            g = sympy.lambdify(self.x, self.deriv(1), "mpmath")
        except Exception:
            return out
        with mpmath.workdps(40):
            a, b = mpmath.mpf(float(lo.lo)), mpmath.mpf(float(hi.hi))
            n = 200
            grid = [a + (b - a) * i / n for i in range(n + 1)]

            def real(fn, t):
                try:
                    v = fn(t)
                except Exception:
                    return None
                if isinstance(v, mpmath.mpc):
                    if abs(v.imag) > 0:
                        return None
                    v = v.real
                return v if mpmath.isfinite(v) else None

            starts = []
            prev = None
            for t in grid:
                v = real(g, t)
                if v is not None and prev is not None and (v == 0 or (v > 0) != (prev[1] > 0)):
                    starts.append((prev[0] + t) / 2)
                prev = (t, v) if v is not None else None
            seen: list[sympy.Basic] = []
            for t0 in starts[:20]:
                try:
                    c = mpmath.findroot(lambda t: g(t), t0)
                except Exception:
                    continue
                if isinstance(c, mpmath.mpc) or not (a < c < b):
                    continue
                fc = real(f, c)
                if fc is None or abs(fc) > mpmath.mpf(10) ** -20:
                    continue  # stationary but not tight: ordinary boxes close it
                for cand in self._exact_forms(c):
                    if any(cand == s for s in seen):
                        break
                    if exact_sign(cand - self.lo_expr) == 1 and exact_sign(self.hi_expr - cand) == 1 \
                            and exact_sign(self.deriv(0).xreplace({self.x: cand})) == 0:
                        seen.append(cand)
                        break
        for v in sorted(seen, key=lambda v: float(v)):
            try:
                out.append(_Pt.exact(v))
            except Exception:
                continue
        return out

    @staticmethod
    def _exact_forms(c) -> list[sympy.Basic]:
        forms = []
        q = Fraction(str(mpmath.nstr(c, 35))).limit_denominator(1000)
        if abs(c - mpmath.mpf(q.numerator) / q.denominator) < mpmath.mpf(10) ** -25:
            forms.append(to_sympy_rational(q))
        r = Fraction(str(mpmath.nstr(c / mpmath.pi, 35))).limit_denominator(1000)
        if abs(c - mpmath.pi * r.numerator / r.denominator) < mpmath.mpf(10) ** -25:
            forms.append(to_sympy_rational(r) * sympy.pi)
        return forms

    def _split_point(self, a: _Pt, b: _Pt) -> _Pt | None:
        """A short dyadic rational strictly inside ``(a, b)``, near the middle."""
        lo, hi = a.hi, b.lo
        if not lo < hi:
            return None
        w = hi - lo
        k = max(0, 1 - _log2(w)) + 3
        mid = (lo + hi) / 2
        scale = 2**k
        q = Fraction(round(mid * scale), scale)
        if not (lo < q < hi):
            q = mid
        return _Pt.rational(q)

    def deriv(self, k: int) -> sympy.Basic:
        while len(self._derivs) <= k:
            self._derivs.append(sympy.diff(self._derivs[-1], self.x))
        return self._derivs[k]

    def _nonneg(self, k: int, sgn: int, box: _Box, ball, prec: int, depth: int, strict: bool = False) -> bool:
        """Certify ``sgn * f_k >= 0`` (``> 0`` if strict) on the box, f_k the k-th derivative."""
        f = self.deriv(k)
        e = self._enc(f, ball, prec)
        if e is None:
            return False  # not finitely enclosed: f_k may not even be defined/smooth here
        if sgn > 0 and (e.lo > 0 or (e.lo == 0 and not strict)):
            return True
        if sgn < 0 and (e.hi < 0 or (e.hi == 0 and not strict)):
            return True
        if depth == 0:
            return False
        for t in (1, -1):
            if self._nonneg(k + 1, t, box, ball, prec, depth - 1):
                # f_k monotone: its extreme on the box is at an end.
                end = box.a if (t > 0) == (sgn > 0) else box.b
                s = self._point_sign(f, end)
                if s is None:
                    return False
                s *= sgn
                return s > 0 or (s == 0 and not strict)
        return False

    # ------------------------------------------------------------ main loop
    def run(self) -> Outcome | None:
        t0 = time.perf_counter()
        self._fold_bounds()
        span = exact_sign(self.hi_expr - self.lo_expr)
        if span is None or span < 0 or (span == 0 and (self.open_lo or self.open_hi)):
            return None  # empty or undecidable domain: the search reports vacuity
        lo, hi = _Pt.exact(self.lo_expr), _Pt.exact(self.hi_expr)
        if span == 0:
            return self._single_point(lo)
        concl = self.ec.conclusion.margin
        heap = [_Box(-math.inf, next(self.seq), lo, hi, self.open_lo, self.open_hi,
                     tuple(range(len(self.hyps))))]
        presplit_done = not self.monotonicity
        try:
            while heap:
                if not presplit_done and self.n_boxes >= PRESPLIT_AFTER:
                    presplit_done = True
                    heap = self._restart_at_tight_points(lo, hi) or heap
                box = heapq.heappop(heap)
                self.n_boxes += 1
                if self.n_boxes > self.max_boxes or time.perf_counter() - t0 > self.time_limit:
                    self.ctx.progress(f"certify_interval: undecided after {self.n_boxes - 1} boxes")
                    return None
                prec = self._prec(box.a, box.b)
                ball = self._ball(box, prec)
                e = self._enc(concl, ball, prec)
                if e is not None and e.definitely_holds(self.strict):
                    self._close(safe_float(e.lo))
                    continue
                discard, active = self._hypotheses_on(box, ball, prec)
                if not discard and self.monotonicity:
                    n_before = self.n_closed
                    if any(self._hyp_fails_monotone(i, box, ball, prec) for i in active):
                        if self.n_closed > n_before:
                            continue  # closed at the one end where the hypotheses may hold
                        discard = True
                if discard:
                    self.n_discarded += 1
                    continue
                m = self._split_point(box.a, box.b)
                if m is not None:
                    me = self._point_enclosure(concl, m)
                    if me is not None and me.definitely_negative(self.strict):
                        self._refute(m, "arb")
                if self.monotonicity and self._monotone(box, ball, prec):
                    continue
                if m is None:
                    self.ctx.progress("certify_interval: box too narrow to split")
                    return None
                key = safe_float(e.lo) if e is not None else -math.inf
                for a, b, oa, ob in ((box.a, m, box.open_a, False), (m, box.b, False, box.open_b)):
                    heapq.heappush(heap, _Box(key, next(self.seq), a, b, oa, ob, tuple(active)))
        except _Stop as stop:
            return stop.outcome
        return self._finished()

    def _restart_at_tight_points(self, lo, hi) -> list | None:
        """A hard instance: the whole domain again, split at the exact points where the claim is tight,
        so that they are box ends the monotonicity rule can use (None: no such point)."""
        pts = self._tight_points(lo, hi)
        if not pts:
            return None
        self.ctx.progress(f"certify_interval: splitting at tight points {[str(p.value) for p in pts]}")
        ends = [lo] + pts + [hi]
        self.n_closed = self.n_mono = self.n_discarded = 0
        self.least = math.inf
        self.presplit = [str(p.value) for p in pts]
        return [_Box(-math.inf, next(self.seq), a, b, self.open_lo if a is lo else False,
                     self.open_hi if b is hi else False, tuple(range(len(self.hyps))))
                for a, b in zip(ends, ends[1:])]

    def _hypotheses_on(self, box, ball, prec) -> tuple[bool, list[int]]:
        """(a hypothesis certainly fails on the box, the hypotheses not yet certain to hold on it)."""
        active = []
        for i in box.active:
            h = self.hyps[i]
            he = self._enc(h.margin, ball, prec)
            if he is None:
                active.append(i)
            elif he.definitely_negative(h.strict):
                return True, active
            elif not he.definitely_holds(h.strict):
                active.append(i)
        return False, active

    def _finished(self) -> Outcome:
        """Every box closed or discarded: ``certified`` (or ``vacuous`` when none was closed)."""
        dom = self._domain_text()
        details = {"method": "arb-branch-and-bound", "boxes": self.n_boxes, "monotone": self.n_mono,
                   "discarded": self.n_discarded, "folded_hypotheses": self.folded, "split_at": self.presplit}
        if self.n_closed == 0:
            return Outcome(Verdict.VACUOUS,
                           f"Arb branch-and-bound over {dom}: a hypothesis certainly fails on every one of "
                           f"{self.n_boxes} boxes", examples=self.n_boxes, satisfied=0, details=details)
        extra = f", {self.n_discarded} discarded where a hypothesis certainly fails" if self.n_discarded else ""
        if self.folded:
            extra += f"; hypotheses {', '.join(self.folded)} folded into the domain"
        if self.presplit:
            extra += f"; split at the tight points {', '.join(self.presplit)}"
        return Outcome(Verdict.CERTIFIED,
                       f"Arb branch-and-bound over {dom}: {self.n_boxes} boxes, {self.n_mono} closed by the "
                       f"monotonicity rule, least certified lower bound {self.least:.6g}{extra}",
                       examples=self.n_boxes, satisfied=self.n_closed, margin=self.least, details=details)

    def _domain_text(self) -> str:
        return (f"{'(' if self.open_lo else '['}{self.lo_expr}, {self.hi_expr}{')' if self.open_hi else ']'}")

    def _close(self, lower: float) -> None:
        self.n_closed += 1
        self.least = min(self.least, lower)

    def _monotone(self, box: _Box, ball, prec: int) -> bool:
        """Close the box if the margin is monotone on it and its minimum end is fine; may refute."""
        for t in (1, -1):
            if not self._nonneg(1, t, box, ball, prec, DERIVATIVE_DEPTH - 1):
                continue
            end, is_open = (box.a, box.open_a) if t > 0 else (box.b, box.open_b)
            concl = self.ec.conclusion.margin
            s = self._point_sign(concl, end)
            if s is None:
                return False
            if s > 0 or (s == 0 and not self.strict):
                enc = self._point_enclosure(concl, end)
                self._close(0.0 if s == 0 or enc is None else safe_float(enc.lo))
                self.n_mono += 1
                return True
            # The minimum end fails (s < 0, or s == 0 for a strict conclusion).
            if not is_open:
                self._refute(end, "exact" if s == 0 else "arb")
                return False
            if s == 0 and self._nonneg(1, t, box, ball, prec, 0, strict=True):
                # Open end with margin 0 there and strictly monotone: > 0 inside the box.
                self._close(0.0)
                self.n_mono += 1
                return True
            return False
        return False

    def _hyp_fails_monotone(self, i: int, box: _Box, ball, prec: int) -> bool:
        """Hypothesis ``i`` strictly monotone on the box and failing at its best end: it holds at
        no point of the box except perhaps that end, which is then checked exactly (may refute)."""
        h = self.hyps[i]
        try:
            dh = sympy.diff(h.margin, self.x)
        except Exception:
            return False
        e = self._enc(dh, ball, prec)
        if e is None or not (e.lo > 0 or e.hi < 0):
            return False
        end, is_open = (box.b, box.open_b) if e.lo > 0 else (box.a, box.open_a)
        s = self._point_sign(h.margin, end)
        if s is None or s > 0:
            return False
        if s < 0 or h.strict or is_open:
            return True  # the hypothesis fails on the whole box
        # Only the end itself satisfies the hypothesis: decide the claim there.
        c = self._point_sign(self.ec.conclusion.margin, end)
        if c is None:
            return False
        if c > 0 or (c == 0 and not self.strict):
            # The hypotheses may hold at this end: it counts as a certified point, not vacuity.
            enc = self._point_enclosure(self.ec.conclusion.margin, end)
            self._close(0.0 if c == 0 or enc is None else safe_float(enc.lo))
            self.n_mono += 1
            return True
        self._refute(end, "exact" if c == 0 else "arb")
        return False

    def _single_point(self, p: _Pt) -> Outcome | None:
        self.n_boxes = 1
        if not self._hyps_hold_at(p):
            return None
        s = self._point_sign(self.ec.conclusion.margin, p)
        if s is None:
            return None
        if s > 0 or (s == 0 and not self.strict):
            self._close(0.0)
            return Outcome(Verdict.CERTIFIED, f"the domain is the single point {p.value}; margin checked exactly",
                           examples=1, satisfied=1, margin=0.0 if s == 0 else None)
        try:
            self._refute(p, "exact")
        except _Stop as stop:
            return stop.outcome
        return None
