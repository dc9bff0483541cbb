"""The claim model: what a paper states, kept apart from the procedures that decide it.

A lemma module builds one :class:`Claim` per stable id::

    phi = Variable("phi", st.floats(0, 2 / math.pi), lo=0, hi=sympy.Rational(2) / sympy.pi)
    s7 = Claim(
        id="park2019.thm3.4.s7",
        title="phi <= 2 sin(phi) on [0, 2/pi]",
        source=src("Appendix 5.1, p. 13"),
        statement=r"\\phi \\le 2\\sin\\phi \\quad (0 \\le \\phi \\le 2/\\pi)",
        variables=[phi],
        conclusion=sympy.Le(phi.symbol, 2 * sympy.sin(phi.symbol)),
    )

Conditions (hypotheses and the conclusion) are either sympy relations over the variables and
constants -- then the engine can lint, decide exactly (z3), certify with intervals (Arb) and verify
float leads rigorously for free -- or Python functions of an :class:`Env` returning a *signed
margin* (>= 0 holds, < 0 fails), optionally with a ``rigorous`` twin returning an exact enclosure.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable, Iterable, Mapping, Sequence

import sympy
from numpy import bool_ as np_bool

from proofcheck.model.constants import exact_constant
from proofcheck.model.num import (ARB, FLOAT, Enclosure, NumericError, _to_arb, enclose_expr, exact_compare, is_scalar,
                                  to_sympy)

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[A-Za-z0-9_]+)+(@[A-Za-z0-9_.=-]+)?(:repaired[A-Za-z0-9_-]*)?$")


class ClaimError(ValueError):
    """A claim (or the set of registered claims) is malformed: a programming error in lemmas/."""


@dataclass(frozen=True)
class Source:
    """Where a claim is printed: ``citation`` (author, title, venue, year: what reports show),
    ``location`` (chapter, page, equation) and ``document`` (the encoder's own name for the text it
    read; reports never show it when a citation is given)."""

    document: str
    location: str
    citation: str = ""

    def to_json(self) -> dict[str, str]:
        return {"document": self.document, "location": self.location, "citation": self.citation}


@dataclass
class Constant:
    """A named constant with the value printed in the source (overridable with ``--set``)."""

    name: str
    value: Any
    meaning: str = ""
    # Values a constant may take; a ``--set`` outside them is rejected with a one-line error.
    positive: bool = False
    below: Any = None  # strict upper bound (e.g. a probability delta < 1)
    integer: bool = False

    @property
    def symbol(self) -> sympy.Symbol:
        return sympy.Symbol(self.name, real=True)

    @property
    def domain(self) -> str:
        """The values it may take, as a reader writes them (``0 < delta < 1``, ``c > 0``, ...)."""
        low = "0 < " if self.positive else ""
        high = f" < {self.below}" if self.below is not None else ""
        text = f"{low}{self.name}{high}" if (low or high) else f"{self.name} real"
        return text + (", an integer" if self.integer else "")


@dataclass
class Variable:
    """A universally quantified variable: its search strategy and its stated domain.

    ``strategy`` is a hypothesis strategy, or a function of the constants (their exact values,
    :attr:`proofcheck.model.constants.ConstantValues.exact`) returning one.
    ``lo``/``hi`` (sympy numbers) bound a scalar variable for interval certification and z3.
    ``encode``/``decode`` turn a value into JSON and back (defaults handle numbers, arrays and
    objects with ``to_json``/``from_json``).
    """

    name: str
    strategy: Any
    domain: str = ""
    lo: Any = None
    hi: Any = None
    integer: bool = False
    meaning: str = ""
    # An exact predicate for values that are objects (a distribution with positive mass, unit-norm
    # rational inputs...): the engine applies it to every found and every stored value.
    contains: Callable[[Any], bool] | None = None

    @property
    def symbol(self) -> sympy.Symbol:
        return sympy.Symbol(self.name, integer=True) if self.integer else sympy.Symbol(self.name, real=True)

    def in_domain(self, value: Any) -> bool:
        """Exact membership of a stored or found value in the variable's stated domain.

        Scalars are compared exactly with ``lo``/``hi`` (a float is the rational it stores; sympy
        bounds such as ``2/pi`` are compared rigorously); ``contains`` (an exact predicate) decides
        for objects. A value that cannot be compared is outside."""
        if self.contains is not None:
            try:
                if not self.contains(value):
                    return False
            except (TypeError, ValueError, ArithmeticError, AttributeError):
                return False
        if not is_scalar(value):
            return True
        if self.integer and int(value) != value:
            return False
        try:
            if self.lo is not None and exact_compare(value, self.lo) < 0:
                return False
            if self.hi is not None and exact_compare(value, self.hi) > 0:
                return False
        except (TypeError, ValueError, ArithmeticError):
            return False
        return True

    def strategy_for(self, constants: Mapping[str, Any]):
        s = self.strategy
        if callable(s) and not hasattr(s, "example"):
            return s(constants)
        return s


MarginFn = Callable[["Env"], Any]


class _Undecided:
    """The value a rigorous twin returns where it cannot decide (a critical point it cannot certify):
    the float lead it was asked about stays a lead, never a refutation, and a hypothesis it guards is
    not met. It is no number, so it cannot be mistaken for a margin."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNDECIDED"


