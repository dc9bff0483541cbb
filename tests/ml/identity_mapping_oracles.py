"""Independent test oracles for Li and Yuan's model (:mod:`lemmas.liyuan2017.model`).

No claim uses them: the closed-form loss (the degree-1 arc-cosine kernel, Cho & Saul 2009) is checked
against sampling, and the model's closed-form gradient against central differences of this loss.
"""
from typing import Any

import numpy as np

from lemmas.liyuan2017.model import Vector, _angle, columns_plus_identity
from proofcheck.model.num import FLOAT


def relu_kernel(u: Vector, v: Vector, num=FLOAT):
    """``E[σ(u·x) σ(v·x)]`` for ``x ~ N(0, I)`` (degree-1 arc-cosine kernel)."""
    if num is FLOAT and (float(np.dot(np.asarray(u, float), np.asarray(u, float))) == 0
                         or float(np.dot(np.asarray(v, float), np.asarray(v, float))) == 0):
        return 0.0
    theta, c, s, nu, nv = _angle(u, v, num)
    return nu * nv * (s + (num.pi - theta) * c) / (2 * num.pi)


def prelu_kernel(u: Vector, v: Vector, a, num=FLOAT):
    """``E[σ_a(u·x) σ_a(v·x)]`` for the PReLU ``σ_a(t) = max(t,0) − a·max(−t,0)``."""
    mv = [-x for x in v]
    mu = [-x for x in u]
    return (1 + a * a) * relu_kernel(u, v, num) - a * (relu_kernel(u, mv, num) + relu_kernel(mu, v, num))


def population_loss(W: Any, W_star: Any, num=FLOAT, a=0, scale=None):
    r"""``L(W) = scale · E (f_W(x) − f_{W*}(x))²`` in closed form (``scale`` ½ by default)."""
    A, B = columns_plus_identity(W, num), columns_plus_identity(W_star, num)
    k = (lambda u, v: relu_kernel(u, v, num)) if a == 0 else (lambda u, v: prelu_kernel(u, v, a, num))
    total = 0
    for i in range(len(A)):
        for j in range(len(A)):
            total = total + k(A[i], A[j]) - 2 * k(A[i], B[j]) + k(B[i], B[j])
    half = (1 / 2) if (num is FLOAT and scale is None) else (num.const("1/2") if scale is None else scale)
    return half * total


def monte_carlo_loss(W: Any, W_star: Any, rng: np.random.Generator, samples: int = 200_000, a: float = 0.0) -> float:
    """A sampled ``½ E (f_W − f_W*)²`` (a cross-check of the closed form in tests, never a certificate)."""
    A = np.array(columns_plus_identity(np.asarray(W, float)), dtype=float)
    B = np.array(columns_plus_identity(np.asarray(W_star, float)), dtype=float)
    x = rng.standard_normal((samples, A.shape[1]))

    def act(t):
        return np.maximum(t, 0) - a * np.maximum(-t, 0)

    f = act(x @ A.T).sum(axis=1) - act(x @ B.T).sum(axis=1)
    return float(0.5 * np.mean(f * f))
