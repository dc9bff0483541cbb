"""Input distributions on R^k with region second moments, sampling, JSON and hypothesis strategies.

Common interface (every class)::

    dist.dim                                   # k
    dist.sample(rng, n) -> (n, k) float array
    dist.second_moment_region(normals, signs=None, method="auto") -> (matrix, err)
    dist.prob_region(normals) -> (p, err)
    dist.to_json() / Class.from_json(data)     # exact (rationals stored as "p/q" strings)

``err`` bounds the absolute error of every entry: 0 for exact finite sums, a rounding bound for
the Gaussian closed forms (see :mod:`proofcheck.geometry`), a quadrature estimate for
4-dimensional Gaussian cones, a confidence half-width for Monte Carlo (``method="mc"``).

Reductions to the standard Gaussian (each verified in ``tests/geometry``):

* ``N(0, S)``: ``z = L g`` with ``L = S^{1/2}``; ``a^T z >= 0  <=>  (L a)^T g >= 0`` and
  ``E[z z^T 1] = L E[g g^T 1{(L a)^T g >= 0}] L``;
* uniform on ``S^{k-1}``: ``z = g/|g|`` with ``|g|`` independent of the direction and
  ``E|g|^2 = k``, so moments are the Gaussian ones divided by ``k`` (probabilities unchanged);
* multivariate Student t with ``nu > 2``: ``z = s L g`` with ``s^2 = nu / chi^2_nu`` independent
  of ``g`` and of the (scale-invariant) event, so moments are ``E[s^2] = nu/(nu - 2)`` times the
  Gaussian ones;
* mixtures: weighted sums (errors add).

Finite atoms are the exact family: rational coordinates and weights, sums in ``Fraction``, the
boundary ``a^T z = 0`` decided exactly and counted as inside.  A refutation rests on them.
"""
from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, Sequence

import numpy as np

from proofcheck.ml.geometry import (GeometryError, apply_signs, as_normals, exact_dot, exact_vector, gaussian_cone,
                       monte_carlo_moment)
from proofcheck.store.codec import storable
from proofcheck.model.num import NumericError, to_fraction


class DistributionError(NumericError):
    """A distribution that cannot be used: NaN parameters, no mass, negative weights, bad shapes."""


def _q(x: Fraction) -> str:
    return f"{x.numerator}/{x.denominator}"


def _check_matrix(name: str, S: Any, k: int | None = None) -> np.ndarray:
    S = np.asarray(S, dtype=float)
    if not np.all(np.isfinite(S)):
        raise DistributionError(f"{name} contains NaN or infinity")
    if S.ndim != 2 or S.shape[0] != S.shape[1] or (k is not None and S.shape[0] != k):
        raise DistributionError(f"{name} must be a square matrix of size k")
    return S


class Distribution:
    """Base class.  Gaussian-reducible families (z = c L g) set ``L`` and ``moment_scale`` and inherit
    the region methods; others (atoms, mixtures) override them."""

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

    def second_moment_region(self, normals, signs=None, method: str = "auto") -> tuple[np.ndarray, float]:
        A = self._normals(normals, signs)
        if method == "mc":
            rng = np.random.default_rng(0)
            M, _, err, _ = monte_carlo_moment(self.sample(rng, 400_000), A)
            return M, err
        if method not in ("auto", "exact", "closed"):
            raise DistributionError(f"unknown method {method!r}")
        _, _, M, err = gaussian_cone(self._whiten(A))
        if self.L is not None:
            M = self.L @ M @ self.L.T
            err = err * float(np.abs(self.L).sum(axis=1).max()) ** 2
        return self.moment_scale * M, self.moment_scale * err

    def prob_region(self, normals, signs=None) -> tuple[float, float]:
        A = self._normals(normals, signs)
        P, _, _, err = gaussian_cone(self._whiten(A))
        return P, err

    def second_moment(self) -> np.ndarray:
        """``E[z z^T]``."""
        return self.second_moment_region(np.zeros((0, self.dim)))[0]

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


@storable
class StudentT(Distribution):
    """Multivariate t with ``nu > 2`` degrees of freedom and scale ``S`` (default ``I``):
    ``z = sqrt(nu / V) S^{1/2} g``, ``V ~ chi^2_nu``; moments ``nu/(nu-2)`` times the Gaussian ones."""

    name = "student-t"

    def __init__(self, k: int, nu: float, scale: Any = None):
        nu = float(nu)
        if not math.isfinite(nu) or nu <= 2:
            raise DistributionError("Student t needs finite nu > 2 for second moments")
        self.dim = int(k)
        self.nu = nu
        self.scale = None if scale is None else _check_matrix("scale", scale, self.dim)
        self.L = None if self.scale is None else _sqrtm_psd(self.scale)
        self.moment_scale = nu / (nu - 2.0)

    def sample(self, rng, n):
        g = rng.standard_normal((n, self.dim))
        if self.L is not None:
            g = g @ self.L
        return g * np.sqrt(self.nu / rng.chisquare(self.nu, size=n))[:, None]

    def to_json(self):
        return {"k": self.dim, "nu": self.nu, "scale": None if self.scale is None else self.scale.tolist()}

    @classmethod
    def from_json(cls, d):
        return cls(d["k"], d["nu"], None if d.get("scale") is None else np.array(d["scale"], dtype=float))


