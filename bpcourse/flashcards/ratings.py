"""The learner's self-rating of a card, from 1 ("Not at all") to 5 ("Perfectly").

The rating is all the review log keeps of an answer, and every schedule is derived from the
log, so ``check_rating`` is strict. The quiz's buttons, the terminal menu and the course's
figures all take their words, styles and colours from here, so that they always agree.
"""

from __future__ import annotations

from enum import IntEnum

RATINGS: tuple[int, ...] = (1, 2, 3, 4, 5)
RATING_LABELS: dict[int, str] = {
    1: "Not at all", 2: "Barely", 3: "Partly", 4: "Mostly", 5: "Perfectly",
}
# Red to green: the ipywidgets button styles of the quiz's rating buttons.
RATING_STYLES: dict[int, str] = {1: "danger", 2: "warning", 3: "warning", 4: "info", 5: "success"}
# The colours ipywidgets draws those styles in (Bootstrap 3's), so that a figure colours a
# rating as the learner saw its button.
RATING_COLOURS: dict[int, str] = {
    1: "#d9534f", 2: "#f0ad4e", 3: "#f0ad4e", 4: "#5bc0de", 5: "#5cb85c",
}


class Rating(IntEnum):
    """How well the learner knew a card; equal to its number, which is what the log stores."""

    NOT_AT_ALL = 1
    BARELY = 2
    PARTLY = 3
    MOSTLY = 4
    PERFECTLY = 5

    @property
    def label(self) -> str:
        """ "Not at all" ... "Perfectly"."""
        return RATING_LABELS[self]

    @property
    def style(self) -> str:
        """The ipywidgets ``button_style`` of the rating's button."""
        return RATING_STYLES[self]

    @property
    def colour(self) -> str:
        """The colour of that button style."""
        return RATING_COLOURS[self]

    @property
    def text(self) -> str:
        """ "1 Not at all", "4 Mostly", ...: the words on the rating buttons."""
        return f"{self.value} {self.label}"

    def __str__(self) -> str:
        # Python 3.10 would print "Rating.MOSTLY"; 3.11 and later print "4" as here.
        return str(self.value)


def rating_text(rating: int) -> str:
    """ "1 Not at all", "4 Mostly", ...: the words on the rating buttons."""
    return Rating(rating).text


def check_rating(rating: object) -> int:
    """``rating`` as a plain int if it is an int or a Rating from 1 to 5, else ValueError.

    Strict on purpose: ``True`` (a bool is an int in Python), ``3.5``, ``"3"`` and other
    int enums (py-fsrs's ``Rating.Good`` is 3, our "Partly") are mistakes, and storing them
    would corrupt the log that every schedule is derived from.
    """
    if isinstance(rating, int) and type(rating) in (int, Rating) and rating in RATINGS:
        return int(rating)
    raise ValueError(f"rating must be an int from 1 to 5, got {rating!r}")
