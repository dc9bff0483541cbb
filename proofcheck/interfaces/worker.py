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
from typing import Any, Callable, Iterable

from distributed import get_worker
from distributed.utils import sync
from hypothesis.control import current_build_context
from hypothesis.database import ExampleDatabase, choices_to_bytes

from proofcheck.decide.search import EXAMPLE_DATABASE
from proofcheck.model.registry import Registry, UnknownClaim, load

#: event topics: a task started on a worker, a counterexample verified on a worker, a search's new
#: best lead (its Hypothesis choices) on a worker
TOPIC_START = "proofcheck-start"
TOPIC_FOUND = "proofcheck-found"
TOPIC_LEAD = "proofcheck-lead"
#: leads one attempt sends at most (the first are the searches' early leads, the rest their improvements)
LEADS_SENT = 200


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
    worker = get_worker()
    sync(worker.loop, worker.scheduler.log_event, topic=topic, msg=msg)


def post_event(topic: str, msg: dict[str, Any]) -> None:
    """Send ``msg`` to the scheduler without waiting (a lead lost with its worker costs only time)."""
    get_worker().log_event(topic, msg)


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


class ClaimExampleDatabase(ExampleDatabase):
    """The Hypothesis example database of one task, shared through the cluster: each search's new
    best lead (the choices Hypothesis made for it) goes to the audit as an event
    (:meth:`keep`); a retry of the claim, on any worker, is given the leads its dead attempts sent,
    and its Hypothesis runs replay them first (the ``reuse`` phase).

    Determinism: a first attempt has no database for Hypothesis (``replay`` is None), so its draws
    and results are those of a run without one, on any cluster; only a retry, after a worker died,
    starts otherwise. The leads live for one audit (the store keeps the counterexamples)."""

    def __init__(self, task: str, leads: Iterable[bytes] = ()):
        super().__init__()
        self.task = task
        self.leads = list(leads)
        self.sent = 0
        self.replay = self if self.leads else None

    def keep(self) -> None:
        """The example the search is evaluating is its best lead now: its choices go to the audit."""
        self._send(choices_to_bytes(current_build_context().data.choices))

    def _send(self, choices: bytes) -> None:
        if self.sent < LEADS_SENT:
            self.sent += 1
            post_event(TOPIC_LEAD, {"task": self.task, "lead": choices})

    # Hypothesis's side (a retry's runs): the leads are the examples it replays first
    def fetch(self, key: bytes) -> Iterable[bytes]:
        if not key.endswith((b".secondary", b".pareto")):
            yield from list(self.leads)

    def save(self, key: bytes, value: bytes) -> None:
        self._send(value)  # what a retry's Hypothesis keeps is a lead too

    def delete(self, key: bytes, value: bytes) -> None:
        pass  # the leads stay for every search of the claim

    def move(self, src: bytes, dest: bytes, value: bytes) -> None:
        pass


# ---------------------------------------------------------------- tasks
def attempt(task: str, fn: Callable[..., Any], *args: Any, leads: Iterable[bytes] = ()) -> Any:
    """One attempt of one task: say where it runs (worker, process id), then run it with the
    claim's example database (``leads``: what the task's earlier attempts sent)."""
    send_event(TOPIC_START, {"task": task, "worker": get_worker().address, "pid": os.getpid()})
    token = EXAMPLE_DATABASE.set(ClaimExampleDatabase(task, leads))
    try:
        return fn(task, *args)
    finally:
        EXAMPLE_DATABASE.reset(token)


def claim_named(claim_id: str, module: str | None):
    """The claim from this worker's registry, or from the module that defines it (a claim the
    caller built outside the registered lemma packages)."""
    registry = load()
    if claim_id in registry.claims or not module:
        return registry.get(claim_id), registry
    own = Registry()
    own.add_module(importlib.import_module(module))
    try:
        return own.get(claim_id), own
    except UnknownClaim:
        return registry.get(claim_id), registry
