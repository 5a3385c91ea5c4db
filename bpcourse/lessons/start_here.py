r"""What the start page's widgets show: how a scheduler spaces out one card's reviews, what
the five rating buttons would read, and a one-deck overview.

Everything returns plain data, HTML text or a matplotlib Axes, so it is tested without a
browser; the notebook only wires it to ipywidgets. matplotlib is imported (through
``bpcourse.plots``) inside ``plot_spacing`` only.
"""

from __future__ import annotations

import html
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from fractions import Fraction

from ..flashcards import Deck, ReviewStore, deck_stats, load_deck, load_decks
from ..flashcards.deck import deck_paths
from ..flashcards.markup import to_html
from ..flashcards.preview import interval_preview
from ..flashcards.ratings import RATING_COLOURS, RATING_LABELS, RATINGS
from ..flashcards.schedulers import Scheduler
from ..flashcards.timefmt import format_interval

# A fixed start, so that what the explorer shows does not depend on today's date.
START = datetime(2024, 1, 1, 9, 0, tzinfo=timezone.utc)
DAY = timedelta(days=1)


@dataclass(frozen=True)
class SpacedReview:
    """One review in a simulated history of a single card."""

    number: int  # 1 for the card's first review
    rating: int
    at: timedelta  # time since the first review
    interval: timedelta  # until the card is due again
    easiness: Fraction | None = None  # SM-2's EF after this review (None for FSRS)


def space_reviews(
    ratings: Sequence[int], scheduler: Scheduler, start: datetime = START,
    card_id: str = "example",
) -> list[SpacedReview]:
    r"""Rate a new card ``ratings[0]``, ``ratings[1]``, ... in turn, each review taking place
    exactly when the card falls due: review $k+1$ happens at $t_{k+1} = t_k + I_k$, where
    $I_k$ is the interval the scheduler set at review $k$.

    ``card_id`` only seeds FSRS's fuzz (when it is on).
    """
    state, now, history = None, start, []
    for number, rating in enumerate(ratings, start=1):
        state = scheduler.review(state, rating, now, card_id=card_id)
        history.append(SpacedReview(number, rating, now - start, state.due - now,
                                    getattr(state, "easiness", None)))
        now = state.due
    return history


def rating_label(rating: int) -> str:
    """ "3 Partly": the number and word on a rating button."""
    return f"{rating} {RATING_LABELS[rating]}"


def button_labels(
    scheduler: Scheduler, state=None, now: datetime = START, card_id: str = "example"
) -> list[str]:
    """The five rating buttons as the quiz shows them after "Show answer": each with the
    interval that rating would give the card in ``state`` (None: a new card) at ``now``,
    or the next three when the next alone cannot tell the ratings apart (SM-2)."""
    preview = interval_preview(scheduler, state, now, card_id=card_id)
    return [f"{rating_label(r)} · {preview.labels[r]}" for r in RATINGS]


def _cell(text: str, header: bool = False) -> str:
    tag = "th" if header else "td"
    return f"<{tag} style='text-align:right'>{html.escape(text)}</{tag}>"


