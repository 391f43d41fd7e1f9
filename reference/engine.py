"""The gradient-descent engine behind ``train`` and ``train_many``: K starts in one computation.

Every start of a run shares the layer sizes, so their arrays stack along a leading axis and
each step is the same ~25 numpy calls whatever K is: one batched product per layer (the same
BLAS call on each start's slice that a lone run makes), and one elementwise call per stage
over all starts. A lone start (K = 1) runs on 2-D views with ``ndarray.dot``, which costs less
per call than ``np.matmul``.

The arithmetic is the course's, operation for operation, so each start gets the numbers it
gets trained alone with ``reference.network`` (``reference.exactness`` checks it at run time):

* A start's parameters are one row of ``theta``; layer ``l`` is the block ``[W_l | b_l]`` of
  shape ``(n_l, n_{l-1} + 1)``. With ``fold``, each hidden layer's input carries a row of ones
  under it, so ``[W_l | b_l] @ [A; 1]`` is ``W_l @ A + b_l`` in one product: where the BLAS
  kernel sums the inner dimension in order, the bias, added last, is rounded exactly as
  ``np.dot(W, A) + b`` rounds it. Likewise ``dZ_l @ [A; 1]^T`` yields ``dW_l`` beside a column
  that the exact ``np.sum`` row sums then overwrite with ``db_l``. Whether a kernel does so
  depends on the shapes (not on the data), hence the check; without ``fold`` the bias is added
  and ``dW_l`` written as the course does.
* The output layer is stored negated, so the forward pass yields ``-Z_L`` and the sigmoid
  ``1 / (1 + exp(-Z_L))`` needs no separate negation: negating every term of a sum negates
  the rounded sum exactly. Its gradient is negated alike.
* ReLU is ``np.maximum(0, Z)`` with zero first, as the course writes it: numpy's maximum
  returns its second argument when both are zeros, so the order decides the sign of a zero.
* The update is two calls over every parameter of every start: ``grad *= lr; theta -= grad``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from itertools import pairwise

import numpy as np

from reference.initializers import Params
from reference.network import n_layers

Op = Callable[[], object]


def layer_dims_of(params: Params) -> tuple[int, ...]:
    """``(n_0, n_1, ..., n_L)`` from the weight shapes."""
    L = n_layers(params)
    return (params["W1"].shape[1], *(params[f"W{layer}"].shape[0] for layer in range(1, L + 1)))


class Engine:
    """Preallocated state of K training runs; ``forward`` and ``backward`` make one step.

    ``fold`` makes each hidden layer's product carry its bias (see the module docstring).
    After ``forward``, ``neg_ZL[k]`` holds ``-Z_L`` of start ``k``.
    """

    def __init__(
        self,
        X: np.ndarray,
        Y: np.ndarray,
        starts: Sequence[Params],
        learning_rate: float,
        *,
        relu: bool = True,
        fold: bool = True,
    ) -> None:
        self.dims = layer_dims_of(starts[0])
        self.K, self.m, self.relu, self.fold = len(starts), X.shape[1], relu, fold
        self._parameters(starts)
        self._activations(X)
        self.Y = np.ascontiguousarray(Y, dtype=np.float64)
        self.lr = np.array(learning_rate, dtype=np.float64)
        self.forward_ops = self._forward_ops()
        self.gradient_ops = self._gradient_ops()
        self.update_ops = [
            self._op(np.multiply, self.grad, self.lr, self.grad),
            self._op(np.subtract, self.theta, self.grad, self.theta),
        ]
        self.backward_ops = self.gradient_ops + self.update_ops

    def _parameters(self, starts: Sequence[Params]) -> None:
        """``theta`` (one row per start), ``grad`` and their per-layer ``[W | b]`` views."""
        dims, K = self.dims, self.K
        shapes = [(dims[layer], dims[layer - 1] + 1) for layer in range(1, len(dims))]
        size = sum(rows * cols for rows, cols in shapes)
        self.theta, self.grad = np.empty((K, size)), np.empty((K, size))
        self.Wb, self.Gb, start = [], [], 0
        for rows, cols in shapes:
            self.Wb.append(self.theta[:, start : start + rows * cols].reshape(K, rows, cols))
            self.Gb.append(self.grad[:, start : start + rows * cols].reshape(K, rows, cols))
            start += rows * cols
        for k, params in enumerate(starts):
            for layer, block in enumerate(self.Wb, start=1):
                block[k, :, :-1] = params[f"W{layer}"]
                block[k, :, -1] = params[f"b{layer}"][:, 0]
        np.negative(self.Wb[-1], out=self.Wb[-1])

    def _activations(self, X: np.ndarray) -> None:
        """Each layer's input ``[A; 1]``, each hidden layer's mask and ``dZ``, and the output
        layer's arrays.

        A hidden layer's arrays are contiguous ``(K, n + 1, m)`` blocks, one row more than it
        has units: the ones row under ``A`` and a spare row under ``dZ`` (zero, or a product
        nobody reads). Elementwise calls then run over whole blocks, which numpy does in one
        flat loop; the ReLU keeps the ones row at 1 and the mask leaves the spare row alone.
        """
        dims, K, m = self.dims, self.K, self.m
        X_aug = np.ones((dims[0] + 1, m))
        X_aug[:-1] = X
        rows = [n + 1 for n in dims[1:-1]]
        self.hidden, inputs = self._blocks(rows, 1.0)
        self.mask, self.masks = self._blocks(rows, 0.0)
        _, self.dZ_aug = self._blocks(rows, 0.0)
        self.inputs: list[np.ndarray] = [X_aug, *inputs]  # inputs[l - 1]: layer l's [A; 1]
        self.dZ = [block[:, :-1] for block in self.dZ_aug] + [np.empty((K, dims[-1], m))]
        self.zeros = np.zeros(max(block.size for block in self.inputs))
        self.neg_ZL, self.AL = np.empty((K, dims[-1], m)), np.empty((K, dims[-1], m))

    def _blocks(self, rows: Sequence[int], fill: float) -> tuple[np.ndarray, list[np.ndarray]]:
        """Contiguous ``(K, r, m)`` blocks filled with ``fill``, and what holds them all: one
        buffer of consecutive blocks for a lone start (so one call covers every layer), else
        a stack of the blocks' sizes (so each block, not its slice of a stack, is contiguous)."""
        K, m = self.K, self.m
        if K == 1:
            buffer = np.full((sum(rows), m), fill)
            starts = np.cumsum([0, *rows])
            return buffer, [buffer[None, a:b] for a, b in pairwise(starts)]
        blocks = [np.full((K, r, m), fill) for r in rows]
        return np.empty(0), blocks

    def _lone(self, array: np.ndarray) -> np.ndarray:
        """``array`` as the kernels see it: its 2-D slice when there is one start."""
        return array[0] if self.K == 1 and array.ndim == 3 else array

    def _op(self, func: Callable[..., object], *args: object) -> Op:
        """``func(*args)`` as a call without arguments, on 2-D slices for one start.

        Outputs go by position: a keyword costs a dict merge on every call of a ``partial``.
        """
        return partial(func, *(self._lone(a) if isinstance(a, np.ndarray) else a for a in args))

    def _relu(self, zeros: np.ndarray, A: np.ndarray) -> Op:
        """``A = np.maximum(0, A)`` in place (numpy takes maximum's output by keyword only)."""
        maximum, zeros, A = np.maximum, self._lone(zeros), self._lone(A)

        def relu() -> None:
            maximum(zeros, A, out=A)

        return relu

    def _product(self, a: np.ndarray, b: np.ndarray, out: np.ndarray) -> Op:
        """``out[k] = a[k] @ b[k]`` for every start, as one call."""
        a, b, out = self._lone(a), self._lone(b), self._lone(out)
        if out.ndim == 2:
            return partial(a.dot, b, out)
        return partial(np.matmul, a, b, out)

    def _forward_ops(self) -> list[Op]:
        ops: list[Op] = []
        for layer in range(1, len(self.dims) - 1):
            Wb, A_prev, A_aug = self.Wb[layer - 1], self.inputs[layer - 1], self.inputs[layer]
            A = A_aug[:, :-1]
            if self.fold:
                ops.append(self._product(Wb, A_prev, A))
            else:
                ops.append(self._product(Wb[:, :, :-1], A_prev[..., :-1, :], A))
                ops.append(self._op(np.add, A, Wb[:, :, -1:], A))
            if self.relu:  # max(0, 1) = 1: the ones row may go through
                ops.append(self._relu(self.zeros[: A_aug.size].reshape(A_aug.shape), A_aug))
            else:
                ops.append(self._op(np.tanh, A, A))
        Wb_L, neg_ZL = self.Wb[-1], self.neg_ZL
        ops.append(self._product(Wb_L[:, :, :-1], self.inputs[-1][..., :-1, :], neg_ZL))
        b_L = Wb_L[:, :, -1:]
        if b_L.size == 1:  # one start, one output unit: a 0-d view adds faster than a (1, 1)
            b_L = b_L.reshape(())
        ops.append(self._op(np.add, neg_ZL, b_L, neg_ZL))
        return ops

    def _output_ops(self) -> list[Op]:
        """``A_L`` and the negated ``dZ_L = (A_L - Y) / m``, as the course rounds them."""
        one, inv_m = np.array(1.0), np.array(1.0 / self.m)
        AL, dZ_L = self.AL, self.dZ[-1]
        return [
            self._op(np.exp, self.neg_ZL, AL),
            self._op(np.add, AL, one, AL),
            self._op(np.divide, one, AL, AL),
            self._op(np.subtract, self.Y, AL, dZ_L),
            self._op(np.multiply, dZ_L, inv_m, dZ_L),
        ]

    def _mask_ops(self) -> list[Op]:
        """The derivative of each hidden layer's output, ``A > 0`` or ``1 - A**2``."""
        ops: list[Op] = []
        pairs = list(zip(self.inputs[1:], self.masks, strict=True))
        if self.K == 1 and pairs:  # the blocks follow each other in one buffer
            pairs = [(self.hidden, self.mask)]
        for A_aug, mask in pairs:
            if self.relu:
                ops.append(self._op(np.greater, A_aug, 0.0, mask))
            else:
                ops.append(self._op(np.multiply, A_aug, A_aug, mask))
                ops.append(self._op(np.subtract, 1.0, mask, mask))
        return ops

    def _weight_gradient_ops(self, layer: int) -> list[Op]:
        """``dW_l = dZ_l @ A_{l-1}^T`` into the gradient's ``[dW | db]`` block."""
        dZ, A_aug, Gb = self.dZ[layer - 1], self.inputs[layer - 1], self.Gb[layer - 1]
        A_aug_T = A_aug.T if A_aug.ndim == 2 else A_aug.transpose(0, 2, 1)
        if Gb.shape[1] == 1:  # one row: its dW part is contiguous, so the product writes it
            return [self._product(dZ, A_aug_T[..., :-1], Gb[:, :, :-1])]
        if self.fold and layer < len(self.dims) - 1:
            return [self._product(dZ, A_aug_T, Gb)]  # the db column is overwritten below
        scratch = np.empty(Gb[:, :, :-1].shape)
        return [
            self._product(dZ, A_aug_T[..., :-1], scratch),
            self._op(np.copyto, Gb[:, :, :-1], scratch),
        ]

    def _input_gradient_ops(self, layer: int) -> list[Op]:
        """``dZ_{l-1} = (W_l^T @ dZ_l) * mask_{l-1}``, into the whole block below layer l."""
        Wb, dZ, below = self.Wb[layer - 1], self.dZ[layer - 1], self.dZ_aug[layer - 2]
        if self.K > 1 and dZ.shape[1] == 1:
            # An outer product: np.matmul would loop in C without BLAS. np.dot gives
            # 0 + w * dz, so a zero product is +0; the ``+ 0.0`` reproduces that sign.
            # [W | b]^T fills the spare row too, with a product nobody reads.
            ops = [
                self._op(np.multiply, Wb.transpose(0, 2, 1), dZ, below),
                self._op(np.add, below, 0.0, below),
            ]
        else:
            ops = [self._product(Wb[:, :, :-1].transpose(0, 2, 1), dZ, below[:, :-1])]
        return [*ops, self._op(np.multiply, below, self.masks[layer - 2], below)]

    def _gradient_ops(self) -> list[Op]:
        ops = self._output_ops() + self._mask_ops()
        for layer in range(len(self.dims) - 1, 0, -1):
            ops += self._weight_gradient_ops(layer)
            if layer > 1:
                ops += self._input_gradient_ops(layer)
            db = self._lone(self.Gb[layer - 1])[..., -1]
            ops.append(self._op(np.add.reduce, self.dZ[layer - 1], -1, None, db))
        return ops

    def forward(self) -> None:
        for op in self.forward_ops:
            op()

    def steps(self, count: int) -> None:
        """``count`` whole steps, forward and backward."""
        ops = self.forward_ops + self.backward_ops
        for _ in range(count):
            for op in ops:
                op()

    def backward(self) -> None:
        """The output, the backward pass and the update, from what ``forward`` left."""
        for op in self.backward_ops:
            op()

    def params(self) -> list[Params]:
        """Each start's parameters as a fresh dict, the output layer's sign restored."""
        return [self._unpack(self.Wb, k, "") for k in range(self.K)]

    def gradients(self, k: int) -> dict[str, np.ndarray]:
        """Start ``k``'s ``{"dW1", "db1", ...}`` as the last gradient pass left them."""
        return self._unpack(self.Gb, k, "d")

    def outputs(self, k: int) -> list[np.ndarray]:
        """Start ``k``'s hidden outputs ``A_1 .. A_{L-1}`` and ``Z_L`` after ``forward``."""
        return [block[k, :-1] for block in self.inputs[1:]] + [-self.neg_ZL[k]]

    def _unpack(self, blocks: list[np.ndarray], k: int, prefix: str) -> dict[str, np.ndarray]:
        result: dict[str, np.ndarray] = {}
        for layer, block in enumerate(blocks, start=1):
            sign = -1.0 if layer == len(blocks) else 1.0
            result[f"{prefix}W{layer}"] = sign * block[k, :, :-1]
            result[f"{prefix}b{layer}"] = sign * block[k, :, -1:]
        return result
