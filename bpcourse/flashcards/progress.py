"""Each card's schedule state, derived by replaying the review log through a scheduler.

Replaying 200,000 reviews through FSRS takes seconds, so the derived states are cached in
the store, per scheduler (``scheduler.key``), together with the log position they cover
(number of rows and largest row id). Because the log is append-only, bringing the cache up
to date means replaying only the rows added since. The cache is rebuilt from scratch when
its position does not add up (rows missing) and per card when a new row is older than the
card's last review (a clock set back, a review recorded with an earlier ``when``).

Practice reviews are in the log but never change a schedule, so replay skips them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby

from .schedulers import Scheduler, ScheduleState
from .store import LogPosition, Review, ReviewStore


@dataclass(frozen=True)
class CardProgress:
    """A reviewed card: its schedule state, when it was first seen, how many reviews."""

    card_id: str
    state: ScheduleState
    first_review: datetime
    reviews: int

    @property
    def due(self) -> datetime:
        return self.state.due

    def to_dict(self) -> dict:
        return {
            "card_id": self.card_id,
            "state": self.state.to_dict(),
            "first_review": self.first_review.isoformat(),
            "reviews": self.reviews,
        }

    @classmethod
    def from_dict(cls, data: dict, scheduler: Scheduler) -> CardProgress:
        return cls(
            card_id=data["card_id"],
            state=scheduler.state_from_dict(data["state"]),
            first_review=datetime.fromisoformat(data["first_review"]),
            reviews=int(data["reviews"]),
        )


def advance(
    scheduler: Scheduler, progress: CardProgress | None, card_id: str, rating: int, when: datetime
) -> CardProgress:
    """The progress after one (non-practice) review."""
    state = scheduler.review(progress.state if progress else None, rating, when, card_id=card_id)
    if progress is None:
        return CardProgress(card_id, state, state.last_review or when, 1)
    return CardProgress(card_id, state, progress.first_review, progress.reviews + 1)


def replay(
    scheduler: Scheduler, card_id: str, reviews: Iterable[Review],
    start: CardProgress | None = None,
) -> CardProgress | None:
    """Replay ``reviews`` (oldest first) of one card from ``start``; None if never reviewed."""
    progress = start
    for review in reviews:
        if not review.practice:
            progress = advance(scheduler, progress, card_id, review.rating, review.reviewed_at)
    return progress


def _by_card(rows: list[tuple]) -> Iterable[tuple[str, list[Review]]]:
    """Rows ordered by card then time -> (card_id, reviews) groups."""
    for card_id, group in groupby(rows, key=lambda row: row[1]):
        yield card_id, [Review.from_row(row) for row in group]


def _encode(progress: CardProgress) -> str:
    return json.dumps(progress.to_dict(), separators=(",", ":"))


def _rebuild(store: ReviewStore, scheduler: Scheduler, based_on: LogPosition | None):
    position, rows = store.full_log()
    result = {}
    for card_id, reviews in _by_card(rows):
        progress = replay(scheduler, card_id, reviews)
        if progress is not None:
            result[card_id] = progress
    encoded = {card_id: _encode(p) for card_id, p in result.items()}
    store.save_cache(scheduler.key, based_on, position, encoded, replace_all=True)
    return result


def load_progress(store: ReviewStore, scheduler: Scheduler) -> dict[str, CardProgress]:
    """The progress of every card reviewed at least once (not counting practice), by id."""
    snapshot = store.cache_snapshot(scheduler.key)
    cached = snapshot.cached
    if cached is None or cached.rows + len(snapshot.new_rows) != snapshot.position.rows:
        return _rebuild(store, scheduler, cached)
    result = {
        card_id: CardProgress.from_dict(json.loads(text), scheduler)
        for card_id, text in snapshot.states.items()
    }
    if not snapshot.new_rows:
        return result
    changed = {}
    for card_id, reviews in _by_card(snapshot.new_rows):
        before = result.get(card_id)
        last = before.state.last_review if before else None
        if last is not None and any(r.reviewed_at < last for r in reviews):
            # An older review arrived late: replay the whole card, up to this snapshot only.
            history = [r for r in store.reviews(card_id) if r.id <= snapshot.position.max_id]
            progress = replay(scheduler, card_id, history)
        else:
            progress = replay(scheduler, card_id, reviews, start=before)
        if progress is not None:
            result[card_id] = changed[card_id] = progress
    encoded = {card_id: _encode(p) for card_id, p in changed.items()}
    store.save_cache(scheduler.key, cached, snapshot.position, encoded, replace_all=False)
    return result
