"""Notebook 03 (the backward pass): the stepper that walks the recursion one line at a time,
and the bug lab of typical slips."""

from .bug_lab import (
    BUGS,
    Bug,
    BugLab,
    GradientRow,
    buggy_gradients,
    cache_of,
    compare_gradients,
    deltas,
    gradient_table,
    gradient_table_html,
    plot_bug_rows,
    reference_gradients,
    square_example,
    worked_example,
)
from .stepper import BackwardStepper

__all__ = [
    "BUGS", "BackwardStepper", "Bug", "BugLab", "GradientRow", "buggy_gradients", "cache_of",
    "compare_gradients", "deltas", "gradient_table", "gradient_table_html", "plot_bug_rows",
    "reference_gradients", "square_example", "worked_example",
]
