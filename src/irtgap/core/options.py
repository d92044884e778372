"""Checks of the options every function takes: choices, switches, counts, levels, numbers,
seeds, names and worker counts.

Each check refuses a bad value with a :class:`~irtgap.core.errors.ScoreDataError` (a
``ValueError``) that names the option and says what to give, so that a typo is never taken as
some default.
"""

from __future__ import annotations

import numbers
from collections.abc import Collection, Iterable, Mapping
from typing import Any

import numpy as np

from irtgap.core.errors import ScoreDataError


def show_values(values: Iterable[Any], limit: int = 8) -> str:
    """The first ``limit`` values, comma-separated, with the total when there are more.

    Parameters
    ----------
    values : iterable
        The values to show (each as ``str``).
    limit : int
        How many to show at most.

    Returns
    -------
    str
        ``"a, b, c"``, or ``"a, b, ... (12 in all)"`` when there are more than ``limit``.
    """
    v = list(values)
    s = ", ".join(str(x) for x in v[:limit])
    return s + (f", ... ({len(v)} in all)" if len(v) > limit else "")


def check_choice(option: str, value: Any, allowed: Collection[Any]) -> None:
    """Raise naming ``option`` and the allowed values unless ``value`` is one of ``allowed``.

    The one validator of literal options (``duplicates=``, ``sparse_benchmarks=``, ...): a typo
    such as ``sparse_benchmarks='ignore'`` is refused, never taken as some default.

    Parameters
    ----------
    option : str
        The option's name, for the message.
    value : object
        The value given.
    allowed : sequence
        The values allowed (booleans are never allowed: ``True == 1``).
    """
    try:
        ok = value in allowed and not isinstance(value, bool | np.bool_)
    except TypeError:  # unhashable value
        ok = False
    if not ok:
        raise ScoreDataError(
            f"{option}={value!r} is not an option: use one of {', '.join(map(repr, allowed))}"
        )


def check_bool(option: str, value: Any) -> None:
    """Raise unless ``value`` is a boolean (``registry='no'`` would otherwise count as true).

    Parameters
    ----------
    option : str
        The option's name, for the message.
    value : object
        The value given.
    """
    if not isinstance(value, bool | np.bool_):
        raise ScoreDataError(f"{option}={value!r}: use True or False")


def check_count(option: str, value: Any, *, minimum: int = 1) -> int:
    """An integer option of at least ``minimum``, as a Python ``int``; raise naming it otherwise.

    Parameters
    ----------
    option : str
        The option's name, for the message.
    value : object
        The value given (an ``int`` or a numpy integer; not a bool).
    minimum : int
        The smallest value allowed.

    Returns
    -------
    int
    """
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | np.integer):
        raise ScoreDataError(f"{option}={value!r}: give a whole number of at least {minimum}")
    if value < minimum:
        raise ScoreDataError(f"{option}={value!r}: must be at least {minimum}")
    return int(value)


def check_level(option: str, value: Any) -> float:
    """A level strictly between 0 and 1 (``ci_prob=``), as a float; raise naming ``option``
    otherwise.

    Parameters
    ----------
    option : str
        The option's name, for the message.
    value : object
        The value given (a real number, not a bool).

    Returns
    -------
    float
    """
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)
    if not ok or not 0 < float(value) < 1:
        raise ScoreDataError(
            f"{option}={value!r}: give a number strictly between 0 and 1 (0.9 for a 90% interval)"
        )
    return float(value)


def check_number(
    option: str,
    value: Any,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    above: float | None = None,
) -> float:
    """A finite real option within bounds (``minimum``/``maximum`` inclusive, ``above`` strict).

    Parameters
    ----------
    option : str
        The option's name, for the message.
    value : object
        The value given (a real number, not a bool).
    minimum, maximum : float, optional
        Inclusive bounds.
    above : float, optional
        A strict lower bound.

    Returns
    -------
    float
    """
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)
    if not ok or not np.isfinite(float(value)):
        raise ScoreDataError(f"{option}={value!r}: give a finite number")
    v = float(value)
    if (
        (minimum is not None and v < minimum)
        or (maximum is not None and v > maximum)
        or (above is not None and v <= above)
    ):
        parts = [
            f"at least {minimum:g}" if minimum is not None else "",
            f"above {above:g}" if above is not None else "",
            f"at most {maximum:g}" if maximum is not None else "",
        ]
        raise ScoreDataError(f"{option}={value!r}: must be {' and '.join(p for p in parts if p)}")
    return v


def check_seed(option: str, value: Any, *, generator: bool = False) -> Any:
    """A non-negative whole-number seed (or a ``numpy.random.Generator`` where allowed).

    Parameters
    ----------
    option : str
        The option's name, for the message.
    value : object
        The seed given.
    generator : bool
        Whether a ``numpy.random.Generator`` is accepted (and returned as is).

    Returns
    -------
    int or numpy.random.Generator
    """
    if generator and isinstance(value, np.random.Generator):
        return value
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | np.integer) or value < 0:
        extra = " or a numpy.random.Generator" if generator else ""
        raise ScoreDataError(f"{option}={value!r}: give a non-negative whole number{extra}")
    return int(value)


def check_names(option: str, given: Any, known: Iterable[str], *, what: str) -> list[str]:
    """Names as a list (a single string is one name, not letters); unknown names raise.

    The error names ``option`` and each unknown name, and lists the names that exist.

    Parameters
    ----------
    option : str
        The option's name, for the message.
    given : str or iterable of str
        The names given.
    known : iterable of str
        The names that exist.
    what : str
        What the names name (``"benchmark"``, ``"model"``...), for the message.

    Returns
    -------
    list of str
        The names, in the order given, without repeats.
    """
    if isinstance(given, str):
        names = [given]
    elif isinstance(given, Iterable) and not isinstance(given, bytes | Mapping):
        names = list(given)
    else:
        raise ScoreDataError(f"{option}={given!r}: give a {what} name or a list of {what} names")
    bad = [n for n in names if not isinstance(n, str)]
    if bad:
        raise ScoreDataError(
            f"{option}: {what} names must be strings, got {show_values(map(repr, bad))}"
        )
    if not names:
        raise ScoreDataError(f"{option}: the list of {what} names is empty")
    known = list(known)
    unknown = sorted(set(names) - set(known))
    if unknown:
        raise ScoreDataError(
            f"{option}: unknown {what} name(s) {show_values(map(repr, unknown))}; the data has "
            f"{show_values(sorted(known), 40)}"
        )
    return list(dict.fromkeys(names))


def check_n_jobs(value: Any) -> int:
    """A joblib worker count: a non-zero whole number (1: serial, -1: every core)."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | np.integer) or value == 0:
        raise ScoreDataError(
            f"n_jobs={value!r}: give a non-zero whole number (1: serial, -1: every core)"
        )
    return int(value)
