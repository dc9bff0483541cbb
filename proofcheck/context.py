"""What a procedure gets when it checks one claim: constants, budget, seed, store, progress."""
from __future__ import annotations

import sys
import time
import zlib
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

from .claim import Claim, Env
from .constants import ConstantValues
from .store import CounterexampleStore


@dataclass(frozen=True)
class Budget:
    """How hard to try. ``examples``: search examples for a cost-1 claim; ``trials``: random
    repetitions for statistical estimates; ``seconds``: a soft time limit per claim."""

    name: str
    examples: int
    trials: int
    seconds: float


BUDGETS = {
    "quick": Budget("quick", examples=60, trials=200, seconds=20),
    "default": Budget("default", examples=400, trials=1000, seconds=60),
    "deep": Budget("deep", examples=5000, trials=20000, seconds=900),
}


def budget_named(name: str) -> Budget:
    try:
        return BUDGETS[name]
    except KeyError:
        raise ValueError(f"unknown budget {name!r} (choose from {', '.join(BUDGETS)})") from None


def claim_seed(seed: int, claim_id: str) -> int:
    """A per-claim seed: stable across runs and independent of which other claims run."""
    return (int(seed) * 1_000_003 + zlib.crc32(claim_id.encode())) % (2**32)


class Context:
    """Everything a check of one claim may use. Procedures never print to stdout."""

    def __init__(self, claim: Claim, constants: Mapping[str, Any], budget: Budget, seed: int,
                 store: CounterexampleStore | None = None, progress=None):
        self.claim = claim
        self.constants = dict(constants)  # as declared or set, for display and records only
        self.constant_values = ConstantValues(self.constants)  # every number a layer reads
        self.budget = budget
        self.seed = claim_seed(seed, claim.id)
        self.run_seed = seed
        self.rng = np.random.default_rng(self.seed)
        self.store = store
        self._progress = progress
        self.started = time.monotonic()

    # ------------------------------------------------------------ time
    def seconds_left(self) -> float:
        """Of the budget's soft time limit for this claim (procedures stop early and say so)."""
        return self.budget.seconds - (time.monotonic() - self.started)

    def out_of_time(self) -> bool:
        return self.seconds_left() <= 0

    # ------------------------------------------------------------ sizes
    def examples(self, scale: float = 1.0, minimum: int = 10) -> int:
        """Search examples for this claim: the budget's count scaled by the claim's cost."""
        return max(minimum, int(round(self.budget.examples * self.claim.cost * scale)))

    def trials(self, scale: float = 1.0, minimum: int = 20) -> int:
        return max(minimum, int(round(self.budget.trials * scale)))

    # ------------------------------------------------------------ helpers
    def env(self, values: Mapping[str, Any]) -> Env:
        """Float view of one example: constants as floats, so numpy functions accept them."""
        merged = self.constant_values.floats
        merged.update(values)
        return Env(merged)

    @property
    def float_constants(self) -> dict[str, Any]:
        return self.constant_values.floats

    def progress(self, message: str) -> None:
        if self._progress is not None:
            self._progress(f"{self.claim.id}: {message}")

    def record_counterexample(self, values: Mapping[str, Any], margin: Any, how: str,
                              extra: Mapping[str, Any] | None = None, found_by: str | None = None) -> dict[str, Any]:
        """Encode a verified counterexample and save it at once (it survives an interrupted run).

        ``found_by`` says where it came from: ``search``, ``decision`` (a decision procedure's
        model) or ``witness`` (an instance the encoder supplied); a replay keeps it. A procedure
        that does not say is labelled ``witness``: its instances are the encoder's choice."""
        from .codec import encode

        record = {
            "values": {k: encode(v) for k, v in values.items()},
            "constants": {k: encode(v) for k, v in self.constants.items()},
            "margin": float(margin) if margin is not None else None,
            "verified_by": how,
            "found_by": found_by or "witness",
            "seed": self.run_seed,
        }
        if extra:
            record["extra"] = {k: encode(v) for k, v in extra.items()}
        if self.store is not None:
            self.store.add(self.claim.id, record)
        return record

    def search(self, **kwargs):
        """The engine's hypothesis search over this claim's variables (see :mod:`proofcheck.search`)."""
        from .search import run_search

        return run_search(self, **kwargs)


def log_progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
