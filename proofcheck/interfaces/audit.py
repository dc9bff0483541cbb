"""An audit: many claims, each a task on a Dask cluster (:mod:`proofcheck.interfaces.cluster` runs
the tasks; :mod:`proofcheck.interfaces.worker` is what every task runs inside)."""
from __future__ import annotations

import math
from typing import Any, Mapping

from proofcheck.decide.engine import check, constants_with, reproduce_command
from proofcheck.interfaces.cluster import Job, Session, time_limit
from proofcheck.interfaces.worker import RelayStore, claim_named
from proofcheck.model.claim import Claim
from proofcheck.decide.context import budget_named
from proofcheck.model.registry import module_of
from proofcheck.model.verdict import Result, Verdict
from proofcheck.store.counterexamples import CounterexampleStore


def check_claim(task: str, claim_id: str, module: str | None, budget: str, seed: int, store_root: str,
                records: list[dict[str, Any]]) -> dict[str, Any]:
    """The task of one claim, on a worker: check it with the counterexamples it already has."""
    claim, registry = claim_named(claim_id, module)
    store = RelayStore(store_root, {claim_id: records}, task)
    return check(claim, budget, seed, store=store, registry=registry).to_json()


def audit(claims: list[Claim], budget: str = "default", seed: int = 0, jobs: int = 1,
          store: CounterexampleStore | None = None, progress=None, on_result=None, scheduler: str | None = None,
          session=None, costs: Mapping[str, float] | None = None, memory_limit: str | None = None,
          seconds_limit: float | None = None) -> list[Result]:
    """Check several claims, each a task on a Dask cluster (:mod:`proofcheck.interfaces.cluster`): an embedded
    local cluster of ``min(jobs, len(claims))`` worker processes, or the cluster at ``scheduler``
    (or ``session``'s, when the caller keeps one for the frontiers too). The most expensive claims
    (by ``costs``, seconds per id from the last audit) go first; a claim over its hard time limit
    (``seconds_limit``, default :func:`proofcheck.interfaces.cluster.time_limit` of the budget) or whose worker
    dies twice is an ``error`` result saying which. Results are returned in id order."""
    total = len(claims)
    results: dict[str, Result] = {}
    if not claims:
        return []
    plan = budget_named(budget)
    limit = seconds_limit if seconds_limit is not None else time_limit(plan.seconds)
    root = str(store.root.resolve()) if store is not None else ""
    by_id = {c.id: c for c in claims}
    costs = costs or {}
    jobs_ = [Job(c.id, c.id, check_claim,
                 (c.id, module_of(c), budget, seed, root, store.load(c.id) if store is not None else []),
                 cost=costs.get(c.id, math.inf)) for c in claims]

    def done(job, value) -> None:
        claim = by_id[job.claim]
        result = Result.from_json(value) if isinstance(value, dict) else _limit_result(claim, value, limit)
        # the command that reproduces it names the audit's store, not the worker's view of it
        result.reproduce = reproduce_command(claim, result.verdict, seed, budget, None, store)
        results[result.id] = result
        if on_result is not None:
            on_result(result)
        if progress is not None:
            progress(f"[{len(results)}/{total}] {result.id}: {result.verdict.value} ({result.seconds:.1f} s)")

    own = session is None
    if own:
        session = Session(jobs, scheduler, workers_needed=total, memory_limit=memory_limit, store=store,
                          progress=progress)
    try:
        session.run(jobs_, limit, done)
    finally:
        if own:
            session.close()
    return [results[c.id] for c in claims]


def _limit_result(claim: Claim, failure, limit: float) -> Result:
    """The result of a claim stopped by a hard limit or a lost worker, with what it had found."""
    found = failure.found
    notes = [f"the claim was stopped: {failure.detail}"]
    if found:
        notes.append(f"{len(found)} counterexample(s) verified before it stopped are in the store; the next run "
                     f"replays them first")
    return Result(id=claim.id, verdict=Verdict.ERROR, evidence=f"{failure.reason}: {failure.detail}",
                  decided_by="limit", constants=constants_with(claim, None),
                  counterexample=found[0] if found else None, seconds=failure.seconds, notes=notes,
                  details={"stopped_by": failure.reason, "time_limit": limit, "found": len(found)})
