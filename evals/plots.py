"""Figures of the evals HTML report, drawn with matplotlib and returned as inline SVG strings.

Every function takes the parsed ``results.json`` dict (shape: ``/work/evals_results_schema.md``, written by
``python -m evals run``) and returns one ``<svg>…</svg>`` string, ready to paste into HTML: no file is
written, no XML prolog or DOCTYPE, no external font (text is kept as SVG ``<text>`` in a generic
sans-serif family, so the browser draws it with a local font), ids unique per figure. Empty data
(no trials, no LLM turns, a single trial per scenario) gives a small figure that says so instead of
raising.

The figures:

- :func:`pass_hat_k_svg` — the τ-bench reliability curve pass^k for k = 1…n (Yao et al. 2024,
  "τ-bench", pass^k = C(c, k) / C(n, k) per scenario, averaged over scenarios), overall and per agent.
- :func:`latency_svg` — the response latency of every caller turn (caller stops → agent answers),
  code-led turns vs turns that waited for the LLM: a histogram and an ECDF with p50/p90 marked.
- :func:`wall_time_svg` — the wall time of each trial, one box per scenario, passed and failed
  trials drawn as points.
"""

from __future__ import annotations

import functools
import io
import math
import re
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from matplotlib.typing import RcKeyType

MAX_AGENT_LINES = 14
"""Per-agent pass^k lines are drawn only when the suite has at most this many agents (the desk has 14)."""

CODE_COLOUR = "#2b6cb0"
LLM_COLOUR = "#dd6b20"
PASS_COLOUR = "#2f855a"
FAIL_COLOUR = "#c53030"
INK = "#1a202c"
GRID = "#e2e8f0"

_RC: dict[RcKeyType, Any] = {
    "svg.fonttype": "none",  # text stays <text>: small files, no embedded glyphs, no font download
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Helvetica", "Arial", "Liberation Sans"],
    "font.size": 9.5,
    "axes.edgecolor": "#a0aec0",
    "axes.labelcolor": INK,
    "axes.titlesize": 10.5,
    "axes.titleweight": "bold",
    "xtick.color": "#4a5568",
    "ytick.color": "#4a5568",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
    "legend.fontsize": 8.5,
}


def _styled(draw: Callable[[Mapping[str, Any]], str]) -> Callable[[Mapping[str, Any]], str]:
    """Run a figure function inside the report's rc settings (no change to the caller's global rcParams)."""

    @functools.wraps(draw)
    def wrapper(results: Mapping[str, Any]) -> str:
        with matplotlib.rc_context(_RC):
            return draw(results)

    return wrapper


def _figure(width_in: float, height_in: float, ncols: int = 1) -> tuple[Figure, list[Any]]:
    """A figure with ``ncols`` axes side by side.

    Object-oriented API only: no pyplot, no GUI backend, no global figure registry, so it is safe in
    any process (the runner, a test, a thread); saving as SVG needs no display.
    """
    fig = Figure(figsize=(width_in, height_in), layout="constrained")
    axes = [fig.add_subplot(1, ncols, i + 1) for i in range(ncols)]
    return fig, axes


def _to_svg(fig: Figure, label: str) -> str:
    """Render ``fig`` to an SVG string fit for inlining.

    Args:
        fig: the figure.
        label: accessible name of the figure (``aria-label``), also used as its CSS class suffix.

    Returns:
        ``<svg …>…</svg>`` without XML prolog, DOCTYPE, date metadata or fixed width/height (it scales
        to its container; the ``viewBox`` keeps the aspect ratio).
    """
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None}, facecolor="white")
    svg = buf.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, count=1, flags=re.DOTALL)
    head_end = svg.index(">")
    head = svg[:head_end]
    head = re.sub(r'\s(width|height)="[^"]*"', "", head)
    safe = re.sub(r"[^a-z0-9-]+", "-", label.lower()).strip("-")
    head += f' class="plot plot-{safe}" role="img" aria-label="{_attr(label)}" preserveAspectRatio="xMidYMid meet"'
    return head + svg[head_end:]


