"""bpcourse: a course on backpropagation, and the transparent NumPy MLP it teaches with.

``from bpcourse import MLP, optim, gradient_check, fit`` gives the main pieces. SymPy and
matplotlib are loaded only by the modules that draw or derive (``bpcourse.plots``,
``bpcourse.symbolic``), so importing the package stays fast.
"""

from . import data, optim
from .diagnostics import TrainingDiverged, clip_by_global_norm, grad_norms
from .gradcheck import gradient_check
from .mlp import MLP
from .train import History, accuracy, fit

__all__ = [
    "MLP", "History", "TrainingDiverged", "accuracy", "clip_by_global_norm", "data", "fit",
    "grad_norms", "gradient_check", "optim",
]
__version__ = "0.1.0"
