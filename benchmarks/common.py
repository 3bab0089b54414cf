"""Shared helpers of the benchmarks: percentiles, the machine's description, JSON output and tables.

Every benchmark writes one JSON file (default ``runs/bench/<name>.json``) whose top level holds
``"machine"`` (:func:`machine`), ``"errors"`` (a list of strings; a run with errors exits non-zero) and
``"headline"``: rows of :class:`Headline` that ``python -m benchmarks`` gathers into one table.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import json
import math
import os
import platform
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = ROOT / "runs" / "bench"
"""Where the benchmarks write their JSON by default."""


@dataclass(frozen=True)
class Headline:
    """One row of the combined table: a figure of the desk beside its baseline measured in the same run.

    Attributes:
        figure: What is measured, e.g. ``"handoff p50, 6 exchanges"``.
        desk: The desk's value (``None`` when not measured).
        baseline: The baseline's value (``None`` when the figure has no baseline).
        unit: ``"ms"``, ``"s"``, ``"MB"``...
        ratio: ``desk / baseline`` (``None`` when either is missing or the baseline is 0).
    """

    figure: str
    desk: float | None
    baseline: float | None
    unit: str
    ratio: float | None = None

    @staticmethod
    def of(figure: str, desk: float | None, baseline: float | None, unit: str, *, digits: int = 2) -> Headline:
        """A row with its ratio computed and values rounded to ``digits`` decimals."""
        return Headline(
            figure,
            None if desk is None else round(desk, digits),
            None if baseline is None else round(baseline, digits),
            unit,
            ratio(desk, baseline),
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: ``{"figure", "desk", "baseline", "ratio", "unit"}``."""
        return asdict(self)


def ratio(desk: float | None, baseline: float | None) -> float | None:
    """``desk / baseline`` rounded to 2 decimals, ``None`` when either is missing or the baseline is 0."""
    if desk is None or baseline is None or baseline == 0:
        return None
    return round(desk / baseline, 2)


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0–100) of ``values``, linear interpolation between closest ranks
    (numpy's default ``linear`` method).

    Raises:
        ValueError: ``values`` is empty or ``q`` is outside 0–100.
    """
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} outside 0-100")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def summary(values: Sequence[float], *, scale: float = 1.0, digits: int = 3) -> dict[str, float | int]:
    """``{"n", "p50", "p90", "p99", "max", "min", "mean"}`` of ``values`` times ``scale`` (e.g. 1000 for s → ms).

    Returns ``{"n": 0}`` for no values.
    """
    if not values:
        return {"n": 0}
    scaled = [v * scale for v in values]
    return {
        "n": len(scaled),
        "p50": round(percentile(scaled, 50), digits),
        "p90": round(percentile(scaled, 90), digits),
        "p99": round(percentile(scaled, 99), digits),
        "max": round(max(scaled), digits),
        "min": round(min(scaled), digits),
        "mean": round(sum(scaled) / len(scaled), digits),
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 2**20, 1)
    except (OSError, ValueError):
        pass
    return None


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def machine() -> dict[str, Any]:
    """Where and when the figures were measured: CPU model, cores, RAM (GB), load average, Python and
    livekit-agents versions, and the local date and time (ISO 8601)."""
    try:
        load: list[float] | None = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        load = None
    return {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gb": _memory_gb(),
        "load_average": load,
        "python": platform.python_version(),
        "livekit_agents": _version("livekit-agents"),
        "platform": platform.platform(),
    }


def write_json(path: Path, report: dict[str, Any]) -> None:
    """Write ``report`` to ``path`` (folders created), indented."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, default=str) + "\n")


def fmt(value: float | None, digits: int = 2) -> str:
    """A number for a table cell ("–" when missing)."""
    return "–" if value is None else f"{value:.{digits}f}"


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain-text table with columns padded to their widest cell (first column left-aligned)."""
    cells = [[str(h) for h in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = []
    for n, row in enumerate(cells):
        parts = [c.ljust(widths[i]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(row)]
        lines.append("  ".join(parts))
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def headline_table(rows: Sequence[Headline | dict[str, Any]]) -> str:
    """The ``figure | desk | baseline | ratio`` table of headline rows (objects or their JSON form)."""
    body = []
    for row in rows:
        r = row.to_dict() if isinstance(row, Headline) else row
        unit = f" {r.get('unit', '')}".rstrip()
        body.append(
            [
                r["figure"],
                f"{fmt(r.get('desk'))}{unit}" if r.get("desk") is not None else "–",
                f"{fmt(r.get('baseline'))}{unit}" if r.get("baseline") is not None else "–",
                "–" if r.get("ratio") is None else f"{r['ratio']:.2f}x",
            ]
        )
    return table(["figure", "desk", "baseline", "ratio"], body)


def finish(name: str, out: Path, report: dict[str, Any]) -> int:
    """Write the report, print its headline table and the verdict; returns the exit status.

    A run with entries in ``report["errors"]`` says so and returns 1 (the figures are not to be trusted).
    """
    write_json(out, report)
    print(headline_table(report.get("headline", [])))
    errors: list[str] = report.get("errors", [])
    if errors:
        print(f"\n{name}: FAILED with {len(errors)} error(s):", file=sys.stderr)
        for e in errors[:10]:
            print(f"  - {e}", file=sys.stderr)
        print(f"report: {out}")
        return 1
    print(f"report: {out}")
    return 0


def quiet_logs() -> None:
    """Keep LiveKit's and the desk's INFO logs off the console (the benchmarks print their own figures)."""
    import logging

    logging.basicConfig(level=logging.WARNING)
    for name in ("livekit", "livekit.agents", "marketplace"):
        logging.getLogger(name).setLevel(logging.WARNING)
