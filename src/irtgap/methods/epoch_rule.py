"""Epoch's rule: the ECI gap as Epoch AI reads it, one number per date.

Epoch's rule reads an ECI fit (:func:`irtgap.methods.eci.fit_eci`) with bootstrap draws: the gap
at ``date`` is the time since the most recent date at which the closed frontier (best ECI
released so far) was not significantly better than the open frontier at ``date``: better in at
least ``1 - (1 - ci_prob) / 2`` of the bootstrap draws (0.95 for ``ci_prob`` 0.9: the upper tail
of the equal-tailed interval). The rule runs one significance test over all the draws per date,
so it gives one number, not a distribution: :meth:`EpochRuleResult.gap_draws` holds it as a
single draw, the gap table's ``mean`` and ``median`` hold it, ``lower``, ``upper`` and
``prob_grew`` are NaN (the frontier-shift interval of the ECI result would describe another
quantity), and ``n_defined`` counts the draws with a defined gap (1 or 0), as everywhere.

The gap is NaN with a warning without bootstrap draws (nothing to test), outside the ECI fit's
support, and where the closed frontier was significantly ahead at every date since its first
model (the gap is longer than the data reach). The rule is backward-looking: ``direction=
"forward"`` raises a ValueError (the ECI result's own gap reads both directions).

Examples
--------
>>> import irtgap
>>> from irtgap.methods.epoch_rule import epoch_rule
>>> eci = irtgap.fit_eci(irtgap.load_dataset(), n_bootstrap=20, seed=0)
>>> rule = epoch_rule(eci)
>>> table = rule.gap(["2025-01-20"])
>>> table[["group", "n_defined", "method"]]
  group  n_defined     method
0   all          1  eci_epoch
>>> bool(table[["lower", "upper", "prob_grew"]].isna().all(axis=None))
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import xarray as xr

from irtgap.core import dims as D
from irtgap.core.gaps import Direction, gap_dataarray, mask_support, summarize_gap, warn_user
from irtgap.core.validate import check_date, check_level, check_number
from irtgap.data.scoredata import ScoreData
from irtgap.methods.eci import EciResult
from irtgap.results import (
    CI_PROB,
    GapResult,
    MethodSettings,
    SavedState,
    check_direction,
    conform_gap_table,
)


@dataclass(frozen=True)
class EpochRuleSettings(MethodSettings):
    """The settings of an :class:`EpochRuleResult`: ``ci_prob`` sets the significance level,
    ``1 - (1 - ci_prob) / 2``."""

    ci_prob: float = CI_PROB


@dataclass
class EpochRuleResult(GapResult):
    """Epoch's rule read from an ECI fit (see the module docstring); made by :func:`epoch_rule`.

    Attributes
    ----------
    eci : EciResult
        The fit the rule reads (its bootstrap draws are the rule's evidence).
    settings : EpochRuleSettings
        The rule's settings.
    """

    method: ClassVar[str] = "eci_epoch"

    eci: EciResult
    settings: EpochRuleSettings = field(default_factory=EpochRuleSettings)
    data: ScoreData | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.data is None:
            self.data = self.eci.data

    def group_support(self) -> dict[str, tuple[pd.Timestamp, pd.Timestamp]]:
        """The one group, ``all``, and the ECI fit's support."""
        return {"all": self.eci.support()}

    def capabilities(self, *, ci_prob: float | None = None) -> pd.DataFrame:
        """Epoch's rule has no capability scale of its own: a ValueError saying where it is.

        Raises
        ------
        ValueError
            Always; the ECI fit's table is ``result.eci.capabilities()``.
        """
        raise ValueError(
            "EpochRuleResult.capabilities(): the eci_epoch method has no capability scale of "
            "its own; the ECI fit it reads has one: result.eci.capabilities()"
        )

    def _point(self, dates: pd.DatetimeIndex, ci_prob: float) -> np.ndarray:
        """The rule's gap in months at ``dates`` (NaN where it gives none, with a warning)."""
        first, last = self.eci.support()
        fine = self.eci.fine_grid(dates)
        f_closed, f_open = self.eci.frontiers(fine)
        point = np.full(len(dates), np.nan)
        if f_closed.shape[0] < 2:
            warn_user(
                "the Epoch rule tests significance over bootstrap draws and this fit has none "
                "(n_bootstrap=0): its gap is NaN; refit with n_bootstrap > 0",
                UserWarning,
            )
            return point
        closed_exists = np.isfinite(f_closed[0])
        never = []
        for k, j in enumerate(fine.get_indexer(dates)):
            better = (f_closed[:, : j + 1] > f_open[:, [j]]).mean(0) >= 1 - (1 - ci_prob) / 2
            ok = np.flatnonzero(~better & closed_exists[: j + 1])
            if ok.size:
                point[k] = (fine[j] - fine[ok[-1]]).days / D.DAYS_PER_MONTH
            elif first <= dates[k] <= last:
                never.append(f"{dates[k]:%Y-%m-%d}")
        if never:
            warn_user(
                "eci_epoch gap: the closed frontier was significantly ahead of the open "
                f"frontier at every date since the first closed model, at {', '.join(never)}"
                ": the gap is longer than the data reach and is NaN",
                UserWarning,
            )
        return point

    def _values(self, dates: Any, direction: Any, ci_prob: float) -> xr.DataArray:
        if check_direction(direction) != "backward":
            raise ValueError(
                f"direction={direction!r}: Epoch's rule is backward-looking (the time since the "
                "closed frontier was last not significantly ahead); read the forward gap from "
                "the ECI fit: result.eci.gap(direction='forward')"
            )
        when = self.eci.dates(dates)
        return gap_dataarray(self._point(when, ci_prob)[None, None, :], dates=when, groups=["all"])

    def gap_draws(self, dates: Any = None, *, direction: Direction = "backward") -> xr.DataArray:
        """The rule's gap as one draw ``(chain=1, draw=1, group=["all"], date)``, in months.

        Parameters
        ----------
        dates : date or list of dates, optional
            Where to read it (the ECI fit's weekly grid by default).
        direction : {"backward"}
            Only ``"backward"``: the rule is backward-looking (``"forward"`` raises).

        Returns
        -------
        xarray.DataArray
            The gap; NaN (with a warning) outside the ECI fit's support.
        """
        values = self._values(dates, direction, self.interval_probability())
        return mask_support(values, self.eci.support(), label=f"{self.method} gap")

    def gap(
        self,
        dates: Any = None,
        *,
        ci_prob: float | None = None,
        reference_date: Any = None,
        min_defined: float = 0.9,
        direction: Direction = "backward",
    ) -> pd.DataFrame:
        """The rule's gap in the shared gap table (group ``all``, one number per date).

        Parameters
        ----------
        dates : date or list of dates, optional
            Where to read it (the ECI fit's weekly grid by default).
        ci_prob : float, optional
            Sets the significance level, ``1 - (1 - ci_prob) / 2`` (default: the rule's
            ``settings.ci_prob``, 0.9 unless told otherwise).
        reference_date : date, optional
            Accepted for the shared signature; ``prob_grew`` stays NaN (one number per date has
            no share of draws).
        min_defined : float
            Accepted for the shared signature (in [0, 1]); one number per date is either
            defined or not.
        direction : {"backward"}
            Only ``"backward"`` (``"forward"`` raises a ValueError).

        Returns
        -------
        pandas.DataFrame
            The gap table: ``mean`` and ``median`` hold the number, ``lower``, ``upper`` and
            ``prob_grew`` are NaN.
        """
        level = self.interval_probability(ci_prob)
        check_number("min_defined", min_defined, minimum=0.0, maximum=1.0)
        if reference_date is not None:
            check_date("reference_date", reference_date)
        values = self._values(dates, direction, level)
        # one number per date: its NaNs are explained by the warnings above
        table = summarize_gap(
            values, ci_prob=level, method=self.method, min_defined=0.0, support=self.eci.support()
        )
        return conform_gap_table(table, self.method)

    # -------------------------------------------------------------- persistence
    def _saved_state(self) -> SavedState:
        state = self.eci._saved_state()
        state.values = {**state.values, "eci_settings": self.eci.settings_dict()}
        return state

    @classmethod
    def _from_saved_state(
        cls, state: SavedState, data: ScoreData | None, tree: xr.DataTree
    ) -> EpochRuleResult:
        values = dict(state.values)
        settings = EpochRuleSettings.from_dict(values.pop("settings"))
        values["settings"] = values.pop("eci_settings")
        eci = EciResult._from_saved_state(
            SavedState(tables=state.tables, arrays=state.arrays, values=values), data, tree
        )
        assert isinstance(eci, EciResult)
        return cls(eci=eci, settings=settings, data=data)


def epoch_rule(eci: EciResult, *, ci_prob: float | None = None) -> EpochRuleResult:
    """Epoch's rule read from an ECI fit (see the module docstring).

    Parameters
    ----------
    eci : EciResult
        A fit of :func:`irtgap.fit_eci` with bootstrap draws (without them the gap is NaN,
        with a warning).
    ci_prob : float, optional
        Sets the significance level, ``1 - (1 - ci_prob) / 2`` (default: the fit's
        ``ci_prob``).

    Returns
    -------
    EpochRuleResult
        The rule's result (method ``"eci_epoch"``).

    Raises
    ------
    TypeError
        ``eci`` is not an :class:`~irtgap.methods.eci.EciResult`.
    """
    if not isinstance(eci, EciResult):
        raise TypeError(
            f"epoch_rule(eci=...): give the result of irtgap.fit_eci, not {type(eci).__name__}"
        )
    level = eci.interval_probability() if ci_prob is None else check_level("ci_prob", ci_prob)
    return EpochRuleResult(eci=eci, settings=EpochRuleSettings(ci_prob=level), data=eci.data)


__all__ = ["EpochRuleResult", "EpochRuleSettings", "epoch_rule"]
