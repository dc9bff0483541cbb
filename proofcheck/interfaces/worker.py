"""What runs on a Dask worker of an audit (see :mod:`proofcheck.interfaces.cluster` for the client side).

A worker needs no shared filesystem with the audit: the counterexamples a claim already has are
sent with its task, and every counterexample it verifies is sent back to the audit at once
(:class:`RelayStore`), so a worker killed a moment later loses nothing. The audit's own workers
fork from a server that imported the claims (:mod:`proofcheck.interfaces.preload`) once, not once per worker.

``dask worker ADDRESS --preload proofcheck.interfaces.worker`` gives a worker of an external cluster the same
setup (Ctrl-C in the terminal of the audit is not delivered to it as a traceback); without it the
worker loads the claims at its first task.
"""
from __future__ import annotations

import importlib
import logging
import os
import signal
import warnings
from pathlib import Path
from typing import Any

#: event topics: a task started on a worker, a counterexample verified on a worker
TOPIC_START = "proofcheck-start"
TOPIC_FOUND = "proofcheck-found"


def quiet_logs() -> None:
    """Dask's own log lines (worker restarts, lost tasks) are the audit's to report, in its words."""
    names = ["distributed"] + [n for n in logging.root.manager.loggerDict if n.startswith("distributed.")]
    for name in names:
        logging.getLogger(name).setLevel(logging.CRITICAL)


def dask_setup(worker=None) -> None:
    """Dask's preload hook: runs in the worker process. Ctrl-C in the audit's terminal reaches the
    whole process group; the audit stops its workers itself, so they ignore SIGINT.

    The worker's event loop thread draws from the global ``random`` module while a search runs,
    which Hypothesis notices and blames on the strategies; the engine never uses that module (its
    draws come from Hypothesis' own generator and per-claim numpy generators), so the warning is
    silenced here, in workers only."""
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # pragma: no cover - not the main thread
        pass
    warnings.filterwarnings("ignore", message="Do not use the `random` module inside strategies")
    quiet_logs()


quiet_logs()


# ---------------------------------------------------------------- events to the audit
def send_event(topic: str, msg: dict[str, Any]) -> None:
    """Send ``msg`` to the scheduler and wait for it to be received (the client subscribed to
    ``topic`` gets it from there): once this returns, killing this worker cannot lose it."""
    from distributed import get_worker
    from distributed.utils import sync

    worker = get_worker()
    sync(worker.loop, worker.scheduler.log_event, topic=topic, msg=msg)


class RelayStore:
    """The audit's counterexample store as seen from a worker: the records the audit sent with the
    task, and every new record sent back to the audit as soon as it is verified (the audit writes
    it to its store). Duck-types :class:`proofcheck.store.counterexamples.CounterexampleStore`."""

    def __init__(self, root: str, records: dict[str, list[dict[str, Any]]], task: str):
        self.root = Path(root)
        self.records = {k: list(v) for k, v in records.items()}
        self.task = task
        self.unwritable: str | None = None

    def check_usable(self) -> None:
        pass

    def load(self, claim_id: str) -> list[dict[str, Any]]:
        return list(self.records.get(claim_id, []))

    def add(self, claim_id: str, record: dict[str, Any]) -> bool:
        send_event(TOPIC_FOUND, {"task": self.task, "claim": claim_id, "record": record})
        self.records.setdefault(claim_id, []).append(record)
        return True


# ---------------------------------------------------------------- tasks
def attempt(task: str, fn_name: str, *args: Any) -> Any:
    """One attempt of one task: say where it runs (worker, process id), then run it."""
    from distributed import get_worker

    send_event(TOPIC_START, {"task": task, "worker": get_worker().address, "pid": os.getpid()})
    return globals()[fn_name](task, *args)


def claim_named(claim_id: str, module: str | None):
    """The claim from this worker's registry, or from the module that defines it (a claim the
    caller built outside the registered lemma packages)."""
    from proofcheck.model.registry import Registry, UnknownClaim, load

    registry = load()
    if claim_id in registry.claims or not module:
        return registry.get(claim_id), registry
    own = Registry()
    own.add_module(importlib.import_module(module))
    try:
        return own.get(claim_id), own
    except UnknownClaim:
        return registry.get(claim_id), registry


def check_claim(task: str, claim_id: str, module: str | None, budget: str, seed: int, store_root: str,
                records: list[dict[str, Any]]) -> dict[str, Any]:
    from proofcheck.decide.engine import check

    claim, registry = claim_named(claim_id, module)
    store = RelayStore(store_root, {claim_id: records}, task)
    return check(claim, budget, seed, store=store, registry=registry).to_json()


def claim_frontier(task: str, claim_id: str, module: str | None, result_json: dict[str, Any], budget: str,
                   seed: int, store_root: str, records: list[dict[str, Any]], deadline: float | None):
    from proofcheck.interfaces.frontier import for_result
    from proofcheck.model.verdict import Result

    claim, registry = claim_named(claim_id, module)
    store = RelayStore(store_root, {claim_id: records}, task)
    return for_result(claim, Result.from_json(result_json), budget, seed, store=store, registry=registry,
                      deadline=deadline)
