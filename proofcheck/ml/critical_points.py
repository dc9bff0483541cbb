r"""Critical points of small deep networks, found in floats and certified exactly or with Arb.

A :class:`TrainingProblem` is a network (:class:`~proofcheck.ml.deep.DeepNet`) with rational data
``X`` (N×d) and targets ``Y`` (N×m). A :class:`CriticalPoint` starts from a parameter vector
``start`` and

1. finds an approximate critical point by minimising ``|∇Φ|²`` with BFGS (saddles and minima
   alike; deterministic given the start); networks with more than :data:`HESSIAN_MAX_PARAMS`
   parameters (whose symbolic Hessian costs seconds) minimise ``Φ`` itself (minima only);
2. certifies it, in one of two ways, both checked by this module:

   * **exact**: the float point is rounded to nearby rationals with small denominators (rational
     reconstruction) and the gradient there is shown to be exactly zero by sympy (this catches the
     degenerate critical points that sit on manifolds: ``W = 0`` for ``tanh``, dead ReLU units);
   * **interpolation** (critical points on the zero-loss manifold of an over-parameterised
     network): every layer but the output is fixed at rationals, and the output layer's ``N``
     pivot weights solve ``F a = y`` exactly (``F`` the last hidden features with a column of ones,
     an Arb matrix certified non-singular, the other output weights fixed rationals); the exact
     solution lies in the Arb box and makes every residual 0, so ``Φ = 0 = min Φ`` there, and a
     minimum of a smooth ``Φ >= 0`` is a critical point. The loss there is exactly 0;
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

from proofcheck.store.codec import storable
from proofcheck.model.num import Enclosure, NumericError, arb_endpoints, arb_eval, to_fraction
from proofcheck.ml.deep import (ACTIVATIONS, SYMBOLIC_MAX_PARAMS, DeepNet, NetworkError, Objective, arb_layer, exact_rank,
                   weight_matrices)
from proofcheck.ml.krawczyk import certify_zero, from_sympy
from proofcheck.ml.linalg_exact import fraction_text

#: Above this many parameters the symbolic Hessian (for the |grad|^2 search and Krawczyk) costs
#: seconds per architecture: such networks are searched by minimising the loss and certified
#: exactly or by interpolation only.
HESSIAN_MAX_PARAMS = SYMBOLIC_MAX_PARAMS
#: A located point whose float loss is below this is offered to the interpolation certificate.
INTERPOLATION_LOSS = 1e-10


def _rows(M: Any) -> tuple[tuple[Fraction, ...], ...]:
    return tuple(tuple(to_fraction(v) for v in row) for row in M)


@storable
@dataclass(frozen=True)
class TrainingProblem:
    """A network, rational inputs ``X`` (N×d) and targets ``Y`` (N×m), square loss."""

    net: DeepNet
    X: tuple[tuple[Fraction, ...], ...]
    Y: tuple[tuple[Fraction, ...], ...]

    def parameter_vector(self, values, name: str) -> tuple[Fraction, ...]:
        """``values`` as exact rationals, one per parameter of the network (else :class:`NetworkError`)."""
        out = tuple(to_fraction(v) for v in values)
        if len(out) != len(self.objective.params):
            raise NetworkError(f"{name} has {len(out)} values; the network has {len(self.objective.params)} parameters")
        return out

    def __post_init__(self) -> None:
        object.__setattr__(self, "X", _rows(self.X))
        object.__setattr__(self, "Y", _rows(self.Y))
        if not self.X or len(self.X) != len(self.Y):
            raise NetworkError("X and Y need the same positive number of rows")
        if any(len(r) != self.net.widths[0] for r in self.X) or any(len(r) != self.net.widths[-1] for r in self.Y):
            raise NetworkError("X must have d columns and Y m columns for the network's widths")

    def describe(self) -> str:
        """The network by its widths and activation, the data by N, d and its points."""
        from proofcheck.store.readable import short

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
                "X": [[fraction_text(v) for v in r] for r in self.X], "Y": [[fraction_text(v) for v in r] for r in self.Y]}

    @classmethod
    def from_json(cls, data: dict) -> "TrainingProblem":
        net = DeepNet(tuple(int(w) for w in data["widths"]), str(data["activation"]),
                      bool(data.get("output_activation", False)), bool(data.get("bias", True)))
        return cls(net, [[Fraction(v) for v in r] for r in data["X"]], [[Fraction(v) for v in r] for r in data["Y"]])


@dataclass(frozen=True)
class Certificate:
    """How a critical point was certified: ``exact`` (a rational point, gradient exactly 0),
    ``interpolation`` (a box holding an exact zero-loss point: the output layer's ``solved`` pivot
    weights solve the interpolation equations, every other coordinate is the rational in
    ``point``) or ``krawczyk`` (an Arb box with exactly one zero of the gradient)."""

    kind: str
    point: tuple[Fraction, ...]                       # the exact point, or the box centre
    box: tuple[tuple[Fraction, Fraction], ...] = ()   # for krawczyk and interpolation
    solved: tuple[int, ...] = ()                      # for interpolation: the solved coordinates

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


def _output_layer(net: DeepNet) -> tuple[list[int], int | None]:
    """Indices (in ``DeepNet.parameters`` order) of the output weights ``W_L[:, 0]`` and of the
    output bias ``b_L[0]`` (None without biases); one output only."""
    n_params = sum(net.widths[k - 1] * net.widths[k] for k in range(1, net.depth + 1))
    start = n_params - net.widths[-2]
    weights = list(range(start, n_params))
    bias = (n_params + sum(net.widths[1:]) - 1) if net.bias else None
    return weights, bias


def _hidden_features(net: DeepNet, X, theta: Sequence[Fraction], prec: int = 128):
    """The last hidden layer's features ``f_{L-1}(x_i)`` at rational parameters, as Arb balls."""
    return arb_layer(net, X, theta, net.depth - 1, prec)


