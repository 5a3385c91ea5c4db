"""Small helpers shared by the flashcard tests: deck files to write, store files to read."""

import sqlite3
import textwrap
from pathlib import Path

from bpcourse.flashcards.deck import check_decks


def write(directory: Path, name: str, text: str) -> Path:
    """Write a deck file NAME.yaml (the text dedented) and return its path."""
    path = directory / f"{name}.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def messages(directory: Path) -> list[str]:
    """What `cards check` reports for a folder of deck files, as text."""
    return [str(p) for p in check_decks(directory)]


def ids_in(path: Path) -> set[int]:
    """The review ids in a store file, read with plain SQLite."""
    conn = sqlite3.connect(path)
    try:
        return {row[0] for row in conn.execute("SELECT id FROM reviews")}
    finally:
        conn.close()


def visible(widget) -> bool:
    """Whether an ipywidget is shown (the quiz hides its parts with display: none)."""
    return widget.layout.display != "none"


def rate(quiz_widget, rating: int) -> None:
    """Show the answer of the quiz's current card, then click rating ``rating`` (1-5)."""
    quiz_widget.show_button.click()
    quiz_widget.rating_buttons[rating - 1].click()
