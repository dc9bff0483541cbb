"""Hypothesis strategies for the objects of two-layer ReLU network theory, and the objects themselves.

Every strategy draws *exact* objects (rational coordinates, rational weights) wherever a claim's
refutation must rest on them, shrinks towards small simple instances (``n = 1``, ``k = 2``, small
denominators, the identity frame, the first atom only), and every value round-trips through the
counterexample store exactly (``to_json``/``from_json``, the codec's ``$obj``).

* :class:`TeacherStudent` -- weights ``W`` and targets ``W*`` (``k x n`` rational), with
  :func:`teacher_students` drawing them free or with every ``angle(w_i, w_i*)`` equal to
  ``phi = 2 atan t`` *exactly* for any ``k >= 2`` (each neuron in its own rational orthonormal
  frame, from the Cayley transform of a rational skew-symmetric matrix);
* :class:`Network` -- an input distribution with a teacher--student pair (the instance most
  claims quantify over), with :func:`networks` optionally placing atoms exactly on the teacher's
  hyperplanes ``w_j*^T z = 0`` (the boundary cases of Def. 2.1's closed regions);
* :func:`atoms`, :func:`unit_atoms`, :func:`gaussians`, :func:`rotated_gaussians`,
  :func:`uniform_spheres` -- input distributions.

Bad input (a zero vector, a distribution with no mass, NaN weights) raises a one-line
:class:`~proofcheck.model.num.NumericError`.
"""
from __future__ import annotations

from fractions import Fraction
from functools import lru_cache
from typing import Any, Sequence

import numpy as np
from hypothesis import strategies as st

from proofcheck.ml.distributions import (Distribution, DistributionError, FiniteAtoms, Gaussian, StandardGaussian,
                            UniformSphere)
from proofcheck.ml.linalg_exact import fraction_text, rational_unit_vector
from proofcheck.model.num import NumericError, to_fraction
from proofcheck.store.readable import short, value_text
from proofcheck.store.codec import decode, encode, storable


class InstanceError(NumericError):
    """A malformed network instance (zero vector, shapes that do not match, NaN)."""


def exact_matrix(M: Any, name: str) -> np.ndarray:
    """A ``k x n`` object array of ``Fraction`` with no zero column (one-line error otherwise)."""
    arr = np.asarray(M, dtype=object)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.size == 0:
        raise InstanceError(f"{name} must be a non-empty k x n matrix")
    try:
        out = np.empty(arr.shape, dtype=object)
        for idx, x in np.ndenumerate(arr):
            out[idx] = to_fraction(x)
    except (NumericError, ValueError, TypeError, OverflowError) as exc:
        raise InstanceError(f"{name} must have finite rational entries ({exc})") from None
    for j in range(out.shape[1]):
        if all(x == 0 for x in out[:, j]):
            raise InstanceError(f"{name} has a zero column {j + 1}: the angle is undefined for a zero vector")
    return out


class SameByJson:
    """Equal, and hashed, by the stored form (``to_json``): two objects that store the same are the same."""

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and self.to_json() == other.to_json()

    def __hash__(self) -> int:
        return hash(str(self.to_json()))


@storable
class TeacherStudent(SameByJson):
    """Student weights ``W`` and teacher weights ``W*`` (columns ``w_i``, ``w_i*``), exact."""

    def __init__(self, W: Any, W_star: Any):
        self.W = exact_matrix(W, "W")
        self.W_star = exact_matrix(W_star, "W_star")
        if self.W.shape != self.W_star.shape:
            raise InstanceError(f"W {self.W.shape} and W_star {self.W_star.shape} differ in shape")

    @property
    def k(self) -> int:
        return self.W.shape[0]

    @property
    def n(self) -> int:
        return self.W.shape[1]

    def columns(self, which: str = "W") -> list[list[Fraction]]:
        M = self.W if which == "W" else self.W_star
        return [list(M[:, i]) for i in range(M.shape[1])]

    def cos_sq_angles(self) -> list[Fraction]:
        """Signed ``cos^2 angle(w_i, w_i*)`` of each neuron, exactly."""
        out = []
        for a, b in zip(self.columns("W"), self.columns("W_star")):
            ab = sum(x * y for x, y in zip(a, b))
            aa, bb = sum(x * x for x in a), sum(x * x for x in b)
            out.append((1 if ab >= 0 else -1) * ab * ab / (aa * bb))
        return out

    def equal_angles(self) -> bool:
        return len(set(self.cos_sq_angles())) == 1

    def to_json(self) -> dict:
        return {"W": [[fraction_text(x) for x in row] for row in self.W], "W_star": [[fraction_text(x) for x in row] for row in self.W_star]}

    @classmethod
    def from_json(cls, d: dict) -> "TeacherStudent":
        return cls([[Fraction(x) for x in row] for row in d["W"]], [[Fraction(x) for x in row] for row in d["W_star"]])

    def describe(self) -> str:
        """Student and teacher weights; column i is neuron i."""
        return f"{self.n} neuron(s) in R^{self.k}: student W = {short(self.W, 120)}, teacher W* = {short(self.W_star, 120)}"

    def __repr__(self) -> str:
        return f"TeacherStudent(W={self.to_json()['W']}, W_star={self.to_json()['W_star']})"


