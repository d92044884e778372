r"""ECI-style fit: Epoch AI's Capabilities Index method, with bootstrap intervals and a gap.

Model (as Epoch publishes it): for model :math:`m` and benchmark :math:`b`,

.. math::

    \hat y_{mb} = \operatorname{logistic}(\alpha_b (C_m - D_b)),\qquad
    y_{mb} = \operatorname{clip}\Big(\frac{s_{mb} - c_b}{\text{ceil}_b - c_b},
        10^{-3}, 1 - 10^{-3}\Big)

fitted by nonlinear least squares (Epoch's code uses ``scipy.optimize.least_squares``; we minimise
the same objective with a bounded Levenberg-Marquardt, see :meth:`_Problem.solve`) on
the residuals :math:`\hat y - y` plus one ridge residual
:math:`\sqrt{\lambda \sum \theta^2 / n_\theta}` (:math:`\lambda = 0.1`, :math:`\theta` all free
parameters), with bounds :math:`C, D \in [-10, 10]`, :math:`\alpha \in [0.1, 10]`.
Identification: the anchor benchmark (Winogrande) has :math:`D = 0, \alpha = 1`; the published
scale maps :math:`C` affinely so that two anchor models sit at 130 (Claude 3.5 Sonnet) and 150
(GPT-5). Filters: fraction-scale benchmarks only, models dated before 2023-01-01 dropped, variants
of a model group merged by the maximum score per (group, benchmark), models with fewer than four
benchmarks dropped (repeated until stable).

Uncertainty: ``n_bootstrap`` refits on data that resample each model's benchmark rows with
replacement, warm-started at the point fit, each draw re-anchored (the anchor models have no
interval). Each refit's warnings are collected in its worker and re-emitted once in the caller,
counted ("k of n bootstrap refits stopped before converging"); a refit that raises is left out
and counted in ``dropped["failed_refits"]`` (see :func:`irtgap.methods.capability.run_refits`). With
``n_bootstrap=0`` the draws hold the point fit once and every interval is NaN.

The Jacobian is analytic and sparse and the normal equations are assembled directly, so a fit
costs a small fraction of the reference approach (``timing/bench_eci.py`` measures both; the
figures are in ``docs/model.md``). Refits run through
joblib: ``joblib.parallel_config(backend="dask")`` (or ``"ray"``) sends them to a cluster
without code changes (a process-based backend: a thread backend would mix the refits'
recorded warnings).

Gap: :meth:`EciResult.gap`, the frontier time shift per draw, from the first date both sides have
a model to the last model's date (NaN with a warning outside). Epoch's significance rule is a
result of its own, read from the fit: :func:`irtgap.methods.epoch_rule.epoch_rule`.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.linalg import cho_factor, cho_solve
from scipy.optimize import least_squares

from irtgap.core import dims as D
from irtgap.core.errors import ConvergenceWarning, ScoreDataError
from irtgap.core.gaps import warn_user
from irtgap.core.parallel import Progress, check_backend
from irtgap.core.validate import (
    check_bool,
    check_count,
    check_date,
    check_level,
    check_n_jobs,
    check_names,
    check_number,
    check_seed,
)
from irtgap.data.elicitation import ElicitationLike, elicited, rule_used
from irtgap.data.scoredata import ScoreData
from irtgap.methods.capability import (
    CapabilityResult,
    capability_table,
    model_draws,
    run_refits,
)
from irtgap.results import CI_PROB, MethodSettings, SavedState

BOUND_C = 10.0
ALPHA_BOUNDS = (0.1, 10.0)


@dataclass(frozen=True)
class _Problem:
    """The ECI least-squares problem on integer-coded rows (built by :func:`build_problem`).

    The parameter vector ``x`` is ``[C (n_models), D (n_bench - 1), alpha (n_bench - 1)]``: the
    anchor benchmark's difficulty (0) and slope (1) are fixed and not in ``x``.
    """

    m: np.ndarray  # row -> model
    b: np.ndarray  # row -> benchmark
    y: np.ndarray
    n_models: int
    n_bench: int
    anchor: int
    lam: float

    @property
    def free_b(self) -> np.ndarray:
        """Benchmark positions whose difficulty and slope are free (all but the anchor)."""
        return np.array([k for k in range(self.n_bench) if k != self.anchor], dtype=int)

    @property
    def n_params(self) -> int:
        """Length of the parameter vector ``x``."""
        return self.n_models + 2 * (self.n_bench - 1)

    def unpack(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Capabilities ``C`` per model, difficulties ``D`` and slopes ``alpha`` per benchmark."""
        nm, nf = self.n_models, self.n_bench - 1
        c = x[:nm]
        d = np.zeros(self.n_bench)
        a = np.ones(self.n_bench)
        d[self.free_b] = x[nm : nm + nf]
        a[self.free_b] = x[nm + nf :]
        return c, d, a

    def residuals(self, x: np.ndarray) -> np.ndarray:
        """Predicted minus observed score per row, then the ridge residual."""
        c, d, a = self.unpack(x)
        pred = 1 / (1 + np.exp(-a[self.b] * (c[self.m] - d[self.b])))
        ridge = np.sqrt(self.lam * np.sum(x**2) / x.size)
        return np.append(pred - self.y, ridge)

    def _jac_entries(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Columns and values of the data rows' Jacobian, three per row: (C_m, D_b, alpha_b).

        The anchor benchmark's D and alpha are fixed, so its rows carry zeros there (column 0).
        """
        c, d, a = self.unpack(x)
        z = c[self.m] - d[self.b]
        s = 1 / (1 + np.exp(-a[self.b] * z))
        g = s * (1 - s)
        nm, nf = self.n_models, self.n_bench - 1
        pos = np.full(self.n_bench, -1)
        pos[self.free_b] = np.arange(nf)
        pb = pos[self.b]
        free = pb >= 0
        cols = np.stack([self.m, np.where(free, nm + pb, 0), np.where(free, nm + nf + pb, 0)], 1)
        vals = np.stack(
            [g * a[self.b], np.where(free, -g * a[self.b], 0), np.where(free, g * z, 0)], 1
        )
        return cols, vals

    def jacobian(self, x: np.ndarray) -> sp.csr_matrix:
        """Sparse Jacobian of :meth:`residuals` (data rows, then the ridge row)."""
        cols, vals = self._jac_entries(x)
        n = self.y.size
        ridge = np.sqrt(self.lam * np.sum(x**2) / x.size)
        dr = self.lam * x / (x.size * ridge) if ridge > 0 else np.zeros_like(x)
        rows = np.concatenate([np.repeat(np.arange(n), 3), np.full(x.size, n)])
        return sp.csr_matrix(
            (
                np.concatenate([vals.ravel(), dr]),
                (rows, np.concatenate([cols.ravel(), np.arange(x.size)])),
            ),
            shape=(n + 1, x.size),
        )

    def normal_equations(self, x: np.ndarray, r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Gradient :math:`J^\\top r` and Gauss-Newton matrix :math:`J^\\top J` of the data rows."""
        cols, vals = self._jac_entries(x)
        p = x.size
        g = np.bincount(cols.ravel(), weights=(vals * r[:, None]).ravel(), minlength=p)
        flat = (cols[:, :, None] * p + cols[:, None, :]).ravel()
        h = np.bincount(
            flat, weights=(vals[:, :, None] * vals[:, None, :]).ravel(), minlength=p * p
        )
        return g, h.reshape(p, p)

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Lower and upper bounds of ``x``: ``C, D`` in [-10, 10], ``alpha`` in [0.1, 10]."""
        nm, nf = self.n_models, self.n_bench - 1
        lo = np.concatenate([np.full(nm + nf, -BOUND_C), np.full(nf, ALPHA_BOUNDS[0])])
        hi = np.concatenate([np.full(nm + nf, BOUND_C), np.full(nf, ALPHA_BOUNDS[1])])
        return lo, hi

    def x0(self) -> np.ndarray:
        """The cold start: every ``C`` and ``D`` 0, every ``alpha`` 1."""
        nm, nf = self.n_models, self.n_bench - 1
        return np.concatenate([np.zeros(nm + nf), np.ones(nf)])

    def cost(self, x: np.ndarray) -> float:
        """Half the sum of squared residuals (the objective both solvers minimise)."""
        return 0.5 * float(np.sum(self.residuals(x) ** 2))

    def solve(
        self,
        x0: np.ndarray | None = None,
        *,
        method: Literal["newton", "reference"] = "newton",
        tol: float = 1e-10,
        max_iter: int = 200,
    ) -> np.ndarray:
        r"""Minimise the ECI objective.

        ``"newton"`` (default): a bounded Levenberg-Marquardt on the ridge-augmented least
        squares (the ridge residual :math:`\sqrt{\lambda \lVert\theta\rVert^2/n_\theta}`
        squared is the penalty :math:`\lambda \lVert\theta\rVert^2/n_\theta`, so it enters the
        normal equations as :math:`\lambda/n_\theta` on the diagonal); the analytic sparse
        Jacobian gives :math:`J^\top J` directly; bounds are handled by freezing variables that
        sit on a bound with the gradient pushing outwards and projecting steps. Stops when the
        relative decrease of the objective falls below ``tol`` (a :class:`ConvergenceWarning`
        says so when it stops for another reason). ``"reference"``: the approach of
        Epoch's reference code, ``scipy.optimize.least_squares`` (trust-region reflective) with a
        finite-difference Jacobian from a cold start; kept for benchmarking and as a check.
        """
        x = self.x0() if x0 is None else np.asarray(x0, float)
        lo, hi = self.bounds()
        if method == "reference":
            res = least_squares(self.residuals, x, jac="2-point", bounds=(lo, hi), method="trf")
            return np.asarray(res.x)
        if method != "newton":
            raise ValueError(f"method={method!r}: use 'newton' or 'reference'")
        x, why = _bounded_lm(self, np.clip(x, lo, hi), lo, hi, tol=tol, max_iter=max_iter)
        if why:
            warnings.warn(
                f"ECI solver stopped before converging: {why}; the estimates may be off",
                ConvergenceWarning,
                stacklevel=2,
            )
        return x


def _bounded_lm(
    prob: _Problem, x: np.ndarray, lo: np.ndarray, hi: np.ndarray, *, tol: float, max_iter: int
) -> tuple[np.ndarray, str]:
    """Levenberg-Marquardt with Nielsen's damping update and an active set for the bounds.

    Returns the solution and why the iteration stopped early ("" when it converged).
    """
    k = prob.lam / x.size  # ridge weight in the objective 0.5 * (|r|^2 + k |x|^2)
    n = prob.y.size
    mu, nu = 1e-6, 2.0
    r = prob.residuals(x)[:n]
    f = 0.5 * (r @ r + k * x @ x)
    for _ in range(max_iter):
        g, h = prob.normal_equations(x, r)
        g += k * x
        h[np.diag_indices_from(h)] += k
        free = ~(((x <= lo) & (g > 0)) | ((x >= hi) & (g < 0)))
        if np.max(np.abs(g[free]), initial=0.0) < 1e-12:
            break
        hf, gf = h[np.ix_(free, free)], g[free]
        dh = np.maximum(np.diag(hf), 1e-9 * max(np.max(np.diag(hf), initial=0.0), 1e-300))
        while True:
            try:
                step = cho_solve(cho_factor(hf + mu * np.diag(dh)), -gf)
            except np.linalg.LinAlgError:  # singular without a ridge: damp harder
                mu, nu = max(mu, 1e-12) * nu, nu * 2
                if mu > 1e10:
                    return x, "the damped normal matrix stayed singular"
                continue
            x_new = x.copy()
            x_new[free] += step
            np.clip(x_new, lo, hi, out=x_new)
            r_new = prob.residuals(x_new)[:n]
            f_new = 0.5 * (r_new @ r_new + k * x_new @ x_new)
            predicted = -(gf @ step + 0.5 * step @ hf @ step)
            rho = (f - f_new) / predicted if predicted > 0 else -1.0
            if rho > 0:
                mu *= max(1 / 3, 1 - (2 * rho - 1) ** 3)
                nu = 2.0
                break
            mu *= nu
            nu *= 2
            if mu > 1e10:
                return x, "no step decreased the objective (damping above 1e10)"
        done = f - f_new <= tol * max(f, 1e-300)
        x, r, f = x_new, r_new, f_new
        if done:
            break
    else:
        return x, f"the objective still fell by more than tol after max_iter={max_iter} steps"
    return x, ""


BenchmarkSet = Literal["eci", "all"] | Sequence[str]


def select_benchmarks(data: ScoreData, benchmarks: BenchmarkSet) -> tuple[ScoreData, list[str]]:
    """The benchmarks an ECI-style fit uses, and those of the data it leaves out.

    ``"eci"``: every benchmark except those the metadata marks as outside Epoch's index
    (``in_eci`` False, filled from the registry for known names: on a Hub export, BoolQ, GDPval,
    LiveBench, SuperGLUE, the SWE-bench bash-only leaderboard and the non-fraction METR and WebDev
    Arena); benchmarks the registry does not know are kept. ``"all"``: every benchmark. A list:
    those names (unknown names raise, naming them and listing the data's benchmarks).

    Parameters
    ----------
    data : ScoreData
        The scores.
    benchmarks : {"eci", "all"} or sequence of str
        The benchmark set (see above).

    Returns
    -------
    data : ScoreData
        ``data`` on the set's benchmarks (``data`` itself when none is left out).
    left_out : list of str
        The data's benchmarks outside the set, sorted.

    Raises
    ------
    ScoreDataError
        An unknown set or benchmark name, or no benchmark of the data in the set.
    """
    if isinstance(benchmarks, str) and benchmarks not in ("eci", "all"):
        raise ScoreDataError(
            f"benchmarks={benchmarks!r}: use 'eci', 'all' or a list of benchmark names"
        )
    if isinstance(benchmarks, str):
        if benchmarks == "all":
            return data, []
        flag = data.benchmarks.get("in_eci", pd.Series(pd.NA, index=data.benchmarks.index))
        outside = flag.astype("boolean").eq(False).fillna(False).to_numpy(bool)
        names = list(data.benchmarks.index[~outside])
    else:
        names = check_names("benchmarks", benchmarks, data.benchmarks.index, what="benchmark")
    if not names:
        raise ScoreDataError("no benchmark of the data is in Epoch's ECI set; use benchmarks='all'")
    left_out = sorted(set(data.benchmarks.index) - set(names))
    return (data.subset(benchmarks=names) if left_out else data), left_out


def prepare(
    data: ScoreData,
    *,
    anchor_benchmark: str,
    min_benchmarks: int,
    since: str | None,
    merge_variants: bool,
    benchmarks: BenchmarkSet = "all",
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int]]:
    """Rows (model, benchmark, y) and model table after Epoch's filters, with counts dropped.

    Parameters
    ----------
    data : ScoreData
        The scores.
    anchor_benchmark : str
        The benchmark whose difficulty is 0 and slope 1; it must keep scores after the filters.
    min_benchmarks : int
        Models scored on fewer benchmarks are left out (repeated until stable).
    since : str, optional
        Models released before it are left out.
    merge_variants : bool
        Merge reasoning-effort variants into their model group (maximum score per benchmark).
    benchmarks : {"eci", "all"} or sequence of str
        The benchmark set (:func:`select_benchmarks`).

    Returns
    -------
    rows : pandas.DataFrame
        The kept score rows, with ``y``, the score as a fraction of the way from the random
        baseline to the ceiling (clipped to [0.001, 0.999]).
    models : pandas.DataFrame
        The kept models.
    dropped : dict of str to int
        What each filter left out.

    Raises
    ------
    ScoreDataError
        An invalid option, or an anchor benchmark without scores after the filters.
    """
    min_benchmarks = check_count("min_benchmarks", min_benchmarks, minimum=1)
    since_ts = check_date("since", since) if since is not None else None
    check_bool("merge_variants", merge_variants)
    if not isinstance(anchor_benchmark, str) or anchor_benchmark not in data.benchmarks.index:
        raise ScoreDataError(
            f"anchor_benchmark={anchor_benchmark!r} is not a benchmark of the data; pick one "
            f"scored by many models: {', '.join(map(str, data.benchmarks.index[:40]))}"
        )
    data, left_out = select_benchmarks(data, benchmarks)
    d = data.merge_groups() if merge_variants else data
    t = d.scores.assign(y=d.normalized_scores(clip=(1e-3, 1 - 1e-3)).to_numpy())
    dropped: dict[str, int] = {
        "benchmarks_not_in_set": len(left_out),
        "rows_non_fraction": int(t["y"].isna().sum()),
    }
    t = t[t["y"].notna()]
    if since_ts is not None:
        old = t[D.DATE] < since_ts
        dropped["models_before_since"] = int(t.loc[old, D.MODEL].nunique())
        t = t[~old]
    n_few = 0
    while True:
        counts = t.groupby(D.MODEL)[D.BENCHMARK].nunique()
        few = counts.index[counts < min_benchmarks]
        bcount = t.groupby(D.BENCHMARK)[D.MODEL].nunique()
        thin = bcount.index[bcount < 2]
        if not len(few) and not len(thin):
            break
        n_few += len(few)
        t = t[~t[D.MODEL].isin(few) & ~t[D.BENCHMARK].isin(thin)]
    dropped["models_few_benchmarks"] = n_few
    if anchor_benchmark not in set(t[D.BENCHMARK]):
        raise ScoreDataError(
            f"anchor benchmark {anchor_benchmark!r} has no scores after filtering (since="
            f"{since!r}, min_benchmarks={min_benchmarks}, fraction-scale benchmarks only); pass "
            "another anchor_benchmark"
        )
    models = d.models.loc[sorted(t[D.MODEL].unique())]
    return t.reset_index(drop=True), models, dropped


def _problem(t: pd.DataFrame, models: pd.Index, benches: pd.Index, anchor: str, lam: float):
    return _Problem(
        m=models.get_indexer(t[D.MODEL]),
        b=benches.get_indexer(t[D.BENCHMARK]),
        y=t["y"].to_numpy(float),
        n_models=len(models),
        n_bench=len(benches),
        anchor=int(benches.get_loc(anchor)),
        lam=lam,
    )


def build_problem(
    data: ScoreData,
    *,
    anchor_benchmark: str = "Winogrande",
    min_benchmarks: int = 4,
    since: str | None = "2023-01-01",
    merge_variants: bool = True,
    regularization: float = 0.1,
    benchmarks: BenchmarkSet = "eci",
) -> tuple[_Problem, pd.DataFrame, pd.DataFrame, dict[str, int]]:
    """The least-squares problem of :func:`fit_eci`, with its rows, models and drop counts.

    Parameters
    ----------
    data : ScoreData
        The scores.
    anchor_benchmark, min_benchmarks, since, merge_variants, benchmarks
        Epoch's filters and the benchmark set, as in :func:`prepare`.
    regularization : float
        The ridge weight :math:`\\lambda`.

    Returns
    -------
    tuple
        The problem (its ``solve`` and ``unpack`` give the fit), then the rows, the models and
        the drop counts of :func:`prepare`.
    """
    regularization = check_number("regularization", regularization, minimum=0.0)
    t, models, dropped = prepare(
        data,
        anchor_benchmark=anchor_benchmark,
        min_benchmarks=min_benchmarks,
        since=since,
        merge_variants=merge_variants,
        benchmarks=benchmarks,
    )
    bidx = pd.Index(sorted(t[D.BENCHMARK].unique()))
    prob = _problem(t, pd.Index(models.index), bidx, anchor_benchmark, regularization)
    return prob, t, models, dropped


def _refit(
    prob: _Problem,
    x0: np.ndarray,
    groups: list[np.ndarray],
    seed: np.random.SeedSequence,
    max_iter: int = 200,
) -> np.ndarray:
    """One bootstrap refit: each model's rows resampled with replacement, warm-started at x0."""
    rng = np.random.default_rng(seed)
    idx = np.concatenate([rng.choice(rows, size=rows.size) for rows in groups])
    boot = _Problem(
        prob.m[idx], prob.b[idx], prob.y[idx], prob.n_models, prob.n_bench, prob.anchor, prob.lam
    )
    return boot.unpack(boot.solve(x0, max_iter=max_iter))[0]


def _anchor(c: np.ndarray, i1: int, i2: int, v1: float, v2: float) -> np.ndarray:
    scale = (v2 - v1) / (c[..., i2] - c[..., i1])
    return v1 + scale[..., None] * (c - c[..., [i1]])


#: The published scale: Claude 3.5 Sonnet at 130, GPT-5 at 150.
SCALE_ANCHORS = {"Claude 3.5 Sonnet": 130.0, "GPT-5": 150.0}


@dataclass(frozen=True)
class EciSettings(MethodSettings):
    """The settings of an :func:`fit_eci` result (see its parameters).

    ``benchmarks`` is the benchmark set as given (``"eci"``, ``"all"`` or the names),
    ``benchmarks_left_out`` the data's benchmarks outside it and ``unconverged_refits`` the
    bootstrap refits that stopped before converging.
    """

    regularization: float = 0.1
    anchor_benchmark: str = "Winogrande"
    benchmarks: str | tuple[str, ...] = "eci"
    benchmarks_left_out: tuple[str, ...] = ()
    scale_anchors: dict[str, float] = field(default_factory=lambda: dict(SCALE_ANCHORS))
    n_bootstrap: int = 500
    unconverged_refits: int = 0
    ci_prob: float = CI_PROB
    seed: int = 0
    max_iter: int = 200
    elicitation: str = "best"


@dataclass
class EciResult(CapabilityResult):
    """Result of :func:`fit_eci` (see the module docstring).

    :meth:`capabilities` gives each model's ECI (``estimate``) with its bootstrap interval;
    ``benchmarks`` the difficulty (ECI scale) and slope of each benchmark; ``capability_draws``
    the bootstrap ECI ``(chain=1, draw, model)``. The gap is the frontier time shift per draw;
    Epoch's own rule is a result of its own, :func:`irtgap.methods.epoch_rule.epoch_rule`.
    """

    method: ClassVar[str] = "eci"
    capability_unit: ClassVar[str] = "ECI (Claude 3.5 Sonnet = 130, GPT-5 = 150)"
    plot_title: ClassVar[str] = (
        "ECI-style fit: capability over time ({level:.0%} bootstrap intervals)"
    )

    settings: EciSettings = field(default_factory=EciSettings)
    benchmarks: pd.DataFrame = field(default_factory=pd.DataFrame)

    def _extra_state(self) -> SavedState:
        return SavedState(tables={"benchmarks": self.benchmarks})

    @classmethod
    def _settings_class(cls) -> type[MethodSettings]:
        return EciSettings

    @classmethod
    def _extra_fields(cls, state: SavedState) -> dict[str, Any]:
        return {"benchmarks": state.tables["benchmarks"]}


def _check_anchors(scale_anchors: Any) -> tuple[tuple[str, float], tuple[str, float]]:
    """The two scale anchors as ``(model, value)`` pairs; a ScoreDataError naming the option."""
    anchors = scale_anchors or SCALE_ANCHORS
    if not isinstance(anchors, dict) or len(anchors) != 2:
        raise ScoreDataError(
            f"scale_anchors={scale_anchors!r}: give exactly two models and their values, e.g. "
            "{'Claude 3.5 Sonnet': 130, 'GPT-5': 150}"
        )
    (n1, v1), (n2, v2) = anchors.items()
    v1 = check_number(f"scale_anchors[{n1!r}]", v1)
    v2 = check_number(f"scale_anchors[{n2!r}]", v2)
    if v1 == v2:
        raise ScoreDataError(f"scale_anchors={anchors!r}: the two values must differ")
    return (n1, v1), (n2, v2)


def _on_scale(
    c: np.ndarray,
    boot: list[np.ndarray],
    idx: tuple[int, int],
    values: tuple[float, float],
    names: tuple[str, str],
) -> tuple[np.ndarray, np.ndarray, float]:
    """The point fit and the bootstrap draws on the ECI scale, and the scale's slope (NaN for a
    degenerate pair of anchors, with a warning)."""
    (i1, i2), (v1, v2) = idx, values
    degenerate = not abs(c[i2] - c[i1]) > 1e-9
    if degenerate:
        warn_user(
            f"the scale anchors {names[0]!r} and {names[1]!r} have the same fitted capability, "
            "so the ECI scale is undefined and every value is NaN; choose scale_anchors that "
            "differ"
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        eci = _anchor(c, i1, i2, v1, v2)
        cb = _anchor(np.asarray(boot), i1, i2, v1, v2) if boot else eci[None, :]
        scale = float((v2 - v1) / (c[i2] - c[i1]))
    # a draw whose anchors coincide has no scale: NaN, never +-inf
    eci = np.where(np.isfinite(eci) & (not degenerate), eci, np.nan)
    cb = np.where(np.isfinite(cb), cb, np.nan)
    return eci, cb, np.nan if degenerate else scale


def _bootstrap(
    prob: _Problem,
    x: np.ndarray,
    rows: pd.DataFrame,
    plan: tuple[int, int, int],
    **fan: Any,
) -> tuple[list[Any], dict[str, int]]:
    """The bootstrap refits (``plan``: seed, refits, solver iterations) through
    :func:`~irtgap.methods.capability.run_refits` (``fan``: its ``n_jobs``, ``backend``,
    ``progress``)."""
    seed, n_bootstrap, max_iter = plan
    groups = list(rows.groupby(D.MODEL).indices.values())
    seeds = np.random.SeedSequence(seed).spawn(n_bootstrap)
    return run_refits(
        _refit,
        [(prob, x, groups, s, max_iter) for s in seeds],
        what="ECI bootstrap refits",
        **fan,
    )


def fit_eci(
    data: ScoreData,
    *,
    regularization: float = 0.1,
    anchor_benchmark: str = "Winogrande",
    scale_anchors: dict[str, float] | None = None,
    min_benchmarks: int = 4,
    since: str | None = "2023-01-01",
    merge_variants: bool = True,
    benchmarks: BenchmarkSet = "eci",
    n_bootstrap: int = 500,
    ci_prob: float = CI_PROB,
    seed: int = 0,
    n_jobs: int = 1,
    max_iter: int = 200,
    backend: str | None = None,
    progress: Progress | None = None,
    elicitation: ElicitationLike | None = None,
) -> EciResult:
    """Fit Epoch's ECI model to ``data`` with bootstrap intervals (see the module docstring).

    Parameters
    ----------
    data : ScoreData
        The scores.
    regularization : float
        The ridge weight :math:`\\lambda` (0.1).
    anchor_benchmark : str
        The benchmark whose difficulty is 0 and slope 1 (Winogrande).
    scale_anchors : dict, optional
        Two models and their ECI (default: Claude 3.5 Sonnet 130, GPT-5 150).
    min_benchmarks, since, merge_variants
        Epoch's filters: models scored on fewer benchmarks (4) or released before ``since``
        (2023-01-01) are left out; reasoning-effort variants merge into their model group.
    benchmarks : {"eci", "all"} or sequence of str
        The benchmark set (:func:`select_benchmarks`): by default the ones Epoch's index uses,
        so that on a Hub export the fit reproduces Epoch's published ECI (the agreement on the
        bundled export is in ``docs/data.md``); ``"all"`` uses every
        fraction-scale benchmark. The number left out is in ``dropped``, their names in
        ``settings.benchmarks_left_out``.
    n_bootstrap, ci_prob, seed
        Bootstrap refits (500; 0: point fit only, NaN intervals), interval probability (0.9),
        seed. Refit warnings reach the caller counted, failed refits are counted in
        ``dropped["failed_refits"]`` and refits stopped early in
        ``settings.unconverged_refits``.
    n_jobs, backend, progress
        Where the refits run: ``n_jobs`` joblib workers (1), or a cluster with
        ``backend="dask"`` / ``"ray"`` (see :func:`irtgap.core.parallel.map_tasks`);
        ``progress(done, total, message)`` is called as they finish (nothing is printed
        without it).
    max_iter : int
        The solver's iterations per fit (200).
    elicitation : str, mapping or ElicitationRule, optional
        Which harness's score of a pair the method reads (``"best"``, ``"reference"``, a
        harness name, ``{benchmark: harness}``; None: the data as given), as
        :func:`~irtgap.data.elicitation.elicited` says; kept as ``settings.elicitation``.

    Returns
    -------
    EciResult
        The fit.

    Examples
    --------
    The point fit on the bundled data (``n_bootstrap=0``; the default 500 refits take longer).
    The scale puts Claude 3.5 Sonnet at 130 and GPT-5 at 150:

    >>> import irtgap
    >>> data = irtgap.load_dataset()
    >>> eci = irtgap.fit_eci(data, n_bootstrap=0)
    >>> eci.capabilities().columns.tolist()
    ['date', 'weights', 'estimate', 'lower', 'upper', 'n_benchmarks']
    >>> eci.capabilities().loc[["Claude 3.5 Sonnet", "GPT-5"], "estimate"].round(3).tolist()
    [130.0, 150.0]

    Without bootstrap draws the gap has no interval:

    >>> row = eci.gap(["2025-01-20"]).iloc[0]
    >>> row["method"], int(row["n_defined"]), bool(row[["lower", "upper"]].isna().all())
    ('eci', 1, True)
    """
    n_bootstrap = check_count("n_bootstrap", n_bootstrap, minimum=0)
    ci_prob = check_level("ci_prob", ci_prob)
    seed = check_seed("seed", seed)
    max_iter = check_count("max_iter", max_iter, minimum=1)
    n_jobs = check_n_jobs(n_jobs)
    check_backend(backend)
    (n1, v1), (n2, v2) = _check_anchors(scale_anchors)
    data = elicited(data, elicitation, method="fit_eci")
    prob, t, models, dropped = build_problem(
        data,
        anchor_benchmark=anchor_benchmark,
        min_benchmarks=min_benchmarks,
        since=since,
        merge_variants=merge_variants,
        regularization=regularization,
        benchmarks=benchmarks,
    )
    missing = [name for name in (n1, n2) if name not in models.index]
    if missing:
        raise ScoreDataError(
            f"scale anchor model {missing[0]!r} is not among the fitted models (after the "
            f"filters: since={since!r}, at least {min_benchmarks} benchmarks); pass "
            "scale_anchors with two fitted models"
        )
    midx = pd.Index(models.index)
    x = prob.solve(max_iter=max_iter)
    c, d, a = prob.unpack(x)
    i1, i2 = midx.get_loc(n1), midx.get_loc(n2)
    boot, counts = _bootstrap(
        prob, x, t, (seed, n_bootstrap, max_iter), n_jobs=n_jobs, backend=backend, progress=progress
    )
    eci, cb, scale = _on_scale(c, boot, (i1, i2), (v1, v2), (n1, n2))
    dropped["failed_refits"] = counts["failed_refits"]
    n_scores = t.groupby(D.MODEL).size().reindex(models.index).to_numpy()
    caps = capability_table(models, eci, cb, n_scores, ci_prob=ci_prob, n_refits=len(boot))
    bidx = pd.Index(sorted(t[D.BENCHMARK].unique()), name=D.BENCHMARK)
    bench = pd.DataFrame({"difficulty": v1 + scale * (d - c[i1]), "slope": a}, index=bidx)
    settings = EciSettings(
        regularization=regularization,
        anchor_benchmark=anchor_benchmark,
        benchmarks=benchmarks if isinstance(benchmarks, str) else tuple(benchmarks),
        benchmarks_left_out=tuple(select_benchmarks(data, benchmarks)[1]),
        scale_anchors={n1: v1, n2: v2},
        n_bootstrap=n_bootstrap,
        unconverged_refits=counts["unconverged_refits"],
        ci_prob=ci_prob,
        seed=seed,
        max_iter=max_iter,
        elicitation=rule_used(data),
    )
    return EciResult(
        caps,
        model_draws(cb, list(midx), "eci"),
        dropped=dropped,
        settings=settings,
        benchmarks=bench,
        data=data,
    )
