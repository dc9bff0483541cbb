r"""Critical points of small deep networks, found in floats and certified exactly or with Arb.

A :class:`TrainingProblem` is a network (:class:`~proofcheck.ml.deep.DeepNet`) with rational data
``X`` (N×d) and targets ``Y`` (N×m). A :class:`CriticalPoint` starts from a parameter vector
``start`` and

1. finds an approximate critical point by minimising ``|∇Φ|²`` with BFGS (saddles and minima
   alike; deterministic given the start);
2. certifies it, in one of two ways, both checked by this module:

   * **exact**: the float point is rounded to nearby rationals with small denominators (rational
     reconstruction) and the gradient there is shown to be exactly zero by sympy (this catches the
     degenerate critical points that sit on manifolds: ``W = 0`` for ``tanh``, dead ReLU units);
   * **Krawczyk**: an Arb box that contains exactly one zero of ``∇Φ`` (regular critical points;
     :mod:`proofcheck.ml.krawczyk`);

3. encloses the loss there, and the weight matrices' full column rank (exact rank at an exact
   point; ``det(W^T W) > 0`` on Arb balls over a Krawczyk box).

The global minimum is bounded from above on the safe side by an explicit configuration
(:meth:`TrainingProblem.best_fit`): any configuration's loss bounds an infimum from above, so
``loss(critical point) > loss(configuration)`` (both rigorous) proves the critical point is not a
global minimum.

Values round-trip through the counterexample store: the certified point is stored exactly, so a
replay re-verifies it without re-running the optimiser.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from typing import Any, Sequence

import numpy as np
import sympy

from ..codec import storable
from ..num import Enclosure, NumericError, arb_eval, to_fraction
from .deep import DeepNet, NetworkError, Objective, exact_rank, weight_matrices
from .krawczyk import certify_zero, from_sympy


def _q(x: Fraction) -> str:
    return f"{x.numerator}/{x.denominator}"


def _rows(M: Any) -> tuple[tuple[Fraction, ...], ...]:
    return tuple(tuple(to_fraction(v) for v in row) for row in M)


@storable
@dataclass(frozen=True)
class TrainingProblem:
    """A network, rational inputs ``X`` (N×d) and targets ``Y`` (N×m), square loss."""

    net: DeepNet
    X: tuple[tuple[Fraction, ...], ...]
    Y: tuple[tuple[Fraction, ...], ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "X", _rows(self.X))
        object.__setattr__(self, "Y", _rows(self.Y))
        if not self.X or len(self.X) != len(self.Y):
            raise NetworkError("X and Y need the same positive number of rows")
        if any(len(r) != self.net.widths[0] for r in self.X) or any(len(r) != self.net.widths[-1] for r in self.Y):
            raise NetworkError("X must have d columns and Y m columns for the network's widths")

    def describe(self) -> str:
        """The network by its widths and activation, the data by N, d and its points."""
        from ..report.values import short

        net = self.net
        return (f"{net.activation} network of widths {'-'.join(str(w) for w in net.widths)}"
                f"{'' if net.bias else ' without biases'}, N = {self.N} points X = {short(self.X)}, Y = {short(self.Y)}")

    @property
    def N(self) -> int:
        return len(self.X)

    @cached_property
    def objective(self) -> Objective:
        return Objective.of(self.net, self.X, self.Y)

    # -------------------------------------------------------------- data facts, exact
    def distinct_inputs(self) -> bool:
        return len(set(self.X)) == len(self.X)

    def input_rank(self) -> int:
        return exact_rank(self.X)

    def linearly_independent(self) -> bool:
        return self.input_rank() == self.N

    # -------------------------------------------------------------- a safe-side global minimum bound
    @cached_property
    def best_fit(self) -> tuple[Fraction, ...]:
        """Rational parameters with a small loss: BFGS on Φ from a few deterministic starts."""
        from scipy.optimize import minimize

        obj = self.objective
        rng = np.random.default_rng(12345)
        best, best_val = None, np.inf
        for _ in range(4):
            x0 = rng.normal(size=len(obj.params))
            res = minimize(obj.value, x0, jac=obj.gradient, method="BFGS", options={"gtol": 1e-12, "maxiter": 3000})
            if np.isfinite(res.fun) and res.fun < best_val:
                best, best_val = res.x, res.fun
        if best is None:
            best = np.zeros(len(obj.params))
        return tuple(Fraction(float(v)) for v in best)

    def global_min_upper(self, prec: int = 128) -> Enclosure:
        """Rigorous enclosure of Φ at :attr:`best_fit` (its upper end bounds min Φ from above)."""
        return self.objective.value_enclosure(self.best_fit, prec)

    def to_json(self) -> dict:
        return {"widths": list(self.net.widths), "activation": self.net.activation,
                "output_activation": self.net.output_activation, "bias": self.net.bias,
                "X": [[_q(v) for v in r] for r in self.X], "Y": [[_q(v) for v in r] for r in self.Y]}

    @classmethod
    def from_json(cls, data: dict) -> "TrainingProblem":
        net = DeepNet(tuple(int(w) for w in data["widths"]), str(data["activation"]),
                      bool(data.get("output_activation", False)), bool(data.get("bias", True)))
        return cls(net, [[Fraction(v) for v in r] for r in data["X"]], [[Fraction(v) for v in r] for r in data["Y"]])


@dataclass(frozen=True)
class Certificate:
    """How a critical point was certified: ``exact`` (a rational point, gradient exactly 0) or
    ``krawczyk`` (an Arb box with exactly one zero of the gradient)."""

    kind: str
    point: tuple[Fraction, ...]                       # the exact point, or the box centre
    box: tuple[tuple[Fraction, Fraction], ...] = ()   # for krawczyk

    def balls(self):
        from flint import arb, fmpq

        if self.kind == "exact":
            return [arb(fmpq(q.numerator, q.denominator)) for q in self.point]
        out = []
        for lo, hi in self.box:
            out.append(arb(fmpq(lo.numerator, lo.denominator)).union(arb(fmpq(hi.numerator, hi.denominator))))
        return out


def reconstruct(x: float, max_denominator: int = 64) -> Fraction:
    """The simplest rational near ``x`` (rational reconstruction before an exact check)."""
    return Fraction(float(x)).limit_denominator(max_denominator)


@storable
@dataclass
class CriticalPoint:
    """The critical point reached from ``start`` on ``problem`` (computed once, stored exactly)."""

    problem: TrainingProblem
    start: tuple[Fraction, ...]
    certificate: Certificate | None = None
    searched: bool = False
    float_point: tuple[float, ...] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        self.start = tuple(to_fraction(v) for v in self.start)
        if len(self.start) != len(self.problem.objective.params):
            raise NetworkError(f"start has {len(self.start)} values; the network has "
                               f"{len(self.problem.objective.params)} parameters")

    def describe(self) -> str:
        """The problem and the point: the certified critical point when there is one, else the start."""
        from ..report.values import short

        cert = self.certificate
        where = (f"certified {cert.kind} at theta = {short(cert.point, 120)}" if cert is not None
                 else f"from theta = {short(self.start, 120)} (no certified critical point)")
        return f"critical point {where} of the {self.problem.describe()}"

    # -------------------------------------------------------------- flat view (the engine's optimisers)
    def to_flat(self):
        """The start as real coordinates: the engine's local search moves the start."""
        return [float(v) for v in self.start]

    def from_flat(self, x) -> "CriticalPoint":
        return CriticalPoint(self.problem, tuple(Fraction(float(v)) for v in x))

    # -------------------------------------------------------------- search (floats)
    def locate(self) -> tuple[float, ...] | None:
        """An approximate critical point from ``start`` (None when BFGS does not reach one)."""
        if self.float_point is not None or self.searched:
            return self.float_point
        from scipy.optimize import minimize

        obj = self.problem.objective

        def sq(theta):
            g = obj.gradient(theta)
            return float(g @ g)

        def sq_grad(theta):
            return 2.0 * obj.hessian(theta).T @ obj.gradient(theta)

        x0 = np.array([float(v) for v in self.start])
        res = minimize(sq, x0, jac=sq_grad, method="BFGS", options={"gtol": 1e-14, "maxiter": 4000})
        x = np.asarray(res.x, dtype=float)
        bound = 10.0 * (1.0 + float(np.abs(x0).max()))
        if not np.all(np.abs(x) < bound):
            self.searched = True  # drifted off towards infinity (saturation): no critical point here
            return None
        # Gauss-Newton polish on grad = 0 (least squares: also converges at degenerate points)
        for _ in range(20):
            if not np.all(np.isfinite(x)):
                break
            g = obj.gradient(x)
            if float(np.linalg.norm(g)) < 1e-14:
                break
            step = np.linalg.lstsq(obj.hessian(x), g, rcond=None)[0]
            x = x - step
        self.searched = True
        if np.all(np.isfinite(x)) and float(np.linalg.norm(obj.gradient(x))) < 1e-8:
            self.float_point = tuple(float(v) for v in x)
        return self.float_point

    def gradient_norm(self) -> float:
        p = self.locate()
        return float("inf") if p is None else float(np.linalg.norm(self.problem.objective.gradient(p)))

    # -------------------------------------------------------------- certification
    def certify(self) -> Certificate | None:
        """An exact or Krawczyk certificate that a critical point exists here, or None."""
        if self.certificate is not None:
            return self.certificate
        p = self.locate()
        if p is None:
            return None
        obj = self.problem.objective
        for denominator in (8, 64, 1024):
            exact = tuple(reconstruct(v, denominator) for v in p)
            try:
                if obj.gradient_is_exactly_zero(exact):
                    self.certificate = Certificate("exact", exact)
                    return self.certificate
            except (TypeError, ValueError, ZeroDivisionError):
                break
        F, J = from_sympy(obj.grad, obj.params)
        z = certify_zero(F, J, p)
        if z is not None:
            self.certificate = Certificate("krawczyk", z.center, z.box)
        return self.certificate

    def check_certificate(self) -> bool:
        """Re-check a stored certificate from scratch (the replay side: never trust the record)."""
        cert = self.certificate
        if cert is None:
            return False
        obj = self.problem.objective
        if cert.kind == "exact":
            return obj.gradient_is_exactly_zero(cert.point)
        if cert.kind == "krawczyk":
            F, J = from_sympy(obj.grad, obj.params)
            z = certify_zero(F, J, cert.point, radii=(float(max(hi - lo for lo, hi in cert.box)),))
            return z is not None
        return False

    # -------------------------------------------------------------- quantities at the point
    def loss(self, prec: int = 128) -> Enclosure:
        cert = self.certificate
        if cert is None:
            raise NumericError("no certified critical point")
        obj = self.problem.objective
        env = dict(zip(obj.params, cert.balls()))
        env.update(obj._subs)
        return Enclosure.of(arb_eval(obj.c.expr, env, prec=prec))

    def loss_float(self) -> float:
        p = self.locate()
        return float("nan") if p is None else self.problem.objective.value(p)

    def min_column_rank_margin_float(self) -> float:
        """min over layers of the smallest singular value (> 0: every weight matrix full column rank)."""
        p = self.locate()
        if p is None:
            return float("-inf")
        out = np.inf
        for W in weight_matrices(self.problem.net, p):
            A = np.asarray(W, dtype=float)
            if A.shape[0] < A.shape[1]:
                return -1.0  # more columns than rows: never full column rank
            out = min(out, float(np.linalg.svd(A, compute_uv=False).min()))
        return out

    def full_column_rank(self) -> bool | None:
        """True / False when decided rigorously at the certified point; None when undecided."""
        cert = self.certificate
        if cert is None:
            return None
        Ws = weight_matrices(self.problem.net, list(cert.point) if cert.kind == "exact" else cert.balls())
        verdicts = []
        for W in Ws:
            r, c = len(W), len(W[0])
            if r < c:
                return False
            if cert.kind == "exact":
                verdicts.append(exact_rank(W) == c)
                continue
            # det(W^T W) on balls: certainly > 0 means full column rank over the whole box
            M = sympy.Matrix(r, c, lambda i, j: sympy.Symbol(f"w_{i}_{j}", real=True))
            det = (M.T * M).det()
            env = {sympy.Symbol(f"w_{i}_{j}", real=True): W[i][j] for i in range(r) for j in range(c)}
            enc = Enclosure.of(arb_eval(det, env))
            if enc.lo > 0:
                verdicts.append(True)
            elif enc.hi <= 0:
                verdicts.append(False)
            else:
                return None
        return all(verdicts)

    # -------------------------------------------------------------- store
    def to_json(self) -> dict:
        cert = self.certificate
        return {"problem": self.problem.to_json(), "start": [_q(v) for v in self.start],
                "certificate": None if cert is None else {
                    "kind": cert.kind, "point": [_q(v) for v in cert.point],
                    "box": [[_q(lo), _q(hi)] for lo, hi in cert.box]}}

    @classmethod
    def from_json(cls, data: dict) -> "CriticalPoint":
        problem = TrainingProblem.from_json(data["problem"])
        cert = None
        c = data.get("certificate")
        if c is not None:
            cert = Certificate(str(c["kind"]), tuple(Fraction(v) for v in c["point"]),
                               tuple((Fraction(lo), Fraction(hi)) for lo, hi in c.get("box", [])))
        return cls(problem, tuple(Fraction(v) for v in data["start"]), certificate=cert, searched=cert is not None)


