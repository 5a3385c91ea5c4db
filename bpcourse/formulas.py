r"""The formula side of ``bpcourse.answers``: read a typed formula safely and decide whether
it equals the expected one as a function.

Formulas are read with SymPy's parser under a whitelist of characters and names (no
attribute access, no underscores, bounded size and exponents), so a learner's text can
neither run code nor make SymPy work for minutes. Two formulas are equal when they agree
to 1e-9 at sample points in every variable, or, when too few points can be evaluated, when
SymPy simplifies their difference to 0. This module imports SymPy; ``bpcourse.answers``
loads it only when a formula is checked.
"""

from __future__ import annotations

import math
import numbers
import re
import tokenize
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import sympy
from sympy.parsing.sympy_parser import (
    convert_xor,
    implicit_application,
    implicit_multiplication,
    parse_expr,
    standard_transformations,
)

from .verdict import (
    EMPTY,
    MAX_EXPONENT,
    MAX_FORMULA_CHARS,
    Verdict,
    _describe,
    _is_empty,
    _normalise,
    _right,
    _verdict,
)


# -- reading --------------------------------------------------------------------------------
def _sigmoid(z: sympy.Expr) -> sympy.Expr:
    return 1 / (1 + sympy.exp(-z))


def _relu(z: sympy.Expr) -> sympy.Expr:
    return sympy.Max(0, z)


FUNCTIONS: dict[str, Any] = {
    "exp": sympy.exp, "log": sympy.log, "ln": sympy.log, "sqrt": sympy.sqrt,
    "tanh": sympy.tanh, "sinh": sympy.sinh, "cosh": sympy.cosh, "sech": sympy.sech,
    "sin": sympy.sin, "cos": sympy.cos, "tan": sympy.tan, "abs": sympy.Abs, "Abs": sympy.Abs,
    "max": sympy.Max, "Max": sympy.Max, "min": sympy.Min, "Min": sympy.Min,
    "sigmoid": _sigmoid, "sigma": _sigmoid, "relu": _relu, "ReLU": _relu,
    "Heaviside": sympy.Heaviside,
}
_CONSTANTS = {"e": sympy.E, "E": sympy.E, "pi": sympy.pi}
# Only what the parser's generated code calls; no builtins, so no open() or __import__.
_PARSER_GLOBALS: dict[str, Any] = {
    "__builtins__": {},
    **{name: getattr(sympy, name) for name in (
        "Integer", "Float", "Rational", "Symbol", "Function", "Add", "Mul", "Pow")},
}
_FORMULA_CHARS = re.compile(r"[A-Za-z0-9\s+\-*/^().,]*\Z")
# No split_symbols: "foo" must stay one (unknown) name, not f*o*o.
_TRANSFORMS = standard_transformations + (convert_xor, implicit_multiplication,
                                          implicit_application)


def _symbols_of(expected: sympy.Expr, extra: Iterable[sympy.Symbol]) -> dict[str, sympy.Symbol]:
    return {s.name: s for s in [*expected.free_symbols, *extra] if isinstance(s, sympy.Symbol)}


def parse_expression(answer: object, symbols: Mapping[str, sympy.Symbol]) -> sympy.Expr | Verdict:
    """The formula in ``answer`` using the variables ``symbols`` (by name), or the Verdict
    saying why it cannot be read. Unknown names and functions are refused by name."""
    if _is_empty(answer):
        return EMPTY
    if isinstance(answer, sympy.Basic):
        expr = answer
    elif isinstance(answer, (numbers.Real, np.floating, np.integer)) and not isinstance(
            answer, (bool, np.bool_)):
        expr = sympy.nsimplify(answer) if isinstance(answer, (int, np.integer)) \
            else sympy.Float(float(answer))
    elif isinstance(answer, str):
        parsed = _parse_formula(_normalise(answer), symbols)
        if isinstance(parsed, Verdict):
            return parsed
        expr = parsed
    else:
        return _verdict("malformed", f"Expected a formula such as 1 - tanh(z)**2, got "
                        f"{_describe(answer)}.")
    if not isinstance(expr, sympy.Expr):
        return _verdict("malformed", "Expected a formula, got something else (an equation or "
                        "a comparison?). Type only the right-hand side.")
    unknown = sorted(str(s) for s in expr.free_symbols if str(s) not in symbols)
    if unknown:
        allowed = ", ".join(sorted(symbols)) or "none"
        return _verdict("malformed", f"Unknown name {unknown[0]!r}: the formula may use "
                        f"{allowed}.")
    undefined = sorted({type(f).__name__ for f in expr.atoms(sympy.core.function.AppliedUndef)})
    if undefined:
        return _verdict("malformed", f"Unknown function {undefined[0]!r}: use exp, log, sqrt, "
                        "tanh, sech, sigmoid (or σ), relu, max, abs.")
    return expr


