"""The end-of-session summary as plain lines, shared by the quiz widget and the terminal.

Cards are named by their front (shortened, maths as text), never by their id: an id such
as ``fp-shapes-layer`` means nothing to a learner. The lines never contradict each other:
a new card held back by the daily limit is said to be new, and "tomorrow" counts the new
cards tomorrow brings as well as the reviews that fall due.
"""

from __future__ import annotations

from datetime import datetime

from .deck import Card
from .markup import to_text
from .ratings import rating_text
from .session import Summary
from .timefmt import format_moment

TITLE_WIDTH = 60


def _plural(count: int, word: str, words: str | None = None) -> str:
    return f"{count} {word if count == 1 else (words or word + 's')}"


def card_title(card: Card, width: int = TITLE_WIDTH) -> str:
    """The card's front on one line, maths as text, cut to ``width`` characters with "…"."""
    from .textmath import math_to_text

    text = " ".join(to_text(card.front, width=10_000, show_math=math_to_text).split())
    if len(text) <= width:
        return text
    cut = text[: width - 1].rsplit(" ", 1)[0] if " " in text[: width - 1] else text[: width - 1]
    return cut.rstrip(" ,;:") + "…"


def summary_lines(summary: Summary, now: datetime) -> list[str]:
    """What the session saved, what is left, the daily limit of new cards, what comes next."""
    practice = f" ({summary.practice} as practice)" if summary.practice else ""
    lines = [("Session ended. " if summary.ended else "Done. ")
             + f"{_plural(summary.answers, 'answer')} saved on "
             f"{_plural(summary.cards, 'card')}{practice}."]
    if summary.ratings:
        lines.append("Ratings: " + ", ".join(f"{rating_text(r)} ×{n}"
                                             for r, n in summary.ratings.items()) + ".")
    if summary.checked:
        lines.append(f"Practice problems: {summary.correct} of {summary.checked} answered right.")
    if summary.not_shown or summary.to_repeat:
        left = []
        if summary.not_shown:
            left.append(f"{_plural(summary.not_shown, 'card')} not rated yet")
        if summary.to_repeat:
            left.append(f"{_plural(summary.to_repeat, 'card')} rated below 4 that was to "
                        "come back" if summary.to_repeat == 1 else
                        f"{summary.to_repeat} cards rated below 4 that were to come back")
        they = "It comes" if summary.not_shown + summary.to_repeat == 1 else "They come"
        lines.append("Left for later: " + " and ".join(left)
                     + f". {they} up again in a later session; every rating given is saved.")
    if summary.new_held:
        lines.append(
            f"New cards today: {summary.new_today} started, the daily limit is "
            f"{summary.new_per_day} per deck; {summary.new_held} more wait.")
    if summary.next_due is not None and summary.next_card is not None:
        when = format_moment(summary.next_due, now)
        kind = "new card" if summary.next_is_new else "card"
        held = " (the daily limit of new cards starts afresh then)" \
            if summary.next_is_new and summary.next_due > now else ""
        lines.append(f"Next {kind}: “{card_title(summary.next_card)}”, {when}{held}.")
    tomorrow = _plural(summary.due_tomorrow, "review")
    if summary.new_tomorrow:
        tomorrow += f" due, plus up to {_plural(summary.new_tomorrow, 'new card')}"
    else:
        tomorrow += " due"
    lines.append(f"Tomorrow: {tomorrow}. Not started yet: {summary.new_waiting}.")
    return lines
