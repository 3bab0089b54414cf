"""Word error rate of WhisperSTT on the bundled caller recordings, without and with step hints.

Transcribes each WAV of ``samples/calls/return_jacket`` (whole file, one decode) twice with one
loaded model: with no hints, and with the preset a desk step would set before that turn
(``HINTS_DIGITS`` for the phone / date of birth / last four / order number turns 03, 05, 06, 09;
``HINTS_YES_NO`` for 04, 07, 11; ``HINTS_NAME`` for 02; ``HINTS_GENERAL`` for the rest). The
reference is ``script.txt`` (one line per WAV, in order).

    python -m benchmarks.whisper_wer [--json out.json] [--repeat 1]

Normalisation (applied to reference and hypothesis alike, see :func:`normalise`), so that
"It's 415, 555, 0134." and "It's four one five, five five five, zero one three four." compare equal:

1. lowercase; typographic apostrophes become ``'``; thousands separators inside numerals are
   dropped ("1,000" -> "1000"); ordinal suffixes after numerals are dropped ("12th" -> "12");
2. punctuation becomes a word break (hyphens and slashes too), apostrophes inside words are kept
   ("it's", "don't");
3. runs of number words become numerals: digits and "oh" -> one digit each ("four one five" ->
   415), teens and tens combine ("eighty eight" -> 88, "nineteen eighty eight" -> 1988),
   "hundred"/"thousand" multiply the number before them, "double"/"triple" repeat the next digit;
   ordinal words ("twelfth") count as numbers only after a month name or inside a number run, so
   "my first name" keeps its "first";
4. every numeral is spelled digit by digit ("1988" -> "one nine eight eight", "0" -> "zero").

WER is the word-level Levenshtein distance (substitutions + deletions + insertions) divided by the
number of reference words, summed over files for the overall figure. A digit turn is
"digit-exact" when the digits of the whole normalised utterance (digit words read as digits)
equal the reference's. Recognition time is the wall time of ``transcribe_array`` (a hinted decode
that WhisperSTT discards as a likely hallucination counts both decodes; see "discarded").

The hinted figures are in-sample: the presets were written for these kinds of turns, and 12
utterances from one synthetic voice are a smoke test, not an accuracy estimate.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from call.parse import DAY_ORDINALS, MONTHS, REPEATERS, SCALES, TEENS, TENS, UNITS
from worker.offline import speech

CALL_DIR = Path(__file__).resolve().parents[1] / "samples" / "calls" / "return_jacket"

PRESETS: dict[str, speech.WhisperHints] = {
    "none": speech.HINTS_NONE,
    "general": speech.HINTS_GENERAL,
    "digits": speech.HINTS_DIGITS,
    "yes_no": speech.HINTS_YES_NO,
    "name": speech.HINTS_NAME,
}
"""Preset name -> hints."""

TURN_HINTS: dict[str, str] = {
    "01": "general",
    "02": "name",
    "03": "digits",
    "04": "yes_no",
    "05": "digits",
    "06": "digits",
    "07": "yes_no",
    "08": "general",
    "09": "digits",
    "10": "general",
    "11": "yes_no",
    "12": "general",
}
"""WAV stem -> the preset the desk would set before that caller turn."""

# ------------------------------------------------------------------------------------ normalising

_UNITS = {**UNITS, "oh": 0}
_ORDINALS = DAY_ORDINALS
_MULTIPLIERS = SCALES
_REPEATERS = REPEATERS
_MONTHS = frozenset(MONTHS)
_CARDINALS = {**_UNITS, **TEENS, **TENS}
_DIGIT_WORDS = tuple(UNITS)


def _tokenise(text: str) -> list[str]:
    """Steps 1-2 of the normalisation: lowercase words, numerals and intra-word apostrophes."""
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)
    text = re.sub(r"\b(\d+)(?:st|nd|rd|th)\b", r"\1", text)
    text = re.sub(r"[^a-z0-9']+", " ", text)
    words = (w.strip("'") for w in text.split())
    return [w for w in words if w]


def _is_number_word(words: list[str], i: int) -> bool:
    """Whether ``words[i]`` belongs to a number (ordinals only in a date or a number run)."""
    w = words[i]
    if w.isdigit() or w in _CARDINALS or w in _MULTIPLIERS:
        return True
    if w in _REPEATERS:
        return i + 1 < len(words) and words[i + 1] in _UNITS
    if w in _ORDINALS:
        prev = words[i - 1] if i > 0 else ""
        return prev in _MONTHS or prev in _CARDINALS or prev.isdigit()
    return False


def _run_to_numerals(run: list[str]) -> list[str]:
    """Step 3: one run of number words/numerals -> numerals ("nineteen eighty eight" -> ["19", "88"])."""
    out: list[str] = []
    big: int | None = None  # thousands of the number being built
    cur: int | None = None  # the rest of it
    repeat = 1

    def flush() -> None:
        nonlocal big, cur
        if big is not None or cur is not None:
            out.append(str((big or 0) + (cur or 0)))
        big = cur = None

    for w in run:
        if w.isdigit():
            flush()
            out.append(w)
        elif w in _REPEATERS:
            flush()
            repeat = _REPEATERS[w]
        elif w == "hundred":
            cur = (cur or 1) * 100
        elif w == "thousand":
            big, cur = ((big or 0) + (cur or 1)) * 1000, None
        else:
            value = _CARDINALS.get(w, _ORDINALS.get(w, 0))
            if repeat > 1:
                flush()
                out.append(str(value) * repeat)
                repeat = 1
            elif cur is None and big is not None:
                cur = value  # "two thousand" + "five"
            elif cur is not None and (
                (cur % 100 == 0 and cur >= 100 and value < 100) or (cur % 10 == 0 and cur % 100 >= 20 and value < 10)
            ):
                cur += value  # "eighty" + "eight", "two hundred" + "five" / "twelve" / "forty"
            else:
                flush()
                cur = value
    flush()
    return out


def normalise(text: str) -> list[str]:
    """Normalise a transcript for WER (see the module docstring).

    Args:
        text: A reference line or a transcript.

    Returns:
        The normalised words; numbers are spelled digit by digit.
    """
    words = _tokenise(text)
    out: list[str] = []
    i = 0
    while i < len(words):
        if not _is_number_word(words, i):
            out.append(words[i])
            i += 1
            continue
        j = i
        while j < len(words) and _is_number_word(words, j):
            j += 1
        for numeral in _run_to_numerals(words[i:j]):
            out.extend(_DIGIT_WORDS[int(d)] for d in numeral)
        i = j
    return out


def digits_of(words: list[str]) -> str:
    """The digits of a normalised utterance, in order ("four eight two one" -> "4821")."""
    return "".join(str(_DIGIT_WORDS.index(w)) for w in words if w in _DIGIT_WORDS)


def edit_distance(ref: list[str], hyp: list[str]) -> int:
    """Word-level Levenshtein distance (substitutions + deletions + insertions)."""
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h))
        prev = cur
    return prev[-1]


# ------------------------------------------------------------------------------------ benchmark


@dataclass
class Result:
    """One transcription of one file under one condition."""

    text: str
    errors: int
    wer: float
    seconds: float
    digit_exact: bool | None
    hint_fallback: bool


@dataclass
class FileRow:
    """Both conditions for one WAV."""

    file: str
    reference: str
    hint: str
    ref_words: int
    none: Result
    hinted: Result


def _load(path: Path) -> np.ndarray:
    samples, rate = speech.read_wav(path)
    if samples.ndim > 1:
        samples = samples.mean(axis=1).astype(np.int16)
    if rate != speech.WHISPER_SAMPLE_RATE:
        samples = speech.resample_int16(samples, rate, speech.WHISPER_SAMPLE_RATE)
    return (samples.astype(np.float32) / 32768.0).astype(np.float32)


def _score(
    whisper: speech.WhisperSTT,
    audio: np.ndarray,
    hints: speech.WhisperHints,
    ref: list[str],
    digit_turn: bool,
    repeat: int,
) -> Result:
    whisper.use_hints(hints)
    times: list[float] = []
    text = ""
    fallback = False
    for _ in range(repeat):
        started = time.perf_counter()
        text, _conf = whisper.transcribe_array(audio)
        times.append(time.perf_counter() - started)
        fallback = fallback or whisper.last_hint_fallback
    hyp = normalise(text)
    errors = edit_distance(ref, hyp)
    exact = (digits_of(hyp) == digits_of(ref)) if digit_turn else None
    return Result(text, errors, errors / max(1, len(ref)), statistics.mean(times), exact, fallback)


def run(call_dir: Path = CALL_DIR, repeat: int = 1) -> dict[str, Any]:
    """Transcribe every WAV without and with hints and score it.

    Args:
        call_dir: Directory with ``NN.wav`` files and ``script.txt``.
        repeat: Decodes per file and condition (times are averaged; the text is the last one).

    Returns:
        A JSON-ready report: per-file rows and overall figures per condition.
    """
    wavs = sorted(call_dir.glob("*.wav"))
    script = [line.strip() for line in (call_dir / "script.txt").read_text().splitlines() if line.strip()]
    if len(script) != len(wavs):
        raise SystemExit(f"{len(wavs)} WAVs but {len(script)} script lines in {call_dir}")

    load_started = time.perf_counter()
    whisper = speech.WhisperSTT()
    whisper.prewarm()
    load_seconds = time.perf_counter() - load_started
    whisper.transcribe_array(_load(wavs[0]))  # warm-up decode, not counted

    rows: list[FileRow] = []
    for wav, line in zip(wavs, script, strict=True):
        audio = _load(wav)
        ref = normalise(line)
        hint = TURN_HINTS.get(wav.stem, "general")
        digit_turn = hint == "digits"
        none = _score(whisper, audio, speech.HINTS_NONE, ref, digit_turn, repeat)
        hinted = _score(whisper, audio, PRESETS[hint], ref, digit_turn, repeat)
        rows.append(FileRow(wav.name, line, hint, len(ref), none, hinted))
    whisper.use_hints(None)

    ref_words = sum(r.ref_words for r in rows)
    overall: dict[str, Any] = {}
    for cond in ("none", "hinted"):
        results: list[Result] = [getattr(r, cond) for r in rows]
        digit = [res.digit_exact for res in results if res.digit_exact is not None]
        overall[cond] = {
            "errors": sum(res.errors for res in results),
            "ref_words": ref_words,
            "wer": sum(res.errors for res in results) / max(1, ref_words),
            "mean_seconds": statistics.mean(res.seconds for res in results),
            "digit_exact": sum(digit),
            "digit_turns": len(digit),
            "hint_fallbacks": sum(res.hint_fallback for res in results),
        }
    return {
        "model": f"{whisper.provider} {whisper.model}",
        "call_dir": str(call_dir),
        "model_load_seconds": load_seconds,
        "repeat": repeat,
        "presets": {name: asdict(h) for name, h in PRESETS.items()},
        "files": [asdict(r) for r in rows],
        "overall": overall,
    }


def _print(report: dict[str, Any]) -> None:
    print(f"{report['model']}  (model load {report['model_load_seconds']:.2f} s, decodes per file {report['repeat']})")
    header = (
        f"{'file':7} {'hint':8} {'words':>5} {'WER none':>8} {'WER hint':>8} {'digits':>7}  {'s none':>6} {'s hint':>6}"
    )
    print(header)
    print("-" * len(header))
    for row in report["files"]:
        none, hinted = row["none"], row["hinted"]
        digits = ""
        if none["digit_exact"] is not None:
            digits = f"{'ok' if none['digit_exact'] else 'NO'}/{'ok' if hinted['digit_exact'] else 'NO'}"
        print(
            f"{row['file']:7} {row['hint']:8} {row['ref_words']:5d} {none['wer']:8.1%} {hinted['wer']:8.1%} "
            f"{digits:>7}  {none['seconds']:6.3f} {hinted['seconds']:6.3f}"
        )
    print("-" * len(header))
    for cond, label in (("none", "no hints"), ("hinted", "with hints")):
        o = report["overall"][cond]
        print(
            f"{label:11} WER {o['wer']:6.1%} ({o['errors']}/{o['ref_words']} words)  "
            f"digit-exact {o['digit_exact']}/{o['digit_turns']}  mean recognition {o['mean_seconds']:.3f} s"
            + (f"  (hinted decodes discarded: {o['hint_fallbacks']})" if cond == "hinted" else "")
        )
    print()
    for row in report["files"]:
        print(f"{row['file']}  ref : {row['reference']}")
        print(f"{'':7}  none: {row['none']['text']}")
        fallback = ", discarded -> unhinted" if row["hinted"]["hint_fallback"] else ""
        print(f"{'':7}  hint: {row['hinted']['text']}   [{row['hint']}{fallback}]")


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="write the full report to this file")
    parser.add_argument("--repeat", type=int, default=1, help="decodes per file and condition (for timing)")
    parser.add_argument("--call-dir", type=Path, default=CALL_DIR, help="WAVs + script.txt (default: %(default)s)")
    args = parser.parse_args()
    report = run(args.call_dir, max(1, args.repeat))
    _print(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
        print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
