"""Ratings: one definition of the five ratings, their words, button styles and colours."""

import fsrs
import pytest

from bpcourse.flashcards.ratings import (
    RATING_COLOURS,
    RATING_LABELS,
    RATING_STYLES,
    RATINGS,
    Rating,
    check_rating,
    rating_text,
)


def test_ratings_are_one_to_five_with_their_words_styles_and_colours():
    assert [int(r) for r in Rating] == list(RATINGS) == [1, 2, 3, 4, 5]
    assert [r.text for r in Rating] == [
        "1 Not at all", "2 Barely", "3 Partly", "4 Mostly", "5 Perfectly"]
    assert [r.style for r in Rating] == ["danger", "warning", "warning", "info", "success"]
    assert all(r.colour == RATING_COLOURS[r] for r in Rating)
    assert set(RATING_LABELS) == set(RATING_STYLES) == set(RATING_COLOURS) == set(RATINGS)
    assert rating_text(4) == "4 Mostly" and str(Rating.MOSTLY) == "4"


@pytest.mark.parametrize("rating", [*RATINGS, *Rating])
def test_check_rating_accepts_ints_and_ratings_and_returns_a_plain_int(rating):
    assert check_rating(rating) == rating and type(check_rating(rating)) is int


@pytest.mark.parametrize("rating", [0, 6, True, 3.0, "3", None, fsrs.Rating.Good])
def test_check_rating_refuses_anything_else(rating):
    # fsrs.Rating.Good is 3, our "Partly": taking it for a rating would log the wrong one.
    with pytest.raises(ValueError, match="rating must be an int from 1 to 5"):
        check_rating(rating)


def test_the_tour_draws_ratings_in_the_quiz_colours():
    from bpcourse.lessons.start_here import RATING_COLOURS as tour_colours

    assert tour_colours is RATING_COLOURS
