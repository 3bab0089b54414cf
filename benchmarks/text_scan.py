"""Worst-case speed of the desk's text scanners: PII redaction and the caller-text parsers, beside plain regexes.

    python -m benchmarks.text_scan                       # 1 MB redaction inputs, 5 repeats
    python -m benchmarks.text_scan --repeat 1 --out /tmp/s.json         # smoke

Writes ``runs/bench/text_scan.json`` (``--out``) and prints a table.

Redaction (:func:`call.redaction.redact`) runs on every log record, transcript line and report field, so a
hostile or huge string must not stall the worker: each 1 MB input below (long runs of digits and
separators, number words, hex, a mixed log line repeated) is redacted ``--repeat`` times and the best CPU
time (``time.process_time``, this process only) is kept. The baseline is the simplest digit redactor,
``re.sub(r"\\d{4,}", "[redacted]", text)``, on the same text in the same run: the ratio is what the desk's
rules (spoken numbers, kept ids, money and times) cost over it.

The caller-text parsers and classifiers (:mod:`call.parse`, :mod:`call.answers`) run on each caller turn;
every one of them runs over each hostile 10 KB utterance below and the worst input's time is reported,
beside a plain digit extraction (``re.findall(r"\\d", text)``) over the same text.

These figures replace the wall-clock bounds the unit tests once asserted: the tests keep only a hang guard
(see ``tests/hang_guard.py``), the speed lives here.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from benchmarks.common import BENCH_DIR, Headline, finish, machine, ratio

DEFAULT_OUT = BENCH_DIR / "text_scan.json"
SMOKE_ARGS = ["--repeat", "1"]
"""Tiny sizes for the CI smoke run (one repeat, a few seconds)."""

MB = 1_000_000
REDACTION_INPUTS: dict[str, str] = {
    "letters": "x" * MB,
    "punctuation": "-" * MB,
    "one long number": "4" * MB,
    "many numbers": "4821 " * (MB // 5),
    "one long run": "1-" * (MB // 2),
    "number words": "one " * (MB // 4),
    "short numbers": "1 a " * (MB // 4),
    "hex": "0x" + "f" * MB,
    "mixed log line": "Ava said ORD-100101, card 4821, $12.50 at 10:45 speech_3f2a1234abcd. " * (MB // 70),
}
"""1 MB inputs, the hostile shapes of ``tests/unit/test_redaction.py`` plus a realistic log line repeated."""

UTTERANCE_CHARS = 10_000
CALLER_INPUTS: dict[str, str] = {
    "letters": "x" * UTTERANCE_CHARS,
    "digits": "1" * UTTERANCE_CHARS,
    "digit words": "one " * (UTTERANCE_CHARS // 4),
    "oh": "oh " * (UTTERANCE_CHARS // 3),
    "double": "double " * (UTTERANCE_CHARS // 7),
    "months": "april 1 " * (UTTERANCE_CHARS // 8),
    "slashes": "1/" * (UTTERANCE_CHARS // 2),
    "name phrases": "my name is " * (UTTERANCE_CHARS // 11),
    "yes": "yes, " * (UTTERANCE_CHARS // 5),
    "years": "nineteen hundred and " * (UTTERANCE_CHARS // 21),
    "a normal answer": "My phone number is four one five, five five five, zero one three four. " * 140,
}
"""10 KB caller utterances (a transcript line is far shorter; these are the parsers' worst shapes)."""

_DIGITS_4 = re.compile(r"\d{4,}")
_DIGIT = re.compile(r"\d")


def best_cpu_s(fn: Callable[[], object], repeat: int) -> float:
    """The smallest CPU time (s) of ``repeat`` calls of ``fn`` (``time.process_time``)."""
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        fn()
        best = min(best, time.process_time() - started)
    return best


def parse_everything(text: str) -> None:
    """Every caller-text parser and classifier the desk's code-led steps run on a turn."""
    from call.answers import classify_offer, classify_yes_no
    from call.parse import grouped_digits, parse_date, parse_first_name, parse_last_four, parse_phone, spoken_digits

    spoken_digits(text)
    parse_phone(text)
    parse_date(text, today=dt.date(2026, 11, 18))
    parse_last_four(text)
    parse_first_name(text)
    grouped_digits(text)
    classify_yes_no(text)
    classify_offer(text)


def measure(repeat: int) -> dict[str, Any]:
    """Time every input with the desk's scanner and its baseline; returns the report's figures."""
    from call.redaction import REDACTED, redact

    errors: list[str] = []
    redaction: dict[str, dict[str, float | None]] = {}
    for name, text in REDACTION_INPUTS.items():
        desk = best_cpu_s(partial(redact, text), repeat)
        base = best_cpu_s(partial(_DIGITS_4.sub, REDACTED, text), repeat)
        per_mb = MB / len(text)
        redaction[name] = {
            "desk_ms_per_mb": round(desk * 1000 * per_mb, 2),
            "baseline_ms_per_mb": round(base * 1000 * per_mb, 2),
            "ratio": ratio(desk, base),
        }
        print(f"redact  {name:>16}: {desk * 1000 * per_mb:8.1f} ms/MB | plain regex {base * 1000 * per_mb:7.1f} ms/MB")
    parsing: dict[str, dict[str, float | None]] = {}
    for name, text in CALLER_INPUTS.items():
        try:
            parse_everything(text)
        except Exception as e:
            errors.append(f"a parser raised on {name!r}: {type(e).__name__}")
            continue
        desk = best_cpu_s(partial(parse_everything, text), repeat)
        base = best_cpu_s(partial(_DIGIT.findall, text), repeat)
        parsing[name] = {
            "desk_ms": round(desk * 1000, 3),
            "baseline_ms": round(base * 1000, 3),
            "ratio": ratio(desk, base),
        }
        print(f"parse   {name:>16}: {desk * 1000:8.2f} ms     | digit findall {base * 1000:6.2f} ms")
    headline: list[Headline] = []
    if redaction:
        worst = max(redaction, key=lambda n: redaction[n]["desk_ms_per_mb"] or 0.0)
        w = redaction[worst]
        headline.append(
            Headline.of(f"redact 1 MB, worst input ({worst})", w["desk_ms_per_mb"], w["baseline_ms_per_mb"], "ms")
        )
        m = redaction["mixed log line"]
        headline.append(Headline.of("redact 1 MB, mixed log line", m["desk_ms_per_mb"], m["baseline_ms_per_mb"], "ms"))
    if parsing:
        worst = max(parsing, key=lambda n: parsing[n]["desk_ms"] or 0.0)
        w = parsing[worst]
        headline.append(
            Headline.of(f"parse a 10 KB turn, worst input ({worst})", w["desk_ms"], w["baseline_ms"], "ms", digits=3)
        )
    return {"redaction": redaction, "parsing": parsing, "errors": errors, "headline": [h.to_dict() for h in headline]}


def main(argv: list[str] | None = None) -> int:
    """Entry of ``python -m benchmarks.text_scan``; returns the exit status (1 on errors)."""
    p = argparse.ArgumentParser(prog="python -m benchmarks.text_scan", description=__doc__.split("\n\n")[0])
    p.add_argument("--repeat", type=int, default=5, help="timed calls per input; the best is kept (default 5)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    a = p.parse_args(argv)
    if a.repeat < 1:
        p.error("--repeat must be >= 1")
    start = time.perf_counter()
    result = measure(a.repeat)
    report = {
        "benchmark": "text_scan",
        "machine": machine(),
        "params": {"repeat": a.repeat, "redaction_input_chars": MB, "utterance_chars": UTTERANCE_CHARS},
        "unit": "ms of CPU",
        **result,
        "run_s": round(time.perf_counter() - start, 1),
    }
    return finish("text_scan", a.out, report)


if __name__ == "__main__":
    sys.exit(main())