def _solve_output_layer(problem: "TrainingProblem", theta: Sequence[Fraction], solved: Sequence[int]):
    """Arb balls of the ``solved`` output coordinates making every residual 0 when the other
    coordinates are the rationals ``theta``; None when the system is not certified non-singular."""
    from flint import arb, arb_mat, fmpq

    net = problem.net
    weights, bias = _output_layer(net)
    columns = weights + ([bias] if bias is not None else [])
    feats = _hidden_features(net, problem.X, theta)
    one = arb(1)
    A = [row + ([one] if bias is not None else []) for row in feats]

    def q(v):
        return arb(fmpq(v.numerator, v.denominator))

    rhs = []
    for i, y in enumerate(problem.Y):
        r = q(y[0])
        for j, idx in enumerate(columns):
            if idx not in solved:
                r -= A[i][j] * q(theta[idx])
        rhs.append([r])
    M = arb_mat([[A[i][columns.index(idx)] for idx in solved] for i in range(len(A))])
    try:
        sol = M.solve(arb_mat(rhs))
    except ZeroDivisionError:
        return None
    return [sol[i, 0] for i in range(len(solved))]


def interpolation_certificate(problem: "TrainingProblem", point: Sequence[float]) -> "Certificate | None":
    """A box holding an exact zero-loss point near the float ``point`` (see the module docstring),
    or None: one output, at least ``N`` output coordinates, the pivot columns chosen in floats."""

    net = problem.net
    # the argument needs a smooth loss surface (a zero-loss point of a ReLU network can sit on a kink)
    if net.widths[-1] != 1 or net.output_activation or not ACTIVATIONS[net.activation][1]:
        return None
    weights, bias = _output_layer(net)
    columns = weights + ([bias] if bias is not None else [])
    if len(columns) < problem.N:
        return None
    theta = [reconstruct(v, 1024) for v in point]
    feats = _hidden_features(net, problem.X, theta, prec=53)
    A = np.array([[float(v.mid()) for v in row] + ([1.0] if bias is not None else []) for row in feats])
    from scipy.linalg import qr

    _, _, piv = qr(A, pivoting=True)
    solved = tuple(sorted(columns[j] for j in piv[:problem.N]))
    balls = _solve_output_layer(problem, theta, solved)
    if balls is None:
        return None
    box = [(t, t) for t in theta]
    for idx, b in zip(solved, balls):
        lo, hi = arb_endpoints(b)
        box[idx] = (lo, hi)
        theta[idx] = (lo + hi) / 2
    return Certificate("interpolation", tuple(theta), tuple(box), solved)