def spacing_table_html(runs: Mapping[str, Sequence[SpacedReview]]) -> str:
    """An HTML table of the runs (scheduler name -> reviews of the same ratings): for each
    review, the day it happens on and the interval it sets (and SM-2's EF)."""
    names = list(runs)
    first = runs[names[0]]
    header = ["review", "rating"]
    for name in names:
        header += [f"{name}: on day", f"{name}: next in"]
        if first and runs[name][0].easiness is not None:
            header.append(f"{name}: EF")
    rows = []
    for k, review in enumerate(first):
        row = [str(review.number), rating_label(review.rating)]
        for name in names:
            other = runs[name][k]
            row += [str(other.at.days), format_interval(other.interval)]
            if other.easiness is not None:
                row.append(f"{float(other.easiness):.2f}")
        rows.append(row)
    head = "".join(_cell(c, header=True) for c in header)
    body = "".join("<tr>" + "".join(_cell(c) for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _stack_levels(days: Sequence[float], gap: float = 0.05) -> list[int]:
    """How far to lift each dot so that reviews less than ``gap`` days (about an hour) after
    the previous one do not hide it: 0 for a dot on its own, 1, 2, ... up a stack."""
    levels: list[int] = []
    for k, day in enumerate(days):
        close = k > 0 and day - days[k - 1] < gap
        levels.append(levels[-1] + 1 if close else 0)
    return levels


def plot_spacing(runs: Mapping[str, Sequence[SpacedReview]], ax=None):
    """A timeline per scheduler: one dot per review, at the day it happens, coloured like
    the rating button, plus a hollow dot where the card is due next. Reviews minutes apart
    are stacked upwards. The day axis is linear up to 1 and logarithmic after it, so both a
    1-minute and a 1-year gap show."""
    from ..plots import axes_or_new

    fresh = ax is None
    ax = axes_or_new(ax, figsize=(9, 1.1 + 0.8 * len(runs)))
    if fresh:
        # Only a figure made here: the scheduler names and the long x label need the room
        # constrained layout makes, but a caller's figure keeps the layout it chose.
        ax.figure.set_layout_engine("constrained")
    last, top = 1.0, 0.0
    for y, reviews in enumerate(runs.values()):
        days = [r.at / DAY for r in reviews]
        days.append(days[-1] + reviews[-1].interval / DAY if reviews else 0.0)
        lifts = [y + 0.22 * level for level in _stack_levels(days)]
        ax.plot(days, [y] * len(days), color="0.75", zorder=1)
        for day, lift, review in zip(days, lifts, reviews, strict=False):
            ax.scatter(day, lift, s=140, color=RATING_COLOURS[review.rating], zorder=2,
                       edgecolor="black", linewidth=0.5)
            ax.annotate(str(review.rating), (day, lift), ha="center", va="center",
                        fontsize=8, zorder=3)
        ax.scatter(days[-1], lifts[-1], s=140, facecolor="white", edgecolor="black", zorder=2)
        last, top = max(last, days[-1]), max(top, *lifts)
    ax.set_xscale("symlog", linthresh=1.0, linscale=0.5)
    ticks = [(0, "0"), (1, "1 d"), (7, "1 wk"), (30, "1 mo"), (365, "1 y"), (3650, "10 y")]
    shown = [(t, label) for t, label in ticks if t <= 1.5 * last]
    ax.set_xticks([t for t, _ in shown], [label for _, label in shown])
    ax.set_xlim(-0.3, 1.5 * last)
    ax.set_yticks(range(len(runs)), list(runs))
    ax.set_ylim(-0.5, max(top, len(runs) - 1) + 0.5)
    ax.set_xlabel("time since the first review (dots: reviews, labelled with the rating; "
                  "hollow: next due)")
    return ax


def deck_overview_html(
    deck: str | Deck, store: ReviewStore | None = None, now: datetime | None = None
) -> str:
    """A deck at a glance, for HTMLMath: title, description, your progress in it and its
    first card (maths left as $...$ for the widget to render)."""
    deck = load_deck(deck)
    stats = deck_stats([deck], store=store, now=now).decks[0]
    card = deck.cards[0]
    progress = (f"{stats.cards} cards: {stats.new} new, {stats.learning} learning, "
                f"{stats.mature} mature; {stats.due_today} due today.")
    return (
        f"<h4>{html.escape(deck.title)} <code>{html.escape(deck.name)}</code></h4>"
        f"<p>{html.escape(deck.description)}</p>"
        f"<p><b>Your progress:</b> {html.escape(progress)}</p>"
        f"<p><b>First card</b></p>{to_html(card.front)}"
        f"<p><b>Answer</b></p>{to_html(card.back)}"
    )


# -- the widgets ------------------------------------------------------------------------
def spacing_explorer(ratings: Sequence[int] = (4, 4, 2, 4, 4)):
    """Five rating menus (one per review of a card) above ``plot_spacing`` of SM-2 and
    FSRS (no fuzz) given those ratings, with ``spacing_table_html`` below."""
    import ipywidgets as widgets

    from ..flashcards import FSRS, SM2
    from ..flashcards.widget import rating_text
    from ..live import LivePlot

    if len(ratings) != 5:
        raise ValueError(f"give five ratings, one per review; got {len(ratings)}")
    options = [(rating_text(r), r) for r in RATINGS]
    pickers = {f"r{k}": widgets.Dropdown(options=options, value=value,
                                         description=f"review {k}",
                                         layout=widgets.Layout(width="220px"))
               for k, value in enumerate(ratings, start=1)}

    def draw(ax, **chosen: int) -> str:
        given = [chosen[f"r{k}"] for k in range(1, 6)]
        runs = {"SM-2": space_reviews(given, SM2()),
                "FSRS": space_reviews(given, FSRS(fuzz=False))}
        plot_spacing(runs, ax)
        return spacing_table_html(runs)

    return LivePlot(draw, pickers, figsize=(9, 2.7), grid=(1, 1), text_is_html=True,
                    rows=[["r1", "r2", "r3"], ["r4", "r5"]],
                    margins={"left": 0.07, "right": 0.98, "bottom": 0.2, "top": 0.96})


# -- the progress dashboard ------------------------------------------------------------
#: The parsed decks, with the (path, mtime, size) of every file they came from.
_DECK_CACHE: dict[str | None, tuple[tuple, list[Deck]]] = {}


def shipped_decks(directory: str | os.PathLike | None = None) -> list[Deck]:
    """The decks of ``directory`` (default: the shipped decks), parsed once and parsed
    again only when a deck file is added, removed or changed (by mtime and size), so a
    dashboard refresh does not re-read unchanged YAML. Raises DeckError as
    ``load_decks`` does."""
    paths = deck_paths(directory)
    stamp = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in paths)
    key = None if directory is None else os.fspath(directory)
    cached = _DECK_CACHE.get(key)
    if cached is not None and cached[0] == stamp:
        return list(cached[1])
    decks = list(load_decks(directory).values())
    _DECK_CACHE[key] = (stamp, decks)
    return list(decks)


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 5, 10, 20, 50, ... that is at least ``value`` (and 1 for
    anything up to 1): an axis top that stays put while counts grow a little."""
    top = 1.0
    while top < value:
        for step in (2.0, 2.5, 2.0):  # 1 -> 2 -> 5 -> 10
            top *= step
            if top >= value:
                break
    return top


#: The least top of the dashboard's count axes: a new learner's first reviews (and an
#: empty forecast) fit without the scale changing at every one.
DASHBOARD_MIN_TOP = 5.0
#: Fixed margins of the dashboard's two panels on draw_stats's 10 x 3.6 inch figure.
DASHBOARD_MARGINS: dict[str, float] = {"left": 0.06, "right": 0.99, "bottom": 0.16,
                                       "top": 0.91, "wspace": 0.12}


def dashboard(store: ReviewStore | None = None, directory: str | os.PathLike | None = None,
              clock: Callable[[], datetime] | None = None):
    """A "Refresh dashboard" button above the stats table and figure of every deck
    (``deck_stats``, ``draw_stats``), from ``store`` (default: the learner's).

    Each click reads the store again; the decks are re-read only if their files changed
    (``shipped_decks``), and the figure is drawn again only if the numbers it shows
    changed. It is drawn with fixed margins instead of draw_stats's constrained layout,
    which costs as much as the drawing itself, and from kept frame pixels when its axes
    are as before (``bpcourse.live.FrameStore``). The widget's ``refreshes`` counts clicks
    and ``redraws`` the figures drawn.
    """
    import ipywidgets as widgets
    from matplotlib.gridspec import GridSpec

    from ..flashcards.plot import draw_stats
    from ..flashcards.stats import review_history
    from ..flashcards.store import shared_store
    from ..live import FrameStore

    clock = clock or (lambda: datetime.now(timezone.utc))
    button = widgets.Button(description="Refresh dashboard", icon="refresh",
                            button_style="info", layout=widgets.Layout(width="180px"))
    when = widgets.HTML()
    table = widgets.HTML()
    image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%", height="auto"))
    box = widgets.VBox([button, when, table, image])
    box.refreshes, box.redraws = 0, 0
    shown: list[object] = [None]
    frames = FrameStore()

    def refresh(_button=None) -> None:
        now = clock()
        reviews = store if store is not None else shared_store()
        report = deck_stats(shipped_decks(directory), store=reviews, now=now)
        history = review_history(reviews, now)
        when.value = f"Updated at {now.astimezone():%H:%M:%S}."
        table.value = report._repr_html_()
        numbers = (report.decks, report.total, tuple(map(tuple, history.values())))
        if numbers != shown[0]:
            figure = draw_stats(report, history)
            figure.set_layout_engine("none")
            for ax in figure.axes[:2]:  # a few reviews more keep the scale, and the frame
                ax.set_ylim(0, nice_ceiling(max(ax.get_ylim()[1], DASHBOARD_MIN_TOP)))
            cells = GridSpec(1, 2, left=DASHBOARD_MARGINS["left"],
                             right=DASHBOARD_MARGINS["right"],
                             bottom=DASHBOARD_MARGINS["bottom"], top=DASHBOARD_MARGINS["top"],
                             wspace=DASHBOARD_MARGINS["wspace"])
            for k, ax in enumerate(figure.axes[:2]):
                ax.set_position(cells[k].get_position(figure))
            figure.set_dpi(80)
            image.value = frames.render(figure)
            shown[0] = numbers
            box.redraws += 1
        box.refreshes += 1

    button.on_click(refresh)
    box.refresh = refresh
    refresh()
    return box
