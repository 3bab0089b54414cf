"""A hang guard for scans over hostile text, not a speed figure.

The parsers, classifiers and the redactor are regular-expression scans that must stay linear in their input
(no catastrophic backtracking). Super-linear backtracking over the tests' inputs (10 KB to 1 MB) takes
minutes to hours, so a bound this loose still catches it, while a slow or busy CI machine (two pytest
workers on two cores) stays far inside it. The speed itself is measured by ``python -m benchmarks scan``
(:mod:`benchmarks.text_scan`), beside plain regexes in the same run.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

HANG_GUARD_S = 30.0
"""CPU seconds one call may take before the test calls it a hang (about 100 times the slowest figure of
``benchmarks.text_scan`` on the development machine: 0.55 s for 1 MB)."""


def without_hanging(fn: Callable[[], T]) -> T:
    """Call ``fn`` and return its result; fail the test if it took more than :data:`HANG_GUARD_S` of CPU.

    Raises:
        AssertionError: the call took longer than the guard (a super-linear scan).
    """
    started = time.process_time()
    result = fn()
    spent = time.process_time() - started
    assert spent < HANG_GUARD_S, f"took {spent:.1f} s of CPU: a super-linear scan (see tests/hang_guard.py)"
    return result
