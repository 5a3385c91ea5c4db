"""Sessions: the daily queue, the 4 am day boundary, limits, re-drill, practice; and the
schedule states derived from the log (with their cache) staying equal to a plain replay."""

import os
import sqlite3
import subprocess
import sys
import time
from datetime import date, datetime, timedelta, timezone
from fractions import Fraction
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pytest

from bpcourse.flashcards import FSRS, SM2, Limits, ReviewSession, ReviewStore, build_queue
from bpcourse.flashcards import schedule_cache as cache
from bpcourse.flashcards.days import day_bounds, learning_day
from bpcourse.flashcards.deck import Card
from bpcourse.flashcards.progress import load_progress, replay
from bpcourse.flashcards.session import next_due
from bpcourse.flashcards.store import Review

ROOT = Path(__file__).resolve().parents[2]
UTC = timezone.utc
PLUS2 = timezone(timedelta(hours=2))  # the learner's local time in these tests
# 10:00 local on 1 March 2024
T0 = datetime(2024, 3, 1, 10, 0, tzinfo=PLUS2).astimezone(UTC)
CARDS = [Card(f"c{i:02d}", f"front {i}", f"back {i}", deck="test") for i in range(15)]


def session(store, now, scheduler=None, cards=CARDS, **kwargs):
    return ReviewSession(cards, store, scheduler or SM2(), now=now, tz=PLUS2, **kwargs)


# -- learning days ---------------------------------------------------------------------


def test_learning_day_starts_at_4_am_local_time():
    just_before = datetime(2024, 3, 2, 3, 59, tzinfo=PLUS2)
    at_four = datetime(2024, 3, 2, 4, 0, tzinfo=PLUS2)
    assert learning_day(just_before, PLUS2) == date(2024, 3, 1)
    assert learning_day(at_four, PLUS2) == date(2024, 3, 2)
    # 03:30 local is 01:30 UTC: still the previous learning day, whatever the UTC date
    assert learning_day(datetime(2024, 3, 2, 1, 30, tzinfo=UTC), PLUS2) == date(2024, 3, 1)
    start, end = day_bounds(just_before, PLUS2)
    assert start == datetime(2024, 3, 1, 2, 0, tzinfo=UTC)  # 04:00 local
    assert end == datetime(2024, 3, 2, 2, 0, tzinfo=UTC)


@pytest.fixture
def paris():
    try:
        return ZoneInfo("Europe/Paris")
    except ZoneInfoNotFoundError:
        pytest.skip("no time zone data on this computer")


# Summer time in Paris starts on Sun 31 March 2024 (02:00 CET -> 03:00 CEST) and ends on
# Sun 27 October 2024. 4 am is 03:00 UTC in winter (+1) and 02:00 UTC in summer (+2), so
# the learning day Sat 30 March runs 03:00 UTC to 02:00 UTC: 23 hours.
SPRING = [datetime(2024, 3, 30, 22, 0, tzinfo=UTC),  # 23:00 CET on Sat 30 March
          datetime(2024, 3, 30, 3, 0, tzinfo=UTC), datetime(2024, 3, 31, 2, 0, tzinfo=UTC)]
AUTUMN = [datetime(2024, 10, 26, 22, 30, tzinfo=UTC),  # 00:30 CEST on Sun 27 October
          datetime(2024, 10, 26, 2, 0, tzinfo=UTC), datetime(2024, 10, 27, 3, 0, tzinfo=UTC)]


@pytest.mark.parametrize("now, start, end", [SPRING, AUTUMN], ids=["spring", "autumn"])
def test_day_bounds_follow_summer_time(paris, now, start, end):
    assert day_bounds(now, paris) == (start, end)
    assert start.astimezone(paris).hour == end.astimezone(paris).hour == 4


