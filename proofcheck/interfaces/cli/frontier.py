"""``proofcheck frontier``: bisect a constant or a scalar variable of a claim."""
from __future__ import annotations

import argparse

from proofcheck import __version__
from proofcheck.interfaces.cli.args import (ID_HELP, CliError, add_checking_options, add_text_or_json_output,
                                            number_reader, positive_seconds, seed_of, store_of)
from proofcheck.interfaces.cli.output import check_outputs, emit, eprint
from proofcheck.interfaces.frontier import (MAX_STEPS, SECONDS, FrontierError, bisectable, frontier, parse_range,
                                            target_for, text_report)
from proofcheck.model.registry import load
from proofcheck.report import to_json

NAME = "frontier"

steps_number = number_reader(int, lambda v: 1 <= v <= MAX_STEPS,
                             f"a positive integer, at most {MAX_STEPS} steps (each one shrinks the bracket to about "
                             f"a third; {MAX_STEPS} are far below any printed precision)")


def add_parser(commands) -> None:
    p = commands.add_parser(NAME, help="bisect a constant or a scalar variable of a claim: where it is refuted "
                                       "and where it holds",
                            description="Bisect a constant (or a scalar variable) of a claim: where the claim is "
                            "refuted and where it holds. Without NAME, list what the claim can bisect.")
    p.add_argument("id", help=ID_HELP)
    p.add_argument("name", nargs="?", help="a constant of the claim, or a scalar variable (omit it to list them)")
    p.add_argument("--range", dest="range_", metavar="LO:HI",
                   help="exact ends, e.g. 1/100:999/1000 (default: about a tenth to ten times a constant's printed "
                        "value, inside its rules; a variable's stated bounds or the range its claim declares)")
    add_checking_options(p)
    p.add_argument("--steps", type=steps_number, default=8,
                   help=f"bisection steps after the first probes (default 8, at most {MAX_STEPS})")
    p.add_argument("--seconds", type=positive_seconds, default=None,
                   help="time cap for all the checks (default by budget: "
                        + ", ".join(f"{k} {v:g} s" for k, v in SECONDS.items()) + ")")
    add_text_or_json_output(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace, argv: list[str]) -> int:
    outputs = check_outputs(args.format, args.output)  # checked before any work, never opened
    seed = seed_of(args)
    registry = load()
    claim = registry.get(args.id)
    store = store_of(args)
    if args.name is None:
        can = bisectable(claim)
        text = (f"{claim.id} can bisect:\n" + "\n".join(f"  {n:12s} {what}" for n, what in can) if can
                else f"{claim.id} has no constant or scalar variable to bisect")
        emit(text, outputs)
        return 0
    try:
        rng = parse_range(args.range_) if args.range_ else None
        target_for(claim, args.name, rng)  # bad input: a usage error before any work
    except FrontierError as exc:
        raise CliError(str(exc)) from None
    eprint(f"proofcheck {__version__}: seed {seed}, budget {args.budget}")
    found = frontier(claim, args.name, rng, budget=args.budget, seed=seed, steps=args.steps,
                     seconds=args.seconds, store=store, registry=registry, progress=eprint)
    emit(to_json(found) if args.format == "json" else text_report(found), outputs)
    return 0
