r"""Products of independent blocks :math:`p(x) = \prod_j p_j(x_{(j)})` and their noised laws.

The forward noise is isotropic, so a product stays a product of the noised blocks.  Shape conventions and
the law contract: :mod:`sgmverify.laws._base`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from sgmverify.errors import InvalidParameterError, InvalidTypeError

from ._base import Distribution, check_sample_args
from ._scores import Derivatives

__all__ = ["Product"]


class Product(Distribution):
    r"""Independent blocks :math:`p(x) = \prod_j p_j(x_{(j)})`, coordinates concatenated in order.

    .. math::

        \log p = \sum_j \log p_j, \qquad \nabla \log p = (\nabla \log p_1, \dots), \qquad
        \nabla^2 \log p, \; \nabla^3 \log p \text{ block-diagonal}.

    The forward noise is isotropic, so the noised law is the product of the noised blocks.

    Parameters
    ----------
    components : sequence of distributions (e.g. several :class:`Density1D`); ``dim`` is the sum.
    """

    def __init__(self, components: Sequence[Distribution]):
        if isinstance(components, Distribution | str | bytes | dict) or not isinstance(components, Iterable):
            raise InvalidTypeError(
                f"components must be a list of sgmverify distributions, got {type(components).__name__}; "
                "pass e.g. Product([law_1, law_2])"
            )
        comps = list(components)
        if not comps:
            raise InvalidParameterError("Product needs at least one component")
        for i, c in enumerate(comps):
            if not isinstance(c, Distribution):
                raise InvalidTypeError(
                    f"component {i} is a {type(c).__name__}, not an sgmverify distribution; wrap it in one"
                )
        self.components = comps
        self.dim = sum(c.dim for c in comps)
        self._slices = []
        start = 0
        for c in comps:
            self._slices.append(slice(start, start + c.dim))
            start += c.dim

    def __repr__(self) -> str:
        return f"Product({', '.join(repr(c) for c in self.components)})"

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` draws, shape (n, dim): each block drawn in turn from the same generator."""
        n = check_sample_args(n, rng, self.dim)
        return np.concatenate([c.sample(n, rng) for c in self.components], axis=1)

    def _derivs(self, x: np.ndarray, order: int) -> Derivatives:
        n, d = x.shape
        out = [np.zeros(n), np.zeros((n, d)), np.zeros((n, d, d)), np.zeros((n, d, d, d))][: order + 1]
        for comp, sl in zip(self.components, self._slices):
            parts = comp._derivs(x[:, sl], order)
            out[0] += parts[0]
            if order >= 1:
                out[1][:, sl] = parts[1]
            if order >= 2:
                out[2][:, sl, sl] = parts[2]
            if order >= 3:
                out[3][:, sl, sl, sl] = parts[3]
        return Derivatives(*out)

    def _dk(self, x: np.ndarray, k: int) -> np.ndarray:
        """Sum of the blocks' log-densities (k = 0); block-diagonal tensors (k >= 1)."""
        n, d = x.shape
        out = np.zeros((n,) + (d,) * k)
        for comp, sl in zip(self.components, self._slices):
            part = comp._dk(x[:, sl], k)
            if k == 0:
                out += part
            else:
                out[(slice(None),) + (sl,) * k] = part
        return out

    def noised(self, process, t: float) -> Product:
        """Product of the noised components."""
        return Product([c.noised(process, t) for c in self.components])
