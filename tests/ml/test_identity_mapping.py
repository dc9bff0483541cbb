"""Closed forms of the identity-mapping network (Li & Yuan 2017) against sampling and differences."""
import numpy as np
import pytest

from proofcheck.model.num import ARB, Enclosure
from identity_mapping_oracles import monte_carlo_loss, population_loss, relu_kernel
from lemmas.liyuan2017.model import IdentityMappingError, one_point_convexity_margin, population_gradient


def test_kernel_of_a_vector_with_itself_is_half_its_squared_norm():
    # E[sigma(g)^2] = 1/2 for g ~ N(0, 1)  (FACTS: arc-cosine kernel of degree 1)
    assert relu_kernel([3.0, 4.0], [3.0, 4.0]) == pytest.approx(12.5)
    assert relu_kernel([1.0, 0.0], [-1.0, 0.0]) == pytest.approx(0.0, abs=1e-15)


@pytest.mark.parametrize("a", [0.0, 0.25])
def test_loss_matches_monte_carlo(a):
    rng = np.random.default_rng(1)
    W = rng.normal(scale=0.3, size=(3, 3))
    Ws = rng.normal(scale=0.3, size=(3, 3))
    exact = population_loss(W, Ws, a=a)
    sampled = monte_carlo_loss(W, Ws, rng, samples=400_000, a=a)
    assert exact == pytest.approx(sampled, rel=0.03)


@pytest.mark.parametrize("a", [0.0, 0.25])
def test_gradient_matches_central_differences(a):
    rng = np.random.default_rng(2)
    W = rng.normal(scale=0.3, size=(3, 3))
    Ws = rng.normal(scale=0.3, size=(3, 3))
    G = np.array(population_gradient(W, Ws, a=a), dtype=float)
    h = 1e-6
    for r in range(3):
        for c in range(3):
            E = np.zeros((3, 3))
            E[r, c] = h
            fd = (population_loss(W + E, Ws, a=a) - population_loss(W - E, Ws, a=a)) / (2 * h)
            assert G[r, c] == pytest.approx(fd, abs=1e-7)


def test_gradient_vanishes_at_the_teacher_and_margin_is_rigorous_on_balls():
    Ws = [[0.1, 0.0], [0.0, -0.1]]
    G = np.array(population_gradient(Ws, Ws), dtype=float)
    assert np.abs(G).max() < 1e-12
    from fractions import Fraction as F
    W = [[F(1, 20), F(1, 50)], [F(-1, 40), F(1, 30)]]
    Wq = [[F(1, 10), F(0)], [F(0), F(-1, 10)]]
    m_float = one_point_convexity_margin([[float(x) for x in r] for r in W], [[float(x) for x in r] for r in Wq], 0.1)
    enc = Enclosure.of(one_point_convexity_margin(W, Wq, ARB.const("1/10"), num=ARB))
    assert float(enc.lo) - 1e-12 <= m_float <= float(enc.hi) + 1e-12


def test_bad_shapes_are_errors():
    with pytest.raises(IdentityMappingError):
        population_loss([[1.0, 2.0]], [[1.0, 2.0]])
    with pytest.raises(IdentityMappingError):
        population_loss([[float("nan")]], [[0.0]])