@storable
class Network(SameByJson):
    """An input distribution with a teacher--student pair: one instance of a theorem's setting."""

    def __init__(self, dist: Distribution, ts: TeacherStudent):
        if not isinstance(dist, Distribution):
            raise InstanceError("dist must be an input distribution")
        if not isinstance(ts, TeacherStudent):
            raise InstanceError("ts must be a TeacherStudent")
        if dist.dim != ts.k:
            raise InstanceError(f"inputs in R^{dist.dim} but weights in R^{ts.k}")
        self.dist, self.ts = dist, ts

    @property
    def W(self) -> np.ndarray:
        return self.ts.W

    @property
    def W_star(self) -> np.ndarray:
        return self.ts.W_star

    @property
    def k(self) -> int:
        return self.ts.k

    @property
    def n(self) -> int:
        return self.ts.n

    def boundary_gap(self, which: str = "both") -> Fraction:
        """``min |v^T z|`` over atoms ``z`` and hyperplane normals ``v`` (``W``, ``W*`` or both):
        ``> 0`` exactly when no atom lies on those hyperplanes (finite atoms only)."""
        if not isinstance(self.dist, FiniteAtoms):
            raise InstanceError("boundary_gap is defined for finite atoms")
        normals = []
        if which in ("both", "W"):
            normals += self.ts.columns("W")
        if which in ("both", "W_star"):
            normals += self.ts.columns("W_star")
        return min(abs(sum(a * b for a, b in zip(v, z))) for v in normals for z in self.dist.atoms_q)

    def to_json(self) -> dict:
        return {"dist": encode(self.dist), "ts": self.ts.to_json()}

    @classmethod
    def from_json(cls, d: dict) -> "Network":
        return cls(decode(d["dist"]), TeacherStudent.from_json(d["ts"]))

    def describe(self) -> str:
        return f"inputs {value_text(encode(self.dist), limit=160)}; {self.ts.describe()}"

    def __repr__(self) -> str:
        return f"Network(dist={self.dist!r}, {self.ts!r})"


# ------------------------------------------------------------------ exact building blocks
#: grids with at most this many values keep a table of them (a lookup per drawn value, no arithmetic)
_TABLE_LIMIT = 4096


class RationalGrid:
    """The rationals :func:`rationals` draws from ``[lo, hi]`` with denominators ``<= D``, each coded
    by one integer, so that a vector or a matrix of them is one draw of integers: Hypothesis's cost is
    per draw, and three draws per rational (denominator, numerator, sign) made building the drawn
    objects dearer than evaluating them.

    Index ``i = ((d - 1)(D + 1) + j) * 2 + neg`` (the sign bit only when ``lo < 0 < hi``) codes the
    value ``j mod (d + 1) / d`` of ``hi`` (of ``lo`` when ``neg``), or ``lo + (hi - lo) (j mod (d + 1))/d``
    on an interval that does not straddle 0. A uniform index gives the same values with the same odds
    as the three independent uniform draws did; index 0 is 0 (``lo`` when ``0 < lo``), and the
    denominator is the most significant digit, so shrinking the index shrinks to 0 and to
    denominator 1."""

    def __init__(self, lo: Fraction | int, hi: Fraction | int, max_denominator: int):
        self.lo, self.hi = Fraction(lo), Fraction(hi)
        if self.lo > self.hi:
            raise ValueError(f"empty interval [{self.lo}, {self.hi}]")
        if max_denominator < 1:
            raise ValueError(f"max_denominator must be >= 1, not {max_denominator}")
        self.max_denominator = max_denominator
        self.signs = 2 if self.lo < 0 < self.hi else 1
        self.size = max_denominator * (max_denominator + 1) * self.signs
        self.index = st.integers(0, self.size - 1)
        self._table = tuple(map(self._decode, range(self.size))) if self.size <= _TABLE_LIMIT else None

    def _decode(self, i: int) -> Fraction:
        rest, neg = divmod(i, self.signs)
        den_less_one, j = divmod(rest, self.max_denominator + 1)
        frac = Fraction(j % (den_less_one + 2), den_less_one + 1)
        if self.signs == 2:
            return self.lo * frac if neg else self.hi * frac
        return self.lo + (self.hi - self.lo) * frac

    def value(self, i: int) -> Fraction:
        return self._table[i] if self._table is not None else self._decode(i)

    def values(self, indices: Sequence[int]) -> list[Fraction]:
        return [self.value(i) for i in indices]

    def indices(self, size: int):
        """``size`` indices in one list draw."""
        return st.lists(self.index, min_size=size, max_size=size)


