"""Diagnostics for training: per-layer gradient norms, clipping, and catching NaN/inf."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .trace import split_name

if TYPE_CHECKING:
    from .mlp import MLP
    from .train import History


class TrainingDiverged(FloatingPointError):
    """Training produced NaN or inf; the message names the step, the layer and a likely cause.

    ``fit`` attaches the run so far as ``history`` (None when raised elsewhere).
    """

    history: History | None = None


def grad_norms(grads: dict[str, np.ndarray]) -> dict[str, float]:
    r"""$\lVert \partial L / \partial W^{(l)} \rVert$ (Frobenius) per layer, keyed ``W1``, ...

    Norms that shrink layer after layer towards the input are the signature of vanishing
    gradients; norms that grow, of exploding ones.
    """
    return {k: float(np.linalg.norm(g)) for k, g in grads.items() if k.startswith("W")}


def clip_by_global_norm(grads: dict[str, np.ndarray], max_norm: float) -> float:
    r"""Scale all gradients in place so their joint norm is at most ``max_norm``.

    $g \leftarrow g \cdot \min(1, c / \lVert g \rVert)$: the direction is kept, only an
    oversized step is shortened. Returns the norm before clipping.
    """
    if isinstance(max_norm, bool) or not isinstance(max_norm, (int, float, np.number)) or not (
            np.isfinite(max_norm) and max_norm > 0):
        # max_norm <= 0 would flip or zero every gradient: ascent, or no step at all.
        raise ValueError(f"clip_norm (max_norm) must be a finite number > 0, got {max_norm!r}")
    total = global_norm(grads)
    if total > max_norm:
        for g in grads.values():
            g *= max_norm / total
    return total


def global_norm(grads: dict[str, np.ndarray]) -> float:
    r"""$\sqrt{\sum_k \lVert g_k \rVert^2}$ over all arrays, without overflow.

    Dividing by the largest |entry| m first keeps every square at most 1, so the norm of
    huge (exploding) but finite gradients is finite too: $m \sqrt{\sum (g/m)^2}$.
    """
    m = max((float(np.max(np.abs(g), initial=0.0)) for g in grads.values()), default=0.0)
    if m == 0.0 or not np.isfinite(m):
        return m
    return m * float(np.sqrt(sum(np.sum((g / m) ** 2) for g in grads.values())))


def _gradients_look_finite(net: MLP) -> bool:
    """Fast test run after every step: NaN or inf anywhere upstream reaches the gradients.

    A sum is NaN or inf whenever an entry is, so one reduction per gradient suffices; the
    rare false alarm (a sum that overflows) only sends ``check_finite`` to its full scan.
    """
    t = net.trace
    return all(np.isfinite(t[f"{g}{l}"].sum())
               for l in range(1, net.n_layers + 1) for g in ("dW", "db"))


def _first_non_finite(net: MLP) -> str | None:
    """The first array, in the order the passes computed them, holding NaN or inf."""
    t = net.trace
    for name in t.names():
        if not np.all(np.isfinite(t[name])):
            return name
    for name, p in net.params.items():
        if not np.all(np.isfinite(p)):
            return name
    return None


def check_finite(net: MLP, loss: float, step: int, epoch: int, lr: float | None = None) -> None:
    """Raise TrainingDiverged if the last pass produced NaN or inf anywhere.

    Called after every training step, so training stops at the first bad value
    instead of carrying on with NaN weights.
    """
    if np.isfinite(loss) and _gradients_look_finite(net):
        return
    bad = _first_non_finite(net)
    if bad is None and np.isfinite(loss):
        return
    if bad is None:
        # Every array is finite but the loss is not: squaring or summing the output
        # overflowed, so the output layer is where to look.
        L = net.n_layers
        place = f"the loss, computed from the output A{L} (layer {L}),"
    else:
        place = f"{bad} (layer {split_name(bad)[1]})"
    big = max(float(np.max(np.abs(p[np.isfinite(p)]), initial=0.0))
              for p in net.params.values())
    lr_text = f"the learning rate (lr={lr:g}) is probably too high" if lr else \
        "the step size is probably too high"
    raise TrainingDiverged(
        f"training diverged at step {step} (epoch {epoch}): {place} contains NaN or inf "
        f"(loss = {loss}). Likely cause: {lr_text}, so the weights grew (largest finite "
        f"|weight| = {big:.3g}) until values overflowed. Try a smaller learning rate, "
        "gradient clipping (clip_norm=...), or a smaller initialisation."
    )


def check_fit_arguments(net: MLP, X, Y, loss: str, optimizer, epochs, batch_size, l2,
                        val, clip_norm, on_epoch) -> None:
    """Raise a ValueError naming the first bad argument of ``fit``, before any step runs.

    Each of these used to train anyway and fail later under a misleading name: NaN in X
    as a diverged run blamed on the learning rate, 0 rows as a NaN history, a negative
    ``clip_norm`` as gradient ascent, a negative ``l2`` as a reward for large weights.
    """
    from .data import checked_array
    from .losses import check_loss
    from .mlp import check_l2
    from .optim import Optimizer

    check_loss(loss, net.output)
    if optimizer is not None and not isinstance(optimizer, Optimizer):
        raise ValueError(f"optimizer must be an optimiser such as optim.Adam(0.01), got "
                         f"{type(optimizer).__name__}")
    for name, value, least in (("epochs", epochs, 0), ("batch_size", batch_size, 1)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < least:
            raise ValueError(f"{name} must be a whole number >= {least}, got {value!r}")
    check_l2(l2)
    if clip_norm is not None:
        if isinstance(clip_norm, bool) or not isinstance(clip_norm, (int, float, np.number)) \
                or not (np.isfinite(clip_norm) and clip_norm > 0):
            raise ValueError(f"clip_norm must be a finite number > 0 (or None for no "
                             f"clipping), got {clip_norm!r}")
    if on_epoch is not None and not callable(on_epoch):
        raise ValueError(f"on_epoch must be a function (epoch, history) -> bool, got "
                         f"{type(on_epoch).__name__}")
    sets = [("X", "Y", X, Y)]
    if val is not None:
        if not isinstance(val, (tuple, list)) or len(val) != 2:
            raise ValueError("val must be a pair (X_val, Y_val), got "
                             f"{type(val).__name__}")
        sets.append(("X_val", "Y_val", val[0], val[1]))
    for x_name, y_name, A, B in sets:
        A = checked_array(A, x_name, net.dtype, "inputs of layer 1")
        n_y = len(np.asarray(B)) if np.ndim(B) else 0
        if len(A) == 0:
            raise ValueError(f"{x_name} has no rows (shape {A.shape}): there is nothing to "
                             "train on or measure")
        if len(A) != n_y:
            raise ValueError(f"{x_name} has {len(A)} rows but {y_name} has {n_y}: each row "
                             "needs its target")
        if not np.issubdtype(np.asarray(B).dtype, np.integer):
            checked_array(B, y_name, np.float64, f"targets of the output layer "
                          f"A{net.n_layers}")
