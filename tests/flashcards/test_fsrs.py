"""FSRS: our due dates must be exactly py-fsrs's for the same reviews."""

import math
import random
import sys
from datetime import datetime, timedelta, timezone

import fsrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bpcourse.flashcards import FSRS
from bpcourse.flashcards.schedulers import fuzz_seed, fuzzed_interval

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=timezone.utc)
MAPPING = {
    1: fsrs.Rating.Again, 2: fsrs.Rating.Again, 3: fsrs.Rating.Hard,
    4: fsrs.Rating.Good, 5: fsrs.Rating.Easy,
}


# py-fsrs's fuzz calls the name `random` of the module that defines its Scheduler
# (fsrs.scheduler from 6.1 on, fsrs.fsrs in 6.0): a test can make it return our numbers.
PY_FSRS_MODULE = sys.modules[fsrs.Scheduler.__module__]


def py_fsrs_cards(reviews, fuzz, card_id, monkeypatch):
    """py-fsrs itself, fed the same reviews; with fuzz, its global random() is replaced by
    the number our scheduler draws for that review, so the due dates must agree."""
    reference = fsrs.Scheduler(desired_retention=0.9, enable_fuzzing=fuzz)
    card = fsrs.Card(card_id=1, due=reviews[0][1])
    cards = []
    for index, (rating, when) in enumerate(reviews):
        monkeypatch.setattr(
            PY_FSRS_MODULE, "random", random.Random(fuzz_seed(card_id, index)).random
        )
        card, _log = reference.review_card(card, MAPPING[rating], when)
        cards.append(card)
    return cards


def our_states(reviews, fuzz, card_id):
    scheduler, state, states = FSRS(desired_retention=0.9, fuzz=fuzz), None, []
    for rating, when in reviews:
        state = scheduler.review(state, rating, when, card_id=card_id)
        states.append(state)
    return states


def assert_same(ours, theirs):
    assert len(ours) == len(theirs)
    for index, (state, card) in enumerate(zip(ours, theirs, strict=True)):
        assert state.due == card.due, f"review {index}"
        assert (state.state, state.step) == (int(card.state), card.step), f"review {index}"
        assert state.stability == card.stability and state.difficulty == card.difficulty


def on_due_dates(ratings):
    """Each review exactly when the previous one made the card due."""
    reviews, scheduler, state, when = [], FSRS(fuzz=False), None, T0
    for rating in ratings:
        reviews.append((rating, when))
        state = scheduler.review(state, rating, when, card_id="x")
        when = state.due
    return reviews


SEQUENCES = {
    "learning steps then review": on_due_dates([4, 4, 4, 4, 4, 4]),
    "every rating": on_due_dates([1, 2, 3, 4, 5, 3, 2, 4, 5, 5]),
    "lapse and relearn": on_due_dates([5, 5, 5, 1, 3, 4, 4, 5]),
    "early and late reviews": [
        (4, T0), (4, T0 + timedelta(minutes=3)), (3, T0 + timedelta(days=2, hours=5)),
        (5, T0 + timedelta(days=2, hours=6)), (1, T0 + timedelta(days=90)),
        (4, T0 + timedelta(days=90, minutes=20)), (4, T0 + timedelta(days=200)),
    ],
}


@pytest.mark.parametrize("fuzz", [False, True], ids=["no-fuzz", "fuzz"])
@pytest.mark.parametrize("name", SEQUENCES)
def test_due_dates_equal_py_fsrs(name, fuzz, monkeypatch):
    reviews = SEQUENCES[name]
    ours = our_states(reviews, fuzz, "card-a")
    assert_same(ours, py_fsrs_cards(reviews, fuzz, "card-a", monkeypatch))


@settings(max_examples=40, deadline=None)
@given(
    steps=st.lists(
        st.tuples(st.integers(1, 5), st.integers(0, 200 * 24 * 60)), min_size=1, max_size=12
    ),
    fuzz=st.booleans(),
)
def test_any_review_history_equals_py_fsrs(steps, fuzz):
    reviews, when = [], T0
    for rating, minutes_later in steps:
        when += timedelta(minutes=minutes_later)
        reviews.append((rating, when))
    with pytest.MonkeyPatch.context() as monkeypatch:
        expected = py_fsrs_cards(reviews, fuzz, "card-h", monkeypatch)
    assert_same(our_states(reviews, fuzz, "card-h"), expected)


