"""Export decks to an Anki package (.apkg) with genanki, so a learner can go on in Anki.

Everything that identifies a card in Anki is derived from our ids, never random, so
exporting again (after editing a card's text, say) updates the notes already imported
instead of duplicating them:

* note GUID: ``genanki.guid_for(card.id)``;
* deck id: from the deck name; model (note type) id: a constant.

Maths is kept: ``$...$`` becomes ``\\(...\\)`` and ``$$...$$`` becomes ``\\[...\\]``, the
delimiters of Anki's built-in MathJax.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from typing import Any

from .deck import Card, Deck, select_decks
from .markup import to_html

DECK_PREFIX = "Backpropagation course"
MODEL_NAME = "bpcourse basic (front/back)"
CSS = ".card { font-family: sans-serif; font-size: 20px; text-align: left; }"


def stable_id(text: str) -> int:
    """A stable id in the range Anki's own ids use (between 2**30 and 2**31)."""
    digest = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:4], "big")
    return (1 << 30) + digest % (1 << 30)


MODEL_ID = stable_id("bpcourse/model/basic/v1")


def _model() -> Any:  # a genanki.Model (genanki has no type hints)
    import genanki

    return genanki.Model(
        MODEL_ID,
        MODEL_NAME,
        fields=[{"name": "Front"}, {"name": "Back"}, {"name": "CardId"}],
        templates=[{
            "name": "Card 1",
            "qfmt": "{{Front}}",
            "afmt": '{{FrontSide}}<hr id="answer">{{Back}}',
        }],
        css=CSS,
    )


def _note(card: Card, model: Any) -> Any:
    import genanki

    # Anki tags cannot contain spaces; the deck name is added as a tag to find cards back.
    tags = [t.replace(" ", "_") for t in card.tags] + [f"bpcourse::{card.deck}"]
    return genanki.Note(
        model=model,
        fields=[to_html(card.front, math="anki"), to_html(card.back, math="anki"), card.id],
        tags=tags,
        guid=genanki.guid_for(card.id),
    )


def export_anki(path: str | os.PathLike, decks: Iterable[str | Deck] | None = None) -> int:
    """Write ``decks`` (default: all shipped decks) to the Anki package ``path``.

    Returns the number of notes written.
    """
    import genanki

    loaded = select_decks(decks)
    model = _model()
    anki_decks = []
    for deck in loaded:
        anki_deck = genanki.Deck(stable_id(f"bpcourse/deck/{deck.name}"),
                                 f"{DECK_PREFIX}::{deck.title}", description=deck.description)
        for card in deck.cards:
            anki_deck.add_note(_note(card, model))
        anki_decks.append(anki_deck)
    genanki.Package(anki_decks).write_to_file(os.fspath(path))
    return sum(len(d.cards) for d in loaded)