#: ``rigorous=fn`` returns ``UNDECIDED`` where it cannot decide (see :class:`_Undecided`).
UNDECIDED = _Undecided()


def _signed(value: Any) -> Any:
    """A margin function may answer a yes/no question with a bool: True holds (+1), False fails (-1)."""
    if isinstance(value, (bool, np_bool)):
        return 1 if value else -1
    return value

#: ``Condition(rigorous=RERUN_ON_BALLS)``: the margin function is written with ``env.num`` and
#: exact literals (``env.num.const("1/3")``), so re-running it on Arb balls is rigorous.
RERUN_ON_BALLS = object()


@dataclass
class Condition:
    """A hypothesis or conclusion with a signed margin (>= 0 holds; strict: > 0 holds).

    Either ``relation`` (a sympy relation) or ``margin`` (a function of :class:`Env`) is given.
    ``rigorous`` (optional) returns an exact or ball enclosure of the same margin at exact values;
    a float lead becomes a refutation only through it (or through the sympy relation).
    ``sides`` (optional, for margin functions) returns the float values ``(lhs, rhs)`` of the two
    sides of the statement as printed; the engine reports ``relative_margin = margin / max(|lhs|,
    |rhs|)`` and the sides themselves, so a reviewer reads how bad a failure is. A sympy relation
    has its sides already (``relation.lhs``, ``relation.rhs``); ``sides`` overrides them when the
    relation is an encoding (e.g. squared, or an equality as ``(a - b)^2 <= 0``) of the printed
    comparison: the reported margin is then ``|lhs - rhs|`` with the sign of the verified margin (the
    encoding's own margin kept in ``details["encoded_margin"]``).
    """

    name: str
    margin: MarginFn | None = None
    rigorous: MarginFn | None = None
    relation: sympy.Rel | None = None
    strict: bool = False
    sides: Callable[["Env"], tuple[Any, Any]] | None = None

    def __post_init__(self) -> None:
        if self.relation is not None:
            rel = self.relation
            if not isinstance(rel, (sympy.Le, sympy.Lt, sympy.Ge, sympy.Gt)):
                raise ClaimError(f"condition {self.name!r}: only <=, <, >=, > relations have a margin")
            self.strict = isinstance(rel, (sympy.Lt, sympy.Gt))
        elif self.margin is None:
            raise ClaimError(f"condition {self.name!r} has neither a relation nor a margin")

    @property
    def margin_expr(self) -> sympy.Expr | None:
        """``rhs - lhs`` for ``lhs <= rhs`` (so that >= 0 means the relation holds)."""
        rel = self.relation
        if rel is None:
            return None
        if isinstance(rel, (sympy.Le, sympy.Lt)):
            return rel.rhs - rel.lhs
        return rel.lhs - rel.rhs

    def evaluate(self, env: "Env") -> float:
        if self.margin is not None:
            return float(_signed(self.margin(env)))
        return float(env.eval_expr(self.margin_expr))

    def side_values(self, env: "Env") -> tuple[float, float] | None:
        """Float ``(lhs, rhs)`` of the statement at one example, or None where they are unknown
        (a margin function without ``sides``) or not finite numbers there."""
        try:
            if self.sides is not None:
                lhs, rhs = self.sides(env)
            elif self.relation is not None:
                lhs = env.eval_expr(to_sympy(self.relation.lhs))
                rhs = env.eval_expr(to_sympy(self.relation.rhs))
            else:
                return None
            lhs, rhs = float(lhs), float(rhs)
        except Exception:  # the sides are a display nicety: where they cannot be evaluated, none is shown
            return None
        if not (math.isfinite(lhs) and math.isfinite(rhs)):
            return None
        return lhs, rhs