def _parse_formula(text: str, symbols: Mapping[str, sympy.Symbol]) -> sympy.Expr | Verdict:
    shown = text if len(text) <= 40 else text[:37] + "..."
    if len(text) > MAX_FORMULA_CHARS:
        return _verdict("malformed", f"That formula is longer than {MAX_FORMULA_CHARS} "
                        "characters; the answer is much shorter.")
    if "=" in text:
        return _verdict("malformed", "Type only the formula, without '=' or what it equals.")
    if re.search(r"\.\s*[A-Za-z_]", text):
        return _verdict("malformed", f"Could not read {shown!r} as a formula: a '.' belongs "
                        "in a number such as 0.5, not before a name.")
    if not _FORMULA_CHARS.match(text) or "_" in text:
        bad = next((c for c in text if not re.match(r"[A-Za-z0-9\s+\-*/^().,]", c)), "_")
        return _verdict("malformed", f"{bad!r} cannot be part of a formula here: use letters, "
                        "digits, + - * / ^ and brackets.")
    names = {**FUNCTIONS, **_CONSTANTS, **symbols}
    try:
        raw = parse_expr(text, local_dict=dict(names), global_dict=dict(_PARSER_GLOBALS),
                         transformations=_TRANSFORMS, evaluate=False)
        too_big = _huge_power(raw)
        if too_big:
            return _verdict("malformed", f"The exponent in {too_big} is too large for this "
                            "answer.")
        expr = parse_expr(text, local_dict=dict(names), global_dict=dict(_PARSER_GLOBALS),
                          transformations=_TRANSFORMS)
    except (SyntaxError, tokenize.TokenError, TypeError, ValueError, AttributeError,
            NameError, ZeroDivisionError, RecursionError, IndexError) as exc:
        reason = _parse_reason(exc)
        return _verdict("malformed", f"Could not read {shown!r} as a formula{reason}. Write it "
                        "as in Python, e.g. 1 - tanh(z)**2 or z*(1 - z).")
    if isinstance(expr, (tuple, list)):
        return _verdict("malformed", "Expected one formula, got several separated by commas.")
    return expr


def _parse_reason(exc: BaseException) -> str:
    if isinstance(exc, (SyntaxError, tokenize.TokenError)):
        return " (brackets or operators do not match up)"
    if isinstance(exc, TypeError):
        return " (a function got the wrong number of arguments?)"
    return ""


def _huge_power(expr: object) -> str:
    """The first power with a numeric exponent beyond ``MAX_EXPONENT``, as text, or ''."""
    if not isinstance(expr, sympy.Basic):
        return ""
    for node in sympy.preorder_traversal(expr):
        if isinstance(node, sympy.Pow) and node.exp.is_number:
            inner = _huge_power(node.exp)
            if inner:
                return inner
            try:
                size = abs(complex(node.exp.evalf(15)))
            except (TypeError, ValueError):
                return str(node)
            if size > MAX_EXPONENT:
                return str(node)
    return ""


_SAMPLE_POINTS = (0.37, -0.81, 1.23, -1.9, 0.05, 2.6, -0.44)


def _value_at(expr: sympy.Expr, point: dict[sympy.Symbol, float]) -> complex | None:
    try:
        value = complex(expr.evalf(30, subs=point))
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None
    return value if math.isfinite(value.real) and math.isfinite(value.imag) else None


def _compare_at_points(given: sympy.Expr, expected: sympy.Expr,
                       symbols: list[sympy.Symbol]) -> tuple[int, float, float]:
    """(points compared, largest difference relative to max(|expected|, 1), largest
    difference relative to |expected|) at fixed sample points."""
    compared, worst, relative = 0, 0.0, 0.0
    for shift, _ in enumerate(_SAMPLE_POINTS):
        point = {s: _SAMPLE_POINTS[(shift + 3 * k) % len(_SAMPLE_POINTS)]
                 for k, s in enumerate(symbols)}
        a, b = _value_at(given, point), _value_at(expected, point)
        if a is None or b is None:
            continue
        compared += 1
        worst = max(worst, abs(a - b) / max(abs(b), 1.0))
        relative = max(relative, abs(a - b) / abs(b) if b else (0.0 if a == b else math.inf))
    return compared, worst, relative


def check_expression(answer: object, expected: sympy.Expr | str,
                     symbols: Iterable[sympy.Symbol] = ()) -> Verdict:
    """Whether the formula ``answer`` equals ``expected`` as a function of its variables.

    The variables are the free symbols of ``expected`` plus ``symbols`` (which an answer may
    use even where the expected formula does not). Equality is decided by SymPy: the
    difference simplifies to 0, or, when simplification is not conclusive, the two agree to
    1e-9 at seven sample points in every variable.
    """
    expected_expr = sympy.sympify(expected) if isinstance(expected, str) else expected
    names = _symbols_of(expected_expr, symbols)
    given = parse_expression(answer, names)
    if isinstance(given, Verdict):
        return given
    variables = sorted(names.values(), key=lambda s: s.name)
    compared, worst, relative = _compare_at_points(given, expected_expr, variables)
    if compared >= 3:
        if worst <= 1e-9:
            return _right()
        if relative <= 2e-2 and given.atoms(sympy.Float):
            return _verdict("close", "Close, but some numbers in it are rounded: write them "
                            "exactly (1/3 rather than 0.33).")
        return _verdict("wrong", "Not right: that formula has other values.")
    try:
        same = sympy.simplify((given - expected_expr).rewrite(sympy.exp)) == 0
    except (TypeError, ValueError, RecursionError):
        same = False
    return _right() if same else _verdict("wrong", "Not right: that formula is different.")


