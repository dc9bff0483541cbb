"""Independent test oracles for :mod:`proofcheck.ml.gram` (no claim uses them).

``h_inf_monte_carlo`` samples the definition of ``H^inf`` to check its closed form; the ball adversary
``max_entry_change_in_ball`` cross-checks the exact reachability of entry changes; ``sample_h0_by_law``
draws ``H(0)`` through the multinomial law of activation patterns, checked against sampled neurons.
"""
import numpy as np

from proofcheck.ml.gram import h_of_weights, orthant_probabilities, pattern_both, worst_in_ball
from proofcheck.ml.two_layer import activations


def h_inf_monte_carlo(X: np.ndarray, samples: int, rng: np.random.Generator) -> np.ndarray:
    """Monte Carlo estimate of ``H^inf`` (the definition, sampled): for testing the closed form."""
    W = rng.standard_normal((samples, X.shape[1]))
    return h_of_weights(W, X)


def pattern_changes(W0: np.ndarray, W: np.ndarray, X: np.ndarray) -> int:
    """Number of (neuron, input) pairs whose activation differs between ``W0`` and ``W``."""
    return int(np.sum(activations(W0, X) != activations(W, X)))


def max_entry_change_in_ball(W0: np.ndarray, X: np.ndarray, R: float, sign: np.ndarray) -> np.ndarray:
    """Weights in the ball maximising ``sum_ij sign_ij (H_ij(W) - H_ij(W0))`` (neuron-wise exact)."""
    G = X @ X.T
    S0 = activations(W0, X).astype(float)

    SG = sign * G

    def score(P, rows):
        Pf = P.astype(float)
        new = np.einsum("...i,ij,...j->...", Pf, SG, Pf)
        old = np.einsum("ri,ij,rj->r", S0[rows], SG, S0[rows])
        return -(new - old[:, None])

    return worst_in_ball(W0, X, R, score)


def sample_h0_by_law(rng: np.random.Generator, G: np.ndarray, m: int, count: int) -> np.ndarray:
    """``count`` independent draws of ``H(0)`` at width ``m`` (``n <= 3``): the neurons' activation
    patterns are i.i.d. over the ``2^n`` orthants, so their counts are multinomial and ``H(0)`` depends
    on the counts only; the cost does not grow with ``m``."""
    G = np.asarray(G, dtype=float)
    counts = rng.multinomial(int(m), orthant_probabilities(G), size=count)  # (count, 2^n)
    both = np.einsum("ck,kij->cij", counts.astype(float), pattern_both(G.shape[0]))
    return G * both / m
