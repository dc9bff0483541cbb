"""Lint: is every symbol a claim uses defined, and used in the role it was defined for?

A claim's formulas (its sympy conditions and the printed statement in ``formula``) may only use
its variables, its constants and the definitions of its paper. A definition has an arity: a
constant-like quantity (arity 0) applied to an argument, or a function used with the wrong number
of arguments (or with none), is a quantity in a role it cannot have.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import sympy
from sympy.core.function import AppliedUndef

from .claim import Claim, Definition


@dataclass(frozen=True)
class LintProblem:
    name: str
    message: str

    def __str__(self) -> str:
        return self.message


def lint(claim: Claim, definitions: Mapping[str, Definition]) -> list[LintProblem]:
    local = {v.name for v in claim.variables} | {c.name for c in claim.constants}
    problems: dict[str, LintProblem] = {}
    for formula in claim.all_formulas():
        if not isinstance(formula, sympy.Basic):
            continue
        for sym in sorted(formula.free_symbols, key=lambda s: s.name):
            name = sym.name
            if name in local:
                continue
            d = definitions.get(name)
            if d is None:
                problems.setdefault(name, LintProblem(name, f"'{name}' is used but never defined"))
            elif d.arity > 0:
                problems.setdefault(name, LintProblem(
                    name, f"'{name}' is defined as a function of {d.arity} argument(s) but used as a value"))
        for app in sorted(formula.atoms(AppliedUndef), key=str):
            name = app.func.__name__
            if name in local:
                problems.setdefault(name, LintProblem(
                    name, f"'{name}' is a variable or constant of the claim but used as a function"))
                continue
            d = definitions.get(name)
            if d is None:
                problems.setdefault(name, LintProblem(name, f"'{name}(...)' is used but never defined"))
            elif d.arity != len(app.args):
                what = "a constant" if d.arity == 0 else f"a function of {d.arity} argument(s)"
                problems.setdefault(name, LintProblem(
                    name, f"'{name}' is defined as {what} but used as '{app}'"))
    return [problems[k] for k in sorted(problems)]
