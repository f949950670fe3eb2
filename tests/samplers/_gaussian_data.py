"""The 3-d Gaussian data and perturbations shared by the exact-sampler-law tests.

DATA = N(MU, SIGMA) with SIGMA = A A^T / D + 0.2 I (A standard normal, seed 0), its eigendecomposition
(LAM, U); FULL_COV = C C^T / D + 0.3 I (seed 1), a start covariance not diagonal in U; E_MAT (seed 2), a
general (non-symmetric) affine score error.
"""

from __future__ import annotations

import numpy as np

from sgmverify.laws import Gaussian

D = 3
MU = np.array([1.0, -0.5, 2.0])
_a = np.random.default_rng(0).standard_normal((D, D))
SIGMA = _a @ _a.T / D + 0.2 * np.eye(D)
DATA = Gaussian(MU, SIGMA)
LAM, U = DATA.eigh()
_c = np.random.default_rng(1).standard_normal((D, D))
FULL_COV = _c @ _c.T / D + 0.3 * np.eye(D)  # a start covariance not diagonal in U
E_MAT = 0.2 * np.random.default_rng(2).standard_normal((D, D))  # a general (non-symmetric) score error
