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

import copy
import functools
import inspect
import math
import random
import types
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from fractions import Fraction
from typing import Protocol

RATINGS = (1, 2, 3, 4, 5)
RATING_LABELS = {1: "Not at all", 2: "Barely", 3: "Partly", 4: "Mostly", 5: "Perfectly"}


def check_rating(rating: object) -> int:
    """Return ``rating`` if it is an int from 1 to 5, else raise ValueError.

    Strict on purpose: ``True`` (a bool is an int in Python), ``3.5`` and ``"3"`` are
    mistakes, and storing them would corrupt the log that every schedule is derived from.
    """
    if type(rating) is not int or rating not in RATINGS:
        raise ValueError(f"rating must be an int from 1 to 5, got {rating!r}")
    return rating


def check_utc(when: object, name: str = "now") -> datetime:
    """``when`` converted to UTC; naive datetimes (and non-datetimes) raise ValueError."""
    if not isinstance(when, datetime):
        raise ValueError(f"{name} must be a datetime, got {when!r}")
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (e.g. datetime.now(timezone.utc))")
    return when.astimezone(timezone.utc)


def _iso(when: datetime | None) -> str | None:
    return when.isoformat() if when is not None else None


def _from_iso(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text is not None else None


class ScheduleState(Protocol):
    """What every scheduler state offers (SM2State, FSRSState)."""

    due: datetime
    last_review: datetime | None

    def to_dict(self) -> dict: ...


class Scheduler(Protocol):
    """The common interface of SM2 and FSRS."""

    key: str

    def review(
        self, state: ScheduleState | None, rating: int, now: datetime, *, card_id: str = ""
    ) -> ScheduleState: ...

    def state_from_dict(self, data: dict) -> ScheduleState: ...


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

    def to_dict(self) -> dict:
        return {
            "due": _iso(self.due),
            "interval": self.interval,
            "easiness": str(self.easiness),  # "59/25": exact, parsed back by Fraction
            "repetitions": self.repetitions,
            "last_review": _iso(self.last_review),
        }

    @classmethod
    def from_dict(cls, data: dict) -> SM2State:
        return cls(
            due=_from_iso(data["due"]),
            interval=int(data["interval"]),
            easiness=Fraction(data["easiness"]),
            repetitions=int(data["repetitions"]),
            last_review=_from_iso(data["last_review"]),
        )


class SM2:
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
        if q >= 3:
            repetitions += 1
            if repetitions == 1:
                interval = 1
            elif repetitions == 2:
                interval = 6
            else:
                interval = math.ceil(state.interval * easiness)
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

    def state_from_dict(self, data: dict) -> SM2State:
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
    last_review: datetime | None
    reps: int

    def to_dict(self) -> dict:
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
    def from_dict(cls, data: dict) -> FSRSState:
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


class FSRS:
    """FSRS through the ``fsrs`` package (py-fsrs); due dates are exactly py-fsrs's.

    Ratings map to FSRS's four buttons: 1 and 2 -> Again, 3 -> Hard, 4 -> Good, 5 -> Easy.

    Fuzz: with ``fuzz=True`` py-fsrs spreads review intervals by a few percent with a random
    number so that cards learnt together do not stay bunched together. Because states are
    rebuilt by replaying the log, that number must be the same on every replay: we run
    py-fsrs's own fuzz code with ``random.Random(fuzz_seed(card_id, reps)).random`` in place
    of the global ``random.random``. So the fuzz is random-looking across cards and reviews
    but reproducible, and with the same number py-fsrs gives the same due date.
    """

    def __init__(self, desired_retention: float = 0.9, fuzz: bool = True):
        import fsrs  # lazy: keeps `import bpcourse.flashcards` light

        if fuzz:
            _checked_fuzz_function()  # fail here, with a clear message, not mid-review
        self.desired_retention = desired_retention
        self.fuzz = fuzz
        self._fsrs = fsrs
        self._scheduler = _seeded_scheduler_class()(
            desired_retention=desired_retention, enable_fuzzing=fuzz
        )
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
        card = self._to_card(state, now)
        reps = state.reps if state else 0
        scheduler = copy.copy(self._scheduler)  # a copy per review: no shared mutable seed
        scheduler.fuzz_seed = fuzz_seed(card_id, reps)
        card, _log = scheduler.review_card(card, fsrs_rating, now)
        return FSRSState(
            due=card.due,
            state=int(card.state),
            step=card.step,
            stability=card.stability,
            difficulty=card.difficulty,
            last_review=card.last_review,
            reps=reps + 1,
        )

    def _to_card(self, state: FSRSState | None, now: datetime):
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

    def state_from_dict(self, data: dict) -> FSRSState:
        return FSRSState.from_dict(data)

    def __repr__(self) -> str:
        return f"FSRS(desired_retention={self.desired_retention}, fuzz={self.fuzz})"


def _dist_version(name: str) -> str:
    from importlib.metadata import version

    return version(name)


class FuzzHookError(RuntimeError):
    """The installed ``fsrs`` no longer has the fuzz function that FSRS's seeding reuses."""


def fuzz_hook_problems(function: object) -> list[str]:
    """What (if anything) stops us from re-running ``function`` as py-fsrs's fuzz.

    The seeding relies on private details of py-fsrs 6.3: ``Scheduler._get_fuzzed_interval``
    is a plain function ``(self, *, interval)`` without closure variables, and it draws its
    number by calling the module-level name ``random``, a function (``from random import
    random``), which we can swap for a seeded one. Each broken assumption is one item of
    the result.
    """
    if not isinstance(function, types.FunctionType):
        return [f"Scheduler._get_fuzzed_interval is a {type(function).__name__}, not a function"]
    problems = []
    params = inspect.signature(function).parameters
    shape = [(name, p.kind) for name, p in params.items()]
    if shape != [("self", inspect.Parameter.POSITIONAL_OR_KEYWORD),
                 ("interval", inspect.Parameter.KEYWORD_ONLY)]:
        problems.append(f"its signature is {inspect.signature(function)}, not (self, *, interval)")
    if function.__code__.co_freevars:
        problems.append(f"it has closure variables {function.__code__.co_freevars}")
    if "random" not in function.__code__.co_names:
        problems.append("it no longer reads the global name `random`")
    elif not _plain_callable(function.__globals__.get("random")):
        # e.g. `import random` then `random.random()`: swapping in a function would break it
        problems.append("its global `random` is not a function")
    return problems


def _plain_callable(value: object) -> bool:
    return callable(value) and not isinstance(value, (types.ModuleType, type))


@functools.cache
def _checked_fuzz_function() -> types.FunctionType:
    """py-fsrs's fuzz function, once ``fuzz_hook_problems`` finds nothing wrong with it."""
    from fsrs import Scheduler

    function = getattr(Scheduler, "_get_fuzzed_interval", None)
    problems = fuzz_hook_problems(function)
    if problems:
        raise FuzzHookError(
            f"bpcourse's reproducible FSRS fuzz does not fit the installed fsrs "
            f"{_dist_version('fsrs')} (it was written for fsrs 6.3): "
            + "; ".join(problems)
            + ". Install fsrs>=6.3,<6.4, or use FSRS(fuzz=False)."
        )
    return function


@functools.cache
def _seeded_scheduler_class() -> type:
    """A subclass of py-fsrs's Scheduler whose fuzz is seeded by ``self.fuzz_seed``.

    py-fsrs's ``_get_fuzzed_interval`` calls the module-level name ``random``. We run that
    very function (its code object) with a copy of its module globals in which ``random``
    is a generator seeded with ``self.fuzz_seed``: py-fsrs's formula, our numbers, and no
    global state touched. This leans on private details of py-fsrs, checked by
    ``fuzz_hook_problems`` before first use.
    """
    from fsrs import Scheduler

    class SeededScheduler(Scheduler):
        fuzz_seed: str = ""

        def _get_fuzzed_interval(self, *, interval: timedelta) -> timedelta:
            original = _checked_fuzz_function()
            rng = random.Random(self.fuzz_seed)
            fuzz_globals = dict(original.__globals__, random=rng.random)
            fuzz = types.FunctionType(original.__code__, fuzz_globals, original.__name__)
            return fuzz(self, interval=interval)

    return SeededScheduler


def get_scheduler(name: str = "fsrs") -> Scheduler:
    """A scheduler by name: "fsrs" (the default) or "sm2"."""
    if name == "fsrs":
        return FSRS()
    if name == "sm2":
        return SM2()
    raise ValueError(f"unknown scheduler {name!r}; choose 'fsrs' or 'sm2'")