#: Output weights at most this small (floats) make a located point a candidate for the dead-output
#: certificate; the brackets tried around one parameter of each last-hidden unit (half-widths).
DEAD_OUTPUT = 1e-6
DEAD_BRACKETS = (Fraction(1, 2**30), Fraction(1, 2**20), Fraction(1, 2**10))


def _unit_inputs(net: DeepNet) -> list[list[int]]:
    """Per unit ``j`` of the last hidden layer, the indices (``DeepNet.parameters`` order) of its own
    parameters: its bias, then its incoming weights ``W_{L-1}[:, j]``."""
    sizes = [net.widths[k - 1] * net.widths[k] for k in range(1, net.depth + 1)]
    rows, cols = net.widths[net.depth - 2], net.widths[net.depth - 1]
    w_start = sum(sizes[:net.depth - 2])
    b_start = sum(sizes) + sum(net.widths[1:net.depth - 1])
    return [[b_start + j] + [w_start + a * cols + j for a in range(rows)] for j in range(cols)]


def _dead_output_sums(problem: "TrainingProblem", theta: Sequence[Fraction]):
    """``g_j = Σ_i r_i f_{L-1}(x_i)_j`` as Arb balls, with ``r_i = b_out − y_i`` (the output is the
    constant ``b_out`` when every output weight is 0): the gradient in the output weights there."""
    from flint import arb, fmpq

    feats = _hidden_features(problem.net, problem.X, theta)
    b_out = theta[_output_layer(problem.net)[1]]
    residuals = [arb(fmpq((b_out - y[0]).numerator, (b_out - y[0]).denominator)) for y in problem.Y]
    return [sum((r * row[j] for r, row in zip(residuals, feats)), arb(0)) for j in range(len(feats[0]))]


def _sign_change(a, b) -> bool:
    return bool((a < 0 and b > 0) or (a > 0 and b < 0))


def _dead_output_applies(net: DeepNet) -> bool:
    return net.widths[-1] == 1 and not net.output_activation and net.bias and net.depth >= 2


def _bracket_unit(problem: "TrainingProblem", theta: list[Fraction], j: int, candidates: Sequence[int]):
    """A coordinate of unit ``j`` and a bracket over which ``g_j`` rigorously changes sign, or None."""
    for half in DEAD_BRACKETS:
        for i in candidates:
            lo, hi = list(theta), list(theta)
            lo[i], hi[i] = theta[i] - half, theta[i] + half
            if _sign_change(_dead_output_sums(problem, lo)[j], _dead_output_sums(problem, hi)[j]):
                return i, (lo[i], hi[i])
    return None


def dead_output_certificate(problem: "TrainingProblem", point: Sequence[float]) -> "Certificate | None":
    """A box holding an exact critical point where every output weight is 0 (a degenerate,
    rank-deficient critical point: Krawczyk needs a regular zero, and its coordinates are rarely
    rational). With the output weights exactly 0, every gradient entry of a hidden parameter is exactly
    0 (each carries an output weight as a factor); with the output bias the exact mean of ``Y``, so is
    its own; the gradient in output weight ``j`` is ``g_j`` (:func:`_dead_output_sums`), a continuous
    function of unit ``j``'s own parameters only: a rigorous sign change of ``g_j`` along one of them,
    over ``[lo, hi]`` with the rest fixed, puts a zero inside (intermediate value theorem). Every other
    coordinate is rational (the float the search found, exactly)."""
    net = problem.net
    if not _dead_output_applies(net):
        return None
    weights, bias = _output_layer(net)
    if max(abs(point[i]) for i in weights) > DEAD_OUTPUT:
        return None
    theta = [Fraction(float(v)) for v in point]
    for i in weights:
        theta[i] = Fraction(0)
    theta[bias] = sum((y[0] for y in problem.Y), Fraction(0)) / len(problem.Y)
    box = [(t, t) for t in theta]
    solved = []
    for j, candidates in enumerate(_unit_inputs(net)):
        found = _bracket_unit(problem, theta, j, candidates)
        if found is None:
            return None
        solved.append(found[0])
        box[found[0]] = found[1]
    return Certificate("dead_output", tuple(theta), tuple(box), tuple(solved))