def test_day_bounds_in_the_computers_own_zone_follow_summer_time(paris):
    # tz=None means the computer's zone: set it with TZ (time.tzset) in a fresh process.
    code = (
        "import time; time.tzset()\n"
        "from datetime import datetime, timezone\n"
        "from bpcourse.flashcards.days import day_bounds\n"
        "for when in ('2024-03-30T22:00', '2024-10-26T22:30'):\n"
        "    now = datetime.fromisoformat(when).replace(tzinfo=timezone.utc)\n"
        "    print(*(b.isoformat() for b in day_bounds(now)))\n"
    )
    if not hasattr(time, "tzset"):
        pytest.skip("time.tzset is Unix only")
    env = dict(os.environ, TZ="Europe/Paris", PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    expected = [f"{SPRING[1].isoformat()} {SPRING[2].isoformat()}",
                f"{AUTUMN[1].isoformat()} {AUTUMN[2].isoformat()}"]
    assert result.stdout.splitlines() == expected


def test_due_tomorrow_ends_at_4_am_after_a_change_to_summer_time(store, paris):
    # SM-2: 4 then 4 gives 1 then 6 days, so c00 falls due on Sun 31 March at 03:30 CEST
    # (01:30 UTC), before tomorrow's 4 am; c01 at 04:30 CEST (02:30 UTC), after it.
    for card_id, minute in [("c00", 90), ("c01", 150)]:
        first = datetime(2024, 3, 24, 0, 0, tzinfo=UTC) + timedelta(minutes=minute)
        store.record(card_id, 4, first)
        store.record(card_id, 4, first + timedelta(days=1))
    friday = datetime(2024, 3, 29, 9, 0, tzinfo=UTC)  # 10:00 CET; tomorrow is Sat 30 March
    drill = ReviewSession(CARDS[:2], store, SM2(), now=friday, tz=paris)
    assert drill.due_tomorrow() == 1


# -- the queue ---------------------------------------------------------------------------


def test_new_cards_are_limited_per_learning_day(store):
    first = session(store, T0)
    assert [c.id for c in first._queue] == [f"c{i:02d}" for i in range(10)]
    while first.current is not None:
        first.answer(5)
    # later the same day (until 04:00 tomorrow, local): no new cards left today
    late = datetime(2024, 3, 2, 3, 59, tzinfo=PLUS2)
    assert session(store, late).current is None
    # the next learning day: the 5 remaining new cards plus the 10 due (SM-2: 1 day)
    next_day = session(store, datetime(2024, 3, 2, 4, 0, tzinfo=PLUS2))
    assert [c.id for c in next_day._queue] == [f"c{i:02d}" for i in [*range(10), *range(10, 15)]]


def test_due_cards_come_first_earliest_first_then_new_cards(store):
    for card_id, days_ago in [("c03", 3), ("c01", 1), ("c07", 2)]:
        store.record(card_id, 4, T0 - timedelta(days=days_ago))  # SM-2: due a day later
    queue = build_queue(CARDS, load_progress(store, SM2()), T0, Limits(new_per_day=2), PLUS2)
    assert [c.id for c in queue] == ["c03", "c07", "c01", "c00", "c02"]


def test_card_due_later_today_is_in_todays_queue_but_not_one_due_after_4_am(store):
    store.record("c00", 4, T0 - timedelta(days=1) + timedelta(hours=8))  # due 18:00 today
    store.record("c01", 4, T0 - timedelta(days=1) + timedelta(hours=19))  # due 05:00 tomorrow
    queue = build_queue(CARDS[:2], load_progress(store, SM2()), T0, Limits(), PLUS2)
    assert [c.id for c in queue] == ["c00"]


def test_daily_review_cap(store):
    for card in CARDS:
        store.record(card.id, 4, T0 - timedelta(days=3))
    limits = Limits(reviews_per_day=4)
    today = ReviewSession(CARDS, store, SM2(), now=T0, limits=limits, tz=PLUS2)
    assert today.total == 4
    for _ in range(4):
        today.answer(5)
    later = ReviewSession(CARDS, store, SM2(), now=T0 + timedelta(hours=1), limits=limits,
                          tz=PLUS2)
    assert later.current is None
    when, _card = later.next_due()
    assert when == day_bounds(T0, PLUS2)[1]  # the cap lifts when the next day starts


def test_limit_caps_the_session(store):
    assert session(store, T0, limit=3).total == 3


def test_fsrs_learning_card_waits_for_its_step(store):
    first = ReviewSession(CARDS[:1], store, FSRS(), now=T0, tz=PLUS2)
    first.answer(4)  # FSRS: Good on a new card, next learning step in 10 minutes
    step_due = T0 + timedelta(minutes=10)
    assert load_progress(store, FSRS())["c00"].due == step_due
    # 20 s later the step has not passed: nothing to do, and the card is due in 10 min
    early = ReviewSession(CARDS[:1], store, FSRS(), now=T0 + timedelta(seconds=20), tz=PLUS2)
    assert early.current is None
    assert early.next_due() == (step_due, CARDS[0])
    # once it has passed, the card is back and its answer is a real review
    on_time = ReviewSession(CARDS[:1], store, FSRS(), now=step_due, tz=PLUS2)
    assert on_time.current == CARDS[0]
    on_time.answer(4)
    assert [(r.rating, r.practice, r.reviewed_at) for r in store.reviews()] == [
        (4, False, T0), (4, False, step_due)]


def test_next_due_is_now_for_a_card_the_queue_shows_now(store):
    store.record("c00", 4, T0 - timedelta(days=1) + timedelta(hours=8))  # SM-2: due 18:00 today
    progress = load_progress(store, SM2())
    assert build_queue(CARDS[:1], progress, T0, Limits(), PLUS2) == CARDS[:1]
    assert next_due(CARDS[:1], progress, T0, Limits(), PLUS2) == (T0, CARDS[0])


def test_next_due_leaves_out_new_cards_when_new_cards_are_switched_off(store):
    no_new = Limits(new_per_day=0)
    assert next_due(CARDS[:3], {}, T0, no_new, PLUS2) == (None, None)
    store.record("c02", 5, T0 - timedelta(hours=2))  # SM-2: due in 22 h
    progress = load_progress(store, SM2())
    assert next_due(CARDS[:3], progress, T0, no_new, PLUS2) == (T0 + timedelta(hours=22),
                                                              CARDS[2])


# -- re-drill and practice ---------------------------------------------------------------


def test_cards_rated_below_4_come_back_until_rated_4_or_5(store):
    drill = session(store, T0, cards=CARDS[:2])
    assert drill.current.id == "c00"
    drill.answer(2)  # back of the queue
    assert drill.progress_text() == "2 / 2 · 1 to repeat"
    assert drill.current.id == "c01"
    drill.answer(5)
    assert drill.current.id == "c00"
    drill.answer(3)  # still below 4: again
    assert drill.current.id == "c00"
    drill.answer(4)
    assert drill.current is None and drill.finished
    log = [(r.card_id, r.rating, r.practice) for r in store.reviews()]
    # SM-2's re-drill: only the first answer of the day weighs on the schedule
    assert log == [("c00", 2, False), ("c01", 5, False), ("c00", 3, True), ("c00", 4, True)]
    state = load_progress(store, SM2())["c00"].state
    assert (state.repetitions, state.interval, state.easiness) == (0, 1, Fraction("2.18"))
    summary = drill.summary()
    assert (summary.answers, summary.cards, summary.practice) == (4, 2, 2)
    assert summary.ratings == {2: 1, 3: 1, 4: 1, 5: 1}


def test_redrill_counts_as_a_review_once_fsrs_says_the_card_is_due(store):
    clock = [T0]
    drill = ReviewSession(CARDS[:1], store, FSRS(), now=lambda: clock[0], tz=PLUS2)
    drill.answer(1)  # FSRS: Again, due in 1 minute
    clock[0] = T0 + timedelta(seconds=30)
    drill.answer(2)  # not due yet: logged as practice
    clock[0] = T0 + timedelta(minutes=2)
    drill.answer(4)  # due again: a real review (FSRS's learning step)
    assert [(r.rating, r.practice) for r in store.reviews()] == [(1, False), (2, True), (4, False)]
    assert drill.finished


def test_practice_anyway_never_changes_the_schedule(store):
    for card in CARDS[:3]:
        store.record(card.id, 5, T0 - timedelta(hours=1))
    limits = Limits(new_per_day=0)
    assert session(store, T0, cards=CARDS[:3], limits=limits).current is None
    before = load_progress(store, FSRS())
    practice = ReviewSession(CARDS[:3], store, FSRS(), now=T0, practice=True, tz=PLUS2)
    assert practice.preview() == dict.fromkeys(range(1, 6))  # no interval: nothing changes
    practice.answer(1)  # comes back, as practice again
    while not practice.finished:
        practice.answer(5)
    assert len(practice.answers) == 4
    assert [r.practice for r in store.reviews()] == [False] * 3 + [True] * 4
    assert load_progress(store, FSRS()) == before


def test_bad_rating_in_a_session_stores_nothing_and_keeps_the_card(store):
    drill = session(store, T0)
    for bad in (0, 6, 3.5, "3", None):
        with pytest.raises(ValueError):
            drill.answer(bad)
    assert store.reviews() == [] and drill.current.id == "c00"


def test_preview_shows_what_each_rating_would_give(store):
    preview = session(store, T0).preview()
    assert preview == {r: timedelta(days=1) for r in range(1, 6)}  # SM-2, new card
    fsrs_preview = session(store, T0, scheduler=FSRS()).preview()
    assert fsrs_preview[1] == timedelta(minutes=1) and fsrs_preview[4] == timedelta(minutes=10)


def test_next_due_when_nothing_is_left(store):
    store.record("c00", 5, T0 - timedelta(hours=2))  # SM-2: due in 22 h
    when, card = next_due(CARDS[:1], load_progress(store, SM2()), T0, Limits(), PLUS2)
    assert (when, card.id) == (T0 + timedelta(hours=22), "c00")


# -- derived state and its cache -------------------------------------------------------


def plain_replay(store, scheduler):
    by_card = {}
    for review in store.reviews():
        by_card.setdefault(review.card_id, []).append(review)
    result = {cid: replay(scheduler, cid, reviews) for cid, reviews in by_card.items()}
    return {cid: p for cid, p in result.items() if p is not None}


@pytest.mark.parametrize("scheduler", [SM2(), FSRS()], ids=["sm2", "fsrs"])
def test_cached_progress_always_equals_a_plain_replay(store, scheduler):
    when = T0
    for step in range(30):
        store.record(f"c{step % 4}", 1 + step * 7 % 5, when, practice=step % 9 == 0)
        when += timedelta(hours=5 + step)
        if step % 7 == 0:  # the cache catches up incrementally
            assert load_progress(store, scheduler) == plain_replay(store, scheduler)
    # a review that arrives late, older than the card's last one
    store.record("c1", 2, T0 + timedelta(hours=1))
    assert load_progress(store, scheduler) == plain_replay(store, scheduler)
    # only practice since the last load
    store.record("c2", 5, when, practice=True)
    assert load_progress(store, scheduler) == plain_replay(store, scheduler)
    # a fresh process (new connection) reads the same from the cache
    with ReviewStore(store.path) as again:
        assert load_progress(again, scheduler) == plain_replay(store, scheduler)


def test_cache_is_rebuilt_after_rows_are_changed_by_hand(store):
    for i in range(5):
        store.record("c0", 5, T0 + timedelta(days=i))
    assert load_progress(store, SM2())["c0"].reviews == 5
    conn = sqlite3.connect(store.path)
    conn.execute("DELETE FROM reviews WHERE id > 2")
    conn.commit()
    conn.close()
    assert load_progress(store, SM2())["c0"].reviews == 2


def test_switching_scheduler_loses_nothing(store):
    reviews = [Review("c0", r, T0 + timedelta(days=d)) for r, d in [(4, 0), (4, 1), (5, 7)]]
    store.record_many(reviews)
    load_progress(store, FSRS())  # builds the FSRS cache
    sm2 = load_progress(store, SM2())["c0"].state
    assert (sm2.repetitions, sm2.interval, sm2.easiness) == (3, 15, Fraction("2.6"))
    fsrs_state = load_progress(store, FSRS())["c0"].state
    assert fsrs_state == replay(FSRS(), "c0", reviews).state


def test_stale_cache_update_is_not_written(store):
    store.record("c0", 4, T0)
    load_progress(store, SM2())
    snapshot = cache.snapshot(store, SM2().key)
    store.record("c0", 4, T0 + timedelta(days=1))
    load_progress(store, SM2())  # another reader brings the cache forward first
    assert not cache.save(store, SM2().key, snapshot.cached_max_id - 1, 99, [],
                          replace_all=False)
    assert cache.snapshot(store, SM2().key).cached_max_id == 2
