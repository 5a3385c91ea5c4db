# %% [markdown]
# # 02 · The chain rule: from one function to every path through a network
#
# Backpropagation is the chain rule, applied in a clever order. This notebook is about the chain
# rule itself: why derivatives of composed functions multiply, why they add up when a variable
# reaches the output by several routes, and what that means for one weight deep inside a network.
# We derive the same gradient four ways (by hand, with SymPy, with the NumPy backward pass and with
# finite differences) and watch them agree. Notebook 03 then turns the pattern you find here into
# the vectorised backward pass.
#
# **After this notebook you can**
#
# 1. differentiate a chain of functions by multiplying local derivatives, and say why that works;
# 2. add up the contributions of several paths when one variable feeds several others;
# 3. derive $\partial L/\partial w$ for a single neuron by hand and confirm it with SymPy;
# 4. write the chain-rule factors of any weight in a small network and point to the number in the
#    NumPy trace (`delta`, `fprime`, `dA`, `A`) that each factor equals;
# 5. read a computational graph with forward values and gradients, and run reverse accumulation on it;
# 6. check a gradient three ways: symbolic, backprop, finite differences;
# 7. explain why networks are trained with backprop rather than with symbolic derivatives
#    (*expression swell*), counting the paths exactly;
# 8. build a small reverse-mode autodiff engine and say when forward mode would be cheaper.

# %%
# %matplotlib inline
import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import sympy as sp
from IPython.display import Math, display

from bpcourse import MLP
from bpcourse.gradcheck import numeric_gradients, relative_error
from bpcourse.symbolic import (ComputationGraph, SymbolicMLP, backprop_program, chain_rule,
                               expression_cost, gradients, parameter_entries)

np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## 1 · Local slopes multiply
#
# Take $u = g(x)$ and then $y = f(u)$, so $y = h(x) = f(g(x))$. Nudge $x$ by a small $\Delta x$:
#
# * $u$ moves by about $\Delta u \approx g'(x)\,\Delta x$ (the slope of $g$ at $x$ times the nudge);
# * $y$ moves by about $\Delta y \approx f'(u)\,\Delta u$ (the slope of $f$ at $u$ times *its* nudge).
#
# Put the second into the first and $\Delta y \approx f'(u)\,g'(x)\,\Delta x$. Dividing by $\Delta x$ and letting it
# shrink gives the chain rule
#
# $$\frac{dy}{dx} = \frac{dy}{du}\,\frac{du}{dx} = f'\big(g(x)\big)\,g'(x).$$
#
# Each function only needs to know its own slope at the point it was evaluated at; the slope of
# the whole chain is the product. Note *where* each derivative is taken: $f'$ at $u = g(x)$, not
# at $x$. A longer chain $x \to u_1 \to u_2 \to \dots \to y$ multiplies one factor per link.
#
# We check this on $u = x^2$, $y = \sin u$ at $x_0 = 0.9$ by actually nudging $x$:

# %%
x0, eps = 0.9, 1e-6
g, dg = lambda x: x**2, lambda x: 2 * x          # inner function and its slope
f, df = np.sin, np.cos                           # outer function and its slope

u0 = g(x0)
du = g(x0 + eps) - g(x0)                         # how far u moved
dy = f(u0 + du) - f(u0)                          # how far y moved in response
print(f"du/dx measured {du / eps:.6f}   g'(x0)          = {dg(x0):.6f}")
print(f"dy/du measured {dy / du:.6f}   f'(u0)          = {df(u0):.6f}")
print(f"dy/dx measured {dy / eps:.6f}   f'(u0) * g'(x0) = {df(u0) * dg(x0):.6f}")

# %% [markdown]
# The picture says the same: a tangent line on each function, and the tangent of the composition
# has the product of the two slopes.

# %%
xs = np.linspace(0, 2, 200)
us = np.linspace(0, 4, 200)
panels = [(xs, g, dg, x0, "inner  u = g(x) = x²", "x"),
          (us, f, df, u0, "outer  y = f(u) = sin u", "u"),
          (xs, lambda x: f(g(x)), lambda x: df(g(x)) * dg(x), x0, "chain  y = sin(x²)", "x")]
fig, axes = plt.subplots(1, 3, figsize=(13, 3.4))
for ax, (grid, fn, slope, at, title, var) in zip(axes, panels):
    ax.plot(grid, fn(grid), lw=2)
    ax.plot(grid, fn(at) + slope(at) * (grid - at), "--", color="tab:red")
    ax.plot(at, fn(at), "o", color="tab:red")
    ax.set_ylim(fn(grid).min() - 0.5, fn(grid).max() + 0.5)
    ax.set_title(f"{title}\nslope at {var} = {at:.2f}: {slope(at):.3f}", fontsize=10)
    ax.set_xlabel(var)
plt.tight_layout()
plt.show()

# %% [markdown]
# The left slope is $g'(0.9) = 1.8$ and the middle one is $\cos(0.81) \approx 0.690$; their product,
# $1.241$, is the slope of the right-hand curve at $x_0$. The middle slope is taken at $u_0 = 0.81$,
# the point the inner function delivered, not at $x_0$.
#
# ## 2 · Several paths: add them up
#
# In a network a value rarely feeds just one thing. Suppose $x$ feeds two intermediate values
# $u_1(x)$ and $u_2(x)$, and the output depends on both: $L = F(u_1, u_2)$. A nudge of $x$ moves
# $u_1$ *and* $u_2$, and both movements reach $L$:
#
# $$\Delta L \approx \frac{\partial L}{\partial u_1}\Delta u_1 + \frac{\partial L}{\partial u_2}\Delta u_2
# \quad\Longrightarrow\quad
# \frac{dL}{dx} = \frac{\partial L}{\partial u_1}\frac{du_1}{dx} + \frac{\partial L}{\partial u_2}\frac{du_2}{dx}.$$
#
# So: **multiply along a path, add over paths.** Example: $u_1 = x^2$, $u_2 = 3x$, $L = u_1 u_2$ (which
# is $3x^3$, so the answer must be $9x^2$).