def as_condition(c: Any, default_name: str) -> Condition:
    if isinstance(c, Condition):
        return c
    if isinstance(c, sympy.Rel):
        return Condition(name=default_name or str(c), relation=c)
    if isinstance(c, sympy.logic.boolalg.BooleanAtom):
        raise ClaimError(f"the {default_name} is {c}: sympy decided the relation when it was built (for every "
                         f"value of its symbols), so it is no condition with a margin; state it so it stays a relation")
    if callable(c):
        return Condition(name=default_name, margin=c)
    raise ClaimError(f"cannot make a condition of {c!r}")


@dataclass(frozen=True)
class NotPrinted:
    """``conclusion=NotPrinted(why)``: the source states hypotheses and then prints no conclusion (a
    theorem the notes break off). The claim is kept as printed; the lint reports it ``ill-formed``
    for that reason, since no reader can know what it claims."""

    why: str


@dataclass(frozen=True)
class Family:
    """An arbitrary family ``a_1, ..., a_n`` of reals over the range of a sum: ``a(i)`` inside a
    ``sympy.Sum``/``sympy.Product`` whose bound is a symbolic integer variable ``n`` (``a =
    sympy.Function("a")``). A claim over a family holds for every choice of its terms in
    ``[lo, hi]`` (unbounded where ``None``); the engine decides it for every ``n`` in the variable's
    declared range (:mod:`proofcheck.decide.certify.sums`), or says which ``n`` it reached."""

    name: str
    meaning: str = ""
    lo: Any = None
    hi: Any = None

    @property
    def function(self) -> type[sympy.Function]:
        return sympy.Function(self.name)


@dataclass(frozen=True)
class Deterministic:
    """The statement holds for every value of its variables."""

    name = "deterministic"


@dataclass(frozen=True)
class Probabilistic:
    """The statement holds with probability >= 1 - delta over some randomness.

    ``delta`` is a constant's name, a number, or a sympy expression over the constants and the
    variables (``sympy.Min(1, n**2 * delta0)``), evaluated exactly at each setting.
    ``confidence`` is FAMILY-WISE over every setting the check compares.

    **Declared form** (the engine decides, see :mod:`proofcheck.decide.probability`): the claim's
    ``variables`` are the *settings* (a width, a data set...), drawn from their strategies (witnesses
    first) and filtered by the claim's ``hypotheses`` (certified exactly); at each setting

    * ``exact_failure(env) -> Enclosure | Fraction | arb | None``: the failure probability's exact
      law (``env`` holds EXACT values: constants exact (a float as its decimal), scalar variables as ``Fraction``;
      ``env.num`` is the Arb back-end); decides the setting with no sampling when given;
    * otherwise ``batch(env, rng, count) -> array of margins`` or ``(margins, instances)`` (fast
      path), or
      ``draw(env, rng) -> instance`` and ``event(env, instance) -> float`` one draw at a time: the
      signed margin of the GOOD event (>= 0: it holds). ``env`` holds the setting's values and the
      constants as floats; the generator given is the only randomness allowed.
      ``event_exact(env_exact, instance)`` re-checks each failing draw (a ``batch``'s instances)
      rigorously; only failures it confirms are *certain* and count towards a refutation. Batch
      margins without instances and float events without ``event_exact`` are counted as not
      certainly good: they can keep the claim from holding (``inconclusive``), never refute it.

    ``settings`` (number of settings at the default budget) and ``samples`` (most draws per
    setting at the default budget) size the check; the quick and deep budgets scale both.
    ``describe(values, constants)`` (optional) returns a setting's facts, a JSON-able dict
    (e.g. ``{"n": 2, "m": 41722, "proven_width": True}``), kept as ``facts`` with the setting's result.

    **Procedure form**: a claim with its own ``check=`` and ``replay=`` reads only ``delta`` and
    ``confidence`` (no du2019 or park2019 claim uses it any more; the planted tests do).
    """

    delta: Any = "delta"
    confidence: float = 0.99
    draw: Callable[["Env", Any], Any] | None = None
    event: Callable[["Env", Any], float] | None = None
    event_exact: Callable[["Env", Any], Any] | None = None
    exact_failure: Callable[["Env"], Any] | None = None
    batch: Callable[["Env", Any, int], Any] | None = None
    settings: int | None = None
    samples: int | None = None
    #: ``describe(values, constants) -> dict`` (optional): facts about a setting (sizes such as ``n``,
    #: ``m`` as ints, ``proven_width``), stored per setting in the result and shown in the evidence
    describe: Callable[[Mapping[str, Any], Mapping[str, Any]], dict] | None = None
    name = "probabilistic"

    @property
    def declared(self) -> bool:
        """True for the declared form (the engine samples / uses the exact law itself)."""
        return (self.batch is not None or self.exact_failure is not None
                or (self.draw is not None and self.event is not None))

    def validate(self, claim: "Claim") -> None:
        if not 0 < self.confidence < 1:
            raise ClaimError(f"{claim.id}: confidence must lie strictly between 0 and 1")
        if (self.draw is None) != (self.event is None):
            raise ClaimError(f"{claim.id}: a declared probabilistic claim needs both draw and event")
        if self.event_exact is not None and self.event is None and self.batch is None:
            raise ClaimError(f"{claim.id}: event_exact re-checks draws of draw/event or batch; give those too")
        if self.declared and claim.check is not None:
            raise ClaimError(f"{claim.id}: a declared probabilistic claim is decided by the engine; "
                             f"drop its check= procedure")
        names = {v.name for v in claim.variables} | {c.name for c in claim.constants}
        expr = self.delta_expr()
        unknown = sorted(s.name for s in expr.free_symbols if s.name not in names)
        if unknown:
            raise ClaimError(f"{claim.id}: delta uses {', '.join(unknown)}, which is neither a constant "
                             f"nor a variable of the claim")

    def delta_expr(self) -> sympy.Expr:
        """delta as a sympy expression (a constant's name becomes its symbol)."""
        d = self.delta
        if isinstance(d, str):
            return sympy.Symbol(d, real=True)
        if isinstance(d, Fraction):
            return sympy.Rational(d.numerator, d.denominator)
        if isinstance(d, (float, int)):  # a number written in the claim: 0.3 is 3/10, as for a constant
            return to_sympy(exact_constant("delta", d))
        return d


