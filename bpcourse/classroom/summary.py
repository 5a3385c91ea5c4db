"""A learner's progress summary: what ``bpcourse share`` writes into a class folder.

The summary is the only thing of a learner's progress that anyone else sees: per deck the
counts of ``bpcourse stats``, and per reviewed card its number of reviews and lapses, its
last rating and when it is due. No answers, no review log, nothing about the learner's
computer. It is a JSON object::

    {"kind": "bpcourse-progress-summary", "version": 1,
     "pseudonym": "learner-3f9a0c1e", "name": null, "shared_at": "2026-...+00:00",
     "bpcourse": "0.1.0", "scheduler": "fsrs",
     "decks": [{"deck": "chain-rule", "title": ..., "cards": 18, "new": 4, ...}, ...],
     "cards": [{"card_id": "cr-outer-inner", "deck": "chain-rule", "reviews": 3, ...}, ...]}

``kind`` tells a summary from any other JSON file; ``version`` is raised whenever a
reader of the old version would misread the new one, and a reader refuses a version newer
than the one it knows (``SUMMARY_VERSION``) with a message saying to upgrade.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bpcourse import __version__
from bpcourse.flashcards.deck import CARD_ID

from . import fields
from .card_summary import CardSummary
from .deck_summary import DeckSummary
from .fields import SummaryError

KIND = "bpcourse-progress-summary"
SUMMARY_VERSION = 1
PSEUDONYM = re.compile(r"learner-[0-9a-f]{8}\Z")
MAX_NAME = 80


@dataclass(frozen=True)
class ProgressSummary:
    """One learner's shared progress. ``name`` is None unless the learner chose to give it;
    ``learner`` is what a report shows (the name, else the pseudonym)."""

    pseudonym: str
    name: str | None
    shared_at: datetime
    decks: tuple[DeckSummary, ...]
    cards: tuple[CardSummary, ...]
    scheduler: str = "fsrs"
    bpcourse: str = __version__
    version: int = SUMMARY_VERSION

    @property
    def learner(self) -> str:
        return self.name if self.name is not None else self.pseudonym

    @property
    def file_name(self) -> str:
        """The summary's file in the class folder: the same at every share, so sharing
        again replaces it, with or without a name."""
        return f"{self.pseudonym}.json"

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": KIND,
            "version": self.version,
            "pseudonym": self.pseudonym,
            "name": self.name,
            "shared_at": self.shared_at.isoformat(),
            "bpcourse": self.bpcourse,
            "scheduler": self.scheduler,
            "decks": [d.to_dict() for d in self.decks],
            "cards": [c.to_dict() for c in self.cards],
        }

    @classmethod
    def from_dict(cls, data: object) -> ProgressSummary:
        """A summary read from JSON, checked field by field. SummaryError says what is
        wrong: not a summary at all, a newer version, or the first field that is off."""
        if not isinstance(data, dict) or data.get("kind") != KIND:
            raise SummaryError(f"not a bpcourse progress summary (no \"kind\": \"{KIND}\")")
        version = data.get("version")
        if type(version) is not int or version < 1:
            raise SummaryError(f"version: must be a whole number, 1 or more, got {version!r}")
        if version > SUMMARY_VERSION:
            raise SummaryError(f"written by a newer bpcourse (summary version {version}; "
                               f"this one reads up to {SUMMARY_VERSION}): upgrade bpcourse")
        name = data.get("name")
        if name is not None:
            fields.check_text(name, "name", limit=MAX_NAME)
        decks = tuple(DeckSummary.from_dict(item, f"decks[{i}]")
                      for i, item in enumerate(fields.entries(fields.field(data, "decks",
                                                                           "summary"), "decks")))
        cards = tuple(CardSummary.from_dict(item, f"cards[{i}]")
                      for i, item in enumerate(fields.entries(fields.field(data, "cards",
                                                                           "summary"), "cards")))
        summary = cls(
            pseudonym=fields.text(data, "pseudonym", "summary", PSEUDONYM),
            name=name,
            shared_at=fields.moment(data, "shared_at", "summary"),
            decks=decks,
            cards=cards,
            scheduler=fields.text(data, "scheduler", "summary", CARD_ID),
            bpcourse=fields.text(data, "bpcourse", "summary", limit=40),
            version=version,
        )
        summary._check()
        return summary

    def _check(self) -> None:
        names = [d.deck for d in self.decks]
        if len(set(names)) != len(names):
            raise SummaryError("decks: a deck is listed twice")
        ids = [c.card_id for c in self.cards]
        if len(set(ids)) != len(ids):
            raise SummaryError("cards: a card is listed twice")
        reviewed: dict[str, int] = dict.fromkeys(names, 0)
        for index, card in enumerate(self.cards):
            if card.deck not in reviewed:
                raise SummaryError(f"cards[{index}].deck: {card.deck!r} is not one of the "
                                   "summary's decks")
            reviewed[card.deck] += 1
        for deck in self.decks:
            if reviewed[deck.deck] != deck.started:
                raise SummaryError(f"decks: {deck.deck} says {deck.started} cards were "
                                   f"reviewed, but {reviewed[deck.deck]} are listed")
