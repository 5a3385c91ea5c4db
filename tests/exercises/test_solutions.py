"""Every exercise's worked solution passes its check, and graded help shows hint, hint,
solution, one click at a time."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bpcourse.exercises.help import BUTTON_LABELS, Help
from bpcourse.exercises.solutions import RECORDS, help_for, record, reference

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def run_record(key: str) -> tuple[bool, dict]:
    rec = RECORDS[key]
    scope: dict = {}
    exec(rec.setup, scope)
    exec(rec.solution, scope)
    return bool(eval(rec.check, scope)), scope


ISSUE_10_EXERCISES = {
    "shape_W2", "rating", "intervals", "collapse", "Z1_A1", "shapes", "cross_entropy", "dh",
    "tiny", "n_paths", "delta2", "delta1", "backward", "bug_location", "diverging_lr",
    "momentum", "adam", "iterations", "noise_factor", "batch_gradient", "sigmoid_bound",
    "he_std", "clip_scale", "l2_gradients", "keep_scale", "eval_output", "early_stopping",
    "overfitting_pair", "param_count", "diagnoses", "spiral"}


def test_every_exercise_that_shipped_a_worked_answer_has_a_record():
    assert len(ISSUE_10_EXERCISES) == 31 and ISSUE_10_EXERCISES <= set(RECORDS)
    assert all(key == rec.key for key, rec in RECORDS.items())


@pytest.mark.parametrize("key", sorted(RECORDS))
def test_each_worked_solution_passes_its_check(capsys, key):
    ok, _ = run_record(key)
    out = capsys.readouterr().out
    assert ok and "Not yet" not in out and "Correct" in out


@pytest.mark.parametrize("key", sorted(RECORDS))
def test_reference_returns_what_the_solution_defines(key):
    _, scope = run_record(key)
    value = reference(key)
    values = value if len(RECORDS[key].names) > 1 else (value,)
    for name, got in zip(RECORDS[key].names, values, strict=True):
        if hasattr(got, "params"):  # a trained net (callable too): the same weights
            assert got.params.keys() == scope[name].params.keys()
            assert all((got.params[k] == scope[name].params[k]).all() for k in got.params)
        elif callable(got):
            assert got.__name__ == scope[name].__name__
        else:
            assert repr(got) == repr(scope[name])


def test_reference_reads_the_givens_of_the_namespace_it_is_given():
    import numpy as np

    givens = {"np": np, "X_ex": np.eye(2), "W1_ex": 2 * np.eye(2), "b1_ex": np.ones(2)}
    Z1, A1 = reference("Z1_A1", givens)
    np.testing.assert_array_equal(Z1, [[3.0, 1.0], [1.0, 3.0]])
    np.testing.assert_allclose(A1, 1 / (1 + np.exp(-Z1)))
    assert "E_ex" not in givens  # the solution ran in a copy


def test_an_unknown_key_lists_the_exercises():
    with pytest.raises(ValueError, match="no exercise 'delta3'.*delta2"):
        record("delta3")


@pytest.mark.parametrize("key", sorted(RECORDS))
def test_hints_come_before_and_apart_from_the_solution(key):
    rec = RECORDS[key]
    assert len(rec.hints) == 2 and all(len(h) > 20 for h in rec.hints)
    assert rec.hints[0] != rec.hints[1]
    assert Help.from_dict(json.loads(json.dumps(rec.to_dict()))) == rec


def test_the_button_gives_a_hint_then_another_then_the_solution():
    panel = help_for("delta2")
    assert panel.output.value == "" and panel.button.description == BUTTON_LABELS[0]
    panel.button.click()
    assert "Hint 1." in panel.output.value and "Hint 2." not in panel.output.value
    assert "delta2 = " not in panel.output.value
    assert panel.button.description == BUTTON_LABELS[1]
    panel.button.click()
    assert "Hint 2." in panel.output.value and "Worked solution" not in panel.output.value
    assert panel.button.description == BUTTON_LABELS[2]
    panel.button.click()
    assert "Worked solution" in panel.output.value
    assert "delta2 = (cache[&quot;A2&quot;] - Y) / N" in panel.output.value
    assert panel.button.disabled
    panel.button.click()  # a disabled button's handler may still fire: nothing changes
    assert panel.shown == 3


@pytest.mark.parametrize("name", ["00_start_here", "01_forward_pass", "02_chain_rule",
                                  "03_backward_pass"])
def test_the_notebooks_ship_stubs_not_worked_answers(name):
    nb = json.loads((NOTEBOOKS / f"{name}.ipynb").read_text())
    sources = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    assert not any("holds a worked answer" in s for s in sources)
    keys = [k for k in RECORDS if any(f'reference("{k}", globals())' in s for s in sources)]
    assert keys and all(any(f'help_for("{k}")' in s for s in sources) for k in keys)