# ---------------------------------------------------------------- Hypothesis strategies
def training_problems(activations: Sequence[str] = ("tanh",), depths: Sequence[int] = (1, 2), max_width: int = 2,
                      max_N: int = 3, independent: bool = False):
    """Small training problems with rational data (denominators <= 4); shrinks to one layer, d = 1.
    ``independent``: at most ``d`` points (so linearly independent inputs are possible; whether they
    are is for the claim's hypotheses to decide exactly)."""
    from hypothesis import strategies as st

    small = st.fractions(min_value=-2, max_value=2, max_denominator=4)

    @st.composite
    def draw(draw_):
        L = draw_(st.sampled_from(sorted(depths)))
        d = draw_(st.integers(1, max_width))
        hidden = [draw_(st.integers(1, max_width)) for _ in range(L - 1)]
        widths = (d, *hidden, 1)
        # independent data need N <= d: draw no more points than that when asked to
        N = draw_(st.integers(1, min(max_N, d) if independent else max_N))
        X = [[draw_(small) for _ in range(d)] for _ in range(N)]
        Y = [[draw_(small)] for _ in range(N)]
        act = draw_(st.sampled_from(list(activations)))
        return TrainingProblem(DeepNet(widths, act), X, Y)

    return draw()


def _with_parameters(problems, scale: int, make):
    """A problem and a rational parameter vector in ``[-scale, scale]`` (denominators <= 4), made
    into a value by ``make(problem, vector)``."""
    from hypothesis import strategies as st

    @st.composite
    def draw(draw_):
        prob = draw_(problems)
        n = len(prob.objective.params)
        vector = [draw_(st.fractions(min_value=-scale, max_value=scale, max_denominator=4)) for _ in range(n)]
        return make(prob, tuple(vector))

    return draw()


