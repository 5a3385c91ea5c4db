"""Spaced-repetition schedulers: SM-2 and FSRS behind one small interface.

Both schedulers take the learner's raw self-rating, 1 ("not at all") to 5 ("perfectly"),
and answer one question::

    state = scheduler.review(state_or_None, rating, now, card_id="...")

``None`` stands for a card never reviewed. ``now`` and ``state.due`` are timezone-aware UTC
datetimes (naive datetimes raise ValueError: a learner's local clock would silently shift
every due date). States are never stored as the truth: the review log is, and a card's state
is the result of replaying its log through a scheduler, so switching scheduler loses nothing.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Any, Protocol, TypeVar

from .days import check_utc
from .ratings import check_rating


def _iso(when: datetime) -> str:
    return when.isoformat()


def _from_iso(text: str) -> datetime:
    return datetime.fromisoformat(text)


class ScheduleState(Protocol):
    """What every scheduler state offers (SM2State, FSRSState)."""

    @property
    def due(self) -> datetime: ...

    @property
    def last_review(self) -> datetime: ...

    def to_dict(self) -> dict[str, Any]: ...


S = TypeVar("S", bound=ScheduleState)


class Scheduler(Protocol[S]):
    """The common interface of SM2 (a ``Scheduler[SM2State]``) and FSRS
    (a ``Scheduler[FSRSState]``): each takes and returns its own kind of state."""

    key: str

    def review(self, state: S | None, rating: int, now: datetime, *, card_id: str = "") -> S: ...

    def state_from_dict(self, data: dict[str, Any]) -> S: ...


# --------------------------------------------------------------------------------------
# SM-2


@dataclass(frozen=True)
class SM2State:
    """A card's SM-2 state after its latest review.

    ``easiness`` (EF) is a Fraction: EF moves in steps of 0.02 and intervals are
    ``ceil(interval * EF)``, so with floats 6 * 2.0 could come out as 12.000000000000002 and
    round up to 13 days. ``interval`` is in whole days.
    """

    due: datetime
    interval: int
    easiness: Fraction
    repetitions: int
    last_review: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "due": _iso(self.due),
            "interval": self.interval,
            "easiness": str(self.easiness),  # "59/25": exact, parsed back by Fraction
            "repetitions": self.repetitions,
            "last_review": _iso(self.last_review),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SM2State:
        return cls(
            due=_from_iso(data["due"]),
            interval=int(data["interval"]),
            easiness=Fraction(data["easiness"]),
            repetitions=int(data["repetitions"]),
            last_review=_from_iso(data["last_review"]),
        )


class SM2(Scheduler[SM2State]):
    """The classic SuperMemo-2 algorithm, with the quality q equal to the 1-5 rating.

    After every review::

        EF <- max(1.3, EF + 0.1 - (5 - q) * (0.08 + (5 - q) * 0.02))     (EF starts at 2.5)

    If q >= 3 the repetition count n goes up by one and the interval is 1 day (n = 1),
    6 days (n = 2), else ceil(previous interval * EF) with EF as it was *before* this
    review. If q < 3, n goes back to 0 and the interval is 1 day. The time of the review
    relative to the due date plays no part (as in the original algorithm).
    """

    key = "sm2-v1"
    INITIAL_EASINESS = Fraction(5, 2)
    MIN_EASINESS = Fraction(13, 10)

    def review(
        self, state: SM2State | None, rating: int, now: datetime, *, card_id: str = ""
    ) -> SM2State:
        """The state after rating the card ``rating`` at ``now`` (``card_id`` is unused)."""
        q = check_rating(rating)
        now = check_utc(now)
        easiness = state.easiness if state else self.INITIAL_EASINESS
        repetitions = state.repetitions if state else 0
        previous = state.interval if state else 0
        if q >= 3:
            repetitions += 1
            if repetitions == 1:
                interval = 1
            elif repetitions == 2:
                interval = 6
            else:
                interval = math.ceil(previous * easiness)
        else:
            repetitions, interval = 0, 1
        worse = 5 - q
        easiness = max(
            self.MIN_EASINESS,
            easiness + Fraction(1, 10) - worse * (Fraction(8, 100) + worse * Fraction(2, 100)),
        )
        return SM2State(
            due=now + timedelta(days=interval),
            interval=interval,
            easiness=easiness,
            repetitions=repetitions,
            last_review=now,
        )

    def state_from_dict(self, data: dict[str, Any]) -> SM2State:
        return SM2State.from_dict(data)

    def __repr__(self) -> str:
        return "SM2()"


# --------------------------------------------------------------------------------------
# FSRS


@dataclass(frozen=True)
class FSRSState:
    """A card's FSRS state: py-fsrs's Card fields plus ``reps``, the number of reviews.

    ``state`` is py-fsrs's State value (1 learning, 2 review, 3 relearning); ``step`` is the
    learning step (None in review). ``reps`` seeds the fuzz, see FSRS.
    """

    due: datetime
    state: int
    step: int | None
    stability: float | None
    difficulty: float | None
    last_review: datetime
    reps: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "due": _iso(self.due),
            "state": self.state,
            "step": self.step,
            "stability": self.stability,
            "difficulty": self.difficulty,
            "last_review": _iso(self.last_review),
            "reps": self.reps,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FSRSState:
        return cls(
            due=_from_iso(data["due"]),
            state=int(data["state"]),
            step=data["step"],
            stability=data["stability"],
            difficulty=data["difficulty"],
            last_review=_from_iso(data["last_review"]),
            reps=int(data["reps"]),
        )


def fuzz_seed(card_id: str, reps: int) -> str:
    """The seed of the fuzz drawn at review number ``reps`` (0-based) of ``card_id``."""
    return f"{card_id}#{reps}"


# (start, end, factor), in days: py-fsrs's fuzz ranges (Anki's). Longer intervals may move
# by more days, but by a smaller share of their length.
FUZZ_RANGES = ((2.5, 7.0, 0.15), (7.0, 20.0, 0.1), (20.0, math.inf, 0.05))


def fuzzed_interval(interval: timedelta, draw: float, maximum_interval: int = 36500) -> timedelta:
    """py-fsrs's fuzz of a review ``interval``, for the random number ``draw`` in [0, 1).

    A port of py-fsrs's private ``Scheduler._get_fuzzed_interval``, which draws its number
    from the global generator: here the caller passes it, so that a replay draws the same.
    ``tests/test_flashcards_fsrs.py`` holds the two to the same interval for the same number.
    """
    days = interval.days
    if days < 2.5:
        return interval
    spread = 1.0
    for start, end, factor in FUZZ_RANGES:
        spread += factor * max(min(float(days), end) - start, 0.0)
    high = min(round(days + spread), maximum_interval)
    low = min(max(2, round(days - spread)), high)
    # Same operations in the same order as py-fsrs: equal floats, so equal rounding.
    return timedelta(days=min(round(draw * (high - low + 1) + low), maximum_interval))


class FSRS(Scheduler[FSRSState]):
    """FSRS through the ``fsrs`` package (py-fsrs); due dates are exactly py-fsrs's.

    Ratings map to FSRS's four buttons: 1 and 2 -> Again, 3 -> Hard, 4 -> Good, 5 -> Easy.

    Fuzz: with ``fuzz=True`` review intervals are spread by a few percent with a random
    number, as py-fsrs does, so that cards learnt together do not stay bunched together.
    Because states are rebuilt by replaying the log, that number must be the same on every
    replay, which py-fsrs's own fuzz (drawn from the global generator) cannot give. So
    py-fsrs schedules without fuzz, and ``fuzzed_interval``, py-fsrs's formula, spreads the
    interval with ``random.Random(fuzz_seed(card_id, reps)).random()``: random-looking
    across cards and reviews, reproducible, no global state touched, and the due date
    py-fsrs would give had its own generator drawn that number.
    """

    def __init__(self, desired_retention: float = 0.9, fuzz: bool = True):
        import fsrs  # lazy: keeps `import bpcourse.flashcards` light

        self.desired_retention = desired_retention
        self.fuzz = fuzz
        self._fsrs = fsrs
        self._scheduler = fsrs.Scheduler(desired_retention=desired_retention,
                                         enable_fuzzing=False)
        self._ratings = {
            1: fsrs.Rating.Again,
            2: fsrs.Rating.Again,
            3: fsrs.Rating.Hard,
            4: fsrs.Rating.Good,
            5: fsrs.Rating.Easy,
        }
        version = getattr(fsrs, "__version__", None) or _dist_version("fsrs")
        self.key = f"fsrs-{version}-r{desired_retention}-fuzz{int(fuzz)}"

    def review(
        self, state: FSRSState | None, rating: int, now: datetime, *, card_id: str = ""
    ) -> FSRSState:
        """The state after rating the card ``rating`` at ``now``; ``card_id`` seeds the fuzz."""
        fsrs_rating = self._ratings[check_rating(rating)]
        now = check_utc(now)
        reps = state.reps if state else 0
        card, _log = self._scheduler.review_card(self._to_card(state, now), fsrs_rating, now)
        due = card.due
        # py-fsrs fuzzes exactly here: after a review that leaves the card in review state.
        if self.fuzz and card.state == self._fsrs.State.Review:
            draw = random.Random(fuzz_seed(card_id, reps)).random()
            due = now + fuzzed_interval(card.due - now, draw, self._scheduler.maximum_interval)
        if card.last_review is None:  # py-fsrs sets it on every review; this narrows the type
            raise RuntimeError("py-fsrs returned a reviewed card without its review time")
        return FSRSState(
            due=due,
            state=int(card.state),
            step=card.step,
            stability=card.stability,
            difficulty=card.difficulty,
            last_review=card.last_review,
            reps=reps + 1,
        )

    def _to_card(self, state: FSRSState | None, now: datetime) -> Any:
        fsrs = self._fsrs
        if state is None:
            return fsrs.Card(card_id=0, due=now)  # an explicit id: py-fsrs sleeps 1 ms otherwise
        return fsrs.Card(
            card_id=0,
            state=fsrs.State(state.state),
            step=state.step,
            stability=state.stability,
            difficulty=state.difficulty,
            due=state.due,
            last_review=state.last_review,
        )

    def state_from_dict(self, data: dict[str, Any]) -> FSRSState:
        return FSRSState.from_dict(data)

    def __repr__(self) -> str:
        return f"FSRS(desired_retention={self.desired_retention}, fuzz={self.fuzz})"


def _dist_version(name: str) -> str:
    from importlib.metadata import version

    return version(name)


def get_scheduler(name: str = "fsrs") -> Scheduler[Any]:
    """A scheduler by name: "fsrs" (the default) or "sm2"."""
    if name == "fsrs":
        return FSRS()
    if name == "sm2":
        return SM2()
    raise ValueError(f"unknown scheduler {name!r}; choose 'fsrs' or 'sm2'")
