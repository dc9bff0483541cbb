"""The network mathematics, apart from the engine: shared parts here, each paper's own model beside its claims.

The engine core (``proofcheck.model``, ``decide``, ``store``, ``interfaces``, ``report``) never imports
this package, and this package never imports the claim model (``proofcheck.model.claim``): claim
variables and conditions are built in the paper folders. Each quantity has a float value for search
and an exact or Arb twin for re-verification.

Shared mathematics (``proofcheck/ml/``):

* ``linalg_exact`` -- exact rational vectors and matrices, rational rotations, the stereographic
  unit vectors (:func:`~proofcheck.ml.linalg_exact.rational_unit_vector`) and the one text form of a
  rational (:func:`~proofcheck.ml.linalg_exact.fraction_text`);
* ``spectral`` -- every lambda_min / lambda_max / sigma_max bound: floats, exact LDL^T and Rayleigh
  certificates, Arb enclosures;
* ``geometry``, ``distributions`` -- Gaussian cones and region moments; the input distributions
  (standard and rotated Gaussians, the sphere, exact finite atoms);
* ``two_layer`` -- the two-layer ReLU network ``f(W, a, x) = (1/sqrt m) sum_r a_r relu(w_r^T x)`` once:
  forward pass, activation pattern (float and exact), residual, empirical-loss gradient, one gradient
  step, and the exact bridge from float weights (error bounds, exact signs, exact output sums);
* ``networks`` -- Park's teacher-student model: a pair of ``two_layer`` networks (output weights 1,
  scale ``1/n``) with the loss in expectation over the inputs: population gradient (float and exact),
  one gradient step, the block matrices ``B_klm``;
* ``extremal`` -- ``m_min`` over all weights at an angle, with the side its error goes;
* ``strategies`` -- Hypothesis strategies for the objects above (networks, distributions, rationals);
* ``gram``, ``datasets``, ``du_strategies``, ``flow``, ``gd_exact`` -- Gram matrices ``H``, unit-input
  datasets, and the one certified gradient flow and the exact/Arb gradient descent of the
  over-parameterised ``two_layer`` network (Du et al.);
* ``deep``, ``critical_points``, ``krawczyk`` -- deep networks with smooth activations and their
  certified critical points.

Paper models (only one paper uses them; they build claim conditions): ``lemmas/park2019/model.py``
(``m_ex`` safe-side bounds, the one-neuron Gaussian step, network variables), ``lemmas/liyuan2017/model.py``
(the identity-mapping network in closed form), ``lemmas/du2019/dynamics.py`` (Du et al.'s one-input
closed-form dynamics, streamed draws at large width and the near-initialisation certificate). A new paper's own model goes in its folder the same way;
what a second paper needs moves here.
"""
