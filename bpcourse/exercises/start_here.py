r"""Checks for the exercises of notebook 00, the start page.

Three warm-ups: the shape of a weight matrix in the course's notation, the honest
self-rating of a flashcard, and the intervals SM-2 gives to a short run of ratings. Each
check works out the right answer from the question's own numbers. A wrong answer is also
compared with what the usual slips produce, so the hint can name the slip.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timezone
from fractions import Fraction

from ..flashcards import SM2
from ..flashcards.ratings import RATING_LABELS
from ..verdict import Verdict
from . import NO_ANSWER, is_blank, shape_of, verdict, whole_number


def _as_ints(answer: object) -> tuple[int, ...] | None:
    """``answer`` as a tuple of whole numbers (a list, tuple or 1-D array of ints or of
    whole floats such as 6.0), or None if it is not a sequence of them."""
    if isinstance(answer, (str, bytes)) or is_blank(answer):
        return None
    shape = shape_of(answer)
    return None if isinstance(shape, Verdict) else shape


# -- exercise: the shape of W{l} ----------------------------------------------------------
def weight_shape(sizes: Sequence[int], l: int) -> tuple[int, int]:
    r"""The shape of $W^{(l)}$ for layer widths ``sizes`` $= [n_0, n_1, \dots]$:
    $(n_{l-1}, n_l)$, one row per input of layer $l$ and one column per unit."""
    if not 1 <= l < len(sizes):
        raise ValueError(f"layer {l} does not exist for sizes {list(sizes)}: "
                         f"use 1..{len(sizes) - 1}")
    return int(sizes[l - 1]), int(sizes[l])


def check_weight_shape(answer, sizes: Sequence[int] = (3, 5, 2), l: int = 2) -> bool:
    r"""Check the shape of $W^{(l)}$ in a network with layer widths ``sizes``."""
    what = f"shape of W{l} for sizes {list(sizes)}"
    expected = weight_shape(sizes, l)
    if is_blank(answer):
        return verdict(False, what, NO_ANSWER, "Count the units of the layer before and of "
                       "layer l itself.")
    given = shape_of(answer)
    shape = None if isinstance(given, Verdict) else given
    if shape == expected:
        return verdict(True, what, f"W{l} maps the {expected[0]} values of layer {l - 1} to "
                       f"the {expected[1]} units of layer {l}, so Z{l} = A{l - 1} @ W{l} works "
                       "for any batch size N.")
    if shape is None:
        return verdict(False, what, f"Give the shape as a tuple of two numbers, e.g. (4, 7); "
                       f"you gave {answer!r}.", "W has one row per input and one column per unit.")
    slips = {
        expected[::-1]: "That is the transpose. With a batch as rows, Z = A @ W, so W has one "
                        f"row per input (n_{l - 1}) and one column per unit (n_{l}).",
        (int(sizes[l]),): f"That is the shape of the bias b{l}; W{l} has two axes.",
    }
    if l >= 2:
        slips[weight_shape(sizes, l - 1)] = (
            f"That is W{l - 1}. Layers count from 1 and the input is layer 0, so W{l} connects "
            f"layer {l - 1} (n_{l - 1} = {sizes[l - 1]}) to layer {l} (n_{l} = {sizes[l]}).")
    if l + 1 < len(sizes):
        slips[weight_shape(sizes, l + 1)] = (
            f"That is W{l + 1}. The input is layer 0, so W{l} ends at layer {l}, "
            f"whose width is sizes[{l}] = {sizes[l]}.")
    if shape in slips:
        return verdict(False, what, f"You gave {shape}.", slips[shape])
    return verdict(False, what, f"You gave {shape}.",
                   f"W{l} has shape (n_{l - 1}, n_{l}): read both widths from sizes.")


# -- exercise: an honest self-rating ------------------------------------------------------
STRUGGLE = ("You turned the card, thought for a long while, and in the end produced the "
            "right answer, complete.")


def check_struggle_rating(answer) -> bool:
    """Check the rating for a card recalled correctly, but only after a long struggle (3)."""
    what = "rating after a long struggle"
    if is_blank(answer):
        return verdict(False, what, NO_ANSWER, "Pick a whole number from 1 to 5.")
    number = whole_number(answer)
    if isinstance(number, Verdict) or number not in RATING_LABELS:
        return verdict(False, what, f"The quiz takes a whole number from 1 to 5; you gave "
                       f"{answer!r}.", "Use the number on a button, e.g. 2.")
    answer = number
    label = f"{answer} ({RATING_LABELS[answer]})"
    if answer == 3:
        return verdict(True, what, "3 (Partly) says: I got there, but it was hard. The "
                       "scheduler counts it as a pass and brings the card back sooner than "
                       "after a 4.")
    if answer >= 4:
        return verdict(False, what, f"You chose {label}.",
                       "4 (Mostly) is for a right answer with at most a short hesitation and "
                       "5 (Perfectly) for an instant, complete one. A long struggle means the "
                       "memory is weak; rating it higher sends the card away for too long and "
                       "you forget it before it returns.")
    return verdict(False, what, f"You chose {label}.",
                   "1 and 2 are for answers you could not produce (or only bits of). You did "
                   "produce the whole answer, so it is a pass; rating it lower only costs you "
                   "extra reviews.")


# -- exercise: SM-2 intervals -------------------------------------------------------------
SM2_RATINGS = (5, 5, 3)


def _sm2_slip(ratings: Sequence[int], slip: str) -> tuple[int, ...]:
    """The intervals a learner gets with one SM-2 rule wrong (used to recognise slips).

    ``slip``: "ef_frozen" (EF never updated), "ef_after" (EF updated before the interval
    is computed), "round_down" (floor instead of ceil), "three_fails" (3 taken as a fail).
    """
    easiness, n, interval, out = Fraction(5, 2), 0, 0, []
    for q in ratings:
        updated = max(Fraction(13, 10), easiness + Fraction(1, 10)
                      - (5 - q) * (Fraction(8, 100) + (5 - q) * Fraction(2, 100)))
        if q >= (4 if slip == "three_fails" else 3):
            n += 1
            factor = updated if slip == "ef_after" else easiness
            grow = math.floor if slip == "round_down" else math.ceil
            interval = 1 if n == 1 else 6 if n == 2 else grow(interval * factor)
        else:
            n, interval = 0, 1
        if slip != "ef_frozen":
            easiness = updated
        out.append(interval)
    return tuple(out)


def sm2_intervals(ratings: Sequence[int]) -> tuple[int, ...]:
    """The interval in days after each review of a new card rated ``ratings`` under SM-2
    (computed by the package's SM2 scheduler)."""
    scheduler, state = SM2(), None
    now, out = datetime(2024, 1, 1, tzinfo=timezone.utc), []
    for rating in ratings:
        state = scheduler.review(state, rating, now)
        out.append(state.interval)
        now = state.due
    return tuple(out)


SM2_SLIP_HINTS = {
    "ef_after": "Multiply by EF as it was before this review (the update comes after), "
                "and round up.",
    "round_down": "SM-2 rounds the product up to whole days (ceil): 16.2 becomes 17, not 16.",
    "ef_frozen": "EF changes after every review: each 5 adds 0.1 (after two 5s it is 2.7, "
                 "not 2.5), a 4 leaves it as it is and a 3 takes 0.14 off.",
    "three_fails": "In SM-2 a rating of 3 or more is a pass: the repetition count goes on "
                   "and the interval grows. Only 1 and 2 reset it to 1 day.",
}


def check_sm2_intervals(answer, ratings: Sequence[int] = SM2_RATINGS) -> bool:
    """Check the list of SM-2 intervals (days) after each of ``ratings`` for a new card."""
    what = f"SM-2 intervals after ratings {', '.join(map(str, ratings))}"
    expected = sm2_intervals(ratings)
    if is_blank(answer):
        return verdict(False, what, NO_ANSWER, "Start with EF = 2.5 and n = 0.")
    given = _as_ints(answer)
    if given == expected:
        return verdict(True, what, f"{list(expected)} days: the gaps grow as long as you "
                       "keep passing.")
    if given is None or len(given) != len(expected):
        return verdict(False, what, f"Give one whole number of days per review, "
                       f"{len(expected)} in all, e.g. [1, 2, 3]; you gave {answer!r}.",
                       "The interval is what the scheduler sets after each review.")
    if given[:2] != expected[:2] and all(q >= 3 for q in ratings[:2]):
        return verdict(False, what, f"You gave {list(given)}.",
                       "The first two passes always give 1 day, then 6 days.")
    for slip, hint in SM2_SLIP_HINTS.items():
        if given == _sm2_slip(ratings, slip):
            return verdict(False, what, f"You gave {list(given)}.", hint)
    return verdict(False, what, f"You gave {list(given)}.",
                   "From the third pass on, interval = ceil(previous interval x EF), with EF "
                   "updated after every review by the formula above.")
