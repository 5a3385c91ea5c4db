r"""One record of a training run, for every lesson that trains nets and shows the result.

* ``Settings``: every design choice of a run (layers, activation, initialisation, output,
  optimiser, learning rate, batch size, epochs, L2, dropout, clipping, shuffling, seed) in
  one immutable, hashable value.
* ``train_run(settings, train, val)``: ``fit`` with those settings, keeping the history
  of a run that blew up (and, on request, snapshots and the best epoch's weights); it
  returns a ``Run``: the settings, the trained net and its ``History``.
* ``cached_run``: the same, remembered by settings and data, so a widget that comes back
  to a choice shows it at once.
* ``draw_run``: the pictures of a run, panel by panel: decision regions, loss curves,
  weights, gradient norms per layer.

The losses in a History are data losses, without the L2 term
$\frac{\lambda}{2}\sum_l \lVert W^{(l)}\rVert^2$ (as ``fit`` records them), so runs with
different $\lambda$ compare on the same quantity; ``Run.step_loss`` is the penalised loss
each step minimised. matplotlib is imported inside the drawing functions only.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .activations import OUTPUTS
from .mlp import MLP
from .optim import OPTIMIZERS, Optimizer, make_optimizer
from .trace import Trace
from .train import History, fit

#: The loss each output layer is trained with.
LOSSES = {"softmax": "cross_entropy", "sigmoid": "binary_cross_entropy", "identity": "mse"}
#: The panels ``draw_run`` can draw.
PANELS = ("regions", "loss", "weights", "grad_norms")

Data = tuple[np.ndarray, np.ndarray]


@dataclass(frozen=True)
class Settings:
    """Every design choice of one run. Immutable and hashable, so runs cache by it.

    The net is ``[n_in, *hidden, n_out]`` with ``activation`` in every hidden layer and
    ``output`` on top, trained on the loss ``LOSSES[output]``. ``init="auto"`` lets the
    net pick (``bpcourse.mlp.default_init``); ``batch_size=None`` is full-batch training.
    """

    hidden: tuple[int, ...] = (32, 32)
    activation: str = "relu"
    init: str | float = "auto"
    output: str = "softmax"
    optimizer: str = "Adam"
    lr: float = 0.01
    batch_size: int | None = 32
    epochs: int = 100
    l2: float = 0.0
    l1: float = 0.0
    dropout: float = 0.0
    clip_norm: float | None = None
    shuffle: bool = True
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
        if self.output not in OUTPUTS:
            raise ValueError(f"unknown output {self.output!r}; valid names: "
                             f"{', '.join(OUTPUTS)}")
        if not self.lr > 0:
            raise ValueError(f"the learning rate must be > 0, got {self.lr}")
        if (self.batch_size is not None and self.batch_size < 1) or self.epochs < 1:
            raise ValueError(f"batch_size (or None) and epochs must be >= 1, got "
                             f"{self.batch_size} and {self.epochs}")
        if self.l2 < 0:
            raise ValueError(f"l2 must be >= 0, got {self.l2}")
        if not self.l1 >= 0:  # written so that NaN fails too
            raise ValueError(f"l1 must be >= 0, got {self.l1}")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout is a probability 0 <= p < 1, got {self.dropout}")
        if self.clip_norm is not None and not self.clip_norm > 0:
            raise ValueError(f"clip_norm must be > 0 (or None for no clipping), "
                             f"got {self.clip_norm}")

    @property
    def loss(self) -> str:
        return LOSSES[self.output]

    def sizes(self, n_in: int = 2, n_out: int = 2) -> list[int]:
        """Layer widths ``[n_0, n_1, ..., n_L]``, inputs and outputs included."""
        return [n_in, *self.hidden, n_out]

    def make_net(self, n_in: int = 2, n_out: int = 2) -> MLP:
        """A freshly initialised network with these settings (the same one every time)."""
        return MLP(self.sizes(n_in, n_out), activation=self.activation, output=self.output,
                   init=self.init, seed=self.seed, dropout=self.dropout)

    def make_optimizer(self) -> Optimizer:
        return make_optimizer(self.optimizer, self.lr)

    def replace(self, **changes) -> Settings:
        """A copy with some choices changed: ``settings.replace(lr=0.1)``."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> Settings:
        return cls(**d)


