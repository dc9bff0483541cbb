"""The number grammar: how a user (``--set c=2/pi``) or the store writes a real number.

Text is never evaluated as code. A small recursive-descent parser builds the exact value as a
sympy object (or a ``Fraction`` when it is rational)::

    expr   := term (("+" | "-") term)*
    term   := unary (("*" | "/") unary)*
    unary  := ("+" | "-") unary | power
    power  := atom (("^" | "**") unary)?          # right-associative: 2^3^2 = 2^9
    atom   := number | name | name "(" expr ")" | "(" expr ")"
    number := digits ["." digits] [("e" | "E") ["+" | "-"] digits]      (also ".5", "5.")

Names: the constants ``pi`` and ``e``; the functions ``sqrt``, ``cbrt``, ``exp``, ``log`` (natural),
``sin``, ``cos``, ``tan``, ``asin``, ``acos``, ``atan``, ``sinh``, ``cosh``, ``tanh``, ``abs``.

Decimals are exact: ``0.1`` is 1/10, ``1e-3`` is 1/1000. Sizes are bounded so that every input is
answered within a fraction of a second: at most :data:`MAX_LENGTH` characters, :data:`MAX_DIGITS`
digits in a literal, :data:`MAX_DEPTH` levels of nesting, integer exponents of at most :data:`MAX_EXPONENT` in absolute value, and every
number met on the way (a literal, a power, a function value, the result) must be 0 or have a
magnitude between 10^-300 and 10^300 (``1e400``, ``2**2000`` and ``1e-400`` are errors, not
silently rounded). The result must be a finite real number.

The same grammar reads the ``{"$num": text}`` values of the counterexample store, and
:func:`to_text` writes a sympy number in it (for the store), so a stored irrational such as
``2/pi`` round-trips exactly without code.

The decimal rule for declared numbers is :func:`proofcheck.model.num.literal_fraction` (re-exported here): a float written in a
claim (``Constant("delta", 0.1)``, a sympy ``Float`` in a relation) means the decimal it prints
as (``repr``), 1/10, exactly as ``--set delta=0.1`` does.
"""
from __future__ import annotations

import math
import re
from fractions import Fraction

import sympy
from flint import arb

from proofcheck.model.num import NumericError, arb_eval, literal_fraction  # noqa: F401  (literal_fraction re-exported)

MAX_LENGTH = 1000
MAX_DIGITS = 400
MAX_EXPONENT = 10_000
MAX_DEPTH = 60
MAX_MAGNITUDE_EXP10 = 300  # |value| <= 10^300, and a nonzero |value| >= 10^-300

_CONSTANTS = {"pi": sympy.pi, "e": sympy.E}
_FUNCTIONS = {
    "sqrt": sympy.sqrt, "cbrt": lambda x: sympy.Pow(x, sympy.Rational(1, 3)), "exp": sympy.exp,
    "log": sympy.log, "sin": sympy.sin, "cos": sympy.cos, "tan": sympy.tan, "asin": sympy.asin,
    "acos": sympy.acos, "atan": sympy.atan, "sinh": sympy.sinh, "cosh": sympy.cosh,
    "tanh": sympy.tanh, "abs": sympy.Abs,
}
NAMES = tuple(sorted(_CONSTANTS)) + tuple(sorted(_FUNCTIONS))

_TOKEN = re.compile(r"\s*(?:(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)|(?P<name>[A-Za-z_][A-Za-z_0-9]*)"
                    r"|(?P<op>\*\*|[-+*/^(),]))")


class NumberSyntaxError(ValueError):
    """Text that is not a number of the grammar, or one out of the bounded range."""


# ---------------------------------------------------------------- tokens
def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            bad = text[pos:].lstrip()[:1]
            raise NumberSyntaxError(f"unexpected character {bad!r}")
        kind = m.lastgroup
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


# ---------------------------------------------------------------- range checks
_LIMIT = Fraction(10) ** MAX_MAGNITUDE_EXP10


def _check_rational(q: Fraction, what: str) -> None:
    if q == 0:
        return
    a = abs(q)
    if a > _LIMIT:
        raise NumberSyntaxError(f"{what} is too large (the limit is 1e{MAX_MAGNITUDE_EXP10})")
    if a < 1 / _LIMIT:
        raise NumberSyntaxError(f"{what} is too small to matter (nonzero magnitudes below "
                                f"1e-{MAX_MAGNITUDE_EXP10} are refused; write 0 if you mean zero)")


