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

Text is the dearest thing matplotlib draws (each tick label is laid out and rasterised
anew), and most redraws change the data but not the frame around it: the axes' limits,
scales, ticks and labels. So a redraw renders the frame alone once, keeps its pixels
(keyed by everything that decides them: ``frame_key``) and, while the frame stays the same,
starts from a copy of them and draws only the data artists, titles and legends on top,
in zorder, axes by axes. A drawing that keeps its limits fixed redraws at the cost of its
data; one that moves them pays for one full rendering, as before.
"""

from __future__ import annotations

import html
import io
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Literal

import ipywidgets as widgets
import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.axis import XAxis, YAxis
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import (
    FixedFormatter,
    FormatStrFormatter,
    Formatter,
    Locator,
    LogFormatter,
    LogFormatterMathtext,
    LogFormatterSciNotation,
    NullFormatter,
    NullLocator,
    PercentFormatter,
    ScalarFormatter,
    StrMethodFormatter,
)
from PIL import Image

#: draw(figure_or_axes, **values) draws and may return text to print below the figure.
Draw = Callable[..., "str | None"]


def empty(ax: Axes, keep: Iterable[Artist] = ()) -> None:
    """Take everything a drawing function added off ``ax`` but keep the axes and their
    ticks: artists (but those in ``keep``), legend, title and labels go; scales, locators
    and limits are reset."""
    keep = set(keep)
    for artist in [*ax.lines, *ax.patches, *ax.collections, *ax.images, *ax.texts,
                   *ax.tables, *ax.artists]:
        if artist not in keep:
            artist.remove()
    # Containers (of bars, error bars, stems) outlive their removed artists and would give
    # the next legend one more entry each time.
    ax.containers[:] = [c for c in ax.containers if any(a in keep for a in c)]
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


def plain_log_labels(figure: Figure) -> None:
    """Give every log axis of ``figure`` plain tick labels ("1e−05") instead of matplotlib's
    default mathtext ones ($10^{-5}$): each new mathtext label is parsed and laid out from
    scratch, which on a log axis whose range moves costs more than the rest of the redraw.
    A formatter a drawing function chose itself is left alone."""
    for ax in figure.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if axis.get_scale() != "log":
                continue
            base = getattr(axis.get_transform(), "base", 10.0)
            if type(axis.get_major_formatter()) in (LogFormatterSciNotation,
                                                    LogFormatterMathtext):
                axis.set_major_formatter(LogFormatter(base))
            if type(axis.get_minor_formatter()) in (LogFormatterSciNotation,
                                                    LogFormatterMathtext):
                axis.set_minor_formatter(LogFormatter(base, labelOnlyBase=False))


#: Tickers whose ticks follow from their settings and the axis limits alone.
_PLAIN_TICKERS = (Locator, ScalarFormatter, LogFormatter, NullFormatter, FixedFormatter,
                  StrMethodFormatter, FormatStrFormatter, PercentFormatter)


def _ticker_key(ticker: Locator | Formatter) -> Hashable:
    """A locator's or formatter's type and settings. Scales make fresh tickers, and a
    redraw resets the scales, so the settings are read before any drawing changed them."""
    return (type(ticker).__name__,
            tuple(sorted((name, repr(value)) for name, value in vars(ticker).items()
                         if name != "axis")))


def snap_log_limits(ax: Axes, decades: int = 3) -> None:
    """Widen the limits of ``ax``'s log y axis to whole blocks of ``decades`` decades
    (1e-6 to 1e3, say). Settings whose values span about the same range then share one
    frame, which a redraw keeps, and the axis shows few, whole-decade labels. The minor
    ticks go: on a range of several decades they are dozens of tick artists to lay out
    and draw, for little reading help."""
    if ax.get_yscale() != "log":
        return
    ax.yaxis.set_minor_locator(NullLocator())
    low, high = ax.get_ylim()
    if not (np.isfinite(low) and np.isfinite(high) and 0 < low < high):
        return
    low = 10.0 ** (decades * np.floor(np.log10(low) / decades))
    high = 10.0 ** (decades * np.ceil(np.log10(high) / decades))
    ax.set_ylim(low, high if high > low else low * 10.0 ** decades)


def _axis_key(axis: XAxis | YAxis) -> tuple:
    """What decides how ``axis`` looks: scale, limits, tickers, label and style. Ticks are
    read off the tickers' settings (laying them out is as dear as drawing them), except
    for a formatter that runs code of its own (FuncFormatter): there the labels count."""
    tickers = (axis.get_major_locator(), axis.get_major_formatter(),
               axis.get_minor_locator(), axis.get_minor_formatter())
    if all(isinstance(t, _PLAIN_TICKERS) for t in tickers):
        ticks: Hashable = tuple(_ticker_key(t) for t in tickers)
    else:
        ticks = (tuple(axis.get_majorticklocs()),
                 tuple(label.get_text() for label in axis.get_majorticklabels()),
                 tuple(axis.get_minorticklocs()),
                 tuple(label.get_text() for label in axis.get_minorticklabels()))
    return (axis.get_scale(), tuple(axis.get_view_interval()), ticks, axis.get_label_text(),
            axis.get_label_position(), axis.get_ticks_position(), axis.get_visible(),
            axis.label.get_fontsize(), axis.label.get_color(),
            # Grid, tick and label switches, as tick_params and grid() set them. Read from
            # the settings new ticks are made with: asking the ticks themselves would make
            # them all, which costs as much as laying them out.
            tuple(sorted((k, repr(v)) for k, v in getattr(axis, "_major_tick_kw", {}).items())),
            tuple(sorted((k, repr(v)) for k, v in getattr(axis, "_minor_tick_kw", {}).items())))


def frame_key(figure: Figure, backdrop: Hashable = None) -> Hashable:
    """Everything that decides the pixels of ``figure``'s frame: per axes its place, limits,
    scales, ticks, tick labels, axis labels, spines and background; and ``backdrop``, what
    the backdrop artists were drawn for."""
    keys: list[Hashable] = [backdrop, figure.bbox.bounds, figure.get_facecolor()]
    for ax in figure.axes:
        ax.apply_aspect()
        keys.append((ax.get_visible(), ax.axison, tuple(ax.get_position().bounds),
                     ax.get_xlim(), ax.get_ylim(), ax.get_facecolor(), ax.patch.get_visible(),
                     ax.get_frame_on(), _axis_key(ax.xaxis), _axis_key(ax.yaxis),
                     tuple((name, spine.get_visible(), spine.get_edgecolor())
                           for name, spine in ax.spines.items())))
    return tuple(keys)


def frame_parts(ax: Axes) -> set[Artist]:
    """The artists of ``ax`` that belong to its frame (drawn into the kept pixels)."""
    return {ax.patch, ax.xaxis, ax.yaxis, *ax.spines.values()}


def data_parts(figure: Figure, backdrop: Iterable[Artist] = ()) -> list[Artist]:
    """Everything but the frames and the ``backdrop`` artists, in drawing order: each axes'
    data, titles and legend (axes by axes, by zorder), then the figure's own texts, legends
    and artists."""
    parts: list[Artist] = []
    backdrop = set(backdrop)
    for ax in sorted(figure.axes, key=lambda a: a.get_zorder()):
        if not ax.get_visible():
            continue
        frame = frame_parts(ax) | backdrop
        parts.extend(sorted((a for a in ax.get_children() if a not in frame),
                            key=lambda a: a.get_zorder()))
    on_figure = [a for a in figure.get_children()
                 if a is not figure.patch and not isinstance(a, Axes)]
    parts.extend(sorted(on_figure, key=lambda a: a.get_zorder()))
    return parts


class FrameStore:
    """Rendered frames, by ``frame_key``, for figures drawn again and again (a live
    widget's one figure, or a new figure of the same kind each time): ``render`` draws
    a figure's frame once, keeps its pixels, and afterwards starts from them and draws
    only the data parts. Keeps the ``size`` frames used last."""

    def __init__(self, size: int = 8) -> None:
        self.size = size
        self._frames: OrderedDict[Hashable, object] = OrderedDict()
        #: How many renders started from kept pixels.
        self.kept = 0

    def render(self, figure: Figure, canvas: FigureCanvasAgg | None = None,
               backdrop_for: Hashable = None, backdrop: Iterable[Artist] = ()) -> bytes:
        """``figure`` as PNG bytes, drawn once. ``backdrop`` artists (drawn for
        ``backdrop_for``) belong to the frame."""
        canvas = canvas if canvas is not None else FigureCanvasAgg(figure)
        backdrop = set(backdrop)
        key = frame_key(figure, backdrop_for)
        frame = self._frames.get(key)
        if frame is None:
            parts = data_parts(figure, backdrop)
            shown = [part.get_visible() for part in parts]
            for part in parts:
                part.set_visible(False)
            try:
                canvas.draw()
            finally:
                for part, visible in zip(parts, shown, strict=True):
                    part.set_visible(visible)
            frame = canvas.copy_from_bbox(figure.bbox)
            self._frames[key] = frame
            if len(self._frames) > self.size:
                self._frames.popitem(last=False)
        else:
            self._frames.move_to_end(key)
            canvas.restore_region(frame)
            self.kept += 1
        renderer = canvas.get_renderer()
        for part in data_parts(figure, backdrop):
            part.draw(renderer)
        return encode_png(canvas)


def encode_png(canvas: FigureCanvasAgg) -> bytes:
    """What ``canvas`` last drew, as PNG bytes: RGB, lightly compressed (the image goes to
    a browser on the same machine, where encoding time matters more than bytes)."""
    pixels = np.asarray(canvas.buffer_rgba())
    buffer = io.BytesIO()
    Image.fromarray(pixels[..., :3]).save(buffer, format="png", compress_level=1)
    return buffer.getvalue()


class LivePlot(widgets.VBox):
    """Controls, a figure and a line of text, redrawn once per change of any control.

    ``controls`` maps the keyword each value is passed to ``draw`` under to its widget;
    ``rows`` arranges them (lists of keywords, one HBox each; default: one row).
    With ``grid=(nrows, ncols)`` the axes are made once and ``draw`` gets them (one Axes,
    or an array); without it ``draw`` gets the cleared figure and makes its own.
    ``margins`` are ``Figure.subplots_adjust`` arguments, fixed so the layout costs
    nothing per redraw; ``layout="constrained"`` is there for figures that need it (a
    layout engine moves the axes to fit their contents, so their frame is rarely kept).
    ``frames`` is how many rendered frames are kept, for controls that switch between a
    few (a menu of surfaces, linear and log axes).

    ``backdrop(axes, **values)`` (needs ``grid``) draws what depends only on the controls
    named in ``backdrop_keys`` (e.g. a loss surface's contours, for a surface menu): it
    is drawn when one of them changes, kept between redraws and rendered into the frame,
    so ``draw`` adds only what moves. Limits and labels are still ``draw``'s to set.

    The text ``draw`` returns is shown below the figure as preformatted text, or as it
    is with ``text_is_html=True`` (e.g. a table).
    """

    def __init__(self, draw: Draw, controls: Mapping[str, widgets.ValueWidget],
                 figsize: tuple[float, float] = (6.0, 4.0),
                 rows: Sequence[Sequence[str]] | None = None,
                 grid: tuple[int, int] | None = None,
                 margins: Mapping[str, float] | None = None,
                 layout: Literal["constrained", "compressed", "tight"] | None = None,
                 dpi: float = 80.0, frames: int = 8, backdrop: Draw | None = None,
                 backdrop_keys: Sequence[str] = (), text_is_html: bool = False) -> None:
        if backdrop is not None and grid is None:
            raise ValueError("a backdrop needs fixed axes: give grid=(nrows, ncols)")
        unknown = [k for k in backdrop_keys if k not in controls]
        if unknown:
            raise ValueError(f"backdrop_keys {unknown} are not controls; the controls are "
                             f"{', '.join(controls)}")
        self.draw = draw
        self.text_is_html = text_is_html
        self.backdrop = backdrop
        self.backdrop_keys = tuple(backdrop_keys)
        self._backdrop_for: Hashable = None
        self._backdrop_artists: set[Artist] = set()
        self.controls = dict(controls)
        self.figure = Figure(figsize=figsize, dpi=dpi, layout=layout)
        self.canvas = FigureCanvasAgg(self.figure)
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
        self.frame_store = FrameStore(frames)
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
                    empty(ax, keep=self._backdrop_artists)
                else:  # a twin axis the last drawing added
                    ax.remove()
            self.figure.suptitle("")
            self._draw_backdrop(kept)
            text = self.draw(self.axes, **self.values)
        plain_log_labels(self.figure)
        self.image.value = self.png()
        if not text:
            self.text.value = ""
        else:
            self.text.value = text if self.text_is_html else f"<pre>{html.escape(text)}</pre>"
        self.redraws += 1

    def _draw_backdrop(self, axes: list[Axes]) -> None:
        """Draw the backdrop again if one of the controls it depends on changed."""
        if self.backdrop is None:
            return
        values = self.values
        backdrop_for = tuple(values[k] for k in self.backdrop_keys)
        if backdrop_for == self._backdrop_for and self._backdrop_artists:
            return
        for artist in self._backdrop_artists:
            artist.remove()
        before = {id(a) for ax in axes for a in ax.get_children()}
        self.backdrop(self.axes, **{k: values[k] for k in self.backdrop_keys})
        self._backdrop_artists = {a for ax in axes for a in ax.get_children()
                                  if id(a) not in before and a not in frame_parts(ax)}
        self._backdrop_for = backdrop_for

    def png(self) -> bytes:
        """The figure as PNG bytes, rendered once (no tight bounding box), from kept frame
        pixels when the frame is one seen before (``FrameStore``)."""
        return self.frame_store.render(self.figure, self.canvas, self._backdrop_for,
                                       self._backdrop_artists)

    @property
    def frames_kept(self) -> int:
        """How many redraws started from kept frame pixels (the rest rendered everything)."""
        return self.frame_store.kept

    @contextmanager
    def held(self) -> Iterator[LivePlot]:
        """Change several controls at once and redraw once, at the end."""
        self._held = True
        try:
            yield self
        finally:
            self._held = False
            self.redraw()
