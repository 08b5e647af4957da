"""Boundary checks shared by every stage (the ``_iv_*`` habit of scipy.stats).

Each check raises ``ValueError`` naming the argument and the offending value, and
returns the checked value (converted where that is its job), so a function starts::

    durations = finite_array("durations", durations, ndim=1)
    check_positive("D_nm2_per_ns", D_nm2_per_ns)

Configuration dataclasses call the scalar checks in ``__post_init__`` so that library
callers that bypass the schema still get an error naming the field.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = [
    "check_positive",
    "check_probability",
    "check_int_at_least",
    "check_choice",
    "finite_array",
]


def check_positive(
    name: str, value: float, *, allow_zero: bool = False, allow_inf: bool = False
) -> float:
    """Check that a scalar is > 0 (or >= 0 with ``allow_zero``) and not NaN.

    Parameters
    ----------
    name : str
        Name used in the error message (argument or configuration key).
    value : float
        The value to check.
    allow_zero : bool
        Accept 0.
    allow_inf : bool
        Accept +inf (rejected by default: a physical quantity is finite).

    Returns
    -------
    float
        ``value``.

    Raises
    ------
    ValueError
        Naming ``name`` and the value.
    """
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    bound = ">= 0" if allow_zero else "> 0"
    if math.isnan(number) or (math.isinf(number) and not allow_inf):
        raise ValueError(f"{name} must be finite and {bound}, got {value!r}")
    if number < 0 or (number == 0 and not allow_zero):
        raise ValueError(f"{name} must be {bound}, got {value!r}")
    return value


def check_probability(name: str, value: float) -> float:
    """Check that a scalar lies in [0, 1].

    Parameters
    ----------
    name : str
        Name used in the error message.
    value : float
        The value to check.

    Returns
    -------
    float
        ``value``.

    Raises
    ------
    ValueError
        If ``value`` is NaN or outside [0, 1].
    """
    if not 0 <= value <= 1:
        raise ValueError(f"{name} must be in [0, 1], got {value!r}")
    return value


def check_int_at_least(name: str, value: int, minimum: int) -> int:
    """Check that ``value`` is an integer (``bool`` excluded) and ``>= minimum``.

    Parameters
    ----------
    name : str
        Name used in the error message.
    value : int
        The value to check.
    minimum : int
        Smallest allowed value.

    Returns
    -------
    int
        ``value``.

    Raises
    ------
    ValueError
        If ``value`` is not an integer or is below ``minimum``.
    """
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value!r}")
    return value


def check_choice(name: str, value: Any, choices: tuple) -> Any:
    """Check that ``value`` is one of ``choices``.

    Parameters
    ----------
    name : str
        Name used in the error message.
    value : object
        The value to check.
    choices : tuple
        Allowed values.

    Returns
    -------
    object
        ``value``.

    Raises
    ------
    ValueError
        Listing the allowed values.
    """
    if value not in choices:
        raise ValueError(f"{name} must be one of {choices}, got {value!r}")
    return value


def finite_array(
    name: str, values: Any, *, ndim: int | None = 1, min_size: int = 0, dtype=float
) -> np.ndarray:
    """Convert to an array and check dimensions, size and finiteness.

    Parameters
    ----------
    name : str
        Name used in the error message.
    values : array_like
        The input.
    ndim : int or None
        Required number of dimensions (None: any).
    min_size : int
        Smallest allowed number of elements.
    dtype : numpy dtype
        Dtype of the returned array.

    Returns
    -------
    np.ndarray
        ``np.asarray(values, dtype=dtype)``.

    Raises
    ------
    ValueError
        If the array has the wrong dimensions, too few elements, or a NaN or inf.
    """
    try:
        array = np.asarray(values, dtype=dtype)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be numeric: {err}") from None
    if ndim is not None and array.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got shape {array.shape}")
    if array.size < min_size:
        raise ValueError(f"{name} must have >= {min_size} elements, got {array.size}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    return array
