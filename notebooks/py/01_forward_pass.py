# %% [markdown]
# # 01 · The forward pass: from inputs to a loss
#
# A neural network is a function built from many copies of one small computation. Before we can
# train it (notebooks 02–04 derive and run backpropagation), we need to know exactly what it
# computes, in which order, and with which array shapes. Backpropagation walks the very same
# steps in reverse, so every shape you meet here comes back later.
#
# **After this notebook you can**
#
# 1. say what a single neuron computes, and what its weights and bias do;
# 2. name the usual activation functions, sketch $f$ and $f'$, and explain why a network without
#    non-linear activations is no better than a single linear layer;
# 3. write the forward pass of a whole layer, and of a whole network, as matrix products, and give
#    the shape of every array for a batch of $N$ samples;
# 4. pick the output function and the loss that fit a task (regression, two classes, many
#    classes) and compute the loss by hand.
#
# **Notation** (used in every notebook of the course): layers are numbered from 1, the input is
# layer 0 and a batch of $N$ samples is stored as the rows of a matrix.
#
# | symbol | in code | meaning | shape |
# |---|---|---|---|
# | $A^{(0)} = X$ | `A0`, `X` | inputs | $(N, n_0)$ |
# | $W^{(l)}$ | `W{l}` | weights of layer $l$ | $(n_{l-1}, n_l)$ |
# | $b^{(l)}$ | `b{l}` | biases of layer $l$ | $(n_l,)$ |
# | $Z^{(l)} = A^{(l-1)} W^{(l)} + b^{(l)}$ | `Z{l}` | pre-activations | $(N, n_l)$ |
# | $A^{(l)} = f(Z^{(l)})$ | `A{l}` | activations | $(N, n_l)$ |
# | $\delta^{(l)} = \partial L / \partial Z^{(l)}$ | `delta{l}` | error signal of layer $l$, met in the backward pass (notebooks 02 and 03) | $(N, n_l)$ |
# | $L$ | `loss` | mean loss over the batch | scalar |
#
# Indices inside a layer count from 0, as in NumPy: $W^{(l)}_{ij}$ is `W{l}[i, j]`, the weight from
# unit $i$ of layer $l-1$ to unit $j$ of layer $l$.

# %%
# %matplotlib inline
import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from bpcourse import MLP, data, fit, optim
from bpcourse.activations import ACTIVATIONS
from bpcourse.plots import draw_network, plot_activation, plot_decision_boundary

np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## 1 · One neuron
#
# A neuron receives $n$ numbers $x_0, x_1, \dots, x_{n-1}$ (we count from 0, as NumPy does, so $x_i$
# is `x[i]`) and does two things:
#
# 1. it forms a **weighted sum** of them and adds a **bias**:
#    $$z = w_0 x_0 + w_1 x_1 + \dots + w_{n-1} x_{n-1} + b = \mathbf{x}\cdot\mathbf{w} + b,$$
# 2. it passes $z$ through an **activation function**: $a = f(z)$.
#
# $z$ is called the *pre-activation* and $a$ the *activation* (the neuron's output).
#
# * A **weight** $w_i$ says how much input $i$ matters to this neuron and in which direction: a large
#   positive $w_i$ pushes $z$ up when $x_i$ grows, a negative one pushes it down, a weight near 0
#   means the neuron ignores that input.
# * The **bias** $b$ does not depend on the input at all. It moves the point where the neuron
#   switches on: for a sigmoid neuron, $a > 1/2$ exactly when $\mathbf{x}\cdot\mathbf{w} > -b$.
#   Without a bias, an all-zero input would always give $z = 0$, and the neuron's dividing line
#   $\mathbf{x}\cdot\mathbf{w} = 0$ would be forced through the origin.
#
# Training a network means choosing all these weights and biases. Here they are fixed, and we only
# compute.

# %%
x = np.array([0.5, -1.0, 2.0])   # three inputs
w = np.array([0.8, 0.2, -0.5])   # one weight per input
b = 0.1