def critical_points(problems, scale: int = 2):
    """A problem and a rational start in ``[-scale, scale]`` for the critical-point search."""
    return _with_parameters(problems, scale, CriticalPoint)


@storable
@dataclass
class NetworkPoint:
    """A training problem and one rational parameter vector ``theta`` (a point of the loss surface)."""

    problem: TrainingProblem
    theta: tuple[Fraction, ...]

    def __post_init__(self) -> None:
        self.theta = tuple(to_fraction(v) for v in self.theta)
        if len(self.theta) != len(self.problem.objective.params):
            raise NetworkError(f"theta has {len(self.theta)} values; the network has "
                               f"{len(self.problem.objective.params)} parameters")

    def describe(self) -> str:
        from ..report.values import short

        return f"theta = {short(self.theta, 120)} for the {self.problem.describe()}"

    def point_losses(self, prec: int = 128) -> list[Enclosure]:
        """Rigorous enclosures of each training point's loss ``Σ_j l(f_Lj(x_i) - y_ij)``."""
        out = []
        for x, y in zip(self.problem.X, self.problem.Y):
            one = TrainingProblem(self.problem.net, [x], [y])
            out.append(one.objective.value_enclosure(self.theta, prec))
        return out

    def point_losses_float(self) -> list[float]:
        th = [float(v) for v in self.theta]
        return [TrainingProblem(self.problem.net, [x], [y]).objective.value(th)
                for x, y in zip(self.problem.X, self.problem.Y)]

    def to_json(self) -> dict:
        return {"problem": self.problem.to_json(), "theta": [_q(v) for v in self.theta]}

    @classmethod
    def from_json(cls, data: dict) -> "NetworkPoint":
        return cls(TrainingProblem.from_json(data["problem"]), tuple(Fraction(v) for v in data["theta"]))


def network_points(problems, scale: int = 2):
    """A problem and a rational parameter vector in ``[-scale, scale]``."""
    return _with_parameters(problems, scale, NetworkPoint)
