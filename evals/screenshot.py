"""Screenshot the evals HTML report in headless Chromium and check that it rendered.

Usage::

    python -m evals.screenshot runs/evals/<run>/report.html report.png [--width 1400] [--height 2000]
                               [--chromium /usr/bin/chromium]

Takes a PNG of the top ``width × height`` pixels of the page
(``chromium --headless --screenshot=OUT.png --window-size=W,H file://…``), then checks the page really
rendered: the DOM that Chromium built (``--dump-dom``) holds the summary tiles (``id="summary"``) and
the plots' ``<svg>`` elements, and the PNG is not trivial (at least :data:`MIN_PNG_BYTES` bytes and more
than one colour). Exit status 0 when all holds; 1 with one line per problem otherwise; 2 when Chromium is
not installed (``apt-get install -y chromium`` on Debian).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
"""Executables tried, in order, when ``--chromium`` is not given (``$CHROMIUM`` overrides both)."""

MIN_PNG_BYTES = 20_000
"""A 1400×2000 screenshot of the report is ~150–400 kB; a blank page compresses to a few kB."""

MIN_SVG_ELEMENTS = 3
"""The report has three figures (pass^k, latency, wall time); each is one top-level ``<svg>``."""

INSTALL_HINT = "install it with: apt-get install -y chromium (Debian/Ubuntu), or pass --chromium PATH"


class ChromiumMissing(RuntimeError):
    """No Chromium/Chrome executable was found."""


def find_chromium(explicit: str | None = None) -> str | None:
    """The Chromium executable to use.

    Args:
        explicit: a path or name given by the caller; wins when set.

    Returns:
        An absolute path, or ``None`` when neither ``explicit``, ``$CHROMIUM`` nor any of
        :data:`CHROMIUM_NAMES` is on ``PATH``.
    """
    for candidate in (explicit, os.environ.get("CHROMIUM"), *CHROMIUM_NAMES):
        if candidate:
            found = shutil.which(candidate)
            if found:
                return found
    return None


def _run_chromium(chromium: str, args: Sequence[str], timeout_s: float) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium with a throw-away profile (parallel runs don't fight over a profile lock)."""
    with tempfile.TemporaryDirectory(prefix="evals-chromium-") as profile:
        command = [
            chromium,
            "--headless",
            "--disable-gpu",
            "--no-sandbox",  # needed as root (containers, CI); the page is our own local file
            "--hide-scrollbars",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-extensions",
            "--disable-dev-shm-usage",
            f"--user-data-dir={profile}",
            *args,
        ]
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout_s, check=False)


def take_screenshot(
    report: Path, out: Path, *, chromium: str, width: int = 1400, height: int = 2000, timeout_s: float = 120
) -> None:
    """Write a PNG of the top ``width × height`` CSS pixels of ``report``.

    Args:
        report: the HTML file.
        out: the PNG to write (parent folders created).
        chromium: the executable (:func:`find_chromium`).
        width, height: the window size in CSS pixels.
        timeout_s: give up after this many seconds.

    Raises:
        RuntimeError: Chromium exited non-zero or wrote no file (its stderr tail is in the message).
        subprocess.TimeoutExpired: it took longer than ``timeout_s``.
    """
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.exists():
        out.unlink()
    proc = _run_chromium(
        chromium, [f"--screenshot={out}", f"--window-size={width},{height}", report.resolve().as_uri()], timeout_s
    )
    if proc.returncode != 0 or not out.exists():
        raise RuntimeError(f"chromium --screenshot failed (exit {proc.returncode}): {proc.stderr.strip()[-800:]}")


def dump_dom(report: Path, *, chromium: str, timeout_s: float = 120) -> str:
    """The DOM Chromium built for ``report``, serialised (``--dump-dom``; inline scripts have run).

    Raises:
        RuntimeError: Chromium exited non-zero or printed nothing.
    """
    proc = _run_chromium(chromium, ["--dump-dom", report.resolve().as_uri()], timeout_s)
    if proc.returncode != 0 or not proc.stdout.strip():
        raise RuntimeError(f"chromium --dump-dom failed (exit {proc.returncode}): {proc.stderr.strip()[-800:]}")
    return proc.stdout