z_loop = sum(w[i] * x[i] for i in range(3)) + b   # the definition, term by term
z = x @ w + b                                        # the same thing as a dot product
a = 1 / (1 + np.exp(-z))                             # sigmoid activation

print(f"terms w_i x_i : {w * x}")
print(f"z = {z_loop:.4f} (loop) = {z:.4f} (dot product)")
print(f"a = sigmoid(z) = {a:.4f}")

# %% [markdown]
# ## 2 · Activation functions
#
# The activation $f$ is applied to each pre-activation separately. The course uses five:
#
# | name | $f(z)$ | $f'(z)$ | range |
# |---|---|---|---|
# | sigmoid | $\sigma(z) = \dfrac{1}{1 + e^{-z}}$ | $\sigma(z)\,(1 - \sigma(z))$, at most $1/4$ | $(0, 1)$ |
# | tanh | $\tanh z$ | $1 - \tanh^2 z$, at most $1$ | $(-1, 1)$ |
# | relu | $\max(0, z)$ | $1$ if $z > 0$, else $0$ | $[0, \infty)$ |
# | leaky_relu | $z$ if $z > 0$, else $0.01\,z$ | $1$ if $z > 0$, else $0.01$ | $\mathbb{R}$ |
# | identity | $z$ | $1$ | $\mathbb{R}$ |
#
# Why care about $f'$ already? Because backpropagation multiplies the gradient flowing back through
# a neuron by $f'(z)$ at the $z$ that neuron saw in the forward pass. Where $f'$ is nearly 0 (the flat
# tails of sigmoid and tanh, the negative side of relu) hardly any gradient gets through, and that
# neuron barely learns. Notebook 06 follows this effect through many layers.

# %%
fig, axes = plt.subplots(1, 5, figsize=(17, 3.2))
for ax, name in zip(axes, ACTIVATIONS):
    plot_activation(name, ax=ax, z_range=(-4, 4))
plt.tight_layout()
plt.show()

# %% [markdown]
# ### Widget: explore an activation
#
# Pick a function and drag $z$. The dots mark $f(z)$ and $f'(z)$; the sentence below the plot
# says how much gradient a neuron sitting at that $z$ would pass back. Try $z = 5$ for sigmoid and
# tanh, and any negative $z$ for relu and leaky_relu.

# %%
# NBVAL_IGNORE_OUTPUT
from bpcourse.lessons.forward_pass import activation_explorer

activation_explorer()

# %% [markdown]
# ### Why the activation must be non-linear
#
# Suppose we leave $f$ out (use the identity) and stack two layers:
#
# $$Z^{(2)} = \big(X W^{(1)} + b^{(1)}\big) W^{(2)} + b^{(2)}.$$
#
# Multiplying out the bracket gives $X$ times one matrix plus one constant row: the two layers are
# one linear layer in disguise, and so is any stack of them, however deep. Such a network can only
# draw straight dividing lines, whatever its size. A non-linear $f$ between the layers is what stops
# the collapse.
#
# **Exercise 1.** For the two linear layers below, find the single layer $W$, $b$ with
# $X W + b = (X W^{(1)} + b^{(1)}) W^{(2)} + b^{(2)}$ for every $X$. Write $W$ and $b$ with NumPy in
# terms of `W1_lin, b1_lin, W2_lin, b2_lin`.

# %%
rng = np.random.default_rng(0)
W1_lin, b1_lin = rng.normal(size=(2, 3)), rng.normal(size=3)
W2_lin, b2_lin = rng.normal(size=(3, 2)), rng.normal(size=2)
print("W1_lin", W1_lin.shape, "b1_lin", b1_lin.shape, "W2_lin", W2_lin.shape, "b2_lin", b2_lin.shape)

# %%
from bpcourse.exercises.forward_pass import check_collapse

W_one = ...   # your answer
b_one = ...   # your answer

ok = check_collapse(W_one, b_one, W1_lin, b1_lin, W2_lin, b2_lin)

# %%
# NBVAL_IGNORE_OUTPUT
# Stuck? The button gives a hint, then a second hint, then the worked solution.
# This cell also sets the reference answer, so the cells below run whatever you wrote.
from bpcourse.exercises.solutions import help_for, reference
W_one, b_one = reference("collapse", globals())
help_for("collapse")

