"""Maths and card text for the terminal: every card of every deck reads without TeX."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bpcourse.flashcards import load_decks
from bpcourse.flashcards.markup import MATH_OR_CODE, to_text
from bpcourse.flashcards.textmath import math_to_text

FORMULAS = [
    (r"\delta^{(l)} = \partial L / \partial Z^{(l)}", "δ^(l) = ∂L / ∂Z^(l)"),
    (r"\delta^{(l)} = \big(\delta^{(l+1)} W^{(l+1)\top}\big) \odot f'(Z^{(l)})",
     "δ^(l) = (δ^(l+1) W^(l+1)⊤) ⊙ f'(Z^(l))"),
    (r"\delta^{(L)} = \dfrac{1}{N}(\hat Y - Y)", "δ^(L) = 1/N (Ŷ - Y)"),
    (r"\dfrac{\partial L}{\partial b^{(l)}} = \sum_{n=1}^{N} \delta^{(l)}_{n,:}",
     "∂L/∂b^(l) = ∑_(n=1)^N δ^(l)_(n,:)"),
    # a part of more than one term gets parentheses, so the fraction reads as meant
    (r"\dfrac{L(\theta_i + h) - L(\theta_i - h)}{2h}", "(L(θ_i + h) - L(θ_i - h))/(2h)"),
    (r"\sigma(z) = \dfrac{1}{1 + e^{-z}}", "σ(z) = 1/(1 + e^(-z))"),
    (r"\mathrm{softmax}(z)_k = \dfrac{e^{z_k}}{\sum_{j=1}^{K} e^{z_j}}",
     "softmax(z)_k = e^(z_k)/(∑_(j=1)^K e^(z_j))"),
    (r"(n_{l-1}, N) \cdot (N, n_l)", "(n_(l-1), N) · (N, n_l)"),  # not n_l-1
    (r"h = 10^{-5}", "h = 10^(-5)"),
    (r"\frac{\lambda}{2}\sum \lVert W \rVert^2", "λ/2 ∑ ‖W‖^2"),
    (r"\dfrac{\lvert g_a - g_n \rvert}{\max(\lvert g_a \rvert + \lvert g_n \rvert, \varepsilon)}",
     "|g_a - g_n|/max(|g_a| + |g_n|, ε)"),
    (r"\ell = -\big[y \log \hat y + (1 - y) \log(1 - \hat y)\big]",
     "ℓ = -[y log ŷ + (1 - y) log(1 - ŷ)]"),
    (r"\dfrac{d}{dz}\tanh z = 1 - \tanh^2 z", "d/dz tanh z = 1 - tanh^2 z"),
    (r"\theta \leftarrow \theta - \eta\, \hat m / (\sqrt{\hat v} + \varepsilon)",
     "θ ← θ - η m̂ / (√v̂ + ε)"),
    (r"\frac{\partial y}{\partial x} = \frac{\partial y}{\partial u}\frac{\partial u}{\partial x}",
     "∂y/∂x = ∂y/∂u ∂u/∂x"),
    (r"\sigma'(0) = \tfrac12 \cdot \tfrac12 = 1/4", "σ'(0) = 1/2 · 1/2 = 1/4"),
    (r"y \in \{0, 1\}", "y ∈ {0, 1}"),
    (r"\lceil 1000 / 32 \rceil = 32", "⌈1000 / 32⌉ = 32"),
    (r"W = \begin{pmatrix} a & b \\ c & d \end{pmatrix}", "W = (a, b; c, d)"),
    (r"L_{\text{reg}} = L + \frac{\lambda}{2} \sum_{l} \lVert W^{(l)} \rVert^2",
     "L_reg = L + λ/2 ∑_l ‖W^(l)‖^2"),
]


@pytest.mark.parametrize(("tex", "text"), FORMULAS)
def test_formulas_read_as_text(tex, text):
    assert math_to_text(tex) == text


@pytest.mark.parametrize("tex", [r"\frac{a}", "x^", r"\begin{pmatrix} a", "}", r"\foo{x} + 1",
                                 "\\", r"\sqrt"])
def test_tex_that_cannot_be_read_is_shown_as_written(tex):
    assert math_to_text(tex) == " ".join(tex.split())


TOKENS = [r"\frac", r"\dfrac", "{", "}", "^", "_", r"\sqrt", "[", "]", "(", ")", "a", "1", " ",
          r"\left(", r"\right)", r"\lVert", r"\rVert", r"\begin{pmatrix}", r"\end{pmatrix}",
          "&", r"\\", r"\sum", r"\sin", r"\partial", r"\text", r"\foo", "\\", "%", "#",
          "~", r"\hat", r"\{", r"\}", r"\,", "'", "-", "=", r"\verb|x|", r"\input{x}"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=12).map("".join))
def test_any_tex_gives_text_and_never_raises(tex):
    shown = math_to_text(tex)
    assert isinstance(shown, str) and not re.search("[\ue000-\ue005]", shown)
    assert shown or not tex.strip()  # a formula never silently disappears


def all_cards():
    return [card for deck in load_decks().values() for card in deck.cards]


def test_every_formula_of_every_deck_reads_without_tex():
    leftovers = {}
    for card in all_cards():
        for text in (card.front, card.back):
            for match in MATH_OR_CODE.finditer(text):
                source = match["display"] or match["inline"]
                if source is None:
                    continue
                shown = math_to_text(source)
                # no TeX macro, group brace or private marker left, nothing lost
                if re.search(r"\\[A-Za-z]|[{}\ue000-\ue004]", shown.replace("{0, 1}", "")) \
                        or not shown.strip():
                    leftovers[source] = shown
    assert leftovers == {}


def test_every_card_prints_without_dollars_or_tex():
    for card in all_cards():
        for text in (card.front, card.back):
            shown = to_text(text, width=80)
            assert "$" not in shown and not re.search(r"\\[A-Za-z]", shown), (card.id, shown)
            assert all(len(line) <= 80 or "    " in line[:4] for line in shown.splitlines())


def test_card_text_for_the_terminal():
    text = ("Sum the contributions of the paths, which **always** works:\n"
            "$$\\frac{\\partial y}{\\partial x} = \\frac{\\partial y}{\\partial u}"
            "\\frac{\\partial u}{\\partial x}$$\n"
            "and costs \\$0.\n\n"
            "1. first $\\delta^{(l)}$\n2. second, `delta.sum(axis=0)`\n\n"
            "- a bullet that is long enough to be wrapped onto a second line of the "
            "terminal here")
    assert to_text(text, width=40) == (
        "Sum the contributions of the paths,\n"
        "which always works:\n"
        "    ∂y/∂x = ∂y/∂u ∂u/∂x\n"
        "and costs $0.\n"
        "\n"
        "1. first δ^(l)\n"
        "2. second, `delta.sum(axis=0)`\n"
        "\n"
        "- a bullet that is long enough to be\n"
        "  wrapped onto a second line of the\n"
        "  terminal here")


def test_inline_maths_is_never_split_by_the_wrapping():
    shown = to_text("A variable x influences y through two variables. What is "
                    "$\\partial y / \\partial x$?", width=62)
    assert shown.splitlines()[-1] == "∂y / ∂x?"


def test_maths_the_terminal_cannot_show_stays_tex():
    shown = to_text("Is $\\delta^{(l)}$ of shape $(N, n_l)$?",
                    show_math=lambda tex: None if "\\" in tex else math_to_text(tex))
    assert shown == "Is $\\delta^{(l)}$ of shape (N, n_l)?"


def test_control_characters_never_reach_the_terminal_text():
    shown = to_text("red \x1b[31mtext\x1b[0m, a NUL\x00 and \x001\x00 tokens\x1f")
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f]", shown)
