r"""Learning-rate schedules: the step size $\eta_t$ as a function of the step number t.

A fixed $\eta$ must be small enough for the steep start and is then too small for the slow
end. A schedule changes it as training goes:

* ``StepDecay``: multiply $\eta$ by ``factor`` every ``every`` steps (a staircase);
* ``Cosine``: glide from $\eta_{max}$ to $\eta_{min}$ along half a cosine over ``total`` steps,
  $\eta_t = \eta_{min} + \tfrac12(\eta_{max} - \eta_{min})(1 + \cos(\pi\, t / T))$;
* ``WarmUp``: grow $\eta$ linearly from near 0 over the first ``steps`` steps, then hand over
  to another schedule. Adam's first steps, with moment estimates from very few gradients,
  are the ones a warm-up protects.

``Scheduled(optimizer, schedule)`` is an optimiser that sets the wrapped optimiser's ``lr``
from the schedule before every step, so ``fit`` and every other loop use it unchanged.
Steps are counted from 1, as ``Optimizer.t`` counts them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from .optim import Optimizer


class Schedule(Protocol):
    def __call__(self, t: int) -> float: ...


def _positive(name: str, value: float) -> float:
    if not (isinstance(value, (int, float, np.integer, np.floating))
            and math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return float(value)


def _count(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a whole number >= 1, got {value!r}")
    return int(value)


def _step_number(t: int) -> int:
    if isinstance(t, bool) or not isinstance(t, (int, np.integer)) or t < 1:
        raise ValueError(f"steps are counted from 1, got t = {t!r}")
    return int(t)


@dataclass(frozen=True)
class StepDecay:
    r"""$\eta_t = \eta_0 \cdot \text{factor}^{\lfloor (t-1)/\text{every} \rfloor}$."""

    lr: float
    every: int
    factor: float = 0.5

    def __post_init__(self) -> None:
        _positive("lr", self.lr)
        _count("every", self.every)
        if not (0 < self.factor <= 1):
            raise ValueError(f"factor must be in (0, 1], got {self.factor!r}")

    def __call__(self, t: int) -> float:
        return self.lr * self.factor ** ((_step_number(t) - 1) // self.every)


@dataclass(frozen=True)
class Cosine:
    r"""Half a cosine from ``lr`` at t = 1 down to ``lr_min`` at t = ``total``, then flat."""

    lr: float
    total: int
    lr_min: float = 0.0

    def __post_init__(self) -> None:
        _positive("lr", self.lr)
        _count("total", self.total)
        if not (0 <= self.lr_min <= self.lr):
            raise ValueError(f"lr_min must be in [0, lr = {self.lr}], got {self.lr_min!r}")

    def __call__(self, t: int) -> float:
        progress = min(_step_number(t) - 1, self.total - 1) / max(self.total - 1, 1)
        return self.lr_min + 0.5 * (self.lr - self.lr_min) * (1 + math.cos(math.pi * progress))


@dataclass(frozen=True)
class WarmUp:
    r"""$\eta_t = \frac{t}{\text{steps}}\,\text{after}(t)$ for the first ``steps`` steps, then
    ``after(t)``: a linear ramp into any schedule (or a constant, when ``after`` is a float)."""

    steps: int
    after: Schedule | float

    def __post_init__(self) -> None:
        _count("steps", self.steps)
        if not callable(self.after):
            _positive("after", self.after)

    def __call__(self, t: int) -> float:
        t = _step_number(t)
        target = self.after(t) if callable(self.after) else float(self.after)
        return target * min(1.0, t / self.steps)


def values(schedule: Schedule, n_steps: int) -> np.ndarray:
    """``[schedule(1), ..., schedule(n_steps)]``, shape (n_steps,), for plots."""
    return np.array([schedule(t) for t in range(1, _count("n_steps", n_steps) + 1)])


class Scheduled(Optimizer):
    """``optimizer`` with its learning rate set by ``schedule`` before each step.

    The wrapped optimiser keeps its own state (``opt.state`` is its state); ``lr`` always
    shows the rate of the most recent step.
    """

    def __init__(self, optimizer: Optimizer, schedule: Schedule) -> None:
        if not isinstance(optimizer, Optimizer) or isinstance(optimizer, Scheduled):
            raise TypeError(f"optimizer must be one of bpcourse.optim's optimisers, got "
                            f"{type(optimizer).__name__}")
        if not callable(schedule):
            raise TypeError(f"schedule must be callable as schedule(t), got "
                            f"{type(schedule).__name__}")
        super().__init__(_positive("first learning rate", schedule(1)))
        self.optimizer = optimizer
        self.schedule = schedule
        self.state = optimizer.state

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        lr = self.schedule(self.t + 1)
        # 0 is allowed here: a cosine schedule ends there, and a step of size 0 is harmless.
        if not (isinstance(lr, (int, float, np.integer, np.floating))
                and math.isfinite(lr) and lr >= 0):
            raise ValueError(f"the schedule gave learning rate {lr!r} at step {self.t + 1}; "
                             f"it must be a finite number >= 0")
        self.optimizer.lr = self.lr = float(lr)
        self.optimizer.step(params, grads)
        self.t = self.optimizer.t

    def __repr__(self) -> str:
        return f"Scheduled({self.optimizer!r}, {self.schedule!r})"