# %% [markdown]
# The check above compares formulas; here is the same fact on data. A two-layer network with
# identity activations, evaluated on a few random points, gives the same numbers as the one layer
# you just found.

# %%
X_demo = rng.normal(size=(5, 2))
two_layers = (X_demo @ W1_lin + b1_lin) @ W2_lin + b2_lin
one_layer = X_demo @ W_one + b_one
print("two layers == one layer:", np.allclose(two_layers, one_layer))

# %% [markdown]
# What does that cost in practice? Take the XOR pattern: points near $(0,0)$ and $(1,1)$ are class 0,
# points near $(0,1)$ and $(1,0)$ are class 1. No straight line separates them. Below, two networks of
# the same size, `[2, 8, 1]`, are trained on it; they differ only in the hidden activation. (How the
# training works is the subject of notebooks 03–05; here it is only a tool.)

# %%
X_xor, y_xor = data.xor(n=200, noise=0.15, seed=0)
fig, axes = plt.subplots(1, 2, figsize=(10, 4.2))
for ax, act in zip(axes, ["identity", "tanh"]):
    net_xor = MLP([2, 8, 1], activation=act, output="sigmoid", seed=0)
    hist = fit(net_xor, X_xor, y_xor, loss="binary_cross_entropy", optimizer=optim.Adam(0.05),
               epochs=60, batch_size=32, progress=False)
    plot_decision_boundary(net_xor, X_xor, y_xor, ax=ax, resolution=120,
                           title=f"hidden activation {act}: accuracy {hist.train_acc[-1]:.0%}")
    print(f"{act:>8}: final loss {hist.train_loss[-1]:.3f}, accuracy {hist.train_acc[-1]:.0%}")
plt.tight_layout()
plt.show()

# %% [markdown]
# With identity activations the eight hidden units are wasted: the network is one linear
# classifier. A straight line can get at most three of the four XOR clusters right, and training
# this one ends no better than guessing. With tanh the same
# architecture bends its boundary around the four clusters.
#
# ## 3 · A whole layer at once, for a whole batch
#
# A layer is $n_l$ neurons that all read the same inputs, the $n_{l-1}$ activations of the layer
# below. Put neuron $j$'s weights in column $j$ of a matrix $W^{(l)}$ of shape $(n_{l-1}, n_l)$ and its
# bias in entry $j$ of $b^{(l)}$. Put the $N$ samples of a batch in the rows of $A^{(l-1)}$. Then every
# neuron, for every sample, is computed by one matrix product:
#
# $$Z^{(l)} = A^{(l-1)} W^{(l)} + b^{(l)}, \qquad A^{(l)} = f\big(Z^{(l)}\big)$$
#
# $$\underbrace{(N, n_l)}_{Z^{(l)}} = \underbrace{(N, n_{l-1})}_{A^{(l-1)}}\;
# \underbrace{(n_{l-1}, n_l)}_{W^{(l)}} + \underbrace{(n_l,)}_{b^{(l)}}$$
#
# * Entry $Z^{(l)}_{nj} = \sum_i A^{(l-1)}_{ni} W^{(l)}_{ij} + b^{(l)}_j$ is neuron $j$'s pre-activation for
#   sample $n$: exactly the single-neuron formula of section 1.
# * The inner dimensions must agree ($n_{l-1}$); a mismatch there is the most common bug in
#   hand-written networks, and the shape check catches it at once.
# * $b^{(l)}$ has one entry per neuron, not per sample: NumPy *broadcasting* adds the same row
#   $b^{(l)}$ to each of the $N$ rows.

# %%
X = np.array([[1.0, 2.0],
              [0.0, -1.0],
              [3.0, 0.5],
              [-2.0, 1.0]])                 # N = 4 samples, n0 = 2 inputs
W1 = np.array([[0.5, -1.0, 2.0],
               [1.5, 0.25, -0.5]])         # (n0, n1) = (2, 3)