# %%
x0 = 2.0
u1, u2 = x0**2, 3 * x0
path_1 = u2 * (2 * x0)     # dL/du1 = u2,  du1/dx = 2x
path_2 = u1 * 3            # dL/du2 = u1,  du2/dx = 3
print(f"path through u1: {path_1},  path through u2: {path_2},  sum: {path_1 + path_2}")
print(f"9 x^2 = {9 * x0**2}")

# %% [markdown]
# Neither path alone is right (24 and 12); their sum is. Keep this in mind for networks: a weight of
# the first layer changes one hidden unit, and that unit feeds *every* unit of the next layer, so
# the weight reaches the loss along several paths.
#
# **Exercise 1.** Let $h(x) = \sigma(3\tanh x)$, with $\sigma(u) = 1/(1+e^{-u})$ and
# $\sigma'(u) = \sigma(u)\,(1-\sigma(u))$. Write `dh(x)`, the derivative $h'(x)$, as a NumPy function.
# The check compares it with SymPy's derivative at random points, and recognises a few classic slips
# (a forgotten inner derivative, an outer derivative taken at the wrong point).

# %%
from bpcourse.exercises.chain_rule import check_composite_derivative


def dh(x):
    return ...   # your answer: h'(x)


ok = check_composite_derivative(dh)

# %%
# NBVAL_IGNORE_OUTPUT
# Stuck? The button gives a hint, then a second hint, then the worked solution.
# This cell also sets the reference answer, so the cells below run whatever you wrote.
from bpcourse.exercises.solutions import help_for, reference
dh = reference("dh", globals())
help_for("dh")

# %% [markdown]
# ## 3 · One neuron, by hand and then by SymPy
#
# > **Maths you need here: partial derivatives.** A loss depends on many numbers at once, $L(w, b)$. Its *partial derivative* with respect to one of them, $\partial L/\partial w$, is the ordinary derivative you get by treating all the others as constants: nudge $w$ alone and see how fast $L$ moves. For $L = w^2 b$, $\partial L/\partial w = 2wb$ and $\partial L/\partial b = w^2$. The *gradient* is the list of all the partial derivatives, one per parameter, and it points in the direction in which $L$ rises fastest.
#
#
# A single sigmoid neuron with a squared-error loss, for one sample $(x, y)$:
#
# $$z = wx + b,\qquad a = \sigma(z),\qquad L = \tfrac12 (a - y)^2.$$
#
# The weight reaches $L$ by one path, $w \to z \to a \to L$, so
#
# $$\frac{\partial L}{\partial w} = \underbrace{\frac{\partial L}{\partial a}}_{a - y}\;
# \underbrace{\frac{\partial a}{\partial z}}_{a(1-a)}\;
# \underbrace{\frac{\partial z}{\partial w}}_{x}
# = (a - y)\,a\,(1-a)\,x.$$
#
# Every factor is cheap once the forward pass has computed $z$ and $a$: that reuse is the heart of
# backprop. With numbers, and a finite-difference check:

# %%
w0, b0, x_n, y_n = 0.8, -0.5, 1.5, 1.0


def neuron_loss(w, b):
    a = 1 / (1 + np.exp(-(w * x_n + b)))
    return 0.5 * (a - y_n) ** 2


z_n = w0 * x_n + b0
a_n = 1 / (1 + np.exp(-z_n))
factors = {"dL/da = a - y": a_n - y_n, "da/dz = a(1 - a)": a_n * (1 - a_n), "dz/dw = x": x_n}
for name, value in factors.items():
    print(f"{name:<18} {value: .6f}")
by_hand = np.prod(list(factors.values()))
h = 1e-6
finite_diff = (neuron_loss(w0 + h, b0) - neuron_loss(w0 - h, b0)) / (2 * h)
print(f"product (by hand)   {by_hand: .8f}")
print(f"finite differences  {finite_diff: .8f}")

# %% [markdown]
# SymPy differentiates the same expression symbolically. It does not know the shortcut
# $\sigma' = \sigma(1-\sigma)$; it works from $\sigma(z) = 1/(1 + e^{-z})$ and produces the derivative in
# its own form:

# %%
w, b, x, y = sp.symbols("w b x y")
a_expr = 1 / (1 + sp.exp(-(w * x + b)))
L_expr = sp.Rational(1, 2) * (a_expr - y) ** 2
dL_dw = sp.diff(L_expr, w)
display(Math(r"\frac{\partial L}{\partial w} = " + sp.latex(dL_dw)))

hand_form = (a_expr - y) * a_expr * (1 - a_expr) * x
print("SymPy's form minus the hand form simplifies to:", sp.simplify(dL_dw - hand_form))
print(f"SymPy's value at the numbers above: {float(dL_dw.subs({w: w0, b: b0, x: x_n, y: y_n})):.8f}")

