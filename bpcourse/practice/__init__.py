"""Practice cards: generated problems with fresh numbers, checked automatically.

A deck card with ``kind: practice`` names a generator here, ``<lesson slug>.<name>``
(``chain_rule.path_product``), and may give it parameters. Each review draws a new
instance from a seed derived from the card id and the review number (``seed_for``), so
the problem is reproducible from the review log while the numbers change from review to
review. ``Instance.check`` compares the learner's answer (see ``bpcourse.answers``).

    >>> from bpcourse.practice import get_generator, seed_for
    >>> instance = get_generator("chain_rule.path_product").instance(seed_for("cr-path", 1))
    >>> instance.check("not a number").kind
    'malformed'

One module per notebook holds its generators; importing this package registers them all.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import (  # noqa: F401  (imported to register their generators)
    backward_pass,
    chain_rule,
    epochs_and_batches,
    forward_pass,
    putting_it_together,
    regularization,
    start_here,
    vanishing_exploding,
    weight_update,
)
from .generator import REGISTRY, Generator, Givens, Param, Posed
from .instance import Instance, seed_for


class UnknownGenerator(KeyError):
    """A generator name that is not registered (the message lists similar names)."""

    def __str__(self) -> str:
        return str(self.args[0])


def generator_names() -> list[str]:
    """Every registered generator, sorted."""
    return sorted(REGISTRY)


def get_generator(name: str) -> Generator:
    """The generator ``name`` (``"chain_rule.path_product"``); UnknownGenerator if none."""
    try:
        return REGISTRY[name]
    except (KeyError, TypeError):
        prefix = str(name).split(".")[0]
        close = [n for n in REGISTRY if n.startswith(prefix + ".")] or generator_names()
        raise UnknownGenerator(f"no practice generator named {name!r}; known: "
                               f"{', '.join(sorted(close))}") from None


def draw(name: str, card_id: str, review_number: int,
         params: Mapping[str, Any] | None = None) -> Instance:
    """The instance a practice card ``card_id`` shows at its ``review_number``-th review."""
    return get_generator(name).instance(seed_for(card_id, review_number), params)


__all__ = ["REGISTRY", "Generator", "Givens", "Instance", "Param", "Posed",
           "UnknownGenerator", "draw", "generator_names", "get_generator", "seed_for"]
