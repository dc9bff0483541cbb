"""``proofcheck replay``: re-verify the stored counterexamples of a claim with the current code."""
from __future__ import annotations

import argparse
from typing import Any

from proofcheck.decide.engine import replay
from proofcheck.interfaces.cli.args import ID_HELP, STORE_HELP, add_text_or_json_output, store_of
from proofcheck.interfaces.cli.output import check_outputs, emit
from proofcheck.model.registry import load
from proofcheck.report import to_json
from proofcheck.store.readable import values_text

NAME = "replay"


def add_parser(commands) -> None:
    p = commands.add_parser(NAME, help="re-verify the stored counterexamples of a claim",
                            description="Re-verify every stored counterexample of a claim with the current code; "
                            "exit 0 only when one still refutes.")
    p.add_argument("id", help=ID_HELP)
    p.add_argument("--store", help=STORE_HELP)
    add_text_or_json_output(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace, argv: list[str]) -> int:
    outputs = check_outputs(args.format, args.output)  # checked before any work, never opened
    registry = load()
    store = store_of(args)
    claim = registry.get(args.id)
    rows = replay(claim, store=store, registry=registry)
    refuting = sum(1 for row in rows if row["refutes"])
    if args.format == "json":
        text = to_json({"id": claim.id, "replays": rows, "still_refuting": refuting})
    else:
        text = replay_text(claim.id, rows, refuting, store)
    emit(text, outputs)
    return 0 if refuting else 1  # exit 0 only when a stored counterexample still refutes


def replay_text(claim_id: str, rows: list[dict[str, Any]], refuting: int, store) -> str:
    if not rows:
        return f"{claim_id}: no stored counterexample in {store.root}"
    lines = []
    for i, row in enumerate(rows):
        status = "still refutes" if row["refutes"] else "does NOT refute"
        lines.append(f"{claim_id} #{i + 1}: {status} ({row['how']})")
        # the stored values read by report/values (the store's one reader for people)
        lines.append(f"    values: {values_text(row['record'].get('values', {}))}")
    if not refuting:
        lines.append(f"{claim_id}: none of the {len(rows)} stored counterexample(s) still refutes")
    return "\n".join(lines)