# %% [markdown]
# The two forms look different ($e^{-z}/(1+e^{-z})^2$ is $\sigma(1-\sigma)$ in disguise) but their
# difference simplifies to 0, and the values agree with the hand computation to all printed digits.
#
# ## 4 · A network as SymPy expressions
#
# `bpcourse.symbolic.SymbolicMLP` writes a whole network as SymPy expressions for one sample, with the
# symbols of the notation table. Indices start at 0 and match the NumPy arrays:
# $w^{(l)}_{ij}$ is `W{l}[i, j]`, the weight from unit $i$ of layer $l-1$ to unit $j$ of layer $l$;
# $b^{(l)}_j$ is `b{l}[j]`; $x_i$ and $y_k$ are the input and target entries.
#
# Each expression exists in two forms. The **compact** form names the layer below:
# $z^{(2)}_0$ is written with $a^{(1)}_0, a^{(1)}_1, a^{(1)}_2$. The **expanded** form substitutes every name
# until only inputs, targets and parameters remain. Our network for the rest of the notebook is a
# `[2, 3, 2]` sigmoid network with an identity output and the MSE loss:

# %%
net = MLP([2, 3, 2], activation="sigmoid", output="identity", seed=0)
net.params["b1"][:] = [0.1, -0.2, 0.3]           # nonzero biases, so they show up in the numbers
net.params["b2"][:] = [0.05, -0.1]
x_s = np.array([0.5, -1.2])                       # one sample
y_s = np.array([1.0, 0.0])

twin = SymbolicMLP.from_mlp(net)
display(Math(twin.equations("compact")))

# %%
display(Math(r"a^{(2)}_{0} = " + sp.latex(twin.a_expanded[2][0])))
display(Math(r"a^{(1)}_{0} = " + sp.latex(twin.a_expanded[1][0])))
print("operations in L, compact :", sp.count_ops(twin.loss("mse")))
print("operations in L, expanded:", sp.count_ops(twin.loss_expanded("mse")))

# %% [markdown]
# The identity output makes $a^{(2)}_0$ a weighted sum of three sigmoid expressions, and each sigmoid
# carries its own weighted sum of the inputs. The expanded loss repeats all of that for both
# outputs: 61 operations against 7 for the compact form, in this tiny network.
#
# ## 5 · The chain rule for one weight, factor by factor
#
# Take $w^{(1)}_{01}$ (`W1[0, 1]`): it multiplies $x_0$ into hidden unit 1. Hidden unit 1 feeds both
# outputs, so there are two paths to the loss, one per output unit $k$:
#
# $$\frac{\partial L}{\partial w^{(1)}_{01}} = \sum_{k=0}^{1}
# \frac{\partial L}{\partial a^{(2)}_k}\,
# \frac{\partial a^{(2)}_k}{\partial z^{(2)}_k}\,
# \frac{\partial z^{(2)}_k}{\partial a^{(1)}_1}\,
# \frac{\partial a^{(1)}_1}{\partial z^{(1)}_1}\,
# \frac{\partial z^{(1)}_1}{\partial w^{(1)}_{01}}.$$
#
# `chain_rule(net, "W1[0,1]", x, y)` lists these factors: each as a compact SymPy expression, an
# expanded one, and its value at the network's parameters for this sample. In a notebook it shows as
# typeset maths; `print` gives a text table that also names the NumPy number each factor should equal.

# %%
chain = chain_rule(net, "W1[0,1]", x_s, y_s)
chain

# %%
print(chain)

# %% [markdown]
# ### Lining the factors up with the NumPy backward pass
#
# The NumPy `MLP` computes the same numbers in its backward pass and keeps them in `net.trace`:
# `fprime1` holds $f'(Z^{(1)})$, `A0` the inputs, `delta{l}` the error signals
# $\partial L/\partial Z^{(l)}$ and `dA1` the gradient arriving at $A^{(1)}$. With a batch of one sample the
# NumPy loss (a mean over $N = 1$ rows) is exactly our $L$. Below, every factor is compared with its
# NumPy counterpart, then the partial sums: the sum over both paths down to $a^{(1)}_1$ is `dA1[0, 1]`,
# and one more factor gives `delta1[0, 1]`.

# %%
loss_value, grads = net.loss_and_gradients(x_s[None], y_s[None], loss="mse")

print(f"{'factor':<28} {'SymPy':>10} {'NumPy':>10}  NumPy name")
for n, path in enumerate(chain.paths):
    print(f"path {n + 1}")
    for factor in path.factors:
        if factor.numpy is not None:
            numpy_value = factor.numpy.lookup(net)
            print(f"  {factor.name:<26} {factor.value:>10.6f} {numpy_value:>10.6f}  {factor.numpy}")
        else:
            print(f"  {factor.name:<26} {factor.value:>10.6f} {'':>10}  (output layer: see delta2)")
print()
for node, value, ref in chain.checkpoints():
    print(f"dL/d{str(node):<14} = {value: .6f}   {str(ref):<26} = {ref.lookup(net): .6f}")
print()
print(f"sum over both paths     = {chain.value:.8f}")
print(f"backprop's dW1[0, 1]    = {grads['W1'][0, 1]:.8f}")


