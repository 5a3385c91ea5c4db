"""The course's live widgets: controls above one figure that is redrawn in place.

Every lesson builds its widgets the same way: a function in the lesson module returns a
``LivePlot`` (an ipywidgets VBox), and the notebook cell only displays it. The figure is a
plain matplotlib ``Figure``, not one of pyplot's, so the notebook's inline backend never
shows it a second time; on each change it is cleared, drawn by the lesson's ``draw``
function and rendered once to a PNG in an ``ipywidgets.Image``. That keeps a redraw to one
rendering pass: no new figure, no tight bounding box (which the inline backend renders
twice to find), and no layout engine unless one is asked for. With a fixed ``grid`` of
axes the axes themselves are kept and only emptied between redraws, which spares
rebuilding every tick (a good part of a redraw's cost).
"""

from __future__ import annotations

import html
import io
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Literal

import ipywidgets as widgets
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

#: draw(figure_or_axes, **values) draws and may return text to print below the figure.
Draw = Callable[..., "str | None"]


def empty(ax: Axes) -> None:
    """Take everything a drawing function added off ``ax`` but keep the axes and their
    ticks: artists, legend, title and labels go; scales, locators and limits are reset."""
    for artist in [*ax.lines, *ax.patches, *ax.collections, *ax.images, *ax.texts,
                   *ax.tables, *ax.artists]:
        artist.remove()
    legend = ax.get_legend()
    if legend is not None:
        legend.remove()
    for loc in ("center", "left", "right"):
        ax.set_title("", loc=loc)
    ax.set_xlabel("")
    ax.set_ylabel("")
    # A scale brings its own locators and formatters, so this also undoes set_xticks.
    ax.set_xscale("linear")
    ax.set_yscale("linear")
    ax.set_aspect("auto")
    ax.relim()
    ax.set_autoscale_on(True)


class LivePlot(widgets.VBox):
    """Controls, a figure and a line of text, redrawn once per change of any control.

    ``controls`` maps the keyword each value is passed to ``draw`` under to its widget;
    ``rows`` arranges them (lists of keywords, one HBox each; default: one row).
    With ``grid=(nrows, ncols)`` the axes are made once and ``draw`` gets them (one Axes,
    or an array); without it ``draw`` gets the cleared figure and makes its own.
    ``margins`` are ``Figure.subplots_adjust`` arguments, fixed so the layout costs
    nothing per redraw; ``layout="constrained"`` is there for figures that need it.
    """

    def __init__(self, draw: Draw, controls: Mapping[str, widgets.ValueWidget],
                 figsize: tuple[float, float] = (6.0, 4.0),
                 rows: Sequence[Sequence[str]] | None = None,
                 grid: tuple[int, int] | None = None,
                 margins: Mapping[str, float] | None = None,
                 layout: Literal["constrained", "compressed", "tight"] | None = None,
                 dpi: float = 80.0) -> None:
        self.draw = draw
        self.controls = dict(controls)
        self.figure = Figure(figsize=figsize, dpi=dpi, layout=layout)
        FigureCanvasAgg(self.figure)
        self.margins = dict(margins or {})
        self.figure.subplots_adjust(**self.margins)
        self.axes = None if grid is None else self.figure.subplots(*grid)
        self.image = widgets.Image(format="png",
                                   layout=widgets.Layout(max_width="100%", height="auto"))
        self.text = widgets.HTML()
        rows = rows if rows is not None else [list(self.controls)]
        boxes = [widgets.HBox([self.controls[name] for name in row]) for row in rows]
        super().__init__([*boxes, self.image, self.text])
        self.redraws = 0
        self._held = False
        for control in self.controls.values():
            control.observe(self._changed, names="value")
        self.redraw()

    @property
    def values(self) -> dict[str, object]:
        return {name: control.value for name, control in self.controls.items()}

    def _changed(self, _change=None) -> None:
        """Observer of every control: redraw, unless changes are being held."""
        if not self._held:
            self.redraw()

    def redraw(self) -> None:
        """Draw the figure for the controls' current values and show it."""
        if self.axes is None:
            self.figure.clear()
            self.figure.subplots_adjust(**self.margins)
            text = self.draw(self.figure, **self.values)
        else:
            kept = list(np.ravel(self.axes))
            for ax in self.figure.axes:
                if ax in kept:
                    empty(ax)
                else:  # a twin axis the last drawing added
                    ax.remove()
            self.figure.suptitle("")
            text = self.draw(self.axes, **self.values)
        self.image.value = self.png()
        self.text.value = f"<pre>{html.escape(text)}</pre>" if text else ""
        self.redraws += 1

    def png(self) -> bytes:
        """The figure as PNG bytes, rendered once (no tight bounding box)."""
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png")
        return buffer.getvalue()

    @contextmanager
    def held(self) -> Iterator[LivePlot]:
        """Change several controls at once and redraw once, at the end."""
        self._held = True
        try:
            yield self
        finally:
            self._held = False
            self.redraw()
