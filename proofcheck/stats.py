"""Statistics for "with probability >= 1 - delta" claims.

A probabilistic claim is refuted only when the exact binomial (Clopper-Pearson) lower confidence
bound on the failure rate exceeds delta; the confidence level is stated in the evidence.
"""
from __future__ import annotations

from dataclasses import dataclass

from scipy.stats import beta as _beta


def clopper_pearson(failures: int, trials: int, confidence: float = 0.99) -> tuple[float, float]:
    """Two-sided exact binomial interval for a rate from ``failures`` out of ``trials``."""
    if trials <= 0:
        raise ValueError("a failure rate needs at least one trial")
    if not 0 <= failures <= trials:
        raise ValueError("failures must lie between 0 and trials")
    a = 1.0 - confidence
    lo = 0.0 if failures == 0 else float(_beta.ppf(a / 2, failures, trials - failures + 1))
    hi = 1.0 if failures == trials else float(_beta.ppf(1 - a / 2, failures + 1, trials - failures))
    return lo, hi


@dataclass(frozen=True)
class RateEstimate:
    """An observed failure rate with its exact interval, compared with the allowed ``delta``."""

    failures: int
    trials: int
    delta: float
    confidence: float
    lo: float
    hi: float

    @classmethod
    def of(cls, failures: int, trials: int, delta: float, confidence: float = 0.99) -> "RateEstimate":
        lo, hi = clopper_pearson(failures, trials, confidence)
        return cls(failures, trials, float(delta), confidence, lo, hi)

    @property
    def rate(self) -> float:
        return self.failures / self.trials

    @property
    def exceeds_delta(self) -> bool:
        """The failure rate is above delta with the stated confidence (a sound refutation)."""
        return self.lo > self.delta

    @property
    def margin(self) -> float:
        """delta minus the upper bound: >= 0 means the data are consistent with the claim."""
        return self.delta - self.hi

    def describe(self) -> str:
        return (f"{self.failures}/{self.trials} failures, rate {self.rate:.4g}, "
                f"{self.confidence:.0%} Clopper-Pearson interval [{self.lo:.4g}, {self.hi:.4g}] "
                f"vs delta = {self.delta:.4g}")

    def to_json(self) -> dict:
        return {"failures": self.failures, "trials": self.trials, "delta": self.delta,
                "confidence": self.confidence, "lo": self.lo, "hi": self.hi}