# %% [markdown]
# Two things to take from this.
#
# * Every number of the chain rule is a number the backward pass already has. The first two factors
#   of a path multiply to `delta2[0, k]`; adding the paths gives `dA1[0, 1]`; one more factor gives
#   `delta1[0, 1]`.
# * The factors above $z^{(1)}_1$ do not depend on which weight *into* unit 1 we chose. Every weight
#   $w^{(1)}_{i1}$ and the bias $b^{(1)}_1$ share the sum over paths $\partial L/\partial z^{(1)}_1$, and only
#   multiply it by their own last factor ($x_i$, or 1). Backprop computes that shared sum once per
#   unit, as $\delta^{(1)}_1$, instead of once per weight. Notebook 03 builds the whole backward pass on
#   this observation.
#
# ### Widget: step through any parameter
#
# Pick a parameter of the network and see its chain: the number of paths, every factor in
# compact or expanded form, and the values. Compare a weight of layer 2 (one path, three factors)
# with one of layer 1 (two paths), and a weight with the bias of the same unit (only the last factor
# differs). The expanded form shows how long the factors become once no intermediate has a name.

# %%
# NBVAL_IGNORE_OUTPUT
def show_chain(parameter, form):
    step = chain_rule(net, parameter, x_s, y_s)
    display(Math(step.latex(form)))
    name, index = parameter.split("[")
    index = tuple(int(i) for i in index.rstrip("]").split(","))
    print(f"{len(step.paths)} path(s); chain rule {step.value:.6f}, "
          f"backprop d{name}{list(index)} = {grads[name][index]:.6f}")


chain_explorer = widgets.interact(
    show_chain,
    parameter=widgets.Dropdown(options=parameter_entries(net), value="W1[0,1]",
                               description="parameter"),
    form=widgets.ToggleButtons(options=["compact", "expanded"], value="compact",
                               description="form"),
)

# %% [markdown]
# **Exercise 2.** A network with one input, one sigmoid hidden unit and one identity output:
#
# $$z^{(1)} = w^{(1)} x + b^{(1)},\quad a^{(1)} = \sigma(z^{(1)}),\quad
# z^{(2)} = w^{(2)} a^{(1)} + b^{(2)},\quad a^{(2)} = z^{(2)},\quad L = \tfrac12 (a^{(2)} - y)^2,$$
#
# with $w^{(1)} = 0.8$, $b^{(1)} = -0.2$, $w^{(2)} = 1.5$, $b^{(2)} = 0.1$, and the sample $x = 1$, $y = 0.5$.
# Compute, with NumPy as a calculator, the four factors of
#
# $$\frac{\partial L}{\partial w^{(1)}} = \frac{\partial L}{\partial a^{(2)}}\,\frac{\partial z^{(2)}}{\partial a^{(1)}}\,
# \frac{\partial a^{(1)}}{\partial z^{(1)}}\,\frac{\partial z^{(1)}}{\partial w^{(1)}}$$
#
# (the identity output's $\partial a^{(2)}/\partial z^{(2)} = 1$ is left out), then their product.

# %%
from bpcourse.exercises.chain_rule import check_tiny_factors, check_tiny_gradient

tiny_factors = ...    # your answer: [dL/da2, dz2/da1, da1/dz1, dz1/dw1]
tiny_gradient = ...   # your answer: dL/dw1

check_tiny_factors(tiny_factors)
ok = check_tiny_gradient(tiny_gradient)

# %%
# NBVAL_IGNORE_OUTPUT
# Stuck? The button gives a hint, then a second hint, then the worked solution.
# This cell also sets the reference answer, so the cells below run whatever you wrote.
from bpcourse.exercises.solutions import help_for, reference
tiny_factors, tiny_gradient = reference("tiny", globals())
help_for("tiny")

# %% [markdown]
# **Exercise 3.** An MLP has sizes `[3, 4, 5, 2]`. Along how many different paths does the weight
# `W1[2, 3]` ($w^{(1)}_{23}$) reach the loss? (A path goes through one unit in each layer above the
# weight.) Answer with an integer; afterwards `chain_rule` can count them for you.

# %%
from bpcourse.exercises.chain_rule import check_path_count

n_paths = ...   # your answer: a whole number

ok = check_path_count(n_paths)

# %%
# NBVAL_IGNORE_OUTPUT
# Stuck? The button gives a hint, then a second hint, then the worked solution.
# This cell also sets the reference answer, so the cells below run whatever you wrote.
from bpcourse.exercises.solutions import help_for, reference
n_paths = reference("n_paths", globals())
help_for("n_paths")

# %%
deeper = MLP([3, 4, 5, 2], activation="tanh", seed=0)
print("chain_rule counts", len(chain_rule(deeper, "W1[2,3]", np.ones(3), np.zeros(2)).paths),
      "paths")

# %% [markdown]
# The count is the product of the widths of the layers *above* the weight's own unit. Each extra
# layer of width $n$ multiplies it by $n$ (section 7 counts them exactly). Writing every path out, as we just did, is fine for a 3-layer toy but
# hopeless for a real network; backprop never enumerates paths (section 8 comes back to this).
#
# ## 6 · Computational graphs
#
# Any expression is a graph of elementary operations. The **forward pass** computes the value of
# every node from its inputs. The **backward pass** computes, for every node $v$, the gradient
# $\bar v = \partial f/\partial v$ of the output $f$ with respect to that node. It starts with $\bar f = 1$
# and visits the nodes from the output back to the leaves; each node hands each of its inputs its
# own gradient times the local derivative, and a node used twice receives (and adds up) two
# contributions, the sum over paths of section 2:
#
# $$\bar u \mathrel{+}= \bar v\,\frac{\partial v}{\partial u}\quad\text{for every edge } u \to v.$$
#
# This is called *reverse accumulation*. Here is $f = (ab + c)^2$ at $a = 2$, $b = -3$, $c = 10$. By
# hand: $ab = -6$, $ab + c = 4$, $f = 16$; $\bar f = 1$, the sum gets $2 \cdot 4 = 8$, both its inputs
# ($ab$ and $c$) get $8 \cdot 1 = 8$, then $\bar a = 8b = -24$ and $\bar b = 8a = 16$.

