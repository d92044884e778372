"""What a Bayesian fit adds to the shared result file (:mod:`irtgap.results`), and how it is
read back.

Beside the nodes every result writes (the gap draws, the data, the settings), a
:class:`~irtgap.methods.bayes.fit.GapFit` stores its inference data: one node per group
(``posterior``, ``sample_stats``, ...). Loading rebuilds the settings, then the design from the
saved data, and checks that the saved posterior belongs to that design: a file that does not
match (another version's, or edited) is refused with an error naming what differs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from irtgap.core import dims as D
from irtgap.data.scoredata import ScoreData
from irtgap.methods.bayes.design import KNOT_DIM, Design, saturating_benchmarks
from irtgap.methods.bayes.settings import GapSettings

#: Posterior variables every fit holds (what :class:`~irtgap.methods.bayes.fit.GapFit` reads).
REQUIRED_VARIABLES = ("frontier", "log_growth_mean", "capability", "difficulty_rel")


def storable_nodes(idata: xr.DataTree) -> dict[str, xr.Dataset]:
    """The inference data's groups (posterior, sample_stats, ...), without object variables
    (e.g. nutpie's divergence messages, not storable in netCDF)."""
    nodes = {}
    for name in idata.children:
        ds = idata[name].to_dataset()
        nodes[name] = ds.drop_vars([v for v in ds.data_vars if ds[v].dtype == object])
    return nodes


def saved_inference_data(tree: xr.DataTree) -> xr.DataTree:
    """The inference data stored in a result file: every node but the shared ones."""
    return xr.DataTree.from_dict(
        {
            name: tree[name].to_dataset()
            for name in tree.children
            if not name.startswith("irtgap_") and name != "gap"
        }
    )


def saved_settings(values: dict[str, Any], path: Path) -> GapSettings:
    """The settings stored in the file at ``path``: every setting of :class:`GapSettings`, and
    no other (a missing or unknown one is named in the error).

    Parameters
    ----------
    values : dict
        The settings as read from the file.
    path : pathlib.Path
        The file, for messages.

    Returns
    -------
    GapSettings
    """
    return GapSettings.from_saved(values, source=f"GapFit.from_netcdf: {str(path)!r}")


def checked_design(
    idata: xr.DataTree, data: ScoreData, settings: GapSettings, path: Path
) -> Design:
    """The design of ``data`` under ``settings``, checked against the saved posterior.

    Parameters
    ----------
    idata : xarray.DataTree
        The saved inference data.
    data : ScoreData
        The saved data.
    settings : GapSettings
        The saved settings.
    path : pathlib.Path
        The file, for messages.

    Returns
    -------
    Design

    Raises
    ------
    ValueError
        No posterior, a posterior variable the fit needs is missing, or the posterior's
        coordinates (units, benchmarks, knots, saturating benchmarks) are not the design's.
    """
    design = settings.design(data)
    if "posterior" not in idata.children:
        raise ValueError(f"GapFit.from_netcdf: {str(path)!r} holds no posterior")
    post = idata["posterior"].to_dataset()
    missing = [v for v in REQUIRED_VARIABLES if v not in post]
    if missing:
        raise ValueError(
            f"GapFit.from_netcdf: the posterior in {str(path)!r} lacks {missing} (it was not "
            "written by this version of irtgap's GapFit.to_netcdf); refit the model"
        )
    _check_matches(post, design, path)
    if settings.upper_asymptote and "saturating_benchmark" in post.coords:
        want = design.benchmarks.index[saturating_benchmarks(design, settings.lapse_threshold)]
        if list(post["saturating_benchmark"].to_numpy()) != list(want):
            raise ValueError(
                f"GapFit.from_netcdf: the saved posterior's lapse rates are on "
                f"{post.sizes['saturating_benchmark']} benchmarks, but lapse_threshold="
                f"{settings.lapse_threshold} gives {len(want)} ({str(path)!r} was written "
                "with other settings or by an incompatible version of irtgap); refit"
            )
    return design


def _check_matches(post: xr.Dataset, design: Design, path: Path) -> None:
    """The saved posterior's coordinates are those of the rebuilt design."""
    units = design.models.index[design.base_idx == np.arange(len(design.models))]
    want = {
        "unit": list(units),
        D.BENCHMARK: list(design.benchmarks.index),
        KNOT_DIM: list(design.knot_dates),
    }
    for dim, values in want.items():
        if dim in post.coords and list(post[dim].to_numpy()) != list(pd.Index(values).to_numpy()):
            raise ValueError(
                f"GapFit.from_netcdf: the saved posterior's {dim!r} coordinate does not match "
                f"the design rebuilt from the saved data ({str(path)!r} was written by an "
                "incompatible version of irtgap); refit the model"
            )
