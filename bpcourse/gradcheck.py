r"""Gradient checking: compare backprop's gradients with central differences.

For each parameter entry $\theta_i$:
$$\frac{\partial L}{\partial \theta_i} \approx
\frac{L(\theta_i + \varepsilon) - L(\theta_i - \varepsilon)}{2\varepsilon},$$
whose error shrinks like $\varepsilon^2$. Per parameter array the report gives the
relative error $\lVert g_{bp} - g_{fd}\rVert / (\lVert g_{bp}\rVert + \lVert g_{fd}\rVert)$.

A correct backward pass leaves an error of rounding size (around $10^{-9}$ here), whose
digits depend on the machine, its BLAS library and the library versions, so the printed
report shows a passing array as under the tolerance (``below 1e-07``) and keeps the exact
numbers in ``report.errors``. A failing array shows its error to one significant figure: a
real bug's error is large and does not depend on the last digits. A gradient with NaN or inf
in it fails, whatever the other side holds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np


@dataclass
class GradCheckReport:
    """Relative error per parameter array, and whether each is under the tolerance."""

    errors: dict[str, float]
    tol: float
    backprop: dict[str, np.ndarray] = field(repr=False)
    numeric: dict[str, np.ndarray] = field(repr=False)

    @property
    def passed(self) -> bool:
        return all(e < self.tol for e in self.errors.values())

    def failed(self) -> list[str]:
        """Names of the arrays whose gradient disagrees with finite differences."""
        return [k for k, e in self.errors.items() if not e < self.tol]

    def __bool__(self) -> bool:
        return self.passed

    def describe(self, name: str) -> str:
        """The error of array ``name`` as the report prints it: ``below 1e-07`` when it
        passes, else one significant figure (``3e-01``), or ``not finite``."""
        e = self.errors[name]
        if not math.isfinite(e):
            return "not finite"
        return f"below {self.tol:.0e}" if e < self.tol else f"{e:.0e}"

    def __repr__(self) -> str:
        lines = [f"{'param':<6} {'shape':<10} {'rel. error':>12}  result"]
        for k, e in self.errors.items():
            verdict = "ok" if e < self.tol else "FAIL"
            lines.append(f"{k:<6} {str(self.backprop[k].shape):<10} {self.describe(k):>12}  "
                         f"{verdict}")
        failed = self.failed()
        summary = ("PASSED" if not failed else
                   f"FAILED for {', '.join(failed)}: the backward pass disagrees "
                   "with finite differences there")
        not_finite = [k for k in failed if not math.isfinite(self.errors[k])]
        if not_finite:
            summary += f"; NaN or inf in the gradient of {', '.join(not_finite)}"
        lines.append(f"{summary} (tolerance {self.tol:.0e})")
        return "\n".join(lines)


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """‖a − b‖ / (‖a‖ + ‖b‖), 0 when both are exactly zero, inf when either holds NaN or inf.

    A non-finite gradient can never pass a check: its error is infinite (not NaN, which
    ``max`` and some comparisons silently pass over).
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return math.inf
    # Scale both by the same power of two (exact), so that the squares inside the norms
    # neither overflow for huge entries nor underflow for tiny ones.
    top = max(float(np.max(np.abs(a), initial=0.0)), float(np.max(np.abs(b), initial=0.0)))
    if top == 0.0:
        return 0.0
    shift = -math.frexp(top)[1]
    a, b = np.ldexp(a, shift), np.ldexp(b, shift)
    return float(np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b)))


def numeric_gradients(loss_of_params, params: dict[str, np.ndarray], eps: float = 1e-6):
    """Central differences of the scalar ``loss_of_params()`` for every entry of params.

    Each entry is nudged in place and put back exactly as it was.
    """
    numeric = {}
    for name, p in params.items():
        g = np.zeros_like(p, dtype=np.float64)
        for i in np.ndindex(p.shape):
            old = p[i]
            p[i] = old + eps
            up = loss_of_params()
            p[i] = old - eps
            down = loss_of_params()
            p[i] = old
            g[i] = (up - down) / (2 * eps)
        numeric[name] = g
    return numeric


def gradient_check(net, X, Y, loss: str = "mse", l2: float = 0.0, eps: float = 1e-6,
                   tol: float = 1e-7, grads: dict[str, np.ndarray] | None = None,
                   l1: float = 0.0) -> GradCheckReport:
    """Check ``net.loss_and_gradients`` (or given ``grads``) against central differences.

    Pass ``grads`` to check a backward pass of your own. With dropout, every loss
    evaluation draws the same mask (the net's random state is reset before each), so the
    check sees one fixed function of the parameters. With ``l1``, keep every weight
    further than ``eps`` from 0: |w| has a kink there, which central differences straddle.
    """
    for name, value in (("eps", eps), ("tol", tol)):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or not (
                math.isfinite(value) and value > 0):
            raise ValueError(f"gradient_check: {name} must be a finite number > 0, got "
                             f"{value!r}")
    if net.dtype != np.float64:
        raise ValueError(
            f"gradient_check needs a float64 network, this one is {net.dtype}: its rounding "
            "(about 1e-7) swamps the central differences; build it with dtype=np.float64"
        )
    rng_state, trace = net.rng.bit_generator.state, net.trace

    def loss_of_params() -> float:
        net.rng.bit_generator.state = rng_state
        return net.loss(X, Y, loss=loss, l2=l2, l1=l1)

    try:
        if grads is None:
            net.rng.bit_generator.state = rng_state
            _, grads = net.loss_and_gradients(X, Y, loss=loss, l2=l2, l1=l1)
            trace = net.trace
        _check_like_params(grads, net.params)
        numeric = numeric_gradients(loss_of_params, net.params, eps)
    finally:
        # The nudged evaluations must not leave their traces or draws behind: afterwards
        # the net looks as if only the (analytic) pass had run.
        net.rng.bit_generator.state, net.trace = rng_state, trace
    errors = {k: relative_error(grads[k], numeric[k]) for k in net.params}
    return GradCheckReport(errors, tol, dict(grads), numeric)


def _check_like_params(grads: dict[str, np.ndarray], params: dict[str, np.ndarray]) -> None:
    """Gradients must name every parameter and match its shape exactly (no broadcasting)."""
    if set(grads) != set(params):
        raise ValueError(f"grads must have exactly the keys of params {sorted(params)}; "
                         f"missing {sorted(set(params) - set(grads))}, "
                         f"extra {sorted(set(grads) - set(params))}")
    for k, p in params.items():
        if np.shape(grads[k]) != p.shape:
            raise ValueError(f"grads[{k!r}] has shape {np.shape(grads[k])} but params[{k!r}] "
                             f"has shape {p.shape}")
