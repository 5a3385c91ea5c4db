# %% [markdown]
# # 03 · The backward pass: sending the error back, layer by layer
#
# Notebook 01 pushed a batch forward through the network; notebook 02 took derivatives of
# small expressions with the chain rule. Here the two meet: we compute the gradient of the
# loss with respect to **every** weight and bias of a network in one sweep from the output
# layer back to the first, with a handful of matrix products.
#
# **After this notebook you can**
#
# 1. say why the forward pass keeps its intermediate values, and which of them each layer's
#    gradient needs;
# 2. derive the output layer's error signal $\delta^{(L)} = (\hat Y - Y)/N$ for softmax with
#    cross-entropy, and give it for the other loss/output pairs;
# 3. write the backward recursion in matrix form and check every product by its shapes;
# 4. implement the backward pass of a one-hidden-layer network in NumPy and verify it with
#    a gradient check;
# 5. recognise common backprop bugs from the pattern they leave in a gradient-check table.
#
# **Notation** (as in every notebook): a batch is $N$ rows; $A^{(0)} = X$;
# $Z^{(l)} = A^{(l-1)} W^{(l)} + b^{(l)}$ with $W^{(l)}$ of shape $(n_{l-1}, n_l)$;
# $A^{(l)} = f(Z^{(l)})$; $L$ is the mean loss over the batch and
# $\delta^{(l)} = \partial L / \partial Z^{(l)}$, shape $(N, n_l)$, the **error signal** of
# layer $l$. As in notebook 01, a superscript $(L)$ means the **output layer** (the last
# layer), while a plain $L$ is the loss: $\delta^{(L)} = \partial L/\partial Z^{(L)}$ is the
# error signal of the output layer.

# %%
# %matplotlib inline
import numpy as np
import matplotlib.pyplot as plt

from bpcourse import MLP
from bpcourse.data import one_hot
from bpcourse.plots import draw_network
from bpcourse.lessons.backward_pass import (
    BUGS, BackwardStepper, BugLab, cache_of, gradient_table, plot_bug_rows, square_example,
    worked_example)
from bpcourse.exercises.backward_pass import (
    check_backward, check_bug_location, check_hidden_delta, check_output_delta)

np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## 1. The idea: every layer does the same small job, in reverse
#
# The forward pass turned $X$ into a single number, the loss $L$. For gradient descent we
# need $\partial L/\partial W^{(l)}$ and $\partial L/\partial b^{(l)}$ for every layer. We
# could derive each of them separately with the chain rule, but the chains share their
# upper parts: every path from $W^{(1)}$ to $L$ passes through layer 2, 3, … So we
# compute the shared part once per layer, starting at the top, and hand it down.
#
# Each layer $l$, visited from $L$ down to 1, does the same four things:
#
# 1. **receive** $\partial L/\partial A^{(l)}$ from the layer above (at the top, the loss
#    gives $\delta^{(L)}$ directly);
# 2. **turn it into its error signal** by multiplying with the local slope:
#    $\delta^{(l)} = \partial L/\partial A^{(l)} \odot f'(Z^{(l)})$;
# 3. **read off its parameter gradients**:
#    $\partial L/\partial W^{(l)} = A^{(l-1)\top}\delta^{(l)}$ and
#    $\partial L/\partial b^{(l)} = \sum_{n}\delta^{(l)}_{n}$ (sum over the rows);
# 4. **send the error down**: $\partial L/\partial A^{(l-1)} = \delta^{(l)} W^{(l)\top}$.
#
# Nothing in these steps looks further than one layer away. That locality is why
# backpropagation is cheap: two matrix products per layer ($A^{(l-1)\top}\delta^{(l)}$ and
# $\delta^{(l)}W^{(l)\top}$) against one on the way forward, so a backward pass costs
# about two forward passes, whatever the number of parameters (a whole training step,
# forward plus backward, about three).
#
# ### The worked example
#
# A 3 → 5 → 2 network (sigmoid hidden layer, softmax output, cross-entropy loss) and a batch
# of $N = 4$ rows. The numbers have one decimal so you can redo any product by hand, and the
# four sizes $N=4,\ n_0=3,\ n_1=5,\ n_2=2$ all differ, so a shape always tells you which
# is which.