@dataclass(frozen=True)
class Witness:
    """An instance the encoder supplies (a textbook counterexample, the case a proof names).

    The engine re-verifies it exactly like a search find; a refutation it gives is labelled
    ``found_by: witness`` in the JSON and the report, never presented as found by search, and its
    record carries ``why`` (shown by the report beside the counterexample)."""

    values: Mapping[str, Any]
    why: str


@dataclass(frozen=True)
class Emptiness:
    """A certificate that a claim's hypotheses can never hold, for the engine to check
    (:mod:`proofcheck.decide.certify.emptiness`).

    ``parts`` are boxes ``{name: (lo, hi)}`` (exact rationals) over ``variables``; a variable a
    part does not name ranges over its whole domain there. The engine proves (a) that the parts
    cover the variables' domain (z3) and (b) on every part, by Arb branch-and-bound, that the
    margin of the hypothesis named ``hypothesis`` is certainly < 0 (<= 0 for a strict one).

    By default ``variables`` are the claim's own scalar variables and the margin is the
    hypothesis's own (a sympy relation, or a margin declared ``rigorous=RERUN_ON_BALLS``). A
    symmetry argument may instead reduce the question to invariants: ``variables`` are then the
    reduced variables and ``bound`` a margin over them (written with ``env.num``) that is at least
    the hypothesis margin wherever it applies -- that reduction is an argument the engine cannot
    check here, so it must be a claim of its own, named in ``uses`` (and in the claim's ``uses``);
    the result says the vacuity rests on it."""

    hypothesis: str
    parts: Sequence[Mapping[str, tuple[Any, Any]]]
    variables: Sequence["Variable"] | None = None
    bound: MarginFn | None = None
    uses: Sequence[str] = ()
    how: str = ""


