"""Benchmark the flashcard store: 10,000 cards and 200,000 logged reviews.

One card in ten is a practice card, whose reviews carry an instance seed, the answer given
and whether it was right (schema 3). Prints the median time of
  (a) opening the store and computing today's queue (target: under 200 ms),
  (b) recording one rating and rescheduling that card (target: under 20 ms), and
  (c) a practice review: drawing the instance, checking a typed answer, recording it with
      its seed and answer, and rescheduling (target: under 100 ms, so Check feels instant),
with the default scheduler (FSRS) on a temporary store. Also prints, for information, the
one-off cost of building the schedule cache from the whole log (first run after an upgrade
or a change of scheduler).

    python bench/flashcards.py
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bpcourse.flashcards import FSRS, ReviewStore
from bpcourse.flashcards.deck import Card
from bpcourse.flashcards.progress import load_progress, replay
from bpcourse.flashcards.session import build_queue
from bpcourse.flashcards.store import Review
from bpcourse.practice import draw, generator_names

CARDS = 10_000
REVIEWS = 200_000
RUNS_QUEUE = 15
RUNS_RECORD = 50
TARGET_QUEUE_MS = 200
TARGET_RECORD_MS = 20
TARGET_PRACTICE_MS = 100
PRACTICE_EVERY = 10  # every 10th card is a practice card


def make_log(now: datetime, rng: random.Random) -> list[Review]:
    """20 reviews a card at random times over the last two years, mostly good ratings."""
    per_card = REVIEWS // CARDS
    reviews = []
    for index in range(CARDS):
        times = sorted(rng.uniform(1, 730) for _ in range(per_card))
        for days_ago in reversed(times):
            rating = rng.choices((1, 2, 3, 4, 5), weights=(1, 1, 2, 4, 2))[0]
            review = Review(f"card-{index:05d}", rating, now - timedelta(days=days_ago))
            if index % PRACTICE_EVERY == 0:
                right = rating >= 3
                review = Review(review.card_id, rating, review.reviewed_at,
                                seed=rng.randrange(2**32), answer="0.125" if right else "0.2",
                                correct=right)
            reviews.append(review)
    return reviews


def median_ms(samples: list[float]) -> float:
    return 1000 * statistics.median(samples)


def main() -> int:
    rng = random.Random(1)
    now = datetime.now(timezone.utc)
    cards = [Card(f"card-{i:05d}", "front", "back", deck="bench") for i in range(CARDS)]
    scheduler = FSRS()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "reviews.sqlite3"
        with ReviewStore(path) as store:
            store.record_many(make_log(now, rng))
            started = time.perf_counter()
            load_progress(store, scheduler)
            rebuild = time.perf_counter() - started

        queue_times, queue_length = [], 0
        for _ in range(RUNS_QUEUE):
            started = time.perf_counter()
            with ReviewStore(path) as store:
                queue_length = len(build_queue(cards, load_progress(store, scheduler), now))
            queue_times.append(time.perf_counter() - started)

        record_times = []
        with ReviewStore(path) as store:
            for _ in range(RUNS_RECORD):
                card_id = rng.choice(cards).id
                started = time.perf_counter()
                store.record(card_id, rng.randint(1, 5))
                replay(scheduler, card_id, store.reviews(card_id))
                record_times.append(time.perf_counter() - started)
            practice_times = []
            names = generator_names()
            for run in range(RUNS_RECORD):
                card_id = cards[PRACTICE_EVERY * rng.randrange(CARDS // PRACTICE_EVERY)].id
                started = time.perf_counter()
                number = len(store.reviews(card_id)) + 1
                instance = draw(names[run % len(names)], card_id, number)
                verdict = instance.check("0.125" if instance.kind != "shape" else "(2, 3)")
                store.record(card_id, rng.randint(1, 5), seed=instance.seed, answer="0.125",
                             correct=verdict.ok)
                replay(scheduler, card_id, store.reviews(card_id))
                practice_times.append(time.perf_counter() - started)
            # the queue again, now that the cache must catch up with the new reviews
            started = time.perf_counter()
            build_queue(cards, load_progress(store, scheduler), now)
            catch_up = time.perf_counter() - started

    queue_ms, record_ms = median_ms(queue_times), median_ms(record_times)
    practice_ms, practice_worst = median_ms(practice_times), 1000 * max(practice_times)
    print(f"flashcards: {CARDS} cards, {REVIEWS} reviews, scheduler {scheduler!r}")
    print(f"  one-off cache build from the whole log: {1000 * rebuild:.0f} ms")
    print(f"  (a) open store + today's queue ({queue_length} cards): median {queue_ms:.1f} ms "
          f"(target < {TARGET_QUEUE_MS} ms)")
    print(f"  (b) record a rating + reschedule: median {record_ms:.1f} ms "
          f"(target < {TARGET_RECORD_MS} ms)")
    print(f"  (c) practice review (draw + check + record + reschedule): median "
          f"{practice_ms:.1f} ms, slowest {practice_worst:.0f} ms "
          f"(target < {TARGET_PRACTICE_MS} ms)")
    print(f"  queue after {2 * RUNS_RECORD} new reviews (cache catch-up): {1000 * catch_up:.1f} ms")
    ok = (queue_ms < TARGET_QUEUE_MS and record_ms < TARGET_RECORD_MS
          and practice_ms < TARGET_PRACTICE_MS)
    print("  targets met" if ok else "  TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