def changed_settings(settings: Settings, base: Settings) -> dict[str, object]:
    """The choices in which ``settings`` differs from ``base``: ``{name: new value}``."""
    return {f.name: getattr(settings, f.name) for f in dataclasses.fields(Settings)
            if getattr(settings, f.name) != getattr(base, f.name)}


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


# -- one run ---------------------------------------------------------------------------
@dataclass
class Run:
    """What one training run did: its settings, the trained net and fit's History."""

    settings: Settings
    net: MLP
    history: History
    steps_per_epoch: int = 0

    @property
    def step_loss(self) -> list[float]:
        """Each step's batch loss, as the optimiser saw it (with the L2 term)."""
        return self.history.step_loss

    @property
    def diverged(self) -> str | None:
        """The ``TrainingDiverged`` message if the run blew up, else None."""
        return self.history.diverged

    @property
    def snapshots(self) -> dict[int, dict[str, np.ndarray]]:
        return self.history.snapshots

    @property
    def best_epoch(self) -> int:
        """The epoch (from 1) with the lowest validation loss (the first, on a tie)."""
        if self.history.best_epoch is not None:
            return self.history.best_epoch
        if not self.history.val_loss:
            raise ValueError("best_epoch needs a run with validation losses")
        return int(np.argmin(self.history.val_loss)) + 1

    @property
    def gap(self) -> float:
        """Generalisation gap at the end: final validation loss minus final train loss."""
        return self.history.val_loss[-1] - self.history.train_loss[-1]

    @property
    def stats(self) -> dict[str, float]:
        """``weight_stats`` of the trained net."""
        return weight_stats(self.net.params)

    def _net_with(self, params: dict[str, np.ndarray]) -> MLP:
        # A copy keeps everything else of the trained net (activations, init, dtype,
        # dropout); it starts with an empty trace, in eval mode.
        net = copy.deepcopy(self.net)
        net.params = {k: v.copy() for k, v in params.items()}
        net.trace = Trace()
        return net.eval()

    def net_at(self, epoch: int) -> MLP:
        """The network as it was after ``epoch`` epochs (0: as initialised).

        Uses the latest snapshot at or before ``epoch``.
        """
        saved = [e for e in self.snapshots if e <= epoch]
        if not saved:
            raise ValueError(f"no snapshot at or before epoch {epoch}; saved epochs: "
                             f"{sorted(self.snapshots)}")
        return self._net_with(self.snapshots[max(saved)])

    def best_net(self) -> MLP:
        """A copy of the net with the weights of ``best_epoch`` (early stopping); needs a
        run trained with ``keep_best``."""
        if not self.history.best_params:
            raise ValueError("this run kept no best weights; train it with keep_best=True")
        return self._net_with(self.history.best_params)

    def summary(self) -> str:
        """One line: epochs run and final accuracies (or losses), or where it diverged."""
        h = self.history
        if self.diverged:
            return f"diverged after {h.epochs} full epochs ({h.steps} steps)"
        if h.val_acc and h.val_acc[-1] is not None and h.train_acc[-1] is not None:
            return (f"{h.epochs} epochs: train acc {h.train_acc[-1]:.3f}, "
                    f"val acc {h.val_acc[-1]:.3f}, val loss {h.val_loss[-1]:.3f}")
        return f"{h.epochs} epochs: train loss {h.train_loss[-1]:.4g}"

    def __repr__(self) -> str:
        changed = changed_settings(self.settings, Settings())
        choices = ", ".join(f"{k}={v!r}" for k, v in changed.items())
        return f"Run({choices}: {self.summary()})"


def _n_out(settings: Settings, Y: np.ndarray, val: Data | None) -> int:
    """Output units: one per class for softmax labels, else the targets' columns."""
    if Y.ndim == 2:
        return Y.shape[1]
    if settings.output == "softmax":
        top = Y.max() if val is None else max(Y.max(), np.max(val[1]))
        return int(top) + 1
    return 1