def _attr(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")


def _empty(label: str, message: str, width_in: float = 6.4, height_in: float = 1.2) -> str:
    """A small figure holding only ``message`` (used when there is nothing to draw)."""
    fig, (ax,) = _figure(width_in, height_in)
    ax.set_axis_off()
    ax.text(0.5, 0.5, message, ha="center", va="center", color="#718096", fontsize=10, transform=ax.transAxes)
    return _to_svg(fig, label)


def _scenarios(results: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [s for s in results.get("scenarios") or [] if isinstance(s, Mapping)]


def _curve(pass_hat_k: Mapping[str, Any] | None) -> dict[int, float]:
    """``{"1": 0.8, "2": 0.6}`` → ``{1: 0.8, 2: 0.6}``, skipping keys or values that are not numbers."""
    out: dict[int, float] = {}
    for key, value in (pass_hat_k or {}).items():
        try:
            k = int(key)
        except (TypeError, ValueError):
            continue
        if isinstance(value, int | float) and not math.isnan(float(value)):
            out[k] = float(value)
    return dict(sorted(out.items()))


def agent_curves(results: Mapping[str, Any]) -> dict[str, dict[int, float]]:
    """pass^k per agent: the mean, over that agent's scenarios, of each scenario's pass^k.

    Args:
        results: the parsed results dict.

    Returns:
        ``{agent: {k: pass^k}}``, agents sorted by name; a k is present only when every scenario of the
        agent has it (scenarios with fewer trials have no pass^k for larger k).
    """
    grouped: dict[str, list[dict[int, float]]] = defaultdict(list)
    for scenario in _scenarios(results):
        curve = _curve(scenario.get("pass_hat_k"))
        if curve:
            grouped[str(scenario.get("agent") or "?")].append(curve)
    out: dict[str, dict[int, float]] = {}
    for agent in sorted(grouped):
        curves = grouped[agent]
        ks = set.intersection(*(set(c) for c in curves))
        out[agent] = {k: sum(c[k] for c in curves) / len(curves) for k in sorted(ks)}
    return out


@_styled
def pass_hat_k_svg(results: Mapping[str, Any]) -> str:
    """The pass^k curve, k = 1…n: the suite's (``summary.pass_hat_k``) bold, each agent's thin.

    Per-agent lines are drawn when there are at most :data:`MAX_AGENT_LINES` agents (labelled at the
    line's end). With one trial per scenario the "curve" is a single point at k = 1.

    Args:
        results: the parsed results dict.

    Returns:
        An inline SVG string.
    """
    overall = _curve((results.get("summary") or {}).get("pass_hat_k"))
    if not overall:
        return _empty("pass^k curve", "No pass^k figures: no trials ran.")
    agents = agent_curves(results)
    draw_agents = 1 < len(agents) <= MAX_AGENT_LINES
    fig, (ax,) = _figure(6.4, 3.8)
    ks = list(overall)
    if draw_agents:
        cmap = matplotlib.colormaps["tab20"]
        for i, (agent, curve) in enumerate(agents.items()):
            if not curve:
                continue
            xs = list(curve)
            # small deterministic vertical offset so identical agent curves don't hide each other
            offset = (i - len(agents) / 2) * 0.004
            ax.plot(
                xs,
                [curve[k] + offset for k in xs],
                lw=1.0,
                alpha=0.8,
                color=cmap(i % 20),
                marker="o",
                ms=2.5,
                label=agent,
            )
    ys = [overall[k] for k in ks]
    ax.plot(ks, ys, lw=2.6, color=INK, marker="o", ms=5, label="all scenarios", zorder=5)
    for k, y in zip(ks, ys, strict=True):
        ax.annotate(f"{y:.2f}", (k, y), xytext=(0, 7), textcoords="offset points", ha="center", fontsize=8, zorder=6)
    ax.set_xticks(ks)
    ax.set_xlim(ks[0] - 0.3, ks[-1] + 0.3)
    ax.set_ylim(-0.03, 1.08)
    ax.set_xlabel("k (trials that must all pass)")
    ax.set_ylabel("pass^k")
    ax.set_title("pass^k (τ-bench), mean over scenarios", loc="left")
    ax.grid(True, axis="y", color=GRID, lw=0.8)
    if draw_agents:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7.5, handlelength=1.4, labelspacing=0.35)
    else:
        ax.legend(loc="lower left")
    return _to_svg(fig, "pass^k curve")


def turn_latencies(results: Mapping[str, Any]) -> tuple[list[float], list[float], int]:
    """Every caller turn's response latency, split by who answered.

    Args:
        results: the parsed results dict.

    Returns:
        ``(code_s, llm_s, timed_out)``: latencies in seconds of code-led turns (``by_code`` true) and of
        turns that waited for the LLM, and how many turns timed out (left out of both lists).
    """
    code: list[float] = []
    llm: list[float] = []
    timed_out = 0
    for scenario in _scenarios(results):
        for trial in scenario.get("trials") or []:
            for turn in trial.get("turns") or []:
                latency = turn.get("response_latency_s")
                if turn.get("timed_out") or not isinstance(latency, int | float):
                    timed_out += bool(turn.get("timed_out"))
                    continue
                (code if turn.get("by_code") else llm).append(float(latency))
    return code, llm, timed_out


def _percentiles(values: Sequence[float], stats: Mapping[str, Any] | None) -> tuple[float, float]:
    """p50 and p90: the runner's figures (``summary.latency_s.<group>``) when present, else computed here."""
    stats = stats or {}
    p50, p90 = stats.get("p50"), stats.get("p90")
    if isinstance(p50, int | float) and isinstance(p90, int | float):
        return float(p50), float(p90)
    arr = np.asarray(values, dtype=float)
    return float(np.percentile(arr, 50)), float(np.percentile(arr, 90))


@_styled
def latency_svg(results: Mapping[str, Any]) -> str:
    """Response latency per caller turn: histogram (log-spaced bins) and ECDF, code-led vs LLM turns.

    p50 and p90 of each group are marked on the ECDF as dashed vertical lines (values from
    ``summary.latency_s`` when the runner wrote them, otherwise computed from the turns). Timed-out
    turns are not in the distribution; their count is in the title.

    Args:
        results: the parsed results dict.

    Returns:
        An inline SVG string.
    """
    code, llm, timed_out = turn_latencies(results)
    if not code and not llm:
        return _empty("latency distribution", "No turn latencies recorded.")
    stats = (results.get("summary") or {}).get("latency_s") or {}
    groups = [
        (name, values, colour, stats.get(key))
        for name, key, values, colour in (("code-led", "code", code, CODE_COLOUR), ("LLM", "llm", llm, LLM_COLOUR))
        if values
    ]
    everything = code + llm
    lo = max(min(everything), 0.01)
    hi = max(max(everything), lo * 1.5)
    bins = np.geomspace(lo / 1.15, hi * 1.15, 30)
    fig, (hist, ecdf) = _figure(9.6, 3.8, ncols=2)
    for name, values, colour, _ in groups:
        hist.hist(values, bins=bins, color=colour, alpha=0.7, label=f"{name} (n={len(values)})")
    hist.set_xscale("log")
    hist.set_xlabel("response latency (s, log scale)")
    hist.set_ylabel("turns")
    hist.set_title("Turn latency histogram", loc="left")
    hist.legend(loc="upper right")
    hist.grid(True, axis="y", color=GRID, lw=0.8)

    for name, values, colour, group_stats in groups:
        xs = np.sort(np.asarray(values, dtype=float))
        ys = np.arange(1, len(xs) + 1) / len(xs)
        ecdf.step(xs, ys, where="post", color=colour, lw=1.8, label=name)
        p50, p90 = _percentiles(values, group_stats)
        for q, value, style in (("p50", p50, "--"), ("p90", p90, ":")):
            ecdf.axvline(value, color=colour, ls=style, lw=1.1)
            ecdf.annotate(
                f"{name} {q} {value:.2f}s",
                (value, 0.5 if q == "p50" else 0.9),
                xytext=(3, -10 if name == "LLM" else 4),
                textcoords="offset points",
                fontsize=7.5,
                color=colour,
            )
    ecdf.set_xscale("log")
    ecdf.set_ylim(0, 1.04)
    ecdf.set_xlabel(
        "response latency (s, log scale)" + (f" — {timed_out} timed-out turn(s) not shown" if timed_out else "")
    )
    ecdf.set_ylabel("share of turns ≤ x")
    ecdf.set_title("ECDF, p50 dashed, p90 dotted", loc="left")
    ecdf.grid(True, color=GRID, lw=0.8)
    ecdf.legend(loc="lower right")
    return _to_svg(fig, "latency distribution")


@_styled
def wall_time_svg(results: Mapping[str, Any]) -> str:
    """Wall time of every trial, one horizontal box per scenario; passed trials green, failed red.

    Args:
        results: the parsed results dict.

    Returns:
        An inline SVG string (its height grows with the number of scenarios, ~0.26 in per scenario).
    """
    rows: list[tuple[str, list[float], list[bool]]] = []
    for scenario in _scenarios(results):
        walls: list[float] = []
        passed: list[bool] = []
        for trial in scenario.get("trials") or []:
            wall = trial.get("wall_s")
            if isinstance(wall, int | float):
                walls.append(float(wall))
                passed.append(bool(trial.get("passed")))
        if walls:
            rows.append((str(scenario.get("id", "?")), walls, passed))
    if not rows:
        return _empty("wall time per scenario", "No trial wall times recorded.")
    fig, (ax,) = _figure(13.0, 1.1 + 0.3 * len(rows))
    positions = list(range(len(rows), 0, -1))
    ax.boxplot(
        [walls for _, walls, _ in rows],
        positions=positions,
        orientation="horizontal",
        widths=0.55,
        showfliers=False,
        medianprops={"color": INK, "lw": 1.2},
        boxprops={"color": "#a0aec0"},
        whiskerprops={"color": "#a0aec0"},
        capprops={"color": "#a0aec0"},
    )
    for pos, (_, walls, passed) in zip(positions, rows, strict=True):
        for wall, ok in zip(walls, passed, strict=True):
            ax.plot(
                wall,
                pos,
                marker="o" if ok else "X",
                ms=4.5 if ok else 6,
                color=PASS_COLOUR if ok else FAIL_COLOUR,
                ls="none",
                zorder=4,
            )
    ax.set_yticks(positions, [name for name, _, _ in rows], fontsize=8)
    ax.set_xlabel("trial wall time (s)")
    ax.set_title("Wall time per trial (● passed, ✕ failed)", loc="left")
    ax.grid(True, axis="x", color=GRID, lw=0.8)
    ax.set_xlim(left=0)
    return _to_svg(fig, "wall time per scenario")