b1 = np.array([0.1, -0.2, 0.3])            # (n1,) = (3,)

Z1 = X @ W1 + b1
print("X", X.shape, "@ W1", W1.shape, "+ b1", b1.shape, "-> Z1", Z1.shape)

# One entry, written out as in section 1: sample n = 2, neuron j = 0
n, j = 2, 0
by_hand = sum(X[n, i] * W1[i, j] for i in range(2)) + b1[j]
print(f"Z1[{n}, {j}] = {Z1[n, j]:.4f};  by the neuron formula: {by_hand:.4f}")

try:
    X @ W1.T   # a transposed weight matrix: the inner dimensions no longer agree
except ValueError as err:
    print("X @ W1.T fails:", err)

# %% [markdown]
# **Exercise 2.** The layer below has a sigmoid activation. Compute its pre-activations `Z1_ex` and
# activations `A1_ex` for the batch `X_ex`, with NumPy. (Both checks recognise a few classic slips:
# a missing bias, a transposed result, the sigmoid applied twice...)

# %%
X_ex = np.array([[0.5, -1.0], [2.0, 0.0], [-1.5, 1.0]])
W1_ex = np.array([[1.0, -0.5, 0.25], [2.0, 1.0, -1.0]])
b1_ex = np.array([0.5, 0.0, -0.5])
print("X_ex", X_ex.shape, " W1_ex", W1_ex.shape, " b1_ex", b1_ex.shape)

# %%
from bpcourse.exercises.forward_pass import check_A1, check_Z1

Z1_ex = ...   # your answer
A1_ex = ...   # your answer

check_Z1(Z1_ex, X_ex, W1_ex, b1_ex)
ok = check_A1(A1_ex, X_ex, W1_ex, b1_ex)

# %%
# NBVAL_IGNORE_OUTPUT
# Stuck? The button gives a hint, then a second hint, then the worked solution.
# This cell also sets the reference answer, so the cells below run whatever you wrote.
from bpcourse.exercises.solutions import help_for, reference
Z1_ex, A1_ex = reference("Z1_A1", globals())
help_for("Z1_A1")

# %% [markdown]
# **Exercise 3.** A network has layer sizes `[4, 5, 3]` (4 inputs, 5 hidden units, 3 outputs) and
# receives a batch of $N = 10$ samples. Give the shape of each array as a tuple, e.g. `(2, 3)`, or
# `(3,)` for a vector.

# %%
from bpcourse.exercises.forward_pass import check_shapes

shapes = {   # replace each ... with a tuple such as (2, 3), or (3,) for a vector
    "W1": ...,
    "b1": ...,
    "Z1": ...,
    "A1": ...,
    "W2": ...,
    "b2": ...,
    "Z2": ...,
    "A2": ...,
}
ok = check_shapes(shapes, sizes=[4, 5, 3], N=10)

# %%
# NBVAL_IGNORE_OUTPUT
# Stuck? The button gives a hint, then a second hint, then the worked solution.
# This cell also sets the reference answer, so the cells below run whatever you wrote.
from bpcourse.exercises.solutions import help_for, reference
shapes = reference("shapes", globals())
help_for("shapes")

# %% [markdown]
# The package's `MLP` uses the same convention; after a forward pass it keeps every array it
# computed, so we can read the shapes off a real network:

# %%
net_shapes = MLP([4, 5, 3], seed=0)
net_shapes.forward(np.zeros((10, 4)))
for name in ["W1", "b1", "W2", "b2"]:
    print(f"{name}: {net_shapes.params[name].shape}")
for name in ["A0", "Z1", "A1", "Z2", "A2"]:
    print(f"{name}: {net_shapes.trace[name].shape}")

