r"""What the start page's widgets show: how a scheduler spaces out one card's reviews, what
the five rating buttons would read, and a one-deck overview.

Everything returns plain data, HTML text or a matplotlib Axes, so it is tested without a
browser; the notebook only wires it to ipywidgets. matplotlib is imported (through
``bpcourse.plots``) inside ``plot_spacing`` only.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from fractions import Fraction

from ..flashcards import Deck, ReviewStore, deck_stats, load_deck
from ..flashcards.markup import to_html
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
    interval that rating would give the card in ``state`` (None: a new card) at ``now``."""
    return [
        f"{rating_label(r)} · "
        f"{format_interval(scheduler.review(state, r, now, card_id=card_id).due - now)}"
        for r in RATINGS
    ]


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
