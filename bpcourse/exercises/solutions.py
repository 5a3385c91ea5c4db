"""The worked answers of every notebook exercise, with two graded hints each.

``RECORDS`` maps an exercise's key to its ``Help`` record. A notebook ships each exercise
as a stub (``delta2 = ...``); the cell after it rebinds the reference answer with
``reference(key, globals())``, so the notebook runs top to bottom whatever the learner
wrote, and offers ``help_for(key)``. The tests run every record's setup, solution and check.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .help import Help, HelpPanel

__all__ = ["RECORDS", "Help", "help_for", "record", "reference"]

_ST = "from bpcourse.exercises.start_here import *\n"
_FP = "import numpy as np\nfrom bpcourse.exercises.forward_pass import *\n"
_CR = "import numpy as np\nfrom bpcourse.exercises.chain_rule import *\n"
_BP = ("import numpy as np\nfrom bpcourse.exercises.backward_pass import *\n"
       "from bpcourse.exercises.backward_pass import _worked_arrays\n"
       "net, Y, cache, _trace = _worked_arrays()\nN = len(Y)\n")
_WU = "import numpy as np\nfrom bpcourse.exercises.weight_update import *\n"
_EB = "import math\nimport numpy as np\nfrom bpcourse.exercises.epochs_and_batches import *\n"
_VE = "import numpy as np\nfrom bpcourse.exercises.vanishing_exploding import *\n"
_RG = ("import numpy as np\nfrom bpcourse import MLP\n"
       "from bpcourse.exercises.regularization import *\n")
_PT = ("import numpy as np\nfrom bpcourse import data\n"
       "from bpcourse.runs import Settings, train_run\n"
       "from bpcourse.exercises.putting_it_together import *\n")

# Worked answers too long for one string literal: the completed engine of 02, the loop of 03.
_ENGINE = """\
import numpy as np


class Value:
    def __init__(self, data, parents=()):
        self.data, self.grad, self.parents = float(data), 0.0, parents
        self._backward = lambda: None

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other))

        def _backward():
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other))

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def tanh(self):
        t = np.tanh(self.data)
        out = Value(t, (self,))

        def _backward():
            self.grad += (1 - t * t) * out.grad
        out._backward = _backward
        return out

    def exp(self):
        e = np.exp(self.data)
        out = Value(e, (self,))

        def _backward():
            self.grad += e * out.grad
        out._backward = _backward
        return out

    __radd__ = __add__
    __rmul__ = __mul__

    def __sub__(self, other):
        return self + other * -1.0

    def backward(self):
        order, seen = [], set()

        def visit(node):
            if id(node) not in seen:
                seen.add(id(node))
                for parent in node.parents:
                    visit(parent)
                order.append(node)
        visit(self)
        for node in order:
            node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):
            node._backward()
"""
_BACKWARD_LOOP = """\
def backward_loop(params, cache, Y, fprime):
    L = len(params) // 2
    N = len(Y)
    delta = (cache[f"A{L}"] - Y) / N
    grads = {}
    for l in range(L, 0, -1):
        grads[f"W{l}"] = cache[f"A{l - 1}"].T @ delta
        grads[f"b{l}"] = delta.sum(axis=0)
        if l > 1:
            delta = (delta @ params[f"W{l}"].T) * fprime(cache[f"Z{l - 1}"])
    return grads
