"""Audits on Dask's distributed scheduler: each claim a task with hard limits, on any cluster.

``audit --jobs N`` starts an embedded local cluster of ``min(N, claims)`` single-threaded worker
processes, each under a nanny; ``audit --scheduler ADDRESS`` (or ``$PROOFCHECK_SCHEDULER``) sends
the tasks to an existing cluster (``dask scheduler`` / ``dask worker`` on any machines). Every task
runs in a worker process, never in the audit's own, so a claim that crashes its process does not
end the audit.

The audit keeps at most one task per worker thread in flight and submits the most expensive first
(by the last audit's timings). For each attempt the worker reports where it runs (address, process
id); then:

* a claim over its wall-clock limit (:func:`time_limit`, from the budget) is cancelled and its
  worker process killed (its nanny starts a fresh one): ``error: time limit``, with the
  counterexamples it had already sent;
* a worker that dies while running a task (killed by the kernel, by itself, or by its nanny over
  its memory limit) has the task retried once on a fresh worker; a second death reports
  ``error: memory limit`` (the nanny said so for that process) or ``error: worker died``.

Counterexamples travel as scheduler events (:mod:`proofcheck.interfaces.worker`): the audit writes each to its
store the moment it arrives. So do the searches' best leads (the claim's Hypothesis example
database, :class:`proofcheck.interfaces.worker.ClaimExampleDatabase`): a retry starts from them.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import math
import multiprocessing
import os
import signal
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from multiprocessing import forkserver
from pathlib import Path
from typing import Any, Callable

from proofcheck.interfaces.worker import TOPIC_FOUND, TOPIC_LEAD, TOPIC_START, attempt, quiet_logs

ENV_SCHEDULER = "PROOFCHECK_SCHEDULER"
#: ``ADDRESS#ENVIRONMENT``: a running cluster that audits asking for the default local cluster (one
#: worker, no memory limit) use instead, when their claim environment (:func:`claim_environment`)
#: is the one its workers were started with. The test suite sets it (tests/conftest.py), so its many
#: small audits share one cluster instead of starting one each.
ENV_SHARED = "PROOFCHECK_SHARED_CLUSTER"
#: Dask's configuration for an audit's cluster. One task per worker at a time (the audit keeps the
#: queue itself, most expensive first), and a worker's death fails its task at once: the audit
#: decides about the retry. Dask's background work costs CPU for as long as an audit runs: the
#: statistical profiler (a stack sample every 10 ms in each worker) and work stealing are no use
#: here; the health checks run less often (a memory check every 250 ms still stops a runaway allocation).
AUDIT_CONFIG = {"distributed.scheduler.worker-saturation": 1.0,
                "distributed.scheduler.allowed-failures": 0,
                "distributed.scheduler.work-stealing": False,
                "distributed.worker.multiprocessing-method": "forkserver",
                "distributed.worker.profile.enabled": False,
                "distributed.worker.memory.monitor-interval": "250ms",
                "distributed.admin.system-monitor.interval": "2s",
                "distributed.admin.tick.interval": "500ms",
                "distributed.admin.tick.limit": "1h"}
#: attempts of a task whose worker dies (the first and one retry on a fresh worker)
ATTEMPTS = 2
#: seconds without any worker in the cluster before the claims still queued are reported
NO_WORKERS = 120.0
#: the nanny's event when it kills a worker over its memory limit
TOPIC_MEMORY = "worker-restart-memory"


def time_limit(budget_seconds: float) -> float:
    """The hard wall-clock limit of one claim: the budget's seconds are a soft limit the engine's
    own loops read; a claim still running at twice that plus half a minute is stuck."""
    return 2 * float(budget_seconds) + 30


class Interrupted(BaseException):
    """SIGINT or SIGTERM during an audit (``signum`` says which); the workers are already stopped."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