# %%
a, b, c = sp.symbols("a b c")
graph = ComputationGraph.from_expr((a * b + c) ** 2, {a: 2, b: -3, c: 10})
print(graph)
graph.draw(title="f = (ab + c)²: forward values and gradients")
plt.show()

# %% [markdown]
# `ComputationGraph` stores each operation's local partial derivatives (from SymPy) and its children.
# The backward pass itself is a short loop; here it is again, written out, and compared with the
# gradients the graph computed:

# %%
nodes = graph.nodes                  # in topological order: every child before its parents
grad = [0.0] * len(nodes)
grad[-1] = 1.0                       # df/df
for v in reversed(range(len(nodes))):
    for child, local in zip(nodes[v].children, nodes[v].partials):
        grad[child] += grad[v] * local   # chain rule along the edge, summed over parents

for node, g_mine in zip(nodes, grad):
    print(f"{node.text:<14} value {node.value:>4g}   grad (my loop) {g_mine:>4g}   (graph) {node.grad:>4g}")

# %% [markdown]
# ### Widget: a neuron as a graph
#
# The graph of one sigmoid neuron with a squared error, $L = \frac12\left(\sigma(wx + b) - y\right)^2$, with
# $x = 1.5$ and target $y = 0$. Move $w$ and $b$ and watch the gradients on every node. Make $wx + b$
# large (say $w = 4$): the output is close to 1, badly wrong, yet $\sigma$ is saturated. The exp
# node's local derivative $e^{-z}$ is tiny, and it multiplies everything to its left, so $\bar w$ and
# $\bar b$ all but vanish. That is the *vanishing gradient* in one neuron: the factor $\sigma'(z)$ of
# the chain rule is close to 0.

# %%
# NBVAL_IGNORE_OUTPUT
from bpcourse.symbolic.graph import graph_explorer

w, b, x, y = sp.symbols("w b x y")
neuron = sp.Rational(1, 2) * (1 / (1 + sp.exp(-(w * x + b))) - y) ** 2

neuron_explorer = graph_explorer(
    neuron,
    {w: widgets.FloatSlider(value=0.8, min=-4, max=4, step=0.1, description="w",
                            continuous_update=False),
     b: widgets.FloatSlider(value=-0.5, min=-4, max=4, step=0.1, description="b",
                            continuous_update=False)},
    fixed={x: 1.5, y: 0.0},
)
neuron_explorer

# %% [markdown]
# The numbers at $w = 4$, $b = -0.5$, so $z = wx + b = 5.5$: the local derivative of each node of
# the sigmoid, from the exponential up to the $(\cdot)^{-1}$ node. Only the exponential's is small;
# the $(\cdot)^{-1}$ node's is $-\sigma^2$, close to $-1$. The three multiply to $-\sigma'(z)$ (the
# minus sign of $-z$, on the edges below, turns it back into $\sigma'(z)$).

# %%
saturated = ComputationGraph.from_expr(neuron, {w: 4, b: -0.5, x: 1.5, y: 0.0})
sigmoid_nodes = [node for node in saturated.nodes              # exp(-z), 1 + exp(-z), its inverse
                 if node.expr.has(sp.exp) and not node.expr.has(y)]
for node in sigmoid_nodes:
    print(f"{node.text:<24} local derivative {node.partials[0]: .4f}")
s_sat = 1 / (1 + np.exp(-5.5))
print(f"product of the three      {np.prod([node.partials[0] for node in sigmoid_nodes]): .4f}")
print(f"sigma'(5.5) = s (1 - s)   {s_sat * (1 - s_sat): .4f}")
print(f"dL/dw = {saturated.grad(w):.4f},  dL/db = {saturated.grad(b):.4f}")

# %% [markdown]
# A network is a computational graph too. Drawn with one node per pre-activation $z$, per activation
# $a$ and for the loss (`ComputationGraph.from_network`), the gradient at each $z$ node is backprop's
# $\delta$ and the gradient at each hidden $a$ node is its `dA`. Here is a `[2, 2, 1]` network on one
# sample, checked against the NumPy trace:

# %%
small = MLP([2, 2, 1], activation="tanh", output="identity", seed=1)
small.params["b1"][:] = [0.2, -0.1]
x_small, y_small = np.array([1.0, -0.5]), np.array([0.3])
net_graph = ComputationGraph.from_network(small, x_small, y_small)
net_graph.draw(title="[2, 2, 1] tanh network, one sample")
plt.show()

small.loss_and_gradients(x_small[None], y_small[None])
for name, entry in [("z^{(1)}_{0}", ("delta1", 0)), ("z^{(1)}_{1}", ("delta1", 1)),
                    ("a^{(1)}_{1}", ("dA1", 1)), ("z^{(2)}_{0}", ("delta2", 0))]:
    print(f"grad at {name:<12} {net_graph.grad(name): .6f}   "
          f"trace {entry[0]}[0, {entry[1]}] {small.trace[entry[0]][0, entry[1]]: .6f}")

