"""The backtest on the fast methods: vintages hold only what was released by the cutoff, each
reading is compared with the fit on all the data, ECI stands in scale anchors a vintage lacks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import irtgap
from irtgap.analyses.backtest import KINDS, TABLE_COLUMNS, eci_vintage_options, vintage
from irtgap.analyses.nowcast import read_gap
from irtgap.core import dims as D

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")
CUTOFFS = ["2025-01-01", "2025-07-01"]


@pytest.fixture(scope="module")
def data():
    return irtgap.load_dataset()


@pytest.fixture(scope="module")
def bt(data):
    return irtgap.backtest(
        data, cutoffs=CUTOFFS, methods=["threshold", "composite"], budget="fast", seed=3
    )


def test_vintage_keeps_what_was_released_by_the_cutoff(data):
    sub, note = vintage(data, "2025-01-01")
    assert sub.models[D.DATE].max() <= pd.Timestamp("2025-01-01")
    released = pd.to_datetime(sub.benchmarks["release_date"], errors="coerce")
    assert not (released > pd.Timestamp("2025-01-01")).any()
    assert sub.n_models < data.n_models and note.startswith("models released by 2025-01-01: ")
    assert sub.scores.groupby(D.BENCHMARK)[D.MODEL].nunique().min() >= 2


def test_table_compares_each_reading_with_the_full_data_fit(data, bt):
    t = bt.table
    assert list(t.columns) == list(TABLE_COLUMNS)
    assert len(t) == 2 * len(CUTOFFS) * len(KINDS)
    full = irtgap.run_method("threshold", data, budget="fast", seed=3)
    rows = t[t["method"] == "threshold"]
    for _, row in rows.iterrows():
        later = read_gap(full, row[D.DATE], project=False).median
        assert row["later_median"] == pytest.approx(later, nan_ok=True)
        if row["answered"] and np.isfinite(later):
            assert row["revision"] == pytest.approx(row["realtime_median"] - later)
            inside = row["realtime_lower"] <= later <= row["realtime_upper"]
            assert bool(row["covered"]) is bool(inside)
    # a cutoff reading past the vintage's last model: these methods cannot project
    nowcasts = t[(t["kind"] == "nowcast") & (t["cutoff"] == pd.Timestamp(CUTOFFS[0]))]
    edge = t[(t["kind"] == "edge") & (t["cutoff"] == pd.Timestamp(CUTOFFS[0]))]
    past = nowcasts[D.DATE].to_numpy() > edge[D.DATE].to_numpy()
    assert past.any() and (~nowcasts.loc[past, "answered"]).all()
    assert nowcasts.loc[past, "note"].str.contains("cannot project").all()


def test_a_vintage_fit_is_the_method_on_the_vintage(data, bt):
    sub, _ = vintage(data, CUTOFFS[1])
    res = irtgap.run_method("composite", sub, budget="fast", seed=3)
    row = bt.table.query("method == 'composite' and kind == 'lookback'")
    row = row[row["cutoff"] == pd.Timestamp(CUTOFFS[1])].iloc[0]
    r = read_gap(res, row[D.DATE])
    assert row["realtime_median"] == pytest.approx(r.median, nan_ok=True)
    assert row["realtime_lower"] == pytest.approx(r.lower, nan_ok=True)


def test_summary_per_method_and_plot(bt):
    s = bt.summary()
    assert set(s.index.get_level_values("method")) == {"threshold", "composite"}
    g = bt.table[(bt.table["method"] == "composite") & (bt.table["kind"] == "lookback")]
    rev = g["revision"].dropna()
    got = s.loc[("composite", "lookback")]
    assert got["n_compared"] == len(rev)
    if len(rev):
        assert got["revision_rmse"] == pytest.approx(float(np.sqrt((rev**2).mean())))
    assert got["answered"] == pytest.approx(g["answered"].mean())
    ax = bt.plot_vintages("composite")
    assert len(ax.get_lines()) >= len(CUTOFFS) + 1
    with pytest.raises(ValueError, match="not in this backtest"):
        bt.plot_vintages("elo")


def test_eci_stands_in_scale_anchors_a_vintage_lacks(data):
    sub, _ = vintage(data, "2025-01-01")  # before GPT-5
    options, note = eci_vintage_options(sub)
    anchors = options["scale_anchors"]
    groups = set(sub.models["model_group"])  # the ECI fit merges versions into model groups
    assert len(anchors) == 2 and set(anchors) <= groups and "GPT-5" not in anchors
    assert "not in this vintage" in note and "gpt-5" in note.lower()
    assert eci_vintage_options(data)[0].get("scale_anchors") is None


def test_bad_options_are_refused(data):
    with pytest.raises(ValueError, match="unknown method"):
        irtgap.backtest(data, cutoffs=CUTOFFS, methods=["nope"])
    with pytest.raises(ValueError, match="budget tier"):
        irtgap.backtest(data, cutoffs=CUTOFFS, methods=["threshold"], budget="huge")


def test_a_cutoff_past_the_last_release_is_warned_about():
    sim = irtgap.simulate(n_closed=12, n_open=12, n_benchmarks=5, seed=2)
    last = sim.data.models[D.DATE].max()
    late = (last + pd.DateOffset(months=2)).date()
    with pytest.warns(UserWarning, match=rf"cutoff\(s\) {late} on or after the last release"):
        irtgap.backtest(sim.data, cutoffs=[str(late)], methods=["composite"], budget="fast")
