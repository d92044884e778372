"""Download Epoch AI's daily Benchmarking Hub export (``benchmark_data.zip``) into a cache.

:func:`fetch_epoch_hub` downloads the export through `pooch <https://www.fatiando.org/pooch>`_
and returns the path of the cached zip, ready for :func:`irtgap.load_epoch_hub`. Pooch is used
rather than a hand-written download because it already does what a cached, hash-recorded
download needs: it streams to a temporary file in the cache folder and moves it into place only
when the download completed (an interrupted transfer never takes the final name), computes the
SHA-256 of what arrived, and gives one place (:func:`pooch.os_cache`) for the per-user cache.

The cache holds one file per download date, ``benchmark_data-YYYY-MM-DD.zip``, with a JSON sidecar
``benchmark_data-YYYY-MM-DD.json`` beside it recording the URL, the date, the SHA-256, the size
and what the archive lists. A second call on the same day reuses the file (after checking its
SHA-256 against the sidecar), without any network access. Before a download is kept, the
archive is opened, every member's CRC is checked and it must list benchmark CSV files; a file
that fails any of this (an HTML page served instead of the zip, a truncated transfer) is deleted.

The cache folder is ``cache_dir=`` when given, else the environment variable
``IRTGAP_CACHE_DIR``, else ``pooch.os_cache("irtgap") / "epoch-hub"`` (the user cache folder of
the operating system, e.g. ``~/.cache/irtgap/epoch-hub`` on Linux).

Nothing here runs unless called: the library's defaults and its tests never touch the network
(the tests serve files from a local HTTP server on 127.0.0.1).

The data are Epoch AI's, licensed CC-BY 4.0: cite Epoch AI, 'AI Benchmarking Hub',
https://epoch.ai/benchmarks, wherever they go.
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import os
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

#: Epoch AI's daily export of the Benchmarking Hub. Epoch's data page
#: (https://epoch.ai/benchmarks) offers it for download; the address could not be confirmed from
#: the text of that page in the search behind this module, and is the one that public code
#: downloading the export uses (several independent downloaders, each noting that Epoch updates
#: the file daily). If Epoch moves it, pass ``url=`` (``irtgap fetch --url``) or download the
#: export by hand and read it with ``irtgap report --hub FILE`` / :func:`irtgap.load_epoch_hub`.
EPOCH_HUB_URL: Final = "https://epoch.ai/data/benchmark_data.zip"
#: Environment variable naming the cache folder (when ``cache_dir`` is not given).
CACHE_ENV: Final = "IRTGAP_CACHE_DIR"
#: Seconds to wait for the server to connect or to send the next bytes.
DEFAULT_TIMEOUT: Final = 60.0
#: CSV files of an export that hold metadata rather than one benchmark's scores.
METADATA_FILES: Final = (
    "epoch_capabilities_index.csv",
    "benchmark_metadata.csv",
    "model_metadata.csv",
)
#: Folders of an export that hold Epoch's ECI fit rather than benchmark scores.
NON_SCORE_FOLDERS: Final = ("additional_eci_data", "epoch_capabilities_index", "__MACOSX")
STEM: Final = "benchmark_data"
ATTRIBUTION: Final = (
    "Epoch AI, 'AI Benchmarking Hub', https://epoch.ai/benchmarks (CC-BY 4.0): cite it wherever "
    "the data go"
)


class FetchError(OSError):
    """The export could not be downloaded, or what arrived is not an export; the message names
    the URL and the offline alternative (``--hub FILE``)."""


@dataclass(frozen=True)
class Download:
    """What the sidecar of a cached download records."""

    url: str
    date: str
    sha256: str
    bytes: int
    downloaded_at: str
    n_members: int
    benchmark_csvs: int
    attribution: str = ATTRIBUTION


def default_cache_dir() -> Path:
    """The cache folder used when ``cache_dir`` is not given (see the module docstring).

    Returns
    -------
    pathlib.Path
        ``$IRTGAP_CACHE_DIR``, or the user cache folder of pooch for ``irtgap``.
    """
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env)
    import pooch

    return Path(pooch.os_cache("irtgap")) / "epoch-hub"


def cached_path(date: _dt.date, cache_dir: str | Path | None = None) -> Path:
    """Where the download of ``date`` sits in the cache (it may not exist).

    Parameters
    ----------
    date : datetime.date
        The download date.
    cache_dir : str or Path, optional
        The cache folder (default: :func:`default_cache_dir`).

    Returns
    -------
    pathlib.Path
        ``<cache_dir>/benchmark_data-YYYY-MM-DD.zip``.
    """
    folder = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    return folder / f"{STEM}-{date.isoformat()}.zip"


def _alternative(url: str) -> str:
    return (
        f"To work offline, download the export from {url} (Epoch AI's data page: "
        "https://epoch.ai/benchmarks) by other means and pass it with `irtgap report --hub FILE` "
        "or irtgap.load_epoch_hub(FILE); or pass another address with url= (irtgap fetch --url)"
    )


def _check_date(date: Any) -> _dt.date:
    today = _dt.date.today()
    if date is None:
        return today
    try:
        import pandas as pd

        day = pd.Timestamp(date).date()
    except (TypeError, ValueError) as err:
        raise ValueError(
            f"date={date!r} is not a date: give an ISO date such as '2026-12-06'"
        ) from err
    if day > today:
        raise ValueError(f"date={day.isoformat()} is after today ({today.isoformat()})")
    return day


def read_sidecar(path: str | Path) -> dict[str, Any] | None:
    """The sidecar of a cached download (None when missing or unreadable).

    Parameters
    ----------
    path : str or Path
        The cached zip.

    Returns
    -------
    dict or None
        The recorded fields of :class:`Download`.
    """
    side = Path(path).with_suffix(".json")
    try:
        return dict(json.loads(side.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return None


def _reusable(path: Path, url: str) -> bool:
    """Whether the cached ``path`` is a complete download of ``url`` (its SHA-256 matches)."""
    if not path.is_file():
        return False
    meta = read_sidecar(path)
    if meta is None or meta.get("url") != url:
        return False
    import pooch

    return bool(pooch.file_hash(str(path)) == meta.get("sha256"))


def verify_export(path: str | Path, url: str = EPOCH_HUB_URL) -> tuple[int, int]:
    """Check that ``path`` is a readable zip listing benchmark CSV files; raise otherwise.

    Parameters
    ----------
    path : str or Path
        The downloaded file.
    url : str
        Where it came from (for the message).

    Returns
    -------
    tuple of int
        The number of members and of benchmark CSV files (CSV files other than
        ``METADATA_FILES``, outside ``NON_SCORE_FOLDERS``).

    Raises
    ------
    FetchError
        An HTML page, a file that is not a zip, a truncated or corrupt archive, or one without
        benchmark CSV files.
    """
    path = Path(path)
    size = path.stat().st_size
    if not zipfile.is_zipfile(path):
        head = path.read_bytes()[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
        if head.startswith((b"<!doctype html", b"<html", b"<?xml", b"<head", b"<body")):
            what = "an HTML page, not a zip archive (the address may have moved)"
        else:
            what = f"not a zip archive ({size:,} bytes: a truncated or failed download?)"
        raise FetchError(f"{url} sent {what}. {_alternative(url)}")
    try:
        with zipfile.ZipFile(path) as zf:
            bad = zf.testzip()
            names = [i.filename for i in zf.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise FetchError(f"the archive from {url} is corrupt ({exc}). {_alternative(url)}") from exc
    if bad is not None:
        raise FetchError(
            f"the archive from {url} is corrupt: member {bad!r} fails its CRC check. "
            f"{_alternative(url)}"
        )
    csvs = [n for n in names if n.lower().endswith(".csv")]
    bench = [
        n
        for n in csvs
        if n.rsplit("/", 1)[-1].lower() not in METADATA_FILES
        and not set(n.split("/")[:-1]) & set(NON_SCORE_FOLDERS)
    ]
    if not bench:
        raise FetchError(
            f"the archive from {url} lists no benchmark CSV files ({len(names)} member(s): "
            f"{', '.join(names[:8]) or 'none'}): it is not an Epoch AI Benchmarking Hub export. "
            f"{_alternative(url)}"
        )
    return len(names), len(bench)


def _explain(exc: Exception, url: str, timeout: float) -> FetchError:
    """A :class:`FetchError` saying in words what a requests exception means."""
    import requests
    from urllib3.exceptions import ReadTimeoutError

    alt = _alternative(url)
    if isinstance(exc, requests.exceptions.Timeout) or any(
        isinstance(a, ReadTimeoutError) for a in getattr(exc, "args", ())
    ):
        return FetchError(f"no answer from {url} within the timeout of {timeout:g} s. {alt}")
    if isinstance(exc, requests.exceptions.HTTPError):
        status = getattr(exc.response, "status_code", "?")
        return FetchError(f"{url} answered HTTP {status} ({exc}). {alt}")
    if isinstance(
        exc, requests.exceptions.ChunkedEncodingError | requests.exceptions.ContentDecodingError
    ):
        return FetchError(f"the download from {url} was cut short ({exc}). {alt}")
    if isinstance(exc, requests.exceptions.ConnectionError):
        return FetchError(
            f"could not connect to {url}: offline, the name does not resolve, or the server "
            f"refused ({exc}). {alt}"
        )
    return FetchError(f"downloading {url} failed ({type(exc).__name__}: {exc}). {alt}")


@contextmanager
def _pooch_quiet(quiet: bool) -> Iterator[None]:
    """Pooch's log lines (download notices, the hash) silenced unless ``progress``."""
    import pooch

    logger = pooch.get_logger()
    level = logger.level
    if quiet:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def _download(url: str, target: Path, *, timeout: float, progress: bool) -> tuple[int, int]:
    """Download ``url`` to ``target`` through pooch, as a whole or not at all; return what
    :func:`verify_export` counts."""
    import pooch
    import requests

    try:
        import tqdm  # noqa: F401

        bar = progress
    except ImportError:
        bar = False
    partial = target.with_name(target.name + ".part")
    partial.unlink(missing_ok=True)
    downloader = pooch.HTTPDownloader(timeout=timeout, progressbar=bar)
    try:
        with _pooch_quiet(not progress):
            pooch.retrieve(
                url, known_hash=None, fname=partial.name, path=target.parent, downloader=downloader
            )
    except requests.exceptions.RequestException as exc:
        partial.unlink(missing_ok=True)
        raise _explain(exc, url, timeout) from exc
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    try:
        counts = verify_export(partial, url)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, target)
    return counts


