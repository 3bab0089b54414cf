"""WhisperSTT recognition hints: ``set_hints`` and the presets reach faster-whisper's ``transcribe()``,
LiveKit session keyterms reach the adapter through ``stt.STT._update_session_keyterms`` (also through
``stt.StreamAdapter`` and inside a real ``AgentSession``), and a hinted decode that hallucinates
falls back to an unhinted one."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from livekit import rtc
from livekit.agents import Agent, AgentSession, llm, stt

from worker.offline.speech import (
    HINTS_DIGITS,
    HINTS_GENERAL,
    HINTS_NAME,
    HINTS_NONE,
    HINTS_YES_NO,
    WavCallerInput,
    WhisperHints,
    WhisperSTT,
    apply_hints,
    read_wav,
)
from worker.offline.speech.whisper_stt import _MAX_HINT_TOKENS

pytestmark = pytest.mark.voice

CALL = Path(__file__).resolve().parents[2] / "samples" / "calls" / "return_jacket"
DEMO_VALUES = ("4155550134", "415", "0134", "1988", "4821", "7702", "100101", "Ava", "Thompson")
"""The demo customer's real values: presets must not contain them."""


@pytest.fixture(scope="module")
def whisper_model() -> Any:
    """faster-whisper tiny.en, loaded once for the module (~0.3 s)."""
    return WhisperSTT.load_model()


def _audio(name: str) -> np.ndarray:
    samples, rate = read_wav(CALL / name)
    assert rate == 16000 and samples.ndim == 1
    return (samples.astype(np.float32) / 32768.0).astype(np.float32)


def _frames(samples: np.ndarray, rate: int = 16000, frame_ms: int = 20) -> list[rtc.AudioFrame]:
    step = rate * frame_ms // 1000
    return [
        rtc.AudioFrame(np.ascontiguousarray(samples[i : i + step]).tobytes(), rate, 1, samples[i : i + step].shape[0])
        for i in range(0, samples.shape[0], step)
    ]


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


class _Recorder:
    """Stands in for ``WhisperModel.transcribe``: records its keyword arguments, returns no segments."""

    def __init__(self, on_call: Any = None) -> None:
        self.calls: list[dict[str, Any]] = []
        self._on_call = on_call

    def __call__(self, audio: np.ndarray, **kwargs: Any) -> tuple[list[Any], Any]:
        self.calls.append(kwargs)
        if self._on_call is not None:
            self._on_call()
        return [], SimpleNamespace(language="en")

    @property
    def last(self) -> tuple[str | None, str | None]:
        return self.calls[-1]["hotwords"], self.calls[-1]["initial_prompt"]


@pytest.fixture
def recording(whisper_model: Any, monkeypatch: pytest.MonkeyPatch) -> tuple[WhisperSTT, _Recorder]:
    """A WhisperSTT on the real model (real tokenizer) whose ``transcribe`` only records kwargs."""
    recorder = _Recorder()
    monkeypatch.setattr(whisper_model, "transcribe", recorder)
    return WhisperSTT(model=whisper_model), recorder


SECOND = np.zeros(16000, dtype=np.float32)


# ------------------------------------------------------------------------------------------------
# set_hints -> transcribe kwargs (model's transcribe monkeypatched)
# ------------------------------------------------------------------------------------------------


def test_set_hints_changes_the_transcribe_kwargs_and_none_restores_defaults(
    recording: tuple[WhisperSTT, _Recorder],
) -> None:
    whisper, recorder = recording
    assert whisper.capabilities.keyterms  # LiveKit sends keyterms only to STTs that declare them

    whisper.transcribe_array(SECOND)
    assert recorder.last == (None, None)  # default: no hints
    default_kwargs = {k: v for k, v in recorder.calls[-1].items() if k not in ("hotwords", "initial_prompt")}

    whisper.set_hints(hotwords="Kowalski, skillet", initial_prompt="My number is 6, 2, 8.")
    assert whisper.hints == WhisperHints("Kowalski, skillet", "My number is 6, 2, 8.")
    whisper.transcribe_array(SECOND)
    assert recorder.last == ("Kowalski, skillet", "My number is 6, 2, 8.")
    # only the hints change: language, beam, temperature, token cap ... stay as they were
    assert {k: v for k, v in recorder.calls[-1].items() if k not in ("hotwords", "initial_prompt")} == default_kwargs

    whisper.set_hints(hotwords=None, initial_prompt=None)
    assert whisper.hints == HINTS_NONE
    whisper.transcribe_array(SECOND)
    assert recorder.last == (None, None)

    whisper.use_hints(HINTS_DIGITS)
    whisper.transcribe_array(SECOND)
    assert recorder.last == (None, HINTS_DIGITS.initial_prompt)
    whisper.set_hints()  # no arguments: also back to the default
    whisper.transcribe_array(SECOND)
    assert recorder.last == (None, None)

    whisper.set_hints(hotwords="   ", initial_prompt="")  # blank counts as none
    whisper.transcribe_array(SECOND)
    assert recorder.last == (None, None)


