"""``proofcheck check``: check one claim, optionally with changed constants."""
from __future__ import annotations

import argparse

from proofcheck import __version__
from proofcheck.decide.engine import check, constants_with, parse_sets
from proofcheck.interfaces.cli.args import ID_HELP, add_checking_options, add_text_or_json_output, seed_of, store_of
from proofcheck.interfaces.cli.contract import report_of
from proofcheck.interfaces.cli.output import check_outputs, emit, eprint
from proofcheck.model.registry import load
from proofcheck.model.verdict import Result
from proofcheck.report import to_json
from proofcheck.report.values import margin_text, printed
from proofcheck.store.readable import values_text

NAME = "check"


def add_parser(commands) -> None:
    p = commands.add_parser(NAME, help="check one claim, optionally with changed constants",
                            description="Check one claim and print its verdict, evidence and counterexample.")
    p.add_argument("id", help=ID_HELP)
    add_checking_options(p)
    p.add_argument("--set", dest="sets", action="append", default=[], metavar="NAME=VALUE",
                   help="override a named constant (repeatable), e.g. --set c=1/4")
    add_text_or_json_output(p, "json (the audit's JSON contract for this one result)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace, argv: list[str]) -> int:
    outputs = check_outputs(args.format, args.output)  # checked before any work, never opened
    overrides = parse_sets(args.sets)  # a value that does not parse: an error before loading anything
    registry = load()
    store = store_of(args)
    seed = seed_of(args)
    claim = registry.get(args.id)
    constants_with(claim, overrides)  # bad --set: a usage error before any work
    eprint(f"proofcheck {__version__}: seed {seed}, budget {args.budget}")
    result = check(claim, args.budget, seed, overrides=overrides, store=store, progress=eprint, registry=registry)
    if args.format == "json":
        text = to_json(report_of([result], registry, seed, args.budget, argv))
    else:
        text = result_text(result, getattr(claim, "reason", None))
    emit(text, outputs)
    return 0


def result_text(r: Result, reason: str | None = None) -> str:
    """One result as people read it: verdict, why, evidence, margin, constants, counterexample."""
    lines = [f"{r.id}: {r.verdict.value.upper()}"]
    if reason:
        lines.append(f"  why: {reason}")
    lines += [f"  evidence: {r.evidence}",
              f"  examples: {r.examples} (satisfied the hypotheses: {r.satisfied})"]
    if r.margin is not None:
        lines.append(f"  margin: {margin_text(r.margin, r.relative_margin, r.verdict.value)}")
    if r.constants:
        lines.append("  constants: " + ", ".join(f"{k} = {printed(v)}" for k, v in r.constants.items()))
    if r.counterexample:
        # the stored values read by report/values (the store's one reader for people)
        lines.append(f"  counterexample: {values_text(r.counterexample.get('values', {}))}")
        lines.append(f"  verified by: {r.counterexample.get('verified_by', '')}")
    for n in r.notes:
        lines.append(f"  note: {n}")
    lines.append(f"  reproduce: {r.reproduce}")
    lines.append(f"  time: {r.seconds:.2f} s")
    return "\n".join(lines)