def _check_weights(weights: Sequence[Any], exact: bool):
    if len(weights) == 0:
        raise DistributionError("a distribution with no mass (no components)")
    ws = [to_fraction(w) for w in weights] if exact else [float(w) for w in weights]
    if not exact and not all(math.isfinite(w) for w in ws):
        raise DistributionError("weights contain NaN or infinity")
    if any(w < 0 for w in ws):
        raise DistributionError("negative weight")
    total = sum(ws)
    if total == 0:
        raise DistributionError("a distribution with no mass (weights sum to zero)")
    return [w / total for w in ws]


@storable
class Mixture(Distribution):
    """``sum_c w_c D_c`` (weights normalised to sum 1)."""

    name = "mixture"

    def __init__(self, weights: Sequence[float], components: Sequence[Distribution]):
        if len(weights) != len(components):
            raise DistributionError("one weight per component")
        self.weights = np.array(_check_weights(weights, exact=False))
        self.raw_weights = [float(w) for w in weights]  # stored as given, so JSON round-trips exactly
        self.components = list(components)
        dims = {c.dim for c in self.components}
        if len(dims) != 1:
            raise DistributionError("mixture components of different dimensions")
        self.dim = dims.pop()

    def sample(self, rng, n):
        idx = rng.choice(len(self.components), size=n, p=self.weights)
        out = np.empty((n, self.dim))
        for c, comp in enumerate(self.components):
            sel = idx == c
            if sel.any():
                out[sel] = comp.sample(rng, int(sel.sum()))
        return out

    def second_moment_region(self, normals, signs=None, method="auto"):
        M = np.zeros((self.dim, self.dim))
        err = 0.0
        for w, c in zip(self.weights, self.components):
            Mc, ec = c.second_moment_region(normals, signs=signs, method=method)
            M += w * Mc
            err += w * ec
        return M, err + 1e-15 * float(np.abs(M).max() + 1)

    def prob_region(self, normals, signs=None):
        P, err = 0.0, 0.0
        for w, c in zip(self.weights, self.components):
            p, e = c.prob_region(normals, signs=signs)
            P += w * p
            err += w * e
        return P, err

    def to_json(self):
        from proofcheck.store.codec import encode

        return {"weights": self.raw_weights, "components": [encode(c) for c in self.components]}

    @classmethod
    def from_json(cls, d):
        from proofcheck.store.codec import decode

        return cls(d["weights"], [decode(c) for c in d["components"]])


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
            self.weights_q = _check_weights(weights, exact=True)
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

    def second_moment_region_exact(self, normals, signs=None) -> np.ndarray:
        k = self.dim
        M = [[Fraction(0)] * k for _ in range(k)]
        for x, w, ins in zip(self.atoms_q, self.weights_q, self._inside_exact(normals, signs)):
            if ins:
                for i in range(k):
                    wx = w * x[i]
                    for j in range(k):
                        M[i][j] += wx * x[j]
        out = np.empty((k, k), dtype=object)
        for i in range(k):
            for j in range(k):
                out[i, j] = M[i][j]
        return out

    def prob_region_exact(self, normals, signs=None) -> Fraction:
        return sum((w for w, ins in zip(self.weights_q, self._inside_exact(normals, signs)) if ins), Fraction(0))

    # -- float -------------------------------------------------------------------------------
    def second_moment_region(self, normals, signs=None, method="auto"):
        A = self._normals(normals, signs)
        ind = self._inside(A).astype(float) * self.weights
        M = (self.atoms * ind[:, None]).T @ self.atoms
        return M, 1e-15 * float(np.abs(self.atoms).max() ** 2 * len(self.weights) + 1e-300)

    def prob_region(self, normals, signs=None):
        A = self._normals(normals, signs)
        return float(self.weights[self._inside(A)].sum()), 1e-15

    def sample(self, rng, n):
        return self.atoms[rng.choice(len(self.weights), size=n, p=self.weights)]

    def is_unit_norm(self) -> bool:
        """Exactly ``|x| = 1`` for every atom."""
        return all(sum(c * c for c in x) == 1 for x in self.atoms_q)

    def to_json(self):
        return {"atoms": [[_q(c) for c in x] for x in self.atoms_q], "weights": [_q(w) for w in self.weights_q]}

    @classmethod
    def from_json(cls, d):
        return cls([[Fraction(c) for c in x] for x in d["atoms"]], [Fraction(w) for w in d["weights"]])