# %% [markdown]
# ## 4 · A whole network, by hand: the `[2, 3, 1]` network
#
# Stacking layers just repeats the layer step, feeding each layer's activations to the next:
#
# $$A^{(0)} = X \;\to\; Z^{(1)} = A^{(0)}W^{(1)} + b^{(1)} \;\to\; A^{(1)} = f\big(Z^{(1)}\big) \;\to\;
# Z^{(2)} = A^{(1)}W^{(2)} + b^{(2)} \;\to\; \hat Y = A^{(2)} = f_{\text{out}}\big(Z^{(2)}\big)$$
#
# Our tiny network has 2 inputs, 3 sigmoid hidden units and 1 output with the identity as output
# function (a regression output). Its parameters are fixed numbers, chosen by hand, so you can
# follow every step. Here they are; row $i$ of $W^{(1)}$ holds the weights leaving input $i$, column
# $j$ the weights entering hidden unit $j$:

# %%
from bpcourse.lessons.forward_pass import TINY_PARAMS

W1, b1 = TINY_PARAMS["W1"], TINY_PARAMS["b1"]   # (2, 3), (3,)
W2, b2 = TINY_PARAMS["W2"], TINY_PARAMS["b2"]   # (3, 1), (1,)
for name, value in [("W1", W1), ("b1", b1), ("W2", W2), ("b2", b2)]:
    print(f"{name} {value.shape}:\n{value}")

# %% [markdown]
# The forward pass in plain NumPy, for a batch of three samples:

# %%
X = np.array([[1.0, 2.0],
              [0.0, 0.0],
              [-1.0, 0.5]])                      # a batch of N = 3 samples


def sigmoid(Z):
    return 1 / (1 + np.exp(-Z))


Z1 = X @ W1 + b1        # (3, 2) @ (2, 3) + (3,) -> (3, 3)
A1 = sigmoid(Z1)        # (3, 3)
Z2 = A1 @ W2 + b2       # (3, 3) @ (3, 1) + (1,) -> (3, 1)
Y_hat = Z2              # identity output: A2 = Z2

for name, value in [("Z1", Z1), ("A1", A1), ("Z2", Z2)]:
    print(f"{name} {value.shape}:\n{value}")

# %% [markdown]
# Now the same network as a `bpcourse.MLP`. Its `forward` runs exactly the loop above, and
# afterwards `net.trace` holds every intermediate array under its name from the notation table:

# %%
from bpcourse.lessons.forward_pass import tiny_net

net = tiny_net()          # MLP([2, 3, 1], activation="sigmoid", output="identity") with TINY_PARAMS
Y_net = net.forward(X)
print("same output as by hand:", np.allclose(Y_net, Y_hat))
print()
print(net.trace)

# %% [markdown]
# The picture: one column of circles per layer, one edge per weight, blue for positive and red for
# negative weights, thicker for larger $|w|$. Each circle shows its activation for the first sample
# $x = (1, 2)$, each edge its weight, and under each unit its bias.

# %%
draw_network(net, show_values=True, X=X[0], show_weights=True)
plt.show()

# %% [markdown]
# ### Widget: drive the network yourself
#
# Move the two inputs $x_0, x_1$ and two of the weights: $W^{(1)}_{00}$ (`W1[0,0]`, input 0 → hidden
# unit 0) and $W^{(2)}_{00}$ (`W2[0,0]`, hidden unit 0 → output). Every other parameter keeps its
# value from the table above. The diagram and the numbers under it are recomputed on every change.
# Things to try:
#
# * set $W^{(2)}_{00} = 0$: hidden unit 0 still computes, but the output no longer depends on it;
# * push $x_0$ to $\pm 5$ with a large $W^{(1)}_{00}$: hidden unit 0 saturates at 0 or 1 and stops
#   reacting to further changes (the flat tail of the sigmoid);
# * switch the activation to relu and make $z$ of a hidden unit negative: its activation is exactly 0.

# %%
# NBVAL_IGNORE_OUTPUT
from bpcourse.lessons.forward_pass import tiny_explorer

tiny_explorer()


# %% [markdown]
# ### Any depth: the forward pass as a loop
#
# Nothing in the step depends on which layer we are in, so a network of any depth is one loop over
# its layers. Only the last layer is different: it uses the output function. Here is the whole
# forward pass in a few lines, checked against the package on a deeper network with relu hidden
# layers and a softmax output:

# %%
def relu(Z):
    return np.maximum(Z, 0)