# %% [markdown]
# ## 7 · Three ways to the same gradient
#
# We now have three independent ways to compute $\partial L/\partial\theta$ for every parameter:
#
# 1. **symbolic**: `bpcourse.symbolic.gradients` differentiates the expanded SymPy loss (mean over the
#    batch, plus the L2 penalty) and evaluates it; it never runs a backward pass;
# 2. **backprop**: the NumPy `net.loss_and_gradients`;
# 3. **finite differences**: `numeric_gradients` nudges each parameter by $\pm\varepsilon$ and measures the
#    loss (only forward passes).
#
# For several networks, activations and losses, we compute the largest relative error
# $\lVert g_1 - g_2\rVert / (\lVert g_1\rVert + \lVert g_2\rVert)$ over the parameter arrays, for each pair,
# and the table says whether it is below what *agree* means for that pair: $10^{-12}$ between the
# two exact methods, $10^{-7}$ against finite differences (the tolerance of a gradient check).

# %%
setups = [("sigmoid", "identity", "mse", 0.0), ("tanh", "softmax", "cross_entropy", 0.0),
          ("relu", "sigmoid", "binary_cross_entropy", 0.1), ("leaky_relu", "softmax", "mse", 0.1)]
rng = np.random.default_rng(0)
rows = []
for activation, output, loss, l2 in setups:
    check_net = MLP([2, 3, 2], activation=activation, output=output, seed=2)
    check_net.params["b1"] = rng.normal(0, 0.5, 3)         # no relu unit exactly at its kink
    X_c = rng.normal(size=(4, 2))
    Y_c = rng.integers(0, 2, size=4) if loss == "cross_entropy" else rng.uniform(size=(4, 2))
    sym = gradients(check_net, X_c, Y_c, loss=loss, l2=l2)
    _, bp = check_net.loss_and_gradients(X_c, Y_c, loss=loss, l2=l2)
    fd = numeric_gradients(lambda: check_net.loss(X_c, Y_c, loss=loss, l2=l2), check_net.params)
    err = {pair: max(relative_error(g1[k], g2[k]) for k in check_net.params)
           for pair, (g1, g2) in {"sym-bp": (sym, bp), "sym-fd": (sym, fd),
                                  "bp-fd": (bp, fd)}.items()}
    rows.append((f"{activation}/{output}/{loss}" + (f" l2={l2}" if l2 else ""), err))

# The errors are rounding errors, whose digits vary from machine to machine (print(rows)
# shows them); which side of its bound each one lies on does not.
agree = {"sym-bp": 1e-12, "sym-fd": 1e-7, "bp-fd": 1e-7}


def verdict(pair, err):
    return f"below {agree[pair]:.0e}" if err[pair] < agree[pair] else f"{err[pair]:.0e} (too large)"


print(f"{'network':<44} {'symbolic vs backprop':>21} {'symbolic vs fd':>15} {'backprop vs fd':>15}")
for name, err in rows:
    print(f"{name:<44} {verdict('sym-bp', err):>21} {verdict('sym-fd', err):>15} "
          f"{verdict('bp-fd', err):>15}")

# %%
print("symbolic and backprop agree to 1e-12:", all(e["sym-bp"] < 1e-12 for _, e in rows))
print("both agree with finite differences to 1e-7:",
      all(e["sym-fd"] < 1e-7 and e["bp-fd"] < 1e-7 for _, e in rows))

# %% [markdown]
# Symbolic and backprop agree to rounding error ($10^{-16}$ or so, far below $10^{-12}$): they are the
# same mathematics, computed in a different order. Finite differences agree to about
# $10^{-9}$–$10^{-10}$, limited by the step $\varepsilon$ and by rounding in the loss. That gap is expected
# and is why a gradient check uses a tolerance, not equality (notebook 03 uses it to debug a
# backward pass). `print(rows)` shows the exact errors; do not expect their digits to match
# another computer's, since rounding depends on the processor and on the libraries' versions.
#
# ## 8 · Why not just differentiate symbolically? Expression swell
#
# If SymPy can give the exact gradient, why do we need backprop at all? Because of what the expanded
# expressions do as the network grows. Every derivative carries a full copy of the expressions it
# depends on, and each unit's expression contains copies of every unit below it: the tree doubles
# with each layer of width 2. Backprop is the same chain rule written as a straight-line program in
# which every intermediate ($z$, $a$, $\delta$, $\bar a$) has a name and is computed once. Here is that
# program for a `[1, 1, 1]` network (the bars are gradients: $\bar a = \partial L/\partial a$,
# $\bar w = \partial L/\partial w$):

# %%
tiny_twin = SymbolicMLP([1, 1, 1], activation="sigmoid", output="identity")
lines = [rf"{sp.latex(name)} &= {sp.latex(rhs)}" for name, rhs in backprop_program(tiny_twin)]
display(Math(r"\begin{aligned}" + r" \\ ".join(lines) + r"\end{aligned}"))

# %% [markdown]
# `expression_cost` measures, for networks of width 2 and growing depth, the number of operations
# (`sympy.count_ops`) in
#
# * the **expanded** symbolic gradient (all parameters): what differentiating the formula produces;
# * the same after **common-subexpression elimination** (`sympy.cse`), which finds repeated
#   subtrees automatically;
# * the **backprop program** above (forward and backward pass, one sample).

# %%
depths = [[2] + [2] * d + [1] for d in range(1, 5)]
cost = expression_cost(depths, activation="sigmoid")
print(cost)
expanded, program = cost.column("expanded_ops"), cost.column("backprop_ops")
print()
print("each extra layer multiplies the expanded ops by", np.round(expanded[1:] / expanded[:-1], 1))
print("each extra layer adds to the backprop program  ", np.diff(program), "ops")