def _check_value(v: sympy.Basic, what: str) -> sympy.Basic:
    """Every intermediate value must be a finite real number within the bounded range."""
    if v.has(sympy.zoo, sympy.oo, -sympy.oo, sympy.nan):
        raise NumberSyntaxError(f"{what} is not a finite number")
    if v.is_Rational:
        _check_rational(Fraction(int(v.p), int(v.q)), what)
        return v
    if v.is_real is False:
        raise NumberSyntaxError(f"{what} is not a real number")

    try:
        ball = arb_eval(v, {}, 64)
    except (NumericError, ValueError, ArithmeticError, TypeError) as exc:
        raise NumberSyntaxError(f"{what} cannot be evaluated ({exc})") from None
    if not ball.is_finite():
        raise NumberSyntaxError(f"{what} is not a finite real number (or is beyond 1e{MAX_MAGNITUDE_EXP10})")
    limit = arb(10) ** MAX_MAGNITUDE_EXP10
    if abs(ball) > limit:
        raise NumberSyntaxError(f"{what} is too large (the limit is 1e{MAX_MAGNITUDE_EXP10})")
    if not ball.contains(0) and abs(ball) < 1 / limit:
        raise NumberSyntaxError(f"{what} is too small to matter (nonzero magnitudes below "
                                f"1e-{MAX_MAGNITUDE_EXP10} are refused)")
    return v


def _decimal(text: str) -> Fraction:
    mant, _, exp = text.lower().partition("e")
    digits = mant.replace(".", "")
    if len(digits.lstrip("0")) > MAX_DIGITS:
        raise NumberSyntaxError(f"number {text[:20]}... has more than {MAX_DIGITS} digits")
    if len(exp.lstrip("+-").lstrip("0")) > 5:
        raise NumberSyntaxError(f"exponent of {text} is too large")
    e = int(exp) if exp else 0
    whole, _, frac = mant.partition(".")
    m = int((whole or "0") + frac) if (whole or frac) else 0
    e -= len(frac)
    if m == 0:
        return Fraction(0)
    # magnitude of m * 10^e before building it (so 1e99999 costs nothing)
    mag = len(str(m)) - 1 + e
    if mag > MAX_MAGNITUDE_EXP10 + 1:
        _check_rational(_LIMIT * 10, f"number {text}")
    if mag < -MAX_MAGNITUDE_EXP10 - 2:
        _check_rational(1 / (_LIMIT * 100), f"number {text}")
    q = Fraction(m) * Fraction(10) ** e if e >= 0 else Fraction(m, 10 ** (-e))
    _check_rational(q, f"number {text}")
    return q


# ---------------------------------------------------------------- parser
class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]):
        self.toks, self.i, self.depth = tokens, 0, 0

    def peek(self) -> tuple[str, str] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        tok = self.peek()
        if tok is None:
            raise NumberSyntaxError("unexpected end of input" + (f" (expected {value!r})" if value else ""))
        if value is not None and tok[1] != value:
            raise NumberSyntaxError(f"expected {value!r}, found {tok[1]!r}")
        self.i += 1
        return tok

    def at(self, *values: str) -> bool:
        tok = self.peek()
        return tok is not None and tok[0] == "op" and tok[1] in values

    def expr(self) -> sympy.Basic:
        v = self.term()
        while self.at("+", "-"):
            op = self.take()[1]
            w = self.term()
            v = _check_value(v + w if op == "+" else v - w, "a sum")
        return v

    def term(self) -> sympy.Basic:
        v = self.unary()
        while self.at("*", "/"):
            op = self.take()[1]
            w = self.unary()
            if op == "/":
                if w == 0:
                    raise NumberSyntaxError("division by zero")
                v = _check_value(v / w, "a quotient")
            else:
                v = _check_value(v * w, "a product")
        return v

    def unary(self) -> sympy.Basic:
        self.depth += 1  # every level of nesting passes here: parentheses, signs, powers, calls
        if self.depth > MAX_DEPTH:
            raise NumberSyntaxError(f"nested more than {MAX_DEPTH} levels deep")
        try:
            if self.at("+", "-"):
                op = self.take()[1]
                v = self.unary()
                return -v if op == "-" else v
            return self.power()
        finally:
            self.depth -= 1

    def power(self) -> sympy.Basic:
        base = self.atom()
        if self.at("^", "**"):
            self.take()
            ex = self.unary()
            return _power(base, ex)
        return base

    def atom(self) -> sympy.Basic:
        kind, text = self.take()
        if kind == "num":
            q = _decimal(text)
            return sympy.Rational(q.numerator, q.denominator)
        if kind == "name":
            if text in _CONSTANTS:
                return _CONSTANTS[text]
            if text in _FUNCTIONS:
                self.take("(")
                arg = self.expr()
                self.take(")")
                return _check_value(_FUNCTIONS[text](arg), f"{text}(...)")
            if text.lower() in ("nan", "inf", "infinity", "oo"):
                raise NumberSyntaxError(f"{text!r} is not a finite real number")
            raise NumberSyntaxError(f"unknown name {text!r} (known: {', '.join(NAMES)})")
        if text == "(":
            v = self.expr()
            self.take(")")
            return v
        raise NumberSyntaxError(f"unexpected {text!r}")


