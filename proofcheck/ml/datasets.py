"""Training sets of unit-norm inputs with bounded labels, as numpy generators and Hypothesis strategies.

A :class:`Dataset` holds inputs ``X`` (``n x d``, every row of norm 1) and labels ``y`` with
``|y_i| <= C``. Inputs are *exact* points of the unit sphere: each row is the inverse stereographic
image of a rational point, ``x = (2p, |p|^2 - 1) / (|p|^2 + 1)``, so ``||x|| = 1`` holds in exact
rational arithmetic (``X_exact``) and Gram entries ``x_i^T x_j`` are exact rationals. The float ``X``
is the nearest double of each exact entry (norm 1 up to rounding).

Families: ``random`` (uniform directions), ``parallel`` (all within a small angle of one direction),
``orthogonal`` (an orthonormal set, ``n <= d``), ``clustered`` (a few tight clusters), ``antipodal``
(pairs ``x, -x``).

Bad inputs raise :class:`DatasetError` (a :class:`~proofcheck.model.num.NumericError`) with a one-line message:
a zero vector (its direction is undefined), NaN/infinity, a row whose norm is not 1, a label above C.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Sequence

import numpy as np
from hypothesis import strategies as st

from proofcheck.ml.linalg_exact import rational_unit_vector
from proofcheck.store.codec import storable
from proofcheck.model.num import NumericError

KINDS = ("random", "parallel", "orthogonal", "clustered", "antipodal")


class DatasetError(NumericError):
    """A training set that violates the stated hypotheses (zero input, NaN, non-unit norm, |y| > C)."""


# ---------------------------------------------------------------- exact points on the sphere
def rational_unit(v: Sequence[float], denominator: int = 2**20) -> list[Fraction]:
    """An exact rational unit vector close to the direction of ``v`` (inverse stereographic projection).

    The projection is taken from the pole opposite to the larger of ``+-e_d`` nearest to ``v`` so
    that the rational coordinates stay bounded.
    """
    v = np.asarray(v, dtype=float)
    check_vector("vector", v)
    u = v / np.linalg.norm(v)
    sign = 1 if u[-1] >= 0 else -1
    # project from -sign*e_d: p = u[:-1] / (1 + sign*u_d), |p| <= 1
    p = u[:-1] / (1.0 + sign * u[-1])
    w = rational_unit_vector([Fraction(round(float(c) * denominator), denominator) for c in p])
    return w[:-1] + [-sign * w[-1]]  # the map's last coordinate is (|p|^2 - 1)/(|p|^2 + 1): the pole's side


def check_vector(name: str, v: np.ndarray) -> None:
    v = np.asarray(v, dtype=float)
    if not np.all(np.isfinite(v)):
        raise DatasetError(f"{name} contains NaN or infinity")
    if not np.any(v != 0):
        raise DatasetError(f"{name} is the zero vector: its direction (and any angle to it) is undefined")


@storable
@dataclass
class Dataset:
    """Inputs (unit rows) and labels. ``X_exact`` holds the exact rational rows when known."""

    X: np.ndarray
    y: np.ndarray
    C: float = 1.0
    kind: str = "given"
    X_exact: list[list[Fraction]] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.X = np.atleast_2d(np.asarray(self.X, dtype=float))
        self.y = np.asarray(self.y, dtype=float).reshape(-1)
        validate(self.X, self.y, self.C)

    @property
    def n(self) -> int:
        return self.X.shape[0]

    @property
    def d(self) -> int:
        return self.X.shape[1]

    def gram_exact(self) -> list[list[Fraction]]:
        """Exact ``x_i^T x_j`` (requires ``X_exact``)."""
        if self.X_exact is None:
            raise DatasetError("this dataset has no exact rational inputs")
        Xe = self.X_exact
        return [[sum(a * b for a, b in zip(Xe[i], Xe[j])) for j in range(self.n)] for i in range(self.n)]

    def min_angle(self) -> float:
        """Least angle between two inputs, treating x and -x as parallel (0 when n = 1: none)."""
        if self.n < 2:
            return float(np.pi / 2)
        G = np.clip(np.abs(self.X @ self.X.T), -1, 1)
        iu = np.triu_indices(self.n, 1)
        return float(np.min(np.arccos(G[iu])))

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"X": self.X.tolist(), "y": self.y.tolist(), "C": self.C, "kind": self.kind}
        if self.X_exact is not None:
            out["X_exact"] = [[f"{q.numerator}/{q.denominator}" for q in row] for row in self.X_exact]
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Dataset":
        Xe = data.get("X_exact")
        Xe = [[Fraction(q) for q in row] for row in Xe] if Xe else None
        return cls(np.array(data["X"], float), np.array(data["y"], float), data.get("C", 1.0),
                   data.get("kind", "given"), Xe)

    def describe(self) -> str:
        """n, d, the least angle between inputs, the points (exact when known) and labels."""
        from proofcheck.store.readable import short

        points = short(self.X_exact if self.X_exact is not None else self.X, 160)
        return (f"{self.kind} dataset n = {self.n}, d = {self.d}, least angle {np.degrees(self.min_angle()):.3g} deg, "
                f"x = {points}, y = {short(self.y, 80)}")


def validate(X: np.ndarray, y: np.ndarray, C: float) -> None:
    """Raise :class:`DatasetError` unless every input is a finite unit vector and every |y_i| <= C."""
    if X.ndim != 2 or X.shape[0] == 0:
        raise DatasetError("inputs must be a non-empty n x d array")
    if not np.all(np.isfinite(X)):
        raise DatasetError("inputs contain NaN or infinity")
    norms = np.linalg.norm(X, axis=1)
    for i, nrm in enumerate(norms):
        if nrm == 0:
            raise DatasetError(f"input x_{i + 1} is the zero vector: its direction is undefined")
        if abs(nrm - 1) > 1e-9:
            raise DatasetError(f"input x_{i + 1} has norm {nrm:.6g}, the setting requires ||x_i|| = 1")
    if y.shape[0] != X.shape[0]:
        raise DatasetError(f"{y.shape[0]} labels for {X.shape[0]} inputs")
    if not np.all(np.isfinite(y)):
        raise DatasetError("labels contain NaN or infinity")
    if not np.isfinite(C) or C < 0:
        raise DatasetError(f"label bound C = {C} must be a finite non-negative number")
    if np.any(np.abs(y) > C):
        raise DatasetError(f"a label exceeds the bound: max |y_i| = {np.max(np.abs(y)):.6g} > C = {C}")


def from_directions(V: np.ndarray, y: Sequence[float], C: float = 1.0, kind: str = "given") -> Dataset:
    """A dataset whose inputs are exact rational unit vectors along the rows of ``V``."""
    V = np.atleast_2d(np.asarray(V, dtype=float))
    for i, row in enumerate(V):
        check_vector(f"direction {i + 1}", row)
    Xe = [rational_unit(row) for row in V]
    X = np.array([[float(q) for q in row] for row in Xe])
    return Dataset(X, np.asarray(y, float), C, kind, Xe)


# ---------------------------------------------------------------- numpy generators
def directions(rng: np.random.Generator, n: int, d: int, kind: str, spread: float = 0.05) -> np.ndarray:
    """``n`` directions in ``R^d`` of the given family (not yet exact; see :func:`make`)."""
    if kind == "random":
        return rng.standard_normal((n, d))
    if kind == "parallel":
        base = rng.standard_normal(d)
        base /= np.linalg.norm(base)
        return base + spread * rng.standard_normal((n, d)) / np.sqrt(d)
    if kind == "orthogonal":
        if n > d:
            raise DatasetError(f"{n} orthogonal inputs need d >= {n}, got d = {d}")
        Q, _ = np.linalg.qr(rng.standard_normal((d, d)))
        return Q[:, :n].T
    if kind == "clustered":
        k = max(1, (n + 1) // 2)
        centres = rng.standard_normal((k, d))
        centres /= np.linalg.norm(centres, axis=1, keepdims=True)
        return centres[np.arange(n) % k] + spread * rng.standard_normal((n, d))
    if kind == "antipodal":
        half = rng.standard_normal(((n + 1) // 2, d))
        return np.concatenate([half, -half])[:n]
    raise DatasetError(f"unknown dataset kind {kind!r} (choose from {', '.join(KINDS)})")


def make(rng: np.random.Generator, n: int, d: int | None = None, kind: str = "random", C: float = 1.0,
         spread: float = 0.05, labels: str = "uniform") -> Dataset:
    """A random dataset: exact unit inputs of the family ``kind``, labels uniform in [-C, C]
    (``labels="small"``: uniform in [-C/100, C/100]; ``"zero"``: all 0)."""
    d = d or n
    V = directions(rng, n, d, kind, spread)
    if labels == "uniform":
        y = rng.uniform(-C, C, n)
    elif labels == "small":
        y = rng.uniform(-C / 100, C / 100, n)
    elif labels == "zero":
        y = np.zeros(n)
    else:
        raise DatasetError(f"unknown label family {labels!r}")
    return from_directions(V, y, C, kind)


def orthonormal(n: int, C: float = 1.0, y: Sequence[float] | None = None) -> Dataset:
    """The standard basis ``e_1..e_n`` of ``R^n`` (``H^inf = I/2``, ``lambda_0 = 1/2``)."""
    Xe = [[Fraction(int(i == j)) for j in range(n)] for i in range(n)]
    yv = np.zeros(n) if y is None else np.asarray(y, float)
    return Dataset(np.eye(n), yv, C, "orthogonal", Xe)


# ---------------------------------------------------------------- hypothesis strategies
@st.composite
def datasets(draw, n=st.integers(1, 4), d=None, kinds: Sequence[str] = KINDS, C: float = 1.0,
             spread=st.floats(1e-3, 0.5)) -> Dataset:
    """Hypothesis strategy for datasets (the numpy draw is seeded by Hypothesis, so it shrinks and replays)."""
    nn = draw(n) if hasattr(n, "example") else int(n)
    dd = draw(d) if d is not None and hasattr(d, "example") else (int(d) if d is not None else None)
    kind = draw(st.sampled_from([k for k in kinds if k != "orthogonal" or (dd or nn) >= nn]))
    seed = draw(st.integers(0, 2**32 - 1))
    sp = draw(spread) if hasattr(spread, "example") else float(spread)
    return make(np.random.default_rng(seed), nn, dd or nn, kind, C, sp)