# %% [markdown]
# The operation counts above grow by falling ratios (6.2, 4.1, 3.4), so four depths cannot show
# how the growth goes on. What drives it can be counted exactly instead: an expanded formula for $\partial L/\partial w$ writes one product of chain-rule
# factors per path from $w$ to the loss, and a weight of layer $l$ has as many paths as the
# product of the widths of the layers above it. `path_counts` adds this up over every weight
# and bias:

# %%
from bpcourse.lessons.chain_rule import path_counts

print(f"{'hidden layers':>13} {'paths per W1 weight':>20} {'paths, all parameters':>22}")
for d in (1, 2, 3, 4, 8, 16, 32):
    counts = path_counts([2] + [2] * d + [1])
    print(f"{d:>13} {counts['W1']:>20,} {counts['total']:>22,}")

# %%
hidden_layers = np.arange(1, 5)
fig, axes = plt.subplots(1, 2, figsize=(12, 4))
axes[0].semilogy(hidden_layers, cost.column("expanded_ops"), "o-", label="expanded symbolic gradient")
axes[0].semilogy(hidden_layers, cost.column("cse_ops"), "s-", label="after sympy.cse")
axes[0].semilogy(hidden_layers, cost.column("backprop_ops"), "^-", label="backprop program")
axes[0].set_title("size of the gradient computation (operations)")
axes[1].semilogy(hidden_layers, cost.column("symbolic_seconds"), "o-",
                 label="derive the gradient with sympy.diff")
axes[1].semilogy(hidden_layers, cost.column("backprop_seconds"), "^-",
                 label="one NumPy forward + backward pass")
axes[1].set_title("time (seconds, log scale)")
for ax in axes:
    ax.set_xlabel("hidden layers of width 2")
    ax.set_xticks(hidden_layers)
    ax.legend()
plt.tight_layout()
plt.show()

# %% [markdown]
# Every extra layer of width 2 exactly doubles the number of paths a weight of layer 1 has to the
# loss: $2^{d-1}$ for $d$ hidden layers, over two billion at 32. The expanded gradient must write
# each path out, so its size grows exponentially in the depth, while the backprop program grows
# by the same number of operations per layer: linearly in the depth, and in the number of
# weights. The symbolic derivation also takes thousands of times
# longer than a backward pass, and that time is spent *before* a single number is computed. CSE claws back most of the size by rediscovering the
# shared pieces, but it has to search for them; backprop has them by construction, because it
# follows the graph of the network and stores each intermediate once.
#
# Counted in the multiply-adds of its matrix products, a backward pass costs about two forward
# passes, whatever the number of parameters (notebook 03 shows where the two comes from). Finite
# differences, by contrast, need two forward passes *per parameter*.
#
# That is the reason deep learning libraries differentiate programs, not formulas: *reverse-mode
# automatic differentiation*, of which backprop is the special case for layered networks.

# %% [markdown]
# ## 8 · Build the engine: reverse mode in forty lines
#
# Backprop is *reverse-mode automatic differentiation*, and you can build one yourself. Each
# number becomes a `Value` that remembers the values it was made from and how to pass a gradient
# back to them. `backward()` then does reverse accumulation on the graph the arithmetic built,
# exactly as the loop of section 6 did on SymPy's graph:
#
# 1. order the nodes so that every node comes after the nodes it was made from (a *topological
#    order*, found by a depth-first search);
# 2. set the output's gradient to 1 and visit the nodes in the reverse of that order, each adding
#    its gradient times its local slope into its inputs' gradients.
#
# Step 2 is why the order matters: a node may pass its gradient on only once every node that
# uses it has added its share.
#
# **Exercise 4.** Complete the three marked places: the two backward lines of `__mul__`, the
# backward line of `tanh`, and the visiting order in `backward`. Each `...` is one expression.

# %%
from bpcourse.exercises.chain_rule import check_engine


class Value:
    """A scalar that remembers how it was made, so gradients can flow back through it."""

    def __init__(self, data, parents=()):
        self.data, self.grad, self.parents = float(data), 0.0, parents
        self._backward = lambda: None      # set by the operation that made this node

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other))

        def _backward():
            self.grad += out.grad           # d(a + b)/da = 1
            other.grad += out.grad          # d(a + b)/db = 1
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other))

        def _backward():
            self.grad += ...                # <- d(ab)/da times out.grad
            other.grad += ...               # <- d(ab)/db times out.grad
        out._backward = _backward
        return out

    def tanh(self):
        t = np.tanh(self.data)
        out = Value(t, (self,))

        def _backward():
            self.grad += ...                # <- tanh'(a) = 1 - tanh(a)^2, times out.grad
        out._backward = _backward
        return out

    def exp(self):
        e = np.exp(self.data)
        out = Value(e, (self,))

        def _backward():
            self.grad += e * out.grad       # exp' = exp
        out._backward = _backward
        return out

    __radd__ = __add__
    __rmul__ = __mul__

    def __sub__(self, other):
        return self + other * -1.0

    def backward(self):
        order, seen = [], set()

        def visit(node):                    # depth-first: a node after the nodes it was made from
            if id(node) not in seen:
                seen.add(id(node))
                for parent in node.parents:
                    visit(parent)
                order.append(node)
        visit(self)
        for node in order:
            node.grad = 0.0
        self.grad = 1.0
        for node in ...:                    # <- which order? (step 2 above)
            node._backward()


ok = check_engine(Value)

# %%
# NBVAL_IGNORE_OUTPUT
# Stuck? The button gives a hint, then a second hint, then the worked solution.
# This cell also sets the reference answer, so the cells below run whatever you wrote.
from bpcourse.exercises.solutions import help_for, reference
Value = reference("engine", globals())
help_for("engine")