# %%
net, X, y = worked_example()
Y = one_hot(y, 2)          # targets as an (N, 2) one-hot matrix
N = len(X)
print(net.summary())
print("\nX =\n", X, "\ny =", y)
print("\nW1 =\n", net.params["W1"], "\nb1 =", net.params["b1"])
print("\nW2 =\n", net.params["W2"], "\nb2 =", net.params["b2"])

# %%
fig, ax = plt.subplots(figsize=(7, 4))
draw_network(net, ax=ax, show_values=True, X=X[:1],
             title="The worked example, activations of the first row")
plt.show()

# %% [markdown]
# ## 2. Why the forward pass keeps its values
#
# Look at the four steps again. Step 2 needs $Z^{(l)}$ (for $f'(Z^{(l)})$) and step 3 needs
# $A^{(l-1)}$. Both were computed on the way forward. If the forward pass threw them away,
# the backward pass would have to recompute layer 1 to $l$ for every layer $l$: a cost that
# grows with the square of the depth instead of linearly. So the forward pass **caches**
# every $Z^{(l)}$ and $A^{(l)}$; the price is memory: a $Z$ and an $A$ per layer,
# $2N\sum_{l\ge 1} n_l$ numbers besides the input, kept until the backward pass has used
# them. That is why training needs far more memory than prediction, which can drop each
# layer's values as soon as the next layer has them (and why large batches can run out of
# memory).
#
# `net.forward` stores these arrays in `net.trace`; after a forward pass it holds exactly
# the cache:

# %%
net.forward(X)
print(net.trace)
cache = cache_of(net, X)     # the same arrays, copied into a plain dict
print("\ncache holds:", {k: v.shape for k, v in cache.items()})
print("numbers cached:", sum(v.size for v in cache.values()))


# %% [markdown]
# > **Maths you need here: norms.** The *norm* $\lVert v \rVert = \sqrt{\sum_i v_i^2}$ of a vector is its length; for a matrix or a whole gradient, the same formula over every entry (the Frobenius norm) measures its overall size. Norms turn "how big is this array" and "how far apart are these two arrays" ($\lVert a - b \rVert$) into one number each, which is how the course compares gradients.
#

# %% [markdown]
# ## 3. Where the error starts: the output delta
#
# Take one row $n$ with logits $z$ (a row of $Z^{(2)}$), predictions
# $\hat y_k = e^{z_k}/\sum_j e^{z_j}$ and a one-hot target $y$. Since
# $\log \hat y_k = z_k - \log\sum_j e^{z_j}$,
#
# $$\ell_n = -\sum_k y_k \log \hat y_k = -\sum_k y_k z_k + \Big(\sum_k y_k\Big)\log\sum_j e^{z_j}.$$
#
# Differentiate with respect to $z_i$: the first sum gives $-y_i$; the second gives
# $(\sum_k y_k)\,\hat y_i = \hat y_i$ because a one-hot row sums to 1. So
# $\partial \ell_n / \partial z_i = \hat y_i - y_i$. The loss is the **mean**
# $L = \frac1N\sum_n \ell_n$, which divides each row's share by $N$. Written for the output
# layer $(L)$ of any network (layer 2 of the worked example):
#
# $$\boxed{\delta^{(L)} = \frac{\partial L}{\partial Z^{(L)}} = \frac{1}{N}\big(\hat Y - Y\big)}
# \qquad \text{shape } (N, n_L).$$
#
# The softmax's Jacobian is a full matrix, yet the result is this simple: the logarithm in the
# loss undoes the exponential in the softmax. The same cancellation happens for the other
# "matched" pairs, which is one reason they are the standard choices:
#
# | output $f$ | loss | $\delta^{(L)}$ |
# |---|---|---|
# | identity | MSE, $\frac1N\sum_n \frac12\lVert \hat y_n - y_n\rVert^2$ | $(\hat Y - Y)/N$ |
# | sigmoid | binary cross-entropy | $(\hat Y - Y)/N$ |
# | softmax | cross-entropy | $(\hat Y - Y)/N$ |
# | sigmoid | MSE (unmatched) | $(\hat Y - Y)/N \odot \sigma'(Z^{(L)})$ |
#
# With the unmatched pair the slope $\sigma'$ stays in and goes to almost 0 when a unit
# saturates, even if the prediction is completely wrong: learning stalls.
#
# Don't trust a derivation you have not tested. Below, the loss is written as a function of
# the logits alone and each entry of $Z^{(2)}$ is nudged by $\pm\varepsilon$ (central
# differences):

