r"""Epochs, iterations and batches: the experiments behind notebook 05.

With N training rows and batch size B, one epoch (one pass over every row) takes

$$\text{steps per epoch} = \left\lceil N / B \right\rceil$$

optimiser steps, the last batch holding the $N - B(\lceil N/B\rceil - 1)$ rows left over.

Every loss in this course is the *mean* over the batch, so the gradient of a batch
$\mathcal{B}$ is the mean of the per-example gradients $g_n = \nabla_\theta \ell_n$:

$$g_{\mathcal B} = \frac1B \sum_{n \in \mathcal B} g_n,\qquad
\bar g = \frac1N \sum_{n=1}^{N} g_n \ \text{(the full-batch gradient).}$$

A batch drawn at random is an unbiased estimate of $\bar g$. Its noise, the mean squared
deviation, falls like $1/B$; drawing the B rows without replacement from N adds the
finite-population factor that takes it to exactly 0 at $B = N$:

$$\mathbb E\,\lVert g_{\mathcal B} - \bar g\rVert^2 = \frac{S}{B}\cdot\frac{N-B}{N-1},\qquad
S = \frac1N\sum_{n=1}^{N}\lVert g_n - \bar g\rVert^2 .$$

Gradients are handled here as flat vectors with one entry per parameter: the arrays of
``net.params`` laid end to end in their order (W1, b1, W2, b2, ...). matplotlib is
imported inside the drawing functions only, so importing this module stays light.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..mlp import MLP
from ..optim import SGD
from ..runs import Settings, cached_run
from ..train import History, fit


# -- the arithmetic of an epoch ------------------------------------------------------------
def _check_sizes(n: int, batch_size: int) -> None:
    if n < 1:
        raise ValueError(f"the training set needs at least one row, got N={n}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")


def steps_per_epoch(n: int, batch_size: int, drop_last: bool = False) -> int:
    r"""Optimiser steps (iterations) in one epoch of n rows: $\lceil n/B \rceil$.

    With ``drop_last`` the incomplete last batch is skipped: $\lfloor n/B \rfloor$
    (refused when B > n, as no batch would be left).

    >>> steps_per_epoch(1000, 64), steps_per_epoch(1000, 64, drop_last=True)
    (16, 15)
    """
    _check_sizes(n, batch_size)
    if drop_last:
        if batch_size > n:
            raise ValueError(f"drop_last with batch_size={batch_size} > N={n} leaves no batch")
        return n // batch_size
    return -(-n // batch_size)  # ceil without floats


def batch_sizes(n: int, batch_size: int, drop_last: bool = False) -> list[int]:
    """The size of every batch of one epoch, in order: full batches, then the remainder.

    >>> batch_sizes(10, 4)
    [4, 4, 2]
    """
    steps_per_epoch(n, batch_size, drop_last)  # validates the sizes
    full, rest = divmod(n, batch_size)
    last = [rest] if rest and not drop_last else []
    return [batch_size] * full + last


def total_steps(n: int, batch_size: int, epochs: int, drop_last: bool = False) -> int:
    """Optimiser steps in ``epochs`` epochs: each epoch ends with its own smaller batch."""
    if epochs < 0:
        raise ValueError(f"epochs must be >= 0, got {epochs}")
    return epochs * steps_per_epoch(n, batch_size, drop_last)


# -- runs to compare ------------------------------------------------------------------------
def compare_batch_sizes(make_net: Callable[[], MLP], X, Y, epochs: Mapping[int, int],
                        lr: float, loss: str = "mse", seed: int = 0) -> dict[int, History]:
    """``fit`` one fresh ``make_net()`` per batch size (same start, same lr): B -> History.

    ``epochs`` maps each batch size to its number of epochs, so runs can be given similar
    amounts of compute (an epoch of B=1 costs far more than one of B=N).
    ``History.epoch_seconds`` holds the training time of every epoch, for loss against
    seconds of compute as well as against epochs.
    """
    return {int(B): fit(make_net(), X, Y, loss=loss, optimizer=SGD(lr), epochs=int(E),
                        batch_size=int(B), progress=False, seed=seed)
            for B, E in epochs.items()}


def seconds_per_epoch(make_net: Callable[[], MLP], X, Y, sizes: Sequence[int],
                      loss: str = "mse", lr: float = 0.1, repeats: int = 3,
                      seed: int = 0) -> dict[int, float]:
    """Wall-clock seconds of one training epoch for each batch size: B -> seconds.

    The fastest of ``repeats`` epochs is kept, since other programs can only slow a run
    down. Timings differ between machines and between runs; only their pattern repeats.
    """
    # fit times the steps of each epoch alone, without the evaluation that follows them.
    return {int(B): float(min(fit(make_net(), X, Y, loss=loss, optimizer=SGD(lr),
                                  epochs=repeats, batch_size=int(B), progress=False,
                                  seed=seed).epoch_seconds))
            for B in sizes}


# -- gradients as vectors ------------------------------------------------------------------
def flatten(grads: Mapping[str, np.ndarray]) -> np.ndarray:
    """All gradient arrays laid end to end as one vector, in the dict's order."""
    return np.concatenate([np.ravel(g) for g in grads.values()])