@lru_cache(maxsize=None)
def rational_grid(lo: Fraction | int, hi: Fraction | int, max_denominator: int) -> RationalGrid:
    """The (shared) :class:`RationalGrid` of ``[lo, hi]`` with denominators ``<= max_denominator``."""
    return RationalGrid(lo, hi, max_denominator)


def rationals(lo: Fraction | int = -2, hi: Fraction | int = 2, max_denominator: int = 4):
    """Rationals in ``[lo, hi]`` with denominators ``<= max_denominator``, spread over the interval;
    shrink to 0 (or to ``lo`` when ``0 < lo``) and to denominator 1. One integer per rational
    (:class:`RationalGrid`)."""
    grid = rational_grid(Fraction(lo), Fraction(hi), max_denominator)
    return grid.index.map(grid.value)


def nonzero_or_e1(v: list[Fraction]) -> list[Fraction]:
    """``v``, or ``e_1`` in its place when ``v`` is the zero vector (no filtering: a zero draw is kept
    as a valid, simple one)."""
    return v if any(x != 0 for x in v) else [Fraction(1)] + v[1:]


def rational_vectors(k: int, lo=-2, hi=2, max_denominator: int = 4, nonzero: bool = True):
    """Rational k-vectors, one list of integer codes each; ``nonzero`` replaces the zero vector by
    ``e_1`` (no filtering)."""
    grid = rational_grid(Fraction(lo), Fraction(hi), max_denominator)
    fix = nonzero_or_e1 if nonzero else list
    return grid.indices(k).map(lambda ix: fix(grid.values(ix)))


def cayley_frame(A: Sequence[Sequence[Fraction]]) -> list[list[Fraction]]:
    """The rational orthogonal matrix ``Q = (I - A)(I + A)^{-1}`` of a rational skew-symmetric ``A``
    (``I + A`` is always invertible); its columns are an exact orthonormal frame."""
    k = len(A)
    M = [[Fraction(int(i == j)) + A[i][j] for j in range(k)] + [Fraction(int(i == j)) for j in range(k)] for i in range(k)]
    for c in range(k):  # Gauss-Jordan on [I + A | I]
        p = next(r for r in range(c, k) if M[r][c] != 0)
        M[c], M[p] = M[p], M[c]
        piv = M[c][c]
        M[c] = [x / piv for x in M[c]]
        for r in range(k):
            if r != c and M[r][c] != 0:
                f = M[r][c]
                M[r] = [x - f * y for x, y in zip(M[r], M[c])]
    inv = [row[k:] for row in M]
    ImA = [[Fraction(int(i == j)) - A[i][j] for j in range(k)] for i in range(k)]
    return [[sum(ImA[i][m] * inv[m][j] for m in range(k)) for j in range(k)] for i in range(k)]


def skew_matrices(k: int, max_denominator: int = 3):
    """Rational skew-symmetric ``k x k`` matrices (shrink to 0, i.e. the identity frame)."""
    m = k * (k - 1) // 2

    def build(vals):
        A = [[Fraction(0)] * k for _ in range(k)]
        it = iter(vals)
        for i in range(k):
            for j in range(i + 1, k):
                A[i][j] = next(it)
                A[j][i] = -A[i][j]
        return A
    grid = rational_grid(Fraction(-2), Fraction(2), max_denominator)
    return grid.indices(m).map(lambda ix: build(grid.values(ix)))


def rotation_parameter(max_t: Fraction | int = 3, min_t: Fraction | int = 0, max_denominator: int = 8):
    """``t`` with ``phi = 2 atan t``: ``cos phi = (1 - t^2)/(1 + t^2)``, ``sin phi = 2t/(1 + t^2)``."""
    return rationals(min_t, max_t, max_denominator)