def train_run(settings: Settings, train: Data, val: Data | None = None,
              snapshot_every: int | None = None, keep_best: bool = False) -> Run:
    """Train a fresh net from ``settings`` on ``train = (X, Y)``, measuring on ``val``.

    This is ``fit`` with those settings and seed, step for step. A step that produces NaN
    or inf ends the run: ``Run.diverged`` then holds the detector's message, the history
    runs up to the last good step and the net keeps its last parameters.
    ``snapshot_every`` and ``keep_best`` are passed on to ``fit``.
    """
    X, Y = np.asarray(train[0]), np.asarray(train[1])
    net = settings.make_net(X.shape[1], _n_out(settings, Y, val))
    batch_size = settings.batch_size or len(X)
    history = fit(net, X, Y, settings.loss, settings.make_optimizer(), settings.epochs,
                  batch_size, l2=settings.l2, val=val, progress=False, seed=settings.seed,
                  clip_norm=settings.clip_norm, shuffle=settings.shuffle,
                  snapshot_every=snapshot_every, keep_best=keep_best,
                  stop_on_divergence=True, l1=settings.l1)
    return Run(settings, net, history, steps_per_epoch=-(-len(X) // batch_size))


# -- the cache -------------------------------------------------------------------------
_CACHE: OrderedDict[tuple, Run] = OrderedDict()
#: Runs kept before the least recently used one is dropped.
CACHE_SIZE = 128


def _fingerprint(data: Data | None) -> str | None:
    """A digest of the arrays' shapes, types and bytes: equal data, equal key."""
    if data is None:
        return None
    digest = hashlib.blake2b(digest_size=16)
    for a in data:
        a = np.ascontiguousarray(a)
        digest.update(f"{a.shape}{a.dtype}".encode())
        digest.update(a.tobytes())
    return digest.hexdigest()


def cached_run(settings: Settings, train: Data, val: Data | None = None,
               snapshot_every: int | None = None, keep_best: bool = False) -> Run:
    """``train_run``, remembered by the settings, the data and what is kept.

    The same arguments give the same Run object at once. The Run is shared: read it, do
    not train its net further.
    """
    key = (settings, _fingerprint(train), _fingerprint(val), snapshot_every, keep_best)
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    run = _CACHE[key] = train_run(settings, train, val, snapshot_every, keep_best)
    if len(_CACHE) > CACHE_SIZE:
        _CACHE.popitem(last=False)
    return run


def clear_cache() -> None:
    """Forget every cached Run (their nets are freed with them)."""
    _CACHE.clear()


# -- pictures --------------------------------------------------------------------------
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


def draw_regions(run: Run, X, y, ax, epoch: int | None = None, resolution: int = 120,
                 title: str | None = None) -> None:
    """Decision regions of the trained net (or of the net after ``epoch``, from snapshots)
    over the points ``X, y``."""
    from .plots import plot_decision_boundary

    net = run.net if epoch is None else run.net_at(epoch)
    with np.errstate(over="ignore", invalid="ignore"):
        plot_decision_boundary(net, X, y, ax=ax, resolution=resolution,
                               title=title or "decision regions")
    ax.get_legend().remove()


def draw_losses(run: Run, ax, epoch: int | None = None, reference: Run | None = None,
                log: bool = True, step_loss: bool = True, ylim=None,
                title: str | None = None, reference_label: str = "reference") -> None:
    """Data loss per epoch, train and validation, with what else the run has to show.

    ``step_loss`` adds the faint loss of each mini-batch step; ``reference`` the grey
    curves of another run behind; a dotted line marks the best epoch of a run that kept
    it, a red dashed one where a run blew up, a black one ``epoch``.
    """
    from .plots import cap_log_axis, plot_loss_curves

    h, per = run.history, max(run.steps_per_epoch, 1)
    if reference is not None and reference is not run:
        epochs = np.arange(1, reference.history.epochs + 1)
        ax.plot(epochs, reference.history.train_loss, color="0.75", lw=1,
                label=f"train, {reference_label}")
        ax.plot(epochs, reference.history.val_loss, color="0.55", lw=1, ls="--",
                label=f"val, {reference_label}")
    if step_loss:
        steps = np.arange(1, len(run.step_loss) + 1) / per
        ax.plot(steps, run.step_loss, color="0.75", linewidth=0.8,
                label="batch loss (each step)")
    plot_loss_curves(h, ax, title=title or run.summary(), log=log)
    if h.best_epoch is not None:
        ax.axvline(h.best_epoch, color="black", lw=0.8, ls=":")
    if run.diverged:
        ax.axvline(len(run.step_loss) / per, color="#d62728", linestyle="--",
                   label="NaN/inf: stopped")
    if epoch is not None:
        ax.axvline(epoch, color="black", linewidth=0.8)
    if log:
        cap_log_axis(ax, (run.step_loss if step_loss else []) + h.train_loss + h.val_loss)
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.title.set_fontsize("small")
    # Fixed corners: "best" would test every point of the step-loss line at each draw.
    ax.legend(fontsize="x-small", loc="upper right" if log else "upper left")


def draw_weights(run: Run, ax, reference: Run | None = None, weight_range: float = 2.0,
                 bins: int = 41, reference_label: str = "reference") -> None:
    """Histogram of every weight of the net (all layers pooled), on fixed bins.

    The count axis is logarithmic so the few large weights, the ones L2 goes after
    first, stay visible next to the thousands of small ones. ``reference`` is drawn
    filled in grey behind.
    """
    edges = np.linspace(-weight_range, weight_range, bins + 1)

    def pooled(r: Run) -> np.ndarray:
        w = np.concatenate([v.ravel() for k, v in r.net.params.items() if k.startswith("W")])
        # Weights outside the range go in the outermost bins rather than vanish.
        return np.clip(w, edges[0], edges[-1])

    if reference is not None:
        ax.hist(pooled(reference), bins=edges, color="0.8",
                label=f"{reference_label} (sum W² {reference.stats['sum W^2']:.0f})")
    ax.hist(pooled(run), bins=edges, histtype="step", linewidth=1.8, color="#1f77b4",
            label=f"this run (sum W² {run.stats['sum W^2']:.0f})")
    ax.set_yscale("log")
    ax.set_ylim(0.8, 1e4)
    ax.set_xlim(edges[0], edges[-1])
    ax.set_xlabel("weight value (all layers)")
    ax.set_ylabel("count")
    ax.legend(fontsize="small", loc="upper right")
    ax.set_title("Weights")


def draw_grad_norms(run: Run, ax) -> None:
    """Each layer's gradient norm per step (or per epoch, for long runs), log scale."""
    from .plots import cap_log_axis, plot_grad_norms

    if not run.history.grad_norms.get("W1"):
        return
    norms, unit = grad_norm_series(run)
    plot_grad_norms(norms, ax=ax, title=f"gradient norm per layer, per {unit}")
    ax.set_xlabel(unit)
    cap_log_axis(ax, np.concatenate(list(norms.values())))
    ax.legend(title="layer", fontsize="x-small", title_fontsize="x-small",
              ncol=3 if len(norms) > 4 else 1)


def draw_run(run: Run, X=None, y=None, panels: Sequence[str] = ("regions", "loss", "grad_norms"),
             axes=None, epoch: int | None = None, reference: Run | None = None,
             resolution: int = 120, title: str | None = None, loss_title: str | None = None,
             log: bool = True, step_loss: bool = True, ylim=None,
             reference_label: str = "reference"):
    """The pictures of one run, one panel per name in ``panels`` (see ``PANELS``).

    ``regions`` (needs the points ``X, y``) draws the decision regions, titled ``title``;
    ``loss`` the loss curves (``draw_losses``, titled ``loss_title`` or the run's summary);
    ``weights`` the weight histogram; ``grad_norms`` the gradient norms per layer.
    ``epoch`` (needs snapshots) draws the regions as they were after that epoch and marks
    it on the loss panel; ``reference`` (usually the unregularised run) is drawn in grey
    behind the loss curves and the histogram, labelled ``reference_label``. Returns the
    Axes, one per panel.
    """
    unknown = [p for p in panels if p not in PANELS]
    if unknown:
        raise ValueError(f"unknown panels {unknown}; valid names: {', '.join(PANELS)}")
    if axes is None:
        import matplotlib.pyplot as plt
        _, axes = plt.subplots(1, len(panels), figsize=(5 * len(panels), 4), squeeze=False)
        axes = axes[0]
    if reference is run:
        reference = None
    for ax, panel in zip(axes, panels, strict=True):
        if panel == "regions":
            if X is None or y is None:
                raise ValueError("the regions panel needs the points X, y to draw over")
            draw_regions(run, X, y, ax, epoch, resolution, title)
        elif panel == "loss":
            draw_losses(run, ax, epoch, reference, log, step_loss, ylim, loss_title,
                        reference_label)
        elif panel == "weights":
            draw_weights(run, ax, reference, reference_label=reference_label)
        else:
            draw_grad_norms(run, ax)
    return axes