# %% [markdown]
# The package's engine, `bpcourse.lessons.chain_rule.Value`, has the same lines (its `backward`
# walks the graph without recursion, so it also handles chains of many thousands of nodes). Here
# it runs section 3's neuron:

# %%
from bpcourse.lessons.chain_rule import Value, neuron_loss

w_v, b_v = Value(w0), Value(b0)
L_v = neuron_loss(w_v, b_v, x_n, y_n)      # section 3's neuron: L = (sigmoid(wx + b) - y)^2 / 2
L_v.backward()
print(f"engine : L = {L_v.data:.10f}   dL/dw = {w_v.grad:.10f}   dL/db = {b_v.grad:.10f}")
print(f"SymPy  :                    dL/dw = {float(dL_dw.subs({w: w0, b: b0, x: x_n, y: y_n})):.10f}")
neuron_net = MLP([1, 1], activation="sigmoid", output="sigmoid", seed=0)
neuron_net.params["W1"][:], neuron_net.params["b1"][:] = w0, b0
_, neuron_grads = neuron_net.loss_and_gradients(np.array([[x_n]]), np.array([[y_n]]), loss="mse")
print(f"MLP    :                    dL/dw = {neuron_grads['W1'][0, 0]:.10f}   "
      f"dL/db = {neuron_grads['b1'][0]:.10f}")

# %% [markdown]
# The engine builds the sigmoid from its own operations, $\sigma(z) = \tfrac12(1 + \tanh(z/2))$,
# so it never needs a rule for $\sigma'$: the chain rule through `tanh` and two products finds it.
# All three agree to ten decimals.
#
# ### Forward mode against reverse mode
#
# There is a second way to push derivatives through a program. **Forward mode** carries, next to
# every value, its derivative with respect to *one chosen input* (a *dual number* $(v, \dot v)$,
# with $\dot{(ab)} = \dot a b + a \dot b$). One forward pass then gives the derivatives of every
# output with respect to that one input: a column of the Jacobian. **Reverse mode** (`Value`,
# backprop) gives the derivatives of *one output* with respect to every input in one backward
# pass: a row. For a function of $n$ inputs and $m$ outputs, the full Jacobian costs $n$ forward-mode
# passes or $m$ reverse-mode passes, each a small multiple of the cost of evaluating the function.
# A loss has $m = 1$ output and millions of inputs (the weights), which is why training uses
# reverse mode.

# %%
from bpcourse.lessons.chain_rule import dual_sigmoid, forward_mode_gradient, pass_counts


def neuron_loss_dual(w, b):
    err = dual_sigmoid(w * x_n + b) - y_n
    return err * err * 0.5


dw_fwd, db_fwd = forward_mode_gradient(neuron_loss_dual, [w0, b0])
print(f"forward mode, one pass per input: dL/dw = {dw_fwd:.10f}   dL/db = {db_fwd:.10f}")
print(f"reverse mode, one backward pass:  dL/dw = {w_v.grad:.10f}   dL/db = {b_v.grad:.10f}")
print()
print(f"{'inputs n':>12} {'outputs m':>10} {'forward passes':>15} {'reverse passes':>15}")
for count in pass_counts([(2, 1), (784 * 128 + 128 * 10, 1), (1, 1000), (1_000_000, 1)]):
    print(f"{count.n_inputs:>12,} {count.n_outputs:>10,} {count.forward_mode:>15,} {count.reverse_mode:>15,}")

# %% [markdown]
# The second row is a classifier of 28×28-pixel images (784 inputs) with 128 hidden units and 10
# outputs, counting its weights: forward mode would run the network about a hundred thousand times
# per gradient, reverse mode once forwards and once backwards. Forward mode wins only when there are few inputs and many outputs (the third row),
# which is not how a loss looks.
#
# ## Summary
#
# * Chain rule: along a chain, multiply the local derivatives, each taken at the point the forward
#   pass visited: $\frac{dy}{dx} = f'(g(x))\,g'(x)$.
# * When a variable reaches the output by several paths, add the contributions of the paths.
# * For a weight $w^{(l)}_{ij}$ of a network: $\frac{\partial L}{\partial w^{(l)}_{ij}} =
#   \frac{\partial L}{\partial z^{(l)}_j}\,a^{(l-1)}_i$, and $\frac{\partial L}{\partial z^{(l)}_j}$ (the
#   $\delta$ of the unit) is the sum over all paths above it, shared by every weight into the unit.
# * Every chain-rule factor is a number the NumPy backward pass keeps in `net.trace`: `fprime`,
#   `A`, weights, and the partial sums `dA` and `delta`.
# * Computational graphs make this mechanical: a forward pass for values, then reverse accumulation
#   $\bar u \mathrel{+}= \bar v\,\partial v/\partial u$ from the output back.
# * Reverse-mode automatic differentiation (a `Value` graph, then `backward()` in reverse
#   topological order) is backprop for any program; forward mode costs one pass per input,
#   reverse mode one pass per output, and a loss has a single output.
# * Symbolic, backprop and finite-difference gradients agree; backprop is exact like the symbolic one
#   and cheap like nothing else, because it names and reuses every intermediate instead of expanding
#   the formula.
#
# ## Check yourself
#
# Rate each card from 1 (Not at all) to 5 (Perfectly): how well did you recall the answer before
# you revealed it? Your ratings decide when each card comes back.

# %%
# NBVAL_IGNORE_OUTPUT
from bpcourse.flashcards import quiz
quiz("chain-rule")