@dataclass(frozen=True)
class Use:
    """A claim a proof uses, with the instantiation the proof makes of it.

    ``at`` maps names of the USED claim's variables and constants to the values the proof puts
    there: a number (one value), a pair ``(lo, hi)`` (a closed range of a scalar variable), or a
    function of the using claim's constants (exact values) returning either -- e.g. the union-bound
    line of du2019's Lemma 2.2 takes delta' = n^2 delta for its n <= 3::

        uses=[Use("du2019.lemma2.2.s1", at={"delta_p": lambda c: (c["delta"], 9 * c["delta"])},
                  how="delta' = n^2 delta with n <= 3")]

    When the used claim is refuted, the engine re-decides it restricted to these values
    (:mod:`proofcheck.decide.instantiation`): the proof of the user is then told apart as resting on a
    line refuted at the values it uses, or only outside them. A plain string id is a use at the
    used claim's whole domain and printed constants."""

    id: str
    at: Mapping[str, Any] = field(default_factory=dict)
    how: str = ""


@dataclass
class Definition:
    """A symbol a paper defines once and its claims may use (``m_min(phi)``, ``lambda_0``...).

    ``arity`` 0 is a constant-like quantity, ``arity`` k a function of k arguments. The lint
    checks each claim's formulas against the definitions of its paper.
    """

    name: str
    arity: int
    meaning: str
    source: Source | None = None
    paper: str = ""


