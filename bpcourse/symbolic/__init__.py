"""The symbolic side of the course: backprop's gradients derived with SymPy.

* ``SymbolicMLP``: an MLP as SymPy expressions for one sample, named as in the notebooks;
  ``gradients(net, X, Y)``: every gradient by ``sympy.diff``, to check the NumPy backward pass.
* ``chain_rule(net, "W1[0,1]", x, y)``: the chain-rule factors of one parameter, path by path.
* ``ComputationGraph`` / ``draw_graph``: values and gradients on every node, drawn.
* ``expression_cost``: how the symbolic gradient swells next to backprop's linear cost.

This subpackage imports SymPy, so ``import bpcourse`` does not import it.
"""

from .chain import ChainRule, chain_rule, parameter_entries
from .cost import CostTable, backprop_program, expression_cost, run_program
from .graph import ComputationGraph, draw_graph
from .model import SymbolicMLP, gradients

__all__ = [
    "ChainRule", "ComputationGraph", "CostTable", "SymbolicMLP", "backprop_program",
    "chain_rule", "draw_graph", "expression_cost", "gradients", "parameter_entries",
    "run_program",
]
