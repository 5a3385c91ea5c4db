"""One reviewed card in a learner's progress summary."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bpcourse.flashcards.deck import CARD_ID

from . import fields


@dataclass(frozen=True)
class CardSummary:
    """A card the learner has reviewed on schedule at least once.

    ``reviews`` counts scheduled reviews (practice excluded); ``lapses`` those after the
    first that were rated 1 or 2 (a miss), so ``lapses <= reviews - 1``. ``last_rating`` is
    the latest rating of any kind (practice included: it is where the learner stands now),
    ``last_review`` its time, and ``due`` when the scheduler brings the card back.
    """

    card_id: str
    deck: str
    reviews: int
    lapses: int
    last_rating: int
    last_review: datetime
    due: datetime

    @property
    def graded(self) -> int:
        """Reviews that could be passed or missed: all but the first."""
        return self.reviews - 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "card_id": self.card_id,
            "deck": self.deck,
            "reviews": self.reviews,
            "lapses": self.lapses,
            "last_rating": self.last_rating,
            "last_review": self.last_review.isoformat(),
            "due": self.due.isoformat(),
        }

    @classmethod
    def from_dict(cls, data: object, where: str = "card") -> CardSummary:
        """Checked as described in ``fields``; SummaryError says what is wrong."""
        item = fields.mapping(data, where)
        reviews = fields.count(item, "reviews", where, minimum=1)
        lapses = fields.count(item, "lapses", where)
        if lapses > reviews - 1:
            raise fields.SummaryError(f"{where}.lapses: {lapses} lapses in {reviews} reviews "
                                      "(the first review cannot be a lapse)")
        rating = fields.count(item, "last_rating", where, minimum=1)
        if rating > 5:
            raise fields.SummaryError(f"{where}.last_rating: must be from 1 to 5, got {rating}")
        return cls(
            card_id=fields.text(item, "card_id", where, CARD_ID),
            deck=fields.text(item, "deck", where, CARD_ID),
            reviews=reviews,
            lapses=lapses,
            last_rating=rating,
            last_review=fields.moment(item, "last_review", where),
            due=fields.moment(item, "due", where),
        )
