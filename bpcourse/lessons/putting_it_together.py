r"""Notebook 08's experiments: whole training runs on the spiral, with everything kept.

The notebook writes the training loop out once by hand. Its widgets and its bad-run
clinic then need many runs, each with more kept than ``fit``'s History, so this module
trains with ``fit`` (copying the weights from its ``on_epoch`` hook, keeping the history
of a run that blew up) and stores what the pictures need:

* the data loss per epoch, train and validation: the mean cross-entropy **without** the
  L2 term $\frac{\lambda}{2}\sum_l \lVert W^{(l)} \rVert^2$ (as ``fit`` records it), so
  runs with different $\lambda$ are compared on the same quantity;
* the loss of every mini-batch step (the penalised objective the step minimises), and
  $\lVert \partial L / \partial W^{(l)} \rVert$ of every layer at every step;
* copies of the parameters at chosen epochs, to replay how the decision regions formed;
* for a run that blew up, the ``TrainingDiverged`` message and everything up to that step.

``Settings`` bundles the design choices (width, depth, activation, initialisation,
optimiser, learning rate, batch size, epochs, L2) into one hashable value, so finished
runs can be cached by their settings and a widget can show them again at once.
matplotlib is imported inside the drawing functions only.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from .. import data
from ..diagnostics import TrainingDiverged
from ..mlp import MLP
from ..optim import OPTIMIZERS, Optimizer, make_optimizer
from ..train import History, fit

LOSS = "cross_entropy"
#: The capstone's data set: four spiral arms, each winding once round the centre.
SPIRAL = {"k": 4, "n_per_class": 100, "noise": 0.2, "turns": 1.0, "seed": 0}
VAL_FRACTION = 0.25
ACTIVATION_CHOICES = ("relu", "leaky_relu", "tanh", "sigmoid")

Split = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


# -- data ------------------------------------------------------------------------------
def spiral_split(**overrides) -> Split:
    """The capstone's spiral (``SPIRAL``, changed by ``overrides``), split train/validation.

    Returns ``(X_train, y_train), (X_val, y_val)``; a quarter of the points are held out.
    """
    X, y = data.spiral(**{**SPIRAL, **overrides})
    return data.train_val_split(X, y, VAL_FRACTION, seed=0)


def per_class_subset(X, y, n_per_class: int) -> tuple[np.ndarray, np.ndarray]:
    """The first ``n_per_class`` rows of each class, classes in order: a tiny, balanced set."""
    X, y = np.asarray(X), np.asarray(y)
    rows = []
    for c in np.unique(y):
        of_c = np.flatnonzero(y == c)
        if len(of_c) < n_per_class:
            raise ValueError(f"class {c} has only {len(of_c)} rows, asked for {n_per_class}")
        rows.append(of_c[:n_per_class])
    rows = np.concatenate(rows)
    return X[rows], y[rows]


# -- design choices --------------------------------------------------------------------
@dataclass(frozen=True)
class Settings:
    """Every design choice of one run. Immutable and hashable, so runs cache by it.

    The net is ``[n_in, *hidden, n_classes]`` with ``activation`` in every hidden layer,
    a softmax output and the cross-entropy loss.
    """

    hidden: tuple[int, ...] = (32, 32)
    activation: str = "relu"
    init: str | float = "he"
    optimizer: str = "Adam"
    lr: float = 0.01
    batch_size: int = 32
    epochs: int = 100
    l2: float = 0.0
    seed: int = 0

    def __post_init__(self) -> None:
        hidden = (self.hidden,) if isinstance(self.hidden, int) else tuple(self.hidden)
        if not hidden or min(hidden) < 1:
            raise ValueError(f"hidden lists the widths of the hidden layers, at least one "
                             f"positive number; got {self.hidden!r}")
        object.__setattr__(self, "hidden", tuple(int(n) for n in hidden))
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {self.optimizer!r}; valid names: "
                             f"{', '.join(OPTIMIZERS)}")
        if not self.lr > 0:
            raise ValueError(f"the learning rate must be > 0, got {self.lr}")
        if self.batch_size < 1 or self.epochs < 1:
            raise ValueError(f"batch_size and epochs must be >= 1, got {self.batch_size} "
                             f"and {self.epochs}")
        if self.l2 < 0:
            raise ValueError(f"l2 must be >= 0, got {self.l2}")

    def sizes(self, n_in: int = 2, n_out: int = SPIRAL["k"]) -> list[int]:
        """Layer widths ``[n_0, n_1, ..., n_L]``, inputs and outputs included."""
        return [n_in, *self.hidden, n_out]

    def make_net(self, n_in: int = 2, n_out: int = SPIRAL["k"]) -> MLP:
        """A freshly initialised network with these settings (the same one every time)."""
        return MLP(self.sizes(n_in, n_out), activation=self.activation, output="softmax",
                   init=self.init, seed=self.seed)

    def make_optimizer(self) -> Optimizer:
        return make_optimizer(self.optimizer, self.lr)

    def replace(self, **changes) -> Settings:
        """A copy with some choices changed: ``settings.replace(lr=0.1)``."""
        return dataclasses.replace(self, **changes)


def n_params(sizes: Sequence[int]) -> int:
    r"""Number of weights and biases of an MLP: $\sum_l (n_{l-1} + 1)\, n_l$."""
    sizes = list(sizes)
    return sum((n_in + 1) * n_out for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=False))


# -- one run ---------------------------------------------------------------------------
@dataclass
class Run:
    """What one training run did. ``history`` holds data losses (no L2 term), see above."""

    settings: Settings
    net: MLP
    history: History
    snapshots: dict[int, dict[str, np.ndarray]] = field(default_factory=dict)
    diverged: str | None = None
    steps_per_epoch: int = 0

    @property
    def step_loss(self) -> list[float]:
        """Each step's batch loss, as the optimiser saw it (with the L2 term)."""
        return self.history.step_loss

    def net_at(self, epoch: int) -> MLP:
        """The network as it was after ``epoch`` epochs (0: as initialised).

        Uses the latest snapshot at or before ``epoch``.
        """
        saved = [e for e in self.snapshots if e <= epoch]
        if not saved:
            raise ValueError(f"no snapshot at or before epoch {epoch}; saved epochs: "
                             f"{sorted(self.snapshots)}")
        net = self.settings.make_net(self.net.sizes[0], self.net.sizes[-1])
        for name, value in self.snapshots[max(saved)].items():
            net.params[name][...] = value
        return net.eval()

    def summary(self) -> str:
        """One line: epochs run and final accuracies, or where it diverged."""
        h = self.history
        if self.diverged:
            return f"diverged after {h.epochs} full epochs ({h.steps} steps)"
        return (f"{h.epochs} epochs: train acc {h.train_acc[-1]:.3f}, "
                f"val acc {h.val_acc[-1]:.3f}, val loss {h.val_loss[-1]:.3f}")


