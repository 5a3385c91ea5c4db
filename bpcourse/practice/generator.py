"""A practice generator: draws the numbers of a problem from a seed and poses it.

A generator is a function ``pose(g, params) -> Posed`` registered with ``@generator``.
It takes every number it shows from ``g`` (a ``Givens``), which draws them from the seed
and records them by name. That record is what makes instances checkable: a test can ask
the generator again with one number changed (``Givens(..., overrides=...)``) and see the
answer follow it, so the answer depends on the numbers shown and on nothing hidden.

Numbers are drawn on a grid a person can work with: one or two decimals, small integers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .instance import ANSWER_KINDS, Instance

#: How often a generator may redraw to avoid a degenerate instance (a zero gradient, a
#: saturated unit) before it takes what it has.
TRIES = 200


class Givens:
    """The numbers of one instance, drawn from ``rng`` or taken from ``overrides``."""

    def __init__(self, rng: np.random.Generator,
                 overrides: Mapping[str, Any] | None = None) -> None:
        self.rng = rng
        self.overrides = dict(overrides or {})
        self.values: dict[str, Any] = {}

    def _keep(self, name: str, value: Any) -> Any:
        if name in self.overrides:
            value = self.overrides[name]
        self.values[name] = value
        return value

    def tries(self) -> Iterator[int]:
        """Attempts for a redraw loop (``for _ in g.tries(): ... if ok: break``); one
        attempt when numbers are overridden, which a redraw could not change."""
        return iter(range(1 if self.overrides else TRIES))

    def number(self, name: str, low: float, high: float, places: int = 1,
               nonzero: bool = True) -> float:
        """A number from ``low`` to ``high`` with ``places`` decimals (0 excluded unless
        ``nonzero`` is False)."""
        scale = 10 ** places
        grid = np.arange(round(low * scale), round(high * scale) + 1)
        if nonzero:
            grid = grid[grid != 0]
        return self._keep(name, round(float(self.rng.choice(grid)) / scale, places))

    def integer(self, name: str, low: int, high: int) -> int:
        """A whole number from ``low`` to ``high``, both included."""
        return self._keep(name, int(self.rng.integers(low, high + 1)))

    def vector(self, name: str, size: int, low: float, high: float, places: int = 1,
               nonzero: bool = True) -> list[float]:
        """``size`` numbers as ``number`` draws them."""
        scale = 10 ** places
        grid = np.arange(round(low * scale), round(high * scale) + 1)
        if nonzero:
            grid = grid[grid != 0]
        values = [round(float(v) / scale, places) for v in self.rng.choice(grid, size)]
        return self._keep(name, values)

    def choice(self, name: str, options: Sequence[Any]) -> Any:
        """One of ``options`` (a name, say; not a number that is perturbed in tests)."""
        return self._keep(name, options[int(self.rng.integers(len(options)))])


@dataclass(frozen=True)
class Posed:
    """What a generator function returns: the problem, its answer and worked solution."""

    prompt: str
    kind: str
    answer: float | tuple[int, ...] | str
    solution: Sequence[str]
    answer_hint: str = ""
    variables: Sequence[str] = ()


@dataclass(frozen=True)
class Param:
    """One parameter a deck may give a generator: its default and what it may be
    (``choices``, or whole numbers from ``low`` to ``high``)."""

    default: Any
    choices: tuple[Any, ...] = ()
    low: int | None = None
    high: int | None = None
    doc: str = ""

    def problem(self, value: object) -> str | None:
        """Why ``value`` is not allowed, or None."""
        if self.choices:
            if value not in self.choices:
                return f"must be one of {', '.join(map(str, self.choices))}, not {value!r}"
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            return f"must be a whole number, not {value!r}"
        if self.low is not None and value < self.low or self.high is not None and \
                value > self.high:
            return f"must be from {self.low} to {self.high}, not {value}"
        return None


PoseFunction = Callable[[Givens, Mapping[str, Any]], Posed]


@dataclass(frozen=True)
class Generator:
    """A registered generator: ``name`` is ``<lesson slug>.<function>``, ``title`` the
    skill it drills (a card's front when the deck gives none)."""

    name: str
    title: str
    kind: str
    pose: PoseFunction
    params: Mapping[str, Param] = field(default_factory=dict)

    def param_problems(self, params: Mapping[str, Any]) -> list[str]:
        """What is wrong with ``params`` for this generator (empty when they are fine)."""
        problems = []
        for key, value in params.items():
            if key not in self.params:
                known = ", ".join(self.params) or "none"
                problems.append(f"generator {self.name!r} has no parameter {key!r} "
                                f"(its parameters: {known})")
                continue
            problem = self.params[key].problem(value)
            if problem:
                problems.append(f"parameter {key!r} of {self.name!r} {problem}")
        return problems

    def settings(self, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The defaults with ``params`` applied; ValueError for a bad parameter."""
        params = dict(params or {})
        problems = self.param_problems(params)
        if problems:
            raise ValueError("; ".join(problems))
        return {key: params.get(key, p.default) for key, p in self.params.items()}

    def instance(self, seed: int, params: Mapping[str, Any] | None = None,
                 overrides: Mapping[str, Any] | None = None) -> Instance:
        """The problem for ``seed`` (``overrides`` replaces drawn numbers, for tests)."""
        givens = Givens(np.random.default_rng(seed), overrides)
        posed = self.pose(givens, self.settings(params))
        if posed.kind != self.kind:
            raise AssertionError(f"{self.name} posed a {posed.kind} answer, registered as "
                                 f"{self.kind}")
        answer = posed.answer
        if self.kind == "numeric":
            answer = float(answer)  # type: ignore[arg-type]
        return Instance(
            generator=self.name, seed=seed, prompt=posed.prompt, kind=posed.kind,
            answer=answer, solution=tuple(posed.solution), answer_hint=posed.answer_hint,
            variables=tuple(posed.variables), givens=givens.values,
        )


REGISTRY: dict[str, Generator] = {}


def generator(name: str, title: str, kind: str,
              params: Mapping[str, Param] | None = None) -> Callable[[PoseFunction],
                                                                    PoseFunction]:
    """Register the decorated ``pose`` function as generator ``name``."""
    if kind not in ANSWER_KINDS:
        raise ValueError(f"unknown answer kind {kind!r}")

    def register(pose: PoseFunction) -> PoseFunction:
        if name in REGISTRY:
            raise ValueError(f"generator {name!r} registered twice")
        REGISTRY[name] = Generator(name, title, kind, pose, dict(params or {}))
        return pose

    return register
