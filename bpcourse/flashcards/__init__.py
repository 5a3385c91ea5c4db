"""Spaced-repetition flashcards: decks, SM-2 and FSRS scheduling, a durable review log,
the notebook quiz widget and progress statistics.

In a notebook::

    from bpcourse.flashcards import quiz, deck_stats, plot_stats
    quiz("chain-rule")        # the quiz widget for one deck
    deck_stats()              # a table of every deck's progress
    plot_stats()              # the 14-day forecast and the review history

ipywidgets and matplotlib are imported only when ``quiz`` / ``plot_stats`` run.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from .anki import export_anki
from .deck import Card, Deck, DeckError, Problem, check_decks, load_deck, load_decks
from .progress import CardProgress, load_progress
from .schedulers import FSRS, SM2, FSRSState, SM2State, get_scheduler
from .session import Limits, ReviewSession, build_queue
from .stats import DeckStats, StatsReport, deck_stats, plot_stats
from .store import Review, ReviewStore, StoreError, default_store_path

if TYPE_CHECKING:
    from .schedulers import Scheduler
    from .widget import QuizWidget


def quiz(
    deck: str | Deck,
    limit: int | None = None,
    store: ReviewStore | None = None,
    scheduler: Scheduler | None = None,
    now: datetime | Callable[[], datetime] | None = None,
) -> QuizWidget:
    """The quiz widget for ``deck`` (a deck name such as ``"chain-rule"``, a path or a Deck).

    Shows the deck's due cards, new ones included within the daily limit (10 a day), at
    most ``limit`` of them: the front, "Show answer", then five rating buttons from
    "1 Not at all" to "5 Perfectly", each with the interval it would give. Every click is
    saved at once to ``store`` (default: the learner's store). ``scheduler`` defaults to
    FSRS; ``now`` (a datetime or a clock function) is for tests.
    """
    from .widget import quiz as make_quiz  # lazy: ipywidgets is slow to import

    return make_quiz(deck, limit=limit, store=store, scheduler=scheduler, now=now)


__all__ = [
    "FSRS",
    "SM2",
    "Card",
    "CardProgress",
    "Deck",
    "DeckError",
    "DeckStats",
    "FSRSState",
    "Limits",
    "Problem",
    "Review",
    "ReviewSession",
    "ReviewStore",
    "SM2State",
    "StatsReport",
    "StoreError",
    "build_queue",
    "check_decks",
    "deck_stats",
    "default_store_path",
    "export_anki",
    "get_scheduler",
    "load_deck",
    "load_decks",
    "load_progress",
    "plot_stats",
    "quiz",
]
