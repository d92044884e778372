"""The result contract: one shape and one set of methods for every method's result.

Every method (:data:`METHODS`) returns a :class:`GapResult`:

- :meth:`~GapResult.gap_draws` gives the gap draws in months as an ``xarray.DataArray`` with
  dimensions ``(chain, draw, group, date)``; bootstrap methods have one chain, the Bayesian fit
  one per MCMC chain. :meth:`~GapResult.to_datatree` puts them in an ``xarray.DataTree`` (node
  ``gap``) with the result's own tables, its data and its settings.
- :meth:`~GapResult.gap` summarises them into the shared gap table, columns
  :data:`GAP_COLUMNS` (``date, group, mean, median, lower, upper, n_defined, prob_grew,
  method``), the same for every method; ``lower`` / ``upper`` bound the equal-tailed interval
  of probability ``ci_prob`` (ArviZ's name). ``ci_prob=None`` (the default) is the level the
  result was computed with (the method's ``ci_prob=`` option), which is 0.9 for every method
  unless asked otherwise (:data:`CI_PROB`; fixed rather than read from ``arviz.rcParams`` so
  that a published number does not depend on a global setting); ``prob_grew`` is the share of
  draws whose gap exceeds the gap at ``reference_date`` (NaN without one).
  ``direction`` (``"backward"`` or ``"forward"``, :data:`DIRECTIONS`) is an option of every
  ``gap()`` and ``gap_draws()`` call; a result that cannot give a reading raises a ValueError
  naming the option.
- :meth:`~GapResult.summary` is that table at DeepSeek R1's release (2025-01-20) and at the last
  date where every group has data; :attr:`~GapResult.headline_group` is the group a one-number
  summary reads.
- :meth:`~GapResult.support` gives the first and last date with data, over all groups, and
  :meth:`~GapResult.group_support` the same per group.
- :meth:`~GapResult.capabilities` gives one row per model on the method's capability scale
  (columns :data:`CAPABILITY_COLUMNS`) where :attr:`~GapResult.has_capabilities` is True, and
  raises a ValueError otherwise.
- ``settings`` is a frozen dataclass; :meth:`~GapResult.settings_dict` is its
  ``dataclasses.asdict``, stored as JSON in files.
- :meth:`~GapResult.plot_gap` draws the table (median and band per group) and returns the Axes;
  ``ax`` is keyword-only.
- :meth:`~GapResult.to_netcdf` / :meth:`~GapResult.from_netcdf` save and load the whole result
  (draws, tables, settings, data), with the package version and the settings in the attributes.
- Random steps take ``seed`` (an int; :meth:`GapModel.fit <irtgap.GapModel.fit>` and
  :func:`irtgap.simulate` also take a ``numpy.random.Generator``).

Examples
--------
>>> import irtgap
>>> data = irtgap.load_dataset()
>>> res = irtgap.composite_index(data, n_bootstrap=20, seed=1)
>>> res.gap_draws().dims
('chain', 'draw', 'group', 'date')
>>> list(res.summary().columns) == list(irtgap.results.GAP_COLUMNS)
True
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Self

import numpy as np
import pandas as pd
import xarray as xr

from irtgap.core import dims as D
from irtgap.core.frames import decode_frame, encode_frame
from irtgap.core.gaps import Direction
from irtgap.core.validate import check_choice, check_level
from irtgap.data.scoredata import ScoreData
from irtgap.plotting.gap import plot_gap_table

if TYPE_CHECKING:
    from matplotlib.axes import Axes

#: The methods, by the one name used everywhere: ``compare(methods=)``, the ``method`` column of
#: every gap table, each result's ``method`` attribute and the saved file's attributes.
#: ``"eci_epoch"`` is Epoch's rule read from an ECI fit
#: (:func:`irtgap.methods.epoch_rule.epoch_rule`).
METHODS = ("threshold", "eci", "eci_epoch", "elo", "composite", "bayesian")
#: The two readings of a gap (see :mod:`irtgap.core.gaps`): ``direction=`` of every ``gap()``
#: and ``gap_draws()``.
DIRECTIONS = ("backward", "forward")
#: Columns of every capability table (:meth:`GapResult.capabilities`), in order; the index is
#: the model (named ``model``) and the rows are sorted by ``estimate``, highest first.
CAPABILITY_COLUMNS = (D.DATE, D.WEIGHTS, "estimate", "lower", "upper", "n_benchmarks")
#: Columns of every gap table, in order.
GAP_COLUMNS = (
    D.DATE,
    D.GROUP,
    "mean",
    "median",
    "lower",
    "upper",
    "n_defined",
    "prob_grew",
    "method",
)
#: Default probability of every interval (equal-tailed).
CI_PROB = 0.9
#: DeepSeek R1's release, the date the field quotes gaps at.
R1_DATE = pd.Timestamp("2025-01-20")
#: Format version of files written by :meth:`GapResult.to_netcdf`.
FILE_VERSION = 1


def package_version() -> str:
    """The installed irtgap version (``"unknown"`` when run from a source tree)."""
    try:
        return version("irtgap")
    except PackageNotFoundError:  # pragma: no cover - running from an uninstalled tree
        return "unknown"


def conform_gap_table(table: pd.DataFrame, method: str) -> pd.DataFrame:
    """The table with exactly :data:`GAP_COLUMNS` (``group`` and ``prob_grew`` filled if absent).

    Parameters
    ----------
    table : pandas.DataFrame
        A gap table (:func:`irtgap.core.gaps.summarize_gap`), with or without ``group`` and
        ``prob_grew``.
    method : str
        The ``method`` column's value.

    Returns
    -------
    pandas.DataFrame
        A copy: ``group`` ``"all"`` and ``prob_grew`` NaN where they were absent.
    """
    table = table.copy()
    if D.GROUP not in table:
        table[D.GROUP] = "all"
    if "prob_grew" not in table:
        table["prob_grew"] = np.nan
    table["method"] = method
    return table[list(GAP_COLUMNS)].reset_index(drop=True)


def conform_capability_table(table: pd.DataFrame) -> pd.DataFrame:
    """The table with exactly :data:`CAPABILITY_COLUMNS`, its index named ``model``, sorted by
    ``estimate`` (highest first; ties keep their order).

    Parameters
    ----------
    table : pandas.DataFrame
        One row per model, indexed by model, with at least the columns of
        :data:`CAPABILITY_COLUMNS`.

    Returns
    -------
    pandas.DataFrame
        A copy in the contract's shape.

    Raises
    ------
    ValueError
        A column of :data:`CAPABILITY_COLUMNS` is missing.
    """
    missing = [c for c in CAPABILITY_COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(f"capability table: missing column(s) {missing}")
    out = table[list(CAPABILITY_COLUMNS)].copy()
    out.index = out.index.rename(D.MODEL)
    return out.sort_values("estimate", ascending=False, kind="stable")


def check_direction(direction: Any) -> str:
    """``direction`` if it is one of :data:`DIRECTIONS`; a ValueError naming it otherwise."""
    check_choice("direction", direction, DIRECTIONS)
    return str(direction)


def _frozen(value: Any) -> Any:
    """JSON values as settings hold them: lists become tuples (inside dicts too)."""
    if isinstance(value, list | tuple):
        return tuple(_frozen(v) for v in value)
    if isinstance(value, dict):
        return {k: _frozen(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class MethodSettings:
    """Base of every bootstrap method's settings: a frozen dataclass that a result file stores as
    JSON (:meth:`GapResult.settings_dict`) and :meth:`from_dict` rebuilds."""

    #: Keys that files of earlier versions stored with the settings and that are no settings.
    legacy_keys: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> Self:
        """The settings saved as ``values`` (a JSON object: lists come back as tuples).

        Parameters
        ----------
        values : mapping
            ``dataclasses.asdict`` of the settings, through JSON.

        Returns
        -------
        MethodSettings
            An instance of ``cls``.

        Raises
        ------
        ValueError
            A key that is no field of ``cls`` (nor one of :attr:`legacy_keys`).
        """
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - names - set(cls.legacy_keys))
        if unknown:
            raise ValueError(f"{cls.__name__}: unknown setting(s) {unknown}")
        return cls(**{k: _frozen(v) for k, v in values.items() if k in names})


# ------------------------------------------------------------------------------ persistence
def data_nodes(data: ScoreData | None) -> dict[str, xr.Dataset]:
    """The tables of ``data`` as DataTree nodes (nothing for ``None``)."""
    if data is None:
        return {}
    nodes = {
        "irtgap_scores": encode_frame(data.scores),
        "irtgap_benchmarks": encode_frame(data.benchmarks),
    }
    if data.reference is not None:
        nodes["irtgap_reference"] = encode_frame(data.reference)
    if data.elicitation is not None:  # every (version, benchmark, harness) row
        nodes["irtgap_elicitation"] = encode_frame(data.elicitation)
    for ds in nodes.values():
        ds.attrs["irtgap_log"] = json.dumps(data.log, default=_json_default)
    return nodes


def data_from_tree(tree: xr.DataTree, log: dict[str, Any] | None = None) -> ScoreData | None:
    """The :class:`ScoreData` saved by :func:`data_nodes` (``None`` if none was saved).

    Parameters
    ----------
    tree : xarray.DataTree
        A result file's tree.
    log : dict, optional
        The data's log (default: the one saved with the scores).

    Returns
    -------
    ScoreData or None
        The saved data.
    """
    if "irtgap_scores" not in tree.children:
        return None
    scores = decode_frame(tree["irtgap_scores"].to_dataset())
    bench = decode_frame(tree["irtgap_benchmarks"].to_dataset())
    if D.BENCHMARK in bench.columns:  # files from before the lossless format
        bench = bench.set_index(D.BENCHMARK)
    reference = (
        decode_frame(tree["irtgap_reference"].to_dataset())
        if "irtgap_reference" in tree.children
        else None
    )
    elicitation = (
        decode_frame(tree["irtgap_elicitation"].to_dataset())
        if "irtgap_elicitation" in tree.children
        else None
    )
    if log is None:
        log = json.loads(tree["irtgap_scores"].attrs.get("irtgap_log", "{}"))
    return ScoreData(
        scores=scores, benchmarks=bench, log=log, reference=reference, elicitation=elicitation
    )


def open_tree(path: str | Path, who: str) -> xr.DataTree:
    """Open a netCDF file as a loaded DataTree, with errors that name the file and ``who``.

    Parameters
    ----------
    path : str or pathlib.Path
        The file.
    who : str
        The function reading it, for the messages.

    Returns
    -------
    xarray.DataTree
        The file's content, loaded into memory.

    Raises
    ------
    FileNotFoundError
        No file at ``path``.
    ValueError
        Not a netCDF file.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{who}: no file {str(path)!r}")
    try:
        return xr.open_datatree(path, engine="h5netcdf").load()
    except Exception as exc:  # h5py / h5netcdf raise many types for a non-netCDF file
        raise ValueError(
            f"{who}: {str(path)!r} is not a netCDF file written by irtgap "
            f"({type(exc).__name__}: {exc})"
        ) from None


