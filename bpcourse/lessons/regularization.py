r"""Experiments behind notebook 07: one small noisy dataset, one big net, and what L2,
dropout and early stopping do to it.

The set-up is built to overfit: 50 training points of two moons, each label flipped with
probability 0.15, and a $[2, 64, 64, 2]$ ReLU net with about 4 500 parameters trained
full-batch with Adam for 300 epochs. The net has room to learn the flipped labels by
heart, and the validation set (200 fresh points from the same distribution) shows what
that costs.

* ``run(l2, dropout)`` trains one net (``bpcourse.runs.cached_run``, keeping the weights
  of the epoch of lowest validation loss) and returns its ``Run``, cached per setting, so
  a slider that revisits a setting redraws at once; ``sweep`` trains a grid of settings.
* ``best_epoch`` and ``early_stopping_epoch`` read a ``History`` the way early stopping
  does.
* ``l2_explorer``, ``dropout_explorer`` and ``patience_explorer`` build the notebook's
  widgets; ``draw_early_stopping`` draws where early stopping stops (matplotlib is
  imported only inside the drawing functions).

The loss curves record the *data* loss, without the penalty $\tfrac{\lambda}{2}\sum_l
\lVert W^{(l)}\rVert^2$, in eval mode (no dropout): the penalty is part of what training
minimises but says nothing about how well the net predicts, and comparing settings
needs the same yardstick for every λ.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from ..data import moons
from ..runs import Run, Settings, cached_run
from ..train import History

#: The λ values and dropout probabilities the notebook's sliders step through.
L2_GRID = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1)
DROPOUT_GRID = (0.0, 0.2, 0.4, 0.6)
LOSS = "cross_entropy"
#: The data: few noisy training points, a larger validation set from the next seed.
MOONS = {"n_train": 50, "n_val": 200, "noise": 0.1, "flip": 0.15, "seed": 3}
#: Everything else of the experiment: a big ReLU net, full-batch Adam for 300 epochs.
DEFAULT = Settings(hidden=(64, 64), activation="relu", optimizer="Adam", lr=0.005,
                   batch_size=None, epochs=300)
#: What the widgets and the notebook draw for one run.
PANELS = ("loss", "regions", "weights")


def noisy_moons(n: int, noise: float = 0.1, flip: float = 0.15,
                seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two moons whose labels are each flipped with probability ``flip``.

    Flipped labels are noise no input feature can explain: a net that classifies every
    training point correctly has learnt them by heart, which is overfitting in its
    plainest form.
    """
    if not 0.0 <= flip < 0.5:
        raise ValueError(f"flip is a probability below 0.5, got {flip}")
    X, y = moons(n, noise, seed=seed)
    # A separate stream, so the points stay the same whatever the flip rate.
    flipped = np.random.default_rng(seed + 10_000).random(n) < flip
    return X, np.where(flipped, 1 - y, y)


def make_data(**overrides):
    """``(X, y), (X_val, y_val)``: the training set of ``MOONS`` (changed by
    ``overrides``) and a validation set drawn from the next seed."""
    d = {**MOONS, **overrides}
    train = noisy_moons(d["n_train"], d["noise"], d["flip"], d["seed"])
    return train, noisy_moons(d["n_val"], d["noise"], d["flip"], d["seed"] + 1)


def run(l2: float = 0.0, dropout: float = 0.0, settings: Settings = DEFAULT, **data) -> Run:
    """The run of ``settings`` with penalty ``l2`` = λ and drop probability ``dropout``, on
    ``make_data(**data)``: cached, so the same setting returns the same Run at once.

    Full batch (every epoch is one Adam step on all training points), seeded by
    ``settings.seed``, as are the initial weights and the dropout masks: a setting always
    gives the same run. The weights of the epoch with the lowest validation loss are kept
    for early stopping (``Run.best_net``). Treat the Run as read-only: it is shared.
    """
    train, val = make_data(**data)
    return cached_run(settings.replace(l2=float(l2), dropout=float(dropout)), train, val,
                      keep_best=True)


def sweep(l2s: Iterable[float] = (0.0,), dropouts: Iterable[float] = (0.0,),
          settings: Settings = DEFAULT, **data) -> list[Run]:
    """The cached runs for every λ in ``l2s`` combined with every p in ``dropouts``."""
    return [run(l2, p, settings, **data) for l2 in l2s for p in dropouts]