@dataclass
class Claim:
    """One statement of a source, as printed. The engine decides it; it never stores a verdict."""

    id: str
    title: str
    source: Source
    statement: str  # LaTeX, as printed
    variables: Sequence[Variable] = ()
    hypotheses: Sequence[Any] = ()
    conclusion: Any = None
    constants: Sequence[Constant] = ()
    kind: Deterministic | Probabilistic = field(default_factory=Deterministic)
    # Claim ids (or :class:`Use` with the instantiation the proof makes); normalised to ids, the
    # instantiations kept in ``uses_at``.
    uses: Sequence[str | Use] = ()
    # sympy expressions that render the printed statement; their symbols are linted. Defaults to
    # the sympy relations among the conditions.
    formula: Sequence[sympy.Basic] = ()
    # A custom procedure ``check(ctx) -> Outcome`` for claims whose decision is not a plain
    # search over variables (statistical estimates, extremal quantities, ...).
    check: Callable[[Any], Any] | None = None
    # For claims with a custom check: the hook ``replay(ctx, record) -> (still refutes, margin, how)``
    # re-verifies one stored counterexample on its own (exactly or with intervals); the engine calls
    # it from :func:`proofcheck.decide.replay.reverify_record` (``replayer`` there builds one).
    replay: Callable[[Any, Any], tuple] | None = None
    # A statement that is the conjunction of several declared claims (an equivalence as its
    # implications): the engine decides each with its own layers; ``proved`` only if every one is.
    conjuncts: Sequence["Claim"] = ()
    # The arbitrary families ``a(i)`` the claim's sums range over (see :class:`Family`).
    families: Sequence[Family] = ()
    # Why the declared form cannot express this claim (required with ``check``): a procedure is
    # the exception, and the engine re-verifies every refutation it returns through ``replay``.
    procedure_reason: str = ""
    # A procedure that can never refute (it only proves or bounds) may omit ``replay``.
    refutes: bool = True
    # Instances the encoder supplies; re-verified by the engine and labelled as witnesses.
    witnesses: Sequence[Witness] = ()
    # An :class:`Emptiness` certificate (or ``emptiness(ctx) -> Emptiness | None``) that the
    # hypotheses can never hold; the engine checks it (cover and bounds) before it says ``vacuous``.
    # Without one, hypotheses never met in the search is ``survived`` with 0 satisfied.
    emptiness: Any = None
    # ``tally(env) -> str``: a label of each searched example that met every hypothesis (e.g. the
    # size of the instance and how a hypothesis was certified); the evidence counts them by label.
    tally: Callable[[Any], str] | None = None
    # Relative cost of one example (1 = cheap scalar formula): the budget's example count is scaled.
    cost: float = 1.0
    # An ``id:repaired`` or ``id@reading`` says here what it changes and why.
    note: str = ""
    # One sentence, the encoder's: why the claim fails (for a claim that can be refuted or vacuous);
    # shown on the report's first screen beside the counterexample. A refuted or vacuous result
    # without one is a lint warning of the report (the verdict is the engine's, so only the run knows).
    reason: str = ""
    # ``(lhs, rhs)`` of the comparison AS PRINTED, for a claim whose encoding squares, clears
    # denominators or moves terms: functions of an :class:`Env` or sympy expressions over the
    # variables and constants; the engine evaluates them at the counterexample (or the least-margin
    # point) and reports them in ``details["printed_sides"]``.
    sides: tuple[Any, Any] | None = None
    # An existential statement over constants the source does not print ("there is gamma_0 in
    # (0, gamma)", O(.), "eta small enough"): ``{constant name: [candidate values]}``, the declared
    # range searched. The engine decides the claim at every combination of candidates (the budget
    # shared among them) and its verdict is that search's: it holds if it holds for one choice;
    # ``refuted`` only when every declared choice is refuted (a statement over this declared range).
    exists: Mapping[str, Sequence[Any]] = field(default_factory=dict)
    # The constants are this encoding's choices for constants the source leaves unnamed (an
    # ``@explicit`` reading of an existential statement): a refutation is "refuted for these constants".
    explicit_constants: bool = False
    # Free extras: e.g. tags, plot hints for the report.
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not ID_PATTERN.match(self.id):
            raise ClaimError(f"claim id {self.id!r} is not of the form paper.part[.part][@reading][:repaired]")
        # A claim that cannot be built is kept, ill-formed, with the reason (``build_error``): the
        # other claims of its module still load, and the engine reports this one by its id.
        self.build_error = ""
        self.uses_at = {}
        self.not_printed = ""
        try:
            self._build()
        except ClaimError as exc:
            self.build_error = str(exc)
            self.uses = [u.id if isinstance(u, Use) else u for u in self.uses]
            self.hypotheses = [h for h in self.hypotheses if isinstance(h, Condition)]
            self.conclusion = self.conclusion if isinstance(self.conclusion, Condition) else None
        self.witnesses = tuple(self.witnesses)
        self.uses = tuple(self.uses)
        self.formula = tuple(self.formula)

    def _build(self) -> None:
        names = [v.name for v in self.variables] + [c.name for c in self.constants] + [f.name for f in self.families]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise ClaimError(f"{self.id}: names used twice: {sorted(dup)}")
        self.hypotheses = [as_condition(h, f"hypothesis {i + 1}") for i, h in enumerate(self.hypotheses)]
        self.families = tuple(self.families)
        self.not_printed = ""
        if isinstance(self.conclusion, NotPrinted):
            self.not_printed, self.conclusion = self.conclusion.why or "the source prints no conclusion", None
        elif self.conclusion is not None:
            self.conclusion = as_condition(self.conclusion, "conclusion")
        elif (self.check is None and not self.conjuncts and not self.not_printed
              and not (isinstance(self.kind, Probabilistic) and self.kind.declared)):
            raise ClaimError(f"{self.id}: a claim needs a conclusion, conjuncts, a declared probabilistic event or a "
                             f"custom check")
        self.conjuncts = tuple(self.conjuncts)
        for part in self.conjuncts:
            if not isinstance(part, Claim) or part.conclusion is None or part.check is not None or part.conjuncts:
                raise ClaimError(f"{self.id}: each conjunct must be a declared claim with a conclusion")
        if isinstance(self.kind, Probabilistic):
            self.kind.validate(self)
        if self.check is not None and self.refutes and self.replay is None:
            raise ClaimError(f"{self.id}: a procedure that can refute needs a replay hook, so the engine "
                             f"re-verifies its counterexamples (or declare refutes=False)")
        uses, self.uses_at = [], {}
        for u in self.uses:
            if isinstance(u, Use):
                if u.id in self.uses_at:
                    raise ClaimError(f"{self.id}: uses {u.id} twice")
                self.uses_at[u.id] = u
                uses.append(u.id)
            elif isinstance(u, str):
                uses.append(u)
            else:
                raise ClaimError(f"{self.id}: a use is a claim id or a Use, not {u!r}")
        self.uses = tuple(uses)
        unknown = sorted(set(self.exists) - {c.name for c in self.constants})
        if unknown:
            raise ClaimError(f"{self.id}: exists names {', '.join(unknown)}, which are not constants of the claim")
        if any(not list(v) for v in self.exists.values()):
            raise ClaimError(f"{self.id}: every constant of exists needs at least one candidate value")
        if self.sides is not None:
            if not isinstance(self.sides, tuple) or len(self.sides) != 2:
                raise ClaimError(f"{self.id}: sides is a pair (lhs, rhs)")
            if self.conclusion is None:
                raise ClaimError(f"{self.id}: sides are those of the conclusion; this claim has none")
            self.conclusion.sides = _printed_sides(self.sides)

    # ------------------------------------------------------------ conveniences
    @property
    def paper(self) -> str:
        return self.id.split(".", 1)[0]

    @property
    def base_id(self) -> str:
        """The id without ``@reading`` or ``:repaired``."""
        return re.split(r"[@:]", self.id, maxsplit=1)[0]

    @property
    def is_repair(self) -> bool:
        return ":repaired" in self.id

    @property
    def is_probabilistic(self) -> bool:
        return isinstance(self.kind, Probabilistic)

    def constant_defaults(self) -> dict[str, Any]:
        return {c.name: c.value for c in self.constants}

    def sympy_conditions(self) -> list[Condition]:
        conds = list(self.hypotheses) + ([self.conclusion] if self.conclusion else [])
        return [c for c in conds if c.relation is not None]

    def is_algebraic(self) -> bool:
        """True when every condition is a sympy relation (so exact methods can try it)."""
        conds = list(self.hypotheses) + ([self.conclusion] if self.conclusion else [])
        return bool(conds) and all(c.relation is not None for c in conds)

    def all_formulas(self) -> list[sympy.Basic]:
        return list(self.formula) + [c.relation for c in self.sympy_conditions()]

    def symbols(self, definitions: Mapping[str, Definition] | None = None) -> list[dict[str, Any]]:
        """What each symbol of the encoding stands for, for a reader of the report: the
        variables (domain), the constants (printed value) and the paper's definitions that the
        formulas use, each with its ``meaning``."""
        out: list[dict[str, Any]] = [
            {"name": v.name, "role": "variable", "domain": v.domain, "meaning": v.meaning} for v in self.variables]
        out += [{"name": c.name, "role": "constant", "value": _show(c.value), "meaning": c.meaning}
                for c in self.constants]
        out += [{"name": f.name, "role": "family", "meaning": f.meaning} for f in self.families]
        if definitions:
            used: set[str] = set()
            for f in self.all_formulas():
                if isinstance(f, sympy.Basic):
                    used |= {s.name for s in f.free_symbols}
                    used |= {a.func.__name__ for a in f.atoms(sympy.core.function.AppliedUndef)}
            for name in sorted(used - {d["name"] for d in out}):
                d = definitions.get(name)
                if d is not None:
                    out.append({"name": name, "role": "definition", "arity": d.arity, "meaning": d.meaning})
        return out

    def to_json(self, definitions: Mapping[str, Definition] | None = None) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "source": self.source.to_json(),
            "statement": self.statement,
            "kind": self.kind.name,
            "procedure": bool(self.check),
            "procedure_reason": self.procedure_reason,
            "delta": _show(getattr(self.kind, "delta", None)) if self.is_probabilistic else None,
            "constants": {c.name: _show(c.value) for c in self.constants},
            "variables": {v.name: v.domain for v in self.variables},
            "uses": list(self.uses),
            "uses_at": {k: {"at": {n: _show_at(v) for n, v in u.at.items()}, "how": u.how}
                        for k, u in self.uses_at.items()},
            "note": self.note,
            "reason": self.reason,
            "exists": {k: [_show(x) for x in v] for k, v in self.exists.items()},
            "explicit_constants": self.explicit_constants,
            "mathml": _mathml(self.all_formulas()),
            "symbols": self.symbols(definitions),
        }


