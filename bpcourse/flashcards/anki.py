"""Export decks to an Anki package (.apkg) with genanki, so a learner can go on in Anki.

Everything that identifies a card in Anki is derived from our ids, never random, so
exporting again (after editing a card's text, say) updates the notes already imported
instead of duplicating them:

* note GUID: ``genanki.guid_for(card.id)``;
* deck id: from the deck name; model (note type) id: a constant.

Maths is kept: ``$...$`` becomes ``\\(...\\)`` and ``$$...$$`` becomes ``\\[...\\]``, the
delimiters of Anki's built-in MathJax. The deck description is card text too, rendered
to HTML the same way (Anki shows it as HTML).

A practice card (a generated problem) has no fixed answer, so it is exported as one fixed
instance: the problem drawn for its first review, with the worked solution on the back.
Anki cannot check typed answers against a computer algebra system or draw new numbers;
the course's quiz and ``bpcourse review`` do.

Tags all live under ``bpcourse::`` so that they stay out of the way of the learner's own:
``bpcourse::<deck name>`` for the deck, ``bpcourse::topic::<tag>`` for each card tag.
Anki separates tags by spaces, so any whitespace in a tag becomes ``_``.

The package is written to a new file next to the target and renamed into place: a failed
export (a full disk, say) leaves an earlier package as it was, and nothing is left in the
temporary directory.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import sqlite3
import tempfile
import time
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any, BinaryIO

from .deck import Card, Deck, DeckError, duplicate_ids, select_decks
from .files import write_atomically
from .markup import strip_controls, to_html

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


def anki_tag(text: str) -> str:
    """``text`` as one Anki tag: Anki splits tags at whitespace, so it becomes ``_``."""
    return re.sub(r"\s+", "_", strip_controls(text).strip())


def card_sides(card: Card) -> tuple[str, str]:
    """(front, back) card text of ``card`` as exported: a practice card's fixed instance
    (its first review's problem) and worked solution."""
    if not card.is_practice:
        return card.front, card.back
    from ..practice import draw

    instance = draw(card.generator, card.id, 1, dict(card.params))
    return (f"**{card.front}** (practice: fixed numbers)\n\n{instance.front_text()}",
            instance.solution_text())


def _note(card: Card, model: Any) -> Any:
    import genanki

    # The deck's tag finds a deck's cards back; topics sit one level down, so that
    # "delta" or "shapes" never land among the learner's own top-level tags.
    tags = [anki_tag(f"bpcourse::{card.deck}")]
    tags += [anki_tag(f"bpcourse::topic::{tag}") for tag in card.tags]
    if card.is_practice:
        tags.append("bpcourse::practice")
    front, back = card_sides(card)
    return genanki.Note(
        model=model,
        # No field may hold U+001F: it separates the fields inside an Anki note.
        fields=[to_html(front, math="anki"), to_html(back, math="anki"),
                strip_controls(card.id)],
        tags=tags,
        guid=genanki.guid_for(card.id),
    )


def _distinct(decks: list[Deck]) -> list[Deck]:
    """The decks without repeats (a deck named twice, or by name and by path), so that no
    note is written twice; DeckError if two different decks share a card id, since the
    id is the note's GUID."""
    seen: dict[object, Deck] = {}
    for deck in decks:
        key = deck.path.resolve() if deck.path is not None else deck.name
        seen.setdefault(key, deck)
    distinct = list(seen.values())
    problems = duplicate_ids(distinct)
    if problems:
        raise DeckError(problems)
    return distinct


def _write_package(package: Any, file: BinaryIO) -> None:
    """genanki's ``Package.write_to_file``, minus its leaked temporary file: the
    collection is built in a temporary directory that is removed afterwards, and the zip
    goes to ``file``."""
    with tempfile.TemporaryDirectory(prefix="bpcourse-anki-") as scratch:
        collection = os.path.join(scratch, "collection.anki2")
        connection = sqlite3.connect(collection)
        try:
            timestamp = time.time()
            package.write_to_db(connection.cursor(), timestamp,
                                itertools.count(int(timestamp * 1000)))
            connection.commit()
        finally:
            connection.close()
        with zipfile.ZipFile(file, "w") as archive:
            archive.write(collection, "collection.anki2")
            archive.writestr("media", json.dumps({}))


def export_anki(path: str | os.PathLike, decks: Iterable[str | Deck] | None = None) -> int:
    """Write ``decks`` (default: all shipped decks) to the Anki package ``path``.

    A deck given twice is written once. Returns the number of notes written.
    """
    import genanki

    loaded = _distinct(select_decks(decks))
    model = _model()
    anki_decks = []
    for deck in loaded:
        # "::" in a title would make Anki nest the deck one level deeper.
        title = strip_controls(deck.title).replace("::", ":")
        anki_deck = genanki.Deck(stable_id(f"bpcourse/deck/{deck.name}"),
                                 f"{DECK_PREFIX}::{title}",
                                 description=to_html(deck.description, math="anki"))
        for card in deck.cards:
            anki_deck.add_note(_note(card, model))
        anki_decks.append(anki_deck)
    package = genanki.Package(anki_decks)
    write_atomically(Path(path), lambda file: _write_package(package, file))
    return sum(len(d.cards) for d in loaded)
