"""What a procedure gets when it checks one claim: constants, budget, seed, store, progress."""
from __future__ import annotations

import time
import zlib
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

from proofcheck.model.claim import Claim, Env
from proofcheck.model.constants import ConstantValues
from proofcheck.decide.coverage import Coverage
from proofcheck.store.counterexamples import CounterexampleStore, new_record
from proofcheck.decide.search import run_search


@dataclass(frozen=True)
class Budget:
    """How hard to try, in counts, so the same seed gives the same result on a quiet or a loaded machine.

    ``examples``: Hypothesis examples for a cost-1 claim; ``trials``: random repetitions for
    statistical estimates; ``optimiser``: margin evaluations the local and global optimisers share
    after the Hypothesis phase (cost-1 claim); ``ladder``: how far an integer variable with no upper
    bound (or one beyond the values drawn) is climbed; ``seconds``: a generous safety stop per claim
    only, counted in CPU seconds of the checking process by the search (a loaded machine slows the
    wall clock, not the CPU time of the same work); reaching it is said in the evidence and in
    ``coverage.stopped_by``."""

    name: str
    examples: int
    trials: int
    seconds: float
    optimiser: int = 0
    ladder: int = 0


BUDGETS = {
    "quick": Budget("quick", examples=60, trials=200, seconds=60, optimiser=150, ladder=10**4),
    "default": Budget("default", examples=400, trials=1000, seconds=300, optimiser=2000, ladder=10**5),
    "deep": Budget("deep", examples=5000, trials=20000, seconds=3600, optimiser=12000, ladder=10**7),
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
        # Set by the engine while a claim's own procedure runs: whatever label the procedure asks
        # for, what it records is labelled so (the engine owns every label).
        self.procedure_label: str | None = None
        self.saved: list[dict[str, Any]] = []  # counterexamples recorded by this check, in order
        self._recorded_values: dict[int, dict[str, Any]] = {}  # id of a saved record -> the values it encodes
        self.cpu_started = time.process_time()
        self.coverage = Coverage()

    # ------------------------------------------------------------ time
    def seconds_left(self) -> float:
        """Of the budget's soft time limit for this claim (procedures stop early and say so)."""
        return self.budget.seconds - (time.monotonic() - self.started)

    def out_of_time(self) -> bool:
        return self.seconds_left() <= 0

    def cpu_deadline(self) -> float:
        """The safety stop as a ``time.process_time()`` value: the budget's seconds of CPU for this claim."""
        return self.cpu_started + self.budget.seconds

    # ------------------------------------------------------------ sizes
    def examples(self, scale: float = 1.0, minimum: int = 10) -> int:
        """Search examples for this claim: the budget's count scaled by the claim's cost."""
        return max(minimum, int(round(self.budget.examples * self.claim.cost * scale)))

    def optimiser_evaluations(self, scale: float = 1.0, minimum: int = 0) -> int:
        """Margin evaluations for the search's optimisers: the budget's count scaled by the claim's cost."""
        return max(minimum, int(round(self.budget.optimiser * self.claim.cost * scale)))

    def trials(self, scale: float = 1.0, minimum: int = 20) -> int:
        return max(minimum, int(round(self.budget.trials * scale)))

    # ------------------------------------------------------------ helpers
    def env(self, values: Mapping[str, Any]) -> Env:
        """Float view of one example: constants as floats, so numpy functions accept them."""
        merged = self.constant_values.floats
        merged.update(values)
        return Env(merged)

    def progress(self, message: str) -> None:
        if self._progress is not None:
            self._progress(f"{self.claim.id}: {message}")

    def record_counterexample(self, values: Mapping[str, Any], margin: Any, how: str,
                              extra: Mapping[str, Any] | None = None, found_by: str | None = None) -> dict[str, Any]:
        """Encode a verified counterexample and save it at once (it survives an interrupted run).

        ``found_by`` says where it came from (``verdict.FOUND_BY``), given by the engine's layers
        only; a replay keeps it. What a claim's own procedure records is labelled ``witness``
        whatever it asks for: its instances are the encoder's choice."""
        record = new_record(values, self.constants, margin, how, self.procedure_label or found_by or "witness",
                            self.run_seed, extra, witnesses=self.claim.witnesses)
        self._recorded_values[id(record)] = dict(values)
        self.saved.append(record)
        if self.store is not None:
            self.store.add(self.claim.id, record)
        return record

    def recorded_values(self, record: Any) -> dict[str, Any] | None:
        """The values a counterexample this check recorded was encoded from (so the engine reads them
        without decoding what it just encoded); None for a record it did not make."""
        return self._recorded_values.get(id(record)) if any(r is record for r in self.saved) else None

    def search(self, **kwargs):
        """The engine's hypothesis search over this claim's variables (see :mod:`proofcheck.decide.search`)."""
        return run_search(self, **kwargs)