# %%
def cross_entropy_of_logits(Z, Y):
    # mean over rows of -sum_k y_k log softmax(z)_k, with the max subtracted for safety
    Zs = Z - Z.max(axis=1, keepdims=True)
    log_probs = Zs - np.log(np.exp(Zs).sum(axis=1, keepdims=True))
    return -np.sum(Y * log_probs) / len(Z)

Z2 = cache["Z2"].copy()
eps = 1e-6
numeric = np.zeros_like(Z2)
for idx in np.ndindex(Z2.shape):
    up, down = Z2.copy(), Z2.copy()
    up[idx] += eps
    down[idx] -= eps
    numeric[idx] = (cross_entropy_of_logits(up, Y) - cross_entropy_of_logits(down, Y)) / (2 * eps)

formula = (cache["A2"] - Y) / N
print("finite differences:\n", numeric)
print("(A2 - Y) / N:\n", formula)
print("agree:", np.allclose(numeric, formula, atol=1e-9))

# %% [markdown]
# ### Exercise 1 — the output delta of the worked example
#
# Compute $\delta^{(2)}$ for the worked example from `cache` and `Y` (no finite differences
# this time: use the formula). It must have shape $(N, n_2) = (4, 2)$.

# %%
delta2 = ...   # your answer, from cache, Y and N
ok = check_output_delta(delta2)

# %%
# NBVAL_IGNORE_OUTPUT
# Stuck? The button gives a hint, then a second hint, then the worked solution.
# This cell also sets the reference answer, so the cells below run whatever you wrote.
from bpcourse.exercises.solutions import help_for, reference
delta2 = reference("delta2", globals())
help_for("delta2")

# %% [markdown]
# ## 4. One layer down: the hidden delta, in matrix form
#
# Layer 2 computed $Z^{(2)}_{nk} = \sum_j A^{(1)}_{nj} W^{(2)}_{jk} + b^{(2)}_k$. Unit $j$ of
# row $n$ feeds **every** output unit $k$ of that row, so its gradient collects one term
# from each:
#
# $$\frac{\partial L}{\partial A^{(1)}_{nj}} = \sum_k \delta^{(2)}_{nk}\, W^{(2)}_{jk}
# = \big(\delta^{(2)} W^{(2)\top}\big)_{nj}.$$
#
# Then $A^{(1)} = f(Z^{(1)})$ acts entry by entry, so the chain rule multiplies entry by entry
# with the local slope ($\odot$ is the elementwise product):
#
# $$\boxed{\delta^{(l)} = \big(\delta^{(l+1)}\, W^{(l+1)\top}\big) \odot f'\big(Z^{(l)}\big)}$$
#
# **Let the shapes check you.** $\delta^{(l+1)}$ is $(N, n_{l+1})$ and $W^{(l+1)}$ is
# $(n_l, n_{l+1})$. The only way to multiply them into something of $\delta^{(l)}$'s shape
# $(N, n_l)$ is $\delta^{(l+1)} W^{(l+1)\top}$: $(N, n_{l+1})(n_{l+1}, n_l)$. A missing
# transpose is not a subtle error; the shapes refuse it (unless the layer happens to be
# square, see section 9). For the sigmoid, $f'(Z) = \sigma(Z)(1-\sigma(Z))$, which is
# $A \odot (1 - A)$ from the cache: no exponentials needed.