def check_dead_output(problem: "TrainingProblem", cert: "Certificate") -> bool:
    """Re-check a dead-output certificate from the stored rationals alone."""
    net = problem.net
    if not _dead_output_applies(net) or len(cert.box) != len(cert.point):
        return False
    weights, bias = _output_layer(net)
    units = _unit_inputs(net)
    if len(cert.solved) != len(units) or any(i not in own for i, own in zip(cert.solved, units)):
        return False
    mean = sum((y[0] for y in problem.Y), Fraction(0)) / len(problem.Y)
    fixed_ok = all(lo == hi == cert.point[i] for i, (lo, hi) in enumerate(cert.box) if i not in cert.solved)
    if not fixed_ok or any(cert.point[i] != 0 for i in weights) or cert.point[bias] != mean:
        return False
    g_lo = _dead_output_sums(problem, [b[0] for b in cert.box])
    g_hi = _dead_output_sums(problem, [b[1] for b in cert.box])
    return all(_sign_change(g_lo[j], g_hi[j]) for j in range(len(units)))


@storable
@dataclass
class CriticalPoint:
    """The critical point reached from ``start`` on ``problem`` (computed once, stored exactly)."""

    problem: TrainingProblem
    start: tuple[Fraction, ...]
    certificate: Certificate | None = None
    searched: bool = False
    float_point: tuple[float, ...] | None = field(default=None, compare=False)
    # a certificate read from the store is re-checked from scratch before it counts
    checked: bool = field(default=False, compare=False)

    def __post_init__(self) -> None:
        self.start = self.problem.parameter_vector(self.start, "start")

    def describe(self) -> str:
        """The problem and the point: the certified critical point when there is one, else the start."""
        from proofcheck.store.readable import short

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
        if len(obj.params) > HESSIAN_MAX_PARAMS:
            return self._locate_minimum()

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

    def _locate_minimum(self) -> tuple[float, ...] | None:
        """A local minimum of ``Φ`` from ``start`` (BFGS on the gradient; no Hessian needed)."""
        from scipy.optimize import minimize

        obj = self.problem.objective
        x0 = np.array([float(v) for v in self.start])
        res = minimize(obj.value, x0, jac=obj.gradient, method="BFGS", options={"gtol": 1e-13, "maxiter": 3000})
        x = np.asarray(res.x, dtype=float)
        self.searched = True
        bound = 10.0 * (1.0 + float(np.abs(x0).max()))
        if np.all(np.isfinite(x)) and np.all(np.abs(x) < bound) and float(np.linalg.norm(obj.gradient(x))) < 1e-8:
            self.float_point = tuple(float(v) for v in x)
        return self.float_point

    # -------------------------------------------------------------- certification
    def certify(self) -> Certificate | None:
        """An exact, interpolation or Krawczyk certificate that a critical point exists here, or None.
        A certificate this object did not compute (one read from the store) counts only once
        :meth:`check_certificate` confirms it."""
        if self.certificate is not None:
            if not self.checked:
                self.checked = True
                if not self.check_certificate():
                    self.certificate = None
            return self.certificate
        p = self.locate()
        if p is None:
            return None
        obj = self.problem.objective
        wide = len(obj.params) > HESSIAN_MAX_PARAMS
        if wide and obj.value(p) < INTERPOLATION_LOSS:
            cert = interpolation_certificate(self.problem, p)
            if cert is not None:
                self.certificate, self.checked = cert, True
                return cert
        for denominator in (8, 64, 1024):
            exact = tuple(reconstruct(v, denominator) for v in p)
            try:
                if obj.gradient_is_exactly_zero(exact, symbolic=not wide):
                    self.certificate, self.checked = Certificate("exact", exact), True
                    return self.certificate
            except (TypeError, ValueError, ZeroDivisionError):
                break
        cert = dead_output_certificate(self.problem, p)
        if cert is not None:
            self.certificate, self.checked = cert, True
            return cert
        if not wide and obj.value(p) < INTERPOLATION_LOSS:
            cert = interpolation_certificate(self.problem, p)
            if cert is not None:
                self.certificate, self.checked = cert, True
                return cert
        if wide:
            return None
        F, J = from_sympy(obj.grad, obj.params)
        z = certify_zero(F, J, p)
        if z is not None:
            self.certificate, self.checked = Certificate("krawczyk", z.center, z.box), True
        return self.certificate

    def check_certificate(self) -> bool:
        """Re-check a stored certificate from scratch (the replay side: never trust the record)."""
        cert = self.certificate
        if cert is None:
            return False
        obj = self.problem.objective
        if cert.kind == "exact":
            return obj.gradient_is_exactly_zero(cert.point)
        if cert.kind == "interpolation":
            # re-solve from the stored rationals: the exact solution must lie in the stored box
            balls = _solve_output_layer(self.problem, cert.point, cert.solved)
            if balls is None or sorted(cert.solved) != list(cert.solved):
                return False
            return all(box_lo <= lo and hi <= box_hi
                       for b, (box_lo, box_hi) in zip(balls, (cert.box[i] for i in cert.solved))
                       for lo, hi in [arb_endpoints(b)]) and all(
                cert.box[i] == (cert.point[i], cert.point[i]) for i in range(len(cert.point)) if i not in cert.solved)
        if cert.kind == "dead_output":
            return check_dead_output(self.problem, cert)
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
        if cert.kind == "interpolation":
            return Enclosure(0, 0)  # every residual is exactly 0 at the certified point
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
        # the coordinates known exactly: every one at an exact point, the fixed ones of an interpolation box
        exact_at = weight_matrices(self.problem.net, [lo if lo == hi else None for lo, hi in cert.box]
                                   if cert.kind in ("interpolation", "dead_output") else list(cert.point)
                                   if cert.kind == "exact" else [None] * len(cert.point))
        verdicts = []
        for W, Wq in zip(Ws, exact_at):
            r, c = len(W), len(W[0])
            if r < c:
                return False
            if all(v is not None for row in Wq for v in row):
                verdicts.append(exact_rank(Wq) == c)
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
        return {"problem": self.problem.to_json(), "start": [fraction_text(v) for v in self.start],
                "certificate": None if cert is None else {
                    "kind": cert.kind, "point": [fraction_text(v) for v in cert.point],
                    "box": [[fraction_text(lo), fraction_text(hi)] for lo, hi in cert.box], "solved": list(cert.solved)}}

    @classmethod
    def from_json(cls, data: dict) -> "CriticalPoint":
        problem = TrainingProblem.from_json(data["problem"])
        cert = None
        c = data.get("certificate")
        if c is not None:
            cert = Certificate(str(c["kind"]), tuple(Fraction(v) for v in c["point"]),
                               tuple((Fraction(lo), Fraction(hi)) for lo, hi in c.get("box", [])),
                               tuple(int(i) for i in c.get("solved", [])))
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


