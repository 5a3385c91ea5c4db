"""Progress derived from the log: its dict form, and loading it while the store is busy."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta, timezone

from bpcourse.flashcards import SM2, ReviewStore
from bpcourse.flashcards.progress import CardProgress, load_progress

T0 = datetime(2024, 5, 1, 9, 0, tzinfo=timezone.utc)


def test_card_progress_round_trips_through_json():
    scheduler = SM2()
    state = scheduler.review(scheduler.review(None, 5, T0), 4, T0 + timedelta(days=1))
    progress = CardProgress.from_state("c1", state, T0, reviews=2)
    again = CardProgress.from_dict(json.loads(json.dumps(progress.to_dict())), scheduler)
    assert again == progress
    assert (again.due, again.reviews, again.interval) == (progress.due, 2, timedelta(days=6))


def test_progress_loads_while_another_program_holds_the_store(tmp_path):
    # The schedule cache is only a shortcut: a busy store must not stop the quiz.
    path = tmp_path / "r.sqlite3"
    with ReviewStore(path, timeout=0.2) as store:
        store.record("a", 5, T0)
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            progress = load_progress(store, SM2())
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert progress["a"].due == T0 + timedelta(days=1)
        assert load_progress(store, SM2())["a"] == progress["a"]  # cache filled later
