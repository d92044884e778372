"""A cache on disk of the report's Bayesian fits, keyed by what they are.

A fit is stored under a key (:func:`fit_key`): a SHA-256 over

- the data (:func:`data_fingerprint`: the scores and benchmark tables, their column names and
  order, dtypes, index and every value),
- the settings of the :class:`~irtgap.GapModel`,
- the options of :meth:`GapModel.fit <irtgap.GapModel.fit>` (draws, tuning steps, chains,
  cores, sampler and its keyword arguments, with the method's defaults filled in), the seed,
- the irtgap version and a digest of the source of the modules a fit depends on
  (``FIT_SOURCES``: a development tree's edits change the key although its version does
  not), and the versions of the libraries that draw the samples (``SAMPLER_PACKAGES``).

So a fit is read back only where sampling again would give the same draws. The files are the
fit's own netCDF (:meth:`~irtgap.results.GapResult.to_datatree`, read with
:func:`irtgap.load_result`), its numeric variables compressed losslessly (zlib with the shuffle
filter, :func:`write_compressed`), written to a temporary file and renamed, so that a file
under its final name is whole. A file that cannot be read, or whose data, settings or draw
counts are not the key's, is deleted with a :class:`FitCacheWarning` naming it, and the fit is
sampled again. The file also keeps the sampler's convergence messages, so that a fit read back
says what its sampling said without recomputing the diagnostics.

The folder is :func:`default_cache_dir` (``$IRTGAP_CACHE_DIR``, else the user's cache folder
from :mod:`platformdirs`, which honours ``XDG_CACHE_HOME``), or the one given.
"""

from __future__ import annotations

import contextlib
import hashlib
import inspect
import json
import os
import uuid
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from irtgap.core import dims as D
from irtgap.data.scoredata import ScoreData
from irtgap.methods.bayes.fit import GapFit
from irtgap.methods.bayes.model import GapModel
from irtgap.results import GapResult, load_result, package_version

#: The environment variable that sets the cache folder.
CACHE_ENV = "IRTGAP_CACHE_DIR"
#: Version of the key's recipe (raise it when the recipe changes).
KEY_FORMAT = 1
#: Packages whose versions enter the key: the draws of a seed depend on them.
SAMPLER_PACKAGES = ("numpy", "pymc", "pytensor", "nutpie")
#: irtgap's modules (folders or files of the package) whose source enters the key.
FIT_SOURCES = ("core", "data", "methods/bayes", "results.py")
#: zlib level of the stored fits (lossless; higher levels gain little on posterior draws).
COMPRESSION_LEVEL = 4
#: Options of :meth:`GapModel.fit` that do not change the draws (left out of the key).
NOT_KEYED = ("self", "data", "seed", "progressbar")


#: The parameters of :meth:`GapModel.fit` (read once: a stand-in patched over it in tests does
#: not change the key's recipe).
_FIT_PARAMETERS = inspect.signature(GapModel.fit).parameters


class FitCacheWarning(RuntimeWarning):
    """A cached fit could not be used (unreadable, or not the key's) or stored."""