# ------------------------------------------------------------------ teacher-student weights
def teacher_students(k: int | Sequence[int] = 2, n: int | Sequence[int] = (1, 2, 3), angle: str = "free",
                     t=None, max_denominator: int = 4):
    """:class:`TeacherStudent` strategies for any ``k >= 2`` and ``n >= 1``.

    ``angle="free"``: independent nonzero rational columns. ``angle="equal"``: neuron ``i`` has a
    rational orthonormal frame ``(q1, q2)`` (Cayley transform), ``w_i* = r_i q1`` and
    ``w_i = s_i (cos phi q1 + sin phi q2)`` with ``phi = 2 atan t`` the same for every ``i`` --
    exactly equal angles, any ``k`` (for ``k = 2``: any rational ``w_i*`` rotated by ``+-phi``). ``t`` is a strategy of the rotation parameter (default
    ``[0, 3]``)."""
    ks = [k] if isinstance(k, int) else list(k)
    ns = [n] if isinstance(n, int) else list(n)
    t_strategy = rotation_parameter() if t is None else t
    # sub-strategies are built once (building them inside draws costs more than drawing)
    grid = rational_grid(Fraction(-2), Fraction(2), max_denominator)
    vecs = {kk: rational_vectors(kk, max_denominator=max_denominator) for kk in ks}
    # "free": the 2 n columns of W* and W, k integer codes each, in one list draw
    free_columns = {(kk, nn): grid.indices(2 * kk * nn) for kk in ks for nn in ns}
    skews = {kk: skew_matrices(kk) for kk in ks}
    positive = rationals(Fraction(1, 2), 2, max_denominator)
    k_choice, n_choice = st.sampled_from(ks), st.sampled_from(ns)

    @st.composite
    def build(draw):
        kk = draw(k_choice)
        nn = draw(n_choice)
        if angle == "free":
            codes = draw(free_columns[kk, nn])
            cols = [nonzero_or_e1(grid.values(codes[c * kk:(c + 1) * kk])) for c in range(2 * nn)]
            Ws, W = cols[:nn], cols[nn:]
        elif angle == "equal":
            tt = draw(t_strategy)
            c, s = (1 - tt * tt) / (1 + tt * tt), 2 * tt / (1 + tt * tt)
            Ws, W = [], []
            for _ in range(nn):
                if kk == 2:  # any rational target, rotated by +-phi (a rational rotation matrix)
                    ws = draw(vecs[2])
                    sg = -1 if draw(st.booleans()) else 1
                    sc = draw(positive)
                    Ws.append(ws)
                    W.append([sc * (c * ws[0] - sg * s * ws[1]), sc * (sg * s * ws[0] + c * ws[1])])
                    continue
                Q = cayley_frame(draw(skews[kk]))
                q1 = [Q[r][0] for r in range(kk)]
                q2 = [Q[r][1] for r in range(kk)]
                r, sc = draw(positive), draw(positive)
                Ws.append([r * a for a in q1])
                W.append([sc * (c * a + s * b) for a, b in zip(q1, q2)])
        else:
            raise ValueError(f"angle must be 'free' or 'equal', not {angle!r}")
        return TeacherStudent(np.array(W, dtype=object).T, np.array(Ws, dtype=object).T)

    return build()


# ------------------------------------------------------------------ input distributions
def weighted_points(dim: int, coords: RationalGrid, point, max_atoms: int):
    """:class:`FiniteAtoms` with 1 to ``max_atoms`` atoms ``point(c)`` (``c`` a ``dim``-vector of
    ``coords``) and weights in ``[1/4, 2]`` (denominators <= 4); an atom and its weight are one tuple
    of integer codes (:class:`RationalGrid`)."""
    weights = rational_grid(Fraction(1, 4), Fraction(2), 4)
    one_atom = st.tuples(*[coords.index] * dim, weights.index)

    def build(rows):
        return FiniteAtoms([point(coords.values(r[:dim])) for r in rows], [weights.value(r[dim]) for r in rows])
    return st.lists(one_atom, min_size=1, max_size=max_atoms).map(build)


def atoms(k: int, max_atoms: int = 6, max_denominator: int = 4, coord: int = 2):
    """:class:`FiniteAtoms` with small nonzero rational atoms and positive rational weights."""
    return weighted_points(k, rational_grid(Fraction(-coord), Fraction(coord), max_denominator), nonzero_or_e1,
                           max_atoms)


