"""Checks of notebook 00's exercises: right answers pass, the usual slips get their hint."""

import numpy as np
import pytest

from bpcourse.exercises.start_here import (
    check_sm2_intervals,
    check_struggle_rating,
    check_weight_shape,
    sm2_intervals,
    weight_shape,
)


def run(capsys, check, *args):
    ok = check(*args)
    return ok, capsys.readouterr().out


# -- shape of W{l} -------------------------------------------------------------------------
@pytest.mark.parametrize("answer", [(5, 2), [5, 2], (5.0, 2.0)])
def test_weight_shape_right_answer(capsys, answer):
    ok, out = run(capsys, check_weight_shape, answer)
    assert ok and out.startswith("Correct")


def test_weight_shape_of_a_real_network_passes(capsys):
    from bpcourse import MLP

    net = MLP([3, 5, 2], seed=0)
    ok, out = run(capsys, check_weight_shape, net.params["W2"].shape)
    assert ok and out.startswith("Correct")


@pytest.mark.parametrize("wrong,hint", [
    ((2, 5), "transpose"),
    ((3, 5), "That is W1"),
    ((2,), "bias b2"),
    ((4, 4), "read both widths"),
    ("5x2", "tuple of two numbers"),
    (..., "no answer yet"),
])
def test_weight_shape_slips_get_their_hint(capsys, wrong, hint):
    ok, out = run(capsys, check_weight_shape, wrong)
    assert not ok and out.startswith("Not yet") and hint in out


def test_weight_shape_other_layers(capsys):
    assert weight_shape([4, 8, 6, 1], 1) == (4, 8)
    assert weight_shape([4, 8, 6, 1], 3) == (6, 1)
    ok, out = run(capsys, check_weight_shape, (6, 1), [4, 8, 6, 1], 2)
    assert not ok and "That is W3" in out
    with pytest.raises(ValueError, match="layer 0"):
        weight_shape([3, 5, 2], 0)


# -- honest rating -------------------------------------------------------------------------
@pytest.mark.parametrize("answer", [3, 3.0, np.int64(3), "3", " 3 "])
def test_struggle_rating_right_answer(capsys, answer):
    # 3.0, np.int64(3) and "3" used to be refused for their type.
    ok, out = run(capsys, check_struggle_rating, answer)
    assert ok and out.startswith("Correct") and "Partly" in out


@pytest.mark.parametrize("wrong,hint", [
    (4, "short hesitation"),
    (5, "forget it before it returns"),
    (1, "it is a pass"),
    (2, "it is a pass"),
    ("three", "whole number from 1 to 5"),
    (2.5, "whole number from 1 to 5"),
    (0, "whole number from 1 to 5"),
    (..., "no answer yet"),
])
def test_struggle_rating_wrong_answers_get_their_hint(capsys, wrong, hint):
    ok, out = run(capsys, check_struggle_rating, wrong)
    assert not ok and out.startswith("Not yet") and hint in out


# -- SM-2 intervals ------------------------------------------------------------------------
def test_sm2_intervals_hand_worked():
    # EF 2.5 -> 2.6 -> 2.7; third pass: ceil(6 * 2.7) = ceil(16.2) = 17.
    assert sm2_intervals([5, 5, 3]) == (1, 6, 17)
    # EF stays 2.5 with 4s: ceil(6 * 2.5) = 15, ceil(15 * 2.5) = ceil(37.5) = 38.
    assert sm2_intervals([4, 4, 4, 4]) == (1, 6, 15, 38)
    assert sm2_intervals([5, 2, 4]) == (1, 1, 1)


@pytest.mark.parametrize("answer", [[1, 6, 17], (1, 6, 17), [1.0, 6.0, 17.0]])
def test_sm2_intervals_right_answer(capsys, answer):
    ok, out = run(capsys, check_sm2_intervals, answer)
    assert ok and out.startswith("Correct")


@pytest.mark.parametrize("wrong,hint", [
    ([1, 6, 16], "before this review"),  # EF 2.56 used, or rounded down
    ([1, 6, 15], "after two 5s it is 2.7"),  # EF never updated
    ([1, 6, 1], "3 or more is a pass"),
    ([1, 2, 17], "1 day, then 6 days"),
    ([1, 6, 20], "ceil(previous interval x EF)"),
    ([1, 6], "3 in all"),
    (17, "3 in all"),
    (..., "no answer yet"),
])
def test_sm2_intervals_slips_get_their_hint(capsys, wrong, hint):
    ok, out = run(capsys, check_sm2_intervals, wrong)
    assert not ok and out.startswith("Not yet") and hint in out


def test_sm2_round_down_slip_is_named_when_it_differs(capsys):
    # 4, 4, 4, 4: ceil(37.5) = 38 but floor gives 37; EF stays 2.5 so no other slip gives 37.
    ok, out = run(capsys, check_sm2_intervals, [1, 6, 15, 37], [4, 4, 4, 4])
    assert not ok and "rounds the product up" in out


@pytest.mark.parametrize("check, hint", [
    (check_weight_shape, "Count the units of the layer before and of layer l itself."),
    (check_struggle_rating, "Pick a whole number from 1 to 5."),
    (check_sm2_intervals, "Start with EF = 2.5 and n = 0."),
])
@pytest.mark.parametrize("answer", [..., None])
def test_no_answer_line_points_to_the_help_not_the_hint(capsys, check, hint, answer):
    ok, out = run(capsys, check, answer)
    assert not ok
    assert out.endswith(". There is no answer yet: replace the ... with yours. "
                        "Stuck? Use the help button below.\n")
    assert hint not in out
