r"""Experiments behind notebook 07: one small noisy dataset, one big net, and what L2,
dropout and early stopping do to it.

The set-up is built to overfit: 50 training points of two moons, each label flipped with
probability 0.15, and a $[2, 64, 64, 2]$ ReLU net with about 4 500 parameters trained
full-batch with Adam for 300 epochs. The net has room to learn the flipped labels by
heart, and the validation set (200 fresh points from the same distribution) shows what
that costs.

* ``train_run(l2, dropout)`` trains one net and returns a ``Run``: its ``History``, the
  trained net, the weights at the epoch of lowest validation loss, and weight statistics.
* ``run`` is the same, cached per setting, so a slider that revisits a setting redraws
  at once; ``sweep`` trains a grid of settings up front.
* ``best_epoch`` and ``early_stopping_epoch`` read a ``History`` the way early stopping
  does.
* ``draw_run`` and ``draw_early_stopping`` draw what the notebook's sliders show: loss
  curves, decision regions, a weight histogram, where early stopping stops (matplotlib is
  imported only inside them).

The loss curves record the *data* loss, without the penalty $\tfrac{\lambda}{2}\sum_l
\lVert W^{(l)}\rVert^2$, in eval mode (no dropout): the penalty is part of what training
minimises but says nothing about how well the net predicts, and comparing settings
needs the same yardstick for every λ.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..data import moons
from ..mlp import MLP
from ..optim import Adam
from ..trace import Trace
from ..train import History, fit

#: The λ values and dropout probabilities the notebook's sliders step through.
L2_GRID = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1)
DROPOUT_GRID = (0.0, 0.2, 0.4, 0.6)
LOSS = "cross_entropy"


@dataclass(frozen=True)
class Setup:
    """Everything that defines one experiment except the regularisation itself."""

    n_train: int = 50
    n_val: int = 200
    noise: float = 0.1
    flip: float = 0.15
    sizes: tuple[int, ...] = (2, 64, 64, 2)
    activation: str = "relu"
    lr: float = 0.005
    epochs: int = 300
    data_seed: int = 3
    seed: int = 0


DEFAULT = Setup()


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


def make_data(setup: Setup = DEFAULT):
    """``(X, y, X_val, y_val)``: the training set and a validation set from other seeds."""
    X, y = noisy_moons(setup.n_train, setup.noise, setup.flip, setup.data_seed)
    X_val, y_val = noisy_moons(setup.n_val, setup.noise, setup.flip, setup.data_seed + 1)
    return X, y, X_val, y_val


def weight_stats(params: dict[str, np.ndarray]) -> dict[str, float]:
    r"""Per weight matrix its standard deviation (``std W1`` …) and largest $|w|$
    (``max W1`` …), and ``sum W^2``, the $\sum_l \lVert W^{(l)}\rVert^2$ L2 penalises."""
    stats: dict[str, float] = {}
    names = [k for k in params if k.startswith("W")]
    for k in names:
        stats[f"std {k}"] = float(params[k].std())
        stats[f"max {k}"] = float(np.abs(params[k]).max())
    stats["sum W^2"] = float(sum(np.sum(params[k] ** 2) for k in names))
    return stats


@dataclass
class Run:
    """One trained net with its record: what the sliders display for one setting."""

    l2: float
    dropout: float
    history: History
    net: MLP
    best_params: dict[str, np.ndarray] = field(repr=False)
    stats: dict[str, float] = field(repr=False)

    @property
    def best_epoch(self) -> int:
        """The epoch (from 1) with the lowest validation loss."""
        return best_epoch(self.history)

    @property
    def gap(self) -> float:
        """Generalisation gap at the end: final validation loss minus final train loss."""
        return self.history.val_loss[-1] - self.history.train_loss[-1]

    def best_net(self) -> MLP:
        """A copy of the net with the weights it had at ``best_epoch`` (early stopping).

        The copy keeps everything else of the trained net (activations, init, dtype,
        dropout) and starts with an empty trace.
        """
        net = copy.deepcopy(self.net)
        net.params = {k: v.copy() for k, v in self.best_params.items()}
        net.trace = Trace()
        return net.eval()

    def __repr__(self) -> str:
        h = self.history
        return (f"Run(l2={self.l2:g}, dropout={self.dropout:g}: train loss "
                f"{h.train_loss[-1]:.3f}, val loss {h.val_loss[-1]:.3f}, "
                f"best epoch {self.best_epoch})")


def train_run(l2: float = 0.0, dropout: float = 0.0, setup: Setup = DEFAULT) -> Run:
    """Train a fresh net of ``setup`` with penalty ``l2`` = λ and drop probability ``dropout``.

    Full batch (every epoch is one Adam step on all training points), by ``fit`` with
    seed ``setup.seed``, as are the initial weights and the dropout masks: a setting
    always gives the same run. The weights of the epoch with the lowest validation loss
    are copied as it goes (``on_epoch``), for early stopping.
    """
    if l2 < 0:
        raise ValueError(f"l2 is the penalty's weight λ >= 0, got {l2}")
    X, y, X_val, y_val = make_data(setup)
    net = MLP(list(setup.sizes), activation=setup.activation, output="softmax",
              init="he" if setup.activation == "relu" else "xavier", seed=setup.seed,
              dropout=dropout)
    best: dict[str, np.ndarray] = {}

    def keep_best(epoch: int, history: History) -> None:
        if history.val_loss[-1] < min(history.val_loss[:-1], default=np.inf):
            best.update({k: v.copy() for k, v in net.params.items()})

    history = fit(net, X, y, LOSS, Adam(setup.lr), setup.epochs, batch_size=len(X), l2=l2,
                  val=(X_val, y_val), progress=False, seed=setup.seed, on_epoch=keep_best)
    return Run(l2, dropout, history, net, best, weight_stats(net.params))


_CACHE: dict[tuple[Setup, float, float], Run] = {}


def run(l2: float = 0.0, dropout: float = 0.0, setup: Setup = DEFAULT) -> Run:
    """``train_run`` with a cache: the same setting returns the same Run object at once.

    Treat the result as read-only: it is shared by every later call with that setting.
    """
    key = (setup, float(l2), float(dropout))
    if key not in _CACHE:
        _CACHE[key] = train_run(l2, dropout, setup)
    return _CACHE[key]


def clear_cache() -> None:
    """Forget every cached Run (their nets are freed with them)."""
    _CACHE.clear()


def sweep(l2s: Iterable[float] = (0.0,), dropouts: Iterable[float] = (0.0,),
          setup: Setup = DEFAULT) -> list[Run]:
    """The cached runs for every λ in ``l2s`` combined with every p in ``dropouts``."""
    return [run(l2, p, setup) for l2 in l2s for p in dropouts]


def summary_table(runs: Sequence[Run]) -> str:
    """One line per run: λ, p, final train/val loss, gap, best epoch, val accuracy, ΣW²."""
    head = (f"{'lambda':>7} {'p':>4} {'train':>7} {'val':>7} {'gap':>7} {'best ep':>7} "
            f"{'val acc':>7} {'sum W^2':>8}")
    lines = [head]
    for r in runs:
        h = r.history
        lines.append(f"{r.l2:>7g} {r.dropout:>4g} {h.train_loss[-1]:>7.3f} "
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
def plot_weight_spread(run: Run, reference: Run | None = None, ax=None,
                       weight_range: float = 2.0, bins: int = 41):
    """Histogram of every weight of the net (all layers pooled), on fixed bins.

    The count axis is logarithmic so the few large weights, the ones L2 goes after
    first, stay visible next to the thousands of small ones. ``reference`` is drawn
    filled in grey behind.
    """
    from ..plots import axes_or_new

    ax = axes_or_new(ax, (5, 4))
    edges = np.linspace(-weight_range, weight_range, bins + 1)

    def pooled(r: Run) -> np.ndarray:
        w = np.concatenate([v.ravel() for k, v in r.net.params.items() if k.startswith("W")])
        # Weights outside the range go in the outermost bins rather than vanish.
        return np.clip(w, edges[0], edges[-1])

    if reference is not None:
        ax.hist(pooled(reference), bins=edges, color="0.8",
                label=f"no regularisation (sum W² {reference.stats['sum W^2']:.0f})")
    ax.hist(pooled(run), bins=edges, histtype="step", linewidth=1.8, color="#1f77b4",
            label=f"this run (sum W² {run.stats['sum W^2']:.0f})")
    ax.set_yscale("log")
    ax.set_ylim(0.8, 1e4)
    ax.set_xlim(edges[0], edges[-1])
    ax.set_xlabel("weight value (all layers)")
    ax.set_ylabel("count")
    ax.legend(fontsize="small", loc="upper right")
    ax.set_title("Weights")
    return ax


def draw_run(run: Run, setup: Setup = DEFAULT, reference: Run | None = None, axes=None,
             ylim: tuple[float, float] = (0.0, 1.5)):
    """Three panels for one run: loss curves, decision regions, weight histogram.

    ``reference`` (usually the unregularised run) is drawn in grey behind the run's own
    curves and histogram, so the change a slider makes is visible. Axis limits are
    fixed, so pictures of different settings compare at a glance. The dotted line marks
    the epoch of lowest validation loss. Returns the three Axes.
    """
    import matplotlib.pyplot as plt

    from ..plots import plot_decision_boundary, plot_loss_curves

    if axes is None:
        _, axes = plt.subplots(1, 3, figsize=(14, 4))
    ax_loss, ax_regions, ax_weights = axes
    if reference is run:
        reference = None
    X, y, _, _ = make_data(setup)
    name = f"λ = {run.l2:g}, p = {run.dropout:g}"
    if reference is not None:
        epochs = np.arange(1, reference.history.epochs + 1)
        ax_loss.plot(epochs, reference.history.train_loss, color="0.75", lw=1,
                     label="train, no regularisation")
        ax_loss.plot(epochs, reference.history.val_loss, color="0.55", lw=1, ls="--",
                     label="val, no regularisation")
    plot_loss_curves(run.history, ax=ax_loss, title=f"Loss ({name})")
    ax_loss.axvline(run.best_epoch, color="black", lw=0.8, ls=":")
    ax_loss.set_ylim(*ylim)
    ax_loss.legend(fontsize="small", loc="upper left")
    plot_decision_boundary(run.net, X, y, ax=ax_regions, resolution=120,
                           title=f"Regions, training points ({name})")
    plot_weight_spread(run, reference, ax=ax_weights)
    return axes


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
