"""The stats figure (matplotlib), drawn without pyplot so it has no global state.

Used by ``bpcourse stats --plot FILE.png`` and by the course's start notebook through
``plot_stats``. Imports matplotlib, so ``bpcourse.flashcards`` imports this module only
when a plot is asked for.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable
from datetime import datetime, tzinfo
from pathlib import Path

from matplotlib.figure import Figure

from .days import check_utc, utc_now
from .deck import Deck
from .files import write_atomically
from .schedulers import Scheduler
from .stats import FORECAST_DAYS, StatsReport, deck_stats, review_history
from .store import ReviewStore, shared_store

COLOURS = {"passed": "tab:green", "failed": "tab:red", "practice": "tab:gray"}
# The formats a learner may ask for; matplotlib's others need LaTeX (pgf) or are raw pixels.
FORMATS = ("png", "pdf", "svg", "svgz", "jpg", "jpeg", "webp", "gif", "avif", "tif", "tiff",
           "eps", "ps")


def plot_formats() -> tuple[str, ...]:
    """The file extensions ``plot_stats`` can write (without the dot), PNG first."""
    from matplotlib.backend_bases import FigureCanvasBase

    supported = FigureCanvasBase.get_supported_filetypes()
    return tuple(f for f in FORMATS if f in supported)


def plot_file(path: str | os.PathLike) -> Path:
    """The file ``plot_stats`` writes for ``path``: ``.png`` is added when it has no
    extension. ValueError, saying what can be written, for any other kind of file."""
    target = Path(path)
    if not os.fspath(path).strip() or target.name in ("", ".", ".."):
        raise ValueError("give a file name for the plot, e.g. progress.png")
    if not target.suffix:
        target = target.with_name(target.name + ".png")
    formats = plot_formats()
    if target.suffix[1:].lower() not in formats:
        raise ValueError(f"cannot draw a {target.suffix} file; the plot can be written as "
                         + ", ".join(f".{f}" for f in formats))
    return target


class StatsFigure(Figure):
    """A Figure that Jupyter shows as a PNG when it ends a cell (no pyplot needed)."""

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", dpi=100)
        return buffer.getvalue()


def draw_stats(report: StatsReport, history: dict[str, list[int]]) -> StatsFigure:
    """Left: cards due on each of the next 14 days. Right: reviews per day, last 30 days."""
    figure = StatsFigure(figsize=(10, 3.6), layout="constrained")
    forecast_axes, history_axes = figure.subplots(1, 2)

    days = list(range(FORECAST_DAYS))
    forecast_axes.bar(days, report.total.forecast, color="tab:blue")
    forecast_axes.set_xticks(days, ["today"] + [f"+{d}" for d in days[1:]], fontsize=8)
    forecast_axes.set_title("Cards due, next 14 days")
    forecast_axes.set_ylabel("cards")

    length = len(history["passed"])
    x = list(range(-length + 1, 1))
    bottom = [0] * length
    for kind in ("passed", "failed", "practice"):
        history_axes.bar(x, history[kind], bottom=bottom, color=COLOURS[kind], label=kind)
        bottom = [b + h for b, h in zip(bottom, history[kind], strict=True)]
    history_axes.set_title(f"Reviews per day, last {length} days")
    history_axes.set_xlabel("day (0 = today, -1 = yesterday)")
    history_axes.legend(loc="upper left", fontsize=8)
    retention = report.total.retention
    if retention is not None:
        history_axes.text(0.99, 0.97, f"retention {100 * retention:.0f} %", ha="right",
                          va="top", transform=history_axes.transAxes)
    for axes in (forecast_axes, history_axes):
        axes.yaxis.get_major_locator().set_params(integer=True)
        # Counts start at 0; with nothing to count yet (a new learner) Matplotlib would
        # centre the axis on 0 with fractional ticks, which reads as broken.
        axes.set_ylim(bottom=0, top=max(1, axes.get_ylim()[1]))
    return figure


def plot_stats(
    path: str | Path | None = None,
    *,
    decks: Iterable[str | Deck] | None = None,
    store: ReviewStore | None = None,
    scheduler: Scheduler | None = None,
    now: datetime | None = None,
    tz: tzinfo | None = None,
) -> StatsFigure:
    """A matplotlib Figure: the 14-day due forecast and the review history of the last
    30 days; saved to ``path`` (e.g. ``"stats.png"``; see ``plot_file``) when given, in a
    new file renamed into place, so a failed save leaves an earlier plot as it was.

    The figure shows itself when it is the last expression of a notebook cell (it is not
    managed by pyplot, so it is shown once, and closing it is never needed).
    """
    store = store if store is not None else shared_store()
    now = check_utc(now) if now is not None else utc_now()
    report = deck_stats(decks, store, scheduler, now, tz)
    figure = draw_stats(report, review_history(store, now, tz=tz))
    if path is not None:
        target = plot_file(path)
        write_atomically(target, lambda file: figure.savefig(
            file, format=target.suffix[1:].lower(), dpi=100))
    return figure