def _power(base: sympy.Basic, ex: sympy.Basic) -> sympy.Basic:
    if ex.is_Integer:
        n = int(ex)
        if abs(n) > MAX_EXPONENT:
            raise NumberSyntaxError(f"exponent {n} is too large (at most {MAX_EXPONENT} in absolute value)")
        if base == 0 and n < 0:
            raise NumberSyntaxError("division by zero")
        if base.is_Rational and base != 0:
            # size of the result before computing it: |n| * log10(max(|p|, q))
            p, q = abs(int(base.p)), int(base.q)
            if abs(n) * abs(math.log10(p) - math.log10(q)) > MAX_MAGNITUDE_EXP10 + 1:
                raise NumberSyntaxError(f"a power is too {'large' if (p > q) == (n > 0) else 'small'} "
                                        f"(magnitudes are limited to 1e-{MAX_MAGNITUDE_EXP10} .. "
                                        f"1e{MAX_MAGNITUDE_EXP10})")
    elif ex.is_Rational and abs(int(ex.q)) > MAX_EXPONENT:
        raise NumberSyntaxError("root index too large")
    if base == 0 and ex.is_negative:
        raise NumberSyntaxError("division by zero")
    return _check_value(sympy.Pow(base, ex), "a power")


def parse_number(text: str) -> Fraction | int | sympy.Basic:
    """The exact value of ``text``: an ``int``, a ``Fraction``, or a real sympy number (``2/pi``).

    Raises :class:`NumberSyntaxError` with a one-line reason."""
    if not isinstance(text, str):
        raise NumberSyntaxError("a number must be given as text")
    text = text.strip()
    if not text:
        raise NumberSyntaxError("empty value")
    if len(text) > MAX_LENGTH:
        raise NumberSyntaxError(f"value longer than {MAX_LENGTH} characters")
    parser = _Parser(_tokens(text))
    value = parser.expr()
    if parser.peek() is not None:
        raise NumberSyntaxError(f"unexpected {parser.peek()[1]!r}")
    value = _check_value(value, "the value")
    if value.is_Rational:
        q = Fraction(int(value.p), int(value.q))
        return q.numerator if q.denominator == 1 else q
    if value.is_real is not True:
        raise NumberSyntaxError("the value is not a real number")
    return value


# ---------------------------------------------------------------- writing numbers
_PRINT_FUNCS = {sympy.exp: "exp", sympy.log: "log", sympy.sin: "sin", sympy.cos: "cos", sympy.tan: "tan",
                sympy.asin: "asin", sympy.acos: "acos", sympy.atan: "atan", sympy.sinh: "sinh",
                sympy.cosh: "cosh", sympy.tanh: "tanh", sympy.Abs: "abs"}


def to_text(value: sympy.Basic) -> str:
    """``value`` written in the grammar (fully parenthesised), so ``parse_number`` gives it back.

    Raises :class:`NumberSyntaxError` for a value outside the grammar (a symbol, an unknown
    function)."""
    if isinstance(value, sympy.Basic):
        e = value
    elif isinstance(value, (int, Fraction)) and not isinstance(value, bool):
        e = sympy.Rational(value.numerator, value.denominator)
    else:
        raise NumberSyntaxError(f"{type(value).__name__} has no place in the number grammar")
    if e.is_Integer:
        return str(int(e))
    if e.is_Rational:
        return f"({int(e.p)}/{int(e.q)})"
    if e.is_Float:
        q = literal_fraction(e)
        return f"({q.numerator}/{q.denominator})"
    if e is sympy.pi:
        return "pi"
    if e is sympy.E:
        return "e"
    if e.is_Add:
        return "(" + " + ".join(to_text(a) for a in e.args) + ")"
    if e.is_Mul:
        return "(" + " * ".join(to_text(a) for a in e.args) + ")"
    if e.is_Pow:
        b, x = e.args
        if x == sympy.Rational(1, 2):
            return f"sqrt({to_text(b)})"
        if b is sympy.E:
            return f"exp({to_text(x)})"
        return f"({to_text(b)}^{to_text(x)})"
    f = _PRINT_FUNCS.get(type(e))
    if f is not None and len(e.args) == 1:
        return f"{f}({to_text(e.args[0])})"
    raise NumberSyntaxError(f"{type(e).__name__} has no place in the number grammar")


# ---------------------------------------------------------------- the decimal rule
def is_exact_float_literal(x: float) -> bool:
    """True when a float's binary value equals the decimal it prints as (0.5, 3.0, 1e-3 is not)."""
    return Fraction(x) == Fraction(repr(float(x)))