def equivalence(id: str, source: Source, variables: Sequence[Variable], left: Sequence[sympy.Rel],
                right: Sequence[sympy.Rel], given: Sequence[sympy.Rel] = ()) -> list[Claim]:
    """The conjuncts of ``left <=> right``, each side a conjunction of relations (under ``given``):
    one declared implication per relation of either side, ``left => r`` for each ``r`` of ``right``
    and ``right => l`` for each ``l`` of ``left``, ids ``<id>.direction<k>``. ``Claim(conjuncts=...)``
    holds only if the engine establishes every one."""
    directions = [(left, r) for r in right] + [(right, l) for l in left]
    out = []
    for k, (hypotheses, conclusion) in enumerate(directions, start=1):
        shown = f"{' and '.join(str(h) for h in hypotheses)} => {conclusion}"
        out.append(Claim(id=f"{id}.direction{k}", title=f"direction {k}: {shown}", source=source, statement="",
                         variables=variables, hypotheses=list(given) + list(hypotheses), conclusion=conclusion))
    return out


def _show(v: Any) -> Any:
    if isinstance(v, Fraction):
        return str(v)
    if isinstance(v, (int, float, str)):
        return v
    return str(v)


def _printed_sides(sides: tuple[Any, Any]) -> Callable[["Env"], tuple[Any, Any]]:
    """The claim's printed sides as a condition's ``sides`` function: each a function of the Env or a
    sympy expression over the variables and constants."""
    def side(f, env):
        return env.eval_expr(to_sympy(f)) if isinstance(f, sympy.Basic) else f(env)
    lhs, rhs = sides
    return lambda env: (side(lhs, env), side(rhs, env))


