"""Each card's schedule state, derived by replaying the review log through a scheduler.

Replaying the whole log takes seconds, so ``load_progress`` starts from the states saved in
the schedule cache (``schedule_cache.py``) and replays only the reviews logged since; a
card is replayed from its whole history when a new review is older than its last review
(a clock set back, a review recorded with an earlier ``when``).

Practice reviews are in the log but never change a schedule, so replay skips them.

A damaged cache never stops a load: cached rows that cannot be read make the load replay
the whole log (and drop the cache, which the next load rebuilds), and a cached state whose
JSON cannot be decoded is derived again from that card's reviews when it is first used.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from itertools import groupby
from operator import attrgetter
from typing import Any

from . import schedule_cache
from .schedule_cache import CachedCard
from .schedulers import Scheduler, ScheduleState
from .store import Review, ReviewStore, from_micros, to_micros


class CardProgress:
    """A reviewed card: its due date, first and last review, number of reviews (practice
    excluded) and its scheduler state (``state``, decoded on first use)."""

    __slots__ = ("card_id", "due", "first_review", "last_review", "reviews", "_state",
                 "_json", "_scheduler", "_recover")

    def __init__(self, card_id: str, due: datetime, first_review: datetime,
                 last_review: datetime, reviews: int, state: ScheduleState | None = None,
                 state_json: str = "", scheduler: Scheduler | None = None,
                 recover: Callable[[str], CardProgress | None] | None = None):
        """Pass either ``state`` or its JSON and the scheduler that decodes it; ``recover``
        derives the card again (from the log) should the JSON not decode."""
        self.card_id = card_id
        self.due = due
        self.first_review = first_review
        self.last_review = last_review
        self.reviews = reviews
        self._state = state
        self._json = state_json
        self._scheduler = scheduler
        self._recover = recover

    @classmethod
    def from_state(cls, card_id: str, state: ScheduleState, first_review: datetime,
                   reviews: int) -> CardProgress:
        return cls(card_id, state.due, first_review, state.last_review, reviews, state=state)

    @property
    def state(self) -> ScheduleState:
        if self._state is None:
            if self._scheduler is None:
                raise ValueError(f"{self!r} has neither a state nor a scheduler to decode it")
            try:
                self._state = self._scheduler.state_from_dict(json.loads(self._json))
            except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as exc:
                fresh = self._recover(self.card_id) if self._recover is not None else None
                if fresh is None:
                    raise ValueError(f"the cached schedule state of card {self.card_id!r} "
                                     "cannot be decoded") from exc
                self.due, self.first_review = fresh.due, fresh.first_review
                self.last_review, self.reviews = fresh.last_review, fresh.reviews
                self._state = fresh.state
        return self._state

    @property
    def interval(self) -> timedelta:
        """The interval chosen at the last review (due minus last review)."""
        return self.due - self.last_review

    def to_dict(self) -> dict[str, Any]:
        return {
            "card_id": self.card_id,
            "state": self.state.to_dict(),
            "first_review": self.first_review.isoformat(),
            "reviews": self.reviews,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], scheduler: Scheduler) -> CardProgress:
        state = scheduler.state_from_dict(data["state"])
        first = datetime.fromisoformat(data["first_review"])
        return cls.from_state(data["card_id"], state, first, int(data["reviews"]))

    def to_cached(self) -> CachedCard:
        """The card as a row of the schedule cache."""
        return CachedCard(
            self.card_id,
            to_micros(self.due),
            to_micros(self.first_review),
            to_micros(self.last_review),
            self.reviews,
            json.dumps(self.state.to_dict(), separators=(",", ":")),
        )

    @classmethod
    def from_cached(cls, cached: CachedCard, scheduler: Scheduler,
                    recover: Callable[[str], CardProgress | None] | None = None
                    ) -> CardProgress:
        """A card from the schedule cache; ``scheduler`` decodes its state when it is used.
        TypeError or OverflowError for times that cannot be read (hand edits); a state
        that cannot be decoded is derived again with ``recover`` when it is used."""
        if type(cached.reviews) is not int:  # counted on by every later review
            raise TypeError(f"cached review count {cached.reviews!r} is not a number")
        return cls(
            cached.card_id,
            from_micros(cached.due_us),
            from_micros(cached.first_us),
            from_micros(cached.last_us),
            cached.reviews,
            state_json=cached.state_json,
            scheduler=scheduler,
            recover=recover,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CardProgress):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    def __repr__(self) -> str:
        return (f"CardProgress({self.card_id!r}, due={self.due.isoformat()}, "
                f"reviews={self.reviews})")


def advance(
    scheduler: Scheduler, progress: CardProgress | None, card_id: str, rating: int, when: datetime
) -> CardProgress:
    """The progress after one (non-practice) review."""
    state = scheduler.review(progress.state if progress else None, rating, when, card_id=card_id)
    if progress is None:
        return CardProgress.from_state(card_id, state, state.last_review, 1)
    return CardProgress.from_state(card_id, state, progress.first_review, progress.reviews + 1)


def replay(
    scheduler: Scheduler, card_id: str, reviews: Iterable[Review],
    start: CardProgress | None = None,
) -> CardProgress | None:
    """Replay ``reviews`` (oldest first) of one card from ``start``; None if never reviewed."""
    progress = start
    for review in reviews:
        if not review.practice:
            try:
                progress = advance(scheduler, progress, card_id, review.rating,
                                   review.reviewed_at)
            except OverflowError:
                continue  # a time so late that its next due date is past the calendar's end
    return progress


def _by_card(reviews: list[Review]) -> Iterator[tuple[str, list[Review]]]:
    """Reviews ordered by card then time -> (card_id, reviews) groups."""
    for card_id, group in groupby(reviews, key=attrgetter("card_id")):
        yield card_id, list(group)


def _rebuild(store: ReviewStore, scheduler: Scheduler) -> dict[str, CardProgress]:
    log_max_id, reviews = schedule_cache.full_log(store)
    result = {}
    for card_id, history in _by_card(reviews):
        progress = replay(scheduler, card_id, history)
        if progress is not None:
            result[card_id] = progress
    cached = [p.to_cached() for p in result.values()]
    schedule_cache.save_unless_busy(store, scheduler.key, None, log_max_id, cached,
                                    replace_all=True)
    return result


def _recoverer(store: ReviewStore, scheduler: Scheduler,
               upto: int) -> Callable[[str], CardProgress | None]:
    """Derive a card from its reviews up to row ``upto`` (what its cached state covered),
    and drop the damaged cache so that the next load rebuilds it."""

    def recover(card_id: str) -> CardProgress | None:
        schedule_cache.invalidate(store, scheduler.key)
        history = [r for r in store.reviews(card_id) if r.id is not None and r.id <= upto]
        return replay(scheduler, card_id, history)

    return recover


def load_progress(store: ReviewStore, scheduler: Scheduler) -> dict[str, CardProgress]:
    """The progress of every card reviewed at least once (not counting practice), by id."""
    snapshot = schedule_cache.snapshot(store, scheduler.key)
    if snapshot.cached_max_id is None:
        return _rebuild(store, scheduler)
    recover = _recoverer(store, scheduler, snapshot.cached_max_id)
    try:
        result = {
            cached.card_id: CardProgress.from_cached(cached, scheduler, recover)
            for cached in snapshot.cards
        }
    except (ValueError, TypeError, OverflowError):
        schedule_cache.invalidate(store, scheduler.key)
        return _rebuild(store, scheduler)
    if not snapshot.new_reviews:
        return result
    changed = {}
    for card_id, reviews in _by_card(snapshot.new_reviews):
        before = result.get(card_id)
        if before is not None and any(r.reviewed_at < before.last_review for r in reviews):
            # An older review arrived late: replay the whole card, up to this snapshot only.
            history = [r for r in store.reviews(card_id)
                       if r.id is not None and r.id <= snapshot.log_max_id]
            progress = replay(scheduler, card_id, history)
        else:
            progress = replay(scheduler, card_id, reviews, start=before)
        if progress is not None:
            result[card_id] = changed[card_id] = progress
    schedule_cache.save_unless_busy(
        store, scheduler.key, snapshot.cached_max_id, snapshot.log_max_id,
        [p.to_cached() for p in changed.values()], replace_all=False,
    )
    return result
