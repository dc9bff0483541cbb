"""The report of checked claims as the JSON contract says (``audit``, and ``check --format json``)."""
from __future__ import annotations

import datetime
import os
import platform
import shlex
from typing import Any

from proofcheck import __version__
from proofcheck.model.registry import Registry
from proofcheck.model.verdict import Result

#: the claim's metadata each result carries, so renderers need nothing else
CLAIM_FIELDS = ("title", "source", "statement", "kind", "delta", "uses", "note", "mathml", "variables", "symbols")


def report_of(results: list[Result], registry: Registry, seed: int, budget: str, argv: list[str]) -> dict[str, Any]:
    """The JSON contract (plus each claim's metadata)."""
    claims = []
    for r in results:
        record = r.to_json()
        claim = registry.get(r.id)
        meta = claim.to_json(registry.definitions_for(claim))
        for key in CLAIM_FIELDS:
            record[key] = meta[key]
        reason = getattr(claim, "reason", None)  # the encoder's one sentence (Claim.reason), where given
        if reason and "reason" not in record:
            record["reason"] = reason
        claims.append(record)
    return {
        "tool": "proofcheck",
        "version": __version__,
        "seed": seed,
        "budget": budget,
        "command": reproducing_command(argv, seed),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": {"platform": platform.platform(), "python": platform.python_version(),
                    "cpus": os.cpu_count() or 1},
        "claims": claims,
    }


def reproducing_command(argv: list[str], seed: int) -> str:
    """The command that reproduces the report: same claims, seed and budget, written nowhere else."""
    cleaned, skip = [], False
    for a in argv:
        if skip:
            skip = False
            continue
        if a in ("-o", "--output", "--seed"):
            skip = True
            continue
        if a.startswith(("--output=", "--seed=")):
            continue
        cleaned.append(a)
    return "proofcheck " + " ".join(shlex.quote(a) for a in cleaned) + f" --seed {seed}"
