r"""Notebook 08's experiments: whole training runs on the spiral, with everything kept.

The notebook writes the training loop out once by hand. Its widgets and its bad-run
clinic then need many runs, each with more kept than a bare History: they are
``bpcourse.runs`` runs (``Settings``, ``train_run``, ``cached_run``, ``draw_run``) on the
capstone's spiral, which ``spiral_run`` remembers by their settings.

The losses drawn are data losses without the L2 term, as ``fit`` records them; the loss
of every mini-batch step, the gradient norm of every layer at every step, snapshots of the
parameters and, for a run that blew up, the ``TrainingDiverged`` message all come with the
run. matplotlib is imported inside the drawing functions only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from .. import data
from ..runs import Run, Settings, cached_run, draw_run

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
    per_class = []
    for c in np.unique(y):
        of_c = np.flatnonzero(y == c)
        if len(of_c) < n_per_class:
            raise ValueError(f"class {c} has only {len(of_c)} rows, asked for {n_per_class}")
        per_class.append(of_c[:n_per_class])
    rows = np.concatenate(per_class)
    return X[rows], y[rows]


# -- design choices --------------------------------------------------------------------
def n_params(sizes: Sequence[int]) -> int:
    r"""Number of weights and biases of an MLP: $\sum_l (n_{l-1} + 1)\, n_l$."""
    sizes = list(sizes)
    return sum((n_in + 1) * n_out for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=False))


# -- runs on the spiral ----------------------------------------------------------------
def spiral_run(settings: Settings, snapshot_every: int | None = None) -> Run:
    """``bpcourse.runs.cached_run`` of ``settings`` on the capstone's spiral: the same
    settings give the same (shared, read-only) Run at once."""
    train, val = spiral_split()
    return cached_run(settings, train, val, snapshot_every)


# -- the training console's choices ----------------------------------------------------
CONSOLE_EPOCHS = 40


def console_settings(width: int, depth: int, activation: str, lr: float, l2: float,
                     init: str = "auto") -> Settings:
    """The console's knobs as Settings: ``depth`` hidden layers of ``width`` units, Adam,
    batches of 32, ``CONSOLE_EPOCHS`` epochs. ``init="auto"`` lets the net pick
    (``bpcourse.mlp.default_init``)."""
    if depth < 1:
        raise ValueError(f"depth counts hidden layers and must be >= 1, got {depth}")
    return Settings(hidden=(int(width),) * int(depth), activation=activation, init=init,
                    optimizer="Adam", lr=float(lr), batch_size=32, epochs=CONSOLE_EPOCHS,
                    l2=float(l2))


def console_run(width: int, depth: int, activation: str, lr: float, l2: float,
                init: str = "auto") -> Run:
    """The (cached) run behind one setting of the console's knobs."""
    return spiral_run(console_settings(width, depth, activation, lr, l2, init))


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


def clinic_run(label: str) -> Run:
    """Clinic run ``label`` (cached)."""
    if label not in CLINIC:
        raise ValueError(f"unknown clinic run {label!r}; valid labels: {', '.join(CLINIC)}")
    train, val = clinic_data(label)
    return cached_run(CLINIC[label][0], train, val)


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


# -- the notebook's widgets ------------------------------------------------------------
#: Grid side of the live views' decision regions (draw_run's default is 120): less than
#: half the forward passes, and the same picture at the widget's size.
LIVE_RESOLUTION = 80
#: Fixed margins for the three ``draw_run`` panels on a 15 x 4 inch figure.
RUN_MARGINS = {"left": 0.04, "right": 0.99, "bottom": 0.13, "top": 0.91, "wspace": 0.22}


def replay_explorer(run: Run, X, y):
    """An epoch slider with a Play button above ``draw_run`` of ``run`` (trained with
    ``snapshot_every=1``) as it was after that epoch, regions over ``X, y``."""
    import ipywidgets as widgets

    from ..live import LivePlot

    epochs = run.history.epochs
    slider = widgets.IntSlider(value=0, min=0, max=epochs, description="epoch",
                               continuous_update=False)
    player = widgets.Play(value=0, min=0, max=epochs, step=2, interval=400)
    widgets.jslink((player, "value"), (slider, "value"))

    def draw(axes, epoch: int) -> None:
        draw_run(run, X, y, axes=axes, epoch=epoch, resolution=LIVE_RESOLUTION,
                 title=f"decision regions after epoch {epoch}")

    live = LivePlot(draw, {"epoch": slider}, figsize=(15, 4), grid=(1, 3),
                    margins=RUN_MARGINS)
    live.children = (widgets.HBox([player, slider]), *live.children[1:])
    return live


def console(X, y):
    """The training console: width, depth, activation, init, Adam's learning rate and λ
    above ``draw_run`` of the (cached) ``console_run`` for those knobs, regions over
    ``X, y``; the log axes widened to whole blocks of three decades."""
    import ipywidgets as widgets

    from ..live import LivePlot, snap_log_limits

    def draw(axes, width: int, depth: int, activation: str, init: str, lr: float,
             l2: float) -> None:
        run = console_run(width, depth, activation, lr, l2, init)
        draw_run(run, X, y, axes=axes, resolution=LIVE_RESOLUTION,
                 title=f"{run.net.sizes}, {activation}, {run.net.init} init")
        for ax in axes[1:]:  # whole blocks of decades: runs of similar settings share a frame
            snap_log_limits(ax)

    knobs = {
        "width": widgets.Dropdown(options=[4, 8, 16, 32, 64], value=32, description="width"),
        "depth": widgets.IntSlider(value=2, min=1, max=4, description="depth",
                                   continuous_update=False),
        "activation": widgets.Dropdown(options=ACTIVATION_CHOICES, value="relu",
                                       description="activation"),
        "init": widgets.Dropdown(options=["auto", "he", "xavier", "normal"], value="auto",
                                 description="init"),
        "lr": widgets.SelectionSlider(options=[0.001, 0.003, 0.01, 0.03, 0.1, 0.3], value=0.01,
                                      description="Adam lr", continuous_update=False),
        "l2": widgets.SelectionSlider(options=[0.0, 1e-4, 1e-3, 1e-2, 1e-1], value=0.0,
                                      description="L2 λ", continuous_update=False),
    }
    return LivePlot(draw, knobs, figsize=(15, 4), grid=(1, 3), margins=RUN_MARGINS,
                    rows=[["width", "depth", "activation"], ["init", "lr", "l2"]])
