"""The exercise checks: one printed verdict line, a bool, and a useful reason when wrong."""

from __future__ import annotations

import numpy as np
import pytest

from bpcourse.exercises import check_choice, check_value, verdict


def test_verdict_lines(capsys):
    assert verdict(True, "the loss", "Well done.") is True
    assert verdict(False, "the loss", "You gave 3.", hint="Average over the rows.") is False
    out = capsys.readouterr().out.splitlines()
    assert out == ["Correct: the loss. Well done.",
                   "Not yet: the loss. You gave 3. Hint: Average over the rows."]


def test_correct_value(capsys):
    assert check_value(0.5 + 1e-12, 0.5, "sigma(0)") is True
    assert capsys.readouterr().out == "Correct: sigma(0).\n"


def test_correct_array_given_as_a_list(capsys):
    assert check_value([[1.0, 2.0]], np.array([[1.0, 2.0]]), "Z1") is True
    assert capsys.readouterr().out.startswith("Correct")


@pytest.mark.parametrize("answer", [..., None])
def test_no_answer_yet(capsys, answer):
    assert check_value(answer, 1.0, "dW1", hint="Use A0.T @ delta1.") is False
    out = capsys.readouterr().out
    assert out.startswith("Not yet: dW1.")
    # No concept hint before a first attempt: it would give the answer away.
    assert "no answer yet" in out and "Hint" not in out and "help button" in out


def test_wrong_shape_is_named(capsys):
    assert check_value(np.zeros((3, 2)), np.zeros((2, 3)), "W1") is False
    out = capsys.readouterr().out
    assert "shape (3, 2)" in out and "expected (2, 3)" in out


def test_nan_is_named(capsys):
    assert check_value([1.0, np.nan], [1.0, 2.0], "A1") is False
    assert "NaN" in capsys.readouterr().out


def test_wrong_number_is_quoted(capsys):
    assert check_value(0.45, 0.25, "sigma'(0)", hint="f'(0) = f(0)(1 - f(0))") is False
    out = capsys.readouterr().out
    assert out.startswith("Not yet") and "You gave 0.45." in out and "Hint: f'(0)" in out


def test_wrong_array_points_at_the_largest_difference(capsys):
    assert check_value([[1.0, 2.0], [3.0, 9.0]], [[1.0, 2.0], [3.0, 4.0]], "dW") is False
    out = capsys.readouterr().out
    assert "index (1, 1)" in out and "yours 9" in out


def test_not_a_number(capsys):
    assert check_value("two", 2.0, "b1") is False
    assert "Could not read 'two' as a number" in capsys.readouterr().out
    assert check_value("two", [2.0, 1.0], "b1") is False
    assert "got a str" in capsys.readouterr().out


def test_tolerances():
    # A computed value agrees to float rounding; a typed one to the digits it shows.
    assert check_value(0.1 + 0.2, 0.3, "x") is True
    assert check_value(1.0 + 1e-7, 1.0, "x") is False  # 1.0000001 is wrong in its 7th digit
    assert check_value(1.0 + 1e-5, 1.0, "x", rtol=1e-4) is True


def test_check_choice(capsys):
    assert check_choice(" B ", "b", "question 1") is True
    assert check_choice("c", "b", "question 1", hint="Think about the chain rule.") is False
    assert check_choice(..., "b", "question 1") is False
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Correct: question 1."
    assert out[1] == "Not yet: question 1. You chose 'c'. Hint: Think about the chain rule."
    assert "no answer yet" in out[2]


def test_same_value_needs_the_shape_and_the_numbers():
    from bpcourse.exercises import same_value

    assert same_value([1.0, 2.0], np.array([1.0, 2.0 + 1e-9]))
    assert not same_value([[1.0, 2.0]], [1.0, 2.0])  # right numbers, wrong shape
    assert not same_value(..., 1.0) and not same_value(None, 1.0)
    assert not same_value("three", 3.0)


def test_grade_names_a_recognised_slip(capsys):
    from bpcourse.exercises import grade

    slips = [(48 / 3, "you counted one epoch"), (45, "floor instead of ceil")]
    assert grade(48, 48, "iterations", slips, hint="general")
    assert capsys.readouterr().out.startswith("Correct: iterations")
    assert not grade(45, 48, "iterations", slips, hint="general")
    out = capsys.readouterr().out
    assert "common slip" in out and "floor instead of ceil" in out and "general" not in out
    assert not grade(7, 48, "iterations", slips, hint="general")
    assert "Hint: general" in capsys.readouterr().out
