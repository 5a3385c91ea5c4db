r"""Optimisers: each turns gradients into an in-place update of the parameters.

All share ``step(params, grads)`` and keep their per-parameter state in ``state``
(a dict of dicts: ``opt.state["v"]["W1"]``) so a learner can look at it.
"""

from __future__ import annotations

import math

import numpy as np

from .data import is_real


def _rate(value, name: str, low: float = 0.0, high: float = 1.0) -> float:
    """A hyper-parameter in [low, high), or a ValueError naming it."""
    if not is_real(value) or not (
            low <= value < high):
        raise ValueError(f"{name} must lie in [{low:g}, {high:g}), got {value!r}")
    return float(value)


def _non_negative(value, name: str) -> float:
    # eps = 0 is allowed: the lessons use it to show the bare ratio m / sqrt(v).
    if not is_real(value) or not (
            math.isfinite(value) and value >= 0):
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return float(value)


def state_dtype(p: np.ndarray) -> np.dtype:
    """The dtype an optimiser keeps its running averages in: at least float32.

    In float16, eps = 1e-8 rounds to 0 and g² underflows for |g| below about 2.4e-4, so
    Adam's and RMSprop's √v is 0 and the step m/√v is inf by step 2. Mixed-precision
    training keeps such state in float32 for this reason; the parameters stay float16.
    """
    return np.result_type(p.dtype, np.float32)


class Optimizer:
    """Base class: checks the arrays line up, counts steps, holds the state."""

    def __init__(self, lr: float) -> None:
        if not is_real(lr) or not (
                math.isfinite(lr) and lr > 0):
            raise ValueError(f"learning rate must be a finite number > 0, got {lr!r}")
        # Python floats keep a float32 network's update in float32 (a NumPy float64
        # hyper-parameter would make every temporary float64).
        self.lr = float(lr)
        self.t = 0
        self.state: dict[str, dict[str, np.ndarray]] = {}

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        """Update every array in ``params`` in place from the matching gradient."""
        if params.keys() != grads.keys():
            raise ValueError(f"params and grads must have the same names; params has "
                             f"{sorted(params)}, grads has {sorted(grads)}")
        for name, p in params.items():
            g = grads[name]
            if np.shape(g) != p.shape:
                raise ValueError(f"gradient {name} has shape {np.shape(g)}, but the "
                                 f"parameter has shape {p.shape}")
            for slot, arrays in self.state.items():
                if name in arrays and arrays[name].shape != p.shape:
                    # Adding a (3, 4) velocity to a (5, 2) parameter cannot mean anything.
                    raise ValueError(
                        f"this {type(self).__name__} holds state {slot}[{name!r}] of shape "
                        f"{arrays[name].shape} from another network, but parameter {name} "
                        f"now has shape {p.shape}; make a fresh optimiser for each network")
        self.t += 1
        for name, p in params.items():
            self._update(name, p, np.asarray(grads[name]))

    def _slot(self, slot: str, name: str, like: np.ndarray) -> np.ndarray:
        """The state array ``slot`` for parameter ``name``, zeros the first time."""
        arrays = self.state.setdefault(slot, {})
        if name not in arrays:
            arrays[name] = np.zeros(like.shape, dtype=state_dtype(like))
        return arrays[name]

    def _update(self, name: str, p: np.ndarray, g: np.ndarray) -> None:
        raise NotImplementedError

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v}" for k, v in vars(self).items() if k not in ("t", "state"))
        return f"{type(self).__name__}({args})"


class SGD(Optimizer):
    r"""Plain gradient descent: $\theta \leftarrow \theta - \eta\, g$. No state."""

    def _update(self, name, p, g):
        p -= self.lr * g


class Momentum(Optimizer):
    r"""Gradient descent with momentum (heavy ball).

    $v \leftarrow \beta v + g$ (v starts as the first g), $\theta \leftarrow \theta - \eta v$.
    The velocity v averages recent gradients, so steps grow along directions that
    agree from step to step and cancel along directions that oscillate.
    """

    def __init__(self, lr: float, beta: float = 0.9) -> None:
        super().__init__(lr)
        self.beta = _rate(beta, "beta")

    def _update(self, name, p, g):
        velocities = self.state.setdefault("v", {})
        if name in velocities:
            v = velocities[name]
            v *= self.beta
            v += g
        else:
            v = velocities[name] = g.copy()
        p -= self.lr * v


class RMSprop(Optimizer):
    r"""Per-parameter step sizes from a running mean of squared gradients.

    $s \leftarrow \rho s + (1-\rho) g^2$ (s starts at 0),
    $\theta \leftarrow \theta - \eta\, g / (\sqrt{s} + \epsilon)$.
    """

    def __init__(self, lr: float, rho: float = 0.99, eps: float = 1e-8) -> None:
        super().__init__(lr)
        self.rho, self.eps = _rate(rho, "rho"), _non_negative(eps, "eps")

    def _update(self, name, p, g):
        s = self._slot("s", name, p)
        g = g.astype(s.dtype, copy=False)  # g * g in float16 would underflow first
        s *= self.rho
        s += (1 - self.rho) * g * g
        p -= (self.lr * g / (np.sqrt(s) + self.eps)).astype(p.dtype, copy=False)


class Adam(Optimizer):
    r"""Momentum and RMSprop together, with bias correction for the zero start.

    $m \leftarrow \beta_1 m + (1-\beta_1) g$, $v \leftarrow \beta_2 v + (1-\beta_2) g^2$,
    $\hat m = m / (1-\beta_1^t)$, $\hat v = v / (1-\beta_2^t)$,
    $\theta \leftarrow \theta - \eta\, \hat m / (\sqrt{\hat v} + \epsilon)$, t counting steps
    from 1.
    """

    def __init__(self, lr: float, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8) -> None:
        super().__init__(lr)
        self.beta1, self.beta2 = _rate(beta1, "beta1"), _rate(beta2, "beta2")
        self.eps = _non_negative(eps, "eps")

    def _update(self, name, p, g):
        m, v = self._slot("m", name, p), self._slot("v", name, p)
        g = g.astype(m.dtype, copy=False)  # g * g in float16 would underflow first
        m *= self.beta1
        m += (1 - self.beta1) * g
        v *= self.beta2
        v += (1 - self.beta2) * g * g
        m_hat = m / (1 - self.beta1 ** self.t)
        v_hat = v / (1 - self.beta2 ** self.t)
        p -= (self.lr * m_hat / (np.sqrt(v_hat) + self.eps)).astype(p.dtype, copy=False)


OPTIMIZERS = {cls.__name__: cls for cls in (SGD, Momentum, RMSprop, Adam)}


def make_optimizer(name: str, lr: float, **hyper) -> Optimizer:
    """A fresh optimiser by class name (``"SGD"``, ``"Momentum"``, ``"RMSprop"``, ``"Adam"``)."""
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimiser {name!r}; valid names: {', '.join(OPTIMIZERS)}")
    return OPTIMIZERS[name](lr, **hyper)
