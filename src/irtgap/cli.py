"""Command line: ``irtgap report --out DIR`` (bundled data by default) and ``irtgap fetch``."""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from irtgap.core.errors import ScoreDataError


def _load(args: argparse.Namespace) -> tuple[Any, str]:
    import pandas as pd

    from irtgap.data.datasets import DATASETS, DEFAULT, load_dataset
    from irtgap.data.scoredata import ScoreData

    if getattr(args, "latest", False):
        return _load_latest()
    if args.hub:
        from irtgap.data.hub import load_epoch_hub

        return load_epoch_hub(args.hub), f"Epoch AI Benchmarking Hub export {args.hub}"
    if args.data:
        df = pd.read_csv(args.data)
        bench = pd.read_csv(args.benchmarks) if args.benchmarks else None
        optional = {
            k: k if k in df.columns else None
            for k in ("provider", "model_group", "country", "organization")
        }
        data = ScoreData.from_frame(
            df,
            model="model_version",
            benchmark="benchmark",
            score="score",
            date="release_date",
            weights="weights",
            benchmarks=bench,
            sparse_benchmarks="drop",
            **optional,  # type: ignore[arg-type]
        )
        return data, f"{args.data}"
    name = args.dataset or DEFAULT
    return load_dataset(name), f"bundled {DATASETS[name]} (irtgap dataset {name!r})"


def _add_fit_options(rep: argparse.ArgumentParser) -> None:
    """The options of ``irtgap report`` about its Bayesian fits: extra fits, cache, saving."""
    rep.add_argument(
        "--extra-fits",
        metavar="NAMES",
        help="comma-separated Bayesian fits beyond the default model's, for the domains "
        "section: 'domains' (open offsets by domain and benchmark: the Bayesian gap by domain) "
        "and 'china' (open models from China only); each is a full MCMC fit",
    )
    rep.add_argument(
        "--no-cache",
        action="store_true",
        help="sample every fit and compute every result afresh, storing none (default: fits "
        "and the results computed from them are cached by content and read back by a rerun "
        "on the same inputs)",
    )
    rep.add_argument(
        "--cache-dir",
        type=Path,
        help="folder of the fit and result cache (default: $IRTGAP_CACHE_DIR, else the user "
        "cache folder, e.g. ~/.cache/irtgap/fits)",
    )
    rep.add_argument(
        "--save-fits",
        action="store_true",
        help="also write each fit, compressed, into --out (gap_fit*.nc)",
    )


def _extra_fits(parser: argparse.ArgumentParser, value: str | None) -> list[str]:
    """The names of ``--extra-fits`` (a usage error naming any unknown one)."""
    from irtgap.report.context import EXTRA_FITS

    if value is None:
        return []
    names = [n.strip() for n in value.split(",")]
    unknown = [n for n in names if n not in EXTRA_FITS]
    if unknown:
        parser.error(
            f"--extra-fits: unknown fit(s) {', '.join(map(repr, unknown))}; choose from "
            f"{', '.join(EXTRA_FITS)} (comma-separated)"
        )
    return list(dict.fromkeys(names))


def _report_date(parser: argparse.ArgumentParser, value: str | None) -> Any:
    """``--date`` as a timestamp (None: today), or a usage error naming the option."""
    if value is None:
        return None
    from irtgap.core.dates import check_date

    try:
        return check_date("--date", value)
    except ScoreDataError as exc:
        parser.error(str(exc))


def _load_latest() -> tuple[Any, str]:
    """Today's Epoch AI Hub export: downloaded once a day (:func:`irtgap.fetch_epoch_hub`)."""
    from irtgap.data.fetch import fetch_epoch_hub, read_sidecar
    from irtgap.data.hub import load_epoch_hub

    path = fetch_epoch_hub()
    side = read_sidecar(path) or {}
    return load_epoch_hub(path), (
        f"Epoch AI Benchmarking Hub export downloaded {side.get('date', '?')} from "
        f"{side.get('url', '?')} ({path}, SHA-256 {str(side.get('sha256', '?'))[:12]}...)"
    )


