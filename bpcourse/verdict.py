"""The verdict on one answer, shared by ``bpcourse.answers`` (numbers and shapes) and
``bpcourse.formulas`` (formulas): its kind, whether it counts, and the message for the
learner; plus the small text helpers both read answers with."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

VERDICT_KINDS: tuple[str, ...] = ("right", "more_digits", "close", "wrong", "malformed", "empty")
MAX_FORMULA_CHARS = 300
# A formula's exponents beyond this are refused before SymPy evaluates 9**9**9.
MAX_EXPONENT = 64


@dataclass(frozen=True)
class Verdict:
    """The outcome of one check: ``ok`` only when the answer is right, ``kind`` one of
    ``VERDICT_KINDS``, and a ``message`` for the learner."""

    ok: bool
    kind: str
    message: str

    @property
    def final(self) -> bool:
        """Whether this attempt counts: False when the learner should simply try again
        (no answer, an unreadable one, or too few digits)."""
        return self.kind in ("right", "close", "wrong")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Verdict:
        return cls(ok=bool(data["ok"]), kind=str(data["kind"]), message=str(data["message"]))


def _right(message: str = "Right.") -> Verdict:
    return Verdict(True, "right", message)


def _verdict(kind: str, message: str) -> Verdict:
    return Verdict(False, kind, message)


EMPTY = _verdict("empty", "There is no answer yet: type one, then check.")


def _is_empty(answer: object) -> bool:
    return answer is None or answer is ... or (isinstance(answer, str) and not answer.strip())


def _normalise(text: str) -> str:
    """Typographic characters people paste or type, as the ASCII the parsers read."""
    table = {"\u2212": "-", "\u2013": "-", "\u00b7": "*", "\u22c5": "*", "\u00d7": "*",
             "\u00b2": "^2", "\u00b3": "^3", "\u03c3": "sigma", "\u2009": " ", "\u00a0": " "}
    for old, new in table.items():
        text = text.replace(old, new)
    return text.strip()


def _describe(answer: object) -> str:
    if isinstance(answer, np.ndarray):
        return f"an array of shape {answer.shape}"
    return f"a {type(answer).__name__}"