def summary_table(runs: Sequence[Run]) -> str:
    """One line per run: λ, p, final train/val loss, gap, best epoch, val accuracy, ΣW²."""
    head = (f"{'lambda':>7} {'p':>4} {'train':>7} {'val':>7} {'gap':>7} {'best ep':>7} "
            f"{'val acc':>7} {'sum W^2':>8}")
    lines = [head]
    for r in runs:
        h = r.history
        lines.append(f"{r.settings.l2:>7g} {r.settings.dropout:>4g} {h.train_loss[-1]:>7.3f} "
                     f"{h.val_loss[-1]:>7.3f} {r.gap:>7.3f} {r.best_epoch:>7d} "
                     f"{h.val_acc[-1]:>7.3f} {r.stats['sum W^2']:>8.1f}")
    return "\n".join(lines)


# -- reading a History the way early stopping does ----------------------------------------
def generalisation_gap(history: History) -> np.ndarray:
    """Validation loss minus training loss, epoch by epoch."""
    return np.asarray(history.val_loss) - np.asarray(history.train_loss)


def best_epoch(history: History) -> int:
    """The epoch, counted from 1, with the lowest validation loss (the first, on a tie)."""
    if not history.val_loss:
        raise ValueError("best_epoch needs a History with validation losses")
    return int(np.argmin(history.val_loss)) + 1


def early_stopping_epoch(history: History, patience: int) -> tuple[int, int]:
    """Replay early stopping with ``patience`` on the validation losses of ``history``.

    Training stops after the first epoch that ends ``patience`` epochs without a new
    lowest validation loss (or at the last epoch). Returns ``(stop, best)``: the epoch it
    stops at and the epoch whose weights it keeps, both counted from 1.
    """
    if patience < 1:
        raise ValueError(f"patience must be >= 1 epoch, got {patience}")
    if not history.val_loss:
        raise ValueError("early_stopping_epoch needs a History with validation losses")
    best, lowest = 1, history.val_loss[0]
    for epoch, value in enumerate(history.val_loss[1:], start=2):
        if value < lowest:
            best, lowest = epoch, value
        elif epoch - best >= patience:
            return epoch, best
    return len(history.val_loss), best


# -- what the sliders draw ----------------------------------------------------------------
def draw_early_stopping(history: History, patience: int, ax=None):
    """The validation curve as early stopping with ``patience`` sees it.

    Epochs after the stop are greyed out (they are never trained); a solid line marks the
    epoch whose weights are kept, a dashed one the epoch where training stops.
    """
    from ..plots import axes_or_new, plot_loss_curves

    stop, keep = early_stopping_epoch(history, patience)
    ax = plot_loss_curves(history, axes_or_new(ax, (7, 3.5)),
                          title=f"Early stopping with patience {patience}")
    last = len(history.val_loss)
    if stop < last:
        ax.axvspan(stop, last, color="0.9", label="never trained")
    ax.axvline(keep, color="black", lw=1, label=f"kept: epoch {keep}")
    ax.axvline(stop, color="black", lw=1, ls="--", label=f"stopped: epoch {stop}")
    ax.legend(fontsize="small", loc="upper left")
    return ax


def draw_setting(r: Run, reference: Run | None = None, axes=None, resolution: int = 120):
    """Loss curves, decision regions over the training points and the weight histogram of
    one run (``bpcourse.runs.draw_run`` with ``PANELS``), on fixed axis limits so pictures
    of different settings compare at a glance. ``reference`` (usually the unregularised
    run) is drawn in grey behind; a dotted line marks the epoch of lowest validation loss.
    ``resolution`` is the side of the grid the regions are computed on. Returns the three
    Axes."""
    from ..runs import draw_run

    (X, y), _ = make_data()
    name = f"λ = {r.settings.l2:g}, p = {r.settings.dropout:g}"
    if axes is None:
        import matplotlib.pyplot as plt
        _, axes = plt.subplots(1, 3, figsize=(14, 4))
    return draw_run(r, X, y, PANELS, axes, reference=reference, log=False, step_loss=False,
                    resolution=resolution,
                    ylim=(0.0, 1.5), loss_title=f"Loss ({name})",
                    title=f"Regions, training points ({name})",
                    reference_label="no regularisation")


# -- the notebook's widgets -----------------------------------------------------------------
#: Grid side of the live views' decision regions: coarser than the static 120, less than
#: half the forward passes, and the same picture at the widget's size.
LIVE_RESOLUTION = 80
#: Fixed margins for the three panels of ``draw_setting`` on a 14 x 4 inch figure.
SETTING_MARGINS = {"left": 0.05, "right": 0.98, "bottom": 0.13, "top": 0.92, "wspace": 0.22}


