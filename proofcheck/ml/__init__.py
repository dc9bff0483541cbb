"""The mathematics of two-layer ReLU networks, apart from the engine.

Input distributions and the geometry of ReLU regions, teacher-student networks and their region
matrices, extremal quantities with safe-side bounds, Gram matrices, gradient dynamics and
datasets. Each quantity has a float value for search and an exact or Arb twin for
re-verification. The engine core (``proofcheck.model.claim``, ``engine``, ``search``, ``certify``,
``stats``, ``store``, ``cli``, ``report``) never imports this package; lemma modules do.
"""