def softmax(Z):
    E = np.exp(Z - Z.max(axis=1, keepdims=True))   # subtracting the row max avoids overflow
    return E / E.sum(axis=1, keepdims=True)


def forward(params, X, hidden_f, output_f):
    A = X
    n_layers = len(params) // 2           # one W and one b per layer
    for l in range(1, n_layers + 1):
        Z = A @ params[f"W{l}"] + params[f"b{l}"]
        A = hidden_f(Z) if l < n_layers else output_f(Z)
    return A


deep = MLP([2, 4, 4, 3], activation="relu", output="softmax", init="he", seed=1)
X_sp, y_sp = data.spiral(3, 2, seed=0)          # 6 points from 3 classes
P_mine = forward(deep.params, X_sp, relu, softmax)
print("matches MLP.forward:", np.allclose(P_mine, deep.forward(X_sp)))
print("each row sums to 1 :", np.allclose(P_mine.sum(axis=1), 1))
print(P_mine)

# %% [markdown]
# ## 5 · The output layer and the loss
#
# The last layer's function is chosen for the task, together with the loss $L$ that measures how far
# the outputs $\hat Y$ are from the targets $Y$. Every loss here is a **mean over the $N$ samples**, so it
# does not grow with the batch size.
#
# A word on the letter $L$, used for two things in the course: a **superscript** $(L)$, as in $Z^{(L)}$,
# $A^{(L)}$ or $\delta^{(L)}$, means the output layer, the last one, whatever its number (in the
# `[2, 4, 4, 3]` network above, $Z^{(L)}$ is $Z^{(3)}$); a **plain** $L$ is always the loss. In code
# the number of layers is called `n_layers`, as in the loop above, and the loss `loss`.
#
# | task | output $\hat Y = f_{\text{out}}(Z^{(L)})$ | loss (mean over samples $n$) |
# |---|---|---|
# | regression | identity: $\hat y = z$ | MSE: $\frac{1}{N}\sum_n \tfrac12 \lVert \hat y_n - y_n\rVert^2$ |
# | two classes ($y \in \{0, 1\}$) | sigmoid: $\hat y = \sigma(z)$, the probability of class 1 | binary cross-entropy: $-\frac1N\sum_n \big[y_n \log \hat y_n + (1-y_n)\log(1-\hat y_n)\big]$ |
# | $K$ classes | softmax: $\hat y_k = e^{z_k} / \sum_j e^{z_j}$ | cross-entropy: $-\frac1N \sum_n \log \hat y_{n, y_n}$ |
#
# * The $\tfrac12$ in the MSE is a convention that makes its derivative simply $\hat y - y$.
# * Softmax turns a row of $K$ arbitrary numbers (the *logits*) into $K$ positive probabilities that sum
#   to 1; larger logits get larger probabilities. Adding the same constant to every logit changes
#   nothing, which is why code subtracts the row maximum first: the exponentials then cannot overflow.
# * Cross-entropy only looks at the probability given to the **correct** class: $-\log \hat y_{n,y_n}$ is 0
#   when that probability is 1 and grows without bound as it goes to 0. Confident mistakes are
#   expensive.
#
# Worked numbers for the regression case, with the tiny network and made-up targets:

# %%
Y = np.array([[1.0], [0.0], [-0.5]])            # targets for the 3 samples of X
Y_hat = net.forward(X)
mse_by_hand = np.mean(0.5 * np.sum((Y_hat - Y) ** 2, axis=1))
print("errors y_hat - y :", (Y_hat - Y).ravel())
print(f"MSE by hand      : {mse_by_hand:.6f}")
print(f"net.loss(mse)    : {net.loss(X, Y, loss='mse'):.6f}")

# %% [markdown]
# For two classes, compare a confident right answer with a confident wrong one (the true label is
# 1 in both cases):

# %%
for p in [0.9, 0.5, 0.1, 0.01]:
    print(f"predicted P(class 1) = {p:<5} -> loss -log p = {-np.log(p):.3f}")