def _setting_explorer(knob: str, grid: Sequence[float], value: float, label: str,
                      reference: Run | None):
    import ipywidgets as widgets

    from ..live import LivePlot

    reference = reference if reference is not None else run()
    slider = widgets.SelectionSlider(options=list(grid), value=value, description=label,
                                     continuous_update=False)

    def draw(axes, setting: float) -> None:
        chosen = run(l2=setting) if knob == "l2" else run(dropout=setting)
        draw_setting(chosen, reference, axes, resolution=LIVE_RESOLUTION)

    return LivePlot(draw, {"setting": slider}, figsize=(14, 4), grid=(1, 3),
                    margins=SETTING_MARGINS)


def l2_explorer(reference: Run | None = None):
    """A λ slider over ``L2_GRID`` above ``draw_setting`` of that run (the unregularised
    run in grey behind). Runs come from the cache; ``sweep`` fills it up front."""
    return _setting_explorer("l2", L2_GRID, 0.01, "λ", reference)


def dropout_explorer(reference: Run | None = None):
    """A dropout-probability slider over ``DROPOUT_GRID``, drawn as ``l2_explorer``."""
    return _setting_explorer("dropout", DROPOUT_GRID, 0.4, "p", reference)


def patience_explorer(history: History):
    """A patience slider above ``draw_early_stopping`` of ``history``."""
    import ipywidgets as widgets

    from ..live import LivePlot

    def draw(ax, patience: int) -> None:
        draw_early_stopping(history, patience, ax).set_ylim(0, 1.5)

    slider = widgets.IntSlider(value=20, min=1, max=100, description="patience",
                               continuous_update=False)
    return LivePlot(draw, {"patience": slider}, figsize=(7, 3.5), grid=(1, 1),
                    margins={"left": 0.09, "right": 0.97, "bottom": 0.14, "top": 0.9})


# -- data augmentation ---------------------------------------------------------------------
def augment(X: np.ndarray, y: np.ndarray, sigma: float, copies: int,
            rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """The training points followed by ``copies`` jittered copies of each: every copy moved by
    fresh Gaussian noise of standard deviation ``sigma``, its label kept.

    A copy says "a point this close to a training point has the same class", which is what
    a smooth boundary assumes; the net can no longer fence off one point with a tiny island.
    Call it again every epoch, so the net never sees the same jitter twice.

    Shapes: X (N, d), y (N,) -> X_aug (N * (1 + copies), d), y_aug (N * (1 + copies),).
    """
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    if X.ndim != 2 or y.shape != (len(X),):
        raise ValueError(f"augment needs X of shape (N, d) and y of shape (N,), got "
                         f"{X.shape} and {y.shape}")
    if isinstance(copies, bool) or not isinstance(copies, (int, np.integer)) or copies < 0:
        raise ValueError(f"copies must be a whole number >= 0, got {copies!r}")
    if not (np.isfinite(sigma) and sigma >= 0):
        raise ValueError(f"sigma must be a finite number >= 0, got {sigma!r}")
    jitter = rng.normal(0.0, sigma, size=(int(copies), *X.shape))
    X_aug = np.concatenate([X, (X[None] + jitter).reshape(-1, X.shape[1])])
    return X_aug, np.tile(y, int(copies) + 1)


def augmented_run(sigma: float, copies: int = 4, settings: Settings = DEFAULT,
                  seed: int = 0) -> History:
    """Train ``settings``' net on ``make_data()`` with fresh ``augment`` copies every epoch.

    Full batch, as ``run``: each epoch is one optimiser step on the training points and
    their jittered copies. The recorded losses and accuracies are measured on the original
    training points and on the validation set (eval mode), so they compare with ``run``'s.
    """
    from ..train import accuracy

    (X, y), (X_val, y_val) = make_data()
    net, optimizer = settings.make_net(X.shape[1], 2), settings.make_optimizer()
    rng = np.random.default_rng(seed)
    history = History()
    for _ in range(settings.epochs):
        X_aug, y_aug = augment(X, y, sigma, copies, rng)
        net.train()
        value, grads = net.loss_and_gradients(X_aug, y_aug, loss=LOSS, l2=settings.l2,
                                              l1=settings.l1)
        optimizer.step(net.params, grads)
        history.step_loss.append(value)
        history.steps += 1
        net.eval()
        history.train_loss.append(net.loss(X, y, loss=LOSS))
        history.val_loss.append(net.loss(X_val, y_val, loss=LOSS))
        history.train_acc.append(accuracy(net, X, y))
        history.val_acc.append(accuracy(net, X_val, y_val))
    return history
