"""Input distributions on R^k with region second moments, sampling and JSON (their hypothesis
strategies are in :mod:`proofcheck.ml.strategies`).

Common interface (every class)::

    dist.dim                                   # k
    dist.sample(rng, n) -> (n, k) float array
    dist.second_moment_region(normals, signs=None) -> (matrix, err)
    dist.prob_region(normals) -> (p, err)
    dist.to_json() / Class.from_json(data)     # exact (rationals stored as "p/q" strings)

``err`` bounds the absolute error of every entry: 0 for exact finite sums, a rounding bound for
the Gaussian closed forms (see :mod:`proofcheck.geometry`), a quadrature estimate for
4-dimensional Gaussian cones.

Reductions to the standard Gaussian (each verified in ``tests/ml``):

* ``N(0, S)``: ``z = L g`` with ``L = S^{1/2}``; ``a^T z >= 0  <=>  (L a)^T g >= 0`` and
  ``E[z z^T 1] = L E[g g^T 1{(L a)^T g >= 0}] L``;
* uniform on ``S^{k-1}``: ``z = g/|g|`` with ``|g|`` independent of the direction and
  ``E|g|^2 = k``, so moments are the Gaussian ones divided by ``k`` (probabilities unchanged);

Finite atoms are the exact family: rational coordinates and weights, sums in ``Fraction``, the
boundary ``a^T z = 0`` decided exactly and counted as inside.  A refutation rests on them.
"""
from __future__ import annotations

from fractions import Fraction
from typing import Any, Sequence

import numpy as np

from proofcheck.ml.geometry import GeometryError, apply_signs, as_normals, exact_dot, exact_vector, gaussian_cone
from proofcheck.store.codec import storable
from proofcheck.ml.linalg_exact import fraction_text
from proofcheck.model.num import NumericError, to_fraction


class DistributionError(NumericError):
    """A distribution that cannot be used: NaN parameters, no mass, negative weights, bad shapes."""


def _check_matrix(name: str, S: Any, k: int | None = None) -> np.ndarray:
    S = np.asarray(S, dtype=float)
    if not np.all(np.isfinite(S)):
        raise DistributionError(f"{name} contains NaN or infinity")
    if S.ndim != 2 or S.shape[0] != S.shape[1] or (k is not None and S.shape[0] != k):
        raise DistributionError(f"{name} must be a square matrix of size k")
    return S


class Distribution:
    """Base class.  Gaussian-reducible families (z = c L g) set ``L`` and ``moment_scale`` and inherit
    the region methods; finite atoms override them."""

    dim: int
    name = "distribution"

    # -- defaults for families that reduce to a standard Gaussian through z = c * L g -------------
    #: L (k x k) or None for the identity; moment_scale c^2-type factor; exact probabilities
    L: np.ndarray | None = None
    moment_scale: float = 1.0

    def _normals(self, normals, signs):
        return apply_signs(as_normals(normals, self.dim), signs)

    def _whiten(self, A: np.ndarray) -> np.ndarray:
        return A if self.L is None else A @ self.L  # rows: (L^T a)^T = a^T L  (L symmetric)

    def second_moment_region(self, normals, signs=None) -> tuple[np.ndarray, float]:
        A = self._normals(normals, signs)
        _, _, M, err = gaussian_cone(self._whiten(A))
        if self.L is not None:
            M = self.L @ M @ self.L.T
            err = err * float(np.abs(self.L).sum(axis=1).max()) ** 2
        return self.moment_scale * M, self.moment_scale * err

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.to_json()})"

    def __eq__(self, other) -> bool:
        return type(self) is type(other) and self.to_json() == other.to_json()

    def __hash__(self) -> int:
        return hash(repr(self))


@storable
class StandardGaussian(Distribution):
    """``N(0, I_k)``."""

    name = "gaussian"

    def __init__(self, k: int):
        if int(k) < 1:
            raise DistributionError("dimension must be at least 1")
        self.dim = int(k)

    def sample(self, rng, n: int) -> np.ndarray:
        return rng.standard_normal((n, self.dim))

    def to_json(self) -> dict:
        return {"k": self.dim}

    @classmethod
    def from_json(cls, d: dict) -> "StandardGaussian":
        return cls(d["k"])


def _sqrtm_psd(S: np.ndarray) -> np.ndarray:
    if np.abs(S - S.T).max() > 1e-12 * max(1.0, np.abs(S).max()):
        raise DistributionError("covariance must be symmetric")
    w, V = np.linalg.eigh(S)
    if w.min() <= 0:
        raise DistributionError("covariance must be positive definite")
    return (V * np.sqrt(w)) @ V.T


@storable
class Gaussian(Distribution):
    """``N(0, cov)`` (anisotropic), reduced to ``N(0, I)`` by ``z = cov^{1/2} g``."""

    name = "gaussian-cov"

    def __init__(self, cov: Any):
        self.cov = _check_matrix("covariance", cov)
        self.dim = self.cov.shape[0]
        self.L = _sqrtm_psd(self.cov)

    def sample(self, rng, n):
        return rng.standard_normal((n, self.dim)) @ self.L

    def to_json(self):
        return {"cov": self.cov.tolist()}

    @classmethod
    def from_json(cls, d):
        return cls(np.array(d["cov"], dtype=float))


