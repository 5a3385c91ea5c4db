"""One deck in a learner's progress summary: the counts ``bpcourse stats`` shows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bpcourse.flashcards.deck import CARD_ID

from . import fields


@dataclass(frozen=True)
class DeckSummary:
    """A deck's counts when the learner shared (definitions in ``flashcards.stats``).

    ``new + learning + mature == cards``; ``due`` (due that learning day, overdue included)
    counts reviewed cards only. ``retention`` is the share of the last 30 days' reviews
    (first reviews and practice aside) rated 3 or more, over ``retention_reviews``
    reviews; None when there were none. ``practice_answers`` and ``practice_correct``
    count answers whose correctness the store recorded (practice cards); both are None
    when the learner's bpcourse records no correctness.
    """

    deck: str
    title: str
    cards: int
    new: int
    learning: int
    mature: int
    due: int
    retention: float | None
    retention_reviews: int
    practice_answers: int | None = None
    practice_correct: int | None = None

    @property
    def started(self) -> int:
        """Cards reviewed at least once."""
        return self.learning + self.mature

    def to_dict(self) -> dict[str, Any]:
        return {
            "deck": self.deck,
            "title": self.title,
            "cards": self.cards,
            "new": self.new,
            "learning": self.learning,
            "mature": self.mature,
            "due": self.due,
            "retention": self.retention,
            "retention_reviews": self.retention_reviews,
            "practice_answers": self.practice_answers,
            "practice_correct": self.practice_correct,
        }

    @classmethod
    def from_dict(cls, data: object, where: str = "deck") -> DeckSummary:
        """Checked as described in ``fields``; SummaryError says what is wrong."""
        item = fields.mapping(data, where)
        summary = cls(
            deck=fields.text(item, "deck", where, CARD_ID),
            title=fields.text(item, "title", where),
            cards=fields.count(item, "cards", where),
            new=fields.count(item, "new", where),
            learning=fields.count(item, "learning", where),
            mature=fields.count(item, "mature", where),
            due=fields.count(item, "due", where),
            retention=fields.fraction(item, "retention", where),
            retention_reviews=fields.count(item, "retention_reviews", where),
            practice_answers=fields.optional_count(item, "practice_answers", where),
            practice_correct=fields.optional_count(item, "practice_correct", where),
        )
        summary._check(where)
        return summary

    def _check(self, where: str) -> None:
        if self.new + self.learning + self.mature != self.cards:
            raise fields.SummaryError(
                f"{where}: new + learning + mature ({self.new} + {self.learning} + "
                f"{self.mature}) is not the number of cards ({self.cards})")
        if self.due > self.started:
            raise fields.SummaryError(f"{where}.due: {self.due} cards due, but only "
                                      f"{self.started} were ever reviewed")
        if (self.retention is None) != (self.retention_reviews == 0):
            raise fields.SummaryError(f"{where}.retention: must be null exactly when "
                                      "retention_reviews is 0")
        if (self.practice_answers is None) != (self.practice_correct is None):
            raise fields.SummaryError(f"{where}: practice_answers and practice_correct must "
                                      "both be given or both be null")
        if (self.practice_answers is not None and self.practice_correct is not None
                and self.practice_correct > self.practice_answers):
            raise fields.SummaryError(f"{where}.practice_correct: {self.practice_correct} "
                                      f"correct of {self.practice_answers} answers")