"""

RECORDS: dict[str, Help] = {r.key: r for r in [
    # -- 00 start here ---------------------------------------------------------------------
    Help("shape_W2",
         ("W2 connects layer 1 to layer 2. How many values come in, and how many units "
          "compute an output?",
          "With a batch as rows, Z2 = A1 @ W2: W2 needs one row per column of A1 and one "
          "column per unit of layer 2."),
         "shape_W2 = (5, 2)", ("shape_W2",),
         "check_weight_shape(shape_W2, sizes=[3, 5, 2], l=2)", _ST),
    Help("rating",
         ("Did you produce the whole answer in the end?",
          "A right answer that took a long struggle is a pass, but a weak one: the middle of "
          "the scale."),
         "rating = 3", ("rating",), "check_struggle_rating(rating)", _ST),
    Help("intervals",
         ("The first two passes give fixed intervals: 1 day, then 6 days.",
          "From the third pass on, interval = ceil(previous × EF), with EF as it stands "
          "before this review: two 5s have raised it from 2.5 to 2.7."),
         "intervals = [1, 6, 17]   # 6 × 2.7 = 16.2, rounded up", ("intervals",),
         "check_sm2_intervals(intervals)", _ST),
    # -- 01 forward pass -------------------------------------------------------------------
    Help("collapse",
         ("Substitute Z1 = X W1 + b1 into Z2 = Z1 W2 + b2 and multiply out.",
          "You get X (W1 W2) + (b1 W2 + b2): read off the matrix that multiplies X and "
          "what is left over."),
         "W_one = W1_lin @ W2_lin\nb_one = b1_lin @ W2_lin + b2_lin", ("W_one", "b_one"),
         "check_collapse(W_one, b_one, W1_lin, b1_lin, W2_lin, b2_lin)",
         _FP + "rng = np.random.default_rng(0)\n"
         "W1_lin, b1_lin = rng.normal(size=(2, 3)), rng.normal(size=3)\n"
         "W2_lin, b2_lin = rng.normal(size=(3, 2)), rng.normal(size=2)\n"),
    Help("Z1_A1",
         ("Z1 = X W1 + b1: which product fits the shapes (3, 2) and (2, 3)?",
          "X_ex @ W1_ex gives (3, 3); adding b1_ex broadcasts it to every row. Then apply "
          "the sigmoid 1 / (1 + exp(-z)) entry by entry."),
         "Z1_ex = X_ex @ W1_ex + b1_ex\nA1_ex = 1 / (1 + np.exp(-Z1_ex))", ("Z1_ex", "A1_ex"),
         "check_Z1(Z1_ex, X_ex, W1_ex, b1_ex) and check_A1(A1_ex, X_ex, W1_ex, b1_ex)",
         _FP + "X_ex = np.array([[0.5, -1.0], [2.0, 0.0], [-1.5, 1.0]])\n"
         "W1_ex = np.array([[1.0, -0.5, 0.25], [2.0, 1.0, -1.0]])\n"
         "b1_ex = np.array([0.5, 0.0, -0.5])\n"),
    Help("shapes",
         ("W{l} has one row per input of the layer and one column per unit; b{l} one entry "
          "per unit.",
          "Z{l} and A{l} have one row per sample (N = 10) and one column per unit of "
          "layer l."),
         'shapes = {"W1": (4, 5), "b1": (5,), "Z1": (10, 5), "A1": (10, 5),\n'
         '          "W2": (5, 3), "b2": (3,), "Z2": (10, 3), "A2": (10, 3)}', ("shapes",),
         "check_shapes(shapes, sizes=[4, 5, 3], N=10)", _FP),
    Help("cross_entropy",
         ("First turn each row of logits into probabilities with the softmax (normalise "
          "along axis=1).",
          "Then pick each row's probability of its true label, P[n, y[n]], take -log and "
          "average over the rows."),
         "E_ex = np.exp(Z_ex - Z_ex.max(axis=1, keepdims=True))\n"
         "P_ex = E_ex / E_ex.sum(axis=1, keepdims=True)\n"
         "ce = -np.log(P_ex[np.arange(len(y_ex)), y_ex]).mean()", ("ce",),
         "check_cross_entropy(ce, Z_ex, y_ex)",
         _FP + "Z_ex = np.array([[2.0, 0.5, -1.0], [0.0, 1.0, 3.0]])\n"
         "y_ex = np.array([0, 1])\n"),
    # -- 02 chain rule ---------------------------------------------------------------------
    Help("dh",
         ("h is three functions inside each other: tanh, then times 3, then σ. The chain "
          "rule multiplies their derivatives, each at its own input.",
          "h'(x) = σ'(u) · 3 · tanh'(x) with u = 3 tanh x, σ'(u) = σ(u)(1 − σ(u)) and "
          "tanh'(x) = 1 − tanh(x)²."),
         "def dh(x):\n    s = 1 / (1 + np.exp(-3 * np.tanh(x)))\n"
         "    return s * (1 - s) * 3 * (1 - np.tanh(x) ** 2)", ("dh",),
         "check_composite_derivative(dh)", _CR),
    Help("tiny",
         ("Run the forward pass first: z1 = w1 x + b1, a1 = σ(z1), a2 = w2 a1 + b2.",
          "The factors are a2 − y, w2, a1(1 − a1) and x; their product is ∂L/∂w1."),
         "z1 = 0.8 * 1.0 - 0.2\na1 = 1 / (1 + np.exp(-z1))\na2 = 1.5 * a1 + 0.1\n"
         "tiny_factors = [a2 - 0.5, 1.5, a1 * (1 - a1), 1.0]\n"
         "tiny_gradient = np.prod(tiny_factors)", ("tiny_factors", "tiny_gradient"),
         "check_tiny_factors(tiny_factors) and check_tiny_gradient(tiny_gradient)", _CR),
    Help("n_paths",
         ("The weight feeds one unit of layer 1. From there, how many choices does a path "
          "have in each layer above?",
          "A path picks one of the 5 units of layer 2 and one of the 2 of layer 3: the "
          "choices multiply."),
         "n_paths = 5 * 2", ("n_paths",), "check_path_count(n_paths)", _CR),
    Help("engine",
         ("In a*b, how much does the output move per unit of a? That slope times out.grad "
          "is what a receives; tanh's slope is 1 - tanh(a)^2, with t from the forward pass.",
          "order lists every node after the nodes it was made from, so the output is last. "
          "Gradients must flow from the output back: walk the list in reverse."),
         _ENGINE,
         ("Value",), "check_engine(Value)", _CR),
    # -- 03 backward pass ------------------------------------------------------------------
    Help("delta2",
         ("For a softmax output with cross-entropy, the Jacobian and 1/Ŷ cancel: δ2 has a "
          "very short formula.",
          "δ2 = (Ŷ − Y) / N, with Ŷ = cache['A2'] and Y the one-hot targets; the 1/N comes "
          "from the mean."),
         'delta2 = (cache["A2"] - Y) / N', ("delta2",), "check_output_delta(delta2)", _BP),
    Help("delta1",
         ("Two steps: carry δ2 back through the weights, then through the sigmoid's slope.",
          "delta2 @ W2.T has the shape of A1; multiply it elementwise by "
          "σ'(Z1) = A1 * (1 - A1)."),
         "delta1 = (delta2 @ W2.T) * A1 * (1 - A1)", ("delta1",),
         "check_hidden_delta(delta1)",
         _BP + 'delta2 = (cache["A2"] - Y) / N\nW2, A1 = net.params["W2"], cache["A1"]\n'),
    Help("backward",
         ("Start at the output: δ2 = (A2 − Y)/N. Each layer then needs dW = A_prev.T @ δ "
          "and db = δ summed over the rows.",
          "Go down one layer with δ1 = (δ2 @ W2.T) * A1 * (1 − A1), then dW1 = A0.T @ δ1 "
          "and db1 = δ1.sum(axis=0). Return a dict with W1, b1, W2, b2."),
         "def backward(params, cache, Y):\n    N = len(Y)\n"
         '    delta2 = (cache["A2"] - Y) / N\n'
         '    delta1 = (delta2 @ params["W2"].T) * cache["A1"] * (1 - cache["A1"])\n'
         '    return {"W1": cache["A0"].T @ delta1, "b1": delta1.sum(axis=0),\n'
         '            "W2": cache["A1"].T @ delta2, "b2": delta2.sum(axis=0)}',
         ("backward",), "check_backward(backward)", _BP),
    Help("bug_location",
         ("A bug corrupts everything computed after it. Which gradients are computed from "
          "δ2 directly?",
          "dW2 and db2 come straight from δ2: a slip in δ2 would make them fail too, but "
          "the table shows them passing."),
         'answer = "c"', ("answer",), "check_bug_location(answer)", _BP),
    Help("backward_loop",
         ("Start from delta = (A_L - Y)/N at the top and walk l from L down to 1; each layer "
          "gives dW = A_{l-1}.T @ delta and db = delta summed over the rows.",
          "Before moving down to layer l-1: delta = (delta @ W_l.T) * fprime(Z_{l-1}). The "
          "number of layers is len(params) // 2."),
         _BACKWARD_LOOP,
         ("backward_loop",), "check_backward_loop(backward_loop)", _BP),
    # -- 04 weight update ------------------------------------------------------------------
    Help("diverging_lr",
         ("Each step multiplies θ1 by 1 − ηa and θ2 by 1 − ηb. When does a coordinate grow?",
          "It grows when |1 − ηb| > 1, that is η > 2/b = 0.05 for b = 40."),
         'answer = "D"', ("answer",),
         "check_diverging_lr(answer, options=options, a=1.0, b=40.0)",
         _WU + 'options = {"A": 0.002, "B": 0.03, "C": 0.048, "D": 0.055}\n'),
    Help("momentum",
         ("Update the velocity first, then the parameters with the new velocity.",
          "v ← βv + g, then θ ← θ − η v."),
         "v_new = beta * v + g\ntheta_new = theta - eta * v_new", ("v_new", "theta_new"),
         "check_momentum_step(v_new, theta_new, theta=theta, v=v, g=g, beta=beta, lr=eta)",
         _WU + "theta = np.array([2.0, 1.0])\nv = np.array([1.0, -2.0])\n"
         "g = np.array([0.5, 0.4])\nbeta, eta = 0.9, 0.1\n"),
    Help("adam",
         ("At t = 1, m = (1 − β1) g and v = (1 − β2) g². Then correct the bias of both.",
          "m̂ = m / (1 − β1) = g and v̂ = v / (1 − β2) = g², so the step is "
          "−η g / (|g| + ε): about −η·sign(g), whatever the gradient's size."),
         "m = (1 - beta1) * g\nv = (1 - beta2) * g ** 2\n"
         "m_hat, v_hat = m / (1 - beta1 ** 1), v / (1 - beta2 ** 1)\n"
         "step = -eta * m_hat / np.sqrt(v_hat)", ("step",),
         "check_adam_first_step(step, g=g, lr=eta)",
         _WU + "g = np.array([0.002, -50.0])\neta, beta1, beta2 = 0.01, 0.9, 0.999\n"),
    Help("schedule_values",
         ("Steps count from 1, so the staircase first drops after step 100. How many drops "
          "come before step 300? For the cosine, first work out the progress (t − 1)/(T − 1).",
          "Two drops: 0.1 · 0.5². The cosine's progress is 25/100 = 1/4, so "
          "η = ½ · 0.1 · (1 + cos(π/4))."),
         "eta_step = 0.1 * 0.5 ** ((300 - 1) // 100)\n"
         "eta_cos = 0.5 * 0.1 * (1 + np.cos(np.pi * (26 - 1) / (101 - 1)))",
         ("eta_step", "eta_cos"),
         "check_schedule_values(eta_step, eta_cos, lr=0.1, every=100, factor=0.5, t=300, "
         "total=101, t_cos=26)", _WU),
    # -- 05 epochs and batches -------------------------------------------------------------
    Help("iterations",
         ("How many batches does one epoch of 1000 rows take with B = 64? The last batch "
          "may be smaller.",
          "ceil(1000 / 64) = 16 steps per epoch; multiply by the number of epochs."),
         "iterations = 3 * math.ceil(1000 / 64)", ("iterations",),
         "check_iterations(iterations, n=1000, batch_size=64, epochs=3)", _EB),
    Help("noise_factor",
         ("The mean squared deviation of a batch gradient is a variance. How does the "
          "variance of a mean of B samples depend on B?",
          "It goes like 1/B: compare 1/8 with 1/32."),
         "factor = 32 / 8", ("factor",),
         "check_noise_factor(factor, b_from=8, b_to=32)", _EB),
    Help("batch_gradient",
         ("Use only rows 1 and 2 (counting from 0). For each, the error is "
          "e = x W1 + b1 − y.",
          "dW1 is the mean over the batch of xᵀ e (shape (2, 1)); db1 the mean of e "
          "(shape (1,))."),
         "dW1 = np.array([[(0 * -1.5 + 2 * 0.5) / 2],\n"
         "                [(1 * -1.5 + 0 * 0.5) / 2]])\n"
         "db1 = np.array([(-1.5 + 0.5) / 2])", ("dW1", "db1"),
         "check_batch_gradient(dW1, db1, X=X_ex, Y=Y_ex, W1=W1_ex, b1=b1_ex, rows=batch_rows)",
         _EB + "X_ex = np.array([[1.0, 2.0], [0.0, 1.0], [2.0, 0.0], [1.0, -1.0]])\n"
         "Y_ex = np.array([[3.0], [1.0], [2.0], [1.0]])\n"
         "W1_ex, b1_ex = np.array([[1.0], [-1.0]]), np.array([0.5])\nbatch_rows = [1, 2]\n"),
    # -- 06 vanishing and exploding --------------------------------------------------------
    Help("sigmoid_bound",
         ("What is the largest value σ'(z) = σ(z)(1 − σ(z)) can take?",
          "It is 1/4, at z = 0; the chain rule multiplies one such factor per layer."),
         "answer = 0.25 ** 10", ("answer",), "check_sigmoid_bound(answer, layers=10)", _VE),
    Help("he_std",
         ("Var(z_next) = n_in · Var(w) · E[a²], and a ReLU passes on E[a²] = Var(z)/2.",
          "Setting the two variances equal gives Var(w) = 2 / n_in; the standard deviation "
          "is its square root."),
         "answer = np.sqrt(2 / 256)", ("answer",), "check_he_std(answer, n_in=256)", _VE),
    Help("clip_scale",
         ("First combine the layers' norms into one global norm.",
          "||g|| = sqrt(3² + 4² + 12²) = 13; the factor is min(1, c / ||g||)."),
         "answer = 5 / np.sqrt(3**2 + 4**2 + 12**2)", ("answer",),
         'check_clip_scale(answer, layer_norms={"W1": 3, "W2": 4, "W3": 12}, max_norm=5.0)',
         _VE),
    # -- 07 regularisation -----------------------------------------------------------------
    Help("l2_gradients",
         ("Differentiate the penalty (λ/2)‖W‖² with respect to W, and with respect to b.",
          "Its gradient is λW for the weights and 0 for the biases, added to the data "
          "gradients."),
         "dW_reg = dW + lam_ex * W\ndb_reg = db", ("dW_reg", "db_reg"),
         "check_l2_gradients(dW_reg, db_reg, W=W, b=b, dW=dW, db=db, lam=lam_ex)",
         _RG + "W = np.array([[0.5, -1.0, 2.0], [1.5, 0.0, -0.5]])\n"
         "b = np.array([0.3, -0.2, 1.0])\n"
         "dW = np.array([[0.1, 0.2, -0.3], [0.0, -0.1, 0.4]])\n"
         "db = np.array([0.05, -0.15, 0.2])\nlam_ex = 0.1\n"),
    Help("l1_gradient",
         ("Differentiate λ₁|w| for one weight: what is the slope of |w| for w > 0, for w < 0, "
          "and (by the course's convention) at w = 0?",
          "The slope is sign(w): +1, −1 or 0. Add λ₁ sign(W) to the data gradient, entry by "
          "entry; the two zero weights get nothing extra."),
         "dW_l1 = dW_l1ex + lam1_ex * np.sign(W_l1ex)", ("dW_l1",),
         "check_l1_gradient(dW_l1, W=W_l1ex, dW=dW_l1ex, lam1=lam1_ex)",
         _RG + "W_l1ex = np.array([[0.5, -1.0, 0.0], [2.0, 0.0, -0.25]])\n"
         "dW_l1ex = np.array([[0.1, 0.2, -0.3], [0.0, -0.1, 0.4]])\nlam1_ex = 0.05\n"),
    Help("augmentation",
         ("Build the copies as an array of shape (copies, N, d): X[None] broadcast against "
          "noise of that shape from rng.normal(0.0, sigma, size).",
          "Reshape the copies to (copies · N, d), put them under X with np.concatenate, and "
          "repeat the labels with np.tile(y, copies + 1)."),
         "def augment_fn(X, y, sigma, copies, rng):\n"
         "    noise = rng.normal(0.0, sigma, size=(copies, *X.shape))\n"
         "    X_aug = np.concatenate([X, (X[None] + noise).reshape(-1, X.shape[1])])\n"
         "    return X_aug, np.tile(y, copies + 1)",
         ("augment_fn",), "check_augmentation(augment_fn)", _RG),
    Help("keep_scale",
         ("A unit survives with probability 1 − p. What factor makes its expected value "
          "unchanged?",
          "E[mask] = (1 − p) · scale must be 1."),
         "scale = 1 / (1 - 0.2)", ("scale",), "check_keep_scale(scale, p=0.2)", _RG),
    Help("eval_output",
         ("In evaluation mode dropout is off. Which method switches it off, and which "
          "switches it back on?",
          "drop_net.eval(), then drop_net.forward(X4), then drop_net.train(): the task "
          "asks for the net back in training mode."),
         "drop_net.eval()\nprobs = drop_net.forward(X4)\ndrop_net.train()", ("probs",),
         "check_eval_output(probs, net=drop_net, X=X4)",
         _RG + "from bpcourse.lessons import regularization\n"
         "(X, y), _ = regularization.make_data()\n"
         'drop_net = MLP([2, 16, 2], activation="tanh", output="softmax", dropout=0.5, '
         "seed=7).train()\nX4 = X[:4]\n"),
    Help("early_stopping",
         ("Walk the list from epoch 1 and keep track of the lowest loss so far and how "
          "many epochs ago it was.",
          "The lowest, 0.59, is at epoch 6; three epochs without a new low end training "
          "after epoch 9."),
         "stop_epoch = 9\nkeep_epoch = 6", ("stop_epoch", "keep_epoch"),
         "check_early_stopping(stop_epoch, keep_epoch, val_losses=val_losses, patience=3)",
         _RG + "val_losses = [0.90, 0.70, 0.62, 0.60, 0.61, 0.59, 0.63, 0.64, 0.66, 0.70]\n"),
    Help("overfitting_pair",
         ("Overfitting shows as a gap: one curve keeps falling while the other does not.",
          "Look for the pair whose validation loss turns up after a minimum while the "
          "training loss goes on down."),
         'answer = "C"', ("answer",), "check_overfitting_pair(answer)", _RG),
    # -- 08 putting it together ------------------------------------------------------------
    Help("param_count",
         ("Each layer has a weight matrix (n_{l-1}, n_l) and a bias vector (n_l,).",
          "Add (n_{l-1} + 1) · n_l over the three layers of sizes [2, 32, 32, 4]."),
         "n_parameters = (2 * 32 + 32) + (32 * 32 + 32) + (32 * 4 + 4)", ("n_parameters",),
         "check_param_count(n_parameters, sizes)", _PT + "sizes = [2, 32, 32, 4]\n"),
    Help("diagnoses",
         ("Read the gradient norms per layer for run A, the NaN marker for run B, and the "
          "train/validation gap for run C.",
          "A: the first layers hardly learn; B: the loss and norms blow up; C: it "
          "memorises a small training set."),
         'diagnoses = {"A": "b", "B": "a", "C": "c"}', ("diagnoses",),
         "check_diagnoses(diagnoses)", _PT),
    Help("digits",
         ("The input layer has 64 units (one per pixel) and the output 10 (one per digit), "
          "with softmax and cross-entropy. Between them, a hidden layer or two of a few "
          "dozen ReLU units with He initialisation.",
          "Adam at 0.005 to 0.01, batches of 32, 20 to 30 epochs. If the training accuracy "
          "is high but the validation accuracy is not, add l2=1e-4; if both are low, train "
          "longer or widen the net."),
         "from bpcourse import MLP, fit, optim\n"
         'digits_net = MLP([64, 32, 32, 10], activation="relu", output="softmax", init="he",\n'
         "                 seed=1)\n"
         'fit(digits_net, Xd_train, yd_train, loss="cross_entropy", optimizer=optim.Adam(0.005),\n'
         "    epochs=30, batch_size=32, progress=False)", ("digits_net",),
         "check_digits_accuracy(digits_net)",
         _PT + "(Xd_train, yd_train), (Xd_val, yd_val) = data.train_val_split(\n"
         "    *data.digits(), val_fraction=0.25, seed=0)\n"),
    Help("spiral",
         ("Start from a design that fits the training points: a few hidden layers of "
          "20-40 units, ReLU-like units with He init, Adam at about 0.01.",
          "If training accuracy is high but validation is not, add a little L2 "
          "(1e-4); if both are low, train longer or make the net wider."),
         'my_settings = Settings(hidden=(24, 24, 24), activation="leaky_relu", init="he",\n'
         '                       optimizer="Adam", lr=0.01, batch_size=32, epochs=60,\n'
         "                       l2=1e-4)\n"
         "my_run = train_run(my_settings, (X_train, y_train), (X_val, y_val))",
         ("my_settings", "my_run"), "check_spiral_accuracy(my_run)",
         _PT + "K = 4\n"
         "X, y = data.spiral(k=K, n_per_class=100, noise=0.2, turns=1.0, seed=0)\n"
         "(X_train, y_train), (X_val, y_val) = data.train_val_split(X, y, "
         "val_fraction=0.25, seed=0)\n"),
]}


def record(key: str) -> Help:
    """The Help record of exercise ``key``, or a ValueError listing the keys."""
    try:
        return RECORDS[key]
    except KeyError:
        raise ValueError(f"no exercise {key!r}; the exercises are "
                         f"{', '.join(RECORDS)}") from None


def reference(key: str, namespace: Mapping[str, Any] | None = None) -> Any:
    """The reference answer of exercise ``key``: its worked solution run on the givens in
    ``namespace`` (a notebook passes ``globals()``), or on the record's own setup.

    Runs in a copy, so only the returned values reach the notebook. Returns the one value,
    or a tuple when the exercise defines several (``Z1_ex, A1_ex = reference(...)``).
    """
    rec = record(key)
    scope: dict[str, Any] = {}
    if namespace is None:
        exec(rec.setup, scope)  # noqa: S102 - the package's own code, not input
    else:
        scope.update(namespace)
    exec(rec.solution, scope)  # noqa: S102
    values = tuple(scope[name] for name in rec.names)
    return values[0] if len(values) == 1 else values


def help_for(key: str) -> HelpPanel:
    """The graded-help widget of exercise ``key``: a hint, a second hint, then the solution."""
    return HelpPanel(record(key))
