"""Every registered claim, one by one: it builds, lints, lists its symbols, and its example values
survive the store's codec exactly.

For each claim one example is drawn from its variables' strategies (at its declared constants, as the
search draws them), plus its declared witnesses and its constants; each is encoded, written as JSON
text (as the store writes a record), read back with ``decode(exact=True)`` (as replay reads it) and
compared exactly with what was drawn. Conjuncts of a conjunction are checked the same way.

:func:`claim_problems` is also run on planted broken claims (the tests at the end), so a claim that
does not build, a value the codec cannot store, or a storable class that rounds on the way through
is shown to be caught.
"""
from __future__ import annotations

import json
from fractions import Fraction
from typing import Any, Mapping

import numpy as np
import pytest
import sympy
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sympy.core.function import AppliedUndef

from proofcheck.decide.lint import NO_CONCLUSION, lint
from proofcheck.model.claim import Claim, Definition, Source, Variable, Witness
from proofcheck.model.constants import ConstantValues
from proofcheck.model.num import NumericError
from proofcheck.model.registry import load
from proofcheck.store.codec import decode, encode, storable

REGISTRY = load()
ONE_DRAW = settings(max_examples=1, database=None, derandomize=True, deadline=None, phases=[Phase.generate],
                    suppress_health_check=list(HealthCheck))


def one_example(claim: Claim) -> dict[str, Any] | None:
    """One example of the claim's variables, drawn as the search draws them; None when the strategies
    give none in Hypothesis' attempts for one example (all filtered out)."""
    constants = ConstantValues(claim.constant_defaults()).exact
    strategy = st.fixed_dictionaries({v.name: v.strategy_for(constants) for v in claim.variables})
    drawn: list[dict[str, Any]] = []

    @ONE_DRAW
    @given(strategy)
    def draw(values):
        drawn.append(values)

    draw()
    return drawn[0] if drawn else None


def exactly_equal(original: Any, back: Any) -> bool:
    """Is the decoded value the same number(s) as the original? Floats compare as the rationals they
    hold, sympy numbers by exact simplification, objects (no ``__eq__`` promised) by their encoding."""
    if isinstance(original, np.ndarray):
        return (isinstance(back, np.ndarray) and original.shape == back.shape
                and all(exactly_equal(a, b) for a, b in zip(original.ravel().tolist(), back.ravel().tolist())))
    if isinstance(original, Mapping):
        return (isinstance(back, Mapping) and set(map(str, original)) == set(back)
                and all(exactly_equal(v, back[str(k)]) for k, v in original.items()))
    if isinstance(original, (list, tuple)):
        return (isinstance(back, list) and len(original) == len(back)
                and all(exactly_equal(a, b) for a, b in zip(original, back)))
    if isinstance(original, (bool, str)) or original is None:
        return original == back
    if isinstance(original, (int, np.integer, float, np.floating, Fraction)):
        return isinstance(back, (int, Fraction)) and Fraction(original) == back
    if isinstance(original, sympy.Basic):
        if isinstance(back, Fraction):  # a sympy rational is stored as a $q
            back = sympy.Rational(back.numerator, back.denominator)
        return isinstance(back, sympy.Basic) and (original == back or sympy.simplify(original - back) == 0)
    return same_object(original, back)


def same_object(original: Any, back: Any) -> bool:
    """An object with its own equality is compared by it; one without (or whose equality meets numpy
    arrays) by its encoding."""
    if type(original).__eq__ is not object.__eq__:
        try:
            equal = original == back
            if isinstance(equal, (bool, np.bool_)):
                return bool(equal)
        except ValueError:  # a dataclass holding arrays
            pass
    return type(back) is type(original) and encode(back) == encode(original)


def round_trip_problem(what: str, value: Any) -> str | None:
    """Encode, write as JSON text, read back exactly: what went wrong, or None."""
    try:
        encoded = encode(value)
        back = decode(json.loads(json.dumps(encoded, sort_keys=True)), exact=True)
    except (NumericError, TypeError, ValueError) as exc:
        return f"{what} cannot go through the store: {type(exc).__name__}: {exc}"
    if not exactly_equal(value, back):
        return f"{what} comes back from the store as another value: {encoded!r} -> {encode(back)!r}"
    return None


