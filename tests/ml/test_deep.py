"""Deep networks: the symbolic objective agrees with a plain forward pass; exact and certified
critical points; rank checks."""
from fractions import Fraction

import numpy as np
import pytest
import sympy

from proofcheck.ml.deep import DeepNet, NetworkError, Objective, exact_rank, weight_matrices
from proofcheck.ml.krawczyk import certify_zero, from_sympy

X = [[1], [2]]
Y = [[0], [1]]


def forward(theta, x, widths):
    """An independent numpy forward pass (tanh hidden layers, linear output)."""
    Ws, i = [], 0
    for a, b in zip(widths, widths[1:]):
        Ws.append(np.array(theta[i:i + a * b]).reshape(a, b))
        i += a * b
    bs = []
    for b in widths[1:]:
        bs.append(np.array(theta[i:i + b]))
        i += b
    f = np.array(x, dtype=float)
    for k, (W, b) in enumerate(zip(Ws, bs)):
        g = W.T @ f + b
        f = g if k == len(Ws) - 1 else np.tanh(g)
    return f


def test_objective_matches_a_plain_forward_pass():
    net = DeepNet((2, 3, 1), "tanh")
    obj = Objective.of(net, [[1, 0], [0, 1], [1, 1]], [[1], [-1], [0]])
    rng = np.random.default_rng(0)
    theta = rng.normal(size=len(obj.params))
    want = sum((forward(theta, x, net.widths)[0] - y[0]) ** 2 for x, y in zip([[1, 0], [0, 1], [1, 1]], [[1], [-1], [0]]))
    assert obj.value(theta) == pytest.approx(want, rel=1e-12)
    # the float gradient agrees with central differences
    g = obj.gradient(theta)
    h = 1e-6
    for i in range(len(theta)):
        e = np.zeros_like(theta)
        e[i] = h
        assert g[i] == pytest.approx((obj.value(theta + e) - obj.value(theta - e)) / (2 * h), abs=1e-6)


def test_an_exact_critical_point_that_is_not_a_global_minimum():
    # W = 0 everywhere, b_2 = mean(y): every partial derivative vanishes exactly (tanh(0) = 0),
    # while Phi = 1/2 > 0 = the value reached by an explicit configuration.
    net = DeepNet((1, 1, 1), "tanh")
    obj = Objective.of(net, X, Y)
    theta = [0, 0, 0, Fraction(1, 2)]
    assert obj.gradient_is_exactly_zero(theta)
    assert obj.value_enclosure(theta).lo == Fraction(1, 2)
    # the weight matrices there have rank 0: outside Theorem 3.4's full-rank hypothesis
    assert [exact_rank(W) for W in weight_matrices(net, theta)] == [0, 0]


def test_a_regular_minimum_is_certified_by_krawczyk():
    net = DeepNet((1, 1), "identity")  # Phi = sum (w x + b - y)^2: a unique, regular minimum
    obj = Objective.of(net, X, Y)
    F, J = from_sympy(obj.grad, obj.params)
    z = certify_zero(F, J, [1.0, -1.0])
    assert z is not None
    for (lo, hi), want in zip(z.box, (1, -1)):
        assert lo <= want <= hi


def test_bad_networks_and_data_are_one_line_errors():
    with pytest.raises(NetworkError):
        DeepNet((2,), "tanh")
    with pytest.raises(NetworkError):
        DeepNet((2, 1), "swish")
    with pytest.raises(NetworkError):
        Objective.of(DeepNet((2, 1)), [[1, float("nan")]], [[0]])
    with pytest.raises(NetworkError):
        Objective.of(DeepNet((2, 1)), [[1, 0]], [[0], [1]])


def test_assumption_3_2_activation_flags():
    assert DeepNet((1, 1), "tanh").satisfies_assumption_3_2_activation
    assert not DeepNet((1, 1), "relu").satisfies_assumption_3_2_activation
    assert not DeepNet((1, 1), "cube").satisfies_assumption_3_2_activation
