"""bpcourse.answers: every kind of answer gets the right verdict and a clear message."""

import math

import numpy as np
import pytest
import sympy

from bpcourse.answers import Verdict, check_answer, check_expression, check_number, check_shape

E = math.sqrt(2 / 256)  # 0.08838...
z, w, x = sympy.symbols("z w x")


@pytest.mark.parametrize("answer", ["0.0884", "0.08839", "8.84e-2", "0,0884", " 0.0884 ",
                                    np.float64(0.0884), np.float32(0.0884), E, "0.0883"])
def test_numbers_right_to_the_digits_given_are_right(answer):
    assert check_number(answer, E).kind == "right"


@pytest.mark.parametrize("answer", ["0.09", "0.088", 0.09])
def test_too_few_digits_ask_for_more_digits_not_a_concept_hint(answer):
    verdict = check_number(answer, E)
    assert (verdict.ok, verdict.kind) == (False, "more_digits")
    assert "more digits" in verdict.message and "Hint" not in verdict.message


def test_a_rounding_slip_in_the_last_digit_is_close_and_says_rounding():
    verdict = check_number("0.1234", 0.12355)
    assert verdict.kind == "close" and "Round" in verdict.message
    assert check_number("0.0885", E).kind == "close"


@pytest.mark.parametrize("answer", ["0.0900", "-0.0884", "0.2", "1", 3])
def test_wrong_numbers_are_wrong(answer):
    verdict = check_number(answer, E)
    assert verdict.kind == "wrong" and not verdict.ok and verdict.final


@pytest.mark.parametrize("answer", [3, 3.0, "3", "3.0", np.int64(3), np.array(3.0), "6/2"])
def test_exact_integers_in_any_form_are_right(answer):
    assert check_number(answer, 3).kind == "right"


def test_an_integer_answer_is_not_accepted_one_off():
    assert check_number("62", 63).kind == "wrong"


@pytest.mark.parametrize("answer, words", [
    ("", "no answer"), (None, "no answer"), (..., "no answer"),
    ("nan", "not a finite"), ("inf", "not a finite"), (float("nan"), "not a finite"),
    (float("-inf"), "not a finite"), ("abc", "Could not read"), (True, "True/False"),
    (np.array([1.0, 2.0]), "shape (2,)"), (1 + 2j, "complex"), ([1], "got a list"),
    ("1/0", "divides by zero"),
])
def test_empty_nonfinite_and_wrongly_typed_numbers_get_clear_messages(answer, words):
    verdict = check_number(answer, E)
    assert not verdict.ok and not verdict.final
    assert verdict.kind in ("empty", "malformed")
    assert words in verdict.message


@pytest.mark.parametrize("answer", ["(5, 2)", "5, 2", "5x2", "[5, 2]", (5, 2), [5, 2],
                                    np.array([5, 2]), (np.int64(5), 2.0)])
def test_shapes_are_read_from_text_tuples_lists_and_arrays(answer):
    assert check_shape(answer, (5, 2)).kind == "right"


def test_wrong_shapes_name_the_dimensions_or_the_order():
    assert "wrong order" in check_shape((2, 5), (5, 2)).message
    assert "1 dimension" in check_shape("(5,)", (5, 2)).message
    assert check_shape("5", (5,)).kind == "right"
    assert check_shape("(5, 2.5)", (5, 2)).kind == "malformed"
    assert check_shape([5, -2], (5, 2)).kind == "malformed"
    assert check_shape("", (5, 2)).kind == "empty"


@pytest.mark.parametrize("answer", ["1 - tanh(z)**2", "sech(z)^2", "1-tanh(z)^2",
                                    "1/cosh(z)**2", sympy.sech(z) ** 2,
                                    "4/(exp(z) + exp(-z))^2"])
def test_equivalent_formulas_are_right(answer):
    assert check_expression(answer, 1 - sympy.tanh(z) ** 2).kind == "right"


def test_sigmoid_can_be_typed_by_name_or_as_sigma():
    expected = sympy.exp(-z) / (1 + sympy.exp(-z)) ** 2
    for answer in ("sigmoid(z)*(1 - sigmoid(z))", "σ(z)(1-σ(z))", "sigma(z) - sigma(z)^2"):
        assert check_expression(answer, expected).ok, answer


@pytest.mark.parametrize("answer", ["1 - tanh(z)", "tanh(z)**2", "2z", "0"])
def test_different_formulas_are_wrong(answer):
    assert check_expression(answer, 1 - sympy.tanh(z) ** 2).kind == "wrong"


@pytest.mark.parametrize("answer, words", [
    ("1 - tanh(z", "brackets"), ("__import__('os')", "cannot be part"),
    ("z.func", "'.'"), ("x*z", "Unknown name 'x'"), ("foo(z)", "Unknown"),
    ("f'(z) = 1 - tanh(z)^2", "without '='"), ("9**9**9**9", "exponent"),
    ("(1, 2)", "several"), ("z" * 400, "longer than"), ("", "no answer"),
    ([1, 2], "Expected a formula"),
])
def test_malformed_formulas_get_a_clear_message_never_a_traceback(answer, words):
    verdict = check_expression(answer, 1 - sympy.tanh(z) ** 2)
    assert verdict.kind in ("malformed", "empty") and words in verdict.message


def test_rounded_coefficients_in_a_formula_are_close_not_a_concept_hint():
    verdict = check_expression("0.33*z", z / 3)
    assert verdict.kind == "close" and "exact" in verdict.message


def test_check_answer_dispatches_and_refuses_unknown_kinds():
    assert check_answer("0.0884", E, "numeric").ok
    assert check_answer("(1,)", (1,), "shape").ok
    assert check_answer("w*x", w * x, "symbolic").ok
    with pytest.raises(ValueError, match="unknown answer kind"):
        check_answer("1", 1, "colour")


def test_verdicts_round_trip_through_dicts():
    verdict = check_number("0.09", E)
    assert Verdict.from_dict(verdict.to_dict()) == verdict
