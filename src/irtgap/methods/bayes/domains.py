r"""Where open models are close and where they are far: the open offsets of the gap model.

With ``GapModel(open_offsets=True)`` open models get an offset on each benchmark on top of their
shared capability (:func:`irtgap.methods.bayes.graph.open_offsets`). On benchmark :math:`b` an
open model's effective capability is its capability plus the **open shift**

.. math:: s_b = \gamma\,[a_b = \text{public}] + o_b,\qquad o_b = \delta_{d(b)} + \epsilon_b

(without the offsets :math:`o_b = 0`). A set of benchmarks :math:`B` shows the gap between the
closed frontier and the open frontier raised by the set's mean shift,
:math:`F_{\text{open}}(t) + \bar s_B`, :math:`\bar s_B = |B|^{-1}\sum_{b \in B} s_b`, per posterior
draw. So ``"public"`` and ``"private"`` are the gaps the public and the private benchmarks show,
a domain's gap is the gap its modelled benchmarks show, and a benchmark's gap is the gap with its
own shift. The ``"capability"`` gap (shift 0) is the shared open frontier's: the centre of the
offsets' distribution, to which the partial pooling shrinks them (the domain parts sum to zero;
the benchmark parts are centred on zero by their prior, which is what separates their mean from
the open frontier's level and from :math:`\gamma`: the usual identification of random effects
beside a fixed one). It is not the average of the domains' gaps, which also carry
:math:`\gamma` on their public benchmarks and their benchmarks' parts.

A domain's gap is measured where open models were scored on its benchmarks: from the first
release date of those models to :data:`DOMAIN_CARRY_MONTHS` months after the last (the offset is
constant in time, so further on it would be carried forward by assumption, not measured; the
carry lets domains whose latest open model came out a few weeks before the data's last date be
read at that date, as every domain's scores lag the newest releases). A domain with fewer than
:data:`MIN_DOMAIN_BENCHMARKS` modelled benchmarks or fewer than :data:`MIN_DOMAIN_MODELS` open
or closed models scored on them gets no number (:func:`domain_coverage` says why):
:func:`domain_blank` and :func:`mask_domains` blank those cells of a fit's gap by domain, with a
warning naming them. :func:`benchmark_gaps` gives the gap each benchmark shows.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import xarray as xr

from irtgap.core import dims as D
from irtgap.core.gaps import backward_gap_at, to_days, warn_user
from irtgap.methods.bayes.design import Design
from irtgap.methods.bayes.summaries import stack_samples

#: A domain's offset is carried at most this many months past the last open model scored on it.
DOMAIN_CARRY_MONTHS = 6
#: A domain's gap needs at least this many modelled benchmarks (one benchmark's offset is that
#: benchmark's quirk, not its domain's).
MIN_DOMAIN_BENCHMARKS = 2
#: ... and at least this many open and this many closed models scored on them.
MIN_DOMAIN_MODELS = 5


def domain_coverage(design: Design) -> pd.DataFrame:
    """Per domain of the modelled benchmarks: what the data hold, and whether that is enough.

    Columns: ``n_benchmarks``, ``n_open``, ``n_closed`` (models scored on the domain's
    benchmarks; a hosted copy counts as the version it serves), ``first`` and ``last``
    (release dates of those open models), ``until`` (``last`` plus
    :data:`DOMAIN_CARRY_MONTHS` months: the domain's gap is measured from ``first`` to
    ``until``), ``enough`` and ``reason`` (why not, else empty).
    """
    rows = design.rows
    dom = design.benchmark_domain.reindex(rows[D.BENCHMARK]).to_numpy()
    is_open = design.open_rows
    unit = base_versions(design)
    out = []
    for d in design.domains:
        here = dom == d
        n_b = int((design.benchmark_domain == d).sum())
        n_open = int(unit[here & is_open].nunique())
        n_closed = int(unit[here & ~is_open].nunique())
        dates = rows.loc[here & is_open, D.DATE]
        why = []
        if n_b < MIN_DOMAIN_BENCHMARKS:
            why.append(f"{n_b} modelled benchmark(s), fewer than {MIN_DOMAIN_BENCHMARKS}")
        for side, n in (("open", n_open), ("closed", n_closed)):
            if n < MIN_DOMAIN_MODELS:
                why.append(f"{n} {side} model(s) scored, fewer than {MIN_DOMAIN_MODELS}")
        out.append(
            {
                D.DOMAIN: d,
                "n_benchmarks": n_b,
                "n_open": n_open,
                "n_closed": n_closed,
                "first": pd.Timestamp(dates.min()) if len(dates) else pd.NaT,
                "last": pd.Timestamp(dates.max()) if len(dates) else pd.NaT,
                "until": (
                    pd.Timestamp(dates.max()) + pd.DateOffset(months=DOMAIN_CARRY_MONTHS)
                    if len(dates)
                    else pd.NaT
                ),
                "enough": not why,
                "reason": "; ".join(why),
            }
        )
    return pd.DataFrame(out).set_index(D.DOMAIN)


def base_versions(design: Design) -> pd.Series:
    """Per modelled row: its capability unit (a hosted copy counts as the first-party version
    it serves), so that models are counted once however many hosts serve them."""
    base = design.models["base"]
    return pd.Series(base.reindex(design.rows[D.MODEL]).to_numpy(), index=design.rows.index)


def benchmark_shifts(posterior: xr.Dataset, design: Design) -> np.ndarray:
    r"""Per draw and benchmark, the open shift :math:`s_b` (see the module docstring).

    Parameters
    ----------
    posterior : xarray.Dataset
        The fit's posterior (``public_advantage`` and, with open offsets, ``open_offset``).
    design : Design
        The fit's design.

    Returns
    -------
    numpy.ndarray
        Shape ``(chain, draw, benchmark)``, benchmarks in :attr:`Design.benchmarks` order.
    """
    n_chain, n_draw = posterior.sizes[D.CHAIN], posterior.sizes[D.DRAW]
    out = np.zeros((n_chain, n_draw, len(design.benchmarks)))
    if "public_advantage" in posterior:
        gamma = posterior["public_advantage"].transpose(D.CHAIN, D.DRAW).to_numpy()
        out += gamma[..., None] * design.is_public
    if "open_offset" in posterior:
        out += posterior["open_offset"].transpose(D.CHAIN, D.DRAW, D.BENCHMARK).to_numpy()
    return out


def group_shifts(
    posterior: xr.Dataset,
    design: Design,
    *,
    domains: bool = False,
    years: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    r"""Per gap group, the mean open shift of its benchmarks per draw, ``(chain, draw)``.

    ``capability``: 0. ``public`` / ``private``: the mean over the public / private modelled
    benchmarks (``public`` is :math:`\gamma` and ``private`` 0 when there are none of that
    kind, as without offsets). With ``domains``, one group per domain of :attr:`Design.domains`.

    A fit with a trending open advantage (``public_advantage_trend``) needs ``years``, the
    open models' release times (years since :attr:`Design.origin`) at which to read the shift
    (as does one with trending open offsets, ``open_offset_trend``: every group's shift is
    then its benchmarks' mean offset plus their domains' mean trend times
    :math:`t - \bar t`, shape ``(chain, draw, len(years))``):
    the ``public`` group's shift is then :math:`\gamma + \gamma_t (t - \bar t)`, shape
    ``(chain, draw, len(years))`` (the other groups keep no public benchmark, or, without
    offsets, a domain's share of public benchmarks is not defined: the trend and the open
    offsets are not combined, see
    :class:`~irtgap.methods.bayes.settings.GapSettings`).

    Parameters
    ----------
    posterior : xarray.Dataset
        The fit's posterior.
    design : Design
        The fit's design.
    domains : bool
        Add one group per domain.
    years : numpy.ndarray, optional
        Release times of the open models at which to read a trending advantage (needed with
        ``public_advantage_trend``).

    Returns
    -------
    dict of str to numpy.ndarray
        Per group, the shift draws ``(chain, draw)`` (``(chain, draw, len(years))`` for
        ``public`` with a trend).

    Raises
    ------
    ValueError
        A trend without ``years``, or a domain named like a gap group.
    """
    if "open_domain_trend" in posterior:
        if years is None:
            raise ValueError(
                "group_shifts: a fit with open_offset_trend needs years (the dates at which to "
                "read the open offsets)"
            )
        trend = posterior["open_domain_trend"].transpose(D.CHAIN, D.DRAW, D.DOMAIN).to_numpy()
        per_bench = trend[..., design.domain_idx]  # (chain, draw, benchmark), per year
        t = np.asarray(years, float) - design.open_trend_centre
        out = group_shifts(posterior.drop_vars("open_domain_trend"), design, domains=domains)
        masks = {"capability": np.zeros(len(design.benchmarks), bool)}
        masks.update({"public": design.is_public, "private": ~design.is_public})
        masks.update({str(d): design.domain_idx == k for k, d in enumerate(design.domains)})
        for g, base in out.items():
            mask = masks[g]
            slope = per_bench[..., mask].mean(-1) if mask.any() else np.zeros(base.shape[:2])
            out[g] = base[..., None] + slope[..., None] * t
        return out
    if "public_advantage_trend" in posterior:
        if years is None:
            raise ValueError(
                "group_shifts: a fit with public_advantage_trend needs years (the dates at "
                "which to read the open public-benchmark advantage)"
            )
        trend = posterior["public_advantage_trend"].transpose(D.CHAIN, D.DRAW).to_numpy()
        path = trend[..., None] * (np.asarray(years, float) - design.public_trend_centre)
        out = group_shifts(posterior.drop_vars("public_advantage_trend"), design, domains=domains)
        out["public"] = out["public"][..., None] + path
        return out

    shifts = benchmark_shifts(posterior, design)
    zero = np.zeros(shifts.shape[:2])
    public = design.is_public
    if public.any():
        pub = shifts[..., public].mean(-1)
    elif "public_advantage" in posterior:
        pub = posterior["public_advantage"].transpose(D.CHAIN, D.DRAW).to_numpy()
    else:
        pub = zero
    out = {
        "capability": zero,
        "public": pub,
        "private": shifts[..., ~public].mean(-1) if (~public).any() else zero,
    }
    if domains:
        for k, d in enumerate(design.domains):
            if d in out:
                raise ValueError(
                    f"domain {d!r} has the name of a gap group; rename it in the benchmark "
                    "metadata's 'domain' column"
                )
            out[str(d)] = shifts[..., design.domain_idx == k].mean(-1)
    return out


def group_loadings(
    posterior: xr.Dataset, design: Design, groups: list[str]
) -> dict[str, np.ndarray]:
    r"""Per gap group, the weight :math:`w_G` of the second factor in the group's index, per
    draw ``(chain, draw)``: :math:`w_G = \sum_{b \in G} \alpha_b \ell_b / \sum_{b \in G}
    \alpha_b`, the slope-weighted mean loading of the group's modelled benchmarks (``public``,
    ``private`` or a domain; 0 for ``capability`` and without a second factor).

    The mean of the linear predictors :math:`\eta_b` over a group's benchmarks at a frontier is
    :math:`\bar\alpha_G\,(F + w_G P) + \text{const}`, so matching it between the sides matches
    :math:`F + w_G P`: the gap of :class:`~irtgap.methods.bayes.fit.GapFit` for that group is the
    time shift of this index (with one factor, :math:`w_G = 0` and it is the capability gap).

    Parameters
    ----------
    posterior : xarray.Dataset
        The fit's posterior (``slope`` and, with a second factor, ``loading``).
    design : Design
        The fit's design.
    groups : list of str
        The gap groups.

    Returns
    -------
    dict
        Group name -> ``(chain, draw)`` array.
    """
    shape = (posterior.sizes[D.CHAIN], posterior.sizes[D.DRAW])
    if "loading" not in posterior:
        return {g: np.zeros(shape) for g in groups}
    slope = posterior["slope"].transpose(D.CHAIN, D.DRAW, D.BENCHMARK).to_numpy()
    loading = posterior["loading"].transpose(D.CHAIN, D.DRAW, D.BENCHMARK).to_numpy()
    public = design.is_public
    masks = {"public": public, "private": ~public}
    masks.update({str(d): design.domain_idx == k for k, d in enumerate(design.domains)})
    out = {}
    for g in groups:
        mask = masks.get(g)
        if mask is None or not mask.any():
            out[g] = np.zeros(shape)
            continue
        out[g] = (slope[..., mask] * loading[..., mask]).sum(-1) / slope[..., mask].sum(-1)
    return out


def offset_table(posterior: xr.Dataset, design: Design, *, ci_prob: float) -> pd.DataFrame:
    r"""Per modelled benchmark: its domain, access, open models scored and open shift.

    Parameters
    ----------
    posterior : xarray.Dataset
        The fit's posterior.
    design : Design
        The fit's design.
    ci_prob : float
        Probability of the equal-tailed interval.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``benchmark``: ``domain``, ``access``, ``n_open`` (open models scored there,
        a hosted copy counted as the version it serves), and the open shift :math:`s_b` in
        capability units (``mean``, ``median``, ``lower``, ``upper``, and ``prob_positive``:
        the posterior probability that open models do better there than their capability
        says).
    """
    shifts = benchmark_shifts(posterior, design).reshape(-1, len(design.benchmarks))
    lo, med, hi = np.quantile(shifts, [(1 - ci_prob) / 2, 0.5, 1 - (1 - ci_prob) / 2], axis=0)
    rows = design.rows
    unit = base_versions(design)[design.open_rows]
    n_open = unit.groupby(rows.loc[design.open_rows, D.BENCHMARK]).nunique()
    bench = design.benchmarks
    return pd.DataFrame(
        {
            D.DOMAIN: design.benchmark_domain.to_numpy(),
            D.ACCESS: bench[D.ACCESS].to_numpy() if D.ACCESS in bench else "unknown",
            "n_open": n_open.reindex(bench.index).fillna(0).astype(int).to_numpy(),
            "mean": shifts.mean(0),
            "median": med,
            "lower": lo,
            "upper": hi,
            "prob_positive": (shifts > 0).mean(0),
        },
        index=pd.Index(bench.index, name=D.BENCHMARK),
    )


def domain_blank(
    coverage: pd.DataFrame, group: pd.Series, date: pd.Series, extrapolate: bool, method: str
) -> np.ndarray:
    """Per (domain ``group``, ``date``) cell: no number, because the domain has too little data
    or (unless ``extrapolate``) the date lies outside its dates; warns, naming them.

    Parameters
    ----------
    coverage : pandas.DataFrame
        :func:`domain_coverage` of the fit's design.
    group, date : pandas.Series
        The cells' domains and dates (same length).
    extrapolate : bool
        Whether dates outside a domain's dates keep their number.
    method : str
        The :class:`~irtgap.methods.bayes.fit.GapFit` method asked, for the messages.

    Returns
    -------
    numpy.ndarray
        Boolean, one per cell.
    """
    cov = coverage
    group = group.astype(str).reset_index(drop=True)
    date = pd.to_datetime(date).reset_index(drop=True)
    thin = cov.index[~cov["enough"]]
    if len(thin):
        warn_user(
            f"GapFit.{method}(by='domain'): no number for "
            + "; ".join(f"{d!r} ({cov.loc[d, 'reason']})" for d in thin)
            + f". A domain's gap needs {MIN_DOMAIN_BENCHMARKS} modelled benchmarks and "
            f"{MIN_DOMAIN_MODELS} open and closed models scored on them."
        )
    blank = np.array(group.isin(thin), dtype=bool)
    if not extrapolate:
        first = pd.to_datetime(group.map(cov["first"]))
        until = pd.to_datetime(group.map(cov["until"]))
        out = ((date < first) | (date > until)).to_numpy() & ~blank
        if out.any():
            warn_user(
                f"GapFit.{method}(by='domain'): NaN at dates outside the release dates of "
                f"the open models scored (plus {DOMAIN_CARRY_MONTHS} months) in "
                + "; ".join(
                    f"{d!r} ({cov.loc[d, 'first']:%Y-%m-%d} to {cov.loc[d, 'until']:%Y-%m-%d})"
                    for d in sorted(set(group[out]))
                )
                + ": the open offset is measured there only (extrapolate=True carries it "
                "on as a constant)."
            )
            blank |= out
    return blank


def mask_domains(
    table: pd.DataFrame, coverage: pd.DataFrame, ref: pd.Timestamp | None, extrapolate: bool
) -> pd.DataFrame:
    """The gap table by domain with NaN (and warnings) for domains without enough data, and
    outside each domain's dates unless ``extrapolate`` (as is ``prob_grew`` when ``ref`` lies
    outside them).

    Parameters
    ----------
    table : pandas.DataFrame
        The gap table, one group per domain (changed in place and returned).
    coverage : pandas.DataFrame
        :func:`domain_coverage` of the fit's design.
    ref : pandas.Timestamp or None
        The reference date of ``prob_grew``.
    extrapolate : bool
        Whether dates outside a domain's dates keep their number.

    Returns
    -------
    pandas.DataFrame
    """
    stats = [c for c in ("mean", "median", "lower", "upper", "prob_grew") if c in table]
    blank = domain_blank(coverage, table[D.GROUP], table[D.DATE], extrapolate, "gap")
    if ref is not None and "prob_grew" in table and not extrapolate:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # said above for the dates
            ref_out = domain_blank(
                coverage, table[D.GROUP], pd.Series(ref, index=table.index), False, "gap"
            )
        table.loc[ref_out, "prob_grew"] = np.nan
    table.loc[blank, stats] = np.nan
    table.loc[blank, "n_defined"] = 0
    return table


def benchmark_gaps(
    posterior: xr.Dataset,
    design: Design,
    frontier: xr.DataArray,
    when: pd.Timestamp,
    *,
    ci_prob: float,
) -> pd.DataFrame:
    """Per modelled benchmark: the backward gap in months it shows at ``when``, its open shift
    taken as constant in time (``gap_median``, ``gap_lower``, ``gap_upper``; NaN, with a
    warning, where fewer than 90% of the draws define it).

    Parameters
    ----------
    posterior : xarray.Dataset
        The fit's posterior.
    design : Design
        The fit's design.
    frontier : xarray.DataArray
        Frontier draws ``(chain, draw, weights, date)`` on a grid holding ``when``.
    when : pandas.Timestamp
        The date of the gap.
    ci_prob : float
        Probability of the equal-tailed interval.

    Returns
    -------
    pandas.DataFrame
        Index ``benchmark`` (:attr:`Design.benchmarks` order).
    """
    grid = pd.DatetimeIndex(frontier[D.DATE].to_numpy())
    f_closed = stack_samples(frontier.sel({D.WEIGHTS: D.CLOSED}))
    f_open = stack_samples(frontier.sel({D.WEIGHTS: D.OPEN, D.DATE: when}))
    shifts = benchmark_shifts(posterior, design).reshape(len(f_open), -1)
    months = backward_gap_at(
        to_days(grid), f_closed, f_open[:, None] + shifts, float(to_days([when])[0])
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        q = np.nanquantile(months, [0.5, (1 - ci_prob) / 2, 1 - (1 - ci_prob) / 2], axis=0)
    defined = np.isfinite(months).mean(0)
    names = design.benchmarks.index
    if (defined < 0.9).any():
        warn_user(
            f"GapFit.open_offsets: at {when.date()} fewer than 90% of the draws define the "
            "gap of "
            + ", ".join(f"{b!r} ({v:.0%})" for b, v in zip(names, defined, strict=True) if v < 0.9)
            + " (the closed frontier reached that level before the data begin, or had not "
            "reached it by the last date: open models ahead there): gap_median, gap_lower and "
            "gap_upper are NaN there"
        )
    q[:, defined < 0.9] = np.nan
    return pd.DataFrame(
        {"gap_median": q[0], "gap_lower": q[1], "gap_upper": q[2]},
        index=pd.Index(names, name=D.BENCHMARK),
    )