def default_cache_dir() -> Path:
    """The cache folder: ``$IRTGAP_CACHE_DIR`` if set, else the user's cache folder for irtgap
    (``platformdirs.user_cache_dir``; on Linux ``$XDG_CACHE_HOME/irtgap`` or
    ``~/.cache/irtgap``) with ``fits`` below it."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("irtgap", appauthor=False)) / "fits"


# ------------------------------------------------------------------------------ the key
def _values_bytes(values: Any) -> bytes:
    """The values of one column or index level as bytes: raw for numpy numbers, booleans and
    datetimes; otherwise JSON of (type name, text) per value, None for a missing one."""
    arr = np.asarray(values) if isinstance(values, np.ndarray) else None
    if arr is not None and arr.dtype.kind in "biufcmM":
        return np.ascontiguousarray(arr).tobytes()
    items = [
        None if (v is None or (np.ndim(v) == 0 and pd.isna(v))) else [type(v).__name__, str(v)]
        for v in values
    ]
    return json.dumps(items, ensure_ascii=False).encode()


def _update_frame(h: Any, name: str, df: pd.DataFrame) -> None:
    """Feed ``df`` to the hash ``h``: shape, column names in order with their dtypes, index
    names and dtypes, then every column's and index level's values."""
    header = {
        "table": name,
        "shape": list(df.shape),
        "columns": [[repr(c), str(df[c].dtype)] for c in df.columns],
        "index": [
            [repr(n), str(df.index.get_level_values(i).dtype)] for i, n in enumerate(df.index.names)
        ],
    }
    h.update(json.dumps(header).encode())
    for i in range(df.index.nlevels):
        h.update(_values_bytes(_numpy_or_list(df.index.get_level_values(i))))
    for k in range(df.shape[1]):
        h.update(_values_bytes(_numpy_or_list(df.iloc[:, k])))


def _numpy_or_list(values: pd.Series | pd.Index) -> Any:
    """Plain numpy arrays as they are (numbers, booleans, naive datetimes); anything else (pandas
    extension dtypes, strings, objects) as a list of its values."""
    if isinstance(values.dtype, np.dtype) and values.dtype.kind in "biufcmM":
        return values.to_numpy()
    return values.to_list()


def data_fingerprint(data: ScoreData) -> str:
    """A SHA-256 of what a fit reads of ``data``: its scores and benchmark tables (column names
    and order, dtypes, index and every value; not the validation log or the reference table).

    Parameters
    ----------
    data : ScoreData
        The scores.

    Returns
    -------
    str
        64 hexadecimal digits; equal tables give equal digests, a changed value, column, dtype,
        row order or index gives another.
    """
    h = hashlib.sha256()
    _update_frame(h, "scores", data.scores)
    _update_frame(h, "benchmarks", data.benchmarks)
    return h.hexdigest()


@cache
def source_fingerprint(parts: tuple[str, ...] = FIT_SOURCES) -> str:
    """A SHA-256 of the source of ``parts`` (folders or files of the package, ``FIT_SOURCES``
    unless given): file names and contents.

    Parameters
    ----------
    parts : tuple of str
        Paths inside the package.

    Returns
    -------
    str
        64 hexadecimal digits.
    """
    root = files("irtgap")
    h = hashlib.sha256()
    for part in parts:
        base = Path(str(root.joinpath(part)))
        paths = [base] if base.is_file() else sorted(base.rglob("*.py"))
        for p in paths:
            h.update(p.relative_to(Path(str(root))).as_posix().encode() + b"\0")
            h.update(p.read_bytes() + b"\0")
    return h.hexdigest()


def _package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "absent"


def fit_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """The options of :meth:`GapModel.fit <irtgap.GapModel.fit>` that change the draws:
    ``options`` over the method's defaults (without the data, seed and progress bar).

    Parameters
    ----------
    options : mapping
        Keyword options given to the fit (e.g. the registry's budget).

    Returns
    -------
    dict
        Every keyed option by name.

    Raises
    ------
    ValueError
        An option that :meth:`GapModel.fit` does not take.
    """
    params = _FIT_PARAMETERS
    unknown = sorted(set(options) - set(params) - set(NOT_KEYED))
    if unknown:
        raise ValueError(f"fit options {unknown}: GapModel.fit takes none of them")
    keyed = {n: p.default for n, p in params.items() if n not in NOT_KEYED}
    keyed.update({k: v for k, v in options.items() if k not in NOT_KEYED})
    return keyed


def _json_default(v: Any) -> Any:
    if isinstance(v, np.ndarray):
        return {"array": v.tolist(), "dtype": str(v.dtype)}
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, set | frozenset):
        return sorted(v, key=repr)
    return repr(v)


def key_fields(
    data: ScoreData, model: GapModel, options: Mapping[str, Any], seed: int
) -> dict[str, Any]:
    """What :func:`fit_key` hashes, as a JSON-able dict (see the module docstring).

    Parameters
    ----------
    data : ScoreData
        The scores.
    model : GapModel
        The model (its settings).
    options : mapping
        Options of :meth:`GapModel.fit` (:func:`fit_options` fills in its defaults).
    seed : int
        The sampler's seed.

    Returns
    -------
    dict
        The fields of the key.
    """
    if not isinstance(seed, int | np.integer) or isinstance(seed, bool):
        raise ValueError(f"seed={seed!r}: the fit cache keys on an integer seed")
    return {
        "key_format": KEY_FORMAT,
        "data": data_fingerprint(data),
        "settings": asdict(model.settings),
        "fit": fit_options(options),
        "seed": int(seed),
        "irtgap": package_version(),
        "irtgap_source": source_fingerprint(),
        "packages": {p: _package_version(p) for p in SAMPLER_PACKAGES},
    }


def fit_key(data: ScoreData, model: GapModel, options: Mapping[str, Any], seed: int) -> str:
    """The cache key of a fit: a SHA-256 of :func:`key_fields`.

    Parameters
    ----------
    data : ScoreData
        The scores.
    model : GapModel
        The model.
    options : mapping
        Options of :meth:`GapModel.fit`.
    seed : int
        The sampler's seed.

    Returns
    -------
    str
        64 hexadecimal digits.

    Examples
    --------
    >>> import irtgap
    >>> from irtgap.report.cache import fit_key
    >>> data = irtgap.simulate(seed=1).data
    >>> a = fit_key(data, irtgap.GapModel(), {"draws": 300, "tune": 300, "chains": 2}, seed=0)
    >>> a == fit_key(data, irtgap.GapModel(), {"draws": 300, "tune": 300, "chains": 2}, seed=0)
    True
    >>> a == fit_key(data, irtgap.GapModel(), {"draws": 300, "tune": 300, "chains": 2}, seed=1)
    False
    """
    text = json.dumps(key_fields(data, model, options, seed), sort_keys=True, default=_json_default)
    return hashlib.sha256(text.encode()).hexdigest()


# ------------------------------------------------------------------------------ the files
def _encoding(tree: xr.DataTree) -> dict[str, dict[str, dict[str, Any]]]:
    """zlib with shuffle for every numeric variable of every node (strings stay as they are)."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for node in tree.subtree:
        enc = {
            str(name): {"zlib": True, "complevel": COMPRESSION_LEVEL, "shuffle": True}
            for name, var in node.variables.items()
            if var.dtype.kind in "biuf" and var.ndim > 0
        }
        if enc:
            out[node.path] = enc
    return out


def write_compressed(
    result: GapResult, path: str | Path, *, attrs: Mapping[str, str] | None = None
) -> Path:
    """Save ``result`` as :meth:`~irtgap.results.GapResult.to_netcdf` does, its numeric
    variables compressed (lossless), through a temporary file renamed into place.

    Parameters
    ----------
    result : GapResult
        The result (a fit).
    path : str or pathlib.Path
        The file; its folder must exist.
    attrs : mapping of str to str, optional
        More attributes of the file's root (the cache's key and the fit's convergence
        messages).

    Returns
    -------
    pathlib.Path
        ``path``; :func:`irtgap.load_result` reads it back.
    """
    tree = result.to_datatree()
    tree.attrs.update(attrs or {})
    return write_atomic(
        path, lambda tmp: tree.to_netcdf(tmp, engine="h5netcdf", encoding=_encoding(tree))
    )


def write_atomic(path: str | Path, write: Callable[[Path], object]) -> Path:
    """``write(tmp)`` to a temporary file beside ``path``, then rename it to ``path``: a file
    under its final name is whole. On any failure the temporary file is removed and the
    error raised.

    Parameters
    ----------
    path : str or pathlib.Path
        The file.
    write : callable
        Writes the content to the path it is given.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    path = Path(path)
    # a name of its own in the same folder (so that the rename is atomic), created with the
    # user's permissions like any file
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):  # also when the folder itself is not there
            tmp.unlink(missing_ok=True)
        raise
    return path


#: Root attributes of a cached fit: its key, and the sampler's convergence messages (JSON).
KEY_ATTR = "irtgap_cache_key"
CONVERGENCE_ATTR = "irtgap_convergence"


@dataclass(frozen=True)
class CachedFit:
    """A fit read from the cache, with the convergence messages its sampling gave."""

    fit: GapFit
    convergence: tuple[str, ...]


@dataclass(frozen=True)
class FitCache:
    """Fits stored in ``directory``, one file per key (:func:`fit_key`).

    Attributes
    ----------
    directory : pathlib.Path
        The folder (created when a fit is stored).
    """

    directory: Path

    @classmethod
    def at(cls, cache_dir: str | Path | None = None) -> FitCache:
        """The cache in ``cache_dir`` (None: :func:`default_cache_dir`), as an absolute path."""
        folder = Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir()
        return cls(folder.absolute())

    def path(self, key: str) -> Path:
        """The file of ``key``."""
        return self.directory / f"gapfit-{key}.nc"

    def load(
        self, key: str, data: ScoreData, model: GapModel, options: Mapping[str, Any]
    ) -> CachedFit | None:
        """The fit stored under ``key``, or None if there is none.

        A file that cannot be read, or whose key, data, settings or numbers of chains and
        draws are not those asked for, is deleted with a :class:`FitCacheWarning` naming it
        (None is returned: the caller samples again).

        Parameters
        ----------
        key : str
            The key (:func:`fit_key` of the other arguments and the seed).
        data : ScoreData
            The data the fit must be of.
        model : GapModel
            The model the fit must be of.
        options : mapping
            The fit's options (``draws`` and ``chains`` are checked against the file).

        Returns
        -------
        CachedFit or None
        """
        path = self.path(key)
        if not path.is_file():
            return None
        convergence: tuple[str, ...] = ()
        try:
            import h5py

            with h5py.File(path, "r") as f:
                stored = {k: str(f.attrs.get(k, "")) for k in (KEY_ATTR, CONVERGENCE_ATTR)}
            fit = load_result(path)
            problem = _mismatch(fit, data, model, fit_options(options))
            if problem is None and stored[KEY_ATTR] != key:
                problem = "it was not stored under this key"
            if problem is None:
                convergence = tuple(str(m) for m in json.loads(stored[CONVERGENCE_ATTR]))
        except Exception as exc:  # h5py, xarray, json and the loader raise many kinds
            problem = f"it cannot be read ({type(exc).__name__}: {exc})"
        if problem is None:
            assert isinstance(fit, GapFit)
            return CachedFit(fit, convergence)
        warnings.warn(
            f"fit cache: {str(path)!r} is not usable: {problem}; deleting it and sampling again",
            FitCacheWarning,
            stacklevel=2,
        )
        path.unlink(missing_ok=True)
        return None

    def store(self, key: str, fit: GapFit, convergence: Sequence[str] = ()) -> Path | None:
        """Write ``fit`` under ``key`` (compressed, through a temporary file); None with a
        :class:`FitCacheWarning` naming the folder when it cannot be written (the fit itself
        is unaffected).

        Parameters
        ----------
        key : str
            The key.
        fit : GapFit
            The fit.
        convergence : sequence of str
            The convergence messages its sampling gave (read back with the fit).

        Returns
        -------
        pathlib.Path or None
            The file.
        """
        attrs = {KEY_ATTR: key, CONVERGENCE_ATTR: json.dumps(list(convergence))}
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            return write_compressed(fit, self.path(key), attrs=attrs)
        except OSError as exc:
            warnings.warn(
                f"fit cache: could not write to {str(self.directory)!r} ({exc}); the fit is not "
                f"cached (choose another folder with --cache-dir or ${CACHE_ENV})",
                FitCacheWarning,
                stacklevel=2,
            )
            return None


def _mismatch(
    fit: GapResult, data: ScoreData, model: GapModel, options: Mapping[str, Any]
) -> str | None:
    """Why a loaded result is not the fit asked for (None: it is)."""
    if not isinstance(fit, GapFit):
        return f"it holds a {type(fit).__name__}, not a GapFit"
    if fit.settings != model.settings:
        return "its model settings are not those asked for"
    if data_fingerprint(fit.data) != data_fingerprint(data):
        return "its data are not those asked for"
    post = fit.posterior
    want = {D.CHAIN: options.get("chains"), D.DRAW: options.get("draws")}
    for dim, n in want.items():
        if n is not None and post.sizes.get(dim) != n:
            return f"it has {post.sizes.get(dim)} {dim}s, not {n}"
    return None


__all__ = [
    "CACHE_ENV",
    "CachedFit",
    "FitCache",
    "FitCacheWarning",
    "data_fingerprint",
    "default_cache_dir",
    "fit_key",
    "fit_options",
    "key_fields",
    "write_atomic",
    "write_compressed",
]
