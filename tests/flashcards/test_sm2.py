"""SM-2 against sequences worked out by hand, and the rules every scheduler shares."""

from datetime import datetime, timedelta, timezone
from fractions import Fraction

import pytest

from bpcourse.flashcards import FSRS, SM2

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=timezone.utc)

# Worked by hand with EF' = max(1.3, EF + 0.1 - (5-q)(0.08 + (5-q)0.02)), EF0 = 2.5:
#   q:      5     4     3     2     1
#   delta: +0.10  0   -0.14 -0.32 -0.54
# Each row: (q, repetitions n, interval in days, EF after the review).
HAND_WORKED = {
    "always 4": [
        (4, 1, 1, "2.50"), (4, 2, 6, "2.50"), (4, 3, 15, "2.50"),  # ceil(6 * 2.5)
        (4, 4, 38, "2.50"),  # ceil(15 * 2.5) = ceil(37.5)
        (4, 5, 95, "2.50"),  # ceil(38 * 2.5)
    ],
    "always 5": [
        (5, 1, 1, "2.60"), (5, 2, 6, "2.70"),
        (5, 3, 17, "2.80"),  # ceil(6 * 2.7) = ceil(16.2): EF from *before* the review
        (5, 4, 48, "2.90"),  # ceil(17 * 2.8) = ceil(47.6)
    ],
    "EF exactly 2.0": [
        (5, 1, 1, "2.60"),
        (2, 0, 1, "2.28"),  # failed: n back to 0, one day
        (3, 1, 1, "2.14"), (3, 2, 6, "2.00"),
        (4, 3, 12, "2.00"),  # ceil(6 * 2.00) = 12; with floats EF is 2.000000000000001 -> 13
    ],
    "EF floor": [
        (1, 0, 1, "1.96"), (1, 0, 1, "1.42"),
        (1, 0, 1, "1.30"),  # 1.42 - 0.54 = 0.88, floored at 1.3
        (3, 1, 1, "1.30"),  # 1.30 - 0.14, floored
        (3, 2, 6, "1.30"), (3, 3, 8, "1.30"),  # ceil(6 * 1.3) = ceil(7.8)
    ],
    "lapse then relearn": [
        (4, 1, 1, "2.50"), (4, 2, 6, "2.50"), (4, 3, 15, "2.50"),
        (1, 0, 1, "1.96"), (4, 1, 1, "1.96"), (4, 2, 6, "1.96"),
        (4, 3, 12, "1.96"),  # ceil(6 * 1.96) = ceil(11.76)
    ],
}


@pytest.mark.parametrize("name", HAND_WORKED)
def test_sm2_matches_hand_worked_table(name):
    scheduler, state, now = SM2(), None, T0
    for step, (q, n, interval, ef) in enumerate(HAND_WORKED[name], start=1):
        state = scheduler.review(state, q, now)
        assert (state.repetitions, state.interval, state.easiness) == (n, interval, Fraction(ef)), (
            f"{name}, review {step}"
        )
        assert state.due == now + timedelta(days=interval)
        assert state.last_review == now
        now = state.due  # reviewed on the day it falls due


def test_sm2_interval_ignores_review_time_and_is_exact_in_days():
    late = T0 + timedelta(days=40, hours=3, minutes=7)
    state = SM2().review(None, 5, late)
    assert state.due - late == timedelta(days=1)


def test_sm2_state_round_trips_through_dict():
    state = None
    for q in (5, 2, 3):
        state = SM2().review(state, q, T0)
    assert state.to_dict()["easiness"] == "107/50"  # 2.14 kept exact, not 2.1400000000000001
    assert type(state).from_dict(state.to_dict()) == state


@pytest.mark.parametrize("scheduler", [SM2(), FSRS()], ids=["sm2", "fsrs"])
@pytest.mark.parametrize("rating", [0, 6, 3.5, "3", None, True, -1, 4.0])
def test_bad_ratings_raise(scheduler, rating):
    with pytest.raises(ValueError, match="rating"):
        scheduler.review(None, rating, T0)


@pytest.mark.parametrize("scheduler", [SM2(), FSRS()], ids=["sm2", "fsrs"])
def test_naive_datetimes_raise(scheduler):
    with pytest.raises(ValueError, match="timezone-aware"):
        scheduler.review(None, 4, datetime(2024, 3, 1, 9, 0))


@pytest.mark.parametrize("scheduler", [SM2(), FSRS()], ids=["sm2", "fsrs"])
def test_other_time_zones_are_converted_to_utc(scheduler):
    paris = timezone(timedelta(hours=1))
    state = scheduler.review(None, 5, T0.astimezone(paris))
    assert state.due.utcoffset() == timedelta(0)
    assert state.last_review == T0
