"""Critical points on the zero-loss manifold of over-parameterised networks, certified by interpolation
(proofcheck.ml.critical_points), and the direct float/Arb passes of wide networks (proofcheck.ml.deep)."""
from __future__ import annotations

from fractions import Fraction as F

import numpy as np

from proofcheck.ml.critical_points import CriticalPoint, TrainingProblem
from proofcheck.ml.deep import DeepNet, Objective

X3 = [[F(1), F(0), F(1, 2), F(-1)], [F(0), F(1), F(-1, 4), F(1, 2)], [F(1, 2), F(-1, 2), F(1), F(0)]]
Y3 = [[F(1)], [F(-1, 2)], [F(3, 4)]]


def _point(widths=(4, 3, 1), act="tanh"):
    prob = TrainingProblem(DeepNet(widths, act), X3, Y3)
    start = [F((-1) ** i * (i % 5), 4) for i in range(len(prob.objective.params))]
    return CriticalPoint(prob, start)


def test_a_zero_loss_point_of_a_wide_network_is_certified_by_interpolation():
    # 3 hidden units and a bias give 4 >= N = 3 output coordinates: the zero-loss points form a manifold,
    # where a Krawczyk box cannot isolate a zero; the interpolation certificate holds an exact one
    cp = _point()
    cert = cp.certify()
    assert cert is not None and cert.kind == "interpolation" and len(cert.solved) == 3
    assert cp.check_certificate()
    assert cp.loss().lo == 0 and cp.loss().hi == 0
    assert cp.full_column_rank() is True  # W_1 (4 x 3) rational of rank 3, the output column not 0


def test_a_tampered_stored_certificate_does_not_count():
    # a record read back from the store is re-checked before it counts: moving a fixed hidden weight moves the
    # exact interpolating output weights out of the stored box
    cp = _point()
    cp.certify()
    data = cp.to_json()
    data["certificate"]["point"][0] = "7/3"
    data["certificate"]["box"][0] = ["7/3", "7/3"]
    assert CriticalPoint.from_json(data).certify() is None
    assert CriticalPoint.from_json(cp.to_json()).certify() is not None


def test_direct_passes_agree_with_the_symbolic_objective():
    rng = np.random.default_rng(3)
    for widths, act in [((4, 3, 1), "sigmoid"), ((3, 2, 2, 1), "softplus")]:
        obj = Objective(DeepNet(widths, act), [r[:widths[0]] for r in X3], Y3)
        assert obj.direct
        theta = rng.normal(size=len(obj.params))
        q = [F(v).limit_denominator(64) for v in theta]
        direct = (obj.value(theta), obj.gradient(theta), obj.value_enclosure(q))
        obj.direct = False
        assert abs(direct[0] - obj.value(theta)) < 1e-12
        assert np.abs(direct[1] - obj.gradient(theta)).max() < 1e-12
        sym = obj.value_enclosure(q)
        assert direct[2].lo <= sym.hi and sym.lo <= direct[2].hi  # both enclose the same exact value