def dom_problems(dom: str) -> list[str]:
    """What is missing from the rendered DOM (empty list: the report rendered).

    Looks for the summary tiles (``id="summary"``), the verdict banner (``id="verdict"``), at least
    :data:`MIN_SVG_ELEMENTS` ``<svg`` elements and the scenario section (``id="scenarios"``).
    """
    problems = []
    for element_id, what in (("summary", "summary tiles"), ("verdict", "verdict banner"), ("scenarios", "scenarios")):
        if f'id="{element_id}"' not in dom:
            problems.append(f'the rendered DOM has no {what} (id="{element_id}")')
    svgs = dom.count("<svg")
    if svgs < MIN_SVG_ELEMENTS:
        problems.append(f"the rendered DOM has {svgs} <svg> elements, expected at least {MIN_SVG_ELEMENTS} plots")
    return problems


def png_problems(png: Path, *, min_bytes: int = MIN_PNG_BYTES) -> list[str]:
    """What is wrong with the screenshot (empty list: it is a real picture).

    Checks the size in bytes and that the image has more than one colour (a blank white or black page
    has one). Reads the PNG with matplotlib's reader (Pillow underneath).
    """
    if not png.exists():
        return [f"no screenshot at {png}"]
    problems = []
    size = png.stat().st_size
    if size < min_bytes:
        problems.append(f"the screenshot is {size} bytes, less than {min_bytes}: probably blank")
    from matplotlib import image as mpimg  # local import: only this check needs the PNG decoder

    pixels = np.asarray(mpimg.imread(str(png)))
    flat = pixels.reshape(-1, pixels.shape[-1]) if pixels.ndim == 3 else pixels.reshape(-1, 1)
    colours = len(np.unique(flat[:: max(1, len(flat) // 200_000)], axis=0))
    if colours <= 1:
        problems.append("the screenshot has a single colour: the page did not render")
    return problems


def check_report(
    report: Path, out: Path, *, chromium: str | None = None, width: int = 1400, height: int = 2000
) -> list[str]:
    """Screenshot ``report`` into ``out`` and return every problem found (empty list: all good).

    Args:
        report: the HTML file to open.
        out: the PNG to write.
        chromium: the executable; found with :func:`find_chromium` when ``None``.
        width, height: window size in CSS pixels.

    Raises:
        ChromiumMissing: no Chromium found (message says how to install it).
    """
    exe = find_chromium(chromium)
    if exe is None:
        raise ChromiumMissing(f"headless Chromium not found; {INSTALL_HINT}")
    if not report.is_file():
        return [f"no report at {report}"]
    problems: list[str] = []
    try:
        take_screenshot(report, out, chromium=exe, width=width, height=height)
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        problems.append(str(exc))
    else:
        problems += png_problems(out)
    try:
        problems += dom_problems(dump_dom(report, chromium=exe))
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        problems.append(str(exc))
    return problems


def main(argv: list[str] | None = None) -> int:
    """Command line entry point (see the module docstring). Returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m evals.screenshot", description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path, help="the report HTML file")
    parser.add_argument("out", type=Path, help="the PNG to write")
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=2000)
    parser.add_argument("--chromium", default=None, help="Chromium executable (default: $CHROMIUM or on PATH)")
    args = parser.parse_args(argv)
    try:
        problems = check_report(args.report, args.out, chromium=args.chromium, width=args.width, height=args.height)
    except ChromiumMissing as exc:
        print(f"evals.screenshot: {exc}", file=sys.stderr)
        return 2
    if problems:
        for problem in problems:
            print(f"evals.screenshot: FAILED: {problem}", file=sys.stderr)
        return 1
    print(f"evals.screenshot: ok: {args.out} ({args.out.stat().st_size} bytes); summary and plots in the DOM")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