@storable
class UniformSphere(Distribution):
    """Uniform on the unit sphere ``S^{k-1}``: Gaussian angles, second moments scaled by ``1/k``."""

    name = "sphere"

    def __init__(self, k: int):
        if int(k) < 1:
            raise DistributionError("dimension must be at least 1")
        self.dim = int(k)
        self.moment_scale = 1.0 / self.dim

    def sample(self, rng, n):
        g = rng.standard_normal((n, self.dim))
        return g / np.linalg.norm(g, axis=1)[:, None]

    def to_json(self):
        return {"k": self.dim}

    @classmethod
    def from_json(cls, d):
        return cls(d["k"])


def _exact_weights(weights: Sequence[Any]) -> list[Fraction]:
    """Rational weights normalised to sum 1 (none negative, some positive)."""
    if len(weights) == 0:
        raise DistributionError("a distribution with no mass (no atoms)")
    ws = [to_fraction(w) for w in weights]
    if any(w < 0 for w in ws):
        raise DistributionError("negative weight")
    total = sum(ws)
    if total == 0:
        raise DistributionError("a distribution with no mass (weights sum to zero)")
    return [w / total for w in ws]


@storable
class FiniteAtoms(Distribution):
    """``P(z = x_a) = p_a``: finitely many atoms with rational coordinates and rational weights.

    All expectations are exact finite sums (``*_exact`` return ``Fraction``); the float methods
    decide each sign exactly too (float dot products close to 0 are re-done in ``Fraction``), so
    only the final float sum carries rounding."""

    name = "atoms"

    def __init__(self, atoms: Sequence[Sequence[Any]], weights: Sequence[Any] | None = None):
        if len(atoms) == 0:
            raise DistributionError("a distribution with no mass (no atoms)")
        try:
            self.atoms_q = [[to_fraction(x) for x in a] for a in atoms]
        except (NumericError, ValueError, TypeError) as exc:
            raise DistributionError(f"atom coordinates must be finite rationals ({exc})") from None
        dims = {len(a) for a in self.atoms_q}
        if len(dims) != 1:
            raise DistributionError("atoms of different dimensions")
        self.dim = dims.pop()
        if weights is None:
            weights = [1] * len(self.atoms_q)
        if len(weights) != len(self.atoms_q):
            raise DistributionError("one weight per atom")
        try:
            self.weights_q = _exact_weights(weights)
        except NumericError as exc:
            raise DistributionError(str(exc)) from None
        self.atoms = np.array([[float(x) for x in a] for a in self.atoms_q])
        self.weights = np.array([float(w) for w in self.weights_q])

    # -- exact -------------------------------------------------------------------------------
    def _exact_normals(self, normals, signs) -> list[list[Fraction]]:
        """Normals kept exact (Fractions stay Fractions; floats are their dyadic values)."""
        arr = np.asarray(normals, dtype=object)
        if arr.ndim == 1:
            arr = arr[None, :]
        if arr.ndim != 2 or (arr.size and arr.shape[1] != self.dim):
            raise GeometryError(f"normals must be an (r, {self.dim}) array")
        try:
            Aq = [[to_fraction(x) for x in row] for row in arr]
        except NumericError as exc:
            raise GeometryError(f"normals: {exc}") from None
        if any(all(x == 0 for x in a) for a in Aq):
            raise GeometryError("angle undefined for a zero vector")
        if signs is not None:
            if len(signs) != len(Aq) or any(abs(int(t)) != 1 for t in signs):
                raise GeometryError("signs must be one +1/-1 per normal")
            Aq = [[int(t) * x for x in a] for a, t in zip(Aq, signs)]
        return Aq

    def _inside_exact(self, normals, signs) -> list[bool]:
        Aq = self._exact_normals(normals, signs)
        return [all(exact_dot(a, x) >= 0 for a in Aq) for x in self.atoms_q]

    def _inside(self, A: np.ndarray) -> np.ndarray:
        """Exact membership with a float fast path (only near-boundary dots are redone exactly)."""
        D = self.atoms @ A.T  # (atoms, r)
        scale = np.abs(self.atoms) @ np.abs(A).T
        unsure = np.abs(D) <= 1e-9 * scale + 1e-300
        inside = D >= 0
        if unsure.any():
            Aq = [exact_vector(a) for a in A]
            for a_idx, r_idx in zip(*np.nonzero(unsure)):
                inside[a_idx, r_idx] = exact_dot(Aq[r_idx], self.atoms_q[a_idx]) >= 0
        return np.all(inside, axis=1)

    def prob_region_exact(self, normals, signs=None) -> Fraction:
        return sum((w for w, ins in zip(self.weights_q, self._inside_exact(normals, signs)) if ins), Fraction(0))

    # -- float -------------------------------------------------------------------------------
    def second_moment_region(self, normals, signs=None):
        A = self._normals(normals, signs)
        ind = self._inside(A).astype(float) * self.weights
        M = (self.atoms * ind[:, None]).T @ self.atoms
        return M, 1e-15 * float(np.abs(self.atoms).max() ** 2 * len(self.weights) + 1e-300)

    def sample(self, rng, n):
        return self.atoms[rng.choice(len(self.weights), size=n, p=self.weights)]

    def is_unit_norm(self) -> bool:
        """Exactly ``|x| = 1`` for every atom."""
        return all(sum(c * c for c in x) == 1 for x in self.atoms_q)

    def to_json(self):
        return {"atoms": [[fraction_text(c) for c in x] for x in self.atoms_q], "weights": [fraction_text(w) for w in self.weights_q]}

    @classmethod
    def from_json(cls, d):
        return cls([[Fraction(c) for c in x] for x in d["atoms"]], [Fraction(w) for w in d["weights"]])