@dataclass
class Job:
    """One task: ``fn`` (a module-level task function: :func:`proofcheck.interfaces.audit.check_claim`,
    :func:`proofcheck.interfaces.frontier.claim_frontier`) with ``args``; ``claim`` for
    progress and for counterexamples; ``cost`` orders the queue (most expensive first)."""

    name: str
    claim: str
    fn: Callable[..., Any]
    args: tuple
    cost: float = math.inf
    keys: list[str] = field(default_factory=list)   # the attempts' task keys so far
    spent: float = 0.0                                 # seconds its dead attempts ran


@dataclass
class Failure:
    """A task that did not return: ``reason`` is ``time limit``, ``memory limit`` or ``worker died``."""

    reason: str
    detail: str
    found: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class _Attempt:
    job: Job
    number: int
    submitted: float


class Session:
    """A client on a cluster for one audit (both its claim and its frontier phases)."""

    def __init__(self, jobs: int = 1, scheduler: str | None = None, workers_needed: int = 1,
                 memory_limit: str | None = None, store=None, progress: Callable[[str], None] | None = None):
        # lazy, measured: dask and distributed add about 1 s to the engine's import (7.6 s wall at
        # load 23, -X importtime); only an audit needs them, not check, list, frontier or the tests
        import dask
        import distributed.utils
        from distributed import Client, LocalCluster

        quiet_logs()
        self.store = store
        self.progress = progress
        self.cluster = None
        self.local_pids: list[int] = []
        self._lock = threading.Lock()
        self._starts: dict[str, list[tuple[str, int, float]]] = {}
        self._found: dict[str, list[dict[str, Any]]] = {}
        self._leads: dict[str, list[bytes]] = {}  # the searches' best leads, by task key (for a retry)
        self._memory_killed: set[tuple[str, int]] = set()
        self._keys: set[str] = set()  # this audit's task keys (a cluster may run other audits' tasks)
        # distributed's own defaults are loaded first (imported above): a dask.config.set made before
        # them would, on exit, delete the whole "distributed" section (it did not exist then), and the
        # next cluster in this process would find no "distributed.comm" configuration
        self._config = dask.config.set(AUDIT_CONFIG)

        scheduler = scheduler or os.environ.get(ENV_SCHEDULER) or shared_scheduler(jobs, memory_limit)
        if scheduler:
            self.client = Client(scheduler, timeout="20s", set_as_default=False)
        else:
            # our fork server's preload, not distributed's (which imports every optional package here)
            distributed.utils._forkserver_preload_set = True
            _start_fork_server()
            n = max(1, min(int(jobs), int(workers_needed)))
            self.cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                        memory_limit=memory_limit or "auto", dashboard_address=":0",
                                        scheduler_kwargs={"dashboard": False}, worker_dashboard_address=None,
                                        host="127.0.0.1", scheduler_port=0, preload=["proofcheck.interfaces.worker"],
                                        silence_logs=logging.CRITICAL)
            self.client = Client(self.cluster, set_as_default=False)
        self.client.subscribe_topic(TOPIC_START, self._on_start)
        self.client.subscribe_topic(TOPIC_FOUND, self._on_found)
        self.client.subscribe_topic(TOPIC_MEMORY, self._on_memory)
        self.client.subscribe_topic(TOPIC_LEAD, self._on_lead)

    # ------------------------------------------------------------ events (on the client's event loop)
    def _on_start(self, event) -> None:
        msg = event[1]
        with self._lock:
            self._starts.setdefault(msg["task"], []).append((msg["worker"], int(msg["pid"]), time.monotonic()))

    def _on_found(self, event) -> None:
        msg = event[1]
        if msg.get("task") not in self._keys:  # another audit's task on a shared cluster
            return
        if self.store is not None:
            self.store.add(msg["claim"], msg["record"])
        with self._lock:
            self._found.setdefault(msg["task"], []).append(msg["record"])

    def _on_lead(self, event) -> None:
        msg = event[1]
        with self._lock:
            if msg.get("task") in self._keys:
                self._leads.setdefault(msg["task"], []).append(msg["lead"])

    def _on_memory(self, event) -> None:
        msg = event[1]
        with self._lock:
            self._memory_killed.add((msg.get("worker"), int(msg.get("pid", -1))))

    # ------------------------------------------------------------ the queue
    def slots(self) -> int:
        """Worker threads of the cluster now (0 while every worker is restarting)."""
        info = self.client.scheduler_info(n_workers=-1)
        return sum(int(w.get("nthreads", 1)) for w in info.get("workers", {}).values())

    def run(self, jobs: list[Job], limit: float, on_done: Callable[[Job, Any], None]) -> None:
        """Run every job; ``on_done(job, value or Failure)`` as each ends. Raises :class:`Interrupted`
        on SIGINT/SIGTERM after stopping the workers that run this audit's tasks."""
        queue = sorted(jobs, key=lambda j: (-j.cost, j.name))
        inflight: dict[Any, _Attempt] = {}
        previous = _signals_raise()
        try:
            capacity, checked, workers_seen = 0, 0.0, time.monotonic()
            while queue or inflight:
                now = time.monotonic()
                if queue and len(inflight) >= capacity and now - checked > 1.0:
                    capacity, checked = self.slots(), now
                    if capacity:
                        workers_seen = now
                    elif now - workers_seen > NO_WORKERS and not inflight:
                        for job in queue:  # an external cluster whose workers are all gone
                            on_done(job, Failure("worker died", f"the cluster had no worker for {NO_WORKERS:g} s"))
                        queue = []
                while queue and len(inflight) < capacity:
                    job = queue.pop(0)
                    self._submit(job, 1, inflight)
                if not inflight:
                    time.sleep(0.1)
                    continue
                time.sleep(0.1)
                for fut in [f for f in inflight if f.done()]:
                    att = inflight.pop(fut)
                    self._finished(fut, att, inflight, on_done)
                self._police(inflight, limit, on_done)
        except BaseException:
            self._stop(inflight)
            raise
        finally:
            _signals_restore(previous)

    def _submit(self, job: Job, number: int, inflight: dict) -> None:
        key = f"proofcheck-{job.name}-{number}-{uuid.uuid4().hex[:8]}"
        with self._lock:
            self._keys.add(key)
            leads = [lead for k in job.keys for lead in self._leads.get(k, [])]  # its dead attempts' leads
        fut = self.client.submit(attempt, key, job.fn, *job.args, leads=leads, key=key, pure=False, retries=0)
        inflight[fut] = _Attempt(job, number, time.monotonic())

    def _starts_of(self, key: str) -> list[tuple[str, int, float]]:
        with self._lock:
            return list(self._starts.get(key, []))

    def _found_by(self, keys: list[str]) -> list[dict[str, Any]]:
        with self._lock:
            return [r for k in keys for r in self._found.get(k, [])]

    def _finished(self, fut, att: _Attempt, inflight: dict, on_done) -> None:
        if fut.status == "finished":
            on_done(att.job, fut.result())
            return
        starts = self._starts_of(fut.key)
        if fut.status == "cancelled":  # by the scheduler (e.g. restarting): the attempt never ended
            self._submit(att.job, att.number, inflight)
            return
        exc = fut.exception()
        if type(exc).__name__ != "KilledWorker":  # the task raised (the engine's check never does)
            on_done(att.job, Failure("worker died", f"the task raised {type(exc).__name__}: {exc}",
                                     self._found_by(att.job.keys + [fut.key])))
            return
        if not starts:  # it never started: its worker went away first (e.g. one being replaced)
            self._submit(att.job, att.number, inflight)
            return
        self._died(att, fut.key, starts, att.number - 1 + len(starts), inflight, on_done)

    def _died(self, att: _Attempt, key: str, starts, attempts: int, inflight: dict, on_done) -> None:
        """The run ``starts[-1]`` of a task died; retry it, or report it after ``ATTEMPTS`` deaths."""
        worker, pid, started = starts[-1]
        reason = self._reason(pid)
        att.job.keys.append(key)
        att.job.spent += time.monotonic() - started
        if attempts < ATTEMPTS:
            self._say(f"{att.job.name}: its worker process {pid} died ({reason}); retrying on a fresh worker")
            self._submit(att.job, attempts + 1, inflight)
            return
        on_done(att.job, Failure(reason, f"its worker process died on each of {attempts} attempts "
                                         f"(the last: process {pid}, {reason})",
                                 self._found_by(att.job.keys), att.job.spent))

    def _reason(self, pid: int) -> str:
        with self._lock:
            return "memory limit" if any(p == pid for _, p in self._memory_killed) else "worker died"

    def _police(self, inflight: dict, limit: float, on_done) -> None:
        """Time limits, and deaths a scheduler that allows failures retried on its own (each extra
        start of one task is a death of the run before it)."""
        now = time.monotonic()
        for fut, att in list(inflight.items()):
            starts = self._starts_of(fut.key)
            if not starts:
                if now - att.submitted > limit:  # queued behind a worker that never freed: elsewhere
                    inflight.pop(fut)
                    fut.cancel()
                    self._submit(att.job, att.number, inflight)
                continue
            worker, pid, started = starts[-1]
            if att.number - 1 + len(starts) > ATTEMPTS:
                inflight.pop(fut)
                fut.cancel()
                self._kill(worker, pid)
                self._died(att, fut.key, starts[:-1], ATTEMPTS, inflight, on_done)
                continue
            if now - started > limit:
                inflight.pop(fut)
                fut.cancel()
                self._kill(worker, pid)
                found = self._found_by(att.job.keys + [fut.key])
                self._say(f"{att.job.name}: over its time limit of {limit:g} s; worker process {pid} stopped")
                on_done(att.job, Failure("time limit", f"still running after {limit:g} s (the claim's hard "
                                                       f"wall-clock limit); its worker process {pid} was "
                                                       f"stopped and replaced", found, att.job.spent + now - started))

    def _kill(self, worker: str, pid: int | None) -> None:
        """End one worker process now; its nanny starts a fresh one. A local worker is killed by its
        process id; a remote one by its nanny (SIGTERM, then SIGKILL), in the background."""
        if self.cluster is not None and pid:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:  # already gone
                pass
            return

        def restart() -> None:
            try:
                self.client.restart_workers([worker], timeout=60, raise_for_error=False)
            except Exception:  # already gone, or the client is closing
                pass

        threading.Thread(target=restart, name=f"proofcheck-restart-{worker}", daemon=True).start()

    def _stop(self, inflight: dict) -> None:
        """On an interrupt: the workers running this audit's tasks end now (a local cluster's all)."""
        busy = {s[-1][:2] for fut in inflight for s in [self._starts_of(fut.key)] if s}
        for fut in inflight:
            fut.cancel()
        if self.cluster is not None:
            self.kill_local_workers()
        else:
            for worker, pid in busy:
                self._kill(worker, pid)

    def _local_worker_pids(self) -> list[int]:
        pids = []
        for nanny in list(getattr(self.cluster, "workers", {}).values()):
            proc = getattr(getattr(nanny, "process", None), "process", None)
            pid = getattr(proc, "pid", None)
            if pid:
                pids.append(pid)
        return pids

    def _say(self, message: str) -> None:
        if self.progress is not None:
            self.progress(message)

    # ------------------------------------------------------------ closing
    def kill_local_workers(self) -> None:
        if self.cluster is not None:
            for pid in self._local_worker_pids():
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass

    def close(self, fast: bool = False) -> None:
        if fast:
            self.kill_local_workers()
        try:
            self.client.close(timeout=2 if fast else 10)
        except Exception:
            pass
        if self.cluster is not None:
            try:
                self.cluster.close(timeout=2 if fast else 10)
            except Exception:
                pass
        self._config.__exit__(None, None, None)

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, kind, exc, tb) -> None:
        if kind is not None and issubclass(kind, Interrupted):
            # the caller exits now: a graceful close takes seconds, and so does the fork server's
            # exit on its own (it holds every claim in memory)
            self.kill_local_workers()
            if self.cluster is not None:
                _kill_fork_server()
            return
        self.close(fast=kind is not None)


