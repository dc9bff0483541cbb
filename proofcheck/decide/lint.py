"""Lint: is every symbol a claim uses defined, and used in the role it was defined for?

A claim's formulas (its sympy conditions and the printed statement in ``formula``) may only use
its variables, its constants and the definitions of its paper. A definition has an arity: a
constant-like quantity (arity 0) applied to an argument, or a function used with the wrong number
of arguments (or with none), is a quantity in a role it cannot have.
"""
from __future__ import annotations

import dis
import types
from dataclasses import dataclass
from fractions import Fraction
from typing import Mapping

import sympy
from sympy.core.function import AppliedUndef

from proofcheck.model.claim import Claim, Definition, RERUN_ON_BALLS
from proofcheck.model.parse import is_exact_float_literal


@dataclass(frozen=True)
class LintProblem:
    name: str
    message: str

    def __str__(self) -> str:
        return self.message


#: the lint's name for a statement whose source prints hypotheses and no conclusion
NO_CONCLUSION = "no conclusion printed"


def lint(claim: Claim, definitions: Mapping[str, Definition]) -> list[LintProblem]:
    local = {v.name for v in claim.variables} | {c.name for c in claim.constants}
    # a claim's families are functions of one index (a(i) in a sum), defined by the claim itself
    definitions = dict(definitions, **{f.name: Definition(f.name, 1, f.meaning) for f in claim.families})
    problems: dict[str, LintProblem] = {}
    if claim.not_printed:
        problems[NO_CONCLUSION] = LintProblem(NO_CONCLUSION, f"the source prints no conclusion ({claim.not_printed}): "
                                                             f"what the claim states cannot be known")
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
    for problem in declared_number_problems(claim) + ball_rerun_problems(claim):
        problems.setdefault(problem.name, problem)
    return [problems[k] for k in sorted(problems)]


def ball_rerun_problems(claim: Claim) -> list[LintProblem]:
    """A margin re-run on Arb balls (``Condition(rigorous=RERUN_ON_BALLS)``) is rigorous only if every
    number in it is exact: Arb reads a float as the binary number it stores, so ``0.1`` (not 1/10)
    or ``math.pi`` (not pi) inside it makes the "rigorous" enclosure enclose another margin. Floats
    that are exactly the decimal they print as (``0.5``, ``2.0``) are exact and allowed."""
    out = []
    conditions = list(claim.hypotheses) + ([claim.conclusion] if claim.conclusion is not None else [])
    for cond in conditions:
        if getattr(cond, "rigorous", None) is not RERUN_ON_BALLS or getattr(cond, "margin", None) is None:
            continue
        for shown in inexact_floats_in(cond.margin):
            out.append(LintProblem(f"{cond.name}: {shown}",
                                   f"condition {cond.name!r} is re-run on Arb balls but its margin uses the float "
                                   f"{shown}, which is not the number it stands for; write it with env.num "
                                   f"(env.num.pi, env.num.const(Fraction(1, 10)))"))
    return out


def inexact_floats_in(fn, depth: int = 0) -> list[str]:
    """Floats a function (and the functions it defines) reads that differ from the decimal they print
    as: literals, globals (``pi`` imported from math) and module attributes (``math.pi``, ``np.e``)."""
    def inexact(x) -> bool:
        return isinstance(x, float) and x == x and abs(x) != float("inf") and Fraction(x) != Fraction(repr(x))

    code = getattr(fn, "__code__", None)
    if code is None or depth > 3:
        return []
    glb = dict(getattr(fn, "__globals__", {}))
    for name, cell in zip(code.co_freevars, getattr(fn, "__closure__", None) or ()):
        try:
            glb[name] = cell.cell_contents  # a closure variable (a module imported in the enclosing function)
        except ValueError:
            continue
    found: list[str] = []

    def walk(co) -> None:
        found.extend(repr(c) for c in co.co_consts if inexact(c))
        previous = None
        for ins in dis.get_instructions(co):
            loads = ins.opname in ("LOAD_GLOBAL", "LOAD_NAME", "LOAD_DEREF")
            if loads and inexact(glb.get(ins.argval)):
                found.append(str(ins.argval))
            if ins.opname in ("LOAD_ATTR", "LOAD_METHOD") and previous is not None:
                module = glb.get(previous)
                if isinstance(module, types.ModuleType) and inexact(getattr(module, ins.argval, None)):
                    found.append(f"{previous}.{ins.argval}")
            previous = ins.argval if loads else None
        for c in co.co_consts:
            if isinstance(c, types.CodeType):
                walk(c)

    walk(code)
    return list(dict.fromkeys(found))


def declared_number_problems(claim: Claim) -> list[LintProblem]:
    """The decimal rule (:func:`proofcheck.model.parse.literal_fraction`) for numbers a claim declares.

    A float domain bound must be exactly the decimal it prints as (``0.5``, ``10.0``): a bound such
    as ``hi=math.pi/2`` or ``hi=0.1`` is a binary approximation, so the domain certified or searched
    would silently differ from the stated one; write it exactly (``sympy.pi/2``, ``Fraction(1, 10)``).
    A ``Float`` in a formula with 16 or more significant digits is a computed value, not a printed
    literal: write it exactly."""
    out = []
    for v in claim.variables:
        for side in ("lo", "hi"):
            b = getattr(v, side)
            if isinstance(b, sympy.Float):
                b = float(b)
            if isinstance(b, float) and not is_exact_float_literal(b):
                out.append(LintProblem(v.name, f"'{v.name}': domain bound {side}={b!r} is a float that is not the "
                                               f"decimal it prints as; write it exactly (e.g. sympy.pi/2, "
                                               f"Fraction('{b!r}'))"))
    for formula in claim.all_formulas():
        if not isinstance(formula, sympy.Basic):
            continue
        for f in sorted(formula.atoms(sympy.Float), key=float):
            r = repr(float(f)).lower().split("e")[0].replace("-", "").replace(".", "").strip("0")
            if len(r) >= 16:
                out.append(LintProblem(str(f), f"the literal {float(f)!r} in a formula is a computed float "
                                                f"(16+ digits), not a printed decimal; write it exactly"))
    return out