# ------------------------------------------------------------------ rational points on the sphere
def rational_unit_vector(t: Sequence[Any]) -> list[Fraction]:
    """Inverse stereographic projection of ``t in Q^{k-1}``: an exactly unit vector in ``Q^k``,
    ``((2 t), |t|^2 - 1) / (|t|^2 + 1)`` (k = 2 gives the Pythagorean triples)."""
    tq = [to_fraction(x) for x in t]
    s = sum(x * x for x in tq)
    return [2 * x / (s + 1) for x in tq] + [(s - 1) / (s + 1)]


def rational_direction(v: Sequence[float], denominator: int = 1000) -> list[Fraction]:
    """An exactly unit rational vector close to the direction of ``v`` (via the stereographic chart
    away from the pole nearest ``v``)."""
    v = np.asarray(v, dtype=float)
    n = np.linalg.norm(v)
    if not np.all(np.isfinite(v)) or n == 0:
        raise DistributionError("direction undefined for a zero or non-finite vector")
    u = v / n
    flip = u[-1] > 0  # project from the pole farther from u for accuracy
    w = -u if flip else u
    t = [Fraction(round(x / (1 - w[-1]) * denominator), denominator) for x in w[:-1]]
    out = rational_unit_vector(t)
    return [-x for x in out] if flip else out


def unit_atoms(directions: Sequence[Sequence[float]], weights=None, denominator: int = 1000) -> FiniteAtoms:
    """Finite atoms exactly on the unit sphere, near the given directions."""
    return FiniteAtoms([rational_direction(d, denominator) for d in directions], weights)


# ------------------------------------------------------------------ hypothesis strategies
def gaussians(k: int):
    """Standard and anisotropic Gaussians on R^k (covariances well conditioned)."""
    from hypothesis import strategies as st

    def aniso(entries):
        B = np.array(entries, dtype=float).reshape(k, k)
        return Gaussian(B @ B.T + 0.5 * np.eye(k))

    fl = st.floats(-2, 2, allow_nan=False, allow_infinity=False)
    return st.one_of(st.just(StandardGaussian(k)), st.lists(fl, min_size=k * k, max_size=k * k).map(aniso))


def finite_atoms(k: int, max_atoms: int = 8, max_denominator: int = 8):
    """Finite atoms with small rational coordinates and positive rational weights."""
    from hypothesis import strategies as st

    coord = st.fractions(min_value=-3, max_value=3, max_denominator=max_denominator)
    atom = st.lists(coord, min_size=k, max_size=k).filter(lambda a: any(c != 0 for c in a))
    weight = st.fractions(min_value=Fraction(1, max_denominator), max_value=4, max_denominator=max_denominator)
    return st.integers(1, max_atoms).flatmap(
        lambda m: st.tuples(st.lists(atom, min_size=m, max_size=m), st.lists(weight, min_size=m, max_size=m))
    ).map(lambda aw: FiniteAtoms(aw[0], aw[1]))


def unit_norm_atoms(k: int, max_atoms: int = 8):
    """Atoms exactly on the unit sphere (rational stereographic points)."""
    from hypothesis import strategies as st

    t = st.fractions(min_value=-4, max_value=4, max_denominator=6)
    pt = st.lists(t, min_size=k - 1, max_size=k - 1).map(rational_unit_vector)
    weight = st.fractions(min_value=Fraction(1, 8), max_value=4, max_denominator=8)
    return st.integers(1, max_atoms).flatmap(
        lambda m: st.tuples(st.lists(pt, min_size=m, max_size=m), st.lists(weight, min_size=m, max_size=m))
    ).map(lambda aw: FiniteAtoms(aw[0], aw[1]))


def student_ts(k: int):
    """Multivariate t with nu in [2.5, 30]."""
    from hypothesis import strategies as st

    return st.floats(2.5, 30).map(lambda nu: StudentT(k, nu))


def mixtures(k: int):
    """Mixtures of 1-3 Gaussian, sphere and Student t components."""
    from hypothesis import strategies as st

    comp = st.one_of(gaussians(k), st.just(UniformSphere(k)), student_ts(k))
    return st.lists(st.tuples(st.floats(0.1, 1.0), comp), min_size=1, max_size=3).map(
        lambda wc: Mixture([w for w, _ in wc], [c for _, c in wc]))


def distributions(k: int, max_atoms: int = 8):
    """Any family above."""
    from hypothesis import strategies as st

    return st.one_of(gaussians(k), st.just(UniformSphere(k)), student_ts(k), mixtures(k),
                     finite_atoms(k, max_atoms), unit_norm_atoms(k, max_atoms))