def _show_at(v: Any) -> Any:
    if callable(v):
        return "(a function of the constants)"
    if isinstance(v, tuple):
        return [_show(x) for x in v]
    return _show(v)


def _mathml(formulas: Iterable[sympy.Basic]) -> list[str]:
    out = []
    for f in formulas:
        try:
            out.append(sympy.mathml(f, printer="presentation"))
        except Exception:  # rendering is a nicety; a formula it cannot print is skipped
            continue
    return out


class Env:
    """The values of one example: variables and constants by attribute, plus ``num``.

    ``num`` is the numeric back-end (``FLOAT`` during search, ``ARB`` when a margin function is
    re-run rigorously), so one margin function can serve both: ``env.num.sin(env.phi)``.
    """

    def __init__(self, values: Mapping[str, Any], num=FLOAT):
        object.__setattr__(self, "_values", dict(values))
        object.__setattr__(self, "num", num)

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(f"no variable or constant named {name!r}") from None

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def __setattr__(self, name, value):  # pragma: no cover - guard
        raise AttributeError("Env is read-only")

    def as_dict(self) -> dict[str, Any]:
        return dict(self._values)

    def symbol_values(self) -> dict[sympy.Symbol, Any]:
        out = {}
        for k, v in self._values.items():
            out[sympy.Symbol(k, real=True)] = v
            out[sympy.Symbol(k, integer=True)] = v
            out[sympy.Symbol(k)] = v
        return out

    def eval_expr(self, expr: sympy.Expr) -> float:
        """Float value of a sympy expression at this example."""
        syms = sorted(expr.free_symbols, key=lambda s: s.name)
        fn = _lambdified(expr, tuple(syms))
        return float(fn(*[float(self._values[s.name]) for s in syms]))


_LAMBDA_CACHE: dict[tuple, Callable] = {}


def _lambdified(expr, syms):
    key = (expr, syms)
    fn = _LAMBDA_CACHE.get(key)
    if fn is None:
        fn = sympy.lambdify(syms, expr, modules="numpy")
        _LAMBDA_CACHE[key] = fn
    return fn


@dataclass
class Outcome:
    """What a procedure returns before the engine stamps id, constants, time and reproduce."""

    verdict: Any
    evidence: str
    examples: int = 0
    satisfied: int = 0
    margin: float | None = None
    counterexample: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    # The layer that decided (see ``verdict.DECIDED_BY``); the engine fills it where it knows.
    decided_by: str = ""
    # ``margin / max(|lhs|, |rhs|)`` where the procedure knows the two sides; the engine computes it
    # itself for declared conditions (see ``Condition.sides``).
    relative_margin: float | None = None


def enclosure_of_condition(cond: Condition, env_exact: Env) -> Enclosure | None:
    """Rigorous enclosure of a condition's margin at exact values, or None if none is available."""
    decide = (lambda e: e.definitely_holds(cond.strict) or e.definitely_negative(cond.strict))
    if cond.relation is not None:
        return enclose_expr(cond.margin_expr, env_exact.symbol_values(), decide)
    fn = cond.rigorous
    if fn is None:
        return None
    if fn is RERUN_ON_BALLS:
        # The float margin function re-run on Arb balls: sound only because its author wrote it
        # with env.num (and env.num.const for non-dyadic literals) and declared so.
        arb_env = Env({k: (_to_arb(v) if is_scalar(v) else v) for k, v in env_exact.as_dict().items()}, num=ARB)
        try:
            value = _signed(cond.margin(arb_env))
        except (TypeError, NumericError, AttributeError, ValueError):
            return None
    else:
        value = _signed(fn(env_exact))
    return None if value is UNDECIDED else Enclosure.of(value)
