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

from typing import Any

from .anki import export_anki
from .deck import Card, Deck, DeckError, Problem, check_decks, load_deck, load_decks
from .progress import CardProgress, load_progress
from .ratings import Rating
from .schedulers import FSRS, SM2, FSRSState, Scheduler, SM2State, get_scheduler
from .session import DeckByDeck, Limits, ReviewSession, build_queue
from .stats import DeckStats, StatsReport, deck_stats
from .store import Review, ReviewStore, StoreError, default_store_path


def __getattr__(name: str) -> Any:
    # ``quiz`` lives with the widget and ``plot_stats`` with the figure, and ipywidgets and
    # matplotlib are slow to import: load them on first use, so that the CLI and
    # ``import bpcourse.flashcards`` stay quick.
    if name == "quiz":
        from .widget import quiz

        return quiz
    if name == "plot_stats":
        from .plot import plot_stats

        return plot_stats
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "FSRS",
    "SM2",
    "Card",
    "CardProgress",
    "Deck",
    "DeckByDeck",
    "DeckError",
    "DeckStats",
    "FSRSState",
    "Limits",
    "Problem",
    "Rating",
    "Review",
    "ReviewSession",
    "ReviewStore",
    "SM2State",
    "Scheduler",
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