def formula_names(claim: Claim) -> set[str]:
    names: set[str] = set()
    for formula in claim.all_formulas():
        if isinstance(formula, sympy.Basic):
            names |= {s.name for s in formula.free_symbols}
            names |= {a.func.__name__ for a in formula.atoms(AppliedUndef)}
    return names


def claim_problems(claim: Claim, definitions: Mapping[str, Definition]) -> list[str]:
    """What keeps the claim from building, linting, listing its symbols or storing its values."""
    if claim.build_error:
        return [f"does not build: {claim.build_error}"]
    problems = [f"lint names {p.name!r}, which no formula of the claim uses: {p}"
                for p in lint(claim, definitions) if p.name not in formula_names(claim) | {NO_CONCLUSION}]
    listed = {s["name"] for s in claim.symbols(definitions)}
    declared = {v.name for v in claim.variables} | {c.name for c in claim.constants}
    problems += [f"symbols() does not list {name!r}" for name in sorted(declared - listed)]
    try:
        json.dumps(claim.to_json(definitions))
    except (TypeError, ValueError) as exc:
        problems.append(f"its JSON description is not JSON: {exc}")
    problems += filter(None, [round_trip_problem("its constants", claim.constant_defaults())])
    problems += filter(None, [round_trip_problem(f"witness {i + 1} ({w.why})", dict(w.values))
                              for i, w in enumerate(claim.witnesses)])
    if claim.variables:
        example = one_example(claim)
        problems += (["its strategies gave no example in one draw's attempts"] if example is None
                     else filter(None, [round_trip_problem(f"the example {example!r}", example)]))
    for part in claim.conjuncts:
        problems += [f"conjunct {part.id}: {p}" for p in claim_problems(part, definitions)]
    return problems


@pytest.mark.parametrize("claim_id", sorted(REGISTRY.claims))
def test_claim_builds_lints_lists_symbols_and_round_trips_through_the_store(claim_id):
    claim = REGISTRY.claims[claim_id]
    assert claim_problems(claim, REGISTRY.definitions_for(claim)) == []


def test_the_registry_holds_every_paper():
    papers = {claim.paper for claim in REGISTRY.claims.values()}
    assert {"du2019", "liyuan2017", "nguyenhein2017", "park2019"} <= papers


# ---------------------------------------------------------------- planted broken claims
SRC = Source("planted", "tests/model/test_every_claim.py", "claims broken on purpose")
x = sympy.Symbol("x", real=True)


@storable
class RoundsOnTheWay:
    """A storable value whose ``to_json`` keeps a float: 1/3 comes back as another number (its equality says so)."""

    def __init__(self, value):
        self.value = Fraction(value)

    def to_json(self):
        return {"value": float(self.value)}

    @classmethod
    def from_json(cls, data):
        return cls(data["value"])

    def __eq__(self, other):
        return isinstance(other, RoundsOnTheWay) and other.value == self.value


def planted(cid: str, strategy, **kw) -> Claim:
    return Claim(id=f"planted.{cid}", title=cid, source=SRC, statement="x <= 1",
                 variables=[Variable("x", strategy, lo=0, hi=1)], conclusion=x <= 1, **kw)


@pytest.mark.parametrize("claim, caught", [
    (planted("rounds", st.just(RoundsOnTheWay(Fraction(1, 3)))), "another value"),
    (planted("unstorable", st.just({1, 2})), "cannot go through the store"),
    (planted("complex", st.just(1 + 2j)), "cannot go through the store"),
    (planted("witness", st.just(Fraction(1, 2)), witnesses=[Witness({"x": 1j}, "planted")]),
     "witness 1 (planted) cannot go through the store"),
    (Claim(id="planted.twice", title="twice", source=SRC, statement="x <= 1",
           variables=[Variable("x", st.just(0)), Variable("x", st.just(1))], conclusion=x <= 1), "does not build"),
], ids=["rounds", "unstorable", "complex", "witness", "twice"])
def test_a_planted_broken_claim_is_caught(claim, caught):
    problems = claim_problems(claim, {})
    assert any(caught in p for p in problems), problems


def test_a_sound_planted_claim_passes():
    """The check is not a wall: exact rationals, floats, arrays and sympy constants go through."""
    claim = planted("sound", st.fractions(0, 1, max_denominator=10**6),
                    witnesses=[Witness({"x": np.array([0.1, 1 / 3])}, "an array")])
    assert claim_problems(claim, {}) == []
    assert round_trip_problem("2/pi", 2 / sympy.pi) is None
