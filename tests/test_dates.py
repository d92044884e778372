"""Release dates at the boundary: one reading per column, or a clear refusal."""

from __future__ import annotations

import datetime as dt
import warnings

import numpy as np
import pandas as pd
import pytest

from irtgap import InputWarning, ScoreData, ScoreDataError
from irtgap.core.dates import parse_dates

COLS = dict(model="model", benchmark="benchmark", score="score", date="date", weights="weights")


def build(df: pd.DataFrame, **kw) -> ScoreData:
    return ScoreData.from_frame(df, **{**COLS, **kw})


def parsed(values, **kw) -> list[pd.Timestamp]:
    return list(parse_dates(pd.Series(values), column="d", **kw))


def T(s: str) -> pd.Timestamp:
    return pd.Timestamp(s)


# ---------------------------------------------------------------------- accepted forms
def test_iso_dates_and_their_variants():
    got = parsed(["2024-01-03", "2024/1/3", "2024.01.03", "2024-01-03T10:30", None, " "])
    assert got[:4] == [T("2024-01-03")] * 3 + [T("2024-01-03 10:30")]
    assert pd.isna(got[4]) and pd.isna(got[5])


def test_day_first_column_is_read_day_first_throughout():
    """'13/04/2024' shows the order; '03/01/2024' in the same column is then 3 January, and a
    warning names that row and the reading."""
    with pytest.warns(
        InputWarning,
        match=r"column 'd' \(date\): 1 date\(s\) that read either way were read day-first, as "
        r".*'13/04/2024' \(row 1\).*'03/01/2024' \(row 0\) as 2024-01-03",
    ):
        assert parsed(["03/01/2024", "13/04/2024"]) == [T("2024-01-03"), T("2024-04-13")]
    with pytest.warns(InputWarning, match=r"'03\.01\.2024' \(row 0\) as 2024-01-03"):
        assert parsed(["03.01.2024", "13.04.2024"]) == [T("2024-01-03"), T("2024-04-13")]


def test_month_first_column_is_read_month_first_throughout():
    with pytest.warns(
        InputWarning, match=r"read month-first.*'03/01/2024' \(row 0\) as 2024-03-01"
    ):
        assert parsed(["03/01/2024", "04/13/2024"]) == [T("2024-03-01"), T("2024-04-13")]


