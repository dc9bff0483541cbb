"""The arguments every command shares: the parser that reports a usage error in one line, the
help texts, the options of the commands that check claims, and the readers of numbers."""
from __future__ import annotations

import argparse
import math
import random
from typing import Callable

from proofcheck.store.counterexamples import CounterexampleStore

FORMATS = ("md", "html", "json")

ID_HELP = ("a claim id as 'proofcheck list' prints it, e.g. park2019.thm3.4.s5, du2019.lemma2.2.s1@reading or "
           "toy2024.lemma2:repaired")
IDS_HELP = ("claim ids or id prefixes: a paper (park2019), a result and its proof lines (park2019.thm3.4), "
            "or one claim (default: every registered claim)")
BUDGET_HELP = ("how much to search: quick, default or deep, each with more examples and trials than the "
               "one before (a time limit is only a safety net)")
OUTPUT_HELP = "write to this file instead of standard output"
STORE_HELP = "counterexample store folder (default .proofcheck/counterexamples or $PROOFCHECK_STORE)"


class CliError(Exception):
    """A usage error (exit 2) or a failure to write (exit 1), reported in one line."""

    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code


class Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2
        raise CliError(f"{self.prog}: {message}")


def number_reader(convert: Callable[[str], float], accepts: Callable[[float], bool],
                  expected: str) -> Callable[[str], float]:
    """An argparse ``type``: ``convert`` the text, keep it when ``accepts`` it, else say what was expected."""
    def read(text: str):
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None
        if not accepts(value):
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
        return value

    return read


positive_int = number_reader(int, lambda v: v >= 1, "a positive integer")
seed_number = number_reader(int, lambda v: v >= 0, "a non-negative integer seed")
positive_seconds = number_reader(float, lambda v: v > 0 and math.isfinite(v), "a positive number of seconds")


def add_checking_options(p: argparse.ArgumentParser) -> None:
    """The options of every command that checks claims: budget, seed and store."""
    p.add_argument("--budget", choices=("quick", "default", "deep"), default="default", help=BUDGET_HELP)
    p.add_argument("--seed", type=seed_number, default=None, help="random seed (default: a fresh one, printed); "
                   "the same seed and budget give the same verdicts")
    p.add_argument("--store", help=STORE_HELP)


def add_text_or_json_output(p: argparse.ArgumentParser, json_help: str = "json") -> None:
    """``--format text|json`` and ``-o``: the output of every command but ``audit``."""
    p.add_argument("--format", choices=("text", "json"), default="text", help=f"text (default) or {json_help}")
    p.add_argument("-o", "--output", help=OUTPUT_HELP)


def store_of(args: argparse.Namespace) -> CounterexampleStore:
    """The counterexample store ``--store`` names (else the default), checked usable before any work."""
    store = CounterexampleStore(args.store) if args.store else CounterexampleStore()
    store.check_usable()
    return store


def seed_of(args: argparse.Namespace) -> int:
    """``--seed``, else a fresh one (which the command prints)."""
    return args.seed if args.seed is not None else random.SystemRandom().randrange(2**31)
