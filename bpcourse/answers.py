r"""Check a learner's answer: a number, a shape or a formula, typed or given as a Python value.

One small API for every place the course checks an answer (practice cards, the notebooks'
exercise checks)::

    check_answer(answer, expected, kind) -> Verdict     # kind: "numeric" | "shape" | "symbolic"
    check_number(answer, expected)       -> Verdict
    check_shape(answer, expected)        -> Verdict
    check_expression(answer, expected)   -> Verdict

``answer`` is what the learner gave: text typed in a box or a terminal (``"0.0884"``,
``"(5, 2)"``, ``"1 - tanh(z)^2"``) or a Python value (``3.0``, ``np.int64(3)``,
``np.array([5, 2])``, a SymPy expression). Nothing here raises on a learner's input: every
problem comes back as a ``Verdict`` whose message says what was wrong.

The rules:

* **numbers** are right to the digits given: the answer must be the expected value rounded
  (or cut off) at the answer's last digit, and carry at least ``MIN_SIGNIFICANT`` (3)
  significant figures. ``0.0884`` for $\sqrt{2/256} = 0.08839\ldots$ is right; ``0.09`` is
  "right, but give more digits" (kind ``more_digits``), never a hint about the concept. An
  exact value (``3`` for 3, ``0.5`` for 0.5) is right with any number of digits. A value
  that is off only in its last digits, as rounding along the way makes it, is ``close`` and
  told so. Python values count as exact to the digits of their ``repr``, with a relative
  slack of ``1e-9`` for floating-point arithmetic.
* **shapes** are tuples of non-negative integers; ``"(5, 2)"``, ``"5, 2"``, ``"5x2"``,
  ``[5, 2]`` and ``np.array([5, 2])`` all mean ``(5, 2)``.
* **formulas** are read with SymPy's parser under a whitelist of characters and names (no
  attribute access, no underscores, bounded size and exponents) and are right when they are
  equal to the expected one as functions: ``1 - tanh(z)**2`` and ``sech(z)**2`` are both
  right. ``^`` means power, ``2z`` means ``2*z``, ``σ(z)`` or ``sigmoid(z)`` is the logistic
  function.

Verdict kinds, in ``Verdict.kind``:

==============  ====  ==================================================================
kind            ok    meaning
==============  ====  ==================================================================
``right``       True  the answer is right
``more_digits`` False right as far as it goes, but give at least 3 significant figures
``close``       False off in the last digits given: rounding, not the method
``wrong``       False a different value, shape or formula
``malformed``   False could not be read as a number, shape or formula (message says why)
``empty``       False no answer yet
==============  ====  ==================================================================

``Verdict.final`` is False for ``more_digits``, ``malformed`` and ``empty``: a caller may let
the learner try again without counting the attempt.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

import numpy as np

from .verdict import (
    EMPTY,
    Verdict,
    _describe,
    _is_empty,
    _normalise,
    _right,
    _verdict,
)

Kind = Literal["numeric", "shape", "symbolic"]
KINDS: tuple[str, ...] = ("numeric", "shape", "symbolic")
MIN_SIGNIFICANT = 3
# Relative slack for values computed in Python: they carry every digit float has.
_FLOAT_RTOL = 1e-9


# -- numbers ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Number:
    """A learner's number with the precision it was given to: ``unit`` is one unit in its
    last digit (0 for a value with every float digit), ``significant`` its significant
    figures (None when it is exact: a fraction or a Python value)."""

    value: float
    unit: float
    significant: int | None


_NUMBER_TEXT = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\Z", re.I)
_FRACTION_TEXT = re.compile(r"([+-]?\d+)\s*/\s*(\d+)\Z")


def _from_decimal(text: str) -> _Number:
    dec = Decimal(text)
    digits = dec.as_tuple().digits
    exponent = dec.as_tuple().exponent
    assert isinstance(exponent, int)  # finite: the pattern allows no inf/nan
    significant = len(digits) if any(digits) else 1
    return _Number(float(dec), 10.0 ** exponent, significant)


def parse_number(answer: object) -> _Number | Verdict:
    """The number in ``answer`` (text or a Python value), or the Verdict saying why there is
    none (``empty`` or ``malformed``)."""
    if _is_empty(answer):
        return EMPTY
    if isinstance(answer, str):
        text = _normalise(answer).replace(" ", "")
        if "," in text and "." not in text and text.count(",") == 1:
            text = text.replace(",", ".")  # a decimal comma
        if _NUMBER_TEXT.match(text):
            return _from_decimal(text)
        fraction = _FRACTION_TEXT.match(text)
        if fraction:
            if int(fraction.group(2)) == 0:
                return _verdict("malformed", f"{answer.strip()!r} divides by zero.")
            exact = Fraction(int(fraction.group(1)), int(fraction.group(2)))
            return _Number(float(exact), 0.0, None)
        if text.lower() in ("nan", "inf", "+inf", "-inf", "infinity", "-infinity"):
            return _verdict("malformed", f"{answer.strip()!r} is not a finite number; the "
                            "answer is one.")
        return _verdict("malformed", f"Could not read {answer.strip()!r} as a number: type "
                        "digits such as 0.125, -3 or 1.5e-3.")
    if isinstance(answer, (bool, np.bool_)):
        return _verdict("malformed", "Expected a number, got True/False.")
    if isinstance(answer, np.ndarray):
        if answer.ndim != 0:
            return _verdict("malformed", f"Expected a single number, got {_describe(answer)}.")
        answer = answer[()]
    if isinstance(answer, (complex, np.complexfloating)):
        return _verdict("malformed", "Expected a real number, got a complex one.")
    if type(answer).__module__.startswith("sympy."):  # a SymPy number or formula
        if not answer.is_number or answer.is_real is False:  # type: ignore[attr-defined]
            return _verdict("malformed", f"Expected a number, got the formula {answer}.")
        answer = float(answer)  # type: ignore[arg-type]
    if isinstance(answer, (Fraction, numbers.Integral, np.integer)):
        return _Number(float(answer), 0.0, None)
    if isinstance(answer, Decimal):
        if not answer.is_finite():
            return _verdict("malformed", f"{answer} is not a finite number; the answer is one.")
        return _from_decimal(str(answer))
    if isinstance(answer, (numbers.Real, np.floating)):
        value = float(answer)
        if not math.isfinite(value):
            return _verdict("malformed", f"{value} is not a finite number; the answer is one.")
        # The shortest digits that round-trip (str of a NumPy scalar is that at its own
        # precision), so 0.0884 keeps its 3 figures.
        shown = _from_decimal(str(answer) if isinstance(answer, np.floating) else repr(value))
        if shown.significant is not None and shown.significant >= 15:
            return _Number(value, 0.0, None)  # a computed value: all the float digits
        return shown
    return _verdict("malformed", f"Expected a number, got {_describe(answer)}.")


def _agrees(given: float, expected: float, unit: float) -> bool:
    """Whether ``given`` is ``expected`` rounded or cut off at ``unit``."""
    slack = _FLOAT_RTOL * max(abs(expected), abs(given), unit)
    if abs(given - expected) <= unit / 2 + slack:
        return True
    cut = math.trunc(expected / unit) * unit  # cut off: 0.0883 for 0.08839
    return abs(given - cut) <= slack + 1e-12 * unit


def _exact(given: float, expected: float) -> bool:
    return abs(given - expected) <= _FLOAT_RTOL * max(abs(expected), 1e-300) + 1e-15


def check_number(answer: object, expected: float, *,
                 min_significant: int = MIN_SIGNIFICANT) -> Verdict:
    """Whether ``answer`` is the number ``expected`` to the digits given (see the module)."""
    expected = float(expected)
    if not math.isfinite(expected):
        raise ValueError(f"the expected answer must be finite, got {expected}")
    number = parse_number(answer)
    if isinstance(number, Verdict):
        return number
    given = number.value
    if _exact(given, expected):
        return _right()
    if number.unit == 0.0:
        if expected != 0 and abs(given - expected) <= 5e-3 * abs(expected):
            return _verdict("close", f"Close: {given:.6g} agrees with the answer to about 3 "
                            "significant figures but not beyond. Keep more digits in the "
                            "steps along the way.")
        return _verdict("wrong", f"Not right: {given:.6g} is a different value.")
    if _agrees(given, expected, number.unit):
        if number.significant is not None and number.significant < min_significant:
            return _verdict("more_digits", f"Right, but give more digits: at least "
                            f"{min_significant} significant figures.")
        return _right()
    significant = number.significant or 0
    near = expected != 0 and abs(given - expected) <= 5e-3 * abs(expected)
    if near and significant >= min_significant and not float(expected).is_integer():
        return _verdict("close", "Close: right to about 3 significant figures, off in the "
                        "last digit you gave. Round once, at the end, and keep more digits in "
                        "the steps along the way.")
    return _verdict("wrong", "Not right: that is a different value.")


# -- shapes ----------------------------------------------------------------------------------
_SHAPE_TEXT = re.compile(r"[(\[]?\s*(\d+(?:\s*[,x*]\s*\d+)*)?\s*,?\s*[)\]]?\Z", re.I)


def parse_shape(answer: object) -> tuple[int, ...] | Verdict:
    """The shape in ``answer`` as a tuple of ints, or the Verdict saying why there is none."""
    if _is_empty(answer):
        return EMPTY
    if isinstance(answer, str):
        text = _normalise(answer).replace("^", "")
        match = _SHAPE_TEXT.match(text)
        if not match:
            return _verdict("malformed", f"Could not read {answer.strip()!r} as a shape: type "
                            "sizes such as (5, 2), or (5,) for one dimension.")
        inside = match.group(1)
        if inside is None:
            return ()
        return tuple(int(part) for part in re.split(r"\s*[,x*]\s*", inside, flags=re.I))
    if isinstance(answer, (bool, np.bool_)):
        return _verdict("malformed", "Expected a shape, got True/False.")
    if isinstance(answer, (numbers.Integral, np.integer)):
        return (int(answer),) if int(answer) >= 0 else _verdict(
            "malformed", "A size cannot be negative.")
    if isinstance(answer, np.ndarray):
        if answer.ndim != 1:
            return _verdict("malformed", "Give the shape itself (a tuple such as (5, 2)), "
                            f"not {_describe(answer)}.")
        answer = answer.tolist()
    if isinstance(answer, (tuple, list)):
        sizes = []
        for item in answer:
            if isinstance(item, (bool, np.bool_)):
                return _verdict("malformed", "Each size in a shape is a whole number.")
            if isinstance(item, (numbers.Integral, np.integer)):
                sizes.append(int(item))
            elif isinstance(item, (numbers.Real, np.floating)) and float(item).is_integer():
                sizes.append(int(float(item)))
            else:
                return _verdict("malformed", f"Each size in a shape is a whole number; "
                                f"{item!r} is not.")
        if any(size < 0 for size in sizes):
            return _verdict("malformed", "A size cannot be negative.")
        return tuple(sizes)
    return _verdict("malformed", f"Expected a shape such as (5, 2), got {_describe(answer)}.")


def check_shape(answer: object, expected: Iterable[int]) -> Verdict:
    """Whether ``answer`` is the shape ``expected``."""
    expected = tuple(int(n) for n in expected)
    shape = parse_shape(answer)
    if isinstance(shape, Verdict):
        return shape
    if shape == expected:
        return _right()
    if len(shape) != len(expected):
        dims = lambda n: f"{n} dimension" + ("" if n == 1 else "s")  # noqa: E731
        return _verdict("wrong", f"Not right: {shape} has {dims(len(shape))}; this array has "
                        f"{dims(len(expected))}.")
    if sorted(shape) == sorted(expected):
        return _verdict("wrong", f"Not right: {shape} has the right sizes in the wrong order.")
    return _verdict("wrong", f"Not right: the shape is not {shape}.")


# -- formulas ------------------------------------------------------------------------------
# SymPy takes about a second to import, and only formulas need it: the notebooks' checks
# and numeric practice cards load this module without it.
def parse_expression(answer: object, symbols: Mapping[str, Any]) -> Any:
    """The formula in ``answer`` using the variables ``symbols`` (by name, SymPy symbols),
    or the Verdict saying why it cannot be read (see ``bpcourse.formulas``)."""
    from .formulas import parse_expression as parse

    return parse(answer, symbols)


def check_expression(answer: object, expected: Any, symbols: Iterable[Any] = ()) -> Verdict:
    """Whether the formula ``answer`` equals ``expected`` (a SymPy expression or its text) as a
    function of its variables; see ``bpcourse.formulas.check_expression``."""
    from .formulas import check_expression as check

    return check(answer, expected, symbols)


# -- one entry point -------------------------------------------------------------------------
def check_answer(answer: object, expected: Any, kind: str) -> Verdict:
    """Check ``answer`` against ``expected`` for an answer ``kind`` in ``KINDS``:
    a float for ``numeric``, a tuple of ints for ``shape``, a SymPy expression (or its text)
    for ``symbolic``."""
    if kind == "numeric":
        return check_number(answer, expected)
    if kind == "shape":
        return check_shape(answer, expected)
    if kind == "symbolic":
        return check_expression(answer, expected)
    raise ValueError(f"unknown answer kind {kind!r}; the kinds are {', '.join(KINDS)}")
