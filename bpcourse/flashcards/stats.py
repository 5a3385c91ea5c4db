"""Progress statistics per deck: counts, retention and a 14-day forecast.

Definitions (all "cards" are the cards of the deck; practice reviews never count):

* **new**: never reviewed.
* **learning**: reviewed, with a current interval under 21 days.
* **mature**: current interval of 21 days or more (new + learning + mature = all cards).
* **due today**: reviewed cards due before the end of the learning day (next 4 am local),
  overdue ones included; they are also counted as learning or mature.
* **retention** (last 30 days): of the reviews in the last 30 days that were not a card's
  first review, the share rated 3 or more ("partly" or better: a 3 is Hard, a pass, in
  FSRS and a correct answer in SM-2). None when there were no such reviews.
* **practice right** (last 30 days): of the checked answers to practice cards (generated
  problems) in the last 30 days, practice sessions included, the share that was right;
  shown beside retention, which measures self-rated recall. None when there were none.
* **forecast**: reviewed cards falling due on each of the next 14 learning days; day 0 is
  today and includes overdue cards. Given for every deck and for all decks together.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any

from .days import DAY_STARTS_AT, check_utc, day_bounds, learning_day, utc_now
from .deck import Deck, select_decks
from .progress import CardProgress, load_progress
from .schedulers import Scheduler, get_scheduler
from .store import Review, ReviewStore, shared_store

MATURE_DAYS = 21
FORECAST_DAYS = 14
RETENTION_DAYS = 30
PASS_RATING = 3


@dataclass(frozen=True)
class DeckStats:
    """The numbers of one deck (or of all decks, ``deck == "all"``)."""

    deck: str
    title: str
    cards: int
    new: int
    learning: int
    mature: int
    due_today: int
    retention: float | None
    retention_reviews: int
    forecast: tuple[int, ...]
    practice_accuracy: float | None = None
    practice_answers: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "forecast": list(self.forecast)}


@dataclass(frozen=True)
class StatsReport:
    """Stats of several decks plus their total; prints as a table, shows as HTML."""

    decks: tuple[DeckStats, ...]
    total: DeckStats
    now: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "now": self.now.isoformat(),
            "decks": [d.to_dict() for d in self.decks],
            "total": self.total.to_dict(),
        }

    def rows(self) -> list[list[str]]:
        header = ["deck", "cards", "new", "learning", "mature", "due today", "retention 30 d",
                  "practice right 30 d"]
        body = [
            [d.deck, str(d.cards), str(d.new), str(d.learning), str(d.mature),
             str(d.due_today), _percent(d.retention), _accuracy(d)]
            for d in (*self.decks, self.total)
        ]
        return [header, *body]

    def forecast_rows(self) -> list[list[str]]:
        """One row per deck (and "all"): the deck's name, then its 14 daily due counts."""
        return [[d.deck, *(str(n) for n in d.forecast)] for d in (*self.decks, self.total)]

    def __str__(self) -> str:
        lines = _align(self.rows(), sep="  ")
        lines.append(f"\nDue in the next {FORECAST_DAYS} days (today first):")
        lines += _align(self.forecast_rows(), sep=" ", after_first="  ")
        return "\n".join(lines)

    def __repr__(self) -> str:
        # The table, not the fields: notebook runs compare the text output of every cell.
        return str(self)

    def _repr_html_(self) -> str:
        header, *body = self.rows()
        header = [*header, f"due in the next {FORECAST_DAYS} days (today first)"]
        forecasts = [" ".join(row[1:]) for row in self.forecast_rows()]
        head = "".join(f"<th>{html.escape(c)}</th>" for c in header)
        cells = "".join(
            "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in (*row, forecast)) + "</tr>"
            for row, forecast in zip(body, forecasts, strict=True)
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{cells}</tbody></table>"


def _align(rows: list[list[str]], sep: str, after_first: str | None = None) -> list[str]:
    """Rows of cells as text columns: the first left-aligned and followed by
    ``after_first`` (default ``sep``), the others right-aligned and joined by ``sep``."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        name, *rest = (cell.ljust(w) if i == 0 else cell.rjust(w)
                       for i, (cell, w) in enumerate(zip(row, widths, strict=True)))
        lines.append(name + (sep if after_first is None else after_first) + sep.join(rest))
    return lines


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.0f} %"


def _accuracy(stats: DeckStats) -> str:
    """ "75 % of 12": the share right and how many answers it rests on."""
    if stats.practice_accuracy is None:
        return "–"
    return f"{_percent(stats.practice_accuracy)} of {stats.practice_answers}"


def _forecast(states: Iterable[CardProgress], now: datetime, tz: tzinfo | None) -> list[int]:
    counts = [0] * FORECAST_DAYS
    today = learning_day(now, tz)
    for progress in states:
        day = max(0, (learning_day(progress.due, tz) - today).days)
        if day < FORECAST_DAYS:
            counts[day] += 1
    return counts


def _retention(
    recent: Iterable[Review], progress: dict[str, CardProgress]
) -> tuple[float | None, int]:
    graded = [
        r.rating >= PASS_RATING for r in recent
        if not r.practice and r.card_id in progress
        and r.reviewed_at > progress[r.card_id].first_review
    ]
    return (sum(graded) / len(graded) if graded else None), len(graded)


def _deck_stats(name: str, title: str, card_ids: list[str], progress: dict[str, CardProgress],
                recent: list[Review], now: datetime, tz: tzinfo | None) -> DeckStats:
    ids = set(card_ids)
    seen = [progress[i] for i in card_ids if i in progress]
    mature = sum(1 for p in seen if p.interval >= timedelta(days=MATURE_DAYS))
    _start, end = day_bounds(now, tz, DAY_STARTS_AT)
    retention, graded = _retention([r for r in recent if r.card_id in ids], progress)
    checked = [r.correct for r in recent if r.card_id in ids and r.correct is not None]
    return DeckStats(
        deck=name,
        title=title,
        cards=len(card_ids),
        new=len(card_ids) - len(seen),
        learning=len(seen) - mature,
        mature=mature,
        due_today=sum(1 for p in seen if p.due < end),
        retention=retention,
        retention_reviews=graded,
        forecast=tuple(_forecast(seen, now, tz)),
        practice_accuracy=sum(checked) / len(checked) if checked else None,
        practice_answers=len(checked),
    )


def deck_stats(
    decks: Iterable[str | Deck] | None = None,
    store: ReviewStore | None = None,
    scheduler: Scheduler | None = None,
    now: datetime | None = None,
    tz: tzinfo | None = None,
) -> StatsReport:
    """Stats of ``decks`` (default: all shipped decks) from ``store`` (default: the learner's).

    See the module docstring for the definitions. ``tz`` (default: local time) sets where
    learning days start.
    """
    loaded = select_decks(decks)
    store = store if store is not None else shared_store()
    scheduler = scheduler if scheduler is not None else get_scheduler()
    now = check_utc(now) if now is not None else utc_now()
    progress = load_progress(store, scheduler)
    recent = store.reviews(since=now - timedelta(days=RETENTION_DAYS))
    per_deck = tuple(
        _deck_stats(d.name, d.title, [c.id for c in d.cards], progress, recent, now, tz)
        for d in loaded
    )
    all_ids = [c.id for d in loaded for c in d.cards]
    total = _deck_stats("all", "All decks", all_ids, progress, recent, now, tz)
    return StatsReport(per_deck, total, now)


def review_history(
    store: ReviewStore, now: datetime, days: int = RETENTION_DAYS, tz: tzinfo | None = None
) -> dict[str, list[int]]:
    """Reviews per learning day over the last ``days`` days (oldest first), split into
    "passed" (rated 3+), "failed" (rated 1-2) and "practice"."""
    history = {"passed": [0] * days, "failed": [0] * days, "practice": [0] * days}
    today = learning_day(now, tz)
    for review in store.reviews(since=now - timedelta(days=days + 1)):
        index = days - 1 - (today - learning_day(review.reviewed_at, tz)).days
        if 0 <= index < days:
            kind = "practice" if review.practice else (
                "passed" if review.rating >= PASS_RATING else "failed")
            history[kind][index] += 1
    return history
