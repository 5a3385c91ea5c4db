"""Every instance is well posed: a finite answer, numbers a person can work with, shown in
the prompt, and an answer that follows them."""

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from bpcourse.practice import REGISTRY, Instance, get_generator
from bpcourse.practice.instance import show

NAMES = sorted(REGISTRY)


def _bumped(value):
    if isinstance(value, int):
        return value + 1
    return round(value + 0.1, 2) if round(value + 0.1, 2) != 0 else round(value + 0.2, 2)


def _perturbations(value):
    """Each way of changing one shown number by one step: a list, entry by entry."""
    if isinstance(value, (bool, str)):
        return []
    if isinstance(value, float):
        return [_bumped(value), -value]  # the sign is what a ReLU's slope depends on
    if isinstance(value, int):
        return [_bumped(value)]
    if isinstance(value, list):
        return [[*value[:i], _bumped(v), *value[i + 1:]] for i, v in enumerate(value)]
    return []


def _hand_workable(value):
    if isinstance(value, list):
        return all(_hand_workable(v) for v in value)
    if isinstance(value, float):
        return round(value, 2) == value and abs(value) <= 10
    if isinstance(value, int) and not isinstance(value, bool):
        return abs(value) <= 5000
    return True


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(NAMES), st.integers(0, 2**32 - 1))
def test_every_instance_is_well_posed(name, seed):
    gen = get_generator(name)
    inst = gen.instance(seed)
    # Finite, and checked right against itself; non-degenerate: not 0 where 0 needs no work.
    if inst.kind == "numeric":
        assert math.isfinite(inst.answer)
        assert inst.check(repr(inst.answer)).ok
    elif inst.kind == "shape":
        assert all(n > 0 for n in inst.answer) and inst.check(str(inst.answer)).ok
    else:
        assert inst.check(inst.answer).ok
    # Numbers a person can work: one or two decimals, small integers, all in the prompt.
    for key, value in inst.givens.items():
        assert _hand_workable(value), (name, key, value)
        shown = value if isinstance(value, list) else [value]
        for v in shown:
            if isinstance(v, (int, float)) and key not in ("form", "outer", "j", "i", "label",
                                                           "l", "array"):
                assert show(v) in inst.prompt or f"{v}" in inst.prompt, (name, key, v)
    # The answer follows the numbers shown: changing one of them changes it.
    changed = False
    for key, value in inst.givens.items():
        for other in _perturbations(value):
            try:
                again = gen.instance(seed, overrides={key: other})
            except (ValueError, ZeroDivisionError, OverflowError, IndexError):
                continue
            changed = changed or again.answer != inst.answer
    assert changed, name
    # The instance survives a round trip through JSON, as the review log replays it.
    assert Instance.from_dict(inst.to_dict()) == inst


def test_the_same_seed_gives_the_same_problem_and_another_seed_another():
    for name in NAMES:
        gen = get_generator(name)
        assert gen.instance(5) == gen.instance(5)
        assert len({gen.instance(s).prompt for s in range(20)}) > 5, name
