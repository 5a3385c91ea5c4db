"""One card of the class report's "hardest cards" list: what to re-teach."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class HardCard:
    """A card's record over the whole class.

    ``lapses`` adds up every learner's misses after a card's first review; ``graded`` the
    reviews that could be missed (all but each learner's first); ``retention`` is
    ``1 - lapses / graded`` (None before any second review). ``learners`` reviewed the
    card, ``lapsed`` of them missed it at least once. ``front`` is the card's question as
    plain text ("" for a card this bpcourse's decks do not hold).
    """

    card_id: str
    deck: str
    front: str
    learners: int
    lapsed: int
    lapses: int
    graded: int

    @property
    def retention(self) -> float | None:
        return 1 - self.lapses / self.graded if self.graded else None

    def sort_key(self) -> tuple[int, float, str]:
        """Most lapses first, then lowest retention, then by id (a stable order)."""
        retention = self.retention
        return (-self.lapses, 2.0 if retention is None else retention, self.card_id)

    def to_dict(self) -> dict[str, Any]:
        return {"card_id": self.card_id, "deck": self.deck, "front": self.front,
                "learners": self.learners, "lapsed": self.lapsed, "lapses": self.lapses,
                "graded": self.graded, "retention": self.retention}
