"""Practice for notebook 00 (start here): how SM-2 spaces a card the learner passed."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from .generator import Givens, Posed, generator
from .instance import show


@generator("start_here.sm2_interval", "The next SM-2 interval", "numeric")
def sm2_interval(g: Givens, params: Mapping[str, Any]) -> Posed:
    interval = g.integer("interval", 6, 60)
    easiness = g.number("EF", 1.3, 2.8, places=2)
    rating = g.integer("q", 3, 5)
    new = math.ceil(round(interval * easiness, 6))
    return Posed(
        prompt=(f"A card has been passed twice or more under SM-2. Its last interval was "
                f"{interval} days and its easiness is $EF = {show(easiness)}$. Today you rate "
                f"it {rating}. How many days until it is due again?"),
        kind="numeric", answer=float(new),
        solution=[r"A pass (rating 3 or more) after the second repetition multiplies the "
                  r"interval by EF as it was before this review, rounded up: "
                  r"$\lceil I \cdot EF \rceil$.",
                  f"$\\lceil {interval} \\cdot {show(easiness)} \\rceil = "
                  f"\\lceil {show(round(interval * easiness, 6))} \\rceil = {new}$ days "
                  "(the rating changes EF for next time, not this interval)."],
        answer_hint="A whole number of days.")