# %% [markdown]
# And the $K$-class case with the deeper network from section 4: softmax of its logits $Z^{(3)}$, then
# the cross-entropy for the true labels, by hand and by the package.

# %%
deep.forward(X_sp)
Z3 = deep.trace["Z3"]                          # logits, (6, 3)
E = np.exp(Z3 - Z3.max(axis=1, keepdims=True))  # the stable softmax: subtract each row's max
P = E / E.sum(axis=1, keepdims=True)
p_true = P[np.arange(len(y_sp)), y_sp]         # probability of each sample's true class
print("labels            :", y_sp)
print("p of true class   :", p_true)
print(f"last sample alone : {-np.log(p_true[-1]):.2f}")
print(f"cross-entropy     : {-np.log(p_true).mean():.6f}")
print(f"net.loss          : {deep.loss(X_sp, y_sp, loss='cross_entropy'):.6f}")

# %% [markdown]
# A network that knew nothing and said "one third each" would score $-\log(1/3) \approx 1.10$. This
# untrained network does worse: it is confidently wrong about the last sample, giving its true class
# a probability of 0.036, and that one sample alone costs $-\log 0.036 \approx 3.3$. Training will have
# to fix exactly that kind of mistake first.
#
# **Exercise 4.** Two samples, three classes. Compute the mean softmax cross-entropy `ce` for the
# logits `Z_ex` and the integer labels `y_ex` with NumPy.

# %%
Z_ex = np.array([[2.0, 0.5, -1.0],
                 [0.0, 1.0, 3.0]])
y_ex = np.array([0, 1])

# %%
from bpcourse.exercises.forward_pass import check_cross_entropy

ce = ...   # your answer: the mean cross-entropy of the two rows

ok = check_cross_entropy(ce, Z_ex, y_ex)

# %%
# NBVAL_IGNORE_OUTPUT
# Stuck? The button gives a hint, then a second hint, then the worked solution.
# This cell also sets the reference answer, so the cells below run whatever you wrote.
from bpcourse.exercises.solutions import help_for, reference
ce = reference("cross_entropy", globals())
help_for("cross_entropy")

# %% [markdown]
# ### Widget: logits, softmax and temperature
#
# Set three logits, a target class and a *temperature* $T$: the probabilities are
# $\mathrm{softmax}(z / T)$. With $T = 1$ this is the plain softmax. A large $T$ flattens the
# probabilities towards $1/3$ each; a small $T$ sharpens them towards all mass on the largest logit.
# Watch the loss for the outlined target class: it is small only when the target has the largest
# logit *and* the distribution is sharp, and it explodes when the network is sharp and wrong.

# %%
# NBVAL_IGNORE_OUTPUT
from bpcourse.lessons.forward_pass import softmax_explorer

softmax_explorer()

# %% [markdown]
# ## Summary
#
# * A neuron computes $z = \mathbf{x}\cdot\mathbf{w} + b$ and then $a = f(z)$; a layer does this for all its
#   neurons and all samples at once: $Z^{(l)} = A^{(l-1)}W^{(l)} + b^{(l)}$, $A^{(l)} = f(Z^{(l)})$.
# * Shapes: $W^{(l)}$ is $(n_{l-1}, n_l)$, $b^{(l)}$ is $(n_l,)$, and $Z^{(l)}$, $A^{(l)}$ are $(N, n_l)$ with one row
#   per sample.
# * Without a non-linear $f$, any stack of layers is a single linear layer.
# * The output function and the loss go together: identity + MSE, sigmoid + binary cross-entropy,
#   softmax + cross-entropy; each loss is a mean over the batch.
# * The forward pass stores every $Z^{(l)}$ and $A^{(l)}$ (`net.trace`), because the backward pass needs
#   them. Notebook 02 builds the tool to go backwards: the chain rule.
#
# ## Flashcards
#
# Rate each card honestly from **1** (Not at all) to **5** (Perfectly). The cards you find hard come
# back sooner; your ratings are saved, so the next visit picks up where you left off.

# %%
# NBVAL_IGNORE_OUTPUT
from bpcourse.flashcards import quiz
quiz("forward-pass")