# %%
W2, A1, Z1 = net.params["W2"], cache["A1"], cache["Z1"]
print(f"delta2        {delta2.shape}   (N, n2)")
print(f"W2.T          {W2.T.shape}   (n2, n1)")
print(f"delta2 @ W2.T {(delta2 @ W2.T).shape}   (N, n1)  = dL/dA1")
print(f"A1 * (1 - A1) {(A1 * (1 - A1)).shape}   (N, n1)  = f'(Z1)")

# %% [markdown]
# ### Exercise 2 — the hidden delta
#
# Compute $\delta^{(1)}$ of the worked example from `delta2`, `W2` and the cached `A1`
# (or `Z1`).

# %%
delta1 = ...   # your answer, from delta2, W2 and A1
ok = check_hidden_delta(delta1)

# %%
# NBVAL_IGNORE_OUTPUT
# Stuck? The button gives a hint, then a second hint, then the worked solution.
# This cell also sets the reference answer, so the cells below run whatever you wrote.
from bpcourse.exercises.solutions import help_for, reference
delta1 = reference("delta1", globals())
help_for("delta1")

# %% [markdown]
# ## 5. From deltas to parameter gradients
#
# $W^{(l)}_{jk}$ appears in $Z^{(l)}_{nk}$ for **every** row $n$, with factor
# $A^{(l-1)}_{nj}$, so its gradient adds up one contribution per example:
#
# $$\frac{\partial L}{\partial W^{(l)}_{jk}} = \sum_n A^{(l-1)}_{nj}\,\delta^{(l)}_{nk}
# \quad\Longrightarrow\quad
# \boxed{\frac{\partial L}{\partial W^{(l)}} = A^{(l-1)\top}\,\delta^{(l)}}
# \qquad (n_{l-1}, N)(N, n_l) = (n_{l-1}, n_l),$$
#
# $$\boxed{\frac{\partial L}{\partial b^{(l)}} = \sum_n \delta^{(l)}_{n}}
# \qquad \text{shape } (n_l,)\text{, like } b^{(l)}.$$
#
# Every gradient has the shape of its parameter, so the update $W \leftarrow W - \eta\,
# \partial L/\partial W$ makes sense. The matrix product does the summing over the batch for
# us: $A^{(l-1)\top}\delta^{(l)}$ is the sum of the $N$ outer products $a_n \delta_n^\top$,
# one per example. A loop over examples must **accumulate** them:

# %%
A0 = cache["A0"]
dW1_loop = np.zeros((3, 5))
for n in range(N):
    dW1_loop += np.outer(A0[n], delta1[n])       # one example's share; note the +=
print("A0.T @ delta1 equals the accumulated loop:", np.allclose(A0.T @ delta1, dW1_loop))

last_only = np.outer(A0[-1], delta1[-1])          # what '=' instead of '+=' leaves behind
print("keeping only the last example equals it:", np.allclose(A0.T @ delta1, last_only))

# %% [markdown]
# ## 6. The whole backward pass of the worked example, in NumPy
#
# Everything together, written out, then compared with the package's
# `net.loss_and_gradients` and the arrays it leaves in `net.trace`:

# %%
# forward (caching Z and A)
Z1 = X @ net.params["W1"] + net.params["b1"]
A1 = 1 / (1 + np.exp(-Z1))
Z2 = A1 @ net.params["W2"] + net.params["b2"]
E2 = np.exp(Z2 - Z2.max(axis=1, keepdims=True))  # softmax, shifted so nothing overflows
A2 = E2 / E2.sum(axis=1, keepdims=True)

# backward, from the output layer down
d2 = (A2 - Y) / N                                # (N, n2)
dW2 = A1.T @ d2                                  # (n1, n2)
db2 = d2.sum(axis=0)                             # (n2,)
dA1 = d2 @ net.params["W2"].T                    # (N, n1), sent down to layer 1
d1 = dA1 * A1 * (1 - A1)                         # (N, n1)
dW1 = X.T @ d1                                   # (n0, n1)
db1 = d1.sum(axis=0)                             # (n1,)