def _add_fetch(sub: Any) -> None:
    """The ``irtgap fetch`` subcommand's options."""
    from irtgap.data.fetch import EPOCH_HUB_URL

    fet = sub.add_parser(
        "fetch",
        help="download today's Epoch AI Hub export into the cache",
        description="Download Epoch AI's Benchmarking Hub export (benchmark_data.zip) into the "
        "cache, once a day, and print the path of the cached zip (data: Epoch AI, CC-BY 4.0).",
    )
    fet.add_argument("--url", default=EPOCH_HUB_URL, help=f"the export (default {EPOCH_HUB_URL})")
    fet.add_argument(
        "--cache-dir", type=Path, help="cache folder (default $IRTGAP_CACHE_DIR or the user cache)"
    )
    fet.add_argument("--refresh", action="store_true", help="download again even if cached")


def _fetch(args: argparse.Namespace) -> int:
    """``irtgap fetch``: download today's export into the cache and print its path."""
    from irtgap.data.fetch import fetch_epoch_hub

    try:
        path = fetch_epoch_hub(args.url, args.cache_dir, refresh=args.refresh)
    except (ValueError, OSError) as exc:
        print(f"irtgap: error: {exc}", file=sys.stderr)
        return 2
    print(path)
    return 0


def _add_report(sub: Any) -> argparse.ArgumentParser:
    """The ``irtgap report`` subcommand and its options."""
    rep = sub.add_parser(
        "report",
        help="write figures and report.md",
        description="Fit every method on the data and write figures and report.md into --out. "
        "Uses the bundled April 2026 Epoch AI Hub export unless --data, --hub or --dataset "
        "is given.",
    )
    rep.add_argument("--out", required=True, type=Path, help="output folder")
    src = rep.add_mutually_exclusive_group()
    src.add_argument(
        "--data",
        type=Path,
        help="long CSV with columns model_version, benchmark, score, release_date, weights "
        "(optional provider, model_group, country, organization)",
    )
    src.add_argument("--hub", type=Path, help="Epoch AI Benchmarking Hub export (zip or folder)")
    src.add_argument(
        "--latest", action="store_true", help="today's Epoch AI Hub export (see irtgap fetch)"
    )
    src.add_argument(
        "--dataset",
        choices=["epoch-hub-2026-04", "epoch-2025-11"],
        help="a bundled dataset by name (default: epoch-hub-2026-04, the April 2026 Hub export)",
    )
    rep.add_argument("--benchmarks", type=Path, help="benchmark metadata CSV for --data")
    rep.add_argument(
        "--sections",
        help="comma-separated sections (default: every section but the opt-in 'backtest', "
        "which refits every fast method at past cutoffs: minutes)",
    )
    rep.add_argument("--fast", action="store_true", help="short runs (preview quality)")
    rep.add_argument("--seed", type=int, default=0)
    rep.add_argument(
        "--date",
        help="the report's date, YYYY-MM-DD (default today): its first lines give the gap "
        "projected to this date and at the last date with data",
    )
    rep.add_argument("--quiet", action="store_true", help="no progress lines")
    _add_fit_options(rep)
    return rep


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``irtgap`` command; returns the exit code."""
    parser = argparse.ArgumentParser(
        prog="irtgap",
        description="How many months do open-weight AI models trail the closed frontier?",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    _add_fetch(sub)
    rep = _add_report(sub)
    args = parser.parse_args(argv)
    if args.command == "fetch":
        return _fetch(args)
    if args.benchmarks and not args.data:
        parser.error("--benchmarks describes the benchmarks of --data; give --data too")
    if args.no_cache and args.cache_dir is not None:
        rep.error("--cache-dir chooses the fit cache, which --no-cache turns off; give one")
    extra_fits = _extra_fits(rep, args.extra_fits)
    report_date = _report_date(rep, args.date)

    from irtgap.report.build import ReportSectionError, write_report

    def say(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    log = None if args.quiet else say

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            data, label = _load(args)
        for w in caught:
            if log:
                log(f"note: {w.message}")
        sections = args.sections.split(",") if args.sections else None
        path = write_report(
            data,
            args.out,
            sections=sections,
            fast=args.fast,
            seed=args.seed,
            data_label=label,
            log=log,
            extra_fits=extra_fits,
            cache=not args.no_cache,
            cache_dir=args.cache_dir,
            save_fits=args.save_fits,
            date=report_date,
        )
    except ReportSectionError as exc:
        print(f"irtgap: error: {exc}", file=sys.stderr)
        return 1
    except (ScoreDataError, ValueError, FileNotFoundError, OSError) as exc:
        print(f"irtgap: error: {exc}", file=sys.stderr)
        return 2
    if log:
        log(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