def wide_training_problems(activations: Sequence[str] = ("tanh",), Ns: Sequence[int] = (3, 4)):
    """One-hidden-layer problems in the over-parameterised regime: ``N`` points in ``R^d`` with
    ``d = N + 1`` (so linearly independent inputs are possible, and every hidden width below is
    at most ``d``, so ``W_1`` can have full column rank) and hidden width
    ``n_1 in {N - 1, N, N + 1}`` (with the bias, at least ``N`` output coordinates: the zero-loss
    points form a manifold); rational data with denominators <= 4."""
    from hypothesis import strategies as st

    small = st.fractions(min_value=-2, max_value=2, max_denominator=4)

    @st.composite
    def draw(draw_):
        N = draw_(st.sampled_from(sorted(Ns)))
        d = N + 1
        n1 = draw_(st.sampled_from([N - 1, N, N + 1]))
        X = [[draw_(small) for _ in range(d)] for _ in range(N)]
        Y = [[draw_(small)] for _ in range(N)]
        act = draw_(st.sampled_from(list(activations)))
        return TrainingProblem(DeepNet((d, n1, 1), act), X, Y)

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
        self.theta = self.problem.parameter_vector(self.theta, "theta")

    def describe(self) -> str:
        from proofcheck.store.readable import short

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
        return {"problem": self.problem.to_json(), "theta": [fraction_text(v) for v in self.theta]}

    @classmethod
    def from_json(cls, data: dict) -> "NetworkPoint":
        return cls(TrainingProblem.from_json(data["problem"]), tuple(Fraction(v) for v in data["theta"]))


def network_points(problems, scale: int = 2):
    """A problem and a rational parameter vector in ``[-scale, scale]``."""
    return _with_parameters(problems, scale, NetworkPoint)
