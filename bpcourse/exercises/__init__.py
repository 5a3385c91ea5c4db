"""Checks for the notebooks' exercises: say what is wrong and give a hint, never a traceback.

Each notebook's own checks live in a module named after it (``bpcourse.exercises.forward_pass``
and so on) and are built from the helpers here. A check prints one line starting with
``Correct`` or ``Not yet`` and returns True or False, so a notebook cell shows the verdict
and a test can assert on it.

Numbers are judged by ``bpcourse.answers``, the rules every answer in the course follows:
a value typed by hand is right when it is the answer rounded (or cut off) at its last digit
and has at least 3 significant figures; a value computed in Python is right when it agrees to
floating-point rounding. A rounding difference is answered with "give more digits" or "round
once, at the end", never with a hint about the concept, which is kept for wrong values.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import numpy as np

from .. import answers
from ..verdict import Verdict


def make_verdict(ok: bool, kind: str, message: str) -> Verdict:
    """A ``bpcourse.answers.Verdict``."""
    return Verdict(ok, kind, message)


def is_verdict(value: object) -> bool:
    """Whether ``value`` is a verdict rather than the parsed answer."""
    return isinstance(value, Verdict)

CORRECT = "Correct"
NOT_YET = "Not yet"
NO_ANSWER = "There is no answer yet: replace the ... with yours."
#: Relative slack for a value computed in Python (a different order of the same sums).
FLOAT_RTOL = 1e-9
#: Verdict kinds that are about digits, not the method: no concept hint goes with them.
ROUNDING = ("more_digits", "close")


def is_blank(answer: object) -> bool:
    """Whether ``answer`` is the placeholder of an unanswered exercise (``...`` or None)."""
    return answer is ... or answer is None


def verdict(ok: bool, what: str, detail: str = "", hint: str = "") -> bool:
    """Print the one-line verdict for exercise ``what`` and return ``ok``."""
    if ok:
        print(f"{CORRECT}: {what}." + (f" {detail}" if detail else ""))
    elif detail.startswith("There is no answer"):
        # The hint would give away part of the answer before any attempt: graded help
        # (hint, second hint, solution) is one click away instead.
        print(f"{NOT_YET}: {what}. {detail} Stuck? Use the help button below.")
    else:
        text = f"{NOT_YET}: {what}. {detail}".rstrip()
        print(text + (f" Hint: {hint}" if hint else ""))
    return ok


def _wrong(message: str) -> Verdict:
    return make_verdict(False, "wrong", message)


def _malformed(message: str) -> Verdict:
    return make_verdict(False, "malformed", message)


def _numbers(answer: object) -> np.ndarray | Verdict:
    """``answer`` as an array of real numbers (its own float dtype kept), or why not."""
    if isinstance(answer, str):
        return _malformed("Expected numbers, got a str: write them without quotes.")
    try:
        a = np.asarray(answer)
    except (TypeError, ValueError):
        return _malformed(f"Expected a number or array, got {type(answer).__name__}.")
    if a.dtype == object:
        try:
            a = a.astype(float)
        except (TypeError, ValueError):
            return _malformed(f"Expected a number or array of numbers, got "
                              f"{type(answer).__name__} holding something else.")
    if np.issubdtype(a.dtype, np.complexfloating):
        return _malformed("Expected real numbers, got complex ones.")
    if not (np.issubdtype(a.dtype, np.number) or a.dtype == bool):
        return _malformed(f"Expected numbers, got an array of {a.dtype}.")
    return a


def judge(answer: object, expected: object, rtol: float = FLOAT_RTOL,
          atol: float = 0.0) -> Verdict:
    """The ``bpcourse.answers`` verdict for a number or array ``answer``.

    Entries within ``rtol`` (relative) or ``atol`` of the expected ones are right, as are
    entries that are the expected value to the digits they show (``0.0884`` for 0.088388...).
    An array is right when every entry is; otherwise the verdict is the worst entry's, with
    a wrong value taking precedence over a rounding one.

    Shapes: ``answer`` and ``expected`` alike, any shape (a scalar is shape ()).
    """
    if is_blank(answer):
        return make_verdict(False, "empty", NO_ANSWER)
    e = np.asarray(expected, dtype=float)
    if not np.all(np.isfinite(e)):
        # Only a slip's value can be NaN or inf (0/0 in a wrong formula): nothing matches it.
        return _wrong("That is not the value of this slip.")
    if e.ndim == 0:
        number = answers.parse_number(answer)
        if isinstance(number, Verdict):
            return number if number.kind != "empty" else make_verdict(False, "empty", NO_ANSWER)
        if abs(number.value - float(e)) <= rtol * max(abs(float(e)), abs(number.value)) + atol:
            return make_verdict(True, "right", "Right.")
        return answers.check_number(answer, float(e))
    a = _numbers(answer)
    if not isinstance(a, np.ndarray):
        return a
    if a.shape != e.shape:
        return _wrong(f"Your answer has shape {a.shape}, expected {e.shape}.")
    finite = np.isfinite(a.astype(float))
    if not finite.all():
        where = tuple(int(i) for i in np.argwhere(~finite)[0])
        bad = "NaN" if np.isnan(a.astype(float)[where]) else "inf"
        return _malformed(f"Your answer contains {bad} (first at index {where}).")
    af = a.astype(float)
    scale = float(np.max(np.abs(e), initial=0.0)) or 1.0
    near = np.abs(af - e) <= rtol * np.maximum(np.abs(e), np.abs(af)) + atol + 1e-12 * scale
    if near.all():
        return make_verdict(True, "right", "Right.")
    kinds = []
    for index in zip(*np.nonzero(~near), strict=True):
        # The entry as the learner's own dtype shows it: float32 0.0884 keeps its 3 digits.
        kinds.append(answers.check_number(a[index], float(e[index])).kind)
    if all(k == "right" for k in kinds):
        return make_verdict(True, "right", "Right.")
    if any(k not in ROUNDING + ("right",) for k in kinds):
        worst = np.unravel_index(np.argmax(np.abs(af - e)), e.shape)
        return _wrong(f"The largest difference is at index {tuple(map(int, worst))}: "
                      f"yours {af[worst]:.6g}.")
    if "close" in kinds:
        return make_verdict(False, "close", "Close: right to about 3 significant figures, off in "
                       "the last digit of some entries. Round once, at the end, and keep more "
                       "digits in the steps along the way.")
    return make_verdict(False, "more_digits", "Right, but give more digits: at least 3 "
                   "significant figures in every entry.")


def report(v: Verdict, what: str, hint: str = "", answer: object = None,
           correct: str = "") -> bool:
    """Print verdict ``v`` for exercise ``what``: the concept ``hint`` only with a wrong,
    unreadable or missing answer, never with a rounding difference."""
    if v.ok:
        return verdict(True, what, correct)
    if v.kind in ROUNDING:
        return verdict(False, what, v.message)
    detail = v.message
    scalar = np.ndim(answer) == 0  # type: ignore[arg-type]
    if v.kind == "wrong" and scalar and not detail.startswith("Your answer"):
        shown = answers.parse_number(answer)
        detail = f"You gave {shown.value:.6g}." if not isinstance(shown, Verdict) else detail
    return verdict(False, what, detail, hint)


def check_value(answer, expected, what: str, hint: str = "", rtol: float = FLOAT_RTOL,
                atol: float = 0.0, correct: str = "") -> bool:
    """Compare a number or array answer with the expected one, explaining any mismatch.

    Catches the usual slips separately: no answer yet (``...`` or None), a wrong shape
    (the most common backprop bug), NaN or inf, too few digits, then values that differ.
    """
    return report(judge(answer, expected, rtol, atol), what, hint, answer, correct)


def same_value(answer, value, rtol: float = FLOAT_RTOL, atol: float = 0.0) -> bool:
    """True when ``answer`` is ``value`` by the rules of ``judge`` (same shape, and every
    entry right to floating-point rounding or to the digits it shows)."""
    if is_blank(answer):
        return False
    return judge(answer, value, rtol, atol).ok


def grade(answer, expected, what: str, slips: Iterable[tuple[object, str]], hint: str,
          rtol: float = FLOAT_RTOL, atol: float = 0.0, correct: str = "") -> bool:
    """Verdict for one value: right, a recognised slip (with its own hint), a rounding
    difference (no hint), or just wrong.

    ``slips`` pairs the value each typical mistake produces with the hint for it, so a
    learner who made that mistake is told what to look at rather than just "wrong". A slip
    is recognised by the same rules as the right answer, so a rounded slip is named too.
    """
    v = judge(answer, expected, rtol, atol)
    if v.ok:
        return verdict(True, what, correct)
    if v.kind in ("wrong", "close"):
        for value, slip_hint in slips:
            if same_value(answer, value, rtol, atol):
                return verdict(False, what, "Your answer matches a common slip.", slip_hint)
    return report(v, what, hint, answer)


_CHOICE = re.compile(r"\(?\s*([A-Za-z0-9]+)\s*[).:]?\s*\Z")


def choice_key(answer: object) -> str | None:
    """A multiple-choice answer as its bare lower-case key: ``'(c)'``, ``'C'``, ``' c) '``
    and ``'c.'`` all give ``'c'``; None when it is not one short word or number."""
    if isinstance(answer, (bool, np.bool_)) or is_blank(answer):
        return None
    match = _CHOICE.match(str(answer).strip())
    return match.group(1).lower() if match else None


def check_choice(answer, expected, what: str, hint: str = "",
                 choices: Sequence[str] | None = None, correct: str = "") -> bool:
    """Compare a multiple-choice answer (a letter or short string), ignoring case, spaces
    and brackets. With ``choices``, an answer outside them is told so instead of "wrong"."""
    if is_blank(answer):
        return verdict(False, what, NO_ANSWER, hint)
    key = choice_key(answer)
    if key == choice_key(expected):
        return verdict(True, what, correct)
    if choices is not None and key not in {choice_key(c) for c in choices}:
        return verdict(False, what, f"{answer!r} is not one of the choices.",
                       "answer with one of " + ", ".join(map(str, choices)) + ".")
    return verdict(False, what, f"You chose {answer!r}.", hint)


def whole_number(answer: object) -> int | Verdict:
    """A count or index given as ``3``, ``3.0``, ``np.int64(3)`` or ``"3"``, or the verdict
    saying why it is not one (no answer, not a number, not whole)."""
    if is_blank(answer):
        return make_verdict(False, "empty", NO_ANSWER)
    number = answers.parse_number(answer)
    if isinstance(number, Verdict):
        return number
    if not float(number.value).is_integer():
        return _wrong(f"You gave {number.value:g}, which is not a whole number.")
    return int(number.value)


def shape_of(answer: object) -> tuple[int, ...] | Verdict:
    """A shape given as a tuple, list or 1-D array of whole numbers, or why it is not one.

    A bare number is refused here (``5`` is a size, not the shape ``(5,)``), unlike in a
    typed answer box, because in Python the two are different objects.
    """
    if is_blank(answer):
        return make_verdict(False, "empty", NO_ANSWER)
    if isinstance(answer, (int, float, np.integer, np.floating)) and not isinstance(
            answer, (bool, np.bool_)):
        return _malformed(f"{answer!r} is a number, not a shape: write ({answer!r},) for a "
                          "1-D array.")
    if isinstance(answer, str):
        return _malformed(f"{answer!r} is text, not a shape: give a tuple such as (3, 4).")
    return answers.parse_shape(answer)


__all__ = ["CORRECT", "NOT_YET", "NO_ANSWER", "check_choice", "check_value", "choice_key",
           "grade", "is_blank", "is_verdict", "judge", "make_verdict", "report", "same_value",
           "shape_of", "verdict", "whole_number"]
