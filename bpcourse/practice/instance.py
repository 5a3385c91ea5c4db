"""One drawn practice problem: what the learner is asked, the answer and the worked solution.

An ``Instance`` is plain data (``to_dict``/``from_dict`` round-trip through JSON), so a
review log can keep the seed and a replay can show the learner exactly what was asked.
Its text is card markup (Markdown with ``$...$`` maths), rendered by the same code as a
card's front and back: HTML in the quiz widget, Unicode text in ``bpcourse review``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..answers import Verdict, check_expression, check_number, check_shape

if TYPE_CHECKING:
    import sympy

ANSWER_KINDS = ("numeric", "symbolic", "shape")


def seed_for(card_id: str, review_number: int) -> int:
    """The seed of a practice card's ``review_number``-th review (1 for the first).

    A SHA-256 of the two, not ``hash()``, which Python salts per process: the same card
    and review number give the same problem on every machine and in every session.
    """
    digest = hashlib.sha256(f"{card_id}#{review_number}".encode()).digest()
    return int.from_bytes(digest[:4], "big")


@dataclass(frozen=True)
class Instance:
    """A problem drawn by generator ``generator`` from ``seed``.

    ``answer`` is a float (``kind == "numeric"``), a tuple of ints (``"shape"``) or the
    text of a SymPy expression (``"symbolic"``, whose ``variables`` the learner may use).
    ``givens`` are the numbers shown in the prompt, by name.
    """

    generator: str
    seed: int
    prompt: str
    kind: str
    answer: float | tuple[int, ...] | str
    solution: tuple[str, ...]
    answer_hint: str = ""
    variables: tuple[str, ...] = ()
    givens: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in ANSWER_KINDS:
            raise ValueError(f"unknown answer kind {self.kind!r}; the kinds are "
                             f"{', '.join(ANSWER_KINDS)}")

    @property
    def expected(self) -> float | tuple[int, ...] | sympy.Expr:
        """The answer as the checks take it (a SymPy expression for a symbolic one)."""
        if self.kind == "symbolic":
            import sympy  # only symbolic cards need it, and it takes a second to load

            return sympy.sympify(self.answer, locals=self._symbols())
        return self.answer

    def _symbols(self) -> dict[str, sympy.Symbol]:
        import sympy

        return {name: sympy.Symbol(name) for name in self.variables}

    def check(self, answer: object) -> Verdict:
        """The verdict on the learner's ``answer`` (typed text or a Python value)."""
        if self.kind == "numeric":
            assert isinstance(self.answer, float)
            return check_number(answer, self.answer)
        if self.kind == "shape":
            assert isinstance(self.answer, tuple)
            return check_shape(answer, self.answer)
        return check_expression(answer, self.expected, self._symbols().values())

    def answer_text(self) -> str:
        """The answer as card markup, for the solution and for a fixed Anki card."""
        if self.kind == "numeric":
            assert isinstance(self.answer, float)
            return f"${short(self.answer, 4)}$"
        if isinstance(self.answer, tuple):  # a shape
            sizes = ", ".join(map(str, self.answer))
            return f"$({sizes}{',' if len(self.answer) == 1 else ''})$"
        import sympy

        return f"${sympy.latex(self.expected)}$"

    def solution_text(self) -> str:
        """The worked solution as card markup: one paragraph per step, then the answer."""
        return "\n\n".join([*self.solution, f"**Answer:** {self.answer_text()}"])

    def front_text(self) -> str:
        """The prompt with what to type, as the front of a fixed card (Anki)."""
        return self.prompt + (f"\n\n{self.answer_hint}" if self.answer_hint else "")

    def to_dict(self) -> dict[str, Any]:
        return {
            "generator": self.generator, "seed": self.seed, "prompt": self.prompt,
            "kind": self.kind,
            "answer": list(self.answer) if isinstance(self.answer, tuple) else self.answer,
            "solution": list(self.solution), "answer_hint": self.answer_hint,
            "variables": list(self.variables), "givens": dict(self.givens),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Instance:
        answer = data["answer"]
        if data["kind"] == "shape":
            answer = tuple(int(n) for n in answer)
        elif data["kind"] == "numeric":
            answer = float(answer)
        return cls(
            generator=str(data["generator"]), seed=int(data["seed"]),
            prompt=str(data["prompt"]), kind=str(data["kind"]), answer=answer,
            solution=tuple(data["solution"]), answer_hint=str(data.get("answer_hint", "")),
            variables=tuple(data.get("variables", ())), givens=dict(data.get("givens", {})),
        )


def short(value: float, digits: int = 4) -> str:
    """``value`` to ``digits`` significant figures, without trailing zeros or ``-0``:
    how the worked solutions print intermediate and final numbers."""
    if value == 0:
        return "0"
    text = f"{value:.{digits}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return f"{mantissa} \\times 10^{{{int(exponent)}}}"
    return text


def show(value: float | int) -> str:
    """A given number as the prompt shows it: ``0.5``, ``-1.2``, ``3``."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def matrix(rows: list[list[float]]) -> str:
    """A matrix as LaTeX (inside ``$...$``)."""
    body = r" \\ ".join(" & ".join(show(v) for v in row) for row in rows)
    return r"\begin{pmatrix} " + body + r" \end{pmatrix}"