def train_run(settings: Settings, train, val, snapshot_every: int | None = None) -> Run:
    """Train a fresh net from ``settings`` on ``train = (X, y)``, measuring on ``val``.

    This is ``fit`` with those settings and seed. Parameters are copied after every
    ``snapshot_every``-th epoch (and at epoch 0 and the last epoch) when it is given. A
    step that produces NaN or inf ends the run: ``diverged`` then holds the detector's
    message, the history runs up to the last good step and the net keeps its last
    parameters.
    """
    X, y = np.asarray(train[0]), np.asarray(train[1])
    net = settings.make_net(X.shape[1], int(max(y.max(), np.max(val[1]))) + 1)
    run = Run(settings, net, History(), steps_per_epoch=-(-len(X) // settings.batch_size))

    def snapshot(epoch: int, history: History | None = None) -> None:
        if snapshot_every is not None and (epoch % snapshot_every == 0
                                           or epoch == settings.epochs):
            run.snapshots[epoch] = {k: v.copy() for k, v in net.params.items()}

    snapshot(0)
    try:
        run.history = fit(net, X, y, LOSS, settings.make_optimizer(), settings.epochs,
                          settings.batch_size, l2=settings.l2, val=val, progress=False,
                          seed=settings.seed, on_epoch=snapshot)
    except TrainingDiverged as err:
        run.history, run.diverged = err.history, str(err)
    return run


@functools.lru_cache(maxsize=64)
def cached_run(settings: Settings, snapshot_every: int | None = None) -> Run:
    """``train_run`` on the capstone's spiral, remembered by its settings.

    The same settings give the same run, so a widget that comes back to a choice shows
    it at once. The returned Run is shared: read it, do not train its net further.
    """
    train, val = spiral_split()
    return train_run(settings, train, val, snapshot_every)


# -- the training console's choices ----------------------------------------------------
CONSOLE_EPOCHS = 40


def default_init(activation: str) -> str:
    """He for the ReLU family (half the units are off), Xavier for sigmoid and tanh."""
    return "he" if activation in ("relu", "leaky_relu") else "xavier"


def console_settings(width: int, depth: int, activation: str, lr: float, l2: float,
                     init: str = "auto") -> Settings:
    """The console's knobs as Settings: ``depth`` hidden layers of ``width`` units, Adam,
    batches of 32, ``CONSOLE_EPOCHS`` epochs. ``init="auto"`` picks ``default_init``."""
    if depth < 1:
        raise ValueError(f"depth counts hidden layers and must be >= 1, got {depth}")
    return Settings(hidden=(int(width),) * int(depth), activation=activation,
                    init=default_init(activation) if init == "auto" else init,
                    optimizer="Adam", lr=float(lr), batch_size=32, epochs=CONSOLE_EPOCHS,
                    l2=float(l2))


def console_run(width: int, depth: int, activation: str, lr: float, l2: float,
                init: str = "auto") -> Run:
    """The (cached) run behind one setting of the console's knobs."""
    return cached_run(console_settings(width, depth, activation, lr, l2, init))


# -- the bad-run clinic ----------------------------------------------------------------
#: A plain, sound set-up; each clinic run breaks one thing about it.
CLINIC_BASE = Settings(hidden=(32, 32), activation="leaky_relu", init="he",
                       optimizer="Momentum", lr=0.05, batch_size=32, epochs=60)
#: label -> (settings, rows per class of training data, or None for the whole set).
#: The labels are in no particular order: the learner diagnoses each from its plots.
CLINIC: dict[str, tuple[Settings, int | None]] = {
    "healthy": (CLINIC_BASE, None),
    "A": (CLINIC_BASE.replace(hidden=(64,) * 8, activation="sigmoid", init="normal"), None),
    "B": (CLINIC_BASE.replace(lr=3.0), None),
    "C": (CLINIC_BASE.replace(hidden=(128, 128), epochs=200), 8),
}


def clinic_data(label: str) -> Split:
    """The training and validation sets clinic run ``label`` uses."""
    train, val = spiral_split()
    per_class = CLINIC[label][1]
    return (per_class_subset(*train, per_class) if per_class else train), val


@functools.lru_cache(maxsize=8)
def clinic_run(label: str) -> Run:
    """Clinic run ``label`` (cached)."""
    if label not in CLINIC:
        raise ValueError(f"unknown clinic run {label!r}; valid labels: {', '.join(CLINIC)}")
    train, val = clinic_data(label)
    return train_run(CLINIC[label][0], train, val)


def changed_settings(settings: Settings, base: Settings = CLINIC_BASE) -> dict[str, object]:
    """The choices in which ``settings`` differs from ``base``: ``{name: new value}``."""
    return {f.name: getattr(settings, f.name) for f in dataclasses.fields(Settings)
            if getattr(settings, f.name) != getattr(base, f.name)}


# -- cost and memory of backprop -------------------------------------------------------
def multiply_adds(sizes: Sequence[int], n: int) -> dict[str, int]:
    r"""Multiply-adds in the matrix products of one pass over a batch of ``n`` rows.

    Forward: $Z^{(l)} = A^{(l-1)} W^{(l)}$ costs $n\, n_{l-1} n_l$ per layer. Backward:
    $\partial L/\partial W^{(l)} = A^{(l-1)\top}\delta^{(l)}$ costs the same, and so does
    $\delta^{(l)} W^{(l)\top}$, needed for every layer but the first. Elementwise work
    ($f$, $f'$, biases) is of lower order and left out.
    """
    sizes = list(sizes)
    per_layer = [n * a * b for a, b in zip(sizes[:-1], sizes[1:], strict=False)]
    backward = 2 * sum(per_layer) - per_layer[0]
    return {"forward": sum(per_layer), "backward": backward}


def cached_floats(sizes: Sequence[int], n: int) -> int:
    r"""Numbers the forward pass keeps for the backward pass on a batch of ``n`` rows:
    the input $A^{(0)}$ and every $Z^{(l)}$ and $A^{(l)}$, i.e.
    $n\,(n_0 + 2\sum_{l \ge 1} n_l)$."""
    sizes = list(sizes)
    return n * (sizes[0] + 2 * sum(sizes[1:]))


# -- pictures --------------------------------------------------------------------------
def draw_run(run: Run, X, y, axes=None, epoch: int | None = None, resolution: int = 120,
             title: str | None = None):
    """Three panels for one run: decision regions, loss curves, gradient norms per layer.

    ``epoch`` (needs snapshots) draws the regions as they were after that epoch and marks
    it on the loss panel. The loss panel shows the data loss per epoch (train and
    validation) over the faint loss of each mini-batch step. Returns the three Axes.
    """
    import matplotlib.pyplot as plt

    from ..plots import cap_log_axis, plot_decision_boundary, plot_grad_norms
    if axes is None:
        _, axes = plt.subplots(1, 3, figsize=(15, 4))
    ax_regions, ax_loss, ax_norms = axes
    net = run.net if epoch is None else run.net_at(epoch)
    with np.errstate(over="ignore", invalid="ignore"):
        plot_decision_boundary(net, X, y, ax=ax_regions, resolution=resolution,
                               title=title or "decision regions")
    ax_regions.get_legend().remove()
    _draw_losses(run, ax_loss, epoch)
    if run.history.grad_norms.get("W1"):
        norms, unit = grad_norm_series(run)
        plot_grad_norms(norms, ax=ax_norms, title=f"gradient norm per layer, per {unit}")
        ax_norms.set_xlabel(unit)
        cap_log_axis(ax_norms, np.concatenate(list(norms.values())))
        ax_norms.legend(title="layer", fontsize="x-small", title_fontsize="x-small",
                        ncol=3 if len(norms) > 4 else 1)
    return axes


def grad_norm_series(run: Run, max_points: int = 120) -> tuple[dict[str, np.ndarray], str]:
    """Each layer's gradient norms to draw, and whether they are per ``"step"`` or ``"epoch"``.

    Runs with more than ``max_points`` steps are summarised by the mean of each epoch, which
    keeps the trend visible under the step-to-step noise. Values that overflowed to inf
    become NaN, which a log axis leaves out instead of failing on.
    """
    norms = {k: np.asarray(v, dtype=float) for k, v in run.history.grad_norms.items()}
    norms = {k: np.where(np.isfinite(v), v, np.nan) for k, v in norms.items()}
    per, steps = run.steps_per_epoch, len(norms["W1"])
    if steps <= max_points or per <= 1 or steps % per:
        return norms, "step"
    return {k: v.reshape(-1, per).mean(axis=1) for k, v in norms.items()}, "epoch"


def _draw_losses(run: Run, ax, epoch: int | None) -> None:
    from ..plots import cap_log_axis, plot_loss_curves

    h, per = run.history, max(run.steps_per_epoch, 1)
    steps = np.arange(1, len(run.step_loss) + 1) / per
    ax.plot(steps, run.step_loss, color="0.75", linewidth=0.8, label="batch loss (each step)")
    plot_loss_curves(h, ax, title=run.summary(), log=True)
    if run.diverged:
        ax.axvline(len(run.step_loss) / per, color="#d62728", linestyle="--",
                   label="NaN/inf: stopped")
    if epoch is not None:
        ax.axvline(epoch, color="black", linewidth=0.8)
    cap_log_axis(ax, run.step_loss + h.train_loss + h.val_loss)
    ax.set_ylabel("cross-entropy (log scale)")
    ax.title.set_fontsize("small")
    ax.legend(fontsize="x-small")


def draw_clinic(runs: Mapping[str, Run], data_of: Mapping[str, Split], resolution: int = 100):
    """One row of ``draw_run`` panels per clinic run, regions drawn over the training data."""
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(len(runs), 3, figsize=(13, 3.2 * len(runs)), squeeze=False)
    for row, (label, run) in zip(axes, runs.items(), strict=True):
        (X, y), _ = data_of[label]
        draw_run(run, X, y, axes=row, resolution=resolution,
                 title=f"run {label}: regions (training points)")
    fig.tight_layout()
    return fig