def check_folder(path: str | Path, who: str) -> Path:
    """``path`` as a Path, once its folder is known to exist.

    Parameters
    ----------
    path : str or pathlib.Path
        The file to write.
    who : str
        The function writing it, for the message.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    FileNotFoundError
        The folder of ``path`` does not exist (the message names ``who``).
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise FileNotFoundError(
            f"{who}: folder {str(path.parent)!r} does not exist; create it first"
        )
    return path


def split_settings(settings: dict[str, Any]) -> tuple[str, dict[str, np.ndarray]]:
    """Settings as JSON (for the file's attributes) plus their array values (stored as arrays)."""
    arrays = {k: np.asarray(v) for k, v in settings.items() if isinstance(v, np.ndarray)}
    plain = {k: v for k, v in settings.items() if k not in arrays}
    return json.dumps(plain, default=_json_default), arrays


def _json_default(v: Any) -> Any:
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, pd.Timestamp):
        return v.isoformat()
    if isinstance(v, set | frozenset | tuple):
        return list(v)
    return str(v)


@dataclass
class SavedState:
    """What a result needs to be rebuilt: tables, arrays and plain (JSON) values."""

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    arrays: dict[str, xr.DataArray] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)


# ------------------------------------------------------------------------------ the contract
class GapResult(ABC):
    """The contract every method's result meets (see the module docstring).

    Subclasses set :attr:`method`, implement :meth:`gap_draws`, :meth:`gap`,
    :meth:`group_support` and the two persistence hooks (:meth:`_saved_state`,
    :meth:`_from_saved_state`), and keep their settings in ``settings`` (a frozen dataclass).
    A result with a capability scale sets :attr:`has_capabilities` and :attr:`capability_unit`
    and implements :meth:`capabilities`.
    """

    #: The method's name (one of :data:`METHODS`).
    method: ClassVar[str]
    #: Keyword arguments of :meth:`gap` used by :meth:`summary` and :meth:`plot_gap`.
    summary_options: ClassVar[dict[str, Any]] = {}
    #: The group a one-number summary of this method reads (``"all"``: every benchmark pooled).
    headline_group: ClassVar[str] = "all"
    #: Whether :meth:`capabilities` gives a table (one value per model on the method's scale).
    has_capabilities: ClassVar[bool] = False
    #: The unit of :meth:`capabilities`' ``estimate`` ("" without a capability scale).
    capability_unit: ClassVar[str] = ""
    #: Whether gap draws can be ``+-inf``: censored on a known side (see
    #: :func:`irtgap.core.gaps.summarize_gap`); :meth:`plot_gap` then draws open bands.
    censored_draws: ClassVar[bool] = False
    #: Registered result classes by method (for :func:`load_result`).
    registry: ClassVar[dict[str, type[GapResult]]] = {}

    settings: Any
    data: ScoreData | None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("method") in METHODS:
            GapResult.registry[cls.__dict__["method"]] = cls

    # -------------------------------------------------------------- to implement
    @abstractmethod
    def gap_draws(self, dates: Any = None, *, direction: Direction = "backward") -> xr.DataArray:
        """Gap draws in months, ``(chain, draw, group, date)``; NaN outside the data.

        Parameters
        ----------
        dates : date or list of dates, optional
            Where to read the gap (the method's own grid by default).
        direction : {"backward", "forward"}
            The reading (see :mod:`irtgap.core.gaps`).

        Returns
        -------
        xarray.DataArray
            The draws.
        """

    @abstractmethod
    def gap(
        self,
        dates: Any = None,
        *,
        ci_prob: float | None = None,
        reference_date: Any = None,
        min_defined: float = 0.9,
        direction: Direction = "backward",
    ) -> pd.DataFrame:
        """The shared gap table (:data:`GAP_COLUMNS`) of :meth:`gap_draws`.

        Parameters
        ----------
        dates : date or list of dates, optional
            Where to read the gap.
        ci_prob : float, optional
            Interval probability (default: the level the result was computed with).
        reference_date : date, optional
            Fills ``prob_grew``.
        min_defined : float
            Share of the draws that must define the gap for a number.
        direction : {"backward", "forward"}
            The reading.

        Returns
        -------
        pandas.DataFrame
            The gap table.
        """

    @abstractmethod
    def group_support(self) -> dict[str, tuple[pd.Timestamp, pd.Timestamp]]:
        """Per gap group, the first and last date where the result has data."""

    @abstractmethod
    def _saved_state(self) -> SavedState:
        """Tables, arrays and JSON values that rebuild this result (with ``data``)."""

    @classmethod
    @abstractmethod
    def _from_saved_state(
        cls, state: SavedState, data: ScoreData | None, tree: xr.DataTree
    ) -> GapResult:
        """Rebuild a result from :meth:`_saved_state`'s output (``tree``: the whole file, for
        results that keep nodes of their own, see :meth:`_extra_nodes`)."""

    def _extra_nodes(self) -> dict[str, xr.Dataset]:
        """Nodes a result stores beside the shared ones (the Bayesian fit: its posterior)."""
        return {}

    # -------------------------------------------------------------- shared
    def support(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        """The first and the last date where the result has data, over all its groups."""
        spans = list(self.group_support().values())
        return (
            min(pd.Timestamp(first) for first, _ in spans),
            max(pd.Timestamp(last) for _, last in spans),
        )

    def capabilities(self, *, ci_prob: float | None = None) -> pd.DataFrame:
        """One row per model on the method's capability scale (columns
        :data:`CAPABILITY_COLUMNS`, sorted by ``estimate``, highest first); ``ci_prob`` (a
        float, or None for the level the result was computed with) is the interval's
        probability.

        Raises
        ------
        ValueError
            The method has no capability scale (:attr:`has_capabilities` is False).
        """
        raise ValueError(
            f"{type(self).__name__}.capabilities(): the {self.method} method has no capability "
            "scale (it measures the gap without scoring each model); use a method whose "
            "result has_capabilities (eci, elo, composite, bayesian)"
        )

    def settings_dict(self) -> dict[str, Any]:
        """The settings as a plain dict (``dataclasses.asdict`` of ``settings``)."""
        return asdict(self.settings)

    def summary_dates(self) -> pd.DatetimeIndex:
        """DeepSeek R1's release and the last date where every group has data."""
        last = min(end for _, end in self.group_support().values())
        return pd.DatetimeIndex(sorted({R1_DATE, pd.Timestamp(last).normalize()}))

    def interval_probability(self, ci_prob: float | None = None) -> float:
        """``ci_prob``, or when None the level the result was computed with
        (``settings.ci_prob``; :data:`CI_PROB` when the method has none)."""
        if ci_prob is None:
            ci_prob = self.settings_dict().get("ci_prob", CI_PROB)
        return check_level("ci_prob", ci_prob)

    def summary(self, *, ci_prob: float | None = None) -> pd.DataFrame:
        """The gap table at DeepSeek R1's release (2025-01-20) and at the last date where every
        group has data, with ``prob_grew`` against R1 (NaN with a warning where a date lies
        outside the data)."""
        dates = self.summary_dates()
        return self.gap(dates, ci_prob=ci_prob, reference_date=R1_DATE, **self.summary_options)

    def plot_gap(
        self, *, ax: Axes | None = None, ci_prob: float | None = None, **options: Any
    ) -> Axes:
        """The gap over time: median and ``ci_prob`` band per group.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Where to draw (a new figure by default).
        ci_prob : float, optional
            The band's probability (default: the level the result was computed with).
        **options
            Options of :meth:`gap` over the summary's.

        Returns
        -------
        matplotlib.axes.Axes
            The Axes drawn on.
        """
        level = self.interval_probability(ci_prob)
        table = self.gap(ci_prob=level, **{**self.summary_options, **options})
        what = f"{self.method}, {level:.0%} band"
        return plot_gap_table(
            table,
            ax=ax,
            title=f"Open-weight models behind the closed frontier ({what})",
            open_ends=self.censored_draws,
        )

    def to_datatree(self) -> xr.DataTree:
        """The result as an ``xarray.DataTree``: node ``gap`` holds :meth:`gap_draws` (variable
        ``gap_months``); the result's tables, arrays and data sit in ``irtgap_*`` nodes; the
        attributes hold the method, the settings (JSON) and the package version."""
        if self.method not in GapResult.registry:
            raise ValueError(
                f"{type(self).__name__} (method {self.method!r}) cannot be saved: only the "
                f"results of {', '.join(METHODS)} can"
            )
        state = self._saved_state()
        settings_json, settings_arrays = split_settings(self.settings_dict())
        tree = xr.DataTree()
        tree["gap"] = xr.Dataset({"gap_months": self.gap_draws()})
        for name, table in state.tables.items():
            tree[f"irtgap_table_{name}"] = encode_frame(table)
        arrays = {
            **state.arrays,
            **{f"settings_{k}": xr.DataArray(v) for k, v in settings_arrays.items()},
        }
        for name, arr in arrays.items():
            da = arr.rename(None)
            tree[f"irtgap_array_{name}"] = xr.Dataset(
                {
                    "values": da.rename(
                        {d: f"{name}_{d}" for d in da.dims if str(d).startswith("dim_")}
                    )
                }
            )
        for name, ds in {**data_nodes(self.data), **self._extra_nodes()}.items():
            tree[name] = ds
        tree.attrs.update(
            {
                "irtgap_method": self.method,
                "irtgap_result": type(self).__name__,
                "irtgap_version": package_version(),
                "irtgap_file_version": FILE_VERSION,
                "irtgap_settings": settings_json,
                "irtgap_values": json.dumps(state.values, default=_json_default),
            }
        )
        return tree

    def to_netcdf(self, path: str | Path) -> Path:
        """Save the result (draws, tables, settings, data) to one netCDF file; return the path.

        Examples
        --------
        >>> import pathlib, tempfile, irtgap
        >>> data = irtgap.load_dataset()
        >>> res = irtgap.composite_index(data, n_bootstrap=20, seed=1)
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     path = res.to_netcdf(pathlib.Path(tmp) / "composite.nc")
        ...     back = irtgap.load_result(path)
        >>> type(back).__name__, back.method
        ('CompositeResult', 'composite')
        >>> back.gap_draws().equals(res.gap_draws())
        True
        """
        path = check_folder(path, f"{type(self).__name__}.to_netcdf")
        self.to_datatree().to_netcdf(path, engine="h5netcdf")
        return path

    @classmethod
    def from_netcdf(cls, path: str | Path) -> GapResult:
        """Load a result saved by :meth:`to_netcdf` (on :class:`GapResult` itself: any method's).

        Raises
        ------
        FileNotFoundError
            No file at ``path``.
        ValueError
            Not a netCDF file written by irtgap, or a result of another method than ``cls``.
        """
        who = f"{cls.__name__}.from_netcdf"
        tree = open_tree(path, who)
        method = tree.attrs.get("irtgap_method")
        if method is None:  # a file from before the shared format, if a class reads it
            readers = [cls] if cls is not GapResult else list(GapResult.registry.values())
            for reader in readers:
                if reader._reads_legacy(tree):
                    return reader._from_legacy(tree, Path(path))
        version = int(tree.attrs.get("irtgap_file_version", FILE_VERSION))
        if version > FILE_VERSION:
            raise ValueError(
                f"{who}: {str(path)!r} has file format {version}, newer than this irtgap's "
                f"({FILE_VERSION}, irtgap {package_version()}); upgrade irtgap to read it"
            )
        if method not in GapResult.registry:
            raise ValueError(
                f"{who}: {str(path)!r} was not written by {cls.__name__}.to_netcdf (nor by any "
                "irtgap result's to_netcdf)"
            )
        target = GapResult.registry[method]
        if not issubclass(target, cls):
            raise ValueError(
                f"{who}: {str(path)!r} holds a {method!r} result ({target.__name__}); load it "
                f"with {target.__name__}.from_netcdf or irtgap.load_result"
            )
        tree.attrs["irtgap_path"] = str(path)
        return target._from_tree(tree)

    @classmethod
    def _reads_legacy(cls, tree: xr.DataTree) -> bool:
        """Whether ``tree`` is a file of this class from before the shared format."""
        return False

    @classmethod
    def _from_legacy(cls, tree: xr.DataTree, path: Path) -> GapResult:
        raise ValueError(f"{cls.__name__}.from_netcdf: {str(path)!r} has no irtgap method")

    @classmethod
    def _from_tree(cls, tree: xr.DataTree) -> GapResult:
        settings = json.loads(tree.attrs["irtgap_settings"])
        state = SavedState(values=json.loads(tree.attrs.get("irtgap_values", "{}")))
        for name in tree.children:
            ds = tree[name].to_dataset()
            if name.startswith("irtgap_table_"):
                state.tables[name.removeprefix("irtgap_table_")] = decode_frame(ds)
            elif name.startswith("irtgap_array_"):
                key = name.removeprefix("irtgap_array_")
                da = ds["values"]
                da = da.rename({d: str(d).removeprefix(f"{key}_") for d in da.dims})
                if key.startswith("settings_"):
                    settings[key.removeprefix("settings_")] = da.to_numpy()
                else:
                    state.arrays[key] = da
        state.values["settings"] = settings
        return cls._from_saved_state(state, data_from_tree(tree), tree)


def load_result(path: str | Path) -> GapResult:
    """Load any method's result saved by its ``to_netcdf`` (see :meth:`GapResult.from_netcdf`).

    Examples
    --------
    A result saved and read back is the same result, of the right class:

    >>> import pathlib, tempfile, irtgap
    >>> sim = irtgap.simulate(seed=1)
    >>> th = irtgap.threshold_gap(sim.data, n_bootstrap=20, seed=0)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     back = irtgap.load_result(th.to_netcdf(pathlib.Path(tmp) / "threshold.nc"))
    >>> type(back).__name__
    'ThresholdResult'
    >>> back.gap(["2024-07-01"]).equals(th.gap(["2024-07-01"]))
    True
    """
    return GapResult.from_netcdf(path)