def test_unambiguous_day_first_dates_read_without_warning():
    """Values that can only be day-first (or that read the same both ways) need no warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert parsed(["13/04/2024", "25/12/2024", "05/05/2024"]) == [
            T("2024-04-13"),
            T("2024-12-25"),
            T("2024-05-05"),
        ]


def test_implied_order_warns_through_from_frame(small_frame):
    df = small_frame.copy()
    df["date"] = ["03/01/2024"] * 3 + ["13/06/2024"] * 2 + ["01/03/2024"] * 3 + ["01/09/2024"] * 2
    with pytest.warns(
        InputWarning, match=r"column 'date' \(date\).*'03/01/2024' \(rows 0, 1, 2\) as 2024-01-03"
    ):
        data = build(df)
    assert data.models.loc["c1", "date"] == T("2024-01-03")


def test_same_day_and_month_reads_either_way():
    assert parsed(["01/01/2024", "02/02/2024"]) == [T("2024-01-01"), T("2024-02-02")]


def test_month_names_are_unambiguous():
    assert parsed(["3 Jan 2024", "January 4th, 2024"]) == [T("2024-01-03"), T("2024-01-04")]


# ---------------------------------------------------------------------- refused forms
def test_mixed_day_first_and_month_first_is_refused():
    """Value by value, each of these reads in a different order: the column is refused."""
    with pytest.raises(
        ScoreDataError,
        match=r"column 'd' \(date\) mixes day-first and month-first dates: '13/04/2024' \(row 1\)"
        r".*'04/13/2024' \(row 2\) only month/day, so '03/01/2024' \(row 0\) cannot be read"
        r".*ISO YYYY-MM-DD",
    ):
        parsed(["03/01/2024", "13/04/2024", "04/13/2024"])


def test_column_that_reads_either_way_is_refused():
    with pytest.raises(ScoreDataError, match=r"read as day/month or as month/day.*'03/01/2024'"):
        parsed(["03/01/2024", "04/02/2024"])


@pytest.mark.parametrize(
    ("values", "pattern"),
    [
        (["soon"], r"unparseable dates in rows 0: soon"),
        (["2024-02-31"], r"unparseable dates in rows 0: 2024-02-31"),
        (["03/01/24"], r"two-digit years: '03/01/24' \(row 0\)"),
        (["2024"], r"dates without a day: '2024'"),
        (["2024-03"], r"dates without a day: '2024-03'"),
        (["March 2024"], r"dates without a day: 'March 2024'"),
        ([2024, 2025], r"holds numbers, not dates"),
        ([1.7e18], r"holds numbers, not dates"),
    ],
)
def test_unreadable_dates_name_rows_and_values(values, pattern):
    with pytest.raises(ScoreDataError, match=pattern):
        parsed(values)


# ---------------------------------------------------------------------- placeholders and future
@pytest.mark.parametrize("value", ["1970-01-01", "1999-12-31", "0001-01-01"])
def test_placeholder_dates_are_refused(value):
    with pytest.raises(
        ScoreDataError,
        match=rf"column 'd' \(date\) has dates before 2000-01-01.*'{value}' \(row 1\)"
        r"\. Give the real date, or leave it blank to drop the row",
    ):
        parsed(["2024-01-01", value])


def test_future_dates_are_refused():
    tomorrow = (pd.Timestamp.now().normalize() + pd.Timedelta(days=1)).date()
    with pytest.raises(ScoreDataError, match=rf"dates in the future.*'{tomorrow}' \(row 0\)"):
        parsed([str(tomorrow)])
    with pytest.raises(ScoreDataError, match=r"'2031-01-01'"):
        parsed(["2031-01-01"])
    assert parsed([str(pd.Timestamp.now().date())])  # today is fine


def test_bounds_can_be_turned_off_or_moved():
    assert parsed(["1990-01-01"], earliest=None) == [T("1990-01-01")]
    with pytest.raises(ScoreDataError, match="after 2024-06-01"):
        parsed(["2024-06-02"], latest=T("2024-06-01"))


def test_out_of_range_datetimes_are_refused_not_overflowed():
    old = pd.Series(pd.to_datetime(["1500-01-01"]).astype("datetime64[s]"))
    with pytest.raises(ScoreDataError, match="before 2000-01-01"):
        parse_dates(old, column="d")


# ---------------------------------------------------------------------- time zones
def test_time_zone_aware_columns_are_converted_to_utc():
    tokyo = pd.Series(pd.to_datetime(["2024-01-01 06:00"]).tz_localize("Asia/Tokyo"))
    assert list(parse_dates(tokyo, column="d")) == [T("2023-12-31 21:00")]
    assert parse_dates(tokyo, column="d").dtype == "datetime64[ns]"


def test_utc_offsets_in_strings_are_converted_to_utc():
    got = parsed(["2024-01-01T00:00:00+02:00", "2024-01-01T00:00:00Z", "2024-01-01"])
    assert got == [T("2023-12-31 22:00"), T("2024-01-01"), T("2024-01-01")]


def test_mixed_datetime_objects_are_taken_as_given():
    got = parsed(
        [
            pd.Timestamp("2024-01-01 05:00", tz="UTC"),
            dt.date(2024, 2, 1),
            np.datetime64("2024-03-01"),
            "2024-04-01",
            np.float32("nan"),
        ]
    )
    assert got[:4] == [T("2024-01-01 05:00"), T("2024-02-01"), T("2024-03-01"), T("2024-04-01")]
    assert pd.isna(got[4])


# ---------------------------------------------------------------------- through from_frame
def test_from_frame_reads_time_zone_aware_dates(small_frame):
    """A datetime64[ns, tz] column is read (in UTC), not refused with a raw pandas error."""
    df = small_frame.assign(date=pd.to_datetime(small_frame["date"]).dt.tz_localize("UTC"))
    data = build(df)
    assert data.models.loc["c1", "date"] == T("2024-01-01")
    offsets = small_frame.assign(date=small_frame["date"] + "T00:00:00+00:00")
    assert build(offsets).models.loc["o2", "date"] == T("2024-09-01")


def test_from_frame_refuses_mixed_day_month_orders(small_frame):
    df = small_frame.copy()
    df["date"] = ["03/01/2024"] * 3 + ["13/06/2024"] * 2 + ["03/13/2024"] * 3 + ["09/01/2024"] * 2
    with pytest.raises(ScoreDataError, match=r"column 'date' \(date\) mixes day-first"):
        build(df)


def test_from_frame_refuses_placeholder_and_future_dates(small_frame):
    df = small_frame.copy()
    df.loc[[5, 6, 7], "date"] = "1970-01-01"
    with pytest.raises(ScoreDataError, match=r"'1970-01-01' \(rows 5, 6, 7\)"):
        build(df)
    df.loc[[5, 6, 7], "date"] = "2031-01-01"
    with pytest.raises(ScoreDataError, match=r"future.*'2031-01-01' \(rows 5, 6, 7\)"):
        build(df)


def test_benchmark_release_dates_are_checked_too(small_frame):
    meta = pd.DataFrame({"benchmark": ["A", "B"], "release_date": ["2023-01-01", "1970-01-01"]})
    with pytest.raises(
        ScoreDataError,
        match=r"benchmark metadata column 'release_date' has dates before 2000-01-01.*"
        r"'1970-01-01' \(row B\).*leave it blank if unknown",
    ):
        build(small_frame, benchmarks=meta)
