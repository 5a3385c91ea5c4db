"""Checks of notebook 06: right answers pass, typical slips fail with their own hint."""

import math

import pytest

from bpcourse.exercises.vanishing_exploding import (
    check_clip_scale,
    check_he_std,
    check_sigmoid_bound,
)

NORMS = {"W1": 3.0, "W2": 4.0, "W3": 12.0}  # global norm 13


def verdict_of(check, answer, capsys, **givens):
    ok = check(answer, **givens)
    return ok, capsys.readouterr().out


# -- sigmoid bound ---------------------------------------------------------------------------
def test_sigmoid_bound_right(capsys):
    ok, out = verdict_of(check_sigmoid_bound, 0.25**10, capsys)
    assert ok and out.startswith("Correct")
    ok, out = verdict_of(check_sigmoid_bound, 1 / 4**3, capsys, layers=3)
    assert ok


@pytest.mark.parametrize("answer, hint", [
    (2.5, "multiply"),
    (0.25, "one layer"),
    (4**10, "only shrink"),
    (0.5**10, "not 1/2"),
    (0.25**9, "every one of the 10"),
])
def test_sigmoid_bound_slips(capsys, answer, hint):
    ok, out = verdict_of(check_sigmoid_bound, answer, capsys)
    assert not ok
    assert out.startswith("Not yet") and hint in out


def test_sigmoid_bound_other_wrong_values_and_no_answer(capsys):
    ok, out = verdict_of(check_sigmoid_bound, 1e-5, capsys)
    assert not ok and "You gave 1e-05" in out and "σ'(0) = 1/4" in out
    ok, out = verdict_of(check_sigmoid_bound, ..., capsys)
    assert not ok and "no answer yet" in out


# -- He std ----------------------------------------------------------------------------------
def test_he_std_right(capsys):
    ok, out = verdict_of(check_he_std, math.sqrt(2 / 256), capsys)
    assert ok and out.startswith("Correct")
    assert check_he_std(0.08838834764831845)
    ok, _ = verdict_of(check_he_std, math.sqrt(2 / 100), capsys, n_in=100)
    assert ok


@pytest.mark.parametrize("answer, hint", [
    (2 / 256, "square root"),
    (math.sqrt(1 / 256), "ReLU zeroes half"),
    (1 / 256, "solve n_in"),
    (math.sqrt(2) / 256, "covers the whole fraction"),
])
def test_he_std_slips(capsys, answer, hint):
    ok, out = verdict_of(check_he_std, answer, capsys)
    assert not ok and hint in out


def test_he_std_xavier_slip(capsys):
    # Xavier on a square layer, sqrt(2 / (n + n)), is sqrt(1 / n).
    ok, out = verdict_of(check_he_std, math.sqrt(2 / 512), capsys)
    assert not ok and "Xavier" in out and "double Var(w)" in out


def test_he_std_wrong_type(capsys):
    ok, out = verdict_of(check_he_std, "he", capsys)
    assert not ok and "Could not read 'he' as a number" in out


# -- clipping factor ---------------------------------------------------------------------------
def test_clip_scale_right(capsys):
    ok, out = verdict_of(check_clip_scale, 5 / 13, capsys, layer_norms=NORMS, max_norm=5.0)
    assert ok and out.startswith("Correct")
    ok, _ = verdict_of(check_clip_scale, 1.0, capsys, layer_norms=NORMS, max_norm=20.0)
    assert ok


@pytest.mark.parametrize("answer, hint", [
    (5 / 19, "not the sum"),
    (5 / 12, "one common factor"),
    (13 / 5, "must shrink"),
    (0.5, "combine the layers"),
])
def test_clip_scale_slips(capsys, answer, hint):
    ok, out = verdict_of(check_clip_scale, answer, capsys, layer_norms=NORMS, max_norm=5.0)
    assert not ok and hint in out


def test_clip_scale_when_no_clipping_is_needed(capsys):
    ok, out = verdict_of(check_clip_scale, 20 / 13, capsys, layer_norms=NORMS, max_norm=20.0)
    assert not ok and "already short enough" in out


def test_clip_scale_one_when_clipping_is_needed(capsys):
    ok, out = verdict_of(check_clip_scale, 1.0, capsys, layer_norms=NORMS, max_norm=5.0)
    assert not ok and "longer than the threshold" in out
