r"""Deep fully connected networks as exact symbolic objects, with float, exact and Arb values.

The network of Nguyen & Hein (*The Loss Surface of Deep and Wide Neural Networks*, ICML 2017,
Section 2): layer widths :math:`(d = n_0, n_1, \dots, n_L)`, weights :math:`W_k \in
\mathbb{R}^{n_{k-1}\times n_k}`, biases :math:`b_k \in \mathbb{R}^{n_k}`,

.. math::

   f_0(x) = x,\quad g_k(x) = W_k^\top f_{k-1}(x) + b_k,\quad f_k(x) = \sigma(g_k(x)),

with a linear output layer :math:`f_L = g_L` by default (``output_activation=True`` applies
:math:`\sigma` there too), and the objective :math:`\Phi = \sum_{i=1}^N \sum_{j=1}^m
\ell(f_{Lj}(x_i) - y_{ij})`.

Everything is built as a sympy expression in the parameters, so one object gives

* float values and gradients for search (``numpy`` through ``lambdify``);
* exact values at rational parameters where the activation allows (``tanh(0) = 0``), else
* Arb enclosures (:func:`proofcheck.model.num.arb_eval`), and
* the Hessian for certifying critical points with :mod:`proofcheck.ml.krawczyk`.

Sizes are kept small on purpose (a few dozen parameters): these are the networks on which a
critical point can be certified, not trained.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Sequence

import numpy as np
import sympy
from flint import arb

from proofcheck.model.num import Enclosure, NumericError, _precision, arb_eval, to_fraction

_t = sympy.Symbol("t", real=True)

#: name -> (sympy activation of t, analytic, strictly increasing, bounded or at most linear growth)
ACTIVATIONS: dict[str, tuple[sympy.Expr, bool, bool, bool]] = {
    "tanh": (sympy.tanh(_t), True, True, True),
    "sigmoid": (1 / (1 + sympy.exp(-_t)), True, True, True),
    "softplus": (sympy.log(1 + sympy.exp(_t)), True, True, True),
    "identity": (_t, True, True, True),
    # ReLU is neither analytic nor strictly increasing: outside Assumption 3.2, kept for readings.
    "relu": (sympy.Max(_t, 0), False, False, True),
    # x^3 is analytic and strictly increasing but grows faster than linearly.
    "cube": (_t**3, True, True, False),
}

#: name -> loss l(a) of the residual a
LOSSES: dict[str, sympy.Expr] = {
    "square": _t**2,
    "half_square": _t**2 / 2,
}


class NetworkError(NumericError):
    """Bad network or data: unknown activation, widths that do not fit the data, NaN inputs."""


def _rational_matrix(name: str, M: Any, cols: int | None = None) -> list[list[Fraction]]:
    try:
        rows = [[to_fraction(v) for v in row] for row in M]
    except (NumericError, TypeError, ValueError) as exc:
        raise NetworkError(f"{name} must be a matrix of finite numbers ({exc})") from None
    if not rows or any(len(r) != len(rows[0]) for r in rows):
        raise NetworkError(f"{name} must be a non-empty rectangular matrix")
    if cols is not None and len(rows[0]) != cols:
        raise NetworkError(f"{name} has {len(rows[0])} columns, expected {cols}")
    return rows


@dataclass(frozen=True)
class DeepNet:
    """A fully connected network of the given widths ``(d, n_1, ..., n_L)`` and activation."""

    widths: tuple[int, ...]
    activation: str = "tanh"
    output_activation: bool = False
    bias: bool = True

    def __post_init__(self) -> None:
        if len(self.widths) < 2 or any(int(w) != w or w < 1 for w in self.widths):
            raise NetworkError(f"widths must be at least two positive integers, got {self.widths}")
        if self.activation not in ACTIVATIONS:
            raise NetworkError(f"unknown activation {self.activation!r} (known: {', '.join(ACTIVATIONS)})")

    # ------------------------------------------------------------ structure
    @property
    def depth(self) -> int:
        return len(self.widths) - 1

    @property
    def satisfies_assumption_3_2_activation(self) -> bool:
        """Analytic, strictly increasing, bounded or at most linear growth (Assumption 3.2.2)."""
        _, analytic, increasing, growth = ACTIVATIONS[self.activation]
        return analytic and increasing and growth

    def weight_symbols(self) -> list[sympy.Matrix]:
        return [sympy.Matrix(self.widths[k - 1], self.widths[k],
                             lambda i, j, k=k: sympy.Symbol(f"W{k}_{i}_{j}", real=True))
                for k in range(1, self.depth + 1)]

    def bias_symbols(self) -> list[sympy.Matrix]:
        if not self.bias:
            return [sympy.zeros(self.widths[k], 1) for k in range(1, self.depth + 1)]
        return [sympy.Matrix(self.widths[k], 1, lambda i, _j, k=k: sympy.Symbol(f"b{k}_{i}", real=True))
                for k in range(1, self.depth + 1)]

    def parameters(self) -> list[sympy.Symbol]:
        """All parameters in a fixed order: W_1 row-major, ..., W_L, then b_1, ..., b_L."""
        out: list[sympy.Symbol] = []
        for W in self.weight_symbols():
            out += list(W)
        if self.bias:
            for b in self.bias_symbols():
                out += list(b)
        return out

    def sigma(self, e: sympy.Expr) -> sympy.Expr:
        return ACTIVATIONS[self.activation][0].subs(_t, e)

    # ------------------------------------------------------------ the objective
    def outputs(self, x: Sequence[sympy.Expr]) -> sympy.Matrix:
        """``f_L(x)`` as a column of sympy expressions in the parameters and the inputs ``x``."""
        f = sympy.Matrix(list(x))
        Ws, bs = self.weight_symbols(), self.bias_symbols()
        for k in range(self.depth):
            g = Ws[k].T * f + bs[k]
            last = k == self.depth - 1
            f = g if (last and not self.output_activation) else g.applyfunc(self.sigma)
        return f


class Compiled:
    """One architecture's objective with *symbolic data*, differentiated and compiled once.

    Every training set of the same size reuses it: floats go through ``lambdify`` (fast, for the
    search); exact and Arb values substitute the data into the same expressions."""

    def __init__(self, net: DeepNet, N: int, loss: str):
        if loss not in LOSSES:
            raise NetworkError(f"unknown loss {loss!r} (known: {', '.join(LOSSES)})")
        d, m = net.widths[0], net.widths[-1]
        self.xs = [[sympy.Symbol(f"x{i}_{j}", real=True) for j in range(d)] for i in range(N)]
        self.ys = [[sympy.Symbol(f"y{i}_{j}", real=True) for j in range(m)] for i in range(N)]
        self.params = net.parameters()
        ell = LOSSES[loss]
        total = sympy.Integer(0)
        for x, y in zip(self.xs, self.ys):
            out = net.outputs(x)
            for j, yj in enumerate(y):
                total += ell.subs(_t, out[j] - yj)
        self.expr = total
        self.grad = [sympy.diff(total, p) for p in self.params]
        args = self.params + [v for row in self.xs for v in row] + [v for row in self.ys for v in row]
        self.args = args
        self._f = sympy.lambdify(args, total, modules="numpy", cse=True)
        self._g = sympy.lambdify(args, self.grad, modules="numpy", cse=True)
        self._h = None

    def hessian_fn(self):
        if self._h is None:
            # ReLU's second derivative is a Dirac delta at the kink: 0 almost everywhere, which is
            # all the float search uses (Krawczyk differentiates on its own and refuses deltas).
            hess = [[sympy.diff(g, p).replace(sympy.DiracDelta, lambda *a: 0) for p in self.params]
                    for g in self.grad]
            self._h = sympy.lambdify(self.args, hess, modules="numpy", cse=True)
        return self._h


_COMPILED: dict[tuple, Compiled] = {}

#: Networks with more parameters get floats and Arb values by direct passes instead of compiled
#: symbolic expressions (whose gradient costs seconds to build per architecture).
SYMBOLIC_MAX_PARAMS = 9


def _float_activation(name: str):
    """σ and σ' as numpy functions (lambdified once per activation)."""
    if name not in _FLOAT_ACT:
        e = ACTIVATIONS[name][0]
        _FLOAT_ACT[name] = (sympy.lambdify(_t, e, "numpy"), sympy.lambdify(_t, sympy.diff(e, _t), "numpy"))
    return _FLOAT_ACT[name]


