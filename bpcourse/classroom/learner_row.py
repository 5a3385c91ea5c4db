"""One learner's line of the class report."""

from __future__ import annotations

from dataclasses import dataclass

from .deck_summary import DeckSummary
from .summary import ProgressSummary


@dataclass(frozen=True)
class LearnerRow:
    """A learner's summary (from the file ``file``) with what the report works out of it:
    cards due today (at the report's time), and retention over 30 days across all decks
    (``retention_reviews`` reviews; None when there were none)."""

    file: str
    summary: ProgressSummary
    decks: dict[str, DeckSummary]
    due_today: int
    retention: float | None
    retention_reviews: int

    @property
    def learner(self) -> str:
        return self.summary.learner
