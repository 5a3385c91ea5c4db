"""The class heatmap: learners × decks, cards started and retention (matplotlib, no pyplot).

Left, the share of each deck's cards a learner has started; right, their retention over
30 days (grey where there were no reviews to tell). One row per learner, in the report's
order. With many learners only some rows are labelled, so the labels stay readable.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.colors import Colormap
from matplotlib.figure import Figure

from bpcourse.flashcards.files import write_atomically
from bpcourse.flashcards.plot import StatsFigure, plot_file

if TYPE_CHECKING:
    from .report import ClassReport

MAX_LABELS = 60


def draw_heatmap(report: ClassReport) -> StatsFigure:
    """The two heatmaps of ``report`` side by side (shows itself in a notebook)."""
    learners = [row.learner for row in report.rows]
    decks = report.deck_names
    step = max(1, -(-len(learners) // MAX_LABELS))
    ticks = list(range(0, len(learners), step))
    # Margins from the label lengths, in inches: matplotlib's automatic layouts measure
    # every tick label and take longer than the drawing itself for a class of 300.
    left = 0.5 + 0.065 * max((len(learners[i]) for i in ticks), default=0)
    bottom = 0.4 + 0.05 * max((len(name) for name in decks), default=0)
    panel_width = 0.45 * max(len(decks), 1)
    width = left + 2 * panel_width + 1.3
    height = bottom + 0.5 + min(len(learners), MAX_LABELS) * 0.16 + 0.4
    figure = StatsFigure(figsize=(width, height))
    panels = figure.subplots(1, 2, sharey=True, gridspec_kw={
        "left": left / width, "right": 1 - 1.0 / width, "bottom": bottom / height,
        "top": 1 - 0.45 / height, "wspace": 0.08})
    if not learners or not decks:
        for axes in panels:
            axes.set_axis_off()
            axes.text(0.5, 0.5, "no summaries yet", ha="center", va="center",
                      transform=axes.transAxes)
        return figure
    grids = [("Cards started (%)", report.started_share()),
             ("Retention, 30 days (%)", report.retention_share())]
    cmap = _colour_map()
    images = []
    for axes, (title, values) in zip(panels, grids, strict=True):
        grid = np.array([[np.nan if v is None else 100 * v for v in row] for row in values],
                        dtype=float)
        images.append(axes.imshow(np.ma.masked_invalid(grid), cmap=cmap, vmin=0, vmax=100,
                                  aspect="auto", interpolation="nearest"))
        axes.set_title(title, fontsize=9)
        axes.set_xticks(range(len(decks)), decks, rotation=45, ha="right", fontsize=7)
    panels[0].set_yticks(ticks, [learners[i] for i in ticks], fontsize=7)
    if step > 1:
        panels[0].set_ylabel(f"learner (every {step}th labelled)", fontsize=8)
    colour_axes = figure.add_axes((1 - 0.8 / width, bottom / height, 0.15 / width,
                                   1 - (bottom + 0.45) / height))
    figure.colorbar(images[0], cax=colour_axes)
    return figure


def _colour_map() -> Colormap:
    from matplotlib import colormaps

    return colormaps["viridis"].with_extremes(bad="lightgrey")


def save_figure(figure: Figure, path: str | os.PathLike[str]) -> None:
    """Save ``figure`` to ``path`` (``.png`` added when it has none) through a new file
    renamed into place; ValueError for a kind of file matplotlib cannot write."""
    target = plot_file(path)
    write_atomically(target, lambda file: figure.savefig(
        file, format=target.suffix[1:].lower(), dpi=100))
