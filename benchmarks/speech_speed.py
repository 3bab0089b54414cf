"""Speed of the offline speech models: Whisper recognition and Piper synthesis beside the audio's own length.

    python -m benchmarks.speech_speed                   # 12 caller recordings, 4 agent lines, 3 repeats
    python -m benchmarks.speech_speed --files 2 --lines 1 --repeat 1 --out /tmp/sp.json    # smoke

Writes ``runs/bench/speech_speed.json`` (``--out``) and prints a table.

Whisper (``WhisperSTT.transcribe_array``, no hints, the local profile's model) decodes each caller
recording of ``samples/calls/return_jacket`` (one whole turn per file); Piper (``PiperTTS.synthesize``,
the local voice) speaks lines the desk says: the mandatory disclosure (``agents/prompts/disclosure.md``)
and templated read-backs. Each is timed (wall clock, best of ``--repeat``) and set beside the duration of
the audio it heard or made, measured in the same run: the ratio is the real-time factor (below 1: faster
than real time). Models are loaded and warmed once before timing.

These figures replace the wall-clock bounds the voice tests once asserted ("recognised within 5 s",
"faster than real time"); the tests keep what the models must get right.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.common import BENCH_DIR, ROOT, Headline, finish, machine, quiet_logs, summary

DEFAULT_OUT = BENCH_DIR / "speech_speed.json"
CALL_DIR = ROOT / "samples" / "calls" / "return_jacket"
SMOKE_ARGS = ["--files", "2", "--lines", "1", "--repeat", "1"]
"""Tiny sizes for the CI smoke run (two recordings, one line, ~10 s with model loading)."""

AGENT_LINES = (
    "Just to confirm: you want to return the Trailhead Rain Jacket from order ORD-100101 because it "
    "is the wrong size, for a refund of one hundred twenty-nine dollars to your card. Shall I go ahead?",
    "Thanks, Ava. You're verified.",
    "Your headphones are on their way with FedEx and arrive on Tuesday, November twenty-fourth.",
)
"""Templated lines the desk speaks (a read-back, a verification line, a tracking answer); the disclosure
is added first."""


def agent_lines(count: int) -> list[str]:
    """The first ``count`` lines: the disclosure text, then :data:`AGENT_LINES`."""
    from agents.prompts import text as prompt_text

    return [prompt_text("disclosure"), *AGENT_LINES][:count]


def _best_s(fn: Any, repeat: int) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result


async def measure(files: int, lines: int, repeat: int) -> dict[str, Any]:
    """Time ``files`` recordings through Whisper and ``lines`` desk lines through Piper."""
    from worker.offline import speech

    errors: list[str] = []
    whisper = speech.WhisperSTT()
    whisper.prewarm()
    piper = speech.PiperTTS()
    piper.prewarm()

    stt_rows: list[dict[str, Any]] = []
    wavs = sorted(CALL_DIR.glob("*.wav"))[:files]
    for n, wav in enumerate(wavs):
        samples, rate = speech.read_wav(wav)
        if rate != speech.WHISPER_SAMPLE_RATE:
            samples = speech.resample_int16(samples, rate, speech.WHISPER_SAMPLE_RATE)
        audio = (samples.astype(np.float32) / 32768.0).astype(np.float32)
        if n == 0:
            whisper.transcribe_array(audio)  # warm-up decode, not counted
        seconds, (text, _conf) = _best_s(lambda a=audio: whisper.transcribe_array(a), repeat)
        audio_s = audio.size / speech.WHISPER_SAMPLE_RATE
        if not text:
            errors.append(f"Whisper heard nothing in {wav.name}")
        stt_rows.append({"file": wav.name, "audio_s": round(audio_s, 3), "recognition_s": round(seconds, 3)})
        print(
            f"whisper {wav.name}: {seconds:6.3f} s for {audio_s:5.2f} s of audio ({seconds / audio_s:.2f}x)", flush=True
        )

    tts_rows: list[dict[str, Any]] = []
    texts = agent_lines(lines)
    if texts:
        await piper.synthesize("Warming up.").collect()
    for text in texts:
        best = float("inf")
        duration = 0.0
        for _ in range(repeat):
            started = time.perf_counter()
            frame = await piper.synthesize(text).collect()
            best = min(best, time.perf_counter() - started)
            duration = frame.duration
        if duration <= 0:
            errors.append(f"Piper made no audio for {text[:40]!r}")
            continue
        tts_rows.append({"chars": len(text), "audio_s": round(duration, 3), "synthesis_s": round(best, 3)})
        print(
            f"piper   {len(text):4d} chars: {best:6.3f} s for {duration:5.2f} s of audio ({best / duration:.2f}x)",
            flush=True,
        )

    headline: list[Headline] = []
    if stt_rows:
        rec = [r["recognition_s"] for r in stt_rows]
        aud = [r["audio_s"] for r in stt_rows]
        headline.append(
            Headline.of("Whisper, one caller turn p50", statistics.median(rec), statistics.median(aud), "s")
        )
        headline.append(
            Headline.of("Whisper, all turns (real-time factor)", sum(rec), sum(aud), "s"),
        )
    if tts_rows:
        syn = [r["synthesis_s"] for r in tts_rows]
        aud = [r["audio_s"] for r in tts_rows]
        headline.append(Headline.of("Piper, desk lines (real-time factor)", sum(syn), sum(aud), "s"))
    return {
        "whisper": {"rows": stt_rows, "recognition_s": summary([r["recognition_s"] for r in stt_rows])},
        "piper": {"rows": tts_rows, "synthesis_s": summary([r["synthesis_s"] for r in tts_rows])},
        "errors": errors,
        "headline": [h.to_dict() for h in headline],
    }


def main(argv: list[str] | None = None) -> int:
    """Entry of ``python -m benchmarks.speech_speed``; returns the exit status (1 on errors)."""
    p = argparse.ArgumentParser(prog="python -m benchmarks.speech_speed", description=__doc__.split("\n\n")[0])
    p.add_argument("--files", type=int, default=12, help="caller recordings to transcribe (default all 12)")
    p.add_argument("--lines", type=int, default=4, help="desk lines to synthesise, disclosure first (default 4)")
    p.add_argument("--repeat", type=int, default=3, help="timed runs per item; the best is kept (default 3)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    a = p.parse_args(argv)
    if a.files < 0 or a.lines < 0 or a.repeat < 1 or a.files + a.lines == 0:
        p.error("--files and --lines must be >= 0 (not both 0), --repeat >= 1")
    quiet_logs()
    start = time.perf_counter()
    result = asyncio.run(measure(a.files, a.lines, a.repeat))
    report = {
        "benchmark": "speech_speed",
        "machine": machine(),
        "params": {"files": a.files, "lines": a.lines, "repeat": a.repeat},
        "unit": "s",
        **result,
        "run_s": round(time.perf_counter() - start, 1),
    }
    return finish("speech_speed", a.out, report)


if __name__ == "__main__":
    sys.exit(main())
