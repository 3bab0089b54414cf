#!/usr/bin/env bash
# Regenerate the synthetic caller's WAV files for a scripted call.
#
# Usage: scripts/make_caller_audio.sh [CALL_DIR]
#   CALL_DIR defaults to samples/calls/return_jacket. It must contain script.txt with one caller
#   line per line; line N becomes CALL_DIR/NN.wav (01.wav, 02.wav, ...), 16 kHz mono signed
#   16-bit PCM. Existing NN.wav files are overwritten; blank lines are skipped (not numbered).
#
# The caller is spoken by espeak-ng, deliberately a different (robotic, female) voice from the
# agent's Piper voice (en_US-joe-medium), so agent and caller audio are never confused.
# Override with ESPEAK_VOICE (default en-us+steph), ESPEAK_SPEED (words per minute, default 140)
# and ESPEAK_GAP (extra pause between words in 10 ms units, default 5).
#
# The defaults were chosen by transcribing all lines with worker.speech.WhisperSTT (tiny.en):
# en-us+steph at 140 wpm with a 40 ms word gap was heard right on 11 of 12 lines, while the
# first candidate (en-us+f3, 150 wpm, no gap) got only 4-5 right (e.g. "Ava" -> "Oliver",
# "jacket" -> "on your kit", the phone number cut to "415-"). The word gap matters most for tiny.en.
# See samples/calls/return_jacket/whisper_check.txt for what the STT hears.
#
# Requires: espeak-ng and sox (apt-get install -y espeak-ng sox). Only needed to regenerate the
# files; the WAVs are committed so demos and tests do not need espeak at runtime.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
call_dir="${1:-${repo_root}/samples/calls/return_jacket}"
voice="${ESPEAK_VOICE:-en-us+steph}"
speed="${ESPEAK_SPEED:-140}"
gap="${ESPEAK_GAP:-5}"
script_file="${call_dir}/script.txt"

for tool in espeak-ng sox; do
    if ! command -v "${tool}" >/dev/null 2>&1; then
        echo "error: ${tool} not found (apt-get install -y espeak-ng sox)" >&2
        exit 1
    fi
done
if [[ ! -f "${script_file}" ]]; then
    echo "error: ${script_file} not found" >&2
    exit 1
fi

tmp_dir="$(mktemp -d)"
trap 'rm -rf "${tmp_dir}"' EXIT

n=0
while IFS= read -r line || [[ -n "${line}" ]]; do
    line="${line%$'\r'}"
    [[ -z "${line//[[:space:]]/}" ]] && continue
    n=$((n + 1))
    out="$(printf '%s/%02d.wav' "${call_dir}" "${n}")"
    raw="${tmp_dir}/raw.wav"
    # espeak-ng writes 22.05 kHz mono; sox converts to 16 kHz mono s16 with a high-quality resampler
    espeak-ng -v "${voice}" -s "${speed}" -g "${gap}" -w "${raw}" -- "${line}"
    sox -V1 -D "${raw}" -r 16000 -c 1 -b 16 -e signed-integer "${out}" rate -v
    printf '%s  %5.2fs  %s\n' "$(basename "${out}")" "$(soxi -D "${out}")" "${line}"
done <"${script_file}"

echo "wrote ${n} files to ${call_dir} (voice ${voice}, ${speed} wpm, word gap ${gap}0 ms)"

# ---- how the offline STT hears them -> CALL_DIR/whisper_check.txt (skip with SKIP_CHECK=1)
if [[ "${SKIP_CHECK:-0}" == "1" ]]; then
    exit 0
fi
python_bin="${PYTHON:-${repo_root}/.venv/bin/python}"
if ! "${python_bin}" -c "import faster_whisper, livekit.plugins.silero" >/dev/null 2>&1; then
    echo "note: ${python_bin} lacks faster-whisper/silero; whisper_check.txt not updated" >&2
    exit 0