#: variables that describe only the audit's own process (its store, its schedulers, its folder, the
#: test pytest is running), not how the claims load and run
CLIENT_SIDE = frozenset({ENV_SCHEDULER, ENV_SHARED, "PROOFCHECK_STORE", "PWD", "OLDPWD", "_", "SHLVL",
                         "PYTEST_CURRENT_TEST"})


def claim_environment(env=None) -> str:
    """A digest of the environment but :data:`CLIENT_SIDE`: a shared cluster serves only audits
    whose digest is its workers' (any other difference, e.g. another ``PROOFCHECK_LEMMAS`` or a
    variable a claim reads, and the audit starts its own cluster)."""
    env = os.environ if env is None else env
    text = json.dumps(sorted([k, v] for k, v in env.items() if k not in CLIENT_SIDE))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def shared_scheduler(jobs: int = 1, memory_limit: str | None = None) -> str | None:
    """The address in ``$PROOFCHECK_SHARED_CLUSTER`` when an audit of ``jobs`` workers with
    ``memory_limit`` may run there instead of on its own local cluster, else None."""
    address, _, environment = os.environ.get(ENV_SHARED, "").partition("#")
    if address and environment == claim_environment() and int(jobs) <= 1 and memory_limit is None:
        return address
    return None


def start_fork_server() -> None:
    """Workers fork from a server that imported the claims once (not one import per worker). Started
    early (before the audit loads the claims itself), the two imports run side by side; not when a
    shared cluster will serve the audit (:func:`shared_scheduler`)."""
    if shared_scheduler() is None:
        _start_fork_server()


