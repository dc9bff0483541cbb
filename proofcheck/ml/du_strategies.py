"""Hypothesis strategies for the objects of the over-parameterised two-layer ReLU setting.

The setting (Du, Zhai, Poczos, Singh, *Gradient Descent Provably Optimizes Over-parameterized Neural
Networks*, ICLR 2019, Section 3): inputs :math:`\\|x_i\\|=1`, labels :math:`|y_i|\\le C`, no two inputs
parallel (so that :math:`\\lambda_0>0`), a width :math:`m`, a step size :math:`\\eta`, an initialisation
:math:`w_r(0)\\sim N(0,I)`, :math:`a_r\\sim\\mathrm{unif}\\{-1,1\\}`.

Every strategy here

* draws **exact** objects: inputs are inverse stereographic images of rational points, so
  :math:`\\|x_i\\|^2=1` and every :math:`x_i^\\top x_j` is an exact rational; labels and step sizes are
  dyadic rationals, so their floats are the same numbers;
* **shrinks** to small, simple instances (``n = 1``, ``x = -e_d`` or ``x = 1`` in ``R^1``, ``y = 0``, ``m = 1``, seed 0);
* **round-trips** through the counterexample store exactly (``proofcheck.store.codec``);
* has an exact **domain predicate** (``contains=`` of a ``Variable``) that the engine applies to every
  found and every stored value.

Bad input (a zero direction, NaN, a non-unit row, parallel inputs, a label above C) raises
:class:`~proofcheck.ml.datasets.DatasetError` with a one-line message.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Sequence

import numpy as np
from hypothesis import strategies as st

from proofcheck.store.codec import storable
from proofcheck.model.num import NumericError
from proofcheck.ml.datasets import Dataset, DatasetError
from proofcheck.ml.linalg_exact import rational_unit_vector

#: numerators of the rational points are drawn from [-MAX_NUM, MAX_NUM], denominators from [1, MAX_DEN]
MAX_NUM, MAX_DEN = 12, 8
#: labels are C * k / LABEL_STEPS (a dyadic multiple of C when C is a float)
LABEL_STEPS = 16


# ---------------------------------------------------------------- exact unit vectors
def direction_key(x: Sequence[Fraction]) -> tuple[Fraction, ...]:
    """The line through ``x``: ``x`` and ``-x`` get the same key (for "pairwise non-parallel")."""
    for c in x:
        if c != 0:
            return tuple(x) if c > 0 else tuple(-v for v in x)
    raise DatasetError("the zero vector has no direction")


def rational_points(dim: int, max_num: int = MAX_NUM, max_den: int = MAX_DEN) -> st.SearchStrategy:
    """Points of ``Q^dim`` with small numerators and denominators (shrinking to the origin)."""
    coord = st.builds(Fraction, st.integers(-max_num, max_num), st.integers(1, max_den))
    return st.lists(coord, min_size=dim, max_size=dim)


def exact_unit_vectors(d: int, max_num: int = MAX_NUM, max_den: int = MAX_DEN) -> st.SearchStrategy:
    """Exact rational unit vectors of ``R^d`` (lists of Fractions, the inverse stereographic images
    :func:`~proofcheck.ml.linalg_exact.rational_unit_vector` of rational points); shrink to ``-e_d``.

    ``d = 1`` has only ``+-1``."""
    if d < 1:
        raise DatasetError(f"dimension d = {d} must be at least 1")
    if d == 1:
        return st.sampled_from([[Fraction(1)], [Fraction(-1)]])
    return rational_points(d - 1, max_num, max_den).map(rational_unit_vector)


# ---------------------------------------------------------------- labels
def labels(n: int, C: Any = 1) -> st.SearchStrategy:
    """``n`` labels ``C k / 16`` with ``|k| <= 16`` (so ``|y_i| <= C`` exactly); shrink to 0."""
    Cq = Fraction(C)
    k = st.integers(-LABEL_STEPS, LABEL_STEPS)
    return st.lists(k, min_size=n, max_size=n).map(lambda ks: [Cq * j / LABEL_STEPS for j in ks])


# ---------------------------------------------------------------- datasets
def dataset_of(X_exact: Sequence[Sequence[Fraction]], y: Sequence[Any], C: Any = 1,
               kind: str = "drawn") -> Dataset:
    """A :class:`Dataset` from exact rational unit rows and labels, checked exactly (unit norms,
    pairwise non-parallel, ``|y_i| <= C``); a bad input is a one-line :class:`DatasetError`."""
    Xe = [[Fraction(c) for c in row] for row in X_exact]
    if not Xe:
        raise DatasetError("a dataset needs at least one input")
    for i, row in enumerate(Xe):
        if not any(row):
            raise DatasetError(f"input x_{i + 1} is the zero vector: its direction is undefined")
        nrm = sum(c * c for c in row)
        if nrm != 1:
            raise DatasetError(f"input x_{i + 1} has squared norm {nrm}, the setting requires ||x_i|| = 1")
    keys = [direction_key(row) for row in Xe]
    for i in range(len(keys)):
        for j in range(i):
            if keys[i] == keys[j]:
                raise DatasetError(f"inputs x_{j + 1} and x_{i + 1} are parallel (lambda_0 = 0)")
    X = np.array([[float(c) for c in row] for row in Xe])
    return Dataset(X, np.array([float(v) for v in y]), float(C), kind, Xe)


@st.composite
def datasets(draw, n=st.integers(1, 3), d=None, C: Any = 1, non_parallel: bool = True,
             max_num: int = MAX_NUM, max_den: int = MAX_DEN) -> Dataset:
    """Datasets of the setting: ``n`` exact unit inputs in ``R^d``, pairwise non-parallel, labels
    ``|y_i| <= C``. ``n``/``d`` are integers or strategies (``d`` defaults to ``max(2, n)`` for
    ``n >= 2`` and may be drawn; ``n = 1`` may use ``d = 1``). Shrinks to ``n = 1``, ``x = 1`` in ``R^1``, ``y = 0``."""
    nn = draw(n) if isinstance(n, st.SearchStrategy) else int(n)
    if d is None:
        dd = draw(st.integers(1 if nn == 1 else 2, max(2, nn)))
    else:
        dd = draw(d) if isinstance(d, st.SearchStrategy) else int(d)
    if nn >= 2 and dd == 1 and non_parallel:
        raise DatasetError("two or more non-parallel inputs need d >= 2")
    vec = exact_unit_vectors(dd, max_num, max_den)
    if non_parallel:
        rows = draw(st.lists(vec, min_size=nn, max_size=nn, unique_by=direction_key))
    else:
        rows = draw(st.lists(vec, min_size=nn, max_size=nn))
    ys = draw(labels(nn, C))
    if non_parallel:
        return dataset_of(rows, ys, C)
    Xe = rows
    X = np.array([[float(c) for c in row] for row in Xe])
    return Dataset(X, np.array([float(v) for v in ys]), float(C), "drawn", Xe)


def is_setting_dataset(C: Any = None, non_parallel: bool = True, max_n: int | None = None):
    """Exact domain predicate for ``Variable(contains=...)``: exact rational unit rows whose floats are
    the stored ``X``, pairwise non-parallel (if asked), ``|y_i| <= C`` exactly (``C`` a number, or None
    for the dataset's own bound), at most ``max_n`` inputs."""
    def contains(D: Any) -> bool:
        if not isinstance(D, Dataset) or D.X_exact is None:
            return False
        if max_n is not None and D.n > max_n:
            return False
        Xe = D.X_exact
        if len(Xe) != D.n or any(len(row) != D.d for row in Xe):
            return False
        for i, row in enumerate(Xe):
            if sum(Fraction(c) * Fraction(c) for c in row) != 1:
                return False
            if any(float(c) != D.X[i, k] for k, c in enumerate(row)):
                return False
        if non_parallel:
            keys = [direction_key(row) for row in Xe]
            if len(set(keys)) != len(keys):
                return False
        bound = Fraction(D.C if C is None else C)
        if not np.all(np.isfinite(D.y)):
            return False
        return all(abs(Fraction(float(v))) <= bound for v in D.y)
    return contains


# ---------------------------------------------------------------- widths, step sizes
def widths(lo: int = 1, hi: int = 2**20) -> st.SearchStrategy:
    """Widths ``m`` in ``[lo, hi]``: a random cap ``2^(k+1) - 1`` (``k`` uniform), then ``m`` uniform in
    ``[lo, cap]``, so every scale is drawn often; shrinks to ``lo`` (and to the least ``m`` with a property)."""
    if lo < 1 or hi < lo:
        raise NumericError(f"widths need 1 <= lo <= hi, got [{lo}, {hi}]")
    top = max(0, int(math.floor(math.log2(hi))))
    bottom = int(math.floor(math.log2(lo)))

    def in_binade(k: int) -> st.SearchStrategy:
        return st.integers(lo, max(lo, min(hi, 2 ** (k + 1) - 1)))

    return st.integers(bottom, top).flatmap(in_binade)


def dyadic_in(lo: Any, hi: Any, bits: int = 12) -> st.SearchStrategy:
    """Dyadic rationals ``k / 2^j`` (``j <= bits``) in ``[lo, hi]`` as Fractions: exact as floats.
    Shrinks towards ``lo``."""
    lo_q, hi_q = Fraction(lo), Fraction(hi)
    if hi_q < lo_q:
        raise NumericError(f"empty interval [{lo}, {hi}]")

    def at(j: int) -> st.SearchStrategy:
        a = math.ceil(lo_q * 2**j)
        b = math.floor(hi_q * 2**j)
        if b < a:
            return st.just(lo_q)
        return st.integers(a, b).map(lambda k: Fraction(k, 2**j))

    return st.integers(0, bits).flatmap(at)


def step_sizes(hi: Any = 1, bits: int = 16) -> st.SearchStrategy:
    """Step sizes ``eta = 2^-j`` or ``k 2^-j`` in ``(0, hi]`` (dyadic, exact as floats)."""
    hi_q = Fraction(hi)
    return dyadic_in(Fraction(1, 2**bits), hi_q, bits).filter(lambda e: e > 0)


def probabilities(lo: Any = Fraction(1, 1000), hi: Any = Fraction(999, 1000), bits: int = 10) -> st.SearchStrategy:
    """Dyadic probabilities (``delta``) in ``[lo, hi]`` inside ``(0, 1)``: a third each from a dyadic
    grid, from ``2^-j`` (near 0) and from ``1 - 2^-j`` (near 1), where probability bounds break first."""
    lo_q, hi_q = Fraction(lo), Fraction(hi)
    near0 = st.integers(1, bits).map(lambda j: Fraction(1, 2**j))
    near1 = st.integers(1, bits).map(lambda j: 1 - Fraction(1, 2**j))
    inside = lambda p: 0 < p < 1 and lo_q <= p <= hi_q  # noqa: E731
    return st.one_of(dyadic_in(lo_q, hi_q, bits), near0, near1).filter(inside)


# ---------------------------------------------------------------- initialisations
@storable
@dataclass(frozen=True)
class Init:
    """A random initialisation named by its seed: ``w_r(0) ~ N(0, I_d)``, ``a_r ~ unif{-1, 1}`` drawn
    from ``numpy.random.default_rng(seed)`` (the same weights on every machine, so a stored seed is a
    stored initialisation however wide the network)."""

    seed: int

    def __post_init__(self) -> None:
        if not isinstance(self.seed, (int, np.integer)) or isinstance(self.seed, bool) or not 0 <= int(self.seed) < 2**63:
            raise NumericError(f"an initialisation seed must be an integer in [0, 2^63), got {self.seed!r}")

    def weights(self, m: int, d: int) -> tuple[np.ndarray, np.ndarray]:
        """``W(0)`` as ``(m, d)`` and ``a`` as ``(m,)``."""
        if m < 1:
            raise NumericError(f"width m = {m} must be at least 1")
        rng = np.random.default_rng(int(self.seed))
        W = rng.standard_normal((m, d))
        return W, rng.integers(0, 2, size=(m,)).astype(np.float64) * 2 - 1

    def to_json(self) -> dict[str, Any]:
        return {"seed": int(self.seed)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Init":
        return cls(int(data["seed"]))


def initialisations() -> st.SearchStrategy:
    """Initialisations as seeds (shrinking to seed 0)."""
    return st.integers(0, 2**32 - 1).map(Init)


# ---------------------------------------------------------------- datasets with a floor on lambda_0
def lambda0_bounds(D: Dataset) -> tuple[Fraction, Fraction]:
    """Rigorous ``lo <= lambda_0 <= hi`` of ``H^inf`` from the dataset's exact inputs (Arb; ``1/2`` exactly for
    one input: ``H^inf_11 = ||x||^2 Pr[w^T x >= 0]``)."""
    from proofcheck.ml.gram import lambda0_enclosure

    if D.n == 1:
        return Fraction(1, 2), Fraction(1, 2)
    return lambda0_enclosure(D.gram_exact())


def datasets_above(n_values: Sequence[int], lam_floor: Fraction, C: Any = 1) -> st.SearchStrategy:
    """Datasets of the setting (:func:`datasets`, ``d = n``) with ``n`` in ``n_values`` whose certified
    ``lambda_0`` is at least ``lam_floor``; one input is ``x = 1`` in ``R^1``."""
    def ok(D: Dataset) -> bool:
        return D.n == 1 or lambda0_bounds(D)[0] >= lam_floor
    return st.sampled_from(list(n_values)).flatmap(
        lambda n: datasets(n=n, d=1 if n == 1 else n, C=C)).filter(ok)


# ---------------------------------------------------------------- trajectories on n >= 2 inputs
@storable
@dataclass
class FlowCase:
    """A first-layer gradient-flow trajectory on a dataset: the dataset, the width ``m`` and the seed of the
    initialisation (``Init(seed).weights(m, d)``); the Arb-certified exact flow to ``horizon`` is computed
    once, on demand (:func:`proofcheck.ml.flow.exact_flow`)."""

    dataset: Dataset
    m: int
    seed: int
    horizon: float = 64.0

    def __post_init__(self) -> None:
        if not isinstance(self.m, (int, np.integer)) or int(self.m) < 1:
            raise NumericError(f"the width must be a positive integer, got {self.m!r}")
        self._flow = None

    @property
    def n(self) -> int:
        return self.dataset.n

    def flow(self):
        if self._flow is None:
            from proofcheck.ml.flow import exact_flow

            W0, a = Init(self.seed).weights(int(self.m), self.dataset.d)
            self._flow = exact_flow(W0, a, self.dataset.X, [Fraction(float(v)) for v in self.dataset.y],
                                    self.horizon, X_exact=self.dataset.X_exact)
        return self._flow

    def lambda0(self) -> tuple[Fraction, Fraction]:
        return lambda0_bounds(self.dataset)

    def to_json(self) -> dict[str, Any]:
        return {"dataset": self.dataset.to_json(), "m": int(self.m), "seed": int(self.seed),
                "horizon": float(self.horizon)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "FlowCase":
        return cls(Dataset.from_json(data["dataset"]), int(data["m"]), int(data["seed"]),
                   float(data.get("horizon", 64.0)))

    def describe(self) -> str:
        return f"{self.dataset.describe()} m={self.m} seed={self.seed}"


def flow_cases(n_values=(2, 3), max_m: int = 64, lam_floor: Fraction = Fraction(1, 1000)) -> st.SearchStrategy:
    """Trajectories on datasets with ``n`` in ``n_values`` (pairwise non-parallel, near-parallel pairs down to
    ``lambda_0 >= lam_floor``), widths ``1..max_m`` and initialisation seeds."""
    return st.builds(FlowCase, datasets_above(n_values, lam_floor), st.integers(1, max_m),
                     st.integers(0, 2**32 - 1))
