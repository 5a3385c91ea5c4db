"""The training loop: epochs of shuffled mini-batches, with a history of what happened."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from .data import minibatches
from .diagnostics import (
    TrainingDiverged,
    check_finite,
    check_fit_arguments,
    clip_by_global_norm,
    grad_norms,
)
from .optim import SGD, Optimizer

if TYPE_CHECKING:
    from .mlp import MLP


def accuracy(net: MLP, X, Y) -> float | None:
    """Share of rows classified correctly (eval mode), or None for a regression output."""
    if net.output == "identity":
        return None
    pred = net.predict(X)
    return float(np.mean(pred == labels(Y)))


def labels(Y) -> np.ndarray:
    """Class labels from targets: one-hot rows become their column, a column becomes a vector."""
    Y = np.asarray(Y)
    if Y.ndim == 2 and Y.shape[1] > 1:
        return Y.argmax(axis=1)
    return Y.reshape(-1) if Y.ndim == 2 else Y


@dataclass
class History:
    """Per-epoch losses and accuracies; per-step batch losses and gradient norms of each layer.

    ``step_loss`` is the loss of each mini-batch as the optimiser saw it (with the L2
    penalty, if any); ``train_loss``/``val_loss`` are data losses on the whole sets.
    What ``fit`` was asked to keep besides: ``snapshots`` (epoch -> copies of the
    parameters), ``best_epoch`` and ``best_params`` (lowest validation loss so far), and
    ``diverged``, the ``TrainingDiverged`` message of a run that stopped on NaN/inf.
    """

    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    train_acc: list[float | None] = field(default_factory=list)
    val_acc: list[float | None] = field(default_factory=list)
    grad_norms: dict[str, list[float]] = field(default_factory=dict)
    step_loss: list[float] = field(default_factory=list)
    epoch_seconds: list[float] = field(default_factory=list)
    steps: int = 0
    best_epoch: int | None = None
    diverged: str | None = None
    # Arrays compare element by element, so they are left out of ==.
    snapshots: dict[int, dict[str, np.ndarray]] = field(default_factory=dict, repr=False,
                                                        compare=False)
    best_params: dict[str, np.ndarray] = field(default_factory=dict, repr=False,
                                               compare=False)

    @property
    def epochs(self) -> int:
        return len(self.train_loss)

    def to_dict(self) -> dict:
        """Plain Python data (arrays become nested lists), for JSON and the like."""
        d = asdict(self)
        d["snapshots"] = {e: _lists(p) for e, p in self.snapshots.items()}
        d["best_params"] = _lists(self.best_params)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> History:
        d = dict(d)
        d["snapshots"] = {int(e): _arrays(p) for e, p in d.get("snapshots", {}).items()}
        d["best_params"] = _arrays(d.get("best_params", {}))
        return cls(**d)

    def __repr__(self) -> str:
        if not self.train_loss:
            return "History(no epochs yet)"
        parts = [f"epochs={self.epochs}", f"steps={self.steps}",
                 f"train_loss={self.train_loss[-1]:.4g}"]
        if self.val_loss:
            parts.append(f"val_loss={self.val_loss[-1]:.4g}")
        if self.train_acc and self.train_acc[-1] is not None:
            parts.append(f"train_acc={self.train_acc[-1]:.3f}")
        if self.val_acc and self.val_acc[-1] is not None:
            parts.append(f"val_acc={self.val_acc[-1]:.3f}")
        if self.diverged:
            parts.append("diverged")
        return f"History({', '.join(parts)})"


def _lists(params: dict[str, np.ndarray]) -> dict[str, list]:
    return {k: np.asarray(v).tolist() for k, v in params.items()}


def _arrays(params: dict[str, list]) -> dict[str, np.ndarray]:
    return {k: np.asarray(v) for k, v in params.items()}


def _evaluate(net: MLP, X, Y, loss: str) -> tuple[float, float | None]:
    """Data loss (no L2 penalty) and accuracy on a whole set, in eval mode (no dropout)."""
    with net.evaluating():
        value = net.loss(X, Y, loss=loss)
        if net.output == "identity":
            return value, None
        # The loss pass already computed the outputs: decide from them, no second pass.
        pred = net.decide(net.trace[f"A{net.n_layers}"])
        return value, float(np.mean(pred == labels(Y)))


def _progress_bar(epochs: int, enabled: bool):
    if not enabled:
        return None
    # tqdm.auto draws a widget bar in a notebook and a text bar in a terminal.
    from tqdm.auto import tqdm
    return tqdm(total=epochs, unit="epoch", leave=True)


def fit(net: MLP, X, Y, loss: str = "mse", optimizer: Optimizer | None = None, epochs: int = 10,
        batch_size: int = 32, l2: float = 0.0, val=None, progress: bool = True,
        seed: int = 0, clip_norm: float | None = None,
        on_epoch: Callable[[int, History], bool | None] | None = None, shuffle: bool = True,
        snapshot_every: int | None = None, keep_best: bool = False,
        stop_on_divergence: bool = False, l1: float = 0.0) -> History:
    """Train ``net`` in place by mini-batch gradient descent and return its History.

    Each epoch shuffles the rows (from ``seed``, so runs repeat exactly), takes one
    optimiser step per batch, then records train (and ``val=(X_val, Y_val)``) loss and
    accuracy measured in eval mode. The recorded losses are the data loss alone, without
    the L2 (``l2``) and L1 (``l1``) penalties that training minimises, so runs with
    different penalties compare fairly.
    Every step records each layer's gradient norm and checks for NaN/inf, stopping with
    ``TrainingDiverged`` at the first one.
    ``clip_norm`` clips the gradients' global norm before each step. ``on_epoch(epoch,
    history)`` runs after each epoch is recorded; returning True stops training there
    (early stopping). On divergence the error carries the history up to the last good
    step as ``error.history``. The net is left in eval mode, ready for predictions; call
    ``net.train()`` before training it by hand.

    What CS231n's ``Solver`` keeps, on request: ``shuffle=False`` takes the rows in their
    stored order every epoch; ``snapshot_every=k`` copies the parameters into
    ``history.snapshots`` before training (epoch 0), after every k-th epoch and after the
    last; ``keep_best`` copies them into ``history.best_params`` whenever the validation
    loss (the training loss without ``val``) reaches a new low, noting ``best_epoch``;
    ``stop_on_divergence`` ends training at the first NaN/inf and returns the history up
    to the last good step, with the error's message in ``history.diverged``, instead of
    raising.
    """
    check_fit_arguments(net, X, Y, loss, optimizer, epochs, batch_size, l2, val, clip_norm,
                        on_epoch)
    from .mlp import check_l1  # here, not at the top: mlp is imported for type hints only

    check_l1(l1)
    optimizer = optimizer or SGD(0.1)
    X, Y = np.asarray(X), np.asarray(Y)
    rng = np.random.default_rng(seed)
    if snapshot_every is not None and snapshot_every < 1:
        raise ValueError(f"snapshot_every counts epochs and must be >= 1, got {snapshot_every}")
    history = History(grad_norms={f"W{l}": [] for l in range(1, net.n_layers + 1)})
    if snapshot_every is not None:
        history.snapshots[0] = _copy(net.params)
    bar = _progress_bar(epochs, progress)
    net.train()
    try:
        for epoch in range(1, epochs + 1):
            start = time.perf_counter()
            for Xb, Yb in minibatches(X, Y, batch_size, shuffle=shuffle, rng=rng):
                history.steps += 1
                # Overflow is caught below with a message naming the step and layer, which
                # says more than NumPy's warnings would.
                with np.errstate(over="ignore", invalid="ignore"):
                    value, grads = net.loss_and_gradients(Xb, Yb, loss=loss, l2=l2, l1=l1)
                    check_finite(net, value, history.steps, epoch, optimizer.lr)
                    history.step_loss.append(value)
                    for k, v in grad_norms(grads).items():
                        history.grad_norms[k].append(v)
                    if clip_norm is not None:
                        clip_by_global_norm(grads, clip_norm)
                    optimizer.step(net.params, grads)
            history.epoch_seconds.append(time.perf_counter() - start)
            _record_epoch(history, net, X, Y, loss, val)
            _keep(history, net, epoch, epochs, snapshot_every, keep_best)
            if bar is not None:
                bar.update(1)
                bar.set_postfix(loss=f"{history.train_loss[-1]:.4g}")
            if on_epoch is not None and on_epoch(epoch, history):
                break
    except TrainingDiverged as error:
        error.history = history
        if not stop_on_divergence:
            raise
        history.diverged = str(error)
    finally:
        if bar is not None:
            bar.close()
        net.eval()
    return history


def _copy(params: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {k: v.copy() for k, v in params.items()}


def _keep(history: History, net: MLP, epoch: int, epochs: int, snapshot_every: int | None,
          keep_best: bool) -> None:
    """The copies fit was asked for, after ``epoch`` has been recorded."""
    if snapshot_every is not None and (epoch % snapshot_every == 0 or epoch == epochs):
        history.snapshots[epoch] = _copy(net.params)
    if keep_best:
        watched = history.val_loss or history.train_loss
        # Strictly lower: on a tie the earlier epoch stays the best.
        if watched[-1] < min(watched[:-1], default=np.inf):
            history.best_epoch, history.best_params = epoch, _copy(net.params)


def _record_epoch(history: History, net: MLP, X, Y, loss: str, val) -> None:
    with np.errstate(over="ignore", invalid="ignore"):
        tl, ta = _evaluate(net, X, Y, loss)
        history.train_loss.append(tl)
        history.train_acc.append(ta)
        if val is not None:
            vl, va = _evaluate(net, val[0], val[1], loss)
            history.val_loss.append(vl)
            history.val_acc.append(va)
