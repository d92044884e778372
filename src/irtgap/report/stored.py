"""A cache on disk of what the report computes from the data and its fits, keyed by content.

The report's expensive steps besides the Bayesian fits (the methods' bootstraps, the model
checks and posterior replicates of a fit, leave-one-benchmark-out, the gap by domain, the
backtest) are pure functions of the data, their options, the seed and the code. Each is stored
under a key (:func:`result_key`): a SHA-256 over

- what is computed (a name) and its options, which for a step that reads a Bayesian fit
  include that fit's own key (:func:`irtgap.report.cache.fit_key`),
- the data (:func:`irtgap.report.cache.data_fingerprint`), the report's budget tier and seed,
- the irtgap version and a digest of the source of every module below the report
  (``RESULT_SOURCES``), and the versions of the libraries that compute or draw
  (``RESULT_PACKAGES``),

so a stored value is read back only where computing it again would give the same value. The
files are :func:`joblib.dump` pickles (compressed), written to a temporary file and renamed
(:func:`~irtgap.report.cache.write_atomic`);
like any pickle they are to be read only from a folder the user trusts (their own cache
folder). The warnings the computation gave are stored with it and given again when it is
read back, so that a cached NaN still says why. A file that cannot be read is deleted with a
:class:`~irtgap.report.cache.FitCacheWarning` naming it, and the value is computed again.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib

from irtgap.data.scoredata import ScoreData
from irtgap.report.cache import (
    FitCacheWarning,
    _json_default,
    _package_version,
    data_fingerprint,
    source_fingerprint,
    write_atomic,
)
from irtgap.results import package_version

#: Version of the key's recipe (raise it when the recipe or the file layout changes).
RESULT_KEY_FORMAT = 1
#: irtgap's modules whose source enters a stored result's key: all below the report.
RESULT_SOURCES = ("core", "data", "methods", "analyses", "results.py")
#: Libraries whose versions enter the key.
RESULT_PACKAGES = ("numpy", "scipy", "pandas", "xarray", "arviz_stats", "pymc", "pytensor")
#: zlib level of the stored files.
RESULT_COMPRESSION = 3


def result_key(data: ScoreData, what: str, options: Mapping[str, Any], seed: int) -> str:
    """The key of a stored result: a SHA-256 of its name, options, data, seed and code.

    Parameters
    ----------
    data : ScoreData
        The scores it is computed from.
    what : str
        What is computed (e.g. ``"result threshold"``, ``"checks"``).
    options : mapping
        Its options (JSON-like values; a fit it reads is given by its key).
    seed : int
        Its seed.

    Returns
    -------
    str
        64 hexadecimal digits.

    Examples
    --------
    >>> import irtgap
    >>> from irtgap.report.stored import result_key
    >>> data = irtgap.simulate(seed=1).data
    >>> a = result_key(data, "result threshold", {"budget": "full"}, seed=0)
    >>> a == result_key(data, "result threshold", {"budget": "full"}, seed=0)
    True
    >>> a == result_key(data, "result threshold", {"budget": "report_fast"}, seed=0)
    False
    """
    fields = {
        "key_format": RESULT_KEY_FORMAT,
        "what": str(what),
        "options": dict(options),
        "data": data_fingerprint(data),
        "seed": int(seed),
        "irtgap": package_version(),
        "irtgap_source": source_fingerprint(RESULT_SOURCES),
        "packages": {p: _package_version(p) for p in RESULT_PACKAGES},
    }
    text = json.dumps(fields, sort_keys=True, default=_json_default)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Stored:
    """A value read back from a :class:`ResultStore`, with the warnings computing it gave.

    Attributes
    ----------
    value : object
        The value.
    warnings : tuple
        ``(category, message)`` pairs, in the order they were given.
    """

    value: Any
    warnings: tuple[tuple[type[Warning], str], ...] = ()


@dataclass(frozen=True)
class ResultStore:
    """Values stored in ``directory``, one file per key (:func:`result_key`).

    Attributes
    ----------
    directory : pathlib.Path
        The folder (created when a value is stored).
    """

    directory: Path

    def path(self, key: str) -> Path:
        """The file of ``key``."""
        return self.directory / f"result-{key}.joblib"

    def load(self, key: str) -> Stored | None:
        """The value stored under ``key`` (None: there is none, or it could not be read, in
        which case the file is deleted with a :class:`~irtgap.report.cache.FitCacheWarning`).

        Parameters
        ----------
        key : str
            The key.

        Returns
        -------
        Stored or None
        """
        path = self.path(key)
        if not path.is_file():
            return None
        try:
            payload = joblib.load(path)
            if not (isinstance(payload, dict) and payload.get("key") == key):
                raise ValueError("it was not stored under this key")
            return Stored(payload["value"], tuple(payload["warnings"]))
        except Exception as exc:  # unpickling can raise anything
            warnings.warn(
                f"result cache: {str(path)!r} is not usable ({type(exc).__name__}: {exc}); "
                "deleting it and computing again",
                FitCacheWarning,
                stacklevel=2,
            )
            path.unlink(missing_ok=True)
            return None

    def store(
        self, key: str, value: Any, caught: tuple[tuple[type[Warning], str], ...] = ()
    ) -> Path | None:
        """Write ``value`` (and the warnings computing it gave) under ``key``; None with a
        :class:`~irtgap.report.cache.FitCacheWarning` when it cannot be written.

        Parameters
        ----------
        key : str
            The key.
        value : object
            A picklable value.
        caught : tuple
            ``(category, message)`` pairs.

        Returns
        -------
        pathlib.Path or None
            The file.
        """
        path = self.path(key)
        payload = {"key": key, "value": value, "warnings": list(caught)}
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            write_atomic(path, lambda tmp: joblib.dump(payload, tmp, compress=RESULT_COMPRESSION))
        except Exception as exc:  # a full disk, a read-only folder, an unpicklable value
            warnings.warn(
                f"result cache: could not store {str(path)!r} ({type(exc).__name__}: {exc}); "
                "it will be computed again next time",
                FitCacheWarning,
                stacklevel=2,
            )
            return None
        return path


def computed[T](make: Callable[[], T]) -> tuple[T, tuple[tuple[type[Warning], str], ...]]:
    """``make()`` and the warnings it gave, each also given on to the caller's filters.

    Parameters
    ----------
    make : callable
        Computes the value.

    Returns
    -------
    tuple
        The value and its ``(category, message)`` pairs.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = make()
    for w in caught:
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return value, tuple((w.category, str(w.message)) for w in caught)


def replay(stored: Stored) -> Any:
    """The stored value, after giving again the warnings computing it gave.

    Parameters
    ----------
    stored : Stored
        A value read back.

    Returns
    -------
    object
        ``stored.value``.
    """
    for category, message in stored.warnings:
        warnings.warn(message, category, stacklevel=2)
    return stored.value


__all__ = [
    "RESULT_KEY_FORMAT",
    "RESULT_SOURCES",
    "ResultStore",
    "Stored",
    "computed",
    "replay",
    "result_key",
]
