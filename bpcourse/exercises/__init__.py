"""Checks for the notebooks' exercises: say what is wrong and give a hint, never a traceback.

Each notebook's own checks live in a module named after it (``bpcourse.exercises.forward_pass``
and so on) and are built from ``check_value``. A check prints one line starting with
``Correct`` or ``Not yet`` and returns True or False, so a notebook cell shows the verdict
and a test can assert on it.
"""

from __future__ import annotations

import numpy as np

CORRECT = "Correct"
NOT_YET = "Not yet"
NO_ANSWER = "There is no answer yet: replace the ... with yours."


def verdict(ok: bool, what: str, detail: str = "", hint: str = "") -> bool:
    """Print the one-line verdict for exercise ``what`` and return ``ok``."""
    if ok:
        print(f"{CORRECT}: {what}." + (f" {detail}" if detail else ""))
    else:
        text = f"{NOT_YET}: {what}. {detail}".rstrip()
        print(text + (f" Hint: {hint}" if hint else ""))
    return ok


def check_value(answer, expected, what: str, hint: str = "", rtol: float = 1e-6,
                atol: float = 1e-9) -> bool:
    """Compare a number or array answer with the expected one, explaining any mismatch.

    Catches the usual slips separately: no answer yet (``...`` or None), a wrong shape
    (the most common backprop bug), NaN, then values that differ.
    """
    if answer is ... or answer is None:
        return verdict(False, what, NO_ANSWER, hint)
    try:
        a = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return verdict(False, what, f"Expected a number or array, got {type(answer).__name__}.",
                       hint)
    e = np.asarray(expected, dtype=float)
    if a.shape != e.shape:
        return verdict(False, what, f"Your answer has shape {a.shape}, expected {e.shape}.",
                       hint)
    if np.isnan(a).any():
        return verdict(False, what, "Your answer contains NaN.", hint)
    if np.allclose(a, e, rtol=rtol, atol=atol):
        return verdict(True, what)
    if a.ndim == 0:
        return verdict(False, what, f"You gave {float(a):.6g}.", hint)
    worst = np.unravel_index(np.argmax(np.abs(a - e)), a.shape)
    return verdict(False, what, f"The largest difference is at index {tuple(map(int, worst))}: "
                   f"yours {a[worst]:.6g}.", hint)


def same_value(answer, value, rtol: float = 1e-6, atol: float = 1e-12) -> bool:
    """True when ``answer`` is numerically ``value``: same shape and close entries."""
    if answer is ... or answer is None:
        return False
    try:
        a = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return False
    v = np.asarray(value, dtype=float)
    return a.shape == v.shape and bool(np.allclose(a, v, rtol=rtol, atol=atol))


def grade(answer, expected, what: str, slips, hint: str, rtol: float = 1e-6,
          atol: float = 1e-12) -> bool:
    """Verdict for one value: right, a recognised slip (with its own hint), or just wrong.

    ``slips`` pairs the value each typical mistake produces with the hint for it, so a
    learner who made that mistake is told what to look at rather than just "wrong".
    """
    if same_value(answer, expected, rtol, atol):
        return verdict(True, what)
    for value, slip_hint in slips:
        if same_value(answer, value, rtol, atol):
            return verdict(False, what, "Your answer matches a common slip.", slip_hint)
    return check_value(answer, expected, what, hint=hint, rtol=rtol, atol=atol)


def check_choice(answer, expected, what: str, hint: str = "") -> bool:
    """Compare a multiple-choice answer (a letter or short string), ignoring case and spaces."""
    if answer is ... or answer is None:
        return verdict(False, what, NO_ANSWER, hint)
    ok = str(answer).strip().lower() == str(expected).strip().lower()
    return verdict(ok, what, "" if ok else f"You chose {answer!r}.", hint)
