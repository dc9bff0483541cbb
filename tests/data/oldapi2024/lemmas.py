r"""Two lemmas of B. Author, *An Old Package*, 2023, written against proofcheck 0.1.0.

.. math:: (a+b)^2 \le 2a^2 + 2b^2 \qquad \Pr[\text{a fair coin shows heads } k \text{ times in a row}] \le \delta
"""
from fractions import Fraction

import sympy
from hypothesis import strategies as st

from proofcheck import Claim, Constant, Deterministic, Outcome, Source, Variable, Verdict, Witness
from proofcheck.probabilistic import rate_outcome, replay_rate
from proofcheck.decide.stats import RateEstimate

from . import CITATION

a = Variable("a", st.floats(-10, 10), domain="[-10, 10]", lo=-10, hi=10, meaning="a real number")
b = Variable("b", st.floats(-10, 10), domain="[-10, 10]", lo=-10, hi=10, meaning="a real number")
delta = Constant("delta", "1/2", "the printed failure probability", positive=True, below=1)

square = Claim(
    id="oldapi2024.lemma1", title="(a + b)^2 <= 2a^2 + 2b^2",
    source=Source("oldapi2024", "Lemma 1", CITATION), statement=r"(a+b)^2 \le 2a^2 + 2b^2",
    variables=[a, b], kind=Deterministic(),
    conclusion=sympy.Le((a.symbol + b.symbol) ** 2, 2 * a.symbol**2 + 2 * b.symbol**2),
    witnesses=[Witness({"a": 1, "b": 1}, "the equality case a = b")],
)


def _delta(ctx) -> float:
    return float(Fraction(str(ctx.constants["delta"])))


def _coin_runs(ctx):
    """Ten fair coins all heads, 0.1.0 style: the procedure counts the failures itself."""
    trials = ctx.trials(1.0) if hasattr(ctx, "trials") else 200
    failures = int(sum(bool((ctx.rng.random(10) < 0.5).all()) for _ in range(trials)))
    est = RateEstimate.of(failures, trials, _delta(ctx))
    outcome = rate_outcome(ctx, failures, trials, _delta(ctx), "ten heads in a row", {})
    assert isinstance(outcome, Outcome) and outcome.verdict in (Verdict.SURVIVED, Verdict.REFUTED)
    assert est.failures == failures
    return outcome


def _replay(ctx, record):
    return replay_rate(ctx, record, _delta(ctx), lambda inst: (True, "stored"))


coins = Claim(
    id="oldapi2024.lemma2", title="ten heads in a row have probability at most delta",
    source=Source("oldapi2024", "Lemma 2", CITATION), statement=r"\Pr[H^{10}] \le \delta",
    constants=[delta], check=_coin_runs, replay=_replay,
    procedure_reason="written against 0.1.0, where the procedure counted its own trials",
)
