"""Offline speech for the voice desk: local STT/TTS adapters and file-based audio I/O.

* :class:`WhisperSTT` — faster-whisper tiny.en as a non-streaming ``stt.STT`` (use with a VAD),
  with per-step recognition hints (:class:`WhisperHints`, presets ``HINTS_*``, :func:`apply_hints`)
  and LiveKit session keyterms.
* :class:`PiperTTS` — Piper en_US-joe-medium as a non-streaming ``tts.TTS``.
* :class:`WavCallerInput` / :class:`WavAgentOutput` — ``AudioInput``/``AudioOutput`` that play a
  caller from WAV files and record the agent to a WAV file, for running a session with no room.
"""

from .piper_tts import PIPER_SAMPLE_RATE, PiperTTS
from .wav_io import (
    CALLER_FRAME_MS,
    CALLER_SAMPLE_RATE,
    WavAgentOutput,
    WavCallerInput,
    read_wav,
    resample_int16,
    to_mono_int16,
    write_wav,
)
from .whisper_stt import (
    HINTS_DIGITS,
    HINTS_GENERAL,
    HINTS_NAME,
    HINTS_NONE,
    HINTS_YES_NO,
    WHISPER_SAMPLE_RATE,
    WhisperHints,
    WhisperSTT,
    apply_hints,
)

__all__ = [
    "CALLER_FRAME_MS",
    "CALLER_SAMPLE_RATE",
    "HINTS_DIGITS",
    "HINTS_GENERAL",
    "HINTS_NAME",
    "HINTS_NONE",
    "HINTS_YES_NO",
    "PIPER_SAMPLE_RATE",
    "WHISPER_SAMPLE_RATE",
    "PiperTTS",
    "WavAgentOutput",
    "WavCallerInput",
    "WhisperHints",
    "WhisperSTT",
    "apply_hints",
    "read_wav",
    "resample_int16",
    "to_mono_int16",
    "write_wav",
]
