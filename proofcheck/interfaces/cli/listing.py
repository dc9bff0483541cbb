"""``proofcheck list``: the registered claims with their metadata."""
from __future__ import annotations

import argparse

from proofcheck import __version__
from proofcheck.interfaces.cli.args import IDS_HELP, add_text_or_json_output
from proofcheck.interfaces.cli.output import check_outputs, emit, eprint
from proofcheck.model.claim import Claim
from proofcheck.model.registry import load
from proofcheck.report import to_json
from proofcheck.report.values import printed

NAME = "list"


def add_parser(commands) -> None:
    p = commands.add_parser(NAME, help="list the registered claims", description="List the registered claims: id, "
                            "kind, where the source prints it, title, constants and the claims it uses.")
    p.add_argument("ids", nargs="*", metavar="ID", help=IDS_HELP)
    add_text_or_json_output(p, "json (each claim's metadata)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace, argv: list[str]) -> int:
    outputs = check_outputs(args.format, args.output)  # checked before any work, never opened
    registry = load()
    claims = registry.select(args.ids)
    if args.format == "json":
        rows = []
        for c in claims:
            row = c.to_json(registry.definitions_for(c))
            if c.build_error:
                row["ill_formed"] = c.build_error
            rows.append(row)
        text = to_json({"tool": "proofcheck", "version": __version__, "claims": rows})
    else:
        text = "\n".join(claim_line(c) for c in claims)
    for c in claims:
        if c.build_error:
            eprint(f"warning: {c.id} is ill-formed: {c.build_error}")
    emit(text, outputs)
    return 0


def claim_line(c: Claim) -> str:
    """A claim's id, kind, source, title, constants and uses (and why it is ill-formed, if it is)."""
    consts = ", ".join(f"{k} = {printed(v)}" for k, v in c.constant_defaults().items())
    return (f"{c.id:40s} {c.kind.name:13s} {c.source.document}, {c.source.location}\n"
            f"    {c.title}" + (f"  [{consts}]" if consts else "")
            + (f"  uses: {', '.join(c.uses)}" if c.uses else "")
            + (f"\n    ILL-FORMED: {c.build_error}" if c.build_error else ""))