def unit_atoms(k: int, max_atoms: int = 6, max_denominator: int = 6):
    """:class:`FiniteAtoms` exactly on the unit sphere (rational stereographic points)."""
    return weighted_points(k - 1, rational_grid(Fraction(-4), Fraction(4), max_denominator), rational_unit_vector,
                           max_atoms)


def point_on_hyperplane(normal: Sequence[Any], v: Sequence[Any]) -> list[Fraction]:
    """``v (a.a) - a (a.v)``: the (scaled) projection of ``v`` onto ``a^T z = 0``, exact."""
    a = [to_fraction(x) for x in normal]
    if not any(a):
        raise InstanceError("a hyperplane needs a nonzero normal")
    vq = [to_fraction(x) for x in v]
    aa = sum(x * x for x in a)
    av = sum(x * y for x, y in zip(a, vq))
    return [x * aa - y * av for x, y in zip(vq, a)]


def gaussians(k: int):
    """The standard Gaussian on ``R^k`` (shrinks to it) and rotated/scaled ones ``N(0, B B^T + I/2)``."""
    return st.one_of(st.just(StandardGaussian(k)), rotated_gaussians(k))


def rotated_gaussians(k: int):
    grid = rational_grid(Fraction(-2), Fraction(2), 4)

    def build(ix):
        B = np.array([float(x) for x in grid.values(ix)]).reshape(k, k)
        return Gaussian(B @ B.T + 0.5 * np.eye(k))
    return grid.indices(k * k).map(build)


def uniform_spheres(k: int):
    return st.just(UniformSphere(k))


# ------------------------------------------------------------------ network instances
def networks(k: int | Sequence[int] = 2, n: int | Sequence[int] = (1, 2, 3), angle: str = "free",
             dist: str = "atoms", boundary: bool = False, t=None, max_atoms: int = 6):
    """:class:`Network` strategies: exact input atoms (``dist="atoms"`` or ``"unit"``), or the
    ``"gaussian"`` (standard), ``"sphere"``, ``"rotated"`` (Gaussian) families, or ``"any"`` of them, with a
    teacher--student pair; ``boundary=True`` may add, for some teachers ``j``, one atom exactly on
    the hyperplane ``w_j*^T z = 0`` (shrinks to adding none)."""
    ks = [k] if isinstance(k, int) else list(k)
    pairs = teacher_students(k, n, angle, t=t)
    coords, weights = rational_grid(Fraction(-2), Fraction(2), 4), rational_grid(Fraction(1, 4), Fraction(2), 4)
    on_plane = st.booleans()
    # a point to project on a hyperplane and its weight, in one tuple draw
    plane_points = {kk: st.tuples(*[coords.index] * kk, weights.index) for kk in ks}
    if dist in ("gaussian", "sphere", "rotated", "any"):
        def family(kk):
            fams = {"gaussian": st.just(StandardGaussian(kk)), "sphere": uniform_spheres(kk),
                    "rotated": rotated_gaussians(kk)}
            return st.one_of(*fams.values(), atoms(kk, max_atoms)) if dist == "any" else fams[dist]
        dists = {kk: family(kk) for kk in ks}
    else:
        dists = {kk: unit_atoms(kk, max_atoms) if dist == "unit" else atoms(kk, max_atoms) for kk in ks}

    @st.composite
    def build(draw):
        ts = draw(pairs)
        base = draw(dists[ts.k])
        if not isinstance(base, FiniteAtoms):
            return Network(base, ts)
        pts, ws = [], []
        if boundary and dist != "unit":  # a rational unit point on a hyperplane needs a rational norm
            for j in range(ts.n):
                if draw(on_plane):
                    codes = draw(plane_points[ts.k])
                    z = point_on_hyperplane(list(ts.W_star[:, j]), nonzero_or_e1(coords.values(codes[:-1])))
                    if any(x != 0 for x in z):
                        pts.append(z)
                        ws.append(weights.value(codes[-1]))
        if pts:
            base = FiniteAtoms(base.atoms_q + pts, base.weights_q + ws)
        return Network(base, ts)

    return build()


__all__ = [
    "InstanceError", "TeacherStudent", "Network", "RationalGrid", "rational_grid", "rationals", "nonzero_or_e1",
    "rational_vectors", "cayley_frame", "weighted_points",
    "skew_matrices", "rotation_parameter", "teacher_students", "atoms", "unit_atoms", "point_on_hyperplane",
    "gaussians", "rotated_gaussians", "uniform_spheres", "networks",
    "DistributionError",
]
