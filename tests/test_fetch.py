"""fetch_epoch_hub against a local HTTP server on 127.0.0.1 (no other network): the bundled
export served as a zip, and servers that fail in each way a real download can."""

from __future__ import annotations

import datetime as dt
import io
import json
import socket
import threading
import time
import warnings
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pandas as pd
import pytest

import irtgap
from irtgap import cli
from irtgap.data import fetch
from irtgap.data.datasets import dataset_path
from irtgap.data.fetch import EPOCH_HUB_URL, FetchError, fetch_epoch_hub, read_sidecar

SLEEP = 1.5  # seconds the slow handler waits, past the tests' timeout


def _zip_folder(folder: Path) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                zf.write(p, p.relative_to(folder).as_posix())
    return buf.getvalue()


@pytest.fixture(scope="module")
def bundled_zip() -> bytes:
    """The bundled export (an unpacked folder) zipped as Epoch publishes it."""
    return _zip_folder(dataset_path("epoch-hub-2026-04"))


def _small_zip(files: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return buf.getvalue()


def _corrupt(data: bytes) -> bytes:
    """A zip whose first member's compressed bytes are altered (its CRC check fails)."""
    raw = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.infolist()[0]
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    raw[start + 5] ^= 0xFF
    return bytes(raw)


class _Handler(BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, bytes]] = {}

    def log_message(self, format: str, *args: object) -> None:  # quiet
        return

    def _send(self, body: bytes, *, ctype: str = "application/zip", length: int | None = None):
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        if length is not None:
            self.send_header("Content-Length", str(length))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        body = self.routes.get("zip", b"")
        if path == "/benchmark_data.zip":
            self._send(body, length=len(body))
        elif path == "/truncated.zip":  # says N bytes, sends half, hangs up
            self._send(body[: len(body) // 2], length=len(body))
            self.close_connection = True
        elif path == "/cut.zip":  # no length given: the client only sees a short file
            self._send(body[: len(body) // 2])
            self.close_connection = True
        elif path == "/page.html":
            self._send(b"<!DOCTYPE html><html><body>Benchmarks</body></html>", ctype="text/html")
        elif path in ("/not-export.zip", "/corrupt.zip"):
            data = self.routes[path]
            self._send(data, length=len(data))
        elif path == "/slow.zip":
            time.sleep(SLEEP)
            self._send(body, length=len(body))
        else:
            self.send_error(404, "Not Found")


@pytest.fixture(scope="module")
def server(bundled_zip):
    """A local HTTP server on 127.0.0.1 in a thread; yields its base URL."""
    _Handler.routes = {
        "zip": bundled_zip,
        "/not-export.zip": _small_zip({"README.md": "no data here"}),
        "/corrupt.zip": _corrupt(bundled_zip),
    }
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _quiet_load(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return irtgap.load_epoch_hub(path)


def test_fetch_then_load_gives_the_bundled_data(server, tmp_path, capsys):
    """`irtgap fetch` of the bundled export served locally loads to load_dataset()'s data."""
    url = f"{server}/benchmark_data.zip"
    assert cli.main(["fetch", "--url", url, "--cache-dir", str(tmp_path)]) == 0
    path = Path(capsys.readouterr().out.strip())
    assert path.parent == tmp_path
    assert path.name == f"benchmark_data-{dt.date.today().isoformat()}.zip"
    side = read_sidecar(path)
    assert side is not None
    assert side["url"] == url and side["date"] == dt.date.today().isoformat()
    import pooch

    assert side["sha256"] == pooch.file_hash(str(path))
    assert side["benchmark_csvs"] == 49  # the 49 benchmark files, not the ECI index
    fetched = _quiet_load(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bundled = irtgap.load_dataset()
    pd.testing.assert_frame_equal(fetched.scores, bundled.scores)
    pd.testing.assert_frame_equal(fetched.benchmarks, bundled.benchmarks)
    pd.testing.assert_frame_equal(fetched.reference, bundled.reference)


def test_second_fetch_the_same_day_reuses_the_file(server, tmp_path, monkeypatch):
    url = f"{server}/benchmark_data.zip"
    first = fetch_epoch_hub(url, tmp_path)
    stamp = first.stat().st_mtime_ns

    def no_download(*args, **kwargs):
        raise AssertionError("downloaded again")

    monkeypatch.setattr(fetch, "_download", no_download)
    assert fetch_epoch_hub(url, tmp_path) == first
    assert first.stat().st_mtime_ns == stamp
    # a file whose hash no longer matches its sidecar is not reused
    first.write_bytes(first.read_bytes()[:-10])
    with pytest.raises(AssertionError, match="downloaded again"):
        fetch_epoch_hub(url, tmp_path)


def test_earlier_date_must_be_cached(server, tmp_path):
    url = f"{server}/benchmark_data.zip"
    fetch_epoch_hub(url, tmp_path)
    yesterday = dt.date.today() - dt.timedelta(days=1)
    with pytest.raises(FetchError, match=r"dated .*\(dates cached: " + dt.date.today().isoformat()):
        fetch_epoch_hub(url, tmp_path, date=yesterday)
    with pytest.raises(ValueError, match="after today"):
        fetch_epoch_hub(url, tmp_path, date=dt.date.today() + dt.timedelta(days=2))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize(
    ("route", "message"),
    [
        ("/missing.zip", r"answered HTTP 404"),
        ("/page.html", r"sent an HTML page, not a zip archive"),
        ("/truncated.zip", r"was cut short"),
        ("/cut.zip", r"sent not a zip archive \(.* bytes: a truncated"),
        ("/not-export.zip", r"lists no benchmark CSV files"),
        ("/corrupt.zip", r"is corrupt"),
        ("/slow.zip", r"no answer from .* within the timeout of 0.3 s"),
    ],
)
def test_failed_download_is_named_and_leaves_nothing(server, tmp_path, route, message):
    url = f"{server}{route}"
    with pytest.raises(FetchError, match=message) as err:
        fetch_epoch_hub(url, tmp_path, timeout=0.3)
    text = str(err.value)
    assert url in text and "--hub FILE" in text
    assert list(tmp_path.iterdir()) == []


def test_offline_is_named(tmp_path):
    url = f"http://127.0.0.1:{_free_port()}/benchmark_data.zip"  # nothing listens there
    with pytest.raises(FetchError, match=r"could not connect to .*offline") as err:
        fetch_epoch_hub(url, tmp_path, timeout=2)
    assert url in str(err.value) and "--hub FILE" in str(err.value)
    assert list(tmp_path.iterdir()) == []


def test_name_resolution_failure_reads_as_offline():
    """A DNS failure is a ConnectionError in requests: the same message (no lookup is made)."""
    import requests

    exc = requests.exceptions.ConnectionError("Failed to resolve 'epoch.invalid'")
    err = fetch._explain(exc, "https://epoch.invalid/benchmark_data.zip", 5)
    assert "could not connect" in str(err) and "--hub FILE" in str(err)


def test_cache_dir_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("IRTGAP_CACHE_DIR", str(tmp_path / "c"))
    assert fetch.default_cache_dir() == tmp_path / "c"
    monkeypatch.delenv("IRTGAP_CACHE_DIR")
    assert fetch.default_cache_dir().name == "epoch-hub"


def test_report_latest_reuses_todays_download(bundled_zip, tmp_path, monkeypatch):
    """`irtgap report --latest` reads today's cached download without downloading again."""
    import pooch

    cache = tmp_path / "cache"
    cache.mkdir()
    path = fetch.cached_path(dt.date.today(), cache)
    path.write_bytes(bundled_zip)
    record = {"url": EPOCH_HUB_URL, "date": dt.date.today().isoformat()}
    record["sha256"] = pooch.file_hash(str(path))
    path.with_suffix(".json").write_text(json.dumps(record))
    monkeypatch.setenv("IRTGAP_CACHE_DIR", str(cache))

    def no_download(*args, **kwargs):
        raise AssertionError("downloaded")

    monkeypatch.setattr(fetch, "_download", no_download)
    seen = {}

    def fake_report(data, out, **kw):
        seen["data"], seen["label"] = data, kw["data_label"]
        return Path(out) / "report.md"

    import irtgap.report.build as build

    monkeypatch.setattr(build, "write_report", fake_report)
    assert cli.main(["report", "--latest", "--out", str(tmp_path / "r"), "--quiet"]) == 0
    assert seen["data"].n_obs == 2521
    assert str(path) in seen["label"] and "Epoch AI" in seen["label"]


def test_fetch_command_reports_errors(tmp_path, capsys):
    url = f"http://127.0.0.1:{_free_port()}/benchmark_data.zip"
    assert cli.main(["fetch", "--url", url, "--cache-dir", str(tmp_path)]) == 2
    assert "--hub FILE" in capsys.readouterr().err