def _write_sidecar(path: Path, record: Download) -> None:
    side = path.with_suffix(".json")
    tmp = side.with_name(side.name + ".part")
    tmp.write_text(json.dumps(record.__dict__, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, side)


def fetch_epoch_hub(
    url: str = EPOCH_HUB_URL,
    cache_dir: str | Path | None = None,
    *,
    date: Any = None,
    timeout: float = DEFAULT_TIMEOUT,
    progress: bool = False,
    refresh: bool = False,
) -> Path:
    """Download Epoch AI's Benchmarking Hub export into the cache (once a day); return its path.

    Parameters
    ----------
    url : str
        Where the export is (:data:`EPOCH_HUB_URL`).
    cache_dir : str or Path, optional
        The cache folder (default: ``$IRTGAP_CACHE_DIR`` or the user cache folder, see the
        module docstring). Created if missing.
    date : date-like, optional
        The download date the cached file is named after (default: today). Today's download is
        reused when cached; an earlier date must be in the cache (Epoch serves only the current
        export), else a FetchError lists the dates cached.
    timeout : float
        Seconds to wait for the connection and for each further piece of the download.
    progress : bool
        Report the download (pooch's messages, and a bar when ``tqdm`` is installed).
    refresh : bool
        Download again even when today's file is cached.

    Returns
    -------
    pathlib.Path
        The cached ``benchmark_data-YYYY-MM-DD.zip``, for :func:`irtgap.load_epoch_hub`. Its
        sidecar (``.json``, :func:`read_sidecar`) records the URL, date and SHA-256.

    Raises
    ------
    FetchError
        Offline (connection refused, a name that does not resolve), an HTTP error (404, ...),
        a timeout, a download cut short, an HTML page or another file instead of the export, or
        an earlier date that is not cached. Nothing is left in the cache then.

    Examples
    --------
    >>> import irtgap  # doctest: +SKIP
    >>> path = irtgap.fetch_epoch_hub()  # doctest: +SKIP
    >>> data = irtgap.load_epoch_hub(path)  # doctest: +SKIP
    """
    if not isinstance(url, str) or not url.strip():
        raise ValueError(f"url={url!r}: give the address of the export")
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not timeout > 0:
        raise ValueError(f"timeout={timeout!r}: give a positive number of seconds")
    day = _check_date(date)
    target = cached_path(day, cache_dir)
    if not refresh and _reusable(target, url):
        return target
    if day != _dt.date.today():
        cached = sorted(
            p.stem.removeprefix(f"{STEM}-") for p in target.parent.glob(f"{STEM}-*.zip")
        )
        raise FetchError(
            f"no complete download of {url} dated {day.isoformat()} in {target.parent} (dates "
            f"cached: {', '.join(cached) or 'none'}); Epoch serves only the current export, so "
            "only today's can be downloaded"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    n_members, n_bench = _download(url, target, timeout=float(timeout), progress=progress)
    import pooch

    record = Download(
        url=url,
        date=day.isoformat(),
        sha256=pooch.file_hash(str(target)),
        bytes=target.stat().st_size,
        downloaded_at=_dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        n_members=n_members,
        benchmark_csvs=n_bench,
    )
    _write_sidecar(target, record)
    return target


__all__ = [
    "ATTRIBUTION",
    "CACHE_ENV",
    "EPOCH_HUB_URL",
    "Download",
    "FetchError",
    "cached_path",
    "default_cache_dir",
    "fetch_epoch_hub",
    "read_sidecar",
    "verify_export",
]
