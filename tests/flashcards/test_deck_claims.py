"""The decks say what the course and the package do: each constant or formula a card states
is checked here against the code the notebooks run, so a card cannot drift from them."""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path

import numpy as np
import pytest

from bpcourse import optim
from bpcourse.activations import sigmoid_prime
from bpcourse.flashcards import load_deck
from bpcourse.gradcheck import gradient_check, relative_error

ROOT = Path(__file__).resolve().parents[2]


def back(deck: str, card_id: str) -> str:
    cards = {c.id: c for c in load_deck(ROOT / "flashcards" / f"{deck}.yaml").cards}
    return cards[card_id].back


def notebook_text(name: str) -> str:
    nb = json.loads((ROOT / "notebooks" / name).read_text(encoding="utf-8"))
    return "\n".join("".join(c["source"]) for c in nb["cells"])


def test_the_gradient_check_step_is_the_one_gradient_check_uses():
    m = re.search(r"h = 10\^\{-(\d+)\}", back("backward-pass", "bw-gradient-check"))
    assert m, "the card names its step h"
    default = inspect.signature(gradient_check).parameters["eps"].default
    assert 10.0 ** -int(m[1]) == default


def test_the_relative_error_card_is_the_norm_ratio_with_the_package_tolerance():
    text = back("backward-pass", "bw-relative-error")
    assert r"\lVert g_a - g_n \rVert" in text and r"\lvert" not in text
    # The card's formula, evaluated, is the package's relative_error.
    a, b = np.array([1.0, -2.0, 3.0]), np.array([1.1, -2.0, 2.9])
    by_card = np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b))
    assert relative_error(a, b) == pytest.approx(by_card, rel=1e-15)
    tol = inspect.signature(gradient_check).parameters["tol"].default
    assert re.search(r"Below \$10\^\{-(\d+)\}\$ passes", text)[1] == str(round(-np.log10(tol)))


def test_the_regularisation_deck_speaks_only_of_sets_the_course_has():
    assert "test set" not in notebook_text("07_regularization.ipynb").lower()
    deck = load_deck(ROOT / "flashcards" / "regularization.yaml")
    assert not [c.id for c in deck.cards if "test set" in (c.front + c.back).lower()]


def test_the_dead_relu_card_does_not_claim_a_unit_can_never_recover():
    text = back("vanishing-exploding", "ve-dead-relu")
    assert "never recover" not in text and "every training input" in text


def test_the_sigmoid_bound_card_rounds_four_to_the_minus_ten_correctly():
    text = back("vanishing-exploding", "ve-sigmoid-bound")
    assert r"4^{-10} \approx 10^{-6}" in text
    assert float(f"{0.25 ** 10:.0e}") == 1e-6
    assert sigmoid_prime(np.array([0.0]))[0] == 0.25


def test_the_momentum_card_is_the_package_momentum():
    assert r"v \leftarrow \beta v + g" in back("weight-update", "wu-momentum-rule")
    opt = optim.Momentum(lr=0.1, beta=0.9)
    theta = {"w": np.array([0.0])}
    for _ in range(2):
        opt.step(theta, {"w": np.array([1.0])})
    # The card: v1 = 1, v2 = 1.9, so theta = -0.1 (1 + 1.9).
    assert theta["w"][0] == pytest.approx(-0.29, rel=1e-12)


def test_the_adam_card_defaults_are_the_package_defaults():
    text = back("weight-update", "wu-adam-rule")
    params = inspect.signature(optim.Adam).parameters
    assert rf"\beta_1 = {params['beta1'].default}" in text
    assert rf"\beta_2 = {params['beta2'].default}" in text
    assert params["eps"].default == 1e-8 and r"\varepsilon = 10^{-8}" in text


def test_the_sigmoid_slope_card_matches_the_package():
    assert "1/4" in back("forward-pass", "fp-sigmoid-prime-zero")
    assert sigmoid_prime(np.array([0.0]))[0] == 0.25