fi
export CALL_DIR="${call_dir}" CALLER_VOICE="${voice}, ${speed} wpm, word gap ${gap}0 ms"
cd "${repo_root}"
"${python_bin}" - <<'PY'
"""Transcribe NN.wav twice: the whole file, and as the session hears it (Silero VAD segments)."""

import asyncio
import os
import time
from pathlib import Path

import numpy as np
from livekit import rtc
from livekit.agents import stt
from livekit.plugins import silero

from worker.speech import WavCallerInput, WhisperSTT, read_wav


async def main() -> None:
    call_dir = Path(os.environ["CALL_DIR"])
    lines = [ln for ln in (call_dir / "script.txt").read_text().splitlines() if ln.strip()]
    whisper = WhisperSTT(model=WhisperSTT.load_model())
    await whisper.recognize(rtc.AudioFrame(bytes(32000), 16000, 1, 16000))  # warm-up

    whole: list[str] = []
    for i in range(1, len(lines) + 1):
        samples, rate = read_wav(call_dir / f"{i:02d}.wav")
        t = time.perf_counter()
        ev = await whisper.recognize(rtc.AudioFrame(samples.tobytes(), rate, 1, samples.size))
        whole.append(ev.alternatives[0].text)
        print(f"{i:02d} whole file ({time.perf_counter() - t:.2f}s): {whole[-1]}")

    # the session path: 16 kHz frames -> Silero VAD -> StreamAdapter -> WhisperSTT, 4x real time
    caller = WavCallerInput(speed=4.0)
    stream = stt.StreamAdapter(stt=whisper, vad=silero.VAD.load()).stream()
    heard: list[list[str]] = [[] for _ in lines]
    state = {"line": 0, "speaking": False, "pending": 0, "segments": 0}
    whisper.on("metrics_collected", lambda _m: state.__setitem__("pending", state["pending"] - 1))

    async def feed() -> None:
        async for frame in caller:
            stream.push_frame(frame)

    async def read() -> None:
        async for ev in stream:
            if ev.type == stt.SpeechEventType.START_OF_SPEECH:
                state["speaking"] = True
            elif ev.type == stt.SpeechEventType.END_OF_SPEECH:
                state.update(speaking=False, pending=state["pending"] + 1)
                state["segments"] += 1
            elif ev.type == stt.SpeechEventType.FINAL_TRANSCRIPT:
                heard[state["line"]].append(ev.alternatives[0].text)

    tasks = [asyncio.create_task(feed()), asyncio.create_task(read())]
    for i in range(len(lines)):
        await caller.play_pcm(np.zeros(8000, dtype=np.int16), 16000)  # 0.5 s of silence first
        state.update(line=i, segments=0)
        await caller.play(call_dir / f"{i + 1:02d}.wav")
        # the caller keeps sending silence: wait for end of speech and its transcript
        deadline = time.monotonic() + 15.0
        while time.monotonic() < deadline and (
            state["speaking"] or state["pending"] > 0 or state["segments"] == 0
        ):
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.05)
    await caller.aclose()
    await tasks[0]
    stream.end_input()
    await tasks[1]
    await stream.aclose()

    with (call_dir / "whisper_check.txt").open("w", encoding="utf-8") as f:
        f.write("# How WhisperSTT (faster-whisper tiny.en, int8, greedy) hears the caller WAVs.\n")
        f.write(f"# Caller voice: espeak-ng {os.environ['CALLER_VOICE']} (scripts/make_caller_audio.sh).\n")
        f.write("# 'whole file' = one recognize() on the WAV; 'session (VAD)' = what AgentSession gets:\n")
        f.write("# Silero VAD segments (with their padding) through stt.StreamAdapter; ' / ' joins finals.\n")
        f.write("# file\tspoken (script.txt)\theard, whole file\theard, session (VAD)\n")
        for i, line in enumerate(lines):
            f.write(f"{i + 1:02d}.wav\t{line}\t{whole[i]}\t{' / '.join(heard[i])}\n")
    print(f"wrote {call_dir / 'whisper_check.txt'}")


asyncio.run(main())
PY