def test_hints_for_one_call_do_not_change_the_current_hints(recording: tuple[WhisperSTT, _Recorder]) -> None:
    whisper, recorder = recording
    whisper.use_hints(HINTS_YES_NO)
    whisper.transcribe_array(SECOND, hints=HINTS_NAME)
    assert recorder.last == (None, HINTS_NAME.initial_prompt)
    assert whisper.hints == HINTS_YES_NO
    whisper.transcribe_array(SECOND)
    assert recorder.last == (None, HINTS_YES_NO.initial_prompt)


def test_presets_use_invented_values() -> None:
    for preset in (HINTS_GENERAL, HINTS_DIGITS, HINTS_YES_NO, HINTS_NAME):
        text = f"{preset.hotwords or ''} {preset.initial_prompt or ''}"
        compact = text.replace(", ", "").replace(" ", "")
        for value in DEMO_VALUES:
            assert value not in text and value not in compact, (value, preset)
    assert HINTS_NONE == WhisperHints(None, None)


def test_hints_are_swapped_atomically_while_decoding(whisper_model: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A decode sees one set_hints() call's pair, never a mix of two (set_hints runs on the event
    loop while decodes run in worker threads)."""
    pairs = [(f"term{i}", f"Prompt number {i}.") for i in range(20)]
    recorder = _Recorder()
    monkeypatch.setattr(whisper_model, "transcribe", recorder)
    whisper = WhisperSTT(model=whisper_model)
    stop = threading.Event()

    def _flip() -> None:
        i = 0
        while not stop.is_set():
            hot, prompt = pairs[i % len(pairs)]
            whisper.set_hints(hotwords=hot, initial_prompt=prompt)
            i += 1

    flipper = threading.Thread(target=_flip)
    flipper.start()
    try:
        for _ in range(300):
            whisper.transcribe_array(SECOND)
    finally:
        stop.set()
        flipper.join()
    seen = {(c["hotwords"], c["initial_prompt"]) for c in recorder.calls}
    assert seen <= {*pairs, (None, None)}, seen - set(pairs)


def test_long_hints_are_fitted_to_the_token_budget(recording: tuple[WhisperSTT, _Recorder]) -> None:
    whisper, recorder = recording
    tokenizer = whisper._ensure_model().hf_tokenizer

    def _n(text: str | None) -> int:
        return len(tokenizer.encode(" " + text, add_special_tokens=False).ids) if text else 0

    prompt = " ".join(f"Order {i} was shipped." for i in range(200))  # ~1000 tokens
    whisper.set_hints(hotwords="Kowalski, skillet", initial_prompt=prompt)
    whisper.transcribe_array(SECOND)
    hot, sent = recorder.last
    assert hot == "Kowalski, skillet"
    assert sent is not None and prompt.endswith(sent)  # the prompt keeps its end
    assert _n(hot) + _n(sent) <= _MAX_HINT_TOKENS

    whisper.set_hints(hotwords=", ".join(f"product{i}" for i in range(300)), initial_prompt="Yes.")
    whisper.transcribe_array(SECOND)
    hot, sent = recorder.last
    assert hot is not None and hot.startswith("product0, product1")  # hotwords keep their head
    assert _n(hot) + _n(sent) <= _MAX_HINT_TOKENS


# ------------------------------------------------------------------------------------------------
# LiveKit keyterms -> WhisperSTT
# ------------------------------------------------------------------------------------------------


def test_session_keyterms_are_merged_into_hotwords(recording: tuple[WhisperSTT, _Recorder]) -> None:
    whisper, recorder = recording
    whisper._update_session_keyterms(["Kowalski", "skillet", "Kowalski", " "])
    assert whisper.session_keyterms == ("Kowalski", "skillet")
    whisper.transcribe_array(SECOND)
    assert recorder.last == ("Kowalski, skillet", None)

    # step hotwords first; a keyterm already among them is not repeated
    whisper.set_hints(hotwords="skillet, lamp", initial_prompt="It's a lamp.")
    whisper.transcribe_array(SECOND)
    assert recorder.last == ("skillet, lamp, Kowalski", "It's a lamp.")

    # clearing the step hints keeps the session's keyterms; an empty list clears those
    whisper.set_hints(hotwords=None, initial_prompt=None)
    whisper.transcribe_array(SECOND)
    assert recorder.last == ("Kowalski, skillet", None)
    whisper._update_session_keyterms([])
    whisper.transcribe_array(SECOND)
    assert recorder.last == (None, None)


def test_keyterms_and_hints_reach_whisper_through_framework_adapters() -> None:
    from livekit.plugins import silero

    vad = silero.VAD.load()
    whisper = WhisperSTT(model=object())
    adapter = stt.StreamAdapter(stt=whisper, vad=vad)  # what AgentSession wraps around a non-streaming STT
    assert adapter.capabilities.keyterms
    adapter._update_session_keyterms(["Kowalski"])
    assert whisper.session_keyterms == ("Kowalski",)

    assert apply_hints(adapter, HINTS_DIGITS)
    assert whisper.hints == HINTS_DIGITS
    other = WhisperSTT(model=object())
    fallback = stt.FallbackAdapter([whisper, other], vad=vad)
    assert apply_hints(fallback, HINTS_YES_NO)
    assert whisper.hints == other.hints == HINTS_YES_NO
    assert apply_hints(fallback, None)
    assert whisper.hints == other.hints == HINTS_NONE
    assert not apply_hints(None, HINTS_DIGITS)


# ------------------------------------------------------------------------------------------------
# the real model
# ------------------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_digits_hint_gets_all_ten_digits_of_the_phone_turn(whisper_model: Any) -> None:
    whisper = WhisperSTT(model=whisper_model)
    whisper.use_hints(HINTS_DIGITS)
    samples, rate = read_wav(CALL / "03.wav")  # "It's four one five, five five five, zero one three four."
    ev = await whisper.recognize(_frames(samples, rate))
    text = ev.alternatives[0].text
    assert _digits(text) == "4155550134", text
    assert whisper.last_hints.initial_prompt == HINTS_DIGITS.initial_prompt
    assert not whisper.last_hint_fallback

    whisper.set_hints(hotwords=None, initial_prompt=None)
    text, _ = await asyncio.to_thread(whisper.transcribe_array, _audio("03.wav"))
    assert whisper.last_hints == HINTS_NONE
    assert _digits(text) == "4155550134", text  # unhinted, as whisper_check.txt records


@pytest.mark.parametrize("preset", [HINTS_DIGITS, HINTS_YES_NO, HINTS_NAME, HINTS_GENERAL])
def test_hints_do_not_make_whisper_read_silence_or_noise(whisper_model: Any, preset: WhisperHints) -> None:
    """A digits prompt alone makes tiny.en "read" digits from silence ("1, 2, 3, 4, 5, 4, 5, ...");
    the adapter discards such a decode (no-speech probability > 0.8) and decodes unhinted."""
    whisper = WhisperSTT(model=whisper_model)
    whisper.use_hints(preset)
    noise = np.random.default_rng(7).normal(0.0, 0.01, 32000).astype(np.float32)
    for audio in (np.zeros(32000, dtype=np.float32), noise):
        text, _ = whisper.transcribe_array(audio)
        assert text == "", (preset, text)


@pytest.mark.asyncio
async def test_keyterms_and_hints_reach_whisper_inside_an_agent_session(whisper_model: Any) -> None:
    """AgentSession -> KeytermDetector -> WhisperSTT._update_session_keyterms, and set_hints on the
    session's STT applies to the utterances the session's StreamAdapter sends to it."""
    from livekit.plugins import silero

    whisper = WhisperSTT(model=whisper_model)
    caller = WavCallerInput()
    session: AgentSession[None] = AgentSession(
        stt=whisper,
        vad=silero.VAD.load(),
        stt_context_options={"keyterms": ["Kowalski"]},
    )
    session.input.audio = caller
    agent = _TurnRecorder()
    try:
        await session.start(agent)
        assert whisper.session_keyterms == ("Kowalski",)  # bound when the activity started
        session.update_options(keyterms=["Kowalski", "Outfitters"])
        assert whisper.session_keyterms == ("Kowalski", "Outfitters")

        assert apply_hints(session.stt, HINTS_DIGITS)
        await caller.play(CALL / "03.wav")
        await asyncio.wait_for(agent.committed.wait(), 15.0)
    finally:
        await session.aclose()
        await caller.aclose()

    assert whisper.last_hints == WhisperHints("Kowalski, Outfitters", HINTS_DIGITS.initial_prompt)
    assert _digits(" ".join(agent.user_turns)) == "4155550134", agent.user_turns


class _TurnRecorder(Agent):
    """No LLM: the session commits user turns but never replies; record the committed text."""

    def __init__(self) -> None:
        super().__init__(instructions="Hints test.")
        self.user_turns: list[str] = []
        self.committed = asyncio.Event()

    async def on_user_turn_completed(self, turn_ctx: llm.ChatContext, new_message: llm.ChatMessage) -> None:
        self.user_turns.append(new_message.text_content or "")
        self.committed.set()