def test_ratings_map_to_again_hard_good_easy():
    scheduler = FSRS(fuzz=False)
    one, two = (scheduler.review(None, r, T0, card_id="c") for r in (1, 2))
    assert one == two  # 1 and 2 are both Again
    # First review of a new card: Again 1 min, Hard 5.5 min (mean of the 1 and 10 min
    # steps), Good 10 min (next step), Easy straight to review for days.
    delays = {r: scheduler.review(None, r, T0, card_id="c").due - T0 for r in (1, 3, 4, 5)}
    assert delays[1] == timedelta(minutes=1)
    assert delays[3] == timedelta(minutes=5, seconds=30)
    assert delays[4] == timedelta(minutes=10)
    assert delays[5] >= timedelta(days=1)


def long_interval_due(card_id, fuzz=True):
    states = our_states(on_due_dates([5, 5, 5, 5]), fuzz, card_id)
    return states[-1].due


def test_fuzz_is_reproducible_varies_across_cards_and_leaves_global_random_alone():
    random.seed(1234)
    expected_next = random.random()
    random.seed(1234)
    first = [long_interval_due(f"card-{i}") for i in range(20)]
    assert random.random() == expected_next  # our fuzz never touched the global generator
    assert first == [long_interval_due(f"card-{i}") for i in range(20)]  # same on replay
    assert len(set(first)) > 3  # but spread across cards
    unfuzzed = long_interval_due("card-0", fuzz=False)
    assert all(abs(due - unfuzzed) <= 0.2 * (unfuzzed - T0) for due in first)


def test_state_round_trips_through_dict():
    states = our_states(on_due_dates([1, 4, 4, 5]), True, "c")
    for state in states:
        assert type(state).from_dict(state.to_dict()) == state


# -- our port of py-fsrs's fuzz -------------------------------------------------------

# Every whole number of days up to a year and a sample beyond, up to past py-fsrs's cap
# (36,500 days); each is also tried 13 hours longer, as the fuzz reads only whole days.
INTERVAL_DAYS = [*range(0, 400), *range(400, 40_000, 97), 36_499, 36_500, 36_501]
EDGE_DRAWS = [0.0, 0.5, math.nextafter(1.0, 0.0)]


def py_fsrs_fuzz(scheduler, interval, draw, monkeypatch):
    """py-fsrs's own fuzz of ``interval``, its random source made to return ``draw``."""
    monkeypatch.setattr(PY_FSRS_MODULE, "random", lambda: draw)
    return scheduler._get_fuzzed_interval(interval=interval)


@pytest.mark.parametrize("maximum_interval", [36_500, 180, 3])
def test_fuzz_port_equals_py_fsrs_fuzz_for_the_same_number(maximum_interval, monkeypatch):
    scheduler = fsrs.Scheduler(maximum_interval=maximum_interval)
    checked = 0
    for days in INTERVAL_DAYS:
        for extra in (timedelta(0), timedelta(hours=13, seconds=1)):
            interval = timedelta(days=days) + extra
            seeded = [random.Random(fuzz_seed(f"card-{c}", days)).random() for c in range(8)]
            for draw in [*seeded, *EDGE_DRAWS]:
                ours = fuzzed_interval(interval, draw, maximum_interval)
                assert ours == py_fsrs_fuzz(scheduler, interval, draw, monkeypatch), (
                    interval, draw)
                checked += 1
    assert checked > 15_000


def test_fsrs_does_not_use_py_fsrs_private_fuzz(monkeypatch):
    """The fuzz is ours: a py-fsrs whose private fuzz changed or vanished changes nothing."""
    reviews = SEQUENCES["lapse and relearn"]
    expected = our_states(reviews, True, "card-p")

    def gone(self, *args, **kwargs):
        raise AssertionError("py-fsrs's own fuzz was called")

    monkeypatch.setattr(fsrs.Scheduler, "_get_fuzzed_interval", gone)
    assert our_states(reviews, True, "card-p") == expected