for name, g in [("dW2", dW2), ("db2", db2), ("dW1", dW1), ("db1", db1)]:
    print(f"{name} {g.shape}:\n{g}")

# %%
loss, grads = net.loss_and_gradients(X, Y, loss="cross_entropy")
mine = {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
for k in ["W2", "b2", "W1", "b1"]:
    print(f"{k}: same as net.loss_and_gradients? {np.allclose(mine[k], grads[k])}")
for name, value in [("delta2", d2), ("dA1", dA1), ("delta1", d1)]:
    print(f"{name}: same as net.trace['{name}']? {np.allclose(value, net.trace[name])}")
print(f"loss = {loss:.6f}")

# %% [markdown]
# ## 7. Step through it: one layer per click
#
# A deeper net makes the pattern clearer: with two hidden layers, the hidden-layer step
# simply repeats. `BackwardStepper` runs one backward pass and keeps, per layer, what that
# layer read and wrote. Here is the middle step as text; what layer 3 **sent down** is
# exactly what layer 2 **receives** as its upstream gradient:

# %%
deep = MLP([3, 5, 4, 2], activation="sigmoid", output="softmax", seed=7)
stepper = BackwardStepper(deep, X, y, loss="cross_entropy")
print(stepper.render_text(1))

# %% [markdown]
# Now walk it with the buttons: **Next** goes one layer further down (output layer first),
# **Prev** goes back. The strip at the top highlights the current layer in orange; green
# layers are done. Each table row is one array, shaded red for positive and blue for
# negative values, with its shape written symbolically and in numbers.

# %%
# NBVAL_IGNORE_OUTPUT
stepper.widget()

# %% [markdown]
# Look at the sizes of the error signals on the way down. Each hidden step multiplies by
# $\sigma'(Z) \le 1/4$, so $\delta$ tends to shrink layer after layer: with many sigmoid
# layers the first ones learn very slowly. Notebook 06 is about this *vanishing gradient*.

# %%
layers = [s.layer for s in stepper.steps]
norms = [np.linalg.norm(s.delta) for s in stepper.steps]
fig, ax = plt.subplots(figsize=(5, 3))
ax.bar([f"δ{l}" for l in layers], norms, color="#e8590c")
ax.set_ylabel("‖δ‖ (Frobenius)")
ax.set_title("Error signal size, in the order backprop visits the layers")
plt.show()
for l, n in zip(layers, norms):
    print(f"layer {l}: ‖δ‖ = {n:.4f}")


# %% [markdown]
# ## 8. Your turn: the backward pass of a two-layer net
#
# Write `backward(params, cache, Y)` for a net with one sigmoid hidden layer and a softmax
# output with mean cross-entropy:
#
# * `params`: dict with `W1` $(n_0, n_1)$, `b1` $(n_1,)$, `W2` $(n_1, n_2)$, `b2` $(n_2,)$;
# * `cache`: dict with the forward values `A0` (= X), `Z1`, `A1`, `Z2`, `A2`;
# * `Y`: the one-hot targets, $(N, n_2)$;
# * return a dict with the gradients `W1`, `b1`, `W2`, `b2`, each shaped like its parameter.
#
# The check runs your function on two nets, compares every array with
# `net.loss_and_gradients` **and** with a finite-difference gradient check
# (`bpcourse.gradcheck`), prints a table per array, and names the bug if it recognises it.

# %%
def backward(params, cache, Y):
    ...   # your answer: return {"W1": ..., "b1": ..., "W2": ..., "b2": ...}


ok = check_backward(backward)

# %%
# NBVAL_IGNORE_OUTPUT
# Stuck? The button gives a hint, then a second hint, then the worked solution.
# This cell also sets the reference answer, so the cells below run whatever you wrote.
from bpcourse.exercises.solutions import help_for, reference
backward = reference("backward", globals())
help_for("backward")

# %% [markdown]
# ### Any depth, any activation: the backward pass as a loop
#
# The two-layer `backward` above repeats one step per layer: from $\delta^{(l)}$ it gets the
# layer's gradients, then moves down with $\delta^{(l-1)} = (\delta^{(l)} W^{(l)\top}) \odot
# f'(Z^{(l-1)})$. Written as a loop over $l = L, L-1, \dots, 1$, the same lines work for any
# number of layers and any hidden activation, which is how `MLP.backward` is written.
#
# **Exercise 5.** Write `backward_loop(params, cache, Y, fprime)`: `params` holds `W1, b1, …,
# WL, bL` (so $L$ = `len(params) // 2`), `cache` holds `A0 … AL` and `Z1 … ZL`, the output is
# softmax with mean cross-entropy (so $\delta^{(L)} = (A^{(L)} - Y)/N$ as before), and
# `fprime(Z)` is the hidden activation's derivative. Return the gradients in a dict. The check
# tries it on four networks, two to four layers deep, with sigmoid, tanh, ReLU and leaky ReLU
# hidden units.

# %%
from bpcourse.exercises.backward_pass import check_backward_loop


def backward_loop(params, cache, Y, fprime):
    L = len(params) // 2
    grads = {}
    ...   # your answer: a loop from layer L down to 1
    return grads


ok = check_backward_loop(backward_loop)

# %%
# NBVAL_IGNORE_OUTPUT
# Stuck? The button gives a hint, then a second hint, then the worked solution.
# This cell also sets the reference answer, so the cells below run whatever you wrote.
from bpcourse.exercises.solutions import help_for, reference
backward_loop = reference("backward_loop", globals())
help_for("backward_loop")

# %% [markdown]
# ## 9. What bugs look like
#
# A gradient check compares backprop with central differences
# $\big(L(\theta+\varepsilon) - L(\theta-\varepsilon)\big)/2\varepsilon$, one parameter at
# a time, and reports the relative error
# $\lVert g_{bp} - g_{fd}\rVert / (\lVert g_{bp}\rVert + \lVert g_{fd}\rVert)$ per array:
# around $10^{-9}$ or less when backprop is right, $10^{-1}$ or larger when it is wrong. The
# useful part is **which** arrays fail: a bug corrupts everything computed after it, and
# the backward pass runs from the output down. A slip in $\delta^{(2)}$ breaks all four
# arrays; a slip between $\delta^{(2)}$ and $\delta^{(1)}$ breaks only layer 1's.
#
# Below, `BugLab` makes one typical slip at a time in a 3 → 4 → 4 net with $N = 6$ and
# grades the result. Its $W^{(2)}$ is square, so even the missing transpose runs.

# %%
lab = BugLab(*square_example())
for bug in ["no_1_over_N", "A_for_fprime", "no_transpose", "bias_not_summed"]:
    print(f"{BUGS[bug].label}:   {BUGS[bug].code}")
    print(gradient_table(lab.rows(bug)), "\n")

# %% [markdown]
# On the worked example, where $W^{(2)}$ is $5\times 2$, the same missing transpose never gets
# as far as a gradient check: NumPy refuses the product. That is the friendly case: a shape
# error tells you exactly which line to look at.

# %%
worked_lab = BugLab(net, X, y)
try:
    worked_lab.gradients("no_transpose")
except ValueError as e:
    print("ValueError:", e)

# %% [markdown]
# Every bug of the catalogue at once: one row per bug, one column per array; green passes the
# gradient check, red fails it (with its relative error), grey had the wrong shape. The pattern
# points at the line: a slip in $\delta^{(2)}$ reddens the whole row (everything is computed
# from it), a slip between $\delta^{(2)}$ and $\delta^{(1)}$ only layer 1's columns, and a
# slip in reading a gradient off $\delta$ only the columns of that gradient, in the layers
# where it was made (a backward pass that sums no bias loses both `b1` and `b2`).

# %%
from matplotlib.colors import to_rgb

names = [b for b in BUGS if b != "none"]
colours = {"ok": "#b2f2bb", "FAIL": "#ff8787", "shape": "#ced4da"}
fig, ax = plt.subplots(figsize=(6.5, 4.5))
status = []
for i, bug in enumerate(names):
    row = []
    for j, r in enumerate(lab.rows(bug)):
        s = "shape" if not r.shape_ok else ("ok" if r.ok else "FAIL")
        row.append(to_rgb(colours[s]))
        label = f"{r.vs_numeric:.0e}" if s == "FAIL" else s
        ax.text(j, i, label, ha="center", va="center", fontsize=8)
    status.append(row)
ax.imshow(status, aspect="auto")
ax.set_xticks(range(4), ["W1", "b1", "W2", "b2"])
ax.set_yticks(range(len(names)), [BUGS[b].label for b in names])
ax.set_title("Which gradients each bug breaks (red: relative error shown)")
plt.tight_layout()
plt.show()

# %% [markdown]
# Explore them one by one: pick a bug to see the wrong line, the gradient-check table
# (red rows fail) and the relative errors against the tolerance.

# %%
# NBVAL_IGNORE_OUTPUT
import ipywidgets as widgets

from bpcourse.live import LivePlot

choice = widgets.Dropdown(options=[(b.label, key) for key, b in BUGS.items()],
                          value="none", description="bug:")


def draw_bug(ax, bug):
    plot_bug_rows(lab.rows(bug), ax=ax, title=BUGS[bug].label)
    return lab.html(bug)


bug_lab = LivePlot(draw_bug, {"bug": choice}, figsize=(6.5, 2.8), grid=(1, 1), text_is_html=True,
                   margins={"left": 0.12, "right": 0.72, "bottom": 0.12, "top": 0.9})
bug_lab

# %% [markdown]
# ### Exercise 3 — read a gradient-check table
#
# Your gradient check says: `W2` and `b2` **ok**, `W1` and `b1` **FAIL**. Which of these
# bugs can **not** be the cause?
#
# * (a) `delta2 @ W2` instead of `delta2 @ W2.T` (on a square layer)
# * (b) forgot $f'(Z^{(1)})$: `delta1 = delta2 @ W2.T`
# * (c) forgot the $1/N$ in $\delta^{(2)}$
# * (d) multiplied by `A1` instead of `A1 * (1 - A1)`
#
# Answer with a letter.

# %%
answer = ...   # your answer: "a", "b", "c" or "d"
ok = check_bug_location(answer)

# %%
# NBVAL_IGNORE_OUTPUT
# Stuck? The button gives a hint, then a second hint, then the worked solution.
# This cell also sets the reference answer, so the cells below run whatever you wrote.
from bpcourse.exercises.solutions import help_for, reference
answer = reference("bug_location", globals())
help_for("bug_location")

# %% [markdown]
# ## Summary
#
# * The forward pass caches $Z^{(l)}$ and $A^{(l)}$ because the backward pass needs them:
#   $f'(Z^{(l)})$ for the local slope and $A^{(l-1)}$ for the weight gradient.
# * The error starts at $\delta^{(L)} = (\hat Y - Y)/N$ for every matched output/loss pair;
#   the $1/N$ comes from the mean loss.
# * Going down: $\delta^{(l)} = (\delta^{(l+1)} W^{(l+1)\top}) \odot f'(Z^{(l)})$.
# * Gradients: $\partial L/\partial W^{(l)} = A^{(l-1)\top}\delta^{(l)}$ (sums over the batch),
#   $\partial L/\partial b^{(l)} = \sum_n \delta^{(l)}_n$; each has its parameter's shape.
# * Debug with shapes first, then a gradient check; *which* arrays fail says where the bug is.
#
# Next, notebook 04 uses these gradients to change the weights.
#
# ## Flashcards
#
# Rate each card from 1 (not at all) to 5 (perfectly) by how well you recalled the answer
# before turning it over; the cards you struggle with come back sooner.

# %%
# NBVAL_IGNORE_OUTPUT
from bpcourse.flashcards import quiz
quiz("backward-pass")
