"""A synthetic report dict exercising every part of the renderers.

It is built by hand (not by the engine) so the report tests do not depend on any lemma module:
several verdicts, a theorem with numbered proof lines (one refuted) and a named step, a theorem
that only ``uses`` others, a refutation with scalar/array/object counterexample values, a title
with ``<script>``, a plot with a band, and MathML produced by sympy.
"""
from __future__ import annotations

import copy
import math
from fractions import Fraction

import numpy as np
import pytest
import sympy

from proofcheck.store.codec import encode


def _mathml(*exprs):
    return [sympy.mathml(e, printer="presentation") for e in exprs]


phi = sympy.Symbol("phi", real=True)
W = sympy.Symbol("W", real=True)


def _claim(id, verdict, **kw):
    base = {
        "id": id, "verdict": verdict, "evidence": kw.pop("evidence", f"{verdict} by the synthetic fixture"),
        "examples": 0, "satisfied": 0, "margin": None, "constants": {}, "counterexample": None,
        "seconds": 0.25, "reproduce": f"proofcheck check {id} --seed 7 --budget quick", "notes": [],
        "details": {}, "title": id, "source": {"document": "000_294578d75b1f2ab6.txt",
                                                "location": "Appendix 5.1, p. 13", "citation": ""},
        "statement": r"\phi \le 2\sin\phi", "kind": "deterministic", "uses": [], "note": "", "mathml": [],
        "decided_by": {"proved": "decision", "certified": "interval", "refuted": "search", "survived": "search",
                       "vacuous": "decision", "ill-formed": "lint", "error": ""}.get(verdict, ""),
    }
    base.update(kw)
    return base


def sample_report():
    claims = [
        _claim("park2019.thm3.4", "survived", title="Theorem 3.4: linear convergence of GD",
               examples=120, satisfied=118, margin=0.0123,
               statement=r"\|W_{t+1}-W^*\|^2 \le \|W_t-W^*\|^2\bigl(1-\eta_t\frac{m_{\min}-10m_{ex}}{2}\bigr)",
               constants={"m_ex": "1/10", "alpha": 0.5},
               mathml=_mathml(sympy.Le(sympy.Function("m_min")(phi) - 10 * sympy.Symbol("m_ex"), 2 * sympy.sin(phi) / 3))),
        _claim("park2019.thm3.4.s2", "proved", title="three-sum decomposition", evidence="z3: unsat of negation"),
        _claim("park2019.thm3.4.s5", "certified", title="||W-W*|| <= ||W*|| implies ||W|| <= 2||W*||",
               evidence="Arb certificate over the whole domain (512 boxes)"),
        _claim("park2019.thm3.4.s6", "refuted", title="Assumption 3.3 bound <b>step</b>",
               examples=64, satisfied=60, margin=-0.0421,
               evidence="counterexample verified with Arb balls",
               counterexample={
                   # encoded by the engine's own codec, as the engine stores them
                   "values": {
                       "phi": encode(math.pi / 4),
                       "t": encode(Fraction(1, 3)),
                       "n": encode(4),
                       "W": encode(np.array([[0.5, -0.75], [0.125, 2.0]])),
                       "D": {"$obj": "proofcheck.dists:Uniform", "data": {"k": 3, "radius": encode(1.0)}},
                       "label": "<script>alert(1)</script>",
                   },
                   "constants": {"m_ex": encode(Fraction(1, 10))},
                   "margin": -0.0421, "verified_by": "arb", "seed": 7, "found_by": "search",
               },
               notes=["the bound fails for phi near pi/4"],
               mathml=_mathml(sympy.Ge(sympy.Function("m_min")(phi) * W ** 2, 5 * W * phi))),
        _claim("park2019.thm3.4.s7", "proved", title="phi <= 2 sin(phi) on [0, 2/pi]",
               mathml=_mathml(sympy.Le(phi, 2 * sympy.sin(phi)))),
        _claim("park2019.thm3.4.s10", "survived", title="one-step expansion", examples=400, satisfied=400, margin=1e-3),
        _claim("park2019.thm3.4.s11", "ill-formed", title="step-size bound", evidence="undefined symbol L_ex"),
        _claim("park2019.thm3.4.induct", "vacuous", title="induction on t", evidence="no example met the hypotheses"),
        _claim("du2019.lemma2.3", "proved", title="<script>alert('x')</script> stability of H",
               kind="probabilistic", evidence="Clopper-Pearson bound",
               details={"plots": [{
                   "title": "failure rate vs width", "x_label": "m", "y_label": "rate", "log_x": True, "log_y": False,
                   "series": [{"label": "observed", "x": [10, 100, 1000], "y": [0.3, 0.1, 0.02],
                               "lo": [0.2, 0.05, 0.01], "hi": [0.4, 0.15, 0.04]},
                              {"label": "delta", "x": [10, 1000], "y": [0.05, 0.05], "lo": None, "hi": None}]}],
                   "rate": {"failures": 2, "trials": 100}}),
        _claim("du2019.lemma2.4", "certified", title="Lemma 2.4"),
        _claim("du2019.thm2.1", "proved", title="Theorem 2.1", uses=["du2019.lemma2.3", "du2019.lemma2.4"]),
        _claim("du2019.thm3.1", "proved", title="Theorem 3.1", uses=["du2019.thm2.1", "du2019.lemma2.9"]),
        _claim("du2019.footnote", "error", title="lambda_0 > 0 when no two inputs are parallel",
               evidence="the check raised NumericError: zero vector"),
    ]
    return {
        "tool": "proofcheck", "version": "0.1.0", "seed": 7, "budget": "quick",
        "command": "proofcheck audit --seed 7 --budget quick --format html -o report.html",
        "date": "2026-11-22T23:30:00Z",
        "machine": {"platform": "Linux-6.1-x86_64", "python": "3.11.7", "cpus": 8},
        "claims": claims,
    }


@pytest.fixture
def report():
    return copy.deepcopy(sample_report())