_FLOAT_ACT: dict[str, tuple] = {}


def compiled(net: DeepNet, N: int, loss: str = "square") -> Compiled:
    key = (net, N, loss)
    if key not in _COMPILED:
        _COMPILED[key] = Compiled(net, N, loss)
    return _COMPILED[key]


class Objective:
    """One training set's objective ``Φ(θ)``: floats for search, exact/Arb for re-verification."""

    def __init__(self, net: DeepNet, X: Any, Y: Any, loss: str = "square"):
        self.net = net
        self.X = _rational_matrix("X", X, net.widths[0])
        self.Y = _rational_matrix("Y", Y, net.widths[-1])
        if len(self.X) != len(self.Y):
            raise NetworkError(f"X has {len(self.X)} rows but Y has {len(self.Y)}")
        if loss not in LOSSES:
            raise NetworkError(f"unknown loss {loss!r} (known: {', '.join(LOSSES)})")
        self.loss = loss
        self.params = net.parameters()
        self._data = [float(v) for row in self.X for v in row] + [float(v) for row in self.Y for v in row]
        # the data symbols of Compiled (x{i}_{j}, y{i}_{j}) with their exact values
        self._subs = {}
        for prefix, rows in (("x", self.X), ("y", self.Y)):
            for i, vrow in enumerate(rows):
                for j, v in enumerate(vrow):
                    self._subs[sympy.Symbol(f"{prefix}{i}_{j}", real=True)] = sympy.Rational(v.numerator, v.denominator)
        self._c = None
        self._expr = None
        self._grad = None
        # large networks: floats and Arb values by a direct forward/backward pass (the symbolic
        # gradient of a few dozen parameters takes seconds to build per architecture)
        self.direct = len(self.params) > SYMBOLIC_MAX_PARAMS and loss == "square"

    @property
    def c(self) -> Compiled:
        if self._c is None:
            self._c = compiled(self.net, len(self.X), self.loss)
        return self._c

    @classmethod
    def of(cls, net: DeepNet, X: Any, Y: Any, loss: str = "square") -> "Objective":
        return cls(net, X, Y, loss)

    # exact expressions in the parameters (the data substituted exactly)
    @property
    def expr(self) -> sympy.Expr:
        if self._expr is None:
            self._expr = self.c.expr.subs(self._subs)
        return self._expr

    @property
    def grad(self) -> list[sympy.Expr]:
        if self._grad is None:
            self._grad = [g.subs(self._subs) for g in self.c.grad]
        return self._grad

    # floats (search); an overflow (exp of a large pre-activation) is an inf or NaN the caller
    # handles, not a warning printed with the generated source
    def value(self, theta: Sequence[float]) -> float:
        with np.errstate(all="ignore"):
            if self.direct:
                return self._direct(theta, gradient=False)
            return float(self.c._f(*theta, *self._data))

    def gradient(self, theta: Sequence[float]) -> np.ndarray:
        with np.errstate(all="ignore"):
            if self.direct:
                return self._direct(theta, gradient=True)
            return np.asarray(self.c._g(*theta, *self._data), dtype=float)

    def _direct(self, theta: Sequence[float], gradient: bool):
        """Φ (square loss) or its gradient in floats by a forward and a backward pass
        (``g_k = f_{k-1} W_k + b_k`` over the rows of the data; parameters in ``DeepNet.parameters`` order)."""
        net = self.net
        sig, dsig = _float_activation(net.activation)
        theta = np.asarray(theta, dtype=float)
        Ws, bs, i = [], [], 0
        for k in range(1, net.depth + 1):
            r, c = net.widths[k - 1], net.widths[k]
            Ws.append(theta[i:i + r * c].reshape(r, c))
            i += r * c
        for k in range(1, net.depth + 1):
            c = net.widths[k]
            bs.append(theta[i:i + c] if net.bias else np.zeros(c))
            i += c if net.bias else 0
        f = np.array(self._data[:len(self.X) * net.widths[0]]).reshape(len(self.X), net.widths[0])
        Y = np.array(self._data[len(self.X) * net.widths[0]:]).reshape(len(self.Y), net.widths[-1])
        cache = []
        for k in range(net.depth):
            g = f @ Ws[k] + bs[k]
            linear = k == net.depth - 1 and not net.output_activation
            cache.append((f, g, linear))
            f = g if linear else sig(g)
        r = f - Y
        if not gradient:
            return float(np.sum(r * r))
        delta = 2 * r
        gW, gb = [None] * net.depth, [None] * net.depth
        for k in range(net.depth - 1, -1, -1):
            f_prev, g, linear = cache[k]
            if not linear:
                delta = delta * dsig(g)
            gW[k], gb[k] = f_prev.T @ delta, delta.sum(axis=0)
            delta = delta @ Ws[k].T
        return np.concatenate([w.ravel() for w in gW] + ([b for b in gb] if net.bias else []))

    def hessian(self, theta: Sequence[float]) -> np.ndarray:
        with np.errstate(all="ignore"):
            return np.asarray(self.c.hessian_fn()(*theta, *self._data), dtype=float)

    # exact / rigorous (re-verification)
    def at(self, theta: Sequence[Any]) -> dict[sympy.Symbol, sympy.Rational]:
        if len(theta) != len(self.params):
            raise NetworkError(f"expected {len(self.params)} parameters, got {len(theta)}")
        out = {}
        for p, v in zip(self.params, theta):
            q = to_fraction(v)
            out[p] = sympy.Rational(q.numerator, q.denominator)
        return out

    def gradient_is_exactly_zero(self, theta: Sequence[Any], symbolic: bool = True) -> bool:
        """Every partial derivative is 0 at the rational point ``theta``, decided exactly: an Arb
        ball of radius 0 at 0 is an exact zero; a ball without 0 is not; the rest goes to sympy
        (``symbolic=False``: the rest is not called zero -- sympy's simplification of a large
        network's gradient can take minutes)."""
        env = self.at(theta)
        full = dict(env)
        full.update(self._subs)
        for g in self.c.grad:
            try:
                enc = Enclosure.of(arb_eval(g, full, prec=128))
            except NumericError:
                enc = None
            if enc is not None:
                if enc.lo == 0 and enc.hi == 0:
                    continue
                if enc.lo > 0 or enc.hi < 0:
                    return False
            if not symbolic or sympy.simplify(g.subs(full)) != 0:
                return False
        return True

    def value_enclosure(self, theta: Sequence[Any], prec: int = 128) -> Enclosure:
        if self.direct:
            with _precision(prec):
                total = arb(0)
                for out, y in zip(arb_layer(self.net, self.X, theta, self.net.depth, prec), self.Y):
                    for o, yj in zip(out, y):
                        d = o - arb(yj.numerator) / yj.denominator
                        total += d * d
            return Enclosure.of(total)
        env = self.at(theta)
        env.update(self._subs)
        return Enclosure.of(arb_eval(self.c.expr, env, prec=prec))