def per_example_gradients(net, X, Y, loss: str = "mse") -> np.ndarray:
    r"""The (N, P) matrix whose row n is $g_n$, the gradient of the loss on row n alone.

    Their mean over the rows is the full-batch gradient $\bar g$, because the loss is a
    mean. One backward pass per row: slow for big N, clear for small N.
    """
    X, Y = np.asarray(X), np.asarray(Y)
    return np.stack([flatten(net.loss_and_gradients(X[n:n + 1], Y[n:n + 1], loss=loss)[1])
                     for n in range(len(X))])


def full_gradient(net, X, Y, loss: str = "mse") -> np.ndarray:
    r"""$\bar g$: the gradient of the mean loss over all rows, from one backward pass."""
    return flatten(net.loss_and_gradients(X, Y, loss=loss)[1])


def sample_batches(n: int, batch_size: int, n_batches: int,
                   rng: np.random.Generator) -> np.ndarray:
    """(n_batches, B) row indices: each batch B distinct rows drawn uniformly from n."""
    _check_sizes(n, batch_size)
    if batch_size > n:
        raise ValueError(f"a batch of {batch_size} distinct rows needs N >= {batch_size}, "
                         f"got N={n}")
    return np.stack([rng.permutation(n)[:batch_size] for _ in range(n_batches)])


def minibatch_gradients(net, X, Y, batches: np.ndarray, loss: str = "mse") -> np.ndarray:
    """(n_batches, P): the gradient of each batch of rows, from its own backward pass."""
    X, Y = np.asarray(X), np.asarray(Y)
    return np.stack([flatten(net.loss_and_gradients(X[rows], Y[rows], loss=loss)[1])
                     for rows in batches])


def expected_noise(G: np.ndarray, batch_size: int) -> float:
    r"""Exact $\mathbb E\lVert g_{\mathcal B} - \bar g\rVert^2$ for B distinct rows drawn at random.

    ``G`` holds the per-example gradients as rows. $S/B \cdot (N-B)/(N-1)$, with S the mean
    squared distance of a row from the mean row.
    """
    n = len(G)
    _check_sizes(n, batch_size)
    if batch_size > n:
        raise ValueError(f"batch_size {batch_size} is larger than N={n}")
    if n == 1:
        return 0.0
    return spread(G) / batch_size * (n - batch_size) / (n - 1)


def spread(G: np.ndarray) -> float:
    r"""$S = \frac1N \sum_n \lVert g_n - \bar g\rVert^2$: how far, on average (squared), one
    example's gradient lies from the mean of all of them (the rows of ``G``)."""
    G = np.asarray(G, dtype=float)
    return float(np.mean(np.sum((G - G.mean(axis=0)) ** 2, axis=1)))


def cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cosine of the angle between each row of ``a`` and the vector ``b`` (1: same way).

    A zero vector has no direction; its cosine is taken as 0, neither for nor against.
    """
    a = np.atleast_2d(a)
    norms = np.linalg.norm(a, axis=1) * np.linalg.norm(b)
    dots = a @ b
    out = np.zeros_like(dots, dtype=float)
    np.divide(dots, norms, out=out, where=norms > 0)
    return out


@dataclass
class GradientNoise:
    """Measured and predicted gradient noise for several batch sizes at fixed parameters.

    ``measured[i]``: mean of $\\lVert g_{\\mathcal B} - \\bar g\\rVert^2$ over the sampled
    batches of size ``batch_sizes[i]``; ``theory[i]``: its exact expectation;
    ``one_over_b[i]``: $S/B$, the pure 1/B law (sampling with replacement);
    ``cosine[i]``: mean cosine between $g_{\\mathcal B}$ and $\\bar g$.
    """

    batch_sizes: list[int]
    measured: list[float]
    theory: list[float]
    one_over_b: list[float]
    cosine: list[float]
    full_norm2: float

    def table(self) -> str:
        """One row per batch size: measured, exact and 1/B noise, and the mean cosine."""
        lines = [f"{'B':>5} {'measured':>10} {'exact':>10} {'S/B':>10} {'cos':>6}"]
        # At B = N every batch is the whole set, so the deviation is rounding error only
        # (~1e-31); show it as the 0 it is rather than as digits that vary by machine.
        tiny = 1e-12 * max(self.full_norm2, max(self.one_over_b, default=0.0))
        for B, m, t, s, c in zip(self.batch_sizes, self.measured, self.theory,
                                 self.one_over_b, self.cosine, strict=True):
            m = m if m > tiny else 0.0
            lines.append(f"{B:>5} {m:>10.4g} {t:>10.4g} {s:>10.4g} {c:>6.3f}")
        return "\n".join(lines)


def gradient_noise(net, X, Y, sizes: Sequence[int], loss: str = "mse", n_batches: int = 200,
                   seed: int = 0) -> GradientNoise:
    """Sample ``n_batches`` mini-batch gradients per batch size and measure their spread.

    The parameters stay fixed (nothing is trained): only the choice of rows varies.
    """
    rng = np.random.default_rng(seed)
    g = full_gradient(net, X, Y, loss)
    G = per_example_gradients(net, X, Y, loss)
    S = spread(G)
    measured, theory, cos = [], [], []
    for B in sizes:
        gB = minibatch_gradients(net, X, Y, sample_batches(len(G), int(B), n_batches, rng),
                                 loss)
        measured.append(float(np.mean(np.sum((gB - g) ** 2, axis=1))))
        theory.append(expected_noise(G, int(B)))
        cos.append(float(np.mean(cosine(gB, g))))
    return GradientNoise([int(B) for B in sizes], measured, theory,
                         [S / int(B) for B in sizes], cos, float(g @ g))


# -- a 2-D picture of the noise ------------------------------------------------------------
def gradient_plane(g: np.ndarray, G: np.ndarray) -> np.ndarray:
    r"""(2, P) orthonormal axes to draw gradients on: $\bar g$'s direction, then the noise's.

    Axis 1 is $\bar g / \lVert\bar g\rVert$. Axis 2 is the direction, at right angles to
    it, along which the per-example gradients (rows of ``G``) spread most: the top
    eigenvector of the scatter matrix $D^\top D$ of their deviations $D$ from $\bar g$,
    once the axis-1 part is removed. Its sign is chosen so its largest entry is positive,
    which makes the picture repeatable.
    """
    norm = np.linalg.norm(g)
    if norm == 0:
        raise ValueError("the full gradient is zero: there is no direction to draw against")
    u1 = g / norm
    D = G - g
    D = D - np.outer(D @ u1, u1)
    # The P x P eigenproblem is much cheaper than an SVD of the N x P matrix when N > P.
    u2 = np.linalg.eigh(D.T @ D)[1][:, -1]
    u2 = u2 - (u2 @ u1) * u1  # remove rounding leftovers so the axes stay at right angles
    u2 /= np.linalg.norm(u2)
    if u2[np.argmax(np.abs(u2))] < 0:
        u2 = -u2
    return np.stack([u1, u2])


@dataclass
class NoiseCloud:
    """Mini-batch gradients of one batch size drawn in the plane of ``gradient_plane``.

    ``points``: (n_batches, 2) coordinates of each $g_{\\mathcal B}$; ``full``: those of
    $\\bar g$, which is $(\\lVert\\bar g\\rVert, 0)$; ``wrong_way``: share of batches whose
    gradient points uphill for the whole set ($g_{\\mathcal B}\\cdot\\bar g < 0$), so a
    step along it raises the full loss (for a small enough step).
    """

    batch_size: int
    points: np.ndarray
    full: np.ndarray
    msd: float
    wrong_way: float


def noise_cloud(net, X, Y, batch_size: int, loss: str = "mse", n_batches: int = 200,
                seed: int = 0, axes: np.ndarray | None = None,
                per_example: np.ndarray | None = None) -> NoiseCloud:
    """Sample mini-batch gradients of size ``batch_size`` and project them onto two axes.

    ``axes`` defaults to ``gradient_plane`` for this net and data; pass the same axes for
    every batch size so the pictures compare. Given the per-example gradients
    (``per_example_gradients``, (N, P)), each batch gradient is the mean of its rows
    (the loss is a mean), which spares a backward pass per batch: the same batches, the
    same gradients up to rounding.
    """
    g = full_gradient(net, X, Y, loss)
    if axes is None:
        G = per_example if per_example is not None else per_example_gradients(net, X, Y, loss)
        axes = gradient_plane(g, G)
    rng = np.random.default_rng(seed)
    batches = sample_batches(len(np.asarray(X)), batch_size, n_batches, rng)
    if per_example is None:
        gB = minibatch_gradients(net, X, Y, batches, loss)
    else:
        # Row k of `means` averages the rows of batch k: one matrix product for all batches.
        means = np.zeros((n_batches, len(per_example)))
        means[np.arange(n_batches)[:, None], batches] = 1.0 / batch_size
        gB = means @ per_example
    # g lies along axis 1 by construction: write it exactly rather than via rounding.
    return NoiseCloud(batch_size, gB @ axes.T, np.array([np.linalg.norm(g), 0.0]),
                      float(np.mean(np.sum((gB - g) ** 2, axis=1))),
                      float(np.mean(gB @ g < 0)))


# -- drawing (matplotlib imported here only) -----------------------------------------------
def draw_noise_cloud(cloud: NoiseCloud, ax=None, lim: float | None = None):
    """The sampled batch gradients as dots, the full gradient as an arrow from the origin."""
    from ..plots import axes_or_new

    ax = axes_or_new(ax, (5, 5))
    ax.scatter(cloud.points[:, 0], cloud.points[:, 1], s=10, alpha=0.5, color="#1f77b4",
               label=f"mini-batch gradients, B={cloud.batch_size}")
    # The full gradient goes on top of the dots, which would otherwise hide it at large B.
    ax.annotate("", xy=tuple(cloud.full), xytext=(0, 0), zorder=4,
                arrowprops={"arrowstyle": "->", "color": "#d62728", "lw": 2})
    ax.plot(*cloud.full, "*", color="#d62728", markersize=14, label="full-batch gradient",
            zorder=5)
    ax.axhline(0, color="0.8", lw=0.8, zorder=0)
    ax.axvline(0, color="0.8", lw=0.8, zorder=0)
    if lim is not None:
        ax.set_xlim(-lim, lim)
        ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    ax.set_xlabel(r"along $\bar g$")
    ax.set_ylabel("across (widest spread)")
    ax.set_title(f"B={cloud.batch_size}: {100 * cloud.wrong_way:.0f}% point uphill")
    ax.legend(loc="upper left", fontsize=8)
    return ax


def draw_curves(runs: Mapping[int, History], n: int, ax=None, highlight: int | None = None,
                epochs: int | None = None):
    """Whole-set loss per epoch of each run on ``n`` rows, B -> History (log scale), up to
    ``epochs`` (default: all); a run that blew up by then is marked with x where its
    finite losses end."""
    from ..plots import axes_or_new

    ax = axes_or_new(ax, (6, 4))
    for B, h in runs.items():
        shown = h.epochs if epochs is None else min(epochs, h.epochs)
        x = np.arange(1, shown + 1)
        loss = np.asarray(h.train_loss[:shown], dtype=float)
        ok = np.isfinite(loss)
        # fit stopped at the first NaN/inf step; a loss can also overflow on the whole set.
        diverged = (h.diverged is not None and (epochs is None or epochs > h.epochs)) \
            or not ok.all()
        style = {"lw": 2.5} if highlight in (None, B) else {"lw": 1, "alpha": 0.35}
        label = f"B={B} ({steps_per_epoch(n, B)} steps/epoch)"
        (line,) = ax.plot(x[ok], loss[ok], marker=".", label=label, **style)
        if diverged:
            last = x[ok][-1] if ok.any() else 1
            ax.plot(last, loss[ok][-1] if ok.any() else 1.0, "x", color=line.get_color(),
                    markersize=12, mew=3)
            line.set_label(label + ", diverged")
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss on the whole training set")
    ax.legend(fontsize=8)
    return ax


def draw_runs(runs: Mapping[int, History], ax=None, against: str = "epoch",
              start_loss: float | None = None):
    """Whole-set loss of each run against epochs or against cumulative training seconds.

    ``start_loss`` (the loss before training, the same for every run started from the same
    weights) adds the point at epoch 0 / second 0.
    """
    from ..plots import axes_or_new

    if against not in ("epoch", "seconds"):
        raise ValueError(f"against must be 'epoch' or 'seconds', got {against!r}")
    ax = axes_or_new(ax, (6, 4))
    for B, h in runs.items():
        x = (np.arange(1, h.epochs + 1) if against == "epoch"
             else np.cumsum(h.epoch_seconds))
        y = list(h.train_loss)
        if start_loss is not None:
            x, y = np.concatenate([[0], x]), [start_loss] + y
        ax.plot(x, y, marker="." if h.epochs <= 30 else None, label=f"B={B}")
    ax.set_yscale("log")
    ax.set_xlabel("epoch" if against == "epoch" else "training time (s)")
    ax.set_ylabel("loss on the whole training set")
    ax.legend(fontsize=8)
    return ax


def draw_noise_vs_batch(noise: GradientNoise, ax=None, mark: int | None = None):
    """Log-log: measured noise per batch size, the exact expectation, and the S/B line."""
    from ..plots import axes_or_new

    ax = axes_or_new(ax, (6, 4))
    B = np.asarray(noise.batch_sizes, dtype=float)
    keep = np.asarray(noise.theory) > 0  # B = N has no noise, which a log axis cannot show
    ax.plot(B, noise.one_over_b, "--", color="0.5", label=r"$S/B$ (the $1/B$ law)")
    ax.plot(B[keep], np.asarray(noise.theory)[keep], "-", color="#ff7f0e",
            label=r"exact: $\frac{S}{B}\cdot\frac{N-B}{N-1}$")
    ax.plot(B[keep], np.asarray(noise.measured)[keep], "o", color="#1f77b4",
            label="measured (mean over sampled batches)")
    if mark is not None and mark in noise.batch_sizes:
        i = noise.batch_sizes.index(mark)
        if noise.theory[i] > 0:
            ax.plot(mark, noise.measured[i], "o", ms=14, mfc="none", mec="#d62728", mew=2)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("batch size B")
    ax.set_ylabel(r"$\mathbb{E}\,\|g_{\mathcal{B}} - \bar g\|^2$")
    ax.legend(fontsize=8)
    return ax


# -- the notebook's widgets ---------------------------------------------------------------------
#: The notebook's network and optimiser: [2, 16, 16, 2] ReLU, He init, SGD, seed 0.
NET = Settings(hidden=(16, 16), activation="relu", init="he", optimizer="SGD", lr=0.3,
               batch_size=32, epochs=30)
#: The learning rates the training widget offers.
LR_CHOICES = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)


def noise_explorer(net, X, Y, sizes: Sequence[int], noise: GradientNoise, plane: np.ndarray,
                   lim: float, loss: str = "mse", per_example: np.ndarray | None = None):
    """A batch-size slider over ``sizes`` above two panels: the cloud of mini-batch
    gradients in ``plane`` (``noise_cloud``, framed by ``lim``) and ``noise`` against B
    with the chosen B marked. Each cloud is computed once, from the per-example gradients
    (computed here if not given)."""
    import ipywidgets as widgets

    from ..live import LivePlot

    G = per_example if per_example is not None else per_example_gradients(net, X, Y, loss)
    clouds: dict[int, NoiseCloud] = {}

    def draw(axes, B: int) -> None:
        if B not in clouds:
            clouds[B] = noise_cloud(net, X, Y, B, loss, axes=plane, per_example=G)
        draw_noise_cloud(clouds[B], axes[0], lim=lim)
        draw_noise_vs_batch(noise, axes[1], mark=B)
        axes[1].set_title(f"B = {B}: mean squared deviation {clouds[B].msd:.3g}")

    slider = widgets.SelectionSlider(options=list(sizes), value=16, description="batch size B",
                                     continuous_update=False,
                                     style={"description_width": "90px"},
                                     layout=widgets.Layout(width="520px"))
    return LivePlot(draw, {"B": slider}, figsize=(12, 5), grid=(1, 2),
                    margins={"left": 0.07, "right": 0.98, "bottom": 0.11, "top": 0.93,
                             "wspace": 0.25})


def training_runs(X, Y, lr: float, sizes: Sequence[int], settings: Settings = NET
                  ) -> dict[int, History]:
    """B -> History of ``settings`` trained with learning rate ``lr`` and batch size B on
    ``(X, Y)``, from the run cache. A run that blows up stops quietly at its last good
    step (a large learning rate is something to try, not an error)."""
    return {int(B): cached_run(settings.replace(lr=float(lr), batch_size=int(B)), (X, Y)
                               ).history for B in sizes}


def training_explorer(X, Y, sizes: Sequence[int], settings: Settings = NET):
    """Epochs and learning-rate sliders above the whole-set loss per epoch for each batch
    size in ``sizes`` (``draw_curves``). Every learning rate is trained once, for
    ``settings.epochs`` epochs: fewer epochs are the start of the same run, so moving the
    epochs slider only redraws."""
    import ipywidgets as widgets

    from ..live import LivePlot

    def draw(ax, epochs: int, lr: float) -> None:
        draw_curves(training_runs(X, Y, lr, sizes, settings), len(X), ax, epochs=epochs)
        ax.set_title(f"SGD with learning rate {lr:g}")

    controls = {
        "epochs": widgets.IntSlider(value=10, min=1, max=settings.epochs, description="epochs",
                                    continuous_update=False),
        "lr": widgets.SelectionSlider(options=list(LR_CHOICES), value=0.3,
                                      description="learning rate", continuous_update=False,
                                      style={"description_width": "90px"}),
    }
    return LivePlot(draw, controls, figsize=(6, 4), grid=(1, 1),
                    margins={"left": 0.13, "right": 0.97, "bottom": 0.12, "top": 0.92})
