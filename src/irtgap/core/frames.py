"""Tables in netCDF: a lossless column-by-column codec for pandas DataFrames.

Every column is stored as a numpy array with its pandas dtype in the attributes (bool, nullable
boolean, strings, datetimes, numbers, categories, and object columns of bools, numbers or
strings), so :func:`decode_frame` gives back an equal table. Results use it to save their tables
and their :class:`~irtgap.data.scoredata.ScoreData` next to their draws.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

#: Version of the column codec written to each table's attributes.
CODEC_VERSION = 1
_ROW = "row"


def _json_value(v: Any) -> Any:
    """One object-column value as JSON-able, tagging what JSON cannot hold."""
    if v is None or isinstance(v, bool | str):
        return v
    if v is pd.NA:
        return {"__irtgap__": "NA"}
    if v is pd.NaT:
        return {"__irtgap__": "NaT"}
    if isinstance(v, pd.Timestamp):
        return {"__irtgap__": "Timestamp", "value": v.isoformat()}
    if isinstance(v, np.generic):
        return _json_value(v.item())
    if isinstance(v, int | float):
        return v
    return {"__irtgap__": "str", "value": str(v)}  # anything else: its text


def _from_json_value(v: Any) -> Any:
    if isinstance(v, dict) and "__irtgap__" in v:
        kind = v["__irtgap__"]
        if kind == "NA":
            return pd.NA
        if kind == "NaT":
            return pd.NaT
        if kind == "Timestamp":
            return pd.Timestamp(v["value"])
        return v["value"]
    return v


def _encode_column(s: pd.Series) -> tuple[np.ndarray, dict[str, Any], np.ndarray | None]:
    """Values storable in netCDF, the attributes that restore the dtype, and the NA mask."""
    dt = s.dtype
    na = s.isna().to_numpy(dtype=bool)
    attrs: dict[str, Any] = {"irtgap_dtype": str(dt)}
    if isinstance(dt, pd.CategoricalDtype):
        cats = [_json_value(c) for c in dt.categories]
        attrs.update(
            irtgap_kind="category",
            irtgap_categories=json.dumps(cats),
            irtgap_ordered=int(bool(dt.ordered)),
        )
        return np.asarray(s.cat.codes.to_numpy(), dtype=np.int64), attrs, None
    if isinstance(dt, pd.BooleanDtype):
        attrs["irtgap_kind"] = "boolean"
        return s.to_numpy(dtype=np.int8, na_value=0), attrs, na
    if isinstance(dt, pd.DatetimeTZDtype) or (
        isinstance(dt, np.dtype) and np.issubdtype(dt, np.datetime64)
    ):
        tz = getattr(dt, "tz", None)
        naive = s.dt.tz_convert("UTC").dt.tz_localize(None) if tz is not None else s
        unit = str(np.datetime_data(naive.to_numpy().dtype)[0])
        attrs.update(irtgap_kind="datetime", irtgap_unit=unit, irtgap_tz=str(tz or ""))
        return naive.to_numpy().view("int64"), attrs, na
    if isinstance(dt, np.dtype) and np.issubdtype(dt, np.timedelta64):
        unit = str(np.datetime_data(dt)[0])
        attrs.update(irtgap_kind="timedelta", irtgap_unit=unit)
        return s.to_numpy().view("int64"), attrs, na
    if isinstance(dt, pd.StringDtype):
        attrs.update(
            irtgap_kind="string",
            irtgap_storage=str(dt.storage),
            irtgap_na=("NA" if dt.na_value is pd.NA else "nan"),
        )
        return np.asarray(s.to_numpy(dtype=object, na_value=""), dtype=object), attrs, na
    if isinstance(dt, np.dtype) and dt.kind == "b":
        attrs["irtgap_kind"] = "bool"
        return s.to_numpy().astype(np.int8), attrs, None
    if isinstance(dt, np.dtype) and dt.kind in "iuf":
        attrs["irtgap_kind"] = "numpy"
        return s.to_numpy(), attrs, None
    numpy_dtype = getattr(dt, "numpy_dtype", None)
    if (
        pd.api.types.is_extension_array_dtype(dt)
        and isinstance(numpy_dtype, np.dtype)
        and numpy_dtype.kind in "iufb"
    ):  # Int64, Float64, int64[pyarrow], ...
        attrs["irtgap_kind"] = "masked"
        values = s.to_numpy(dtype=numpy_dtype, na_value=0 if numpy_dtype.kind != "f" else np.nan)
        if numpy_dtype.kind == "b":
            values = values.astype(np.int8)
        return values, attrs, na
    # object and everything else: one JSON text per value (bool, int, float, str, None, NaN,
    # NA, NaT and Timestamps come back as they were), then the dtype
    attrs["irtgap_kind"] = "json"
    texts = [json.dumps(_json_value(v)) for v in s.astype(object)]
    return np.asarray(texts, dtype=object), attrs, None


def _decode_column(values: np.ndarray, attrs: dict[str, Any], na: np.ndarray | None) -> Any:
    kind = attrs["irtgap_kind"]
    dtype = attrs["irtgap_dtype"]
    if kind == "category":
        cats = [_from_json_value(c) for c in json.loads(attrs["irtgap_categories"])]
        return pd.Categorical.from_codes(
            np.asarray(values, dtype=np.int64),
            categories=cats,
            ordered=bool(attrs["irtgap_ordered"]),
        )
    if kind == "boolean":
        arr = pd.array(np.asarray(values).astype(bool), dtype="boolean")
        if na is not None:
            arr[na] = pd.NA
        return arr
    if kind == "datetime":
        unit = attrs["irtgap_unit"]
        out = pd.Series(np.asarray(values, dtype=np.int64).view(f"M8[{unit}]"))
        if attrs["irtgap_tz"]:
            out = out.dt.tz_localize("UTC").dt.tz_convert(attrs["irtgap_tz"])
        return out.to_numpy() if not attrs["irtgap_tz"] else out.array
    if kind == "timedelta":
        return np.asarray(values, dtype=np.int64).view(f"m8[{attrs['irtgap_unit']}]")
    if kind == "string":
        na_value = pd.NA if attrs["irtgap_na"] == "NA" else np.nan
        string_dtype = pd.StringDtype(storage=attrs["irtgap_storage"], na_value=na_value)
        obj = np.asarray(values, dtype=object).copy()
        if na is not None:
            obj[na] = None
        return pd.array(obj, dtype=string_dtype)
    if kind == "bool":
        return np.asarray(values).astype(bool)
    if kind == "numpy":
        return np.asarray(values).astype(np.dtype(dtype))
    if kind == "masked":
        out = pd.Series(np.asarray(values)).astype(dtype)
        if na is not None and na.any():
            out = out.mask(pd.Series(na))
        return out.array
    objs = np.empty(len(values), dtype=object)
    objs[:] = [_from_json_value(json.loads(str(t))) for t in values]
    if dtype != "object":
        try:
            return pd.Series(objs).astype(dtype).array
        except (TypeError, ValueError):
            return objs
    return objs


def encode_frame(df: pd.DataFrame) -> xr.Dataset:
    """A DataFrame as an xarray Dataset that netCDF can store and :func:`decode_frame` restores
    with the same dtypes, index and column names (one variable per column, ``c0``, ``c1``...,
    along dimension ``row``; NA masks as ``c0_isna``...)."""
    plain_index = isinstance(df.index, pd.RangeIndex) and df.index.equals(pd.RangeIndex(len(df)))
    flat = df.reset_index(drop=True) if plain_index else df.reset_index()
    variables: dict[str, xr.Variable] = {}
    for i in range(flat.shape[1]):
        values, attrs, na = _encode_column(flat.iloc[:, i])
        attrs["irtgap_name"] = json.dumps(_json_value(flat.columns[i]))
        variables[f"c{i}"] = xr.Variable(_ROW, values, attrs)
        if na is not None:
            variables[f"c{i}_isna"] = xr.Variable(_ROW, na.astype(np.int8))
    ds = xr.Dataset(variables)
    ds.attrs.update(
        irtgap_codec=CODEC_VERSION,
        irtgap_n_columns=int(flat.shape[1]),
        irtgap_index=json.dumps(None if plain_index else [_json_value(n) for n in df.index.names]),
        irtgap_columns_name=json.dumps(_json_value(df.columns.name)),
        irtgap_index_name=json.dumps(_json_value(df.index.name)),
    )
    return ds


def decode_frame(ds: xr.Dataset) -> pd.DataFrame:
    """The DataFrame stored by :func:`encode_frame`.

    Raises
    ------
    ValueError
        ``ds`` was not written by :func:`encode_frame` (it has no ``irtgap_codec`` attribute).
    """
    if "irtgap_codec" not in ds.attrs:
        raise ValueError(
            "decode_frame: the table has no 'irtgap_codec' attribute, so it was not written by "
            f"irtgap.core.frames.encode_frame (its variables: {sorted(map(str, ds.data_vars))[:8]})"
        )
    columns: dict[Any, Any] = {}
    names = []
    for i in range(int(ds.attrs["irtgap_n_columns"])):
        var = ds[f"c{i}"]
        mask = ds[f"c{i}_isna"].to_numpy().astype(bool) if f"c{i}_isna" in ds else None
        name = _from_json_value(json.loads(var.attrs["irtgap_name"]))
        names.append(name)
        columns[i] = _decode_column(var.to_numpy(), dict(var.attrs), mask)
    n_rows = int(ds.sizes.get(_ROW, 0))
    out = pd.DataFrame(columns, index=pd.RangeIndex(n_rows))
    out.columns = pd.Index(
        names, name=_from_json_value(json.loads(ds.attrs["irtgap_columns_name"]))
    )
    index = json.loads(ds.attrs["irtgap_index"])
    if index is not None:
        keys = list(out.columns[: len(index)])
        out = out.set_index(keys)
        out.index.names = [_from_json_value(n) for n in index]
    return out
