"""Is a layer's weight scale consistent with an initialization method?

Under the method, a layer's ``k`` weights are independent ``N(0, sigma^2)`` draws, so
``S = sum(w^2) / sigma^2`` follows a chi-square law with ``k`` degrees of freedom. We accept the
layer when ``S`` lies inside the central ``1 - FALSE_FAILURE_RATE`` interval of that law.

``FALSE_FAILURE_RATE`` is the chance that a correct layer is rejected: 1e-9 per layer, so a
grading run that tests a few hundred layers fails a correct submission with probability below
1e-6. The chi-square quantiles use the Wilson-Hilferty cube-root normal approximation, whose error
in the tails is small next to that margin for k >= 3 and still conservative for k = 1 and 2 (the
approximate interval is wider than the exact one there).
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np

FALSE_FAILURE_RATE = 1e-9
_Z = NormalDist().inv_cdf(1.0 - FALSE_FAILURE_RATE / 2.0)  # ~6.1 standard deviations


def chi2_interval(dof: int, z: float = _Z) -> tuple[float, float]:
    """Central interval of chi-square(dof) holding all but ``2 * (1 - Phi(z))`` of the mass."""
    if dof < 1:
        raise ValueError(f"degrees of freedom must be >= 1, got {dof}")
    c = 2.0 / (9.0 * dof)
    lo = dof * max(0.0, 1.0 - c - z * np.sqrt(c)) ** 3
    hi = dof * (1.0 - c + z * np.sqrt(c)) ** 3
    return float(lo), float(hi)


def std_interval(n_weights: int, expected_std: float) -> tuple[float, float]:
    """The range of root-mean-square weight a correct layer of ``n_weights`` draws falls in."""
    lo, hi = chi2_interval(n_weights)
    return expected_std * np.sqrt(lo / n_weights), expected_std * np.sqrt(hi / n_weights)


def rms(weights: np.ndarray) -> float:
    """Root mean square of the weights: their standard deviation about zero."""
    return float(np.sqrt(np.mean(np.square(weights, dtype=np.float64))))


def scale_consistent(weights: np.ndarray, expected_std: float) -> bool:
    """True when ``weights`` look like zero-mean Gaussian draws with std ``expected_std``."""
    if weights.size == 0:
        return True
    lo, hi = std_interval(weights.size, expected_std)
    return lo <= rms(weights) <= hi
