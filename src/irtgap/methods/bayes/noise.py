r"""The score noise of the gap model around a row's mean fraction :math:`\mu_i`, in numpy.

Two forms (``GapModel(noise=...)``), both with a per-benchmark precision :math:`\phi_b`:

- ``"beta"`` (default): :math:`z_i \sim \operatorname{Beta}(\mu_i\phi_b, (1-\mu_i)\phi_b)`,
  mean :math:`\mu_i`, variance :math:`\mu_i(1-\mu_i)/(1+\phi_b)`;
- ``"logit_normal"``: :math:`\operatorname{logit} z_i \sim \mathcal N(\operatorname{logit}
  \mu_i, \phi_b^{-1/2})`, median :math:`\mu_i`: the noise is a shift on the log-odds scale, so
  it shrinks toward 0 and the ceiling faster than the Beta's, and its density needs
  no gamma functions (a cheaper gradient).

A score beyond the resolution limits (:math:`z \le \epsilon` or :math:`z \ge 1 - \epsilon`) is
censored: its likelihood is the probability of lying beyond the limit. The PyMC graph
(:mod:`irtgap.methods.bayes.graph`) states the same likelihood; these are the numpy twins used by
the replicator and the checks (a test holds them equal).
"""

from __future__ import annotations

import numpy as np
from scipy import special

from irtgap.methods.bayes.design import CENSOR

#: The noise forms of :class:`~irtgap.methods.bayes.settings.GapSettings`.
NOISES = ("beta", "logit_normal")
#: Prior of the log precision per noise form (mean, sd): Beta precision median 33 (95%: 4.7 to
#: 235); logit-normal sd :math:`\phi^{-1/2}` median 0.41 logits (95%: 0.09 to 1.8).
LOG_PRECISION_PRIOR = {"beta": (3.5, 1.0), "logit_normal": (1.8, 1.5)}


def _logit(p: np.ndarray) -> np.ndarray:
    return np.asarray(special.logit(p))


def logpdf(z: np.ndarray, mu: np.ndarray, phi: np.ndarray, noise: str = "beta") -> np.ndarray:
    """Log density of uncensored fractions ``z`` (broadcast with ``mu`` and ``phi``)."""
    if noise == "beta":
        a, b = mu * phi, (1 - mu) * phi
        return np.asarray((a - 1) * np.log(z) + (b - 1) * np.log1p(-z) - special.betaln(a, b))
    if noise == "logit_normal":
        r = (_logit(z) - _logit(mu)) * np.sqrt(phi)
        return np.asarray(
            -0.5 * r**2 + 0.5 * np.log(phi) - 0.5 * np.log(2 * np.pi) - np.log(z) - np.log1p(-z)
        )
    raise ValueError(f"noise={noise!r}: use one of {NOISES}")


def cdf(x: np.ndarray | float, mu: np.ndarray, phi: np.ndarray, noise: str = "beta") -> np.ndarray:
    """:math:`P(z \\le x)` under the noise around ``mu``."""
    if noise == "beta":
        return np.asarray(special.betainc(mu * phi, (1 - mu) * phi, x))
    if noise == "logit_normal":
        return np.asarray(special.ndtr((_logit(np.asarray(x, float)) - _logit(mu)) * np.sqrt(phi)))
    raise ValueError(f"noise={noise!r}: use one of {NOISES}")


#: Terms of the power series of the censored Beta probability (as the PyMC graph's).
SERIES_TERMS = 40


def _log_betainc_small(p: np.ndarray, q: np.ndarray, x: float = CENSOR) -> np.ndarray:
    r""":math:`\log I_x(p, q)` at small ``x`` by the power series the PyMC graph uses
    (:func:`irtgap.methods.bayes.graph.censored_beta_logp`), in log space: finite where scipy's
    ``betainc`` underflows to 0."""
    p, q = np.asarray(p, float), np.asarray(q, float)
    j = np.arange(SERIES_TERMS, dtype=float)
    log_ratio = np.log(p[..., None] + q[..., None] + j) - np.log(p[..., None] + 1 + j) + np.log(x)
    zero = np.zeros((*p.shape, 1))
    log_total = special.logsumexp(np.concatenate([zero, np.cumsum(log_ratio, -1)], -1), axis=-1)
    return np.asarray(
        p * np.log(x) + q * np.log1p(-x) - np.log(p) - special.betaln(p, q) + log_total
    )


def censored_logp(
    mu: np.ndarray, phi: np.ndarray, low: np.ndarray, noise: str = "beta"
) -> np.ndarray:
    """Log probability of lying beyond the resolution limit: below :data:`CENSOR` where ``low``,
    above ``1 - CENSOR`` elsewhere."""
    if noise == "beta":
        # P(z >= 1 - eps) = I_eps(b, a): the small tail directly, not 1 - I_{1-eps}(a, b)
        a, b = mu * phi, (1 - mu) * phi
        return _log_betainc_small(np.where(low, a, b), np.where(low, b, a))
    if noise == "logit_normal":
        m, e = _logit(mu), float(special.logit(CENSOR))
        return np.asarray(special.log_ndtr(np.where(low, e - m, m + e) * np.sqrt(phi)))
    raise ValueError(f"noise={noise!r}: use one of {NOISES}")


def sample(
    rng: np.random.Generator, mu: np.ndarray, phi: np.ndarray, noise: str = "beta"
) -> np.ndarray:
    """Fractions drawn around ``mu`` (not censored: callers map the tails to 0 and 1)."""
    if noise == "beta":
        return np.asarray(rng.beta(mu * phi, (1 - mu) * phi))
    if noise == "logit_normal":
        return np.asarray(
            special.expit(_logit(mu) + rng.standard_normal(np.shape(mu)) / np.sqrt(phi))
        )
    raise ValueError(f"noise={noise!r}: use one of {NOISES}")