def arb_layer(net: DeepNet, X: Sequence[Sequence[Fraction]], theta: Sequence[Any], layer: int,
              prec: int = 128) -> list[list[Any]]:
    """``f_layer(x_i)`` for every row ``x_i`` of ``X`` at rational or ball parameters, as Arb balls
    (a direct forward pass; σ evaluated by :func:`~proofcheck.model.num.arb_eval`; the output layer is
    linear unless ``output_activation``)."""


    def ball(v):
        if isinstance(v, arb):
            return v
        q = to_fraction(v)
        return arb(q.numerator) / q.denominator

    act = ACTIVATIONS[net.activation][0]
    balls = [ball(v) for v in theta]
    Ws = weight_matrices(net, balls)
    bs, i = [], sum(net.widths[k - 1] * net.widths[k] for k in range(1, net.depth + 1))
    for k in range(1, net.depth + 1):
        c = net.widths[k]
        bs.append(balls[i:i + c] if net.bias else [arb(0)] * c)
        i += c if net.bias else 0
    out = []
    with _precision(prec):
        for x in X:
            f = [ball(v) for v in x]
            for k in range(layer):
                g = [sum((Ws[k][a][j] * f[a] for a in range(len(f))), bs[k][j]) for j in range(len(bs[k]))]
                linear = k == net.depth - 1 and not net.output_activation
                f = g if linear else [arb_eval(act, {_t: v}, prec=prec) for v in g]
            out.append(f)
    return out


def weight_matrices(net: DeepNet, theta: Sequence[Any]) -> list[list[list[Any]]]:
    """Split a parameter vector (``DeepNet.parameters`` order) into the weight matrices."""
    out, i = [], 0
    for k in range(1, net.depth + 1):
        r, c = net.widths[k - 1], net.widths[k]
        out.append([[theta[i + a * c + b] for b in range(c)] for a in range(r)])
        i += r * c
    return out


def exact_rank(M: Sequence[Sequence[Any]]) -> int:
    """Rank of a rational matrix, exactly."""
    return sympy.Matrix([[sympy.Rational(str(to_fraction(v))) for v in row] for row in M]).rank()
