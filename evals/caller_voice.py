"""The caller's voice for audio scenarios: a second, different TTS voice (espeak-ng) from the desk's (Piper).

Lines are spoken by Debian's ``espeak-ng`` (voice ``en-us+steph``, 140 words per minute, 50 ms word
gap — the settings ``scripts/make_caller_audio.sh`` chose by transcribing them with the offline STT)
and resampled by ``sox`` to 16 kHz mono 16-bit PCM, the format :class:`WavCallerInput` plays.
Files are cached by the hash of the line and the settings, so a rerun synthesises nothing.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
from pathlib import Path

VOICE = "en-us+steph"
WORDS_PER_MINUTE = 140
WORD_GAP_10MS = 5
CACHE_DIR = Path.home() / ".cache" / "marketplace-desk" / "caller-voice"


class CallerVoiceError(RuntimeError):
    """The caller's voice cannot be synthesised here (the message says what to install)."""


def missing_tools() -> list[str]:
    """The programs audio scenarios need that are not installed (empty: ready)."""
    return [tool for tool in ("espeak-ng", "sox") if shutil.which(tool) is None]


def caller_wav(line: str, *, cache_dir: Path = CACHE_DIR) -> Path:
    """A WAV file of ``line`` spoken by the caller's voice (synthesised once, then cached).

    Args:
        line: What the caller says (plain text; up to a few sentences).
        cache_dir: Where synthesised files are kept.

    Returns:
        Path of a 16 kHz mono signed 16-bit WAV file.

    Raises:
        CallerVoiceError: espeak-ng or sox is missing, or synthesis failed.
    """
    missing = missing_tools()
    if missing:
        raise CallerVoiceError(f"audio scenarios need {' and '.join(missing)} (apt-get install -y espeak-ng sox)")
    key = hashlib.sha256(f"{VOICE}|{WORDS_PER_MINUTE}|{WORD_GAP_10MS}|{line}".encode()).hexdigest()[:20]
    out = cache_dir / f"{key}.wav"
    if out.exists():
        return out
    cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="caller-voice-") as tmp:
        raw, final = Path(tmp) / "raw.wav", Path(tmp) / "final.wav"
        try:
            subprocess.run(
                [
                    "espeak-ng",
                    "-v",
                    VOICE,
                    "-s",
                    str(WORDS_PER_MINUTE),
                    "-g",
                    str(WORD_GAP_10MS),
                    "-w",
                    str(raw),
                    "--",
                    line,
                ],
                check=True,
                capture_output=True,
                timeout=60,
            )
            subprocess.run(
                [
                    "sox",
                    "-V1",
                    "-D",
                    str(raw),
                    "-r",
                    "16000",
                    "-c",
                    "1",
                    "-b",
                    "16",
                    "-e",
                    "signed-integer",
                    str(final),
                    "rate",
                    "-v",
                ],
                check=True,
                capture_output=True,
                timeout=60,
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            raise CallerVoiceError(f"could not synthesise the caller's line: {exc}") from exc
        shutil.move(str(final), out)
    return out