def _start_fork_server() -> None:
    # An audit stopped by a signal exits at once, leaving the nannies' semaphores to the resource
    # tracker (started with the fork server, with this process's warning options), which removes
    # them; its warning about them is not the audit's line.
    quiet_tracker = "ignore::UserWarning:multiprocessing.resource_tracker"
    if quiet_tracker not in sys.warnoptions:
        sys.warnoptions.append(quiet_tracker)
    multiprocessing.get_context("forkserver").set_forkserver_preload(["distributed", "proofcheck.interfaces.worker",
                                                                         "proofcheck.interfaces.audit",
                                                                         "proofcheck.interfaces.frontier",
                                                                         "proofcheck.interfaces.preload"])
    forkserver.ensure_running()


def _kill_fork_server() -> None:
    pid = getattr(getattr(forkserver, "_forkserver", None), "_forkserver_pid", None)
    if pid:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


# ---------------------------------------------------------------- signals
def _raise(signum, frame):
    raise Interrupted(signum)


def _signals_raise():
    """SIGINT and SIGTERM raise :class:`Interrupted` in the main thread (elsewhere: left alone)."""
    if threading.current_thread() is not threading.main_thread():
        return None
    return {s: signal.signal(s, _raise) for s in (signal.SIGINT, signal.SIGTERM)}


@contextlib.contextmanager
def hold_signals():
    """For a whole audit (cluster start, claims, frontiers): SIGINT and SIGTERM raise :class:`Interrupted`."""
    previous = _signals_raise()
    try:
        yield
    finally:
        _signals_restore(previous)


def _signals_restore(previous) -> None:
    for s, handler in (previous or {}).items():
        signal.signal(s, handler)


# ---------------------------------------------------------------- costs
def last_timings(store) -> dict[str, float]:
    """Seconds per claim from the last audit (``last-audit.jsonl`` beside the store); read before
    the new audit replaces that file."""
    path = Path(store.root).parent / "last-audit.jsonl" if store is not None else None
    out: dict[str, float] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines() if path is not None else []
    except (OSError, UnicodeDecodeError):
        return out
    for line in lines:
        try:
            rec = json.loads(line)
            seconds = float(rec["seconds"])
        except (ValueError, KeyError, TypeError):
            continue
        if isinstance(rec.get("id"), str) and math.isfinite(seconds):
            out[rec["id"]] = seconds
    return out
